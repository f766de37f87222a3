"""Real scale: what users run, on a whole Horizon 2020-size network (issue 9).

Generates the H2020-shaped CORDIS files (``bench/cordis_shape.py``; or takes a folder, e.g.
the real 2014-2018 slice), starts its OWN Neo4j in a temporary folder on free ports (or,
with ``--configured``, uses the configured server — which it EMPTIES), loads them with the
real ``synergraph load cordis`` (timed), adds the demo ecosystem (so that cluster pages,
their tabs and compare exist), then drives the exact commands and HTTP routes users run
against a real ``synergraph serve`` process (subprocess, real HTTP):

* ``synergraph metrics --all --format json`` and ``synergraph evaluate-links``;
* ``/api/v1/metrics``, ``/api/v1/countries/<largest>/metrics`` (and with ``null_runs=19``,
  a question no warming job has answered, so computed when asked while the ecosystem's job
  runs), ``/api/v1/actors/<largest hub>/recommendations?top=50``;
* every page type reachable from home: home, the largest country, every tab of a cluster,
  the largest hub's actor page, the project page of the largest consortium, compare, data.

Each route is asked cold (first request after the load) and warm. A route answering
``202 Accepted`` (a background job) is followed to its result: time to 202 and time to the
result are both reported. Printed per row: time, response bytes, peak RSS (of the serve
process, ``VmHWM``; of each CLI command, ``/usr/bin/time``-like via ``wait4``), the target of
the issue's table and PASS/MISS. Then each analysis against a bare igraph script doing the
same computations in the same run (ratio target ≤ 2×), networkx extrapolated from a
few searches (marked as such), and the load against a bare driver script writing the same
files (``bench/bare_load.py``) on a fresh server of its own.

Usage::

    .venv/bin/python bench/bench_scale.py            # full size (about 10 min on 2 cores)
    .venv/bin/python bench/bench_scale.py --quick    # 1/10 size, about 2 min
    .venv/bin/python bench/bench_scale.py --dir ../shared/data/cordis-h2020-2014-2018
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.cordis_shape import (  # noqa: E402
    comparison,
    read_rows,
    scaled_targets,
    shape_figures,
    write_cordis_shape,
)

BIN = Path(sys.executable).parent
SYNERGRAPH = str(BIN / "synergraph")
GIB = 1024 ** 3

#: (what, seconds, bytes, RSS bytes) targets of the issue's table; None: no target.
TARGETS = {
    "load cordis": (30, None, None),
    "metrics --all": (60, None, None),
    "evaluate-links": (120, None, 4 * GIB),
    "GET /api/v1/metrics": (60, None, None),
    "GET /api/v1/countries/<largest>/metrics": (3, None, None),
    "GET /api/v1/countries/<largest>/metrics?null_runs=19": (3, None, None),
    "GET /actors/<largest hub>": (2, 2_000_000, None),
    "GET /api/v1/actors/<hub>/recommendations?top=50": (1, None, None),
    "serve process after every page type": (None, None, 4 * GIB),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(args: list[str], env: dict, *, out: Path | None = None,
            program: tuple[str, ...] = (SYNERGRAPH,)) -> dict:
    """Run a synergraph command (or ``program``); its wall time, peak RSS (wait4) and
    output bytes."""
    started = time.perf_counter()
    stdout = open(out, "wb") if out else subprocess.DEVNULL  # noqa: SIM115
    try:
        proc = subprocess.Popen([*program, *args], env=env, stdout=stdout,
                                stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        if out:
            stdout.close()
    seconds = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join((*program, *args))} failed ({code}):\n{err[-2000:]}")
    return {"seconds": seconds, "rss": usage.ru_maxrss * 1024,
            "cpu": usage.ru_utime + usage.ru_stime,
            "bytes": out.stat().st_size if out else None, "stderr": err}


def vm_hwm(pid: int) -> int:
    """Peak resident set size of a process (``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


#: What a page shows while its figures are computed by a background job.
PROGRESS_MARK = b'id="job-progress"'


def _wait_for_page(base: str, path: str, *, timeout: float = 600) -> None:
    """Wait until ``path`` answers without a progress block."""
    started = time.perf_counter()
    while PROGRESS_MARK in fetch(base, path)["body"]:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(path)
        time.sleep(0.5)


def fetch(base: str, path: str, *, timeout: float = 900) -> dict:
    """GET ``path``; follow a 202 job to its result. Times to first answer and result."""
    started = time.perf_counter()
    request = urllib.request.Request(base + path, headers={"Accept-Language": "en"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        status = response.status
        body = response.read()
        location = response.headers.get("Location")
    first = time.perf_counter() - started
    accepted = None
    if status == 202:
        accepted = first
        url = location or json.loads(body)["job"]["url"]
        while True:
            with urllib.request.urlopen(base + url, timeout=timeout) as response:
                payload = json.loads(response.read())
            state = payload["job"]["state"]
            if state == "done":
                result = payload["result"]
                if isinstance(result, dict) and set(result) == {"download"}:
                    # a file written by the job: what a user gets is the file itself
                    with urllib.request.urlopen(base + result["download"],
                                                timeout=timeout) as response:
                        body = response.read()
                else:
                    body = json.dumps(result).encode()
                break
            if state == "failed":
                raise RuntimeError(f"job for {path} failed: {payload['job'].get('error')}")
            if time.perf_counter() - started > timeout:
                raise TimeoutError(path)
            time.sleep(0.2)
    return {"seconds": time.perf_counter() - started, "accepted": accepted,
            "bytes": len(body), "status": status, "body": body, "started": started}


class Server:
    """A real ``synergraph serve`` process on a free port."""

    def __init__(self, env: dict):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [SYNERGRAPH, "serve", "--port", str(self.port), "--public-read"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/api/v1/health", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("synergraph serve did not answer")

    def rss(self) -> int:
        return vm_hwm(self.proc.pid)

    def workers_rss(self) -> int:
        """The largest peak RSS among the service's child processes (job workers)."""
        peaks = [0]
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                try:
                    peaks.append(vm_hwm(int(child)))
                except OSError:  # ended meanwhile
                    pass
        return max(peaks)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- the bare igraph and networkx references ------------------------------------------
def _bare_graph(folder: Path, country: str | None = None):
    """The co-participation graph straight from the CSV files (numpy + igraph)."""

    import igraph as ig
    import scipy.sparse as sp

    pairs, country_of = set(), {}
    for row in read_rows(folder / "organization.csv"):
        pairs.add((row["organisationID"], row["projectID"]))
        country_of[row["organisationID"]] = row["country"]
    orgs = sorted(o for o in country_of if country is None or country_of[o] == country)
    row_of = {o: i for i, o in enumerate(orgs)}
    pairs = [(o, p) for o, p in pairs if o in row_of]
    projects = sorted({p for _, p in pairs})
    col_of = {p: j for j, p in enumerate(projects)}
    B = sp.csr_array((np.ones(len(pairs)), ([row_of[o] for o, _ in pairs],
                                            [col_of[p] for _, p in pairs])),
                     shape=(len(orgs), len(projects)))
    W = sp.triu(B @ B.T, k=1).tocoo()
    g = ig.Graph(n=len(orgs), edges=np.stack([W.row, W.col], axis=1), directed=False)
    g.es["weight"] = W.data
    return g


def _bare_ifub(giant) -> int:
    """The diameter by iFUB (4-sweep, then the levels of a central node's BFS from the
    deepest), with igraph's BFS only: the computation ``metrics`` runs, as a bare script
    would write it."""
    def levels(v):
        order, layers, _ = giant.bfs(v)
        d = np.empty(giant.vcount(), dtype=int)
        d[order] = np.repeat(np.arange(len(layers) - 1), np.diff(layers))
        return d

    u, lower = int(np.argmax(giant.degree())), 0
    for _ in range(2):
        d1 = levels(u)
        a = int(np.argmax(d1))
        d2 = levels(a)
        lower = max(lower, int(d1.max()), int(d2.max()))
        path = giant.get_shortest_path(a, int(np.argmax(d2)))
        u = path[len(path) // 2]
    d = levels(u)
    lower = max(lower, int(d.max()))
    for i in range(int(d.max()), 0, -1):
        if lower > 2 * (i - 1):
            break
        lower = max(lower, max(giant.eccentricity(vertices=np.flatnonzero(d == i).tolist())))
    return lower


def bare_igraph_metrics(folder: Path, *, null_runs: int, country: str | None = None) -> dict:
    """The computations of ``metrics`` in bare igraph, like for like: the same policy
    (exact up to 5,000 actors; above, 256 betweenness sources and one BFS from each of 384
    pivots for closeness, harmonic and the average path length), the diameter by iFUB,
    the same null-model plan (runs, trials per tie, path pivots). Seconds per phase."""
    from service.analytics.centrality import AUTO_BETWEENNESS_SAMPLES
    from service.analytics.paths import AUTO_PATH_SAMPLES, EXACT_PATHS_MAX_NODES
    from service.usecases.figures import null_model_plan, null_path_plan

    times = {}
    t = time.perf_counter()
    g = _bare_graph(folder, country)
    times["graph"] = time.perf_counter() - t
    n = g.vcount()
    t = time.perf_counter()
    g.degree()
    g.strength(weights="weight")
    comps = g.connected_components()
    giant = comps.giant()
    if n > EXACT_PATHS_MAX_NODES:
        rng = np.random.default_rng(0)
        g.betweenness(sources=sorted(rng.choice(n, AUTO_BETWEENNESS_SAMPLES,
                                                replace=False).tolist()))
        pivots = sorted(rng.choice(giant.vcount(), AUTO_PATH_SAMPLES, replace=False).tolist())
        for start in range(0, len(pivots), 64):
            D = np.asarray(giant.distances(source=pivots[start:start + 64]), dtype=float)
            D.sum(axis=0), np.where(D > 0, 1.0 / np.maximum(D, 1), 0.0).sum(axis=0)
    else:
        g.betweenness()
        g.closeness()
        g.harmonic_centrality()
        giant.average_path_length()
    _bare_ifub(giant)
    times["paths"] = time.perf_counter() - t
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # disconnected: as the app, per part
        g.eigenvector_centrality()
    g.pagerank(weights="weight")
    g.transitivity_local_undirected(mode="zero")
    g.transitivity_undirected()
    g.constraint(weights="weight")
    g.community_multilevel(weights="weight")
    g.coreness()
    times["other figures"] = time.perf_counter() - t
    t = time.perf_counter()
    runs, swaps = null_model_plan(null_runs, g.ecount())
    samples = null_path_plan(runs, n, g.ecount())
    for _ in range(runs):
        h = g.copy()
        h.rewire(n=swaps * g.ecount(), allowed_edge_types="simple")
        h.transitivity_local_undirected(mode="zero")
        if g.ecount() <= 200_000:
            h.transitivity_undirected()
        rewired_giant = h.connected_components().giant()
        if samples is not None:
            rewired_giant.distances(source=list(range(samples)))
        else:
            rewired_giant.average_path_length()
        h.coreness()
    times["null model"] = time.perf_counter() - t
    times["total"] = sum(times.values())
    return times


def networkx_extrapolated(folder: Path, *, searches: int, probe: int = 4) -> float:
    """networkx time of the path searches the metrics run, from ``probe`` searches."""
    import networkx as nx

    g = _bare_graph(folder)
    G = nx.Graph(g.get_edgelist())
    nodes = list(G)[:probe]
    t = time.perf_counter()
    for v in nodes:
        nx.single_source_shortest_path_length(G, v)
    return (time.perf_counter() - t) / probe * searches


# -- the run ------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1/10 of the real size")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--dir", type=Path, help="a CORDIS folder instead of generated files")
    parser.add_argument("--configured", action="store_true",
                        help="use (and EMPTY) the configured Neo4j instead of a private one")
    parser.add_argument("--skip-evaluate-links", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    rows: list[dict] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        tmp = Path(tmp)
        folder = args.dir
        if folder is None:
            folder = tmp / "h2020-shape"
            t = time.perf_counter()
            write_cordis_shape(folder, scale=scale)
            notes.append(f"generated the H2020-shaped files (scale {scale}) in "
                         f"{time.perf_counter() - t:.1f} s")
        figures = shape_figures(folder)
        print(comparison(figures, scaled_targets(scale) if args.dir is None else
                         scaled_targets(1.0)))
        env, server = _neo4j(tmp, args.configured)
        try:
            _run(folder, figures, env, rows, notes, args)
        finally:
            if server is not None:
                server.stop()
        if not args.configured:
            _bare_load(folder, tmp, rows)
    _print(rows, notes)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "notes": notes}, indent=1))
    return 0


def _neo4j(tmp: Path, configured: bool):
    env = dict(os.environ)
    if configured:
        from service.db import make_store
        from service.settings import load_settings

        subprocess.run([SYNERGRAPH, "neo4j", "start"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        store = make_store(load_settings())
        store.delete_all()
        store.close()
        return env, None
    from service.neo4j_server import LocalNeo4j
    from service.settings import default_home

    home = Path(os.environ.get("SYNERGRAPH_HOME") or default_home())
    LocalNeo4j(home).install()
    password = secrets.token_urlsafe(16)
    from service.settings import SETTINGS

    # the server a user gets: the settings' default heap (a load is one transaction)
    heap = next(s.default for s in SETTINGS if s.name == "NEO4J_HEAP")
    server = LocalNeo4j(tmp / "neo4j-home", bolt_port=_free_port(), http_port=_free_port(),
                        password=password, heap=heap, pagecache="1g",
                        lib_dir=home / "neo4j" / "lib")
    server.start(echo=lambda *a: None)
    for key in ("NEO4J_BOLT_PORT", "NEO4J_HTTP_PORT"):
        env.pop(key, None)
    env.update({"NEO4J_URI": server.bolt_uri, "NEO4J_USER": "neo4j",
                "NEO4J_PASSWORD": password, "SYNERGRAPH_HOME": str(tmp / "neo4j-home")})
    subprocess.run([SYNERGRAPH, "db", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return env, server


def _row(rows, what, result, *, cold=None, rss=None, note=""):
    target = TARGETS.get(what, (None, None, None))
    seconds = result["seconds"]
    ok = True
    for limit, got in zip(target, (seconds, result.get("bytes"), rss), strict=True):
        if limit is not None and got is not None and got > limit:
            ok = False
    has_target = any(x is not None for x in target)
    rows.append({"what": what, "cold": cold, "seconds": seconds,
                 "accepted": result.get("accepted"), "bytes": result.get("bytes"),
                 "rss": rss, "target": target, "verdict": ("PASS" if ok else "MISS")
                 if has_target else "", "note": note})
    print(f"  {what:<48} {'cold' if cold else 'warm' if cold is False else '':<5}"
          f" {seconds:8.2f} s", flush=True)


def _run(folder: Path, figures: dict, env: dict, rows: list, notes: list, args) -> None:
    load_out = Path(tempfile.mkstemp(suffix=".txt")[1])
    result = run_cli(["load", "cordis", str(folder)], env, out=load_out)
    _row(rows, "load cordis", result, rss=result["rss"],
         note=f"cpu {result['cpu']:.1f} s")
    run_cli(["demo"], env)
    notes.append("the demo ecosystem (4 clusters, 317 actors) was loaded after the timed "
                 "load, so that cluster tabs and compare have clusters")
    metrics_out = Path(tempfile.mkstemp(suffix=".json")[1])
    result = run_cli(["metrics", "--all", "--format", "json", "--out", str(metrics_out)],
                     env)
    result["bytes"] = metrics_out.stat().st_size
    _row(rows, "metrics --all", result, rss=result["rss"], note=f"cpu {result['cpu']:.1f} s")
    actors = json.loads(metrics_out.read_text())["actors"]
    hub = max(actors, key=lambda a: a["degree"])["id"]
    largest_country = _largest_country(folder)
    if not args.skip_evaluate_links:
        result = run_cli(["evaluate-links"], env)
        _row(rows, "evaluate-links", result, rss=result["rss"],
             note=f"cpu {result['cpu']:.1f} s")
    server = Server(env)
    try:
        base = server.base
        project = _largest_project(folder)
        clusters = [c["id"] for c in json.loads(fetch(base, "/api/v1/clusters")["body"])
                    ["items"]]
        routes = [
            ("GET /api/v1/metrics", "/api/v1/metrics"),
            ("GET /api/v1/countries/<largest>/metrics",
             f"/api/v1/countries/{largest_country}/metrics"),
            # a question no warming job asks (19 null-model runs, not 20): computed when
            # asked, while the ecosystem's job holds the other worker
            ("GET /api/v1/countries/<largest>/metrics?null_runs=19",
             f"/api/v1/countries/{largest_country}/metrics?null_runs=19"),
            ("GET /actors/<largest hub>", f"/actors/{hub}"),
            ("GET /api/v1/actors/<hub>/recommendations?top=50",
             f"/api/v1/actors/{hub}/recommendations?top=50"),
            ("GET / (home)", "/"),
            ("GET /countries/<largest>", f"/countries/{largest_country}"),
            ("GET /projects/<largest consortium>", f"/projects/cordis-project-{project}"),
            ("GET /data", "/data"),
            # the downloads a researcher starts: written by a job, then the file itself
            ("GET /api/v1/network.gexf (ecosystem)", "/api/v1/network.gexf"),
            ("GET /api/v1/export?format=graphml", "/api/v1/export?format=graphml"),
        ]
        if clusters:
            for tab in ("network", "scorecard", "evolution", "communities", "links"):
                routes.append((f"GET /clusters/<c>?tab={tab}", f"/clusters/{clusters[0]}"
                               f"?tab={tab}"))
            routes.append(("GET /compare", "/compare?clusters=" + ",".join(clusters[:2])))
        progress_seen = {}  # pages that answered with a progress block when cold
        for cold in (True, False):
            for what, path in routes:
                try:
                    if not cold and what in progress_seen:
                        # "warm" is the page with its figures: wait for the job, then time
                        _wait_for_page(base, path)
                        notes.append(f"{what}: answered cold with a progress block; its job "
                                     f"was done at most "
                                     f"{time.perf_counter() - progress_seen[what]:.1f} s "
                                     "after the cold request began")
                    result = fetch(base, path)
                except (urllib.error.HTTPError, RuntimeError, TimeoutError) as exc:
                    notes.append(f"{what}: {exc}")
                    continue
                if cold and PROGRESS_MARK in result["body"]:
                    progress_seen[what] = result["started"]
                _row(rows, what, result, cold=cold, rss=server.rss(),
                     note="progress block (job running)" if PROGRESS_MARK in result["body"]
                     else "")
        _row(rows, "serve process after every page type", {"seconds": 0.0},
             rss=server.rss(), note="largest job worker process peak RSS "
                                    f"{server.workers_rss() / 2**20:,.0f} MiB")
    finally:
        server.stop()
    # the same computations in bare igraph, and networkx extrapolated
    metrics_row = next(r for r in rows if r["what"] == "metrics --all")
    bare = bare_igraph_metrics(folder, null_runs=20)
    ratio = metrics_row["seconds"] / bare["total"]
    rows.append({"what": "bare igraph, same computations as metrics --all",
                 "seconds": bare["total"], "cold": None, "accepted": None, "bytes": None,
                 "rss": None, "target": (None, None, None),
                 "verdict": "PASS" if ratio <= 2 else "MISS",
                 "note": f"metrics --all / bare = {ratio:.2f}x (target <= 2x; metrics "
                         "--all uses both cores, its null model and constraint in forked "
                         "processes, the bare script one); phases "
                         + ", ".join(f"{k} {v:.1f} s" for k, v in bare.items())})
    country_row = next((r for r in rows if r["what"].startswith("GET /api/v1/countries")
                        and r["what"].endswith("null_runs=19") and r["cold"]), None)
    if country_row:
        bare_c = bare_igraph_metrics(folder, null_runs=19, country=largest_country)
        rows.append({"what": f"bare igraph, same computations as country {largest_country}",
                     "seconds": bare_c["total"], "cold": None, "accepted": None,
                     "bytes": None, "rss": None, "target": (None, None, None),
                     "verdict": "", "note": f"API computed cold (null_runs=19) / bare = "
                     f"{country_row['seconds'] / bare_c['total']:.2f}x (the API also reads "
                     "Neo4j and answers HTTP; bare igraph uses one core)"})
    from service.analytics.paths import AUTO_PATH_SAMPLES

    nx_s = networkx_extrapolated(folder, searches=3 * AUTO_PATH_SAMPLES + 1000)
    rows.append({"what": "networkx, the path searches of metrics --all (EXTRAPOLATED)",
                 "seconds": nx_s, "cold": None, "accepted": None, "bytes": None, "rss": None,
                 "target": (None, None, None), "verdict": "",
                 "note": f"from 4 BFS x {3 * AUTO_PATH_SAMPLES + 1000} searches; "
                         f"networkx / bare igraph paths = "
                         f"{nx_s / max(bare['paths'], 1e-9):.0f}x"})
    notes.append(f"figures of the input: {figures}")


def _bare_load(folder: Path, tmp: Path, rows: list) -> None:
    """The load's reference: ``bench/bare_load.py`` (the same files written by a bare
    driver script) on a fresh server of its own, as the load ran on one."""
    bare_tmp = tmp / "bare"
    bare_tmp.mkdir()
    env, server = _neo4j(bare_tmp, False)
    try:
        result = run_cli([str(folder)], env, program=(sys.executable,
                                                      str(ROOT / "bench" / "bare_load.py")))
    finally:
        server.stop()
    load = next(r for r in rows if r["what"] == "load cordis")
    _row(rows, "bare driver script, the same files (bench/bare_load.py)", result,
         rss=result["rss"], note=f"load cordis / bare = "
         f"{load['seconds'] / result['seconds']:.2f}x (the load also checks every value, "
         f"writes provenance and reports; cpu {result['cpu']:.1f} s)")


def _largest_country(folder: Path) -> str:
    from collections import Counter

    seen = {row["organisationID"]: row["country"]
            for row in read_rows(folder / "organization.csv")}
    return Counter(seen.values()).most_common(1)[0][0]


def _largest_project(folder: Path) -> str:
    from collections import Counter

    sizes = Counter(row["projectID"] for row in read_rows(folder / "organization.csv"))
    return sizes.most_common(1)[0][0]


def _print(rows: list, notes: list) -> None:
    print()
    print(f"{'what':<52} {'run':<5} {'time':>9} {'to 202':>7} {'bytes':>11} {'peak RSS':>10}"
          f"  {'target':<22} verdict  note")
    for r in rows:
        limit_s, limit_b, limit_rss = r["target"]
        target = " ".join(x for x in (
            f"<={limit_s} s" if limit_s is not None else "",
            f"<={limit_b / 1e6:.0f} MB" if limit_b else "",
            f"<={limit_rss / GIB:.0f} GiB" if limit_rss else "") if x)
        run = "cold" if r["cold"] else "warm" if r["cold"] is False else ""
        accepted = f"{r['accepted']:.2f}" if r.get("accepted") is not None else ""
        size = f"{r['bytes']:,}" if r.get("bytes") is not None else ""
        rss = f"{r['rss'] / 2**20:,.0f} MiB" if r.get("rss") else ""
        print(f"{r['what']:<52} {run:<5} {r['seconds']:>7.2f} s {accepted:>7} {size:>11} "
              f"{rss:>10}  {target:<22} {r['verdict']:<7}  {r['note']}")
    for note in notes:
        print("note:", note)


if __name__ == "__main__":
    sys.exit(main())
