"""Benchmark of service.analytics against networkx-only baselines (same run).

Run from the repository root::

    .venv/bin/python bench/bench_analytics.py            # full run (~3-4 min)
    .venv/bin/python bench/bench_analytics.py --quick    # smaller baselines

Targets (issue): a 2,000-actor cluster full metric set (exact betweenness)
<= 1 s; whole ecosystem projection + degree, strength, PageRank, eigenvector,
clustering, components, communities, sampled betweenness <= 60 s and
<= 4 GiB; top-50 recommendations for one actor <= 200 ms.

Baselines that would take minutes run on a slice or with fewer samples and
are extrapolated; the output says so.  Not collected by pytest (no test_
names here).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time

import networkx as nx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.synthetic import generate  # noqa: E402
from service.analytics import brokerage, centrality, cohesion, communities, synergy  # noqa: E402
from service.analytics import missing_links as ml  # noqa: E402
from service.analytics.projection import co_participation_graph  # noqa: E402

ROWS: list[tuple] = []


def rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(fn, *args, repeat=1, **kw):
    best = float("inf")
    out = None
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        out = fn(*args, **kw)
        best = min(best, time.perf_counter() - t)
    return best, out


def row(task, ours, base=None, note=""):
    ratio = f"{base / ours:8.1f}x" if base and ours > 0 else "       -"
    b = f"{base:10.3f}" if base is not None else "         -"
    ROWS.append((task, ours, base, note))
    print(f"{task:<46} {ours:10.3f} {b} {ratio}  {note}", flush=True)


def header(title):
    print(f"\n== {title}")
    print(f"{'task':<46} {'ours [s]':>10} {'nx [s]':>10} {'speed-up':>9}  note")


# ----------------------------------------------------------------------------- baselines
def nx_recommend(G, u, top=50):
    """networkx-only version of recommend(): distance-2 candidates, 5 scores, rank mean."""
    from scipy.stats import rankdata

    cands = {v for w in G[u] for v in G[w]} - set(G[u]) - {u}
    pairs = [(u, v) for v in cands]
    if not pairs:
        return []
    cn = np.array([len(list(nx.common_neighbors(G, a, b))) for a, b in pairs], dtype=float)
    sc = [
        cn,
        np.array([x for *_, x in nx.jaccard_coefficient(G, pairs)]),
        np.array([x for *_, x in nx.adamic_adar_index(G, pairs)]),
        np.array([x for *_, x in nx.resource_allocation_index(G, pairs)]),
        np.array([x for *_, x in nx.preferential_attachment(G, pairs)], dtype=float),
    ]
    comb = sum(rankdata(s) / len(s) for s in sc) / len(sc)
    order = np.argsort(-comb, kind="stable")[:top]
    return [pairs[i][1] for i in order]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller / extrapolated baselines")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    quick = args.quick
    print(f"python {sys.version.split()[0]}, networkx {nx.__version__}, cpus {os.cpu_count()}")

    header("synthetic CORDIS-shaped ecosystem")
    t, eco = timed(generate, seed=args.seed)
    row("generate (bench.synthetic)", t, note=(
        f"{len(eco.actors)} orgs, {len(eco.projects)} projects, "
        f"{len(eco.participations)} participations"))

    # ---------------------------------------------------------------- whole ecosystem
    header("whole ecosystem")
    t_proj, G = timed(co_participation_graph, eco.actors, eco.participations,
                      projects=eco.projects, keep_projects=False)
    n, m = G.number_of_nodes(), G.number_of_edges()
    B = nx.Graph()
    B.add_nodes_from((a["id"] for a in eco.actors), bipartite=0)
    B.add_nodes_from(eco.projects, bipartite=1)
    B.add_edges_from(eco.participations)
    if quick:
        t_base, note = None, "baseline skipped (--quick)"
    else:
        t_base, _ = timed(nx.bipartite.weighted_projected_graph, B,
                          [a["id"] for a in eco.actors])
        note = "nx.bipartite.weighted_projected_graph (weight only)"
    row(f"projection (n={n}, m={m})", t_proj, t_base, note)
    t_pk, _ = timed(co_participation_graph, eco.actors, eco.participations, keep_projects=True)
    row("projection with shared project lists", t_pk, note="keep_projects=True (not in total)")
    del B

    ours = {}
    base = {}
    ours["degree"], _ = timed(centrality.degree, G)
    base["degree"], _ = timed(lambda: dict(G.degree()))
    ours["strength"], _ = timed(centrality.strength, G)
    base["strength"], _ = timed(lambda: dict(G.degree(weight="weight")))
    ours["igraph conversion (cached)"], _ = timed(centrality.pagerank, G, weight=None)
    ours["pagerank"], _ = timed(centrality.pagerank, G)
    base["pagerank"], _ = timed(nx.pagerank, G)
    ours["eigenvector"], _ = timed(centrality.eigenvector, G)
    giant_nodes = max(nx.connected_components(G), key=len)
    base["eigenvector"], _ = timed(lambda: nx.eigenvector_centrality_numpy(G.subgraph(giant_nodes)))
    ours["clustering + transitivity"], _ = timed(
        lambda: (cohesion.average_clustering(G), cohesion.transitivity(G)))
    ours["components"], _ = timed(cohesion.component_stats, G)
    base["components"], _ = timed(lambda: sorted(map(len, nx.connected_components(G))))
    ours["louvain communities"], memb = timed(communities.louvain, G, seed=0)
    ours["sampled betweenness k=256"], bres = timed(centrality.betweenness_info, G, k=256)
    t_total = t_proj + sum(ours.values())  # ours only (baselines ran in between)
    peak = rss_gib()

    # networkx baselines that are too slow at full size: slices / fewer samples
    rng = np.random.default_rng(0)
    nodes = list(G)
    sl = 2000 if quick else 5000
    sample = [nodes[i] for i in rng.choice(n, size=sl, replace=False)]
    t_s, _ = timed(nx.clustering, G, sample)
    t_t, _ = timed(lambda: sum(nx.triangles(G, sample).values()))
    base["clustering + transitivity"] = (t_s + t_t) * n / sl
    note_cl = f"nx extrapolated from {sl} sampled nodes"
    kb = 4 if quick else 8
    t_b, _ = timed(nx.betweenness_centrality, G, k=kb, seed=0)
    base["sampled betweenness k=256"] = t_b * 256 / kb
    note_b = f"nx extrapolated from k={kb}"
    if quick:
        base["louvain communities"] = None
    else:
        base["louvain communities"], _ = timed(nx.community.louvain_communities, G,
                                               weight="weight", seed=0)
    notes = {"clustering + transitivity": note_cl, "sampled betweenness k=256": note_b,
             "igraph conversion (cached)": "first igraph call: conversion + unweighted PageRank",
             "eigenvector": "nx on the giant component only (undefined on disconnected)",
             "louvain communities": f"{len(set(memb.values()))} communities"}
    for k, v in ours.items():
        row(k, v, base.get(k), notes.get(k, ""))
    base_total = None if quick else t_base + sum(base.get(k) or 0.0 for k in ours)
    row("TOTAL whole ecosystem (target <= 60 s)", t_total, base_total,
        f"peak RSS {peak:.2f} GiB (target <= 4 GiB); betweenness approximate="
        f"{bres.approximate} k={bres.k}")

    # ---------------------------------------------------------------- 2,000-actor cluster
    header("2,000-actor cluster, full metric set, exact betweenness")
    members = eco.clusters["C000"]
    C = G.subgraph(members).copy()
    C.graph["version"] = 10**9
    nc, mc = C.number_of_nodes(), C.number_of_edges()

    def full_set(H):
        H.graph.pop("_analytics_cache", None)
        out = {}
        out["table"] = centrality.centrality_table(
            H, metrics=("degree", "strength", "betweenness", "closeness", "harmonic",
                        "eigenvector", "pagerank"), k=None)
        out["cohesion"] = cohesion.cohesion_summary(H)
        out["louvain"] = memb_c = communities.louvain(H, seed=0)
        out["modularity"] = communities.modularity(H, memb_c)
        out["ei"] = synergy.ei_index(H)
        out["assortativity"] = synergy.kind_assortativity(H)
        out["ties"] = synergy.kind_tie_matrix(H)
        out["roles"] = brokerage.brokerage_roles(H)
        out["constraint"] = brokerage.constraint(H)
        out["effective_size"] = brokerage.effective_size(H)
        out["cut"] = brokerage.articulation_points(H), brokerage.bridges(H)
        return out

    def nx_full_set(H):
        out = {}
        out["deg"] = dict(H.degree()), dict(H.degree(weight="weight"))
        out["bc"] = nx.betweenness_centrality(H)
        out["cl"] = nx.closeness_centrality(H)
        out["hc"] = nx.harmonic_centrality(H)
        giant = H.subgraph(max(nx.connected_components(H), key=len))
        out["ev"] = nx.eigenvector_centrality_numpy(giant)
        out["pr"] = nx.pagerank(H)
        out["coh"] = (nx.density(H), nx.average_clustering(H), nx.transitivity(H),
                      nx.average_shortest_path_length(giant), nx.diameter(giant),
                      max(nx.core_number(H).values()))
        parts = nx.community.louvain_communities(H, weight="weight", seed=0)
        out["mod"] = nx.community.modularity(H, parts)
        out["assort"] = nx.attribute_assortativity_coefficient(H, "kind")
        out["constraint"] = nx.constraint(H)
        out["es"] = nx.effective_size(H)
        out["cut"] = list(nx.articulation_points(H)), list(nx.bridges(H))
        return out

    t_c, res = timed(full_set, C, repeat=3)
    if quick:
        t_cb = None
        note = "baseline skipped (--quick)"
    else:
        t_cb, _ = timed(nx_full_set, C)
        note = "nx: same metrics except Gould-Fernandez roles (no nx equivalent)"
    row(f"cluster full set (n={nc}, m={mc}) (<= 1 s)", t_c, t_cb, note)
    t_bc, _ = timed(centrality.betweenness, C, repeat=3)
    t_bcb, _ = timed(nx.betweenness_centrality, C)
    row("  of which exact betweenness", t_bc, t_bcb)
    t_nm, _ = timed(cohesion.null_model, C, runs=20, seed=0)
    row("cluster null model (20 rewirings)", t_nm, note="not part of the 1 s set")

    # ---------------------------------------------------------------- recommendations
    header("top-50 recommendations for one actor (target <= 200 ms)")
    by_deg = sorted(G.degree(), key=lambda x: (-x[1], x[0]))
    picks = {"hub": by_deg[0][0], "p99": by_deg[n // 100][0], "median": by_deg[n // 2][0],
             "low": by_deg[int(n * 0.9)][0]}
    t_cold, _ = timed(ml.recommend, G, picks["median"])
    row("recommend, cold cache (CSR + cluster index)", t_cold, note="first call per graph")
    for label, who in picks.items():
        t_r, recs = timed(ml.recommend, G, who, repeat=5)
        t_rb, _ = timed(nx_recommend, G, who)
        row(f"recommend {label} (deg {G.degree(who)})", t_r, t_rb,
            f"{len(recs)} results with explanations")
    t_r3, _ = timed(ml.recommend, G, picks["p99"], max_distance=3,
                    same_attributes=("niche",), repeat=3)
    row("recommend p99, distance 3 + same niche", t_r3)
    for label in ("hub", "p99"):
        t_first, _ = timed(ml.recommend, G, picks[label], explain_paths=True)
        t_warm, _ = timed(ml.recommend, G, picks[label], explain_paths=True, repeat=3)
        row(f"recommend {label} + avg-path effects, 1st call", t_first,
            note="builds the clusters' distance matrices (cached)")
        row(f"recommend {label} + avg-path effects, warm", t_warm)

    # ---------------------------------------------------------------- over time (cluster)
    header("cluster over time: evolution and link-prediction back-test")
    from service.analytics.evolution import evolution

    member_set = set(members)
    year_of = {p: d["start_year"] for p, d in eco.projects.items()}
    parts_y = [(a, p, year_of[p]) for a, p in eco.participations if a in member_set]
    acts = [a for a in eco.actors if a["id"] in member_set]
    t_ev, ev = timed(evolution, acts, parts_y)
    row(f"evolution, cumulative, {len(ev)} years", t_ev, note="cohesion + synergy per year")
    by_project: dict = {}
    for a, p, y in parts_y:
        by_project.setdefault((p, y), []).append(a)
    edges_y = [(ms[i], ms[j], y) for (p, y), ms in by_project.items()
               for i in range(len(ms)) for j in range(i + 1, len(ms))]
    t_lp, lp = timed(ml.evaluate_link_prediction, edges_y, k=100, seed=0)
    row("evaluate_link_prediction (last year hidden)", t_lp,
        note=f"pool={lp['pool']} size={lp['pool_size']} positives={lp['n_positive']}")
    print(f"   random expected precision@100: {lp.get('random_expected_precision', 0):.4f}")
    for name, r in lp["methods"].items():
        auc = "-" if r["auc"] is None else f"{r['auc']:.3f}"
        print(f"   {name:<24} precision@100={r['precision_at_k']:.3f}  AUC={auc}")
    print(f"\npeak RSS of the whole run: {rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
