"""``synergraph serve`` itself: the command a user runs starts, answers and serves the demo
(the app tests use the Flask test client; this drives the real waitress server)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

from helpers import SYNERGRAPH, cli_env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_serve_answers_with_the_demo(demo_graph, neo4j_settings, tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [str(SYNERGRAPH), "serve", "--public-read", "--host", "127.0.0.1", "--port", str(port)],
        env=cli_env(neo4j_settings), cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise AssertionError("serve stopped:\n" + server.stdout.read())
            try:
                status, body = _get(base + "/api/v1/health")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, "serve did not answer within 60 s"
        assert json.loads(body)["database"] == "up"
        status, body = _get(base + "/")
        assert status == 200 and b"Maroc Numeric Cluster" in body
        status, body = _get(base + "/api/v1/clusters/mnc?years=2012-2013")
        assert status == 200 and json.loads(body)["filter"]["years"] == [2012, 2013]
        status, body = _get(base + "/clusters/mnc?tab=communities&kinds=sme,university")
        assert status == 200 and b"communities-table" in body
        status, body = _get(base + "/console")  # behind sign-in, even in public-read mode
        assert status == 200 and b'name="password"' in body
    finally:
        server.terminate()
        server.wait(10)
        server.stdout.close()
