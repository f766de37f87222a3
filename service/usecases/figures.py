"""Every actor's centralities and a group's cohesion: the one place these figures are made.

Conventions (docs/metrics.md):

- ``degree``: number of distinct partners; ``strength``: sum of shared projects;
- ``clustering``: unweighted local clustering coefficient;
- path-based and spectral centralities are unweighted with networkx's normalisation, unless
  ``weighted=True``: then eigenvector and PageRank use the shared-project weight, and
  betweenness, closeness and harmonic use the distance ``1 / shared projects``;
- the approximation policy (docs/metrics.md): betweenness, closeness, harmonic and the
  average path length are exact up to 5,000 actors and seeded estimates with a stated bound
  above; the diameter is always exact (iFUB); the null model is cost-bounded. ``meta.methods``
  says, per figure, whether it is exact, the method, the sample and the bound;
- a figure that is undefined (density of a one-actor group, constraint of an isolate...) is
  ``None`` everywhere (JSON ``null``, "–" on pages), never 0.

Actors are listed in one order everywhere: betweenness, then degree, highest first, then
name and id.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from service.analytics import (
    betweenness_info,
    degree,
    eigenvector,
    pagerank,
    rank_and_percentile,
    strength,
)
from service.analytics._graph import igraph_view, new_version
from service.analytics.brokerage import constraint, effective_size
from service.analytics.cohesion import NULL_FIGURES, cohesion_summary, null_model
from service.analytics.communities import louvain, modularity
from service.analytics.paths import (
    average_path_length_info,
    closeness_info,
    diameter_ifub,
    harmonic_info,
)
from service.analytics.projection import incidence_matrix
from service.analytics.synergy import ei_index

from .context import Context, filter_records
from .params import GroupFilter, GroupRef

__all__ = ["METRIC_COLUMNS", "RANKED_METRICS", "HEADLINE", "actor_order", "clean",
           "communities_of", "ecosystem_ei", "headline", "local_clustering", "metrics",
           "null_model_of"]

METRIC_COLUMNS = ("id", "name", "kind", "clusters", "degree", "strength", "betweenness",
                  "closeness", "harmonic", "eigenvector", "pagerank", "clustering",
                  "constraint", "effective_size", "community")
#: The null model's cost bound: rewiring trials in all (runs x trials per tie x ties; about
#: 1 µs each). 20 runs of 10 trials per tie up to 50,000 ties; above, fewer trials per tie
#: (down to 2), then fewer runs (down to 3) — :func:`null_model_plan`.
NULL_MODEL_BUDGET = 10_000_000
#: The null model's path budget: tie visits of the searches its average path lengths need
#: (about 0.25 s of igraph BFS): exact within it, pivots above (:func:`null_path_plan`).
NULL_PATH_WORK = 50_000_000
#: The fewest pivots per graph of the null model's average path length estimate.
NULL_PATH_SAMPLES = 32
RANKED_METRICS = ("degree", "strength", "betweenness", "eigenvector", "pagerank")
#: The headline figures of a group (pages, ``/api/v1/clusters/<id>``, CLI).
HEADLINE = ("nodes", "edges", "density", "isolates", "components", "projects",
            "synthetic_actors")


def clean(value):
    """``None`` for NaN (undefined figures), the value otherwise.

    >>> clean(float("nan")) is None, clean(0.5)
    (True, 0.5)
    """
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def actor_order(row: dict) -> tuple:
    """The order actors are listed in: betweenness, degree (highest first), name, id."""
    return (-(row.get("betweenness") or 0.0), -(row.get("degree") or 0),
            str(row.get("name") or ""), str(row["id"]))


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
    # a modified copy must not share cached views, but keeps its own (one pivot search
    # for closeness and harmonic)
    weighted.graph["version"] = new_version()
    return weighted


def communities_of(ctx: Context, ref: GroupRef | None, flt: GroupFilter,
                   seed: int = 0) -> dict:
    """Louvain communities of a group's graph (isolates each in their own)."""
    graph = ctx.graph(ref, flt)

    def compute():
        if graph.number_of_edges():
            return louvain(graph, seed=seed)
        return {v: i for i, v in enumerate(graph)}

    key = (None if ref is None else (ref.kind, ref.id), flt.key(), seed)
    return ctx.cached("louvain", key, compute)


def ecosystem_ei(ctx: Context, ref: GroupRef, flt: GroupFilter) -> float | None:
    """E-I index of a group in the (filtered) ecosystem: (ties leaving it − ties inside) /
    all its ties; ``None`` when the group has no tie.

    Counted on the group's neighbourhood (its members' projects with every participant,
    :meth:`Context.neighbourhood`), not on the ecosystem's graph: every tie of a member
    is a shared project of that member, so the ties counted are the ecosystem's own."""
    members = set(ctx.graph(ref, flt))

    def compute():
        actors, participations = filter_records(*ctx.neighbourhood(members), flt)
        ids = sorted({p["actor_id"] for p in participations})
        if not ids:
            return None
        B, _projects = incidence_matrix(ids, [(p["actor_id"], p["project_id"])
                                              for p in participations])
        inside = np.fromiter((a in members for a in ids), dtype=bool, count=len(ids))
        rows = np.flatnonzero(inside)
        shared = (B[rows] @ B.T).tocoo()  # members x actors: projects in common
        keep = (shared.data >= flt.min_weight) & (rows[shared.row] != shared.col)
        partner_inside = inside[shared.col[keep]]
        internal = int(partner_inside.sum()) // 2  # seen from both ends
        external = int((~partner_inside).sum())
        total = internal + external
        return (external - internal) / total if total else None

    return ctx.cached("group-ei", ((ref.kind, ref.id), flt.key()), compute)


def metrics(ctx: Context, ref: GroupRef | None, flt: GroupFilter | None = None, *,
            weighted: bool = False, null_runs: int = 0, seed: int = 0) -> dict:
    """Every actor's figures and the cohesion of a cluster, clusters, a country or (``ref``
    None) the ecosystem, under the filter.

    Returns ``meta`` (group, filter, weighted, seed, betweenness sampling, graph version),
    ``actors`` (one row per actor in :func:`actor_order`, with ranks and percentiles),
    ``cohesion`` (whole-graph figures, E-I index, and the null model when ``null_runs``)
    and ``headline`` (:data:`HEADLINE`).

    With ``ctx.workers`` > 1 (the CLI, the job processes) and a graph of
    :data:`NULL_FORK_MIN_EDGES` ties or more, the null model is computed in a forked
    process while this one computes the rest (:func:`_side`).
    """
    flt = flt or GroupFilter()
    key = (None if ref is None else (ref.kind, ref.id), flt.key(), weighted, seed)
    null_key = _null_key(ref, flt, null_runs, seed)
    side = None
    if (null_runs and ctx.workers > 1 and not ctx.is_cached("metrics", key)
            and not ctx.is_cached("null-model", null_key)):
        graph = ctx.graph(ref, flt)
        side = _side(ctx, graph, lambda: _null_model_result(graph, null_runs, seed),
                     min_edges=NULL_FORK_MIN_EDGES)
    core = ctx.cached("metrics", key, lambda: _metrics(ctx, ref, flt, weighted, seed))
    if not null_runs:
        return core
    if side is not None:
        null = ctx.cached("null-model", null_key, side.result)
    else:
        null = null_model_of(ctx, ref, flt, runs=null_runs, seed=seed)
    if null is None:
        return core
    cohesion = {**core["cohesion"], "null_model": null["figures"],
                "null_model_meta": null["meta"]}
    return {**core, "cohesion": cohesion}


#: Below this many ties the null model (:func:`_side`) runs in this process: forking and
#: reading its answer back would cost more than it saves. It costs far more per tie than
#: the other figures (20 rewired graphs, each with its figures): 2 to 3 s on the largest
#: H2020 country (10,927 ties), against a fork's few milliseconds. (Burt's constraint was
#: forked too until its compiled loop made it 2 s on the whole H2020 network: the fork then
#: cost more than it saved.)
NULL_FORK_MIN_EDGES = 5_000
#: The same for betweenness: from this many ties (sampled above 5,000 actors, it is a few
#: seconds from there: 12 s on the whole H2020 shape) it is computed in a forked process
#: while this one computes closeness, harmonic and the rest.
BETWEENNESS_FORK_MIN_EDGES = 100_000


def _side(ctx: Context, graph: nx.Graph, compute, *, min_edges: int,
          weight: str | None = None):
    """Start ``compute()`` in a forked process when ``ctx.workers`` > 1 and ``graph`` has
    ``min_edges`` ties or more, else run it in this process when its result is asked for
    (:func:`service.forking.deferred`). The graph's igraph view (with ``weight``, the one
    ``compute`` reads) is built first, so that the child and this process share it instead
    of each converting the graph."""
    from service.forking import deferred

    fork = ctx.workers > 1 and graph.number_of_edges() >= min_edges
    if fork:
        igraph_view(graph, weight)
    return deferred(compute, fork=fork)


def _null_key(ref: GroupRef | None, flt: GroupFilter, runs: int, seed: int) -> tuple:
    return (None if ref is None else (ref.kind, ref.id), flt.key(), runs, seed)


def null_model_of(ctx: Context, ref: GroupRef | None, flt: GroupFilter, *, runs: int,
                  seed: int = 0) -> dict | None:
    """Degree-preserving null model of the group's cohesion (None below two ties)."""
    if not runs:
        return None

    def compute():
        graph = ctx.graph(ref, flt)  # not before: a cached result needs no graph
        ctx.progress(f"null model ({null_model_plan(runs, graph.number_of_edges())[0]} runs)",
                     0.8)
        return _null_model_result(graph, runs, seed)

    return ctx.cached("null-model", _null_key(ref, flt, runs, seed), compute)


def _null_model_result(graph: nx.Graph, runs: int, seed: int) -> dict | None:
    """The null model of ``graph`` and what it ran: :func:`null_model_of`'s value."""
    if graph.number_of_edges() < 2:
        return None
    figures = NULL_FIGURES
    notes = []
    edges = graph.number_of_edges()
    ran, swaps = null_model_plan(runs, edges)
    if swaps < 10:
        notes.append(f"{swaps} rewiring trials per tie instead of 10 (at most "
                     f"{NULL_MODEL_BUDGET:,} trials in all)")
    if ran < runs:
        notes.append(f"{ran} of the {runs} runs asked (at most {NULL_MODEL_BUDGET:,} "
                     f"rewiring trials in all; {edges:,} ties)")
    path_samples = null_path_plan(ran, graph.number_of_nodes(), edges)
    if path_samples is not None:
        notes.append(f"average path length of the observed and of each rewired graph "
                     f"estimated from {path_samples:,} pivots: exact ones would need "
                     f"{ran} x {graph.number_of_nodes():,} searches over {edges:,} "
                     f"ties, above the budget of {NULL_PATH_WORK:,} tie visits")
    null = null_model(graph, runs=ran, seed=seed, figures=figures,
                      swaps_per_edge=swaps, path_samples=path_samples)
    meta = {**null.get("_meta", {}), "runs_requested": runs, "figures": list(figures),
            "notes": notes}
    return {"figures": {k: v for k, v in null.items() if not k.startswith("_")},
            "meta": meta}


def null_path_plan(runs: int, nodes: int, edges: int) -> int | None:
    """Pivots per rewired graph for the null model's average path lengths, or None when
    they are exact.

    Exact path lengths cost a search from every actor: ``runs x nodes x edges`` tie visits.
    Within :data:`NULL_PATH_WORK` they are exact; above, each graph (the observed one too,
    so that like is compared with like) is estimated from the pivots the budget pays for,
    at least :data:`NULL_PATH_SAMPLES`.

    >>> null_path_plan(20, 300, 1_000) is None       # the demo's clusters: exact
    True
    >>> null_path_plan(20, 3_899, 10_927)            # a large country: 228 pivots
    228
    >>> null_path_plan(3, 36_000, 938_000)           # the whole H2020 network
    32
    """
    if runs * nodes * max(edges, 1) <= NULL_PATH_WORK:
        return None
    pivots = max(NULL_PATH_SAMPLES, NULL_PATH_WORK // (runs * max(edges, 1)))
    return None if pivots >= nodes else int(pivots)


def null_model_plan(runs: int, edges: int) -> tuple[int, int]:
    """(runs, rewiring trials per tie) within :data:`NULL_MODEL_BUDGET`.

    >>> null_model_plan(20, 40_000), null_model_plan(20, 936_000), null_model_plan(20, 4_000_000)
    ((20, 10), (5, 2), (3, 2))
    """
    edges = max(edges, 1)
    swaps = 10
    if runs * swaps * edges > NULL_MODEL_BUDGET:
        swaps = max(2, NULL_MODEL_BUDGET // (runs * edges))
    ran = runs
    if ran * swaps * edges > NULL_MODEL_BUDGET:
        ran = min(runs, max(3, NULL_MODEL_BUDGET // (swaps * edges)))
    return ran, swaps


def _metrics(ctx: Context, ref: GroupRef | None, flt: GroupFilter, weighted: bool,
             seed: int) -> dict:
    graph = ctx.graph(ref, flt)
    path_graph = _with_distance(graph) if weighted else graph
    distance = "distance" if weighted else None
    spectral_weight = "weight" if weighted else None
    ctx.progress("centralities", 0.1)  # the phases a background job reports
    # betweenness: one long igraph call (12 s on the whole H2020 shape), beside the rest
    between_of = _side(ctx, path_graph,
                       lambda: betweenness_info(path_graph, k="auto", seed=seed,
                                                weight=distance),
                       min_edges=BETWEENNESS_FORK_MIN_EDGES, weight=distance)
    ctx.progress("paths", 0.35)
    close, close_how = closeness_info(path_graph, k="auto", seed=seed, weight=distance)
    harm, harm_how = harmonic_info(path_graph, k="auto", seed=seed, weight=distance)
    others = {
        "eigenvector": eigenvector(graph, weight=spectral_weight),
        "pagerank": pagerank(graph, weight=spectral_weight),
        "clustering": local_clustering(graph),
        "constraint": constraint(graph),
        "effective_size": effective_size(graph),
    }
    ctx.progress("communities", 0.6)
    community = communities_of(ctx, ref, flt, seed)
    between = between_of.result()
    columns = {
        "degree": degree(graph),
        "strength": strength(graph, "weight"),
        "betweenness": between.values,
        "closeness": close,
        "harmonic": harm,
        **others,
    }
    ranks = {name: rank_and_percentile(columns[name]) for name in RANKED_METRICS}
    actors = []
    for node in graph:
        data = graph.nodes[node]
        row = {"id": node, "name": data.get("name"), "kind": data.get("kind") or "other",
               "clusters": list(data.get("clusters") or []),
               "synthetic": bool(data.get("synthetic"))}
        for name, values in columns.items():
            row[name] = clean(values.get(node))
        row["community"] = community.get(node)
        for name, table in ranks.items():
            row[f"{name}_rank"] = table[node]["rank"]
            row[f"{name}_percentile"] = table[node]["percentile"]
        actors.append(row)
    actors.sort(key=actor_order)

    ctx.progress("cohesion", 0.75)
    summary = cohesion_summary(graph, paths=False)
    path_length, path_how, path_ci = average_path_length_info(graph, k="auto", seed=seed)
    summary["average_path_length"] = path_length
    summary["diameter"] = diameter_ifub(graph) if graph.number_of_nodes() else None
    methods = _methods(graph, between, close_how, harm_how, path_how, path_ci)
    cohesion = {
        "nodes": summary["n_nodes"],
        "edges": summary["n_edges"],
        "density": clean(summary["density"]) if graph.number_of_nodes() > 1 else None,
        "average_degree": clean(summary["average_degree"]),
        "components": summary["n_components"],
        "largest_component_share": clean(summary["largest_share"]),
        "isolates": summary["n_isolates"],
        "fragmentation": clean(summary["fragmentation"]),
        "average_clustering": clean(summary["average_clustering"]),
        "transitivity": clean(summary["transitivity"]),
        "average_path_length": clean(summary["average_path_length"]),
        "diameter": summary["diameter"],
        "max_core": summary["max_core"],
        "degree_centralization": clean(summary["degree_centralization"]),
        "modularity": clean(modularity(graph, community)) if graph.number_of_edges()
        else None,
        "communities": len(set(community.values())),
    }
    if ref is None:
        primary = {v: (graph.nodes[v].get("clusters") or ["(none)"])[0] for v in graph}
        cohesion["ei_index"] = clean(ei_index(graph, primary)["overall"]) \
            if graph.number_of_edges() else None
        cohesion["ei_index_definition"] = "ties across vs within clusters (first cluster)"
    else:
        cohesion["ei_index"] = ecosystem_ei(ctx, ref, flt)
        cohesion["ei_index_definition"] = (
            "ties of the country's actors abroad vs at home" if ref.kind == "country"
            else "ties of members with non-members vs among members")
    meta = {
        "group": None if ref is None else ref.as_dict(),
        "weighted": weighted,
        "seed": seed,
        "filter": flt.as_dict(),
        "betweenness": {"approximate": between.approximate, "k": between.k},
        "methods": methods,
        "approximate": sorted(k for k, v in methods.items() if not v["exact"]),
        "graph_version": ctx.store.graph_version(),
    }
    return {"meta": meta, "actors": actors, "cohesion": cohesion,
            "headline": headline(graph, cohesion)}


def _methods(graph: nx.Graph, between, close_how, harm_how, path_how, path_ci) -> dict:
    """Per figure: exact or not, the method, the sample and the bound (JSON metadata)."""
    n = graph.number_of_nodes()
    exact = {"exact": True, "method": "exact", "sample": None, "seed": None, "bound": None}
    if between.approximate:
        half = (n / max(n - 1, 1)) * ((math.log(2 / 0.05) / (2 * between.k)) ** 0.5)
        between_how = {"exact": False, "method": "sampled sources (Brandes-Pich)",
                       "sample": between.k, "seed": between.seed,
                       "bound": f"normalised betweenness within ±{half:.4f} of the exact "
                                "value for each actor, with 95% probability (Hoeffding)"}
    else:
        between_how = {**exact, "method": "exact (Brandes)"}
    path = path_how.as_dict()
    if path_ci is not None:
        path["ci95"] = list(path_ci)
    return {
        "degree": exact, "strength": exact, "eigenvector": exact, "pagerank": exact,
        "clustering": exact, "constraint": exact, "effective_size": exact,
        "betweenness": between_how,
        "closeness": close_how.as_dict(),
        "harmonic": harm_how.as_dict(),
        "average_path_length": path,
        "diameter": {**exact, "method": "exact (iFUB)"},
    }


def headline(graph: nx.Graph, cohesion: dict) -> dict:
    """The headline figures of a group graph, from its cohesion figures."""
    return {
        "nodes": cohesion["nodes"],
        "edges": cohesion["edges"],
        "density": cohesion["density"],
        "isolates": cohesion["isolates"],
        "components": cohesion["components"],
        "projects": graph.graph.get("group_projects", 0),
        "synthetic_actors": sum(1 for _, d in graph.nodes(data=True) if d.get("synthetic")),
    }
