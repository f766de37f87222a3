"""Benchmark of the missing-link recommender on the data loaded in the configured Neo4j.

Run from the repository root, after ``synergraph load cordis`` of the H2020 slice::

    .venv/bin/python bench/bench_linkpred.py [--train-until 2016] [--test-years 2]

Prints, in one run:

1. the animator's protocol table (per-organisation precision@10, recall@10, hit rate) of
   the recommender, its deterministic fallback and the classic indices (the baselines),
   with the time of each and the peak RSS;
2. ``recommend`` for the largest hub (most partners): cold (first call on a freshly
   built ecosystem graph, the fitted model attached) and warm (the same call again),
   next to the fallback (weighted Adamic–Adar) and to the previous ranking (mean
   percentile rank of five indices, rebuilt here as the baseline) in the same run.

Targets (issue 12): protocol on the 2014-2018 slice ≤ 60 s and ≤ 4 GiB; recommend for the
largest hub ≤ 1 s cold, ≤ 50 ms warm. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from service.analytics import missing_links as ml  # noqa: E402
from service.analytics._graph import csr_view  # noqa: E402
from service.linkprediction import (  # noqa: E402
    animator_backtest,
    fitted_model,
    store_dated_data,
)
from service.settings import load_settings  # noqa: E402
from service.usecases import Context  # noqa: E402


def ecosystem_graph(store):
    """The whole ecosystem's graph as the service builds it (a fresh context: no cache)."""
    return Context(store).graph(None)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile_baseline(G, actor, top=10):
    """The previous ranking: mean percentile rank of the five classic indices."""
    A, view = csr_view(G)
    u = view.index[actor]
    deg = np.diff(A.indptr).astype(float)
    nbrs, cn, aa, ra = ml._scores_from_u(A, u, deg)
    mask = cn > 0
    mask[u] = False
    mask[nbrs] = False
    cand = np.flatnonzero(mask)
    union = deg[u] + deg[cand] - cn[cand]
    combined = ml.combine_scores({
        "common_neighbors": cn[cand], "adamic_adar": aa[cand],
        "resource_allocation": ra[cand], "preferential_attachment": deg[u] * deg[cand],
        "jaccard": np.divide(cn[cand], union, out=np.zeros(cand.size), where=union > 0)})
    return [view.nodes[j] for j in cand[np.lexsort((cand, -combined))[:top]]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-until", type=int, default=None)
    ap.add_argument("--test-years", type=int, default=None)
    ap.add_argument("--no-protocol", action="store_true", help="only the recommend timings")
    args = ap.parse_args()
    from service.db import make_store

    store = make_store(load_settings())
    try:
        t0 = time.perf_counter()
        data = store_dated_data(store)
        t_read = time.perf_counter() - t0
        if args.no_protocol:
            return recommend_timings(store)
        t0 = time.perf_counter()
        table = animator_backtest(data, train_until=args.train_until,
                                  test_years=args.test_years)
        t_proto = time.perf_counter() - t0
        print(f"read from Neo4j: {t_read:.1f} s; protocol: {t_proto:.1f} s "
              f"(target ≤ 60 s), peak RSS {rss_mib():,.0f} MiB (target ≤ 4,096)")
        print(f"ties ≤ {table['train_until']}, new partners {table['test_years']}: "
              f"{table['n_evaluated']:,} organisations evaluated")
        print(f"{'method':<26}{'precision@10':>13}{'recall@10':>11}{'hit rate':>10}"
              f"{'seconds':>9}")
        for name, m in table["methods"].items():
            print(f"{name:<26}{m['precision_at_k']:>13.4f}{m['recall_at_k']:>11.4f}"
                  f"{m['hit_rate']:>10.1%}{m['seconds']:>9.1f}")
        print(f"recommender / best classic index ({table['best_baseline']}): "
              f"{table['ratio_to_best_baseline']:.2f}x (target ≥ 1.25x)")
        return recommend_timings(store)
    finally:
        store.close()


def recommend_timings(store) -> int:
    """recommend for the largest hub, cold and warm, next to the baselines."""
    t0 = time.perf_counter()
    handle = fitted_model(store, wait=True)
    print(f"model fitted on all years: {time.perf_counter() - t0:.1f} s "
          f"({'ready' if handle.get() else handle.error})")
    G = ecosystem_graph(store)
    hub = max(G, key=G.degree)
    print(f"largest hub: {hub} ({G.degree(hub):,} partners)")
    for label, kwargs in (("recommender", {}), ("fallback", {"use_model": False})):
        G = ecosystem_graph(store)  # fresh graph: cold caches
        G.graph["link_model"] = handle  # the model fitted above, not a second fit
        t0 = time.perf_counter()
        ml.recommend(G, hub, top=10, **kwargs)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        ml.recommend(G, hub, top=10, **kwargs)
        warm = time.perf_counter() - t0
        print(f"recommend {label:<12} cold {cold * 1000:8.0f} ms (≤ 1000)   "
              f"warm {warm * 1000:6.0f} ms (≤ 50)")
    G = ecosystem_graph(store)
    t0 = time.perf_counter()
    percentile_baseline(G, hub)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    percentile_baseline(G, hub)
    print(f"baseline: previous percentile ranking cold {cold * 1000:8.0f} ms   "
          f"warm {(time.perf_counter() - t0) * 1000:6.0f} ms")
    print(f"peak RSS {rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
