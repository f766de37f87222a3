"""The notebook example of docs/console-and-exports.md runs as written: against
``synergraph serve`` (the real waitress server, no public read) on a free port, with a
token made by ``synergraph token create``, it pulls a cluster's network and metrics into
pandas and networkx, and what it holds equals the API's metrics."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from helpers import ROOT, SYNERGRAPH, cli_env

pytestmark = [pytest.mark.neo4j]

DOC = ROOT / "docs" / "console-and-exports.md"
HEADING = "### From a notebook: a cluster's network and metrics in pandas and networkx"


def _example() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert HEADING in text, "the notebook section is gone from the docs"
    block = re.search(r"```python\n(.*?)```", text[text.index(HEADING):], re.S)
    assert block, "no python block under the notebook heading"
    return block.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}
                                     if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def served(demo_graph, neo4j_settings, tmp_path):
    """``(base URL, token)`` of ``synergraph serve`` on the demo, with a researcher's
    token."""
    env = cli_env(neo4j_settings)
    subprocess.run([str(SYNERGRAPH), "user", "add", "notebook-reader", "--role", "researcher"],
                   input="a notebook password\n", env=env, cwd=tmp_path, check=True,
                   capture_output=True, text=True, timeout=60)
    created = subprocess.run([str(SYNERGRAPH), "token", "create", "notebook-reader"],
                             env=env, cwd=tmp_path, check=True, capture_output=True,
                             text=True, timeout=60)
    token = created.stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [str(SYNERGRAPH), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise AssertionError("serve stopped:\n" + server.stdout.read())
            try:
                if _status(base + "/api/v1/health") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve did not answer within 60 s"
            time.sleep(0.3)
        yield base, token
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()


def test_the_documented_notebook_example_runs(served, monkeypatch, capsys):
    base, token = served
    # the token is needed: without it the same URL is refused
    assert _status(base + "/api/v1/clusters/mnc/network.csv.zip") == 401
    assert _status(base + "/api/v1/clusters/mnc/network.csv.zip", token) == 200
    monkeypatch.setenv("SYNERGRAPH_URL", base)
    monkeypatch.setenv("SYNERGRAPH_TOKEN", token)
    namespace: dict = {"__name__": "notebook"}
    exec(compile(_example(), str(DOC), "exec"), namespace)  # noqa: S102 - our own doc

    G, nodes, edges, figures = (namespace[k] for k in ("G", "nodes", "edges", "figures"))
    request = urllib.request.Request(base + "/api/v1/clusters/mnc/metrics?years=2011-2014"
                                     "&null_runs=0", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        metrics = json.loads(response.read())
    actors = {row["id"]: row for row in metrics["actors"]}
    assert figures["cohesion"] == metrics["cohesion"]
    assert set(G) == set(nodes.index) == set(actors)
    assert G.number_of_edges() == len(edges) == metrics["cohesion"]["edges"] > 0
    for actor_id, row in nodes.iterrows():
        assert row["betweenness"] == actors[actor_id]["betweenness"]
        assert row["degree"] == actors[actor_id]["degree"]
        assert row["kind"] == actors[actor_id]["kind"]
        assert G.nodes[actor_id]["kind"] == actors[actor_id]["kind"]
    assert all(2011 <= y <= 2014 for y in edges["first_year"])
    printed = capsys.readouterr().out
    assert "Maroc Numeric Cluster (synthetic data)" in printed
    density = round(metrics["cohesion"]["density"], 4)
    assert f"density {density} = {density}" in printed
