"""Exports that round-trip: the canonical CSV bundle, GraphML, GEXF and node-link JSON.

What is exported — the data graph or one cluster's part of it — is read by
:func:`graph_schema.export.read_graph`; this module turns it into files:

- the canonical bundle (:func:`bundle_of`): written by :mod:`loaders.bundle_format`, the one
  definition of the format (exactly the columns of :data:`loaders.bundle_format.FILES`,
  rows sorted by key, files with no rows left out but ``actors.csv``, plus ``bundle.json``).
  Reading the bundle back (:func:`loaders.bundle.read_bundle`), writing it to an empty graph
  and exporting again gives byte-identical files. Properties the bundle has no column for
  (CORDIS's ``pic``, ``roles``...) are not in the bundle: GraphML, GEXF and JSON carry them.
  A required name or title the graph lacks is filled from :data:`FALLBACKS` (CORDIS projects
  known only from ``organization.csv`` get their acronym as title) so that the bundle
  validates.
- :func:`to_networkx` — a ``MultiDiGraph``: node key ``"<Label>:<id>"``, node attribute
  ``label`` (the Neo4j label) plus every property; edge key and attribute ``label`` (the
  relationship type) plus every property. ``None`` values are omitted; lists and maps are
  JSON strings. Provenance (``source``, ``sources``, ``load_id``) is kept.
- GraphML and GEXF, streamed by :mod:`service.graphxml` (networkx reads them back as it
  reads its own writers' files; GEXF reserves a node's ``id``, so the ``id`` property is
  written as ``external_id`` there) and node-link
  JSON (``networkx.node_link_data(g, edges="edges", name="key")``: the node key is under
  ``key`` so that the ``id`` property keeps its name; read it back with
  ``networkx.node_link_graph(data, edges="edges", name="key")``; nodes and edges sorted).

The layering: graph_schema reads the graph and knows no file format; loaders defines the
bundle format; this service module, which may import both, joins them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx

from graph_schema.export import ExportError, GraphExport, UnknownCluster, read_graph, to_dataset
from graph_schema.model import NODE_LABELS, Dataset
from loaders.bundle_format import FILES, bundle_files, bundle_zip, write_bundle

from .graphxml import write_file, write_gexf, write_graphml

__all__ = [
    "FORMATS",
    "FALLBACKS",
    "ExportError",
    "UnknownCluster",
    "read_graph",
    "bundle_of",
    "to_networkx",
    "graphml_bytes",
    "gexf_bytes",
    "json_bytes",
    "run_export",
]

#: Formats and (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "bundle": ("application/zip", "zip"),
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "json": ("application/json", "json"),
}

# --------------------------------------------------------------------------------------
# The canonical bundle
# --------------------------------------------------------------------------------------
#: Required text columns a graph may lack (CORDIS projects that only ``organization.csv``
#: mentions have no title): the bundle takes the first of these properties that is set.
FALLBACKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("projects", "title"): ("acronym", "id"),
    ("actors", "name"): ("short_name", "id"),
    ("clusters", "name"): ("id",),
    ("regions", "name"): ("id",),
    ("niches", "name"): ("id",),
    ("programmes", "name"): ("id",),
}


def bundle_of(dataset: Dataset, meta: dict, notes: list[str] | None = None) -> dict[str, bytes]:
    """``{file name: bytes}`` of the canonical bundle of ``dataset``.

    The rows are completed so that the bundle validates: a missing ``synthetic`` value is
    written ``false``; a missing required name or title is filled from :data:`FALLBACKS`
    (counted in ``notes``). The bytes are :func:`loaders.bundle_format.bundle_files`'s.
    """
    tables: dict[str, list[dict]] = {}
    for spec in FILES:
        rows = []
        filled: dict[str, int] = {}
        for row in getattr(dataset, spec.target):
            values = dict(row)
            if values.get("synthetic") is None:
                values["synthetic"] = False
            for (target, column), sources in FALLBACKS.items():
                if target == spec.target and values.get(column) in (None, ""):
                    values[column] = next((values[k] for k in sources
                                           if values.get(k) not in (None, "")), None)
                    filled[column] = filled.get(column, 0) + 1
            rows.append(values)
        tables[spec.target] = rows
        if notes is not None:
            for column, n in sorted(filled.items()):
                notes.append(f"{spec.file}: {n} empty {column!r} filled from "
                             f"{' or '.join(FALLBACKS[(spec.target, column)])}")
    return bundle_files(tables, meta)


# --------------------------------------------------------------------------------------
# networkx formats
# --------------------------------------------------------------------------------------
def _attr(value):
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def node_key(label: str, node_id: str) -> str:
    return f"{label}:{node_id}"


def to_networkx(graph: GraphExport) -> nx.MultiDiGraph:
    """Every node and relationship of the export, in a deterministic order."""
    g = nx.MultiDiGraph()
    for label in NODE_LABELS:
        for node_id, props in sorted(graph.nodes.get(label, {}).items()):
            attrs = {k: _attr(v) for k, v in sorted(props.items()) if v is not None}
            g.add_node(node_key(label, node_id), label=label, **attrs)
    for r_type, sl, sid, el, eid, props in sorted(graph.relationships, key=lambda r: r[:5]):
        attrs = {k: _attr(v) for k, v in sorted(props.items()) if v is not None}
        g.add_edge(node_key(sl, sid), node_key(el, eid), key=r_type, label=r_type, **attrs)
    return g


def _write_gexf(g: nx.MultiDiGraph, fh) -> None:
    """GEXF reserves a node's ``id``: the property is written as ``external_id`` (renamed
    for the write only: the caller's graph is left as it was)."""
    moved = [data for _node, data in g.nodes(data=True) if "id" in data]
    for data in moved:
        data["external_id"] = data.pop("id")
    try:
        write_gexf(g, fh)
    finally:
        for data in moved:
            data["id"] = data.pop("external_id")


def _write_json(g: nx.MultiDiGraph, fh) -> None:
    fh.write(json_bytes(g))


#: The writers of the formats read from a networkx graph (to a binary file object).
WRITERS = {"graphml": write_graphml, "gexf": _write_gexf, "json": _write_json}


def graphml_bytes(g: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    write_graphml(g, buffer)
    return buffer.getvalue()


def gexf_bytes(g: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    _write_gexf(g, buffer)
    return buffer.getvalue()


def json_bytes(g: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(g, edges="edges", name="key")
    data["nodes"].sort(key=lambda n: n["key"])
    data["edges"].sort(key=lambda e: (e["source"], e["target"], e["key"]))
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


# --------------------------------------------------------------------------------------
# Entry points (API and CLI)
# --------------------------------------------------------------------------------------
def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")


def run_export(store, fmt: str, out: Path | str, cluster_id: str | None = None) -> dict:
    """Write one export to ``out`` and return a summary.

    ``bundle`` writes a folder of CSV files (or a zip when ``out`` ends with ``.zip``);
    the other formats write one file. Parent folders are created.
    """
    _check_format(fmt)
    out = Path(out)
    graph = read_graph(store, cluster_id)
    counts = graph.counts()
    name = graph.meta["name"]
    written: list[str] = []
    notes: list[str] = []
    if fmt == "bundle":
        files = bundle_of(to_dataset(graph), graph.meta, notes)
        if out.suffix == ".zip":
            content = bundle_zip(files, name)
            write_file(out, lambda fh: fh.write(content))
            written.append(str(out))
        else:
            written.extend(str(path) for path in write_bundle(out, files))
    else:
        g = to_networkx(graph)
        del graph  # the networkx graph holds it all: half the memory while writing
        write_file(out, lambda fh: WRITERS[fmt](g, fh))
        written.append(str(out))
    return {"format": fmt, "cluster": cluster_id, "out": str(out), "files": written,
            "notes": notes, "name": name, **counts}
