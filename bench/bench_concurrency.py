"""Concurrency benchmark: 20 clients for 30 s against a real ``synergraph serve``.

Starts ``synergraph serve --public-read`` on a free port of 127.0.0.1 against a Neo4j holding
the demo ecosystem, then measures, in the same run:

* a baseline: ONE client for ``--baseline-seconds`` (default 10 s);
* the load: ``--clients`` (default 20) concurrent clients for ``--seconds`` (default 30 s).

Each client loops over the home page, a cluster page (``/clusters/mnc``) and an API list
(``/api/v1/clusters``) on one keep-alive connection; the loop is bounded by the deadline
and ``--max-requests`` per client. Prints request counts, errors (any status but 200, or
a failed connection) and p50/p95/p99 latencies per URL and overall. Only 127.0.0.1 is
contacted.

Neo4j: by default a private server is started on free ports in a temporary folder (with
the jars of ``$SYNERGRAPH_HOME/neo4j/lib``, see ``synergraph neo4j install``), loaded with
the demo and stopped at the end; ``--neo4j-uri`` (with ``--neo4j-password``) uses a server
that already holds the demo instead, and changes nothing in it.

Usage::

    .venv/bin/python bench/bench_concurrency.py [--clients 20] [--seconds 30] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
URLS = ("/", "/clusters/mnc", "/api/v1/clusters")
TARGET_P95_S = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of ``values``.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
    (2.0, 4.0)
    """
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(rank) - 1]


def _client(port: int, deadline: float, max_requests: int, out: list, offset: int) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    done = 0
    while time.monotonic() < deadline and done < max_requests:
        url = URLS[(offset + done) % len(URLS)]
        started = time.perf_counter()
        try:
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status = f"{type(exc).__name__}"
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        out.append((url, time.perf_counter() - started, status))
        done += 1
    conn.close()


def run_phase(port: int, clients: int, seconds: float, max_requests: int) -> dict:
    results: list[tuple[str, float, object]] = []
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_client,
                                args=(port, deadline, max_requests, results, i))
               for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.monotonic() - started
    return summarise(results, clients, elapsed)


def summarise(results: list, clients: int, elapsed: float) -> dict:
    def stats(rows):
        times = [t for _, t, _ in rows]
        return {"requests": len(rows),
                "errors": sum(1 for _, _, s in rows if s != 200),
                "p50_ms": round(1000 * percentile(times, 50), 1),
                "p95_ms": round(1000 * percentile(times, 95), 1),
                "p99_ms": round(1000 * percentile(times, 99), 1),
                "mean_ms": round(1000 * statistics.fmean(times), 1) if times else None}

    summary = {"clients": clients, "seconds": round(elapsed, 1), **stats(results),
               "requests_per_s": round(len(results) / elapsed, 1) if elapsed else None,
               "error_kinds": sorted({str(s) for _, _, s in results if s != 200}),
               "by_url": {url: stats([r for r in results if r[0] == url]) for url in URLS}}
    return summary


def _start_neo4j(workdir: Path):
    from service.neo4j_server import LocalNeo4j
    from service.settings import default_home

    home = os.environ.get("SYNERGRAPH_HOME") or str(default_home())
    lib = Path(home) / "neo4j" / "lib"
    LocalNeo4j(home).install()
    password = secrets.token_urlsafe(16)
    server = LocalNeo4j(workdir / "neo4j-home", bolt_port=_free_port(),
                        http_port=_free_port(), password=password, heap="1g",
                        pagecache="256m", lib_dir=lib)
    server.start(echo=lambda *a: None)
    return server, password


def _load_demo(uri: str, password: str, workdir: Path) -> None:
    from loaders.bundle import read_bundle
    from loaders.demo import write_demo_bundle
    from service.db import make_store
    from service.settings import load_settings

    store = make_store(load_settings({"NEO4J_URI": uri, "NEO4J_PASSWORD": password},
                                     dotenv=False))
    try:
        store.migrate()
        store.delete_all()
        write_demo_bundle(workdir / "demo", seed=2011)
        store.write(read_bundle(workdir / "demo"), kind="demo", synthetic=True)
    finally:
        store.close()


def _start_serve(uri: str, password: str, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": password,
           "SYNERGRAPH_HOME": str(workdir / "app-home")}
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--public-read", "--host", HOST,
         "--port", str(port)], env=env, cwd=workdir, stdout=subprocess.DEVNULL,
        stderr=open(workdir / "serve.log", "wb"))  # noqa: SIM115 (closed with the process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited: {(workdir / 'serve.log').read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port
            conn.close()
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("serve did not answer /api/v1/health within 60 s")


def _print_phase(name: str, summary: dict) -> None:
    print(f"\n{name}: {summary['clients']} client(s), {summary['seconds']} s, "
          f"{summary['requests']} requests ({summary['requests_per_s']}/s), "
          f"errors {summary['errors']} {summary['error_kinds'] or ''}")
    print(f"  {'url':<20} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8}")
    rows = [("all", summary)] + list(summary["by_url"].items())
    for url, s in rows:
        print(f"  {url:<20} {s['requests']:>8} {s['errors']:>6} {s['p50_ms']:>8} "
              f"{s['p95_ms']:>8} {s['p99_ms']:>8}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=100_000,
                        help="per client and phase (the loop is bounded)")
    parser.add_argument("--neo4j-uri", help="a server that already holds the demo")
    parser.add_argument("--neo4j-password", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="synergraph-bench-") as tmp:
        workdir = Path(tmp)
        server = None
        process = None
        try:
            if args.neo4j_uri:
                uri, password = args.neo4j_uri, args.neo4j_password
            else:
                print("Starting a private Neo4j and loading the demo ...", file=sys.stderr)
                server, password = _start_neo4j(workdir)
                uri = server.bolt_uri
                _load_demo(uri, password, workdir)
            process, port = _start_serve(uri, password, workdir)
            print(f"synergraph serve on http://{HOST}:{port}/ (public read)", file=sys.stderr)
            run_phase(port, 1, 2.0, 50)  # warm-up: caches, connection pool, JIT of Neo4j
            baseline = run_phase(port, 1, args.baseline_seconds, args.max_requests)
            load = run_phase(port, args.clients, args.seconds, args.max_requests)
        finally:
            if process is not None:
                process.terminate()
                process.wait(30)
            if server is not None:
                server.stop()
    report = {"urls": list(URLS), "baseline": baseline, "load": load,
              "target": {"errors": 0, "p95_ms_below": TARGET_P95_S * 1000}}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_phase("Baseline", baseline)
        _print_phase("Load", load)
        ok = load["errors"] == 0 and load["p95_ms"] < TARGET_P95_S * 1000
        print(f"\nTarget (0 errors, p95 < {TARGET_P95_S:g} s under load): "
              f"{'met' if ok else 'NOT met'}")
    return 0 if load["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
