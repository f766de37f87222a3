"""Exports that round-trip: the canonical CSV bundle, GraphML, GEXF and node-link JSON.

:func:`read_graph` reads the data graph (every node of :data:`graph_schema.model.NODE_LABELS`
and every relationship of :data:`graph_schema.model.REL_TYPES`; the bookkeeping ``Load``
and ``Synergraph`` nodes are left out) or one cluster's part of it:

- the cluster, its members (``MEMBER_OF``) and their memberships **of this cluster**;
- the projects the members take part in, with the members' participations (participants
  that are not members are left out, as are memberships of other clusters);
- the outputs the cluster reported and the projects they come from;
- the programmes funding those projects and the targets of the cluster and programmes;
- the niches the members and the cluster are active in;
- the regions the members and the cluster are located in, and the regions above them.

The cluster's part is the graph induced by those nodes, so every relationship between two
exported nodes is exported, and a sub-bundle validates on its own.

Writers:

- :func:`bundle_files` — the canonical bundle: exactly the columns of
  :data:`loaders.bundle.FILES`, rows sorted by key, plus ``bundle.json``. Reading the bundle
  back (:func:`loaders.bundle.read_bundle`), writing it to an empty graph and exporting again
  gives byte-identical files. Properties the bundle has no column for (CORDIS's ``pic``,
  ``roles``...) are not in the bundle: GraphML, GEXF and JSON carry them. A required name
  or title the graph lacks is filled from :data:`FALLBACKS` (CORDIS projects known only
  from ``organization.csv`` get their acronym as title) so that the bundle validates.
- :func:`to_networkx` — a ``MultiDiGraph``: node key ``"<Label>:<id>"``, node attribute
  ``label`` (the Neo4j label) plus every property; edge key and attribute ``label`` (the
  relationship type) plus every property. ``None`` values are omitted; lists and maps are
  JSON strings. Provenance (``source``, ``load_id``, ``loaded_at``) is kept.
- GraphML (``networkx.write_graphml``), GEXF (``networkx.write_gexf``; GEXF reserves a
  node's ``id``, so the ``id`` property is written as ``external_id`` there) and node-link
  JSON (``networkx.node_link_data(g, edges="edges", name="key")``: the node key is under
  ``key`` so that the ``id`` property keeps its name; read it back with
  ``networkx.node_link_graph(data, edges="edges", name="key")``; nodes and edges sorted).

Every statement is a constant built at import time from the fixed model; no user value
ever enters Cypher text (a cluster id only filters what was read).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .model import NODE_LABELS, REL_TYPES, Dataset

__all__ = [
    "FORMATS",
    "ExportError",
    "UnknownCluster",
    "GraphExport",
    "read_graph",
    "to_dataset",
    "bundle_files",
    "bundle_zip",
    "to_networkx",
    "graphml_bytes",
    "gexf_bytes",
    "json_bytes",
    "export_bytes",
    "run_export",
]

# --------------------------------------------------------------------------------------
# Cypher of this module (built from the model, never from input)
# --------------------------------------------------------------------------------------
EXPORT_NODES: dict[str, str] = {
    label: f"MATCH (n:{label}) RETURN properties(n) AS props ORDER BY n.id"
    for label in NODE_LABELS
}
EXPORT_RELS: dict[tuple[str, str, str], str] = {
    (rel, start, end): (f"MATCH (a:{start})-[r:{rel}]->(b:{end}) "
                        "RETURN a.id AS start, b.id AS end, properties(r) AS props "
                        "ORDER BY start, end")
    for rel, pairs in REL_TYPES.items()
    for start, end in pairs
}
EXPORT_LOADS = ("MATCH (l:Load) RETURN l.source AS source, l.attribution AS attribution, "
                "l.synthetic AS synthetic ORDER BY l.id")

#: Formats and (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "bundle": ("application/zip", "zip"),
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "json": ("application/json", "json"),
}

PROVENANCE = ("source", "load_id", "loaded_at")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ExportError(Exception):
    pass


class UnknownCluster(ExportError, KeyError):
    def __str__(self) -> str:
        return f"no cluster with id {self.args[0]!r}"


@dataclass
class GraphExport:
    """Nodes by label and id (every property) and relationships, plus the bundle's meta."""

    nodes: dict[str, dict[str, dict]] = field(default_factory=dict)
    #: (type, start label, start id, end label, end id, properties)
    relationships: list[tuple[str, str, str, str, str, dict]] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"nodes": sum(len(v) for v in self.nodes.values()),
                "relationships": len(self.relationships)}


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
def read_graph(store, cluster_id: str | None = None) -> GraphExport:
    """The data graph, or one cluster's part of it (see the module's docstring).

    Raises :class:`UnknownCluster` when ``cluster_id`` names no cluster.
    """
    graph = GraphExport()
    for label, query in EXPORT_NODES.items():
        graph.nodes[label] = {row["props"]["id"]: row["props"] for row in store._read(query)}
    for (rel, start, end), query in EXPORT_RELS.items():
        for row in store._read(query):
            graph.relationships.append((rel, start, row["start"], end, row["end"], row["props"]))
    loads = store._read(EXPORT_LOADS)
    name = "synergraph-export" if cluster_id is None else f"synergraph-export-{cluster_id}"
    graph.meta = {
        "name": name,
        "source": "; ".join(sorted({r["source"] for r in loads if r["source"]}))
                  or "Synergraph export",
        "attribution": "\n\n".join(sorted({r["attribution"] for r in loads
                                           if r["attribution"]})),
        "synthetic": any(bool(r["synthetic"]) for r in loads),
    }
    if cluster_id is not None:
        graph = _cluster_part(graph, cluster_id)
    graph.relationships.sort(key=lambda r: r[:5])
    return graph


def _cluster_part(graph: GraphExport, cluster_id: str) -> GraphExport:
    if cluster_id not in graph.nodes.get("Cluster", {}):
        raise UnknownCluster(cluster_id)
    out_by: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    in_by: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for rel, sl, sid, el, eid, _props in graph.relationships:
        out_by.setdefault((rel, sl, sid), []).append((el, eid))
        in_by.setdefault((rel, el, eid), []).append((sl, sid))

    def outgoing(rel: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return {end for key in keys for end in out_by.get((rel, *key), [])}

    def incoming(rel: str, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return {start for key in keys for start in in_by.get((rel, *key), [])}

    cluster = {("Cluster", cluster_id)}
    actors = incoming("MEMBER_OF", cluster)
    outputs = outgoing("REPORTED", cluster)
    projects = outgoing("PARTICIPATES_IN", actors) | outgoing("FROM_PROJECT", outputs)
    programmes = outgoing("FUNDED_BY", projects)
    targets = outgoing("HAS_TARGET", cluster | programmes)
    niches = outgoing("ACTIVE_IN", actors | cluster)
    regions = outgoing("LOCATED_IN", actors | cluster)
    frontier = regions
    while frontier:
        frontier = outgoing("PART_OF", frontier) - regions
        regions |= frontier
    keep = cluster | actors | outputs | projects | programmes | targets | niches | regions
    part = GraphExport(meta=graph.meta)
    for label, nodes in graph.nodes.items():
        part.nodes[label] = {i: p for i, p in nodes.items() if (label, i) in keep}
    part.relationships = [r for r in graph.relationships
                          if (r[1], r[2]) in keep and (r[3], r[4]) in keep]
    return part


# --------------------------------------------------------------------------------------
# The canonical bundle
# --------------------------------------------------------------------------------------
#: (dataset list, link field, relationship type, other label, the node is the start)
_NODE_LINKS = (
    ("Region", "parent_id", "PART_OF", "Region", True),
    ("Cluster", "region_id", "LOCATED_IN", "Region", True),
    ("Actor", "region_id", "LOCATED_IN", "Region", True),
    ("Target", "cluster_id", "HAS_TARGET", "Cluster", False),
    ("Target", "programme_id", "HAS_TARGET", "Programme", False),
    ("Output", "cluster_id", "REPORTED", "Cluster", False),
    ("Output", "project_id", "FROM_PROJECT", "Project", True),
)
_TARGET_OF_LABEL = {"Region": "regions", "Niche": "niches", "Programme": "programmes",
                    "Cluster": "clusters", "Actor": "actors", "Project": "projects",
                    "Target": "targets", "Output": "outputs"}
#: relationship (type, start, end) -> (dataset list, start key, end key)
_REL_ROWS = {
    ("MEMBER_OF", "Actor", "Cluster"): ("memberships", "actor_id", "cluster_id"),
    ("PARTICIPATES_IN", "Actor", "Project"): ("participations", "actor_id", "project_id"),
    ("FUNDED_BY", "Project", "Programme"): ("fundings", "project_id", "programme_id"),
    ("ACTIVE_IN", "Actor", "Niche"): ("activities", "actor_id", "niche_id"),
    ("ACTIVE_IN", "Cluster", "Niche"): ("activities", "cluster_id", "niche_id"),
}


def _data(props: dict) -> dict:
    return {k: v for k, v in props.items() if k not in PROVENANCE}


def to_dataset(graph: GraphExport) -> Dataset:
    """The graph as a :class:`Dataset` (every property but provenance; links as fields)."""
    links: dict[tuple[str, str], dict[str, str]] = {}
    for label, field_name, rel, other, node_is_start in _NODE_LINKS:
        for r_type, sl, sid, el, eid, _props in graph.relationships:
            if r_type != rel:
                continue
            if node_is_start and sl == label and el == other:
                links.setdefault((label, sid), {})[field_name] = eid
            elif not node_is_start and el == label and sl == other:
                links.setdefault((label, eid), {})[field_name] = sid
    lists: dict[str, list[dict]] = {}
    for label in NODE_LABELS:
        rows = []
        link_fields = [f for lab, f, *_ in _NODE_LINKS if lab == label]
        for node_id, props in sorted(graph.nodes.get(label, {}).items()):
            row = _data(props)
            for name in link_fields:
                row[name] = links.get((label, node_id), {}).get(name)
            rows.append(row)
        lists[_TARGET_OF_LABEL[label]] = rows
    for target in ("memberships", "participations", "fundings", "activities"):
        lists[target] = []
    for r_type, sl, sid, el, eid, props in graph.relationships:
        spec = _REL_ROWS.get((r_type, sl, el))
        if spec is None:
            continue
        target, start_key, end_key = spec
        row = {start_key: sid, end_key: eid, **_data(props)}
        if target == "activities":
            row.setdefault("actor_id", None)
            row.setdefault("cluster_id", None)
        lists[target].append(row)
    meta = graph.meta
    return Dataset(source=str(meta.get("source", "")), load_id=str(meta.get("name", "")),
                   attribution=str(meta.get("attribution", "")), **lists)


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


def bundle_files(dataset: Dataset, meta: dict,
                 notes: list[str] | None = None) -> dict[str, bytes]:
    """``{file name: bytes}`` of the canonical bundle: sorted rows, ``bundle.json`` last.

    Files with no rows are left out (the bundle reader refuses an empty file), except the
    required ``actors.csv``. A missing ``synthetic`` value is written ``false``; a missing
    required name or title is filled from :data:`FALLBACKS` (counted in ``notes``).
    """
    from loaders.bundle import FILES, METADATA_FILE, format_cell

    files: dict[str, bytes] = {}
    for spec in FILES:
        rows = getattr(dataset, spec.target)
        if not rows and not spec.required_file:
            continue
        lines = []
        filled: dict[str, int] = {}
        for row in rows:
            values = dict(row)
            if values.get("synthetic") is None:
                values["synthetic"] = False
            for (target, column), sources in FALLBACKS.items():
                if target == spec.target and values.get(column) in (None, ""):
                    values[column] = next((values[k] for k in sources
                                           if values.get(k) not in (None, "")), None)
                    filled[column] = filled.get(column, 0) + 1
            lines.append([format_cell(values.get(column)) for column in spec.column_names])
        key_index = [spec.column_names.index(k) for k in spec.key]
        lines.sort(key=lambda line: ([line[i] for i in key_index], line))
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(spec.column_names)
        writer.writerows(lines)
        files[spec.file] = buffer.getvalue().encode("utf-8")
        if notes is not None:
            for column, n in sorted(filled.items()):
                notes.append(f"{spec.file}: {n} empty {column!r} filled from "
                             f"{' or '.join(FALLBACKS[(spec.target, column)])}")
    meta_out = {k: meta[k] for k in ("name", "source", "attribution", "synthetic") if k in meta}
    files[METADATA_FILE] = (json.dumps(meta_out, ensure_ascii=False, indent=2, sort_keys=True)
                            + "\n").encode("utf-8")
    return files


def bundle_zip(files: dict[str, bytes], folder: str) -> bytes:
    """A deterministic zip (fixed dates and modes) holding ``folder/<file>`` for each file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


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


def graphml_bytes(g: nx.MultiDiGraph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(g, buffer, encoding="utf-8")
    return buffer.getvalue()


def gexf_bytes(g: nx.MultiDiGraph) -> bytes:
    h = nx.MultiDiGraph()
    for node, data in g.nodes(data=True):
        attrs = dict(data)
        if "id" in attrs:
            attrs["external_id"] = attrs.pop("id")
        h.add_node(node, **attrs)
    h.add_edges_from(g.edges(keys=True, data=True))
    buffer = io.BytesIO()
    nx.write_gexf(h, buffer, encoding="utf-8")
    return buffer.getvalue()


def json_bytes(g: nx.MultiDiGraph) -> bytes:
    data = nx.node_link_data(g, edges="edges", name="key")
    data["nodes"].sort(key=lambda n: n["key"])
    data["edges"].sort(key=lambda e: (e["source"], e["target"], e["key"]))
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


# --------------------------------------------------------------------------------------
# Entry points (API and CLI)
# --------------------------------------------------------------------------------------
def export_bytes(store, fmt: str, cluster_id: str | None = None) -> tuple[bytes, str, str]:
    """``(content, media type, file name)`` of one export."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    graph = read_graph(store, cluster_id)
    media_type, extension = FORMATS[fmt]
    name = graph.meta["name"]
    if fmt == "bundle":
        content = bundle_zip(bundle_files(to_dataset(graph), graph.meta), name)
    elif fmt == "graphml":
        content = graphml_bytes(to_networkx(graph))
    elif fmt == "gexf":
        content = gexf_bytes(to_networkx(graph))
    else:
        content = json_bytes(to_networkx(graph))
    return content, media_type, f"{name}.{extension}"


def run_export(store, fmt: str, out: Path | str, cluster_id: str | None = None) -> dict:
    """Write one export to ``out`` and return a summary.

    ``bundle`` writes a folder of CSV files (or a zip when ``out`` ends with ``.zip``);
    the other formats write one file. Parent folders are created.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    out = Path(out)
    graph = read_graph(store, cluster_id)
    written: list[str] = []
    notes: list[str] = []
    if fmt == "bundle":
        files = bundle_files(to_dataset(graph), graph.meta, notes)
        if out.suffix == ".zip":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(bundle_zip(files, graph.meta["name"]))
            written.append(str(out))
        else:
            from loaders.bundle import FILES

            out.mkdir(parents=True, exist_ok=True)
            for spec in FILES:  # a file of an older export would be read with this one
                if spec.file not in files and (out / spec.file).is_file():
                    (out / spec.file).unlink()
            for name, content in files.items():
                (out / name).write_bytes(content)
                written.append(str(out / name))
    else:
        g = to_networkx(graph)
        writer = {"graphml": graphml_bytes, "gexf": gexf_bytes, "json": json_bytes}[fmt]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(writer(g))
        written.append(str(out))
    return {"format": fmt, "cluster": cluster_id, "out": str(out), "files": written,
            "notes": notes, **graph.counts()}
