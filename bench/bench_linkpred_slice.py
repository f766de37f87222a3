"""The animator's back-test on CORDIS files, without Neo4j (for trying recommender variants).

Reads a CORDIS folder once with the loader's own reader (:func:`loaders.cordis.read_cordis`),
builds :func:`service.analytics.link_protocol.dated_data` exactly as the service does from the
store, and runs :func:`~service.analytics.link_protocol.evaluate_protocol`::

    .venv/bin/python bench/bench_linkpred_slice.py ../shared/data/cordis-h2020-2014-2018 \\
        [--train-until 2016] [--test-years 2] [--cache /tmp/slice.pkl] [--baselines]

``--cache`` keeps the built data in a pickle, so the next run skips the reading (about
10 s on the slice). Prints precision@10, recall@10 and hit rate of the recommender (and,
with ``--baselines``, of the fallback and the classic indices), the model's fitting split,
its validation figures and the time of each step. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from service.analytics import link_protocol as lp  # noqa: E402


def slice_data(folder: str, cache: str | None = None) -> lp.DatedData:
    """:class:`~service.analytics.link_protocol.DatedData` of a CORDIS folder, as the
    service builds it from the loaded store (actor ids, start years, programme parts)."""
    if cache and os.path.exists(cache):
        with open(cache, "rb") as fh:
            return pickle.load(fh)
    from loaders.cordis import read_cordis

    dataset, _warnings = read_cordis(folder)
    years = {p["id"]: p.get("start_year") for p in dataset.projects}
    participations = [{"actor_id": p["actor_id"], "project_id": p["project_id"],
                       "start_year": years.get(p["project_id"])}
                      for p in dataset.participations]
    projects = {p["id"]: {"legal_basis": p.get("legal_basis")} for p in dataset.projects}
    data = lp.dated_data(dataset.actors, participations, projects)
    if cache:
        with open(cache, "wb") as fh:
            pickle.dump(data, fh)
    return data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--train-until", type=int, default=None)
    ap.add_argument("--test-years", type=int, default=None)
    ap.add_argument("--cache", default=None, help="pickle of the built data (read if present)")
    ap.add_argument("--baselines", action="store_true",
                    help="also the fallback and the classic indices")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = slice_data(args.folder, args.cache)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    kwargs = {} if args.baselines else {"baselines": (), "with_fallback": False}
    table = lp.evaluate_protocol(data, train_until=args.train_until,
                                 test_years=args.test_years, seed=args.seed, **kwargs)
    t_proto = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read: {t_read:.1f} s; protocol: {t_proto:.1f} s; peak RSS {rss:,.0f} MiB")
    print(f"ties ≤ {table['train_until']}, new partners {table['test_years']}: "
          f"{table['n_evaluated']:,} organisations evaluated")
    if table["model"]:
        print("model:", {k: v for k, v in table["model"].items() if k != "validation"})
        print("validation:", {k: round(v, 4) for k, v in table["model"]["validation"].items()})
    print(f"{'method':<26}{'precision@10':>13}{'recall@10':>11}{'hit rate':>10}{'seconds':>9}")
    for name, m in table["methods"].items():
        print(f"{name:<26}{m['precision_at_k']:>13.4f}{m['recall_at_k']:>11.4f}"
              f"{m['hit_rate']:>10.1%}{m['seconds']:>9.1f}")
    if table["ratio_to_best_baseline"]:
        print(f"recommender / best classic index ({table['best_baseline']}): "
              f"{table['ratio_to_best_baseline']:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
