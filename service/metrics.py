"""Service layer of the analytics: read from the store, build graphs, compute figures.

Pure metric definitions live in :mod:`service.analytics`; this module decides which graph a
question is about (a cluster, a country, the whole ecosystem), assembles the figures the
CLI, the API and the pages show, and documents the conventions (docs/metrics.md):

- ``degree``: number of distinct partners; ``strength``: sum of shared projects;
- ``clustering``: unweighted local clustering coefficient;
- path-based and spectral centralities are unweighted with networkx's normalisation, unless
  ``weighted=True``: then eigenvector and PageRank use the shared-project weight, and
  betweenness, closeness and harmonic use the distance ``1 / shared projects``;
- betweenness is exact up to 5,000 actors, sampled (seeded) above, flagged ``approximate``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from graph_schema.store import GraphStore
from service.analytics import (
    betweenness_info,
    closeness,
    co_participation_graph,
    degree,
    eigenvector,
    harmonic,
    pagerank,
    rank_and_percentile,
    strength,
)
from service.analytics._graph import igraph_view
from service.analytics.brokerage import constraint, effective_size
from service.analytics.cohesion import cohesion_summary, null_model
from service.analytics.communities import louvain, modularity
from service.analytics.missing_links import recommend
from service.analytics.synergy import ei_index

from .groups import GraphFilter, GroupRef, describe_group, filter_graph_input, group_graph
from .scorecard import scorecard_lines

__all__ = [
    "ecosystem_graph",
    "graph_for",
    "local_clustering",
    "metrics_for",
    "cluster_scorecard",
    "recommendations_for",
    "synergy_for",
    "communities_for",
    "evolution_for",
    "what_if_for",
    "project_consortia",
    "METRIC_COLUMNS",
]

METRIC_COLUMNS = ("id", "name", "kind", "clusters", "degree", "strength", "betweenness",
                  "closeness", "harmonic", "eigenvector", "pagerank", "clustering",
                  "constraint", "effective_size", "community")


def ecosystem_graph(store: GraphStore, *, keep_projects: bool = False,
                    graph_filter: GraphFilter | None = None) -> nx.Graph:
    """The co-participation graph of every actor in the graph (optionally filtered)."""
    graph_filter = graph_filter or GraphFilter()
    actors, participations = filter_graph_input(store.all_actors(),
                                                store.all_participations(), graph_filter)
    pairs = [(p["actor_id"], p["project_id"]) for p in participations]
    graph = co_participation_graph(actors, pairs, keep_projects=keep_projects)
    if graph_filter.min_weight > 1:
        graph.remove_edges_from([(u, v) for u, v, w in graph.edges(data="weight")
                                 if w < graph_filter.min_weight])
        graph.graph.pop("version", None)
    graph.graph["group"] = None
    graph.graph["filter"] = graph_filter.as_dict()
    if not graph_filter.active:  # the learnt recommender (linkpred), fitted per graph version
        from service.linkprediction import attach_model
        attach_model(graph, store)
    return graph


def graph_for(store: GraphStore, ref: GroupRef | None,
              graph_filter: GraphFilter | None = None) -> nx.Graph:
    """A cluster's, several clusters', a country's or (``ref=None``) the whole ecosystem's
    graph, built from the data the filter keeps."""
    if ref is None:
        return ecosystem_graph(store, graph_filter=graph_filter)
    describe_group(store, ref)  # raises GroupNotFound
    return group_graph(store, ref, graph_filter)


def local_clustering(graph: nx.Graph) -> dict:
    """Unweighted local clustering coefficient of every node (0 for degree < 2).

    Equal to :func:`networkx.clustering`; computed with igraph.

    >>> local_clustering(nx.complete_graph(3))
    {0: 1.0, 1: 1.0, 2: 1.0}
    """
    if graph.number_of_nodes() == 0:
        return {}
    g, view = igraph_view(graph)
    values = g.transitivity_local_undirected(mode="zero")
    return {node: float(values[i]) for i, node in enumerate(view.nodes)}


def _with_distance(graph: nx.Graph) -> nx.Graph:
    weighted = graph.copy()
    for _u, _v, data in weighted.edges(data=True):
        data["distance"] = 1.0 / data.get("weight", 1)
    weighted.graph.pop("version", None)  # a modified copy must not share cached views
    return weighted


def _ei_for(ecosystem: nx.Graph, members: set) -> float | None:
    """E-I index of a set of actors: (ties leaving it - ties inside) / all their ties."""
    internal = external = 0
    for u, v in ecosystem.edges():
        a, b = u in members, v in members
        if a and b:
            internal += 1
        elif a or b:
            external += 1
    total = internal + external
    return (external - internal) / total if total else None


def metrics_for(
    store: GraphStore,
    ref: GroupRef | None,
    *,
    weighted: bool = False,
    null_runs: int = 20,
    seed: int = 0,
    ecosystem: nx.Graph | None = None,
    graph_filter: GraphFilter | None = None,
) -> dict:
    """Every actor's figures and the cohesion of a cluster, a country or the ecosystem."""
    graph_filter = graph_filter or GraphFilter()
    graph = graph_for(store, ref, graph_filter)
    path_graph = _with_distance(graph) if weighted else graph
    distance = "distance" if weighted else None
    spectral_weight = "weight" if weighted else None

    between = betweenness_info(path_graph, k="auto", seed=seed, weight=distance)
    columns = {
        "degree": degree(graph),
        "strength": strength(graph, "weight"),
        "betweenness": between.values,
        "closeness": closeness(path_graph, weight=distance),
        "harmonic": harmonic(path_graph, weight=distance),
        "eigenvector": eigenvector(graph, weight=spectral_weight),
        "pagerank": pagerank(graph, weight=spectral_weight),
        "clustering": local_clustering(graph),
        "constraint": constraint(graph),
        "effective_size": effective_size(graph),
    }
    community = louvain(graph, seed=seed) if graph.number_of_edges() else {
        v: i for i, v in enumerate(graph)}
    ranks = {name: rank_and_percentile(values) for name, values in columns.items()
             if name in ("degree", "strength", "betweenness", "eigenvector", "pagerank")}
    actors = []
    for node in sorted(graph, key=str):
        data = graph.nodes[node]
        row = {"id": node, "name": data.get("name"), "kind": data.get("kind"),
               "clusters": data.get("clusters", []), "synthetic": bool(data.get("synthetic"))}
        for name, values in columns.items():
            value = values.get(node)
            row[name] = None if value is None or value != value else value  # NaN -> None
        row["community"] = community.get(node)
        for name, table in ranks.items():
            row[f"{name}_rank"] = table[node]["rank"]
            row[f"{name}_percentile"] = table[node]["percentile"]
        actors.append(row)

    summary = cohesion_summary(graph)
    cohesion = {
        "nodes": summary["n_nodes"],
        "edges": summary["n_edges"],
        "density": summary["density"],
        "average_degree": summary["average_degree"],
        "components": summary["n_components"],
        "largest_component_share": summary["largest_share"],
        "isolates": summary["n_isolates"],
        "fragmentation": summary["fragmentation"],
        "average_clustering": summary["average_clustering"],
        "transitivity": summary["transitivity"],
        "average_path_length": summary["average_path_length"],
        "diameter": summary["diameter"],
        "max_core": summary["max_core"],
        "degree_centralization": summary["degree_centralization"],
        "modularity": modularity(graph, community) if graph.number_of_edges() else None,
        "communities": len(set(community.values())),
    }
    if ref is not None and ref.kind in ("cluster", "clusters"):
        eco = ecosystem if ecosystem is not None else ecosystem_graph(
            store, graph_filter=graph_filter)
        cohesion["ei_index"] = _ei_for(eco, set(graph))
        cohesion["ei_index_definition"] = "ties of members with non-members vs among members"
    elif ref is not None:
        eco = ecosystem if ecosystem is not None else ecosystem_graph(
            store, graph_filter=graph_filter)
        cohesion["ei_index"] = _ei_for(eco, set(graph))
        cohesion["ei_index_definition"] = "ties of the country's actors abroad vs at home"
    else:
        primary = {v: (graph.nodes[v].get("clusters") or ["(none)"])[0] for v in graph}
        nx.set_node_attributes(graph, primary, "primary_cluster")
        ei = ei_index(graph, "primary_cluster")
        cohesion["ei_index"] = ei["overall"]
        cohesion["ei_index_definition"] = "ties across vs within clusters (first cluster)"
    if null_runs and graph.number_of_edges() >= 2:
        null = null_model(graph, runs=null_runs, seed=seed)
        cohesion["null_model"] = {k: v for k, v in null.items() if not k.startswith("_")}
        cohesion["null_model_meta"] = null.get("_meta")
    meta = {
        "group": None if ref is None else {"kind": ref.kind, "id": ref.id},
        "weighted": weighted,
        "seed": seed,
        "filter": graph_filter.as_dict(),
        "betweenness": {"approximate": between.approximate, "k": between.k},
        "graph_version": store.graph_version(),
    }
    return {"meta": meta, "actors": actors, "cohesion": cohesion}


def _ties_by_year(members: set, participations: Iterable[dict]) -> dict:
    """First year each pair of members shared a project."""
    by_project: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for p in participations:
        by_project[p["project_id"]].append((p["actor_id"], p.get("start_year")))
    first: dict[tuple, int] = {}
    for team in by_project.values():
        inside = sorted((a, y) for a, y in team if a in members)
        for i in range(len(inside)):
            for j in range(i + 1, len(inside)):
                year = inside[i][1]
                if year is None:
                    continue
                pair = (inside[i][0], inside[j][0])
                first[pair] = min(first.get(pair, year), year)
    counts: dict[int, int] = defaultdict(int)
    for year in first.values():
        counts[year] += 1
    return dict(sorted(counts.items()))


def cluster_scorecard(store: GraphStore, cluster_id: str, *, as_of: int | None = None,
                      null_runs: int = 20) -> dict:
    """The evaluation-grid scorecard of one cluster (see :mod:`service.scorecard`)."""
    ref = GroupRef("cluster", cluster_id)
    cluster = describe_group(store, ref)
    locations = store.cluster_member_locations(cluster_id)
    actors = {a["id"]: a for a in store.group_actors(cluster_id=cluster_id)}
    members = [{"actor_id": loc["actor_id"], "kind": actors[loc["actor_id"]].get("kind"),
                "since": loc["since"], "region_id": loc["region_id"],
                "country": loc["country"]} for loc in locations]
    participations = store.participations_of(actors)
    project_ids = {p["project_id"] for p in participations}
    consortia: dict[str, list[dict]] = defaultdict(list)
    for row in store.project_participants(project_ids):
        consortia[row["project_id"]].append(row)
    countries = [m["country"] for m in members if m.get("country")]
    home_country = max(set(countries), key=countries.count) if countries else None
    region_id = locations[0]["cluster_region_id"] if locations else None

    graph = group_graph(store, ref)
    summary = cohesion_summary(graph, paths=False)
    network = {"density": summary["density"], "components": summary["n_components"],
               "largest_share": summary["largest_share"],
               "average_clustering": summary["average_clustering"]}
    if null_runs and graph.number_of_edges() >= 2:
        null = null_model(graph, runs=null_runs, figures=("average_clustering",))
        clustering = null["average_clustering"]
        network["clustering_z"] = clustering.get("z")
    network["ei_index"] = _ei_for(ecosystem_graph(store), set(graph))
    network["ties_by_year"] = _ties_by_year(set(actors), store.participations_of(actors))
    card = scorecard_lines(
        cluster={"id": cluster_id, "name": cluster.get("name"), "region_id": region_id,
                 "country": home_country},
        members=members,
        participations=participations,
        consortia=consortia,
        targets=store.cluster_targets(cluster_id),
        outputs=store.cluster_outputs(cluster_id),
        network=network,
        as_of=as_of,
    )
    card["synthetic"] = any(a.get("synthetic") for a in actors.values())
    return card


def recommendations_for(store: GraphStore, actor_id: str, *, top: int = 20,
                        graph: nx.Graph | None = None) -> list[dict]:
    """Ranked missing links for one actor over the whole ecosystem, with explanations."""
    graph = graph if graph is not None else ecosystem_graph(store)
    if actor_id not in graph:
        raise KeyError(actor_id)
    return recommend(graph, actor_id, top=top)


# -- one topic at a time (API endpoints and pages) -------------------------------------
def synergy_for(store: GraphStore, ref: GroupRef) -> dict:
    """Enterprise-research-training synergy figures of a cluster or country."""
    from service.analytics.synergy import (
        DEFAULT_HELIX,
        kind_assortativity,
        kind_tie_matrix,
        project_mix,
        triple_helix,
    )

    graph = graph_for(store, ref)
    participations = store.participations_of(graph)
    project_ids = {p["project_id"] for p in participations}
    consortia = store.project_participants(project_ids)
    pairs = [(p["actor_id"], p["project_id"]) for p in consortia]
    kinds = {p["actor_id"]: p["kind"] for p in consortia}
    spheres = {actor: DEFAULT_HELIX.get(kind) for actor, kind in kinds.items()
               if DEFAULT_HELIX.get(kind)}
    helix_pairs = [(a, p) for a, p in pairs if a in spheres]
    return {
        "group": {"kind": ref.kind, "id": ref.id},
        "project_mix": project_mix(pairs, kinds),
        "kind_tie_matrix": kind_tie_matrix(graph, "kind"),
        "ei_index_by_kind": ei_index(graph, "kind")["groups"] if graph.number_of_edges()
        else {},
        "kind_assortativity": kind_assortativity(graph, "kind")
        if graph.number_of_edges() else None,
        "triple_helix": triple_helix(helix_pairs, spheres) if helix_pairs else None,
        "definitions": {
            "project_mix": "share of the group's projects (all partners counted) that mix "
                           "companies with research and/or training centres",
            "triple_helix": "Leydesdorff's mutual information T (bits) between industry, "
                            "academia and government over project consortia; negative "
                            "values indicate synergy",
        },
    }


def communities_for(store: GraphStore, ref: GroupRef | None, *, seed: int = 0) -> dict:
    """Louvain communities against declared cluster membership, brokers and bridges.

    With ``ref=None``: every actor that is a member of at least one cluster, so the
    detected communities can be compared with the clusters on paper.
    """
    from service.analytics.brokerage import articulation_points, bridges, brokerage_roles
    from service.analytics.communities import (
        communities_as_sets,
        declared_membership,
        partition_agreement,
    )

    graph = graph_for(store, ref)
    if ref is None:
        graph = graph.subgraph([v for v in graph if graph.nodes[v].get("clusters")]).copy()
    community = louvain(graph, seed=seed) if graph.number_of_edges() else {
        v: i for i, v in enumerate(graph)}
    declared = declared_membership(graph, "clusters")
    names = {v: graph.nodes[v].get("name") for v in graph}
    between = betweenness_info(graph, k="auto", seed=seed)
    cons = constraint(graph)
    brokers = sorted(graph, key=lambda v: (-between.values.get(v, 0.0), str(v)))[:15]
    return {
        "group": None if ref is None else {"kind": ref.kind, "id": ref.id},
        "communities": [sorted(c, key=str) for c in communities_as_sets(community)],
        "modularity": modularity(graph, community) if graph.number_of_edges() else None,
        "agreement_with_declared_clusters": partition_agreement(community, declared)
        if len(set(declared.values())) > 1 else None,
        "brokers": [{"id": v, "name": names[v], "betweenness": between.values.get(v),
                     "constraint": cons.get(v)} for v in brokers],
        "brokerage_roles": brokerage_roles(graph, "kind") if graph.number_of_edges() else {},
        "articulation_points": [{"id": v, "name": names[v]}
                                for v in articulation_points(graph)],
        "bridges": [{"from": u, "to": v, "from_name": names[u], "to_name": names[v]}
                    for u, v in bridges(graph)],
        "isolated": sorted(({"id": v, "name": names[v]} for v in graph
                            if graph.degree(v) == 0), key=lambda r: str(r["id"])),
    }


def evolution_for(store: GraphStore, ref: GroupRef, *, window: int | None = None) -> dict:
    """Per-year figures of a group: cumulative (default) or sliding windows of years."""
    from service.analytics.evolution import evolution

    graph = graph_for(store, ref)
    actors = [{"id": v, **graph.nodes[v]} for v in graph]
    rows = store.participations_of(graph)
    dated = [(p["actor_id"], p["project_id"], p["start_year"]) for p in rows
             if p.get("start_year") is not None]
    years = evolution(actors, dated, window=window) if dated else []
    for row in years:
        row.pop("newcomer_ids", None)
        row.pop("leaver_ids", None)
    return {"group": {"kind": ref.kind, "id": ref.id}, "window": window,
            "undated_participations": len(rows) - len(dated), "years": years}


def what_if_for(store: GraphStore, ref: GroupRef, changes: list[dict]) -> dict:
    """Before/after figures of a scenario on a cluster's or country's graph."""
    from service.analytics.whatif import what_if

    graph = graph_for(store, ref)
    return what_if(graph, changes)


def project_consortia(store: GraphStore, ref: GroupRef) -> list[dict]:
    """For each project of a group's actors: its consortium's mix of kinds and clusters."""
    from service.analytics.synergy import COMPANY_KINDS, RESEARCH_KINDS, TRAINING_KINDS

    describe_group(store, ref)
    if ref.kind == "country":
        members = [a["id"] for a in store.group_actors(country_id=ref.id)]
    else:
        members = sorted({a["id"] for cid in ref.id.split(",")
                          for a in store.group_actors(cluster_id=cid)})
    project_ids = {p["project_id"] for p in store.participations_of(members)}
    teams: dict[str, list[dict]] = defaultdict(list)
    for row in store.project_participants(project_ids):
        teams[row["project_id"]].append(row)
    info = {p["id"]: p for p in store.projects(project_ids)}
    out = []
    for pid in sorted(teams):
        team = teams[pid]
        kinds: dict[str, int] = defaultdict(int)
        clusters: dict[str, int] = defaultdict(int)
        for member in team:
            kinds[member.get("kind") or "other"] += 1
            for cid in member["clusters"]:
                clusters[cid] += 1
        present = set(kinds)
        project = info.get(pid, {})
        out.append({
            "id": pid, "title": project.get("title"), "acronym": project.get("acronym"),
            "start_year": project.get("start_year"), "participants": len(team),
            "kinds": dict(sorted(kinds.items())), "clusters": dict(sorted(clusters.items())),
            "bridges_clusters": len(clusters) >= 2,
            "countries": sorted({m["country"] for m in team if m.get("country")}),
            "company_research": bool(present & COMPANY_KINDS and present & RESEARCH_KINDS),
            "company_training": bool(present & COMPANY_KINDS and present & TRAINING_KINDS),
            "synthetic": bool(project.get("synthetic")),
        })
    return out
