"""GraphML and GEXF written element by element, not built as one XML tree first.

networkx's own writers build the whole document as an ``ElementTree`` before writing a byte.
At the size of the whole Horizon 2020 network that tree is the problem: the GEXF of its
800,000 ties (an element per tie, its ``<attvalues>`` and one element per value) took
3 to 4 GB. These writers stream the same documents from a networkx graph, a few thousand
elements at a time, to any binary file object:

- :func:`write_graphml` — GraphML with typed ``<key>`` declarations (``boolean``, ``long``,
  ``double``, ``string``), one key per attribute name, type and scope as networkx declares
  them; a multigraph's edge key is the edge ``id``.
- :func:`write_gexf` — GEXF 1.2 (static): the node attribute ``label`` is the node's label,
  an edge's ``label`` and ``weight`` are the edge's, the rest are typed ``<attvalues>``; a
  multigraph's edge key is kept as the attribute ``networkx_key``, as networkx does.

networkx reads both back to the same graph as it reads its own writers' output (the tests
compare the two on the demo ecosystem). Unlike those writers, these drop characters XML 1.0
cannot hold (control characters), so the file stays well-formed whatever a name contains,
and they write a node's ``start``, ``end`` or ``pid`` and an edge's ``type`` as ordinary
attributes (GEXF gives those names a meaning of their own: time, parent, direction).
``None`` values are not written; lists, tuples and maps are written as JSON text.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from collections.abc import Callable
from numbers import Integral, Real
from pathlib import Path
from typing import BinaryIO

import networkx as nx

__all__ = ["write_file", "write_graphml", "write_gexf", "xml_attr", "xml_text"]

#: Escapes, and the characters XML 1.0 cannot hold even escaped (dropped): the C0 controls
#: but tab, newline and carriage return, the surrogates, U+FFFE and U+FFFF.
_DROPPED = {chr(c): None for c in (*range(0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF)
            if chr(c) not in "\t\n\r"}
#: In an attribute value (whitespace too, or a reader turns it into spaces).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                          "\n": "&#10;", "\r": "&#13;", "\t": "&#09;", **_DROPPED})
#: In an element's text.
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;",
                               **_DROPPED})
#: Whether a string needs no escape and holds nothing to drop (most values).
_SAFE = re.compile('[^&<>"\x00-\x1f\ud800-\udfff\ufffe\uffff]*').fullmatch
_TEXT_SAFE = re.compile("[^&<>\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]*").fullmatch
#: XML types of the common Python types (others: by their number class, else string).
_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
#: Lines written per ``write`` call.
_CHUNK = 20_000


def write_file(out: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(fh)`` on a file beside ``out``, renamed to ``out`` once complete: a
    failure leaves no half-written file at ``out`` (and no file beside it). The file beside
    is this process's and thread's own, so two writers of the same ``out`` (two service
    processes sharing the cache folder) never write into one file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(f".{out.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with part.open("wb") as fh:
            write(fh)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def xml_attr(value) -> str:
    """``value`` as the text of an XML attribute.

    >>> xml_attr('a<b & "c"\\x01\\n')
    'a&lt;b &amp; &quot;c&quot;&#10;'
    """
    value = str(value)
    return value if _SAFE(value) else value.translate(_ESCAPES)


def xml_text(value) -> str:
    """``value`` as the text of an XML element.

    >>> xml_text('a<b & "c"\\x01\\n')
    'a&lt;b &amp; "c"\\n'
    """
    value = str(value)
    return value if _TEXT_SAFE(value) else value.translate(_TEXT_ESCAPES)


def _escaped(value: str, gexf: bool) -> str:
    """A GEXF attribute value, or a GraphML element's text."""
    if gexf:
        return value if _SAFE(value) else value.translate(_ESCAPES)
    return value if _TEXT_SAFE(value) else value.translate(_TEXT_ESCAPES)


def _float_text(value: float, gexf: bool) -> str:
    if gexf and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF")
    return repr(value)


def _cell(value, gexf: bool = False) -> tuple[str, str] | None:
    """``(XML type, text)`` of a value; ``None`` for ``None`` (nothing is written);
    lists and maps as JSON text."""
    kind = type(value)
    if kind is str:
        return "string", _escaped(value, gexf)
    if kind is int:
        return "long", str(value)
    if kind is float:
        return "double", _float_text(value, gexf)
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, Integral):
        return "long", str(int(value))
    if isinstance(value, Real):
        return "double", _float_text(float(value), gexf)
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return "string", _escaped(str(value), gexf)


def _cells(data: dict, skip: frozenset = frozenset(), gexf: bool = False):
    """``(name, XML type, text)`` of every attribute written: as a GEXF attribute value
    (``gexf``), else as a GraphML element's text."""
    out = []
    safe, table = (_SAFE, _ESCAPES) if gexf else (_TEXT_SAFE, _TEXT_ESCAPES)
    for name, value in data.items():
        if name in skip:
            continue
        if type(value) is str:  # most values: inlined
            out.append((name if type(name) is str else str(name), "string",
                        value if safe(value) else value.translate(table)))
            continue
        cell = _cell(value, gexf)
        if cell is not None:
            out.append((str(name), *cell))
    return out


class _Out:
    """Buffered UTF-8 output: thousands of lines per write."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.parts: list[str] = []
        self.add = self.parts.append

    def element_done(self) -> None:
        if len(self.parts) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.fh.write("".join(self.parts).encode("utf-8"))
            self.parts.clear()


# --------------------------------------------------------------------------------------
# GraphML
# --------------------------------------------------------------------------------------
_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')


def _edges(g: nx.Graph):
    """``(u, v, key or None, data)`` of every edge."""
    if g.is_multigraph():
        yield from g.edges(keys=True, data=True)
    else:
        for u, v, data in g.edges(data=True):
            yield u, v, None, data


def _declare(table: dict, data: dict, skip: frozenset = frozenset(),
             shapes: set | None = None) -> None:
    """Add each attribute's ``(name, XML type)`` to ``table`` (by first appearance).
    ``shapes`` holds the names and Python types already declared (most elements share
    the shape of an earlier one)."""
    if shapes is not None:
        shape = (tuple(data), tuple(map(type, data.values())))
        if shape in shapes:
            return
        shapes.add(shape)
    for name, value in data.items():
        if value is None or name in skip:
            continue
        kind = _TYPES.get(type(value)) or _cell(value)[0]
        table.setdefault((str(name), kind), len(table))


def write_graphml(g: nx.Graph, fh: BinaryIO) -> None:
    """Write ``g`` as GraphML to the binary file object ``fh``."""
    scopes: dict[str, dict[tuple[str, str], int]] = {"graph": {}, "node": {}, "edge": {}}
    _declare(scopes["graph"], g.graph)
    shapes: set = set()
    for _node, data in g.nodes(data=True):
        _declare(scopes["node"], data, shapes=shapes)
    shapes = set()
    for *_ends, data in _edges(g):
        _declare(scopes["edge"], data, shapes=shapes)

    out = _Out(fh)
    out.add(_GRAPHML_HEAD)
    # one key per (name, type, scope), as networkx declares them; each data line's opening
    opening: dict[str, dict[tuple[str, str], str]] = {}
    number = 0
    for scope, table in scopes.items():
        opening[scope] = {}
        for name, kind in table:
            out.add(f'  <key id="d{number}" for="{scope}" attr.name="{xml_attr(name)}" '
                    f'attr.type="{kind}" />\n')
            opening[scope][name, kind] = f'<data key="d{number}">'
            number += 1
    direction = "directed" if g.is_directed() else "undirected"
    out.add(f'  <graph edgedefault="{direction}">\n')
    for name, kind, text in _cells(g.graph):
        out.add(f"    {opening['graph'][name, kind]}{text}</data>\n")

    add = out.add
    for scope, elements in (("node", ((f'    <node id="{xml_attr(node)}"', data)
                                      for node, data in g.nodes(data=True))),
                            ("edge", ((f'    <edge source="{xml_attr(u)}" target="{xml_attr(v)}"'
                                       + ("" if key is None else f' id="{xml_attr(key)}"'), data)
                                      for u, v, key, data in _edges(g)))):
        table = opening[scope]
        close = f"    </{scope}>\n"
        for head, data in elements:
            cells = _cells(data)
            if not cells:
                add(head + " />\n")
            else:
                add(head + ">\n")
                for name, kind, text in cells:
                    add(f"      {table[name, kind]}{text}</data>\n")
                add(close)
            out.element_done()
    out.add("  </graph>\n</graphml>\n")
    out.flush()


# --------------------------------------------------------------------------------------
# GEXF 1.2
# --------------------------------------------------------------------------------------
_GEXF_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<gexf xmlns="http://www.gexf.net/1.2draft" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
    'version="1.2">\n')


_NODE_OWN = frozenset({"id", "label"})
_EDGE_OWN = frozenset({"id", "label", "weight"})


def _edge_ids(g: nx.Graph):
    """Each edge's GEXF id, as networkx gives them: its own ``id`` attribute, else the next
    number no edge holds as its id."""
    taken = {str(data["id"]) for *_e, data in _edges(g) if data.get("id") is not None}
    counter = 0
    for *_e, data in _edges(g):
        ident = data.get("id")
        if ident is None:
            while str(counter) in taken:
                counter += 1
            ident = counter
            counter += 1
        yield ident


def write_gexf(g: nx.Graph, fh: BinaryIO, *, creator: str | None = None,
               keywords: str | None = None, description: str | None = None) -> None:
    """Write ``g`` as GEXF 1.2 to the binary file object ``fh``.

    ``<meta>`` holds ``creator`` (default: networkx's own), ``keywords`` and
    ``description`` when given, and today's date; the graph's ``name`` attribute is the
    graph's name.
    """
    multigraph = g.is_multigraph()
    declared: dict[str, dict[tuple[str, str], int]] = {"node": {}, "edge": {}}
    shapes: set = set()
    for _node, data in g.nodes(data=True):
        _declare(declared["node"], data, _NODE_OWN, shapes)
    shapes = set()
    for *_ends, data in _edges(g):
        _declare(declared["edge"], data, _EDGE_OWN, shapes)
    if multigraph:
        shapes = set()
        for *_ends, key, _data in _edges(g):
            _declare(declared["edge"], {"networkx_key": key}, shapes=shapes)
    # one attribute per title, its type the first one seen, as networkx declares them
    ids: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    number = 0
    for kind, table in declared.items():
        for title, type_ in table:
            if title not in ids[kind]:
                ids[kind][title] = (str(number), type_)
                number += 1

    out = _Out(fh)
    add = out.add
    add(_GEXF_HEAD)
    add(f'  <meta lastmodifieddate="{time.strftime("%Y-%m-%d")}">\n')
    add(f"    <creator>{xml_text(creator or f'NetworkX {nx.__version__}')}</creator>\n")
    if keywords is not None:
        add(f"    <keywords>{xml_text(keywords)}</keywords>\n")
    if description is not None:
        add(f"    <description>{xml_text(description)}</description>\n")
    add("  </meta>\n")
    direction = "directed" if g.is_directed() else "undirected"
    name = xml_attr(g.graph.get("name", ""))
    add(f'  <graph defaultedgetype="{direction}" mode="static" name="{name}">\n')
    opening: dict[str, dict[str, str]] = {}
    for kind in ("node", "edge"):
        opening[kind] = {title: f'          <attvalue for="{ident}" value="'
                         for title, (ident, _type) in ids[kind].items()}
        if not ids[kind]:
            continue
        add(f'    <attributes mode="static" class="{kind}">\n')
        for title, (ident, type_) in ids[kind].items():
            add(f'      <attribute id="{ident}" title="{xml_attr(title)}" type="{type_}" />\n')
        add("    </attributes>\n")

    def element(head: str, kind: str, cells: list, close: str) -> None:
        if not cells:
            add(head + " />\n")
        else:
            table = opening[kind]
            add(head + ">\n        <attvalues>\n")
            for title, _type, text in cells:
                add(f'{table[title]}{text}" />\n')
            add("        </attvalues>\n" + close)
        out.element_done()

    add("    <nodes>\n")
    gexf_id = {}  # node → its id in the file (its ``id`` attribute, else itself)
    for node, data in g.nodes(data=True):
        gexf_id[node] = ident = xml_attr(data.get("id", node))
        head = f'      <node id="{ident}" label="{xml_attr(data.get("label", node))}"'
        element(head, "node", _cells(data, _NODE_OWN, gexf=True), "      </node>\n")
    add("    </nodes>\n    <edges>\n")
    for (u, v, key, data), ident in zip(_edges(g), _edge_ids(g), strict=True):
        head = (f'      <edge source="{gexf_id[u]}" target="{gexf_id[v]}" '
                f'id="{xml_attr(ident)}"')
        if data.get("label") is not None:
            head += f' label="{xml_attr(data["label"])}"'
        if data.get("weight") is not None:
            head += f' weight="{_cell(data["weight"], gexf=True)[1]}"'
        cells = _cells(data, _EDGE_OWN, gexf=True)
        if multigraph:
            cells += _cells({"networkx_key": key}, gexf=True)
        element(head, "edge", cells, "      </edge>\n")
    add("    </edges>\n  </graph>\n</gexf>\n")
    out.flush()
