"""Small helpers shared by test modules (the tests folder is on sys.path: its conftest)."""

from __future__ import annotations


def cypher_rows(store, query: str, **params) -> list[dict]:
    """Run a Cypher statement on the test server, independently of the code under test."""
    records, _, _ = store.driver.execute_query(query, params, database_=store.database)
    return [record.data() for record in records]


#: Neo4j settings for the servers the tests start (the session's and the private ones of
#: test_database_down, test_neo4j_server and test_load_safety): a stopping server waits
#: about 1 s, not 10 s, for the Bolt connections still open (a test's driver pool) before
#: it shuts down. Written into the server's ``conf/neo4j.conf``, which the server reads
#: beside the settings synergraph passes with ``-c`` (the product code is unchanged).
QUICK_STOP_CONF = (
    "internal.server.bolt.connection_shutdown_wait_time=1s\n"
    "internal.server.bolt.thread_pool_shutdown_wait_time=1s\n"
)

#: The JVM option of the Neo4j JVMs the tests start (the session's server, the private
#: servers that start, stop and start again, and neo4j-admin): the C1 compiler only. It
#: halves the start of a server (about 5 s instead of 11 s on 2 cores). The session's
#: server loads run up to twice as long on C1, yet the whole suite is faster: 542 s and
#: 448 s of user CPU with it, 626 s and 515 s with the default JIT, whose compiler threads
#: compete with the tests on 2 cores. Passed through JAVA_TOOL_OPTIONS, which every
#: ``java`` reads; same Neo4j, same answers.
QUICK_JVM_ENV = {"JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"}


def quick_stop_home(home):
    """Prepare the Neo4j home ``home`` (what LocalNeo4j and ``SYNERGRAPH_HOME`` take) so
    that its server stops quickly: see :data:`QUICK_STOP_CONF`. Returns ``home``."""
    from pathlib import Path

    conf = Path(home) / "neo4j" / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(
        "# Written by the tests (tests/support.py): quick stops.\n" + QUICK_STOP_CONF)
    return home
