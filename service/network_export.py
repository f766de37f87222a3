"""Partnership-network exports: GEXF and GraphML (Gephi) and a pair of CSV files.

One result (:func:`service.usecases.partnership.partnership_network`: the weighted
actor–actor network of a group under a filter, with every per-actor column of
``synergraph metrics``), three renderings:

- :func:`network_graph` — an undirected ``networkx.Graph``: node key = actor id, attribute
  ``label`` = the actor's name (what Gephi shows), then ``name``, ``kind``, ``clusters``
  (ids joined by ``;``), ``country``, ``synthetic`` and every metric column; edge
  attributes ``weight`` (shared projects), ``newman``, ``first_year``, ``last_year`` and
  ``projects`` (ids joined by ``;``). Types are fixed per column, so that Gephi gets numbers
  as numbers: a column whose values are all whole numbers is an integer, a numeric column
  otherwise a double, flags booleans, the rest strings. A value that is undefined
  (``None``: the constraint of an isolated actor, a tie without project years) is left out
  of that node or edge, never written as ``"None"``. Graph attributes (:func:`graph_attributes`)
  say what the file is: group, filter, graph version, sources and attribution, the
  synthetic flag and which metrics are estimates.
- :func:`gexf_bytes` (GEXF 1.2; the graph attributes go into ``<meta>``: a JSON
  ``<description>`` and ``<keywords>``, since GEXF has no graph-level attributes) and
  :func:`graphml_bytes` (graph attributes as ``<data>`` of the graph), both streamed by
  :mod:`service.graphxml` (networkx's writers build the whole XML tree first: 3-4 GB for
  the 800,000 ties of the Horizon 2020 network).
- :func:`csv_files` — ``nodes.csv``, ``edges.csv`` (UTF-8, no BOM, one header row; lists
  joined by ``;``; an undefined value is an empty cell; every cell goes through
  :func:`loaders.csvsafe.neutralise`, like the other CSV exports) and ``meta.json``;
  :func:`csv_zip` puts them in one zip.
"""

from __future__ import annotations

import csv
import io
import json
import numbers
import re
import zipfile
from pathlib import Path

import networkx as nx

from loaders.csvsafe import neutralise

from .graphxml import write_file, write_gexf, write_graphml

__all__ = ["NETWORK_FORMATS", "network_graph", "graph_attributes", "gexf_bytes",
           "graphml_bytes", "csv_files", "csv_zip", "network_file", "network_file_name",
           "write_network"]

#: Format → (media type, file extension).
NETWORK_FORMATS: dict[str, tuple[str, str]] = {
    "gexf": ("application/gexf+xml", "gexf"),
    "graphml": ("application/graphml+xml", "graphml"),
    "csv": ("application/zip", "csv.zip"),
}
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------------------
# Types: one per column, so that every node (edge) carries the same type
# --------------------------------------------------------------------------------------
def column_types(rows: list[dict], columns) -> dict[str, type]:
    """The type of each column: ``bool``, ``int``, ``float`` or ``str`` (lists are joined
    into strings).

    >>> column_types([{"a": 1, "b": 0.5, "c": True, "d": ["x"]},
    ...               {"a": None, "b": 2, "c": False, "d": []}], "abcd")
    {'a': <class 'int'>, 'b': <class 'float'>, 'c': <class 'bool'>, 'd': <class 'str'>}
    """
    out: dict[str, type] = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        values = [v for v in values if v is not None]
        if values and all(isinstance(v, bool) for v in values):
            out[column] = bool
        elif values and all(_number(v) and isinstance(v, numbers.Integral) for v in values):
            out[column] = int
        elif values and all(_number(v) for v in values):
            out[column] = float
        else:
            out[column] = str
    return out


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _typed(value, kind: type):
    """``value`` as ``kind`` (``None`` stays ``None``; lists are joined with ``;``)."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return kind(value)


# --------------------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------------------
def graph_attributes(result: dict) -> dict:
    """Flat, typed graph-level attributes (no ``None``): what the file is and where its
    data comes from."""
    meta = result["meta"]
    group = meta["group"]
    scope = "ecosystem" if group["kind"] == "ecosystem" else f"{group['kind']}:{group['id']}"
    filter_text = "&".join(f"{k}={v}" for k, v in meta["filter_args"].items())
    approximate = list(meta["approximate"])
    how = "; ".join(f"{name}: {_method_text(meta['methods'][name])}" for name in approximate)
    return {
        "name": f"Partnership network: {group['name']}",
        "group": scope,
        "group_name": group["name"],
        "filter": filter_text,
        "graph_version": int(meta["graph_version"]),
        "nodes": int(meta["nodes"]),
        "edges": int(meta["edges"]),
        "edge_weight": "shared projects",
        "edge_years": "start years of the first and last shared project",
        "source": "; ".join(meta["sources"]),
        "attribution": meta["attribution"],
        "synthetic": bool(meta["synthetic"]),
        "synthetic_actors": int(meta["synthetic_actors"]),
        "metrics": f"synergraph metrics ({'weighted' if meta['weighted'] else 'unweighted'}, "
                   f"seed {meta['seed']})",
        "approximate_metrics": ",".join(approximate),
        "approximation_methods": how,
        "generator": "Synergraph",
    }


def _method_text(how: dict) -> str:
    """One figure's ``meta.methods`` entry in words.

    >>> _method_text({"method": "sampled sources", "sample": 64, "seed": 0,
    ...               "bound": "within 0.01"})
    'sampled sources, sample 64, seed 0 (within 0.01)'
    """
    text = str(how.get("method"))
    if how.get("sample"):
        text += f", sample {how['sample']}"
    if how.get("seed") is not None:
        text += f", seed {how['seed']}"
    if how.get("bound"):
        text += f" ({how['bound']})"
    return text


def network_graph(result: dict) -> nx.Graph:
    """The result as a typed, ``None``-free undirected graph (see the module docstring)."""
    g = nx.Graph()
    g.graph.update(graph_attributes(result))
    node_columns = [c for c in result["node_columns"] if c != "id"]
    node_types = column_types(result["nodes"], node_columns)
    for row in result["nodes"]:
        attrs = {"label": str(row.get("name") or row["id"])}
        for column in node_columns:
            value = _typed(row.get(column), node_types[column])
            if value is not None:
                attrs[column] = value
        g.add_node(str(row["id"]), **attrs)
    edge_columns = [c for c in result["edge_columns"] if c not in ("source", "target")]
    edge_types = column_types(result["edges"], edge_columns)
    for row in result["edges"]:
        attrs = {}
        for column in edge_columns:
            value = _typed(row.get(column), edge_types[column])
            if value is not None:
                attrs[column] = value
        g.add_edge(str(row["source"]), str(row["target"]), **attrs)
    return g


def _write_gexf(result: dict, fh) -> None:
    g = network_graph(result)
    attributes = dict(g.graph)
    g.graph = {"name": attributes["name"]}
    keywords = ["partnership network", "co-participation", attributes["group"]]
    if attributes["synthetic"]:
        keywords.append("synthetic data")
    write_gexf(g, fh, creator=f"Synergraph (NetworkX {nx.__version__})",
               keywords=", ".join(keywords),
               description=json.dumps(attributes, ensure_ascii=False, sort_keys=True))


def _write_graphml(result: dict, fh) -> None:
    write_graphml(network_graph(result), fh)


def gexf_bytes(result: dict) -> bytes:
    """GEXF 1.2 (``<meta>``: a JSON ``<description>`` of :func:`graph_attributes`)."""
    buffer = io.BytesIO()
    _write_gexf(result, buffer)
    return buffer.getvalue()


def graphml_bytes(result: dict) -> bytes:
    buffer = io.BytesIO()
    _write_graphml(result, buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------
def _csv_text(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list | tuple):
                value = ";".join(str(v) for v in value)
            cells.append("" if value is None else neutralise(value))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def csv_files(result: dict) -> dict[str, bytes]:
    """``nodes.csv``, ``edges.csv`` and ``meta.json`` (graph attributes, the filter and
    the metrics' methods)."""
    meta = {**graph_attributes(result), "filter": result["meta"]["filter"],
            "methods": result["meta"]["methods"],
            "node_columns": result["node_columns"], "edge_columns": result["edge_columns"]}
    return {
        "nodes.csv": _csv_text(result["nodes"], result["node_columns"]),
        "edges.csv": _csv_text(result["edges"], result["edge_columns"]),
        "meta.json": (json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=1)
                      + "\n").encode("utf-8"),
    }


def csv_zip(files: dict[str, bytes]) -> bytes:
    """A deterministic zip of the files, at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Entry points (API and CLI)
# --------------------------------------------------------------------------------------
def network_file_name(result: dict, fmt: str) -> str:
    """``synergraph-network-<group>[-<filter>].<ext>``, safe in a header and a file system.

    >>> network_file_name({"meta": {"group": {"kind": "cluster", "id": "mnc"},
    ...                             "filter_args": {"years": "2012-2014"}}}, "csv")
    'synergraph-network-cluster-mnc-years-2012-2014.csv.zip'
    """
    meta = result["meta"]
    group = meta["group"]
    parts = ["synergraph-network",
             "ecosystem" if group["kind"] == "ecosystem" else f"{group['kind']}-{group['id']}"]
    parts.extend(f"{k}-{v}" for k, v in meta["filter_args"].items())
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(parts))
    return f"{stem}.{NETWORK_FORMATS[fmt][1]}"


def network_file(result: dict, fmt: str, out: Path | str) -> tuple[str, str]:
    """Write the network to the one file ``out`` in ``fmt`` (gexf, graphml or csv — a zip
    of the CSV files) and return its ``(media type, file name)`` for a download."""
    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}")
    out = Path(out)
    if fmt == "csv" and out.suffix != ".zip":
        raise ValueError(f"a CSV network file is a zip: {out} must end with .zip")
    write_network(result, fmt, out)
    return NETWORK_FORMATS[fmt][0], network_file_name(result, fmt)


def write_network(result: dict, fmt: str, out: Path | str) -> list[str]:
    """Write the network to ``out`` and return the paths written.

    ``csv`` writes ``nodes.csv``, ``edges.csv`` and ``meta.json`` into the folder ``out``
    (or one zip when ``out`` ends with ``.zip``); the other formats one file, streamed
    beside ``out`` and renamed when complete (no half-written file at ``out``). Parent
    folders are created.
    """
    out = Path(out)
    if fmt == "csv" and out.suffix != ".zip":
        files = csv_files(result)
        out.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (out / name).write_bytes(content)
        return [str(out / name) for name in files]
    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}")
    writer = {"gexf": lambda fh: _write_gexf(result, fh),
              "graphml": lambda fh: _write_graphml(result, fh),
              "csv": lambda fh: fh.write(csv_zip(csv_files(result)))}[fmt]
    write_file(out, writer)
    return [str(out)]
