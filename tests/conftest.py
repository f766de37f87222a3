"""Test session fixtures: a real Neo4j server, started once per session.

When ``SYNERGRAPH_TEST_NEO4J_URI`` is set, the tests use that server (and EMPTY it);
otherwise the session provisions its own server in a temporary folder on free ports, so a
developer's running instance and a CI run never collide. The jars are shared with the
project's own install (``$SYNERGRAPH_HOME/neo4j/lib``) to avoid a second download.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support import QUICK_JVM_ENV, cypher_rows, quick_stop_home

from service.settings import default_home, load_settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORDIS_SAMPLE = SHARED / "data" / "cordis-h2020-sample"


class BufferedClient(FlaskClient):
    """The test client, reading each response whole and closing it as a WSGI server does
    once the body is sent (a download streamed from the cache's folder would otherwise
    keep its file open until the response is collected)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


Flask.test_client_class = BufferedClient


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory) -> dict:
    """Settings pointing at the test session's Neo4j."""
    uri = os.environ.get("SYNERGRAPH_TEST_NEO4J_URI")
    if uri:
        yield load_settings({
            "NEO4J_URI": uri,
            "NEO4J_USER": os.environ.get("SYNERGRAPH_TEST_NEO4J_USER", "neo4j"),
            "NEO4J_PASSWORD": os.environ.get("SYNERGRAPH_TEST_NEO4J_PASSWORD", ""),
        }, dotenv=False)
        return
    from service.neo4j_server import LocalNeo4j

    home = os.environ.get("SYNERGRAPH_HOME") or str(default_home())
    lib = Path(home) / "neo4j" / "lib"
    shared_install = LocalNeo4j(home)
    shared_install.install()
    test_home = quick_stop_home(tmp_path_factory.mktemp("neo4j-test-home"))
    password = secrets.token_urlsafe(16)
    server = LocalNeo4j(test_home, bolt_port=_free_port(), http_port=_free_port(),
                        password=password, heap="1g", pagecache="256m", lib_dir=lib)
    with pytest.MonkeyPatch.context() as env:  # the C1 JIT: see tests/support.py
        for name, value in QUICK_JVM_ENV.items():
            env.setenv(name, value)
        server.start(echo=lambda *a: None)
    try:
        yield load_settings({
            "NEO4J_URI": server.bolt_uri,
            "NEO4J_USER": "neo4j",
            "NEO4J_PASSWORD": password,
            "SYNERGRAPH_HOME": str(test_home),
        }, dotenv=False)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def session_store(neo4j_settings):
    from service.db import make_store

    store = make_store(neo4j_settings)
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def store(session_store):
    """The GraphStore on an empty graph (constraints kept)."""
    session_store.delete_all()
    return session_store


@pytest.fixture
def cordis_sample() -> Path:
    if not (CORDIS_SAMPLE / "organization.csv").is_file():
        pytest.fail(f"CORDIS sample not found at {CORDIS_SAMPLE}: the tests expect the "
                    "project's shared/ folder beside the checkout")
    return CORDIS_SAMPLE


def sign_in(app, client, role: str, *, username: str | None = None):
    """Make ``client`` a signed-in user of ``role`` (created in the app's account store).

    The session gets a known CSRF token, sent with every request as X-CSRF-Token, as a
    browser page would send it from its forms.
    """
    accounts = app.extensions["synergraph_accounts"]
    username = username or f"test-{role}"
    if accounts.get(username) is None:
        accounts.add_user(username, "a test password", role)
    with client.session_transaction() as session:
        session["user"] = username
        session["sid"] = accounts.open_session(username)  # a server-side session, as /login
        session["csrf"] = "test-csrf-token"
    client.environ_base["HTTP_X_CSRF_TOKEN"] = "test-csrf-token"
    return client


@pytest.fixture(name="sign_in")
def sign_in_fixture():
    """``sign_in(app, client, role)``: see :func:`sign_in`."""
    return sign_in


@pytest.fixture(scope="session")
def cordis_sample_path() -> Path:
    """The CORDIS sample folder, for module-scoped fixtures."""
    if not (CORDIS_SAMPLE / "organization.csv").is_file():
        pytest.fail(f"CORDIS sample not found at {CORDIS_SAMPLE}")
    return CORDIS_SAMPLE


def _graph_state(store, settings: dict) -> tuple | None:
    """What tells whether anything was written to the session's database since: every
    committed write (data or schema, by any client) appends to the transaction log, so its
    files' sizes and modification times change, and reads leave them alone; plus the
    node and relationship counts. ``None`` (always reload) for a server of one's own."""
    if os.environ.get("SYNERGRAPH_TEST_NEO4J_URI"):
        return None
    folder = (Path(settings["SYNERGRAPH_HOME"]) / "neo4j" / "data" / "transactions"
              / (store.database or "neo4j"))
    if not folder.is_dir():
        return None
    files = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                         for p in folder.glob("neostore.transaction.db*")))
    counts = cypher_rows(store, "CALL { MATCH (n) RETURN count(n) AS nodes } "
                                "CALL { MATCH ()-[r]->() RETURN count(r) AS rels } "
                                "RETURN nodes, rels")[0]
    return (files, counts["nodes"], counts["rels"]) if files else None


@pytest.fixture(scope="session")
def demo_bundle_folder(tmp_path_factory) -> Path:
    """The demo ecosystem's bundle (seed 2011), written once per session."""
    from loaders.demo import write_demo_bundle

    folder = tmp_path_factory.mktemp("demo-bundle")
    write_demo_bundle(folder, seed=2011)
    return folder


_DEMO_LOADED: dict[str, tuple | None] = {"state": None}


@pytest.fixture(scope="module")
def demo_graph(session_store, neo4j_settings, demo_bundle_folder):
    """The graph holding exactly the demo ecosystem, as if loaded afresh for each module.

    The load is skipped when the graph is still the very one the previous load left:
    nothing was committed since (a test that wrote anything, or emptied the graph, makes
    the next module load the demo again; see :func:`_graph_state`)."""
    from loaders.bundle import read_bundle

    state = _graph_state(session_store, neo4j_settings)
    if state is None or state != _DEMO_LOADED["state"]:
        _DEMO_LOADED["state"] = None
        session_store.delete_all()
        session_store.write(read_bundle(demo_bundle_folder), kind="demo", synthetic=True)
        # A later write then lands on a later clock tick: its modification time differs.
        time.sleep(0.05)
        _DEMO_LOADED["state"] = _graph_state(session_store, neo4j_settings)
    return session_store


@pytest.fixture(scope="session")
def make_app(neo4j_settings, tmp_path_factory):
    """``make_app(**config)``: an app on the test server with its own SYNERGRAPH_HOME."""
    from service import create_app

    apps = []

    def build(**config):
        base = {key: neo4j_settings[key] for key in
                ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")}
        base.update(SYNERGRAPH_HOME=str(tmp_path_factory.mktemp("app-home")), TESTING=True)
        base.update(config)
        app = create_app(base)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["synergraph"].store.close()
