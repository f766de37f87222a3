"""Web tests: the Flask app against the session's real Neo4j, with the demo loaded once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def demo_store(demo_graph):
    """The graph holding exactly the demo ecosystem (loaded once per module)."""
    return demo_graph


@pytest.fixture(scope="module")
def app(demo_store, make_app):
    return make_app(SYNERGRAPH_PUBLIC_READ="1")  # pages open to anonymous visitors


@pytest.fixture
def client(app):
    return app.test_client()
