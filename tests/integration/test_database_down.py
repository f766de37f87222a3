"""Issue 10, item 15: Neo4j down -> 503 with Retry-After within 3 s (problem+json on the API,
a page saying so elsewhere, health as JSON), and back to 200 when Neo4j is back, without
restarting the app. A second, private Neo4j is started, stopped and started again."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from support import QUICK_JVM_ENV, quick_stop_home

from service.neo4j_server import LocalNeo4j
from service.settings import default_home

pytestmark = [pytest.mark.neo4j]

URLS = ("/", "/clusters/mnc", "/api/v1/clusters", "/api/v1/health")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def second_server(tmp_path_factory):
    if os.environ.get("SYNERGRAPH_TEST_NEO4J_URI"):
        pytest.skip("the tests use an external server (SYNERGRAPH_TEST_NEO4J_URI)")
    home = os.environ.get("SYNERGRAPH_HOME") or str(default_home())
    server = LocalNeo4j(quick_stop_home(tmp_path_factory.mktemp("down-home")),
                        bolt_port=_free_port(), http_port=_free_port(), heap="512m",
                        pagecache="64m", lib_dir=Path(home) / "neo4j" / "lib")
    with pytest.MonkeyPatch.context() as env:  # the test starts it again: the same JVM flags
        for name, value in QUICK_JVM_ENV.items():
            env.setenv(name, value)
        server.start(echo=lambda *a: None)
        try:
            yield server
        finally:
            server.stop()


def _timed(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_neo4j_down_gives_503_fast_and_recovery_needs_no_restart(second_server, make_app,
                                                                 tmp_path):
    from loaders.bundle import read_bundle
    from loaders.demo import write_demo_bundle

    app = make_app(NEO4J_URI=second_server.bolt_uri, NEO4J_USER="neo4j",
                   NEO4J_PASSWORD=second_server.password(), SYNERGRAPH_PUBLIC_READ="1")
    store = app.extensions["synergraph"].store
    store.migrate()
    write_demo_bundle(tmp_path / "demo", seed=2011)
    store.write(read_bundle(tmp_path / "demo"), kind="demo", synthetic=True)
    client = app.test_client()
    for url in URLS:
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/health").get_json()["database"] == "up"

    assert second_server.stop() is True
    for url in URLS:
        response, seconds = _timed(client, url)
        assert response.status_code == 503, (url, response.status_code)
        assert seconds < 3.0, (url, seconds)
        assert int(response.headers["Retry-After"]) > 0
        if url == "/api/v1/health":
            assert response.mimetype == "application/json"
            assert response.get_json()["database"] == "unavailable"
        elif url.startswith("/api/"):
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["type"].endswith("/database-unavailable")
        else:
            assert response.mimetype == "text/html"
            assert "database is unavailable" in response.get_data(as_text=True)
            french = client.get(url, headers={"Accept-Language": "fr"})
            assert french.status_code == 503
            assert "Base de données indisponible" in french.get_data(as_text=True)

    second_server.start(echo=lambda *a: None)
    deadline = time.monotonic() + 30
    while client.get("/api/v1/health").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    for url in URLS:
        assert client.get(url).status_code == 200, url
    health = client.get("/api/v1/health").get_json()
    assert health["database"] == "up" and health["status"] == "ok"
