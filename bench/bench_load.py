"""Load benchmark: CORDIS files of H2020 shape and size into the real Neo4j.

Prints the whole load's time and rows per second, next to a one-transaction-per-row
baseline measured in the same run on a slice of the same input. Run with the server
running (``synergraph neo4j start``) or against NEO4J_URI; it EMPTIES the database
first, so point it at a scratch server::

    python bench/bench_load.py [--scale 1.0] [--slice 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cordis_shape import write_cordis_shape  # noqa: E402
from graph_schema.model import Dataset  # noqa: E402
from loaders.cordis import read_cordis  # noqa: E402
from service.db import ensure_local_server, make_store  # noqa: E402
from service.settings import load_settings  # noqa: E402


def per_row_baseline(store, dataset: Dataset, rows: int) -> tuple[int, float]:
    """Write ``rows`` participations with their actors and projects, one transaction each."""
    part = dataset.participations[:rows]
    actor_ids = {p["actor_id"] for p in part}
    project_ids = {p["project_id"] for p in part}
    records = (
        [("actors", a) for a in dataset.actors if a["id"] in actor_ids]
        + [("projects", p) for p in dataset.projects if p["id"] in project_ids]
        + [("participations", p) for p in part]
    )
    started = time.perf_counter()
    for target, record in records:
        one = Dataset(source=dataset.source, load_id=dataset.load_id + "-baseline")
        getattr(one, target).append(record)
        store.write(one, kind="bench-baseline")
    return len(records), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = H2020 size")
    parser.add_argument("--slice", type=int, default=1500, help="participations in baseline")
    args = parser.parse_args()
    settings = load_settings()
    ensure_local_server(settings)
    store = make_store(settings)
    store.migrate()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        shape = write_cordis_shape(folder, scale=args.scale)
        print(f"generated {shape} in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        dataset, _ = read_cordis(folder)
        parse_s = time.perf_counter() - t0
        sizes = dataset.sizes()
        rows = sum(sizes.values())
        print(f"parsed + validated: {parse_s:.1f} s; records {sizes}")

        # Warm-up: the server's JIT compiles the load's statements on a 5 % slice first.
        store.delete_all()
        warm = Dataset(source=dataset.source, load_id=dataset.load_id + "-warm-up",
                       actors=dataset.actors[: len(dataset.actors) // 20],
                       projects=dataset.projects[: len(dataset.projects) // 20])
        keep_a = {a["id"] for a in warm.actors}
        keep_p = {p["id"] for p in warm.projects}
        warm.participations = [p for p in dataset.participations
                               if p["actor_id"] in keep_a and p["project_id"] in keep_p]
        t0 = time.perf_counter()
        store.write(warm, kind="bench-warm-up")
        print(f"warm-up on a 5 % slice: {time.perf_counter() - t0:.1f} s")
        store.delete_all()
        t0 = time.perf_counter()
        report = store.write(dataset, kind="bench")
        write_s = time.perf_counter() - t0
        total_s = parse_s + write_s
        batched = rows / write_s
        print(f"batched load: {rows:,} records written in {write_s:.1f} s "
              f"({batched:,.0f} records/s); whole load incl. parsing {total_s:.1f} s "
              f"(target <= 30 s)")
        t0 = time.perf_counter()
        store.write(dataset, kind="bench")
        print(f"second load of the same input (no change): {time.perf_counter() - t0:.1f} s")

        store.delete_all()
        n, base_s = per_row_baseline(store, dataset, args.slice)
        per_row = n / base_s
        print(f"baseline, one transaction per row: {n:,} records in {base_s:.1f} s "
              f"({per_row:,.0f} records/s)")
        print(f"ratio batched / per-row: {batched / per_row:.1f}x")
        store.delete_all()
        del report
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
