"""Web tests: the Flask app against the session's real Neo4j, with the demo loaded once."""

from __future__ import annotations

import pytest

from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle


@pytest.fixture(scope="module")
def demo_store(session_store, tmp_path_factory):
    """The graph holding exactly the demo ecosystem (loaded once per module)."""
    session_store.delete_all()
    folder = tmp_path_factory.mktemp("demo-bundle")
    write_demo_bundle(folder, seed=2011)
    session_store.write(read_bundle(folder), kind="demo", synthetic=True)
    return session_store


@pytest.fixture(scope="module")
def app(demo_store, neo4j_settings, tmp_path_factory):
    from service import create_app

    config = {key: neo4j_settings[key] for key in
              ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")}
    config["SYNERGRAPH_HOME"] = str(tmp_path_factory.mktemp("web-home"))
    config["TESTING"] = True
    config["SYNERGRAPH_PUBLIC_READ"] = "1"  # pages open to anonymous visitors
    app = create_app(config)
    yield app
    app.extensions["synergraph"].store.driver.close()


@pytest.fixture
def client(app):
    return app.test_client()
