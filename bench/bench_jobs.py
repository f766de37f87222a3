"""What a visitor waits for when the figures of a large ecosystem are not ready yet.

Runs against the configured Neo4j (whatever is loaded; the figures quoted in the changelog
used the demo plus the CORDIS sample, 3,431 actors, above the 2,000-actor job threshold):

1. ``GET /api/v1/metrics`` cold: the time to the 202 answer, and of two other requests
   while the job runs;
2. the job's duration and the phases it reported, then the same URL again (200 from the
   cache);
3. a new app on the same cache folder (a restart): the same URL answers 200 from disk;
4. the warming of every headline figure after a graph change, job by job.

Usage: ``NEO4J_BOLT_PORT=... .venv/bin/python bench/bench_jobs.py [--null-runs N]
[--warm]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time


def _timed(client, url: str):
    started = time.perf_counter()
    response = client.get(url)
    return response, (time.perf_counter() - started) * 1000


def main(argv=None) -> int:
    from service import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--null-runs", type=int, default=20)
    parser.add_argument("--warm", action="store_true", help="also time the warming")
    args = parser.parse_args(argv)
    cache = tempfile.mkdtemp(prefix="synergraph-bench-cache-")
    config = {"SYNERGRAPH_PUBLIC_READ": "1", "SYNERGRAPH_CACHE_DIR": cache,
              "SYNERGRAPH_WARM": "0"}
    client = create_app(config).test_client()
    url = f"/api/v1/metrics?null_runs={args.null_runs}"
    response, ms = _timed(client, "/api/v1/clusters")  # the app's own first-request costs
    print(f"first request of the app (/api/v1/clusters): {response.status_code} in {ms:.0f} ms")

    first, ms = _timed(client, url)
    print(f"cold {url}: {first.status_code} in {ms:.0f} ms")
    if first.status_code == 202:
        job_url = first.headers["Location"]
        for other in ("/", "/api/v1/clusters"):
            response, other_ms = _timed(client, other)
            print(f"  meanwhile {other}: {response.status_code} in {other_ms:.0f} ms")
        started, phases = time.perf_counter(), []
        while True:
            body = client.get(job_url).get_json()
            job = body["job"]
            if not phases or phases[-1] != job["message"]:
                phases.append(job["message"])
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
        print(f"  job {job['state']} after {time.perf_counter() - started:.1f} s; "
              f"phases: {' > '.join(phases)}")
    again, ms = _timed(client, url)
    print(f"again: {again.status_code} in {ms:.0f} ms, {len(again.data):,} bytes")
    restarted = create_app(config).test_client()
    _timed(restarted, "/api/v1/clusters")
    after, ms = _timed(restarted, url)
    print(f"after a restart (new app, same cache folder): {after.status_code} in {ms:.0f} ms")
    if args.warm:
        app = create_app({**config, "SYNERGRAPH_WARM": "1", "SYNERGRAPH_CACHE_DIR":
                          tempfile.mkdtemp(prefix="synergraph-bench-warm-")})
        state = app.extensions["synergraph"]
        started = time.perf_counter()
        app.test_client().get("/api/v1/clusters")  # notices the graph: warming queued
        jobs = state.jobs.jobs()
        while any(j.state in ("queued", "running") for j in jobs):
            time.sleep(0.5)
        total = time.perf_counter() - started
        for job in sorted(jobs, key=lambda j: -(j.elapsed_s() or 0))[:5]:
            print(f"  warm {job.what}: {job.state} in {job.elapsed_s():.1f} s")
        print(f"warming: {len(jobs)} jobs in {total:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
