"""Web network view benchmark: a 2,000-actor view, its size, server time and first draw.

Builds a seeded synthetic ecosystem (``bench.synthetic``) of N actors (default 2,000),
renders the network view the way the cluster page does (``service.usecases.network``
+ ``web.network.network_data`` + ``render_network``: server-side layout, physics off) and
measures:

* server time (graph, centralities, layout, node data, HTML) and the HTML+data size
  (target < 2 MB; vis-network itself is a separate, cached 700 kB asset);
* first-draw time in a real headless Chromium (Debian's ``/usr/bin/chromium``, through
  Selenium and ``/usr/bin/chromedriver``): from navigation start until ``network.js`` marks
  the canvas drawn (``data-drawn-at``).

Baseline, measured in the same run: pyvis's own path — ``Network.from_nx`` and its default
template (``cdn_resources="in_line"``, default physics on, so the browser simulates the
layout before the first draw); remote ``<script>``/``<link>`` tags of that template are
removed so nothing leaves the machine.

Usage::

    .venv/bin/python bench/bench_web.py [--actors 2000] [--no-browser] [--json]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import generate  # noqa: E402
from service.analytics import co_participation_graph  # noqa: E402
from service.usecases import (  # noqa: E402
    Context,
    GroupFilter,
    GroupRef,
    NetworkView,
    network,
)
from web.network import VIS_DIR, network_data, render_network  # noqa: E402

STATIC = ROOT / "web" / "static"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SIZE_TARGET = 2 * 1024 * 1024

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>bench</title><link rel="stylesheet" href="vis-network.css">
<link rel="stylesheet" href="style.css"></head><body><main>
{fragment}
</main><script src="vis-network.min.js"></script><script src="network.js"></script>
</body></html>"""

HOOK = """<script>
(function () {
  function hook() {
    if (typeof network === "undefined") { return setTimeout(hook, 5); }
    network.once("afterDrawing", function () {
      document.body.dataset.drawnAt = String(Math.round(performance.now()));
    });
  }
  hook();
})();
</script></body>"""


def ecosystem(n_actors: int, seed: int = 0):
    eco = generate(n_actors=n_actors, n_projects=int(n_actors * 0.9),
                   n_participations=int(n_actors * 2.6), seed=seed)
    years = {pid: p.get("start_year") for pid, p in (eco.projects or {}).items()}
    actors = [{"id": a["id"], "name": a["name"], "kind": a["kind"],
               "clusters": list(a.get("clusters") or [])[:2]} for a in eco.actors]
    parts = [{"actor_id": a, "project_id": p, "start_year": years.get(p)}
             for a, p in eco.participations]
    return actors, parts


class RecordsContext(Context):
    """The use cases on in-memory records (no database: the bench measures the view)."""

    class _Store:
        @staticmethod
        def graph_version() -> int:
            return 0

    def __init__(self, actors, parts):
        super().__init__(self._Store())
        self._records = (actors, parts)

    def describe(self, ref):
        return {"id": ref.id, "name": ref.id}

    def records(self, ref):
        return self._records


def ours(actors, parts) -> dict:
    t0 = time.perf_counter()
    view = network(RecordsContext(actors, parts), GroupRef("cluster", "bench"), GroupFilter(),
                   NetworkView(view="full"))
    t1 = time.perf_counter()
    data = network_data(view["graph"], {"actors": view["rows"]})
    t2 = time.perf_counter()
    fragment = render_network(data)
    html = PAGE.format(fragment=fragment)
    t3 = time.perf_counter()
    return {"html": html, "nodes": len(data["nodes"]), "edges": len(data["edges"]),
            "server_s": t3 - t0, "figures_s": t1 - t0, "layout_and_data_s": t2 - t1,
            "render_s": t3 - t2}


def baseline(actors, parts) -> dict:
    from pyvis.network import Network

    t0 = time.perf_counter()
    graph = co_participation_graph(actors, [(p["actor_id"], p["project_id"]) for p in parts],
                                   keep_projects=False)
    for _, data in graph.nodes(data=True):  # pyvis can only pass scalar attributes
        data.pop("clusters", None)
    net = Network(height="640px", width="100%", cdn_resources="in_line")
    net.from_nx(graph)
    html = net.generate_html()
    t1 = time.perf_counter()
    html = re.sub(r'<script src="https?://[^"]*"[^>]*></script>', "", html)
    html = re.sub(r'<link [^>]*href="https?://[^"]*"[^>]*/?>', "", html)
    html = html.replace("</body>", HOOK, 1)
    return {"html": html, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
            "server_s": t1 - t0}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def first_draw(folder: Path, pages: dict, timeout_s: float = 180.0) -> dict:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.page_load_strategy = "none"  # poll for the draw ourselves
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.command_executor.client_config.timeout = timeout_s + 60
    out = {}
    try:
        base = f"http://127.0.0.1:{server.server_port}/"
        driver.get(base + "warm.html")  # warm the browser and the asset cache
        time.sleep(0.5)
        for name, (filename, script) in pages.items():
            start = time.perf_counter()
            driver.get(base + filename)
            try:
                value = WebDriverWait(driver, timeout_s, poll_frequency=0.05).until(
                    lambda d, s=script: d.execute_script(s))
            except TimeoutException:
                out[name] = {"first_draw_ms": None, "wall_s": time.perf_counter() - start,
                             "timed_out": True}
                continue
            out[name] = {"first_draw_ms": float(value),
                         "wall_s": time.perf_counter() - start}
    finally:
        driver.quit()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    actors, parts = ecosystem(args.actors, seed=args.seed)
    mine = ours(actors, parts)
    base = baseline(actors, parts)
    result = {
        "actors": args.actors,
        "ours": {k: v for k, v in mine.items() if k != "html"},
        "baseline": {k: v for k, v in base.items() if k != "html"},
    }
    result["ours"]["html_bytes"] = len(mine["html"].encode())
    result["baseline"]["html_bytes"] = len(base["html"].encode())
    result["ours"]["under_2mb"] = result["ours"]["html_bytes"] < SIZE_TARGET

    if not args.no_browser:
        folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
        try:
            for name in ("vis-network.min.js", "vis-network.css"):
                shutil.copy(VIS_DIR / name, folder / name)
            for name in ("network.js", "style.css"):
                shutil.copy(STATIC / name, folder / name)
            (folder / "ours.html").write_text(mine["html"], encoding="utf-8")
            (folder / "baseline.html").write_text(base["html"], encoding="utf-8")
            (folder / "warm.html").write_text(PAGE.format(fragment=""), encoding="utf-8")
            draws = first_draw(folder, {
                "ours": ("ours.html", "var c = document.getElementById('network');"
                                      "return c && c.dataset.drawnAt;"),
                "baseline": ("baseline.html", "return document.body.dataset.drawnAt;"),
            })
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for name, figures in draws.items():
            result[name].update(figures)

    o, b = result["ours"], result["baseline"]
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"network view of {o['nodes']:,} actors and {o['edges']:,} ties "
          f"(baseline graph: {b['nodes']:,} / {b['edges']:,})")
    print(f"{'':28}{'ours':>14}{'pyvis default':>16}{'ratio':>10}")

    def line(label, key, fmt):
        if o.get(key) is not None and b.get(key) is None and key in b:
            waited_ms = b["wall_s"] * 1000  # no draw within the timeout: a lower bound
            print(f"{label:28}{fmt(o[key]):>14}{'> ' + fmt(waited_ms):>16}"
                  f"{'> ' + format(waited_ms / o[key], '.0f'):>9}x")
        if o.get(key) is not None and b.get(key) is not None:
            ratio = b[key] / o[key] if o[key] else float("inf")
            print(f"{label:28}{fmt(o[key]):>14}{fmt(b[key]):>16}{ratio:>9.1f}x")

    line("server time", "server_s", lambda v: f"{v:.2f} s")
    line("HTML + data", "html_bytes", lambda v: f"{v / 1024:,.0f} kB")
    line("first draw (Chromium)", "first_draw_ms", lambda v: f"{v:,.0f} ms")
    print(f"ours: figures {o['figures_s']:.2f} s, layout+data {o['layout_and_data_s']:.2f} s, "
          f"render {o['render_s']:.2f} s; HTML+data under 2 MB: {o['under_2mb']} "
          "(vis-network.min.js is served separately and cached)")
    print("baseline HTML inlines vis-network (~700 kB); ratio > 1 means ours is smaller/faster")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
