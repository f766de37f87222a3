"""Reading the graph for an export: the data graph, or one cluster's part of it.

:func:`read_graph` reads, through :class:`graph_schema.store.GraphStore` (the statements are
``EXPORT_*`` in :mod:`graph_schema.queries`), every node of
:data:`graph_schema.model.NODE_LABELS` and every relationship of
:data:`graph_schema.model.REL_TYPES` (the bookkeeping ``Load`` and ``Synergraph`` nodes are
left out), or one cluster's part of it:

- the cluster, its members (``MEMBER_OF``) and their memberships **of this cluster**;
- the projects the members take part in, with the members' participations (participants
  that are not members are left out, as are memberships of other clusters);
- the outputs the cluster reported and the projects they come from;
- the programmes funding those projects and the targets of the cluster and programmes;
- the niches the members and the cluster are active in;
- the regions the members and the cluster are located in, and the regions above them.

The cluster's part is the graph induced by those nodes, so every relationship between two
exported nodes is exported, and a sub-bundle validates on its own.

:func:`to_dataset` turns what was read into a :class:`graph_schema.model.Dataset` (every
property but provenance; links carried by a node's fields, as a load reads them). Turning
it into files — the canonical CSV bundle, GraphML, GEXF, node-link JSON — is the job of
:mod:`service.exports`: graph_schema does not know file formats (the bundle's is defined
in :mod:`loaders.bundle_format`, and graph_schema never imports loaders).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import NODE_LABELS, PROVENANCE, Dataset

__all__ = [
    "ExportError",
    "UnknownCluster",
    "GraphExport",
    "read_graph",
    "to_dataset",
]


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
    graph = GraphExport(nodes=store.export_nodes(),
                        relationships=store.export_relationships())
    loads = store.export_loads()
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
# As a Dataset
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
