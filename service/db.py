"""Connection to the configured Neo4j: a user's server (NEO4J_URI) or the provisioned one."""

from __future__ import annotations

from neo4j import Driver, GraphDatabase

from graph_schema.store import GraphStore

from .neo4j_server import LocalNeo4j

__all__ = ["connection_target", "make_driver", "make_store", "ensure_local_server"]


def connection_target(settings: dict) -> tuple[str, str, str]:
    """``(uri, user, password)`` for the configured server."""
    user = settings["NEO4J_USER"]
    if settings["NEO4J_URI"]:
        return settings["NEO4J_URI"], user, settings["NEO4J_PASSWORD"] or ""
    local = LocalNeo4j.from_settings(settings)
    return local.bolt_uri, user, local.password()


def make_driver(settings: dict) -> Driver:
    """The driver, with short timeouts: when Neo4j is down, a request fails in about
    ``NEO4J_CONNECT_TIMEOUT_S + NEO4J_RETRY_S`` seconds (the service answers 503) instead of
    the driver's default 30 s of retries; it reconnects by itself when Neo4j is back."""
    uri, user, password = connection_target(settings)
    connect_s = settings["NEO4J_CONNECT_TIMEOUT_S"]
    return GraphDatabase.driver(
        uri,
        auth=(user, password),
        user_agent="synergraph/0.1",
        connection_timeout=connect_s,
        connection_acquisition_timeout=connect_s,
        max_transaction_retry_time=settings["NEO4J_RETRY_S"],
        # Synergraph's own statements are reviewed; server hints (e.g. "relationship type
        # does not exist yet" on an empty graph) would only be noise in logs.
        notifications_min_severity="OFF",
    )


def ensure_local_server(settings: dict, *, echo=print) -> None:
    """Start the provisioned server when no NEO4J_URI is configured and it is not running."""
    if settings.get("NEO4J_URI"):
        return
    local = LocalNeo4j.from_settings(settings)
    if not local.pid():
        local.start(echo=echo)


def make_store(settings: dict, driver: Driver | None = None) -> GraphStore:
    driver = driver or make_driver(settings)
    return GraphStore(driver, settings["NEO4J_DATABASE"],
                      batch_size=settings["SYNERGRAPH_BATCH_SIZE"])
