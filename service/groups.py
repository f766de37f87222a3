"""Groups of actors to explore: a cluster (its members) or a country (actors located in it).

This is the service layer between the store and the views: it reads the group from the
graph, builds its co-participation graph and computes the figures the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph_schema.store import GraphStore
from service.analytics import centrality_table, co_participation_graph

__all__ = ["GroupRef", "GroupNotFound", "describe_group", "group_graph", "group_figures"]

GROUP_KINDS = ("cluster", "country")


class GroupNotFound(LookupError):
    """No cluster or country with that id."""


@dataclass(frozen=True)
class GroupRef:
    kind: str  # "cluster" or "country"
    id: str

    def __post_init__(self):
        if self.kind not in GROUP_KINDS:
            raise ValueError(f"group kind must be one of {GROUP_KINDS}")


def describe_group(store: GraphStore, ref: GroupRef) -> dict:
    """The group's own record (name, region, niches...), or GroupNotFound."""
    found = store.cluster(ref.id) if ref.kind == "cluster" else store.country(ref.id)
    if found is None:
        raise GroupNotFound(f"no {ref.kind} with id {ref.id!r}")
    found["group_kind"] = ref.kind
    return found


def group_graph(store: GraphStore, ref: GroupRef) -> nx.Graph:
    """Co-participation graph of the group's actors (weight = shared projects).

    Every actor of the group is a node, isolated ones included; two actors are tied when
    they take part in at least one common project (partners outside the group are not
    drawn, their projects still count for the tie between two members).
    """
    if ref.kind == "cluster":
        actors = store.group_actors(cluster_id=ref.id)
    else:
        actors = store.group_actors(country_id=ref.id)
    ids = {a["id"] for a in actors}
    participations = store.participations_of(ids)
    pairs = [(p["actor_id"], p["project_id"]) for p in participations]
    graph = co_participation_graph(actors, pairs)
    projects: dict[str, set[str]] = {}
    for p in participations:
        projects.setdefault(p["project_id"], set()).add(p["actor_id"])
    graph.graph["group"] = ref
    graph.graph["group_projects"] = len(projects)
    return graph


def group_figures(graph: nx.Graph) -> dict:
    """Headline figures and the per-actor centrality table of a group graph."""
    table = centrality_table(graph, metrics=("degree", "strength", "betweenness"))
    n = graph.number_of_nodes()
    m = graph.number_of_edges()
    isolated = sum(1 for _, d in graph.degree() if d == 0)
    for row in table:
        node = graph.nodes[row["id"]]
        row["name"] = node.get("name")
        row["kind"] = node.get("kind")
        row["synthetic"] = bool(node.get("synthetic"))
    approximate = bool(table and table[0].get("betweenness_approximate"))
    return {
        "nodes": n,
        "edges": m,
        "density": (2 * m / (n * (n - 1))) if n > 1 else 0.0,
        "isolated": isolated,
        "projects": graph.graph.get("group_projects", 0),
        "synthetic_actors": sum(1 for _, d in graph.nodes(data=True) if d.get("synthetic")),
        "betweenness_approximate": approximate,
        "betweenness_k": table[0].get("betweenness_k") if table else None,
        "actors": table,
    }
