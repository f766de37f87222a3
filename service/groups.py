"""Groups of actors to explore: a cluster (its members) or a country (actors located in it).

This is the service layer between the store and the views: it reads the group from the
graph, builds its co-participation graph and computes the figures the pages show.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from graph_schema.store import GraphStore
from service.analytics import centrality_table, co_participation_graph

__all__ = ["GroupRef", "GroupNotFound", "GraphFilter", "describe_group", "group_graph",
           "group_figures", "filter_graph_input"]

GROUP_KINDS = ("cluster", "clusters", "country")


class GroupNotFound(LookupError):
    """No cluster or country with that id."""


@dataclass(frozen=True)
class GroupRef:
    kind: str  # "cluster" or "country"
    id: str

    def __post_init__(self):
        if self.kind not in GROUP_KINDS:
            raise ValueError(f"group kind must be one of {GROUP_KINDS}")


@dataclass(frozen=True)
class GraphFilter:
    """Which part of the data a graph is built from.

    ``years``: keep projects starting in this inclusive range (projects without a start year
    are left out when a range is given); ``kinds``: keep actors of these kinds;
    ``programme``: keep projects funded by this programme; ``min_weight``: keep ties of at
    least this many shared projects (actors stay, possibly isolated).
    """

    years: tuple[int, int] | None = None
    kinds: tuple[str, ...] = ()
    programme: str | None = None
    min_weight: int = 1

    @property
    def active(self) -> bool:
        return self != GraphFilter()

    def key(self) -> tuple:
        return (self.years, self.kinds, self.programme, self.min_weight)

    def as_dict(self) -> dict:
        return {"years": list(self.years) if self.years else None, "kinds": list(self.kinds),
                "programme": self.programme, "min_weight": self.min_weight}

    @classmethod
    def parse(cls, *, years: str | None = None, kinds: str | None = None,
              programme: str | None = None, min_weight: str | int | None = None
              ) -> GraphFilter:
        """From user text (``years="2011-2013"``, ``kinds="sme,university"``); raises
        ValueError with a message a user can act on.

        >>> GraphFilter.parse(years="2011-2013", kinds="sme", min_weight="2")
        GraphFilter(years=(2011, 2013), kinds=('sme',), programme=None, min_weight=2)
        """
        from graph_schema.model import ACTOR_KINDS

        span = None
        if years:
            parts = years.replace("..", "-").split("-")
            if len(parts) == 1:
                parts = parts * 2
            try:
                start, end = int(parts[0]), int(parts[1])
            except (ValueError, IndexError):
                raise ValueError(f"years must look like 2011-2013, got {years!r}") from None
            if len(parts) != 2 or end < start:
                raise ValueError(f"years must be START-END with END >= START, got {years!r}")
            span = (start, end)
        chosen: tuple[str, ...] = ()
        if kinds:
            chosen = tuple(sorted({k.strip() for k in kinds.split(",") if k.strip()}))
            unknown = [k for k in chosen if k not in ACTOR_KINDS]
            if unknown:
                raise ValueError(f"unknown kind(s) {', '.join(unknown)}; kinds: "
                                 + ", ".join(ACTOR_KINDS))
        weight = 1
        if min_weight not in (None, ""):
            try:
                weight = int(min_weight)
            except ValueError:
                raise ValueError(f"min_weight must be a whole number, got {min_weight!r}") \
                    from None
            if weight < 1:
                raise ValueError("min_weight must be at least 1")
        return cls(span, chosen, programme or None, weight)


def filter_graph_input(actors: list[dict], participations: list[dict],
                       graph_filter: GraphFilter) -> tuple[list[dict], list[dict]]:
    """Apply the actor and project filters to the records a graph is built from."""
    if graph_filter.kinds:
        actors = [a for a in actors if a.get("kind") in graph_filter.kinds]
        keep = {a["id"] for a in actors}
        participations = [p for p in participations if p["actor_id"] in keep]
    if graph_filter.years:
        start, end = graph_filter.years
        participations = [p for p in participations
                          if p.get("start_year") is not None
                          and start <= p["start_year"] <= end]
    if graph_filter.programme:
        participations = [p for p in participations
                          if graph_filter.programme in (p.get("programmes") or ())]
    return actors, participations


def _drop_light_ties(graph: nx.Graph, min_weight: int) -> None:
    if min_weight > 1:
        light = [(u, v) for u, v, w in graph.edges(data="weight") if (w or 0) < min_weight]
        graph.remove_edges_from(light)
        graph.graph.pop("version", None)  # changed in place: no cached views


def describe_group(store: GraphStore, ref: GroupRef) -> dict:
    """The group's own record (name, region, niches...), or GroupNotFound."""
    if ref.kind == "clusters":
        parts = [describe_group(store, GroupRef("cluster", cid)) for cid in ref.id.split(",")]
        return {"id": ref.id, "name": " + ".join(p["name"] for p in parts),
                "clusters": parts, "group_kind": "clusters"}
    found = store.cluster(ref.id) if ref.kind == "cluster" else store.country(ref.id)
    if found is None:
        raise GroupNotFound(f"no {ref.kind} with id {ref.id!r}")
    found["group_kind"] = ref.kind
    return found


def group_graph(store: GraphStore, ref: GroupRef,
                graph_filter: GraphFilter | None = None) -> nx.Graph:
    """Co-participation graph of the group's actors (weight = shared projects).

    Every actor of the group is a node, isolated ones included; two actors are tied when
    they take part in at least one common project (partners outside the group are not
    drawn, their projects still count for the tie between two members). ``clusters``
    groups are the union of the members of several clusters (ids joined by commas).
    """
    if ref.kind == "cluster":
        actors = store.group_actors(cluster_id=ref.id)
    elif ref.kind == "clusters":
        seen: dict[str, dict] = {}
        for cid in ref.id.split(","):
            for actor in store.group_actors(cluster_id=cid):
                seen.setdefault(actor["id"], actor)
        actors = [seen[k] for k in sorted(seen)]
    else:
        actors = store.group_actors(country_id=ref.id)
    ids = {a["id"] for a in actors}
    participations = store.participations_of(ids)
    graph_filter = graph_filter or GraphFilter()
    actors, participations = filter_graph_input(actors, participations, graph_filter)
    pairs = [(p["actor_id"], p["project_id"]) for p in participations]
    graph = co_participation_graph(actors, pairs)
    projects: dict[str, set[str]] = {}
    for p in participations:
        projects.setdefault(p["project_id"], set()).add(p["actor_id"])
    _drop_light_ties(graph, graph_filter.min_weight)
    graph.graph["group"] = ref
    graph.graph["group_projects"] = len(projects)
    graph.graph["filter"] = graph_filter.as_dict()
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
