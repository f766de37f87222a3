"""The read-only Cypher console against the real Neo4j server, on the demo ecosystem."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from support import cypher_rows as _cypher

from graph_schema import console
from graph_schema.console import (
    EXAMPLES,
    CypherSyntaxError,
    QueryFailed,
    QueryTimeout,
    RefusedStatement,
    precheck,
    run_read_only,
    schema_summary,
)

pytestmark = [pytest.mark.neo4j]


@pytest.fixture(scope="module")
def demo(demo_graph):
    return demo_graph


def _run(store, query, parameters=None, **kwargs):
    return run_read_only(store, query, parameters, **kwargs)



def dump_graph(store, **_ignored) -> list[str]:
    """Every node and relationship with its properties (bookkeeping included), sorted."""
    nodes = _cypher(store, "MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = _cypher(store, "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, "
                          "elementId(b) AS b, properties(r) AS p")
    return sorted(json.dumps(x, sort_keys=True, default=str) for x in nodes + rels)


# -- pre-check ---------------------------------------------------------------------------
ALLOWED = [
    "MATCH (n) RETURN n LIMIT 5",
    "RETURN 'CREATE' AS word",
    "RETURN \"MERGE; DELETE\" AS s",
    "MATCH (n) WHERE n.name = 'x' RETURN n // SET",
    "MATCH (n) /* DETACH DELETE n */ RETURN count(n)",
    "MATCH (n:Actor) RETURN n.set, n.`create` AS `delete`",
    "MATCH (n) RETURN {set: 1, merge: 2} AS m",
    "MATCH (n) RETURN count(n) AS remove",
    "MATCH (n) RETURN n;",
    "CALL db.labels() YIELD label RETURN label",
    "CALL db.relationshipTypes()",
    "CALL `db`.`propertyKeys`() YIELD propertyKey RETURN propertyKey",
    "CALL db.schema.visualization()",
    "MATCH (p:Project) WHERE p.title STARTS WITH 'Smart' RETURN p",
    "MATCH (start:Actor)-[:MEMBER_OF]->(c) RETURN start, c",
    "RETURN 'it\\'s' AS a, 'back\\\\slash CREATE' AS b, \"say \\\"SET\\\"\" AS c",
    "MATCH (a) CALL (a) { RETURN a.id AS x } RETURN x",
]

REFUSED = [
    ("CREATE (n:X) RETURN n", "CREATE"),
    ("MERGE (n:X {id: 1})", "MERGE"),
    ("INSERT (n:X {id: 1})", "INSERT"),
    ("MATCH (n) DELETE n", "DELETE"),
    ("MATCH (n) DETACH DELETE n", "DETACH"),
    ("match (n) set n.x = 1", "SET"),
    ("MATCH (n) REMOVE n:Actor", "REMOVE"),
    ("FOREACH (x IN [1] | CREATE ())", "FOREACH"),
    ("LOAD CSV FROM 'file:///x.csv' AS row RETURN row", "LOAD CSV"),
    ("CALL dbms.security.createUser('x', 'y')", "dbms.security.createUser"),
    ("CALL db.stats.retrieve('QUERIES')", "db.stats.retrieve is not allowed"),
    ("SHOW TRANSACTIONS", "SHOW"),
    ("SHOW INDEXES", "SHOW"),
    ("CYPHER runtime=slotted SHOW SETTINGS", "SHOW"),
    ("PROFILE MATCH (n) RETURN n", "PROFILE"),
    ("SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t", "SHOW"),
    ("WITH 1 AS a // x\rLOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS l RETURN l", "LOAD CSV"),
    ("CALL db.createLabel('X')", "db.createLabel"),
    ("CALL db.index.fulltext.drop('x')", "db.index.fulltext.drop"),
    ("CALL apoc.create.node(['X'], {})", "apoc.create.node"),
    ("CALL apoc.periodic.iterate('a', 'b', {})", "apoc.periodic.iterate"),
    ("CREATE INDEX x FOR (n:Actor) ON (n.city)", "CREATE"),
    ("DROP CONSTRAINT actor_id", "DROP"),
    ("CREATE USER bob SET PASSWORD 'secret'", "CREATE"),
    ("GRANT ROLE admin TO bob", "GRANT"),
    ("REVOKE ROLE admin FROM bob", "REVOKE"),
    ("STOP DATABASE neo4j", "STOP"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("USE system SHOW USERS", "USE"),
    ("MATCH (n) RETURN n; MATCH (m) RETURN m", "several statements"),
    ("RETURN 1; CREATE ()", "several statements"),
    ("MATCH (n) CALL (n) { RETURN n.id AS x } IN TRANSACTIONS RETURN x", "IN TRANSACTIONS"),
    ("UNWIND [1] AS x CALL (x) { RETURN x AS y } IN 2 CONCURRENT TRANSACTIONS OF 10 ROWS "
     "RETURN y", "IN TRANSACTIONS"),
    ("   ", "empty"),
    ("// only a comment", "empty"),
]


@pytest.mark.parametrize("query", ALLOWED)
def test_precheck_allows_reads(query):
    precheck(query)


@pytest.mark.parametrize(("query", "reason"), REFUSED)
def test_precheck_refuses_writes_and_admin(query, reason):
    with pytest.raises(RefusedStatement) as info:
        precheck(query)
    assert reason.lower() in str(info.value).lower()


@pytest.mark.parametrize("query", [q for q in ALLOWED if not q.startswith("CALL db.schema")])
def test_allowed_queries_really_run(demo, query):
    result = _run(demo, query, row_limit=5)
    assert isinstance(result.columns, list)


# -- running ---------------------------------------------------------------------------
def test_rows_columns_and_graph_values(demo):
    result = _run(demo, """
        MATCH (a:Actor {id: $id})-[r:MEMBER_OF]->(c:Cluster)
        RETURN a, r, c.id AS cluster, date('2012-03-04') AS day,
               datetime('2012-03-04T05:06:07Z') AS at, [1, 'x', null] AS list,
               {k: c.name} AS map""", {"id": "mnc-a001"})
    assert result.columns == ["a", "r", "cluster", "day", "at", "list", "map"]
    assert len(result.rows) >= 1 and result.truncated is False
    actor, rel, cluster, day, at, values, mapping = result.rows[0]
    assert actor["labels"] == ["Actor"] and actor["properties"]["id"] == "mnc-a001"
    assert rel["type"] == "MEMBER_OF" and rel["start"] == actor["id"]
    assert cluster == "mnc" and day == "2012-03-04" and at.startswith("2012-03-04T05:06:07")
    assert values == [1, "x", None] and mapping == {"k": "Maroc Numeric Cluster"}
    assert {n["id"] for n in result.nodes} == {actor["id"]}
    assert [r["id"] for r in result.relationships] == [rel["id"]]
    assert result.elapsed_ms >= 0


def test_temporal_spatial_and_byte_values(demo):
    result = _run(demo, "RETURN duration('P1DT2H') AS d, time('10:11:12Z') AS t, "
                        "point({x: 1.5, y: 2.0}) AS p, localdatetime('2020-01-02T03:04') AS l")
    duration, moment, point, local = result.rows[0]
    assert duration == "P1DT2H" and moment.startswith("10:11:12")
    assert point == {"srid": 7203, "coordinates": [1.5, 2.0]}
    assert local.startswith("2020-01-02T03:04:00")


def test_paths_give_nodes_and_relationships(demo):
    result = _run(demo, "MATCH p = (:Actor {id: $id})-[:MEMBER_OF]->(:Cluster) RETURN p",
                  {"id": "mnc-a001"})
    path = result.rows[0][0]
    assert len(path["nodes"]) == 2 and len(path["relationships"]) == 1
    assert {n["id"] for n in result.nodes} == {n["id"] for n in path["nodes"]}


def test_row_limit_truncates(demo):
    total = _cypher(demo, "MATCH (a:Actor) RETURN count(a) AS n")[0]["n"]
    result = _run(demo, "MATCH (a:Actor) RETURN a.id AS id ORDER BY id", row_limit=10)
    assert len(result.rows) == 10 and result.truncated is True
    result = _run(demo, "MATCH (a:Actor) RETURN a.id AS id", row_limit=total)
    assert len(result.rows) == total and result.truncated is False


def test_parameters_are_values_not_cypher(demo):
    hostile = "x'}) DETACH DELETE n //"
    result = _run(demo, "MATCH (a:Actor) WHERE a.name = $name RETURN count(a) AS n",
                  {"name": hostile})
    assert result.rows == [[0]]
    assert _run(demo, "RETURN $v AS v", {"v": hostile}).rows == [[hostile]]


WRITES = [
    "CREATE (n:Intruder {id: 'x'}) RETURN n",
    "MATCH (a:Actor {id: 'mnc-a001'}) SET a.name = 'hacked' RETURN a",
    "MATCH (n:Cluster) DETACH DELETE n",
    "MERGE (n:Intruder {id: 'y'})",
    "CREATE INDEX intruder FOR (n:Actor) ON (n.city)",
    "CALL db.createLabel('Intruder')",
]


@pytest.mark.parametrize("query", WRITES)
def test_the_plan_check_refuses_writes_that_pass_the_precheck(demo, query):
    before = dump_graph(demo, bookkeeping=True)
    with pytest.raises(RefusedStatement) as info:
        _run(demo, query, _precheck=False)
    assert any(word in str(info.value) for word in ("writes", "schema", "not allowed"))
    assert dump_graph(demo, bookkeeping=True) == before


@pytest.mark.parametrize("query", WRITES)
def test_the_database_refuses_writes_that_pass_both_checks(demo, query):
    before = dump_graph(demo, bookkeeping=True)
    with pytest.raises(RefusedStatement) as info:
        _run(demo, query, _precheck=False, _plan_check=False)
    assert "read-only" in str(info.value) or "not allowed" in str(info.value)
    assert dump_graph(demo, bookkeeping=True) == before
    assert "intruder" not in {r["name"] for r in _cypher(demo, "SHOW INDEXES YIELD name")}


def test_timeout_is_enforced_by_the_server(demo):
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        _run(demo, "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 99 "
                   "RETURN count(x) AS n", timeout_s=0.5)
    assert time.monotonic() - started < 20


def test_syntax_and_other_errors(demo):
    with pytest.raises(CypherSyntaxError) as info:
        _run(demo, "MATCH (n RETURN n")
    assert info.value.code == "Neo.ClientError.Statement.SyntaxError"
    with pytest.raises(QueryFailed):
        _run(demo, "RETURN $missing AS x")
    with pytest.raises(QueryFailed):
        _run(demo, "RETURN 1 / 0 AS x")
    assert issubclass(CypherSyntaxError, console.ConsoleError)
    with pytest.raises(QueryFailed, match="parameters"):
        _run(demo, "RETURN $x AS x", {"x": 2**70})
    with pytest.raises(QueryFailed, match="JSON object"):
        _run(demo, "RETURN 1", [1])  # type: ignore[arg-type]


# -- schema and examples ------------------------------------------------------------------
def test_schema_summary_counts(demo):
    summary = schema_summary(demo)
    counts = demo.counts()
    labels = {row["name"]: row["count"] for row in summary["labels"]}
    types = {row["name"]: row["count"] for row in summary["relationship_types"]}
    for label, n in counts["nodes"].items():
        assert labels[label] == n, label
    for rel, n in counts["relationships"].items():
        assert types.get(rel, 0) == n, rel
    assert {"id", "name", "kind", "role"} <= set(summary["property_keys"])


def test_examples_are_parameterised_and_unique():
    assert len({e["id"] for e in EXAMPLES}) == len(EXAMPLES) >= 5
    for example in EXAMPLES:
        assert example["parameters"], example["id"]
        for name in example["parameters"]:
            assert f"${name}" in example["query"], (example["id"], name)
        precheck(example["query"])


def _members(store, cluster):
    return {r["id"] for r in _cypher(
        store, "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $c}) RETURN a.id AS id",
        c=cluster)}


def _projects_of(store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in _cypher(store, "MATCH (a:Actor)-[:PARTICIPATES_IN]->(p:Project) "
                              "RETURN a.id AS a, p.id AS p"):
        out.setdefault(row["a"], set()).add(row["p"])
    return out


@pytest.mark.parametrize(("a", "b"), [("mnc", "ce3m"), ("mnc", "mnc"), ("mmc", "oceanopole")])
def test_example_cluster_density(demo, a, b):
    ex = console.example("cluster-density")
    row = dict(zip(*_run_example(demo, ex, a=a, b=b), strict=True))
    members_a, members_b = _members(demo, a), _members(demo, b)
    projects = _projects_of(demo)
    pairs = {tuple(sorted((x, y))) for x, y in itertools.product(members_a, members_b) if x != y}
    ties = {pair for pair in pairs
            if projects.get(pair[0], set()) & projects.get(pair[1], set())}
    assert row["possible"] == len(pairs) > 0
    assert row["ties"] == len(ties)
    assert row["density"] == pytest.approx(len(ties) / len(pairs))
    assert 0 <= row["density"] <= 1


def _run_example(store, ex, **overrides):
    result = _run(store, ex["query"], {**ex["parameters"], **overrides})
    assert result.rows, ex["id"]
    return result.columns, result.rows[0]


def test_example_smes_without_research_partner(demo):
    ex = console.example("smes-without-research-partner")
    result = _run(demo, ex["query"], {**ex["parameters"], "limit": 10000})
    kinds = {r["id"]: r["kind"] for r in _cypher(demo, "MATCH (a:Actor) "
                                                       "RETURN a.id AS id, a.kind AS kind")}
    projects = _projects_of(demo)
    research = {o for o, kind in kinds.items() if kind in ("university", "research_lab")}
    expected = {
        s for s, kind in kinds.items() if kind == "sme"
        and not any(projects.get(o, set()) & projects.get(s, set()) for o in research if o != s)
    }
    got = {row[0] for row in result.rows}
    assert got == expected and got


def test_example_multi_cluster_actors_and_bridging_projects(demo):
    multi = _run(demo, console.example("multi-cluster-actors")["query"], {"min_clusters": 2})
    expected = _cypher(demo, "MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster) WITH a, count(c) AS n "
                             "WHERE n >= 2 RETURN a.id AS id")
    assert {row[0] for row in multi.rows} == {r["id"] for r in expected}
    assert all(len(row[3]) >= 2 for row in multi.rows)

    bridging = _run(demo, console.example("bridging-projects")["query"], {"min_clusters": 2})
    assert bridging.rows, "the demo has cross-cluster projects"
    for row in bridging.rows[:10]:
        clusters = _cypher(demo, "MATCH (:Project {id: $p})<-[:PARTICIPATES_IN]-(:Actor)"
                                 "-[:MEMBER_OF]->(c:Cluster) RETURN collect(DISTINCT c.id) AS c",
                           p=row[0])[0]["c"]
        assert sorted(clusters) == sorted(row[4]) and len(clusters) >= 2


def test_example_top_coordinators(demo):
    ex = console.example("top-coordinators")
    result = _run(demo, ex["query"], ex["parameters"])
    expected = _cypher(demo, "MATCH (a:Actor)-[r:PARTICIPATES_IN {role: 'coordinator'}]->(p) "
                             "RETURN a.id AS id, count(p) AS n ORDER BY n DESC, id LIMIT 1")[0]
    assert result.rows[0][0] == expected["id"] and result.rows[0][3] == expected["n"] >= 2
    counts = [row[3] for row in result.rows]
    assert counts == sorted(counts, reverse=True)


def test_example_network_returns_nodes_and_relationships(demo):
    ex = console.example("cluster-project-network")
    result = _run(demo, ex["query"], ex["parameters"])
    assert result.nodes and result.relationships
    ids = {n["id"] for n in result.nodes}
    assert all(r["start"] in ids and r["end"] in ids for r in result.relationships)


# -- the tokenizer ------------------------------------------------------------------------
def test_tokenizer_skips_strings_backticks_and_comments():
    texts = [t.text for t in console.tokenize(
        "RETURN 'a;b' // SET x\n, `CRE``ATE` /* DELETE */ ;")]
    assert texts == ["RETURN", "'a;b'", ",", "`CRE``ATE`", ";"]
    # a backslash escapes any character, the quote included
    assert [t.kind for t in console.tokenize(r"RETURN 'it\'s SET' AS x")] == \
        ["word", "string", "word", "word"]


@pytest.mark.parametrize("terminator", ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085",
                                        "\x0b", "\x0c"])
def test_a_line_comment_ends_at_every_line_terminator(terminator):
    query = f"MATCH (n) RETURN n // note{terminator}SET n.x = 1"
    assert [t.text for t in console.tokenize(query)][-6:] == ["SET", "n", ".", "x", "=", "1"]
    with pytest.raises(RefusedStatement, match="SET"):
        precheck(query)


@pytest.mark.parametrize(("terminator", "columns"), [
    ("\n", ["a", "b"]), ("\r", ["a", "b"]), ("\r\n", ["a", "b"]),
    ("\u2028", ["a"]), ("\u2029", ["a"]), ("\u0085", ["a"]),
])
def test_which_characters_end_a_comment_for_neo4j(demo, terminator, columns):
    """Neo4j 5.26 ends a // comment at \\r or \\n only; the tokenizer also ends it at the
    other line breaks, so it sees more of a query than Neo4j, never less."""
    result = _run(demo, f"RETURN 1 AS a // x{terminator}, 2 AS b")
    assert result.columns == columns


def test_non_ascii_letters_never_hide_a_keyword():
    # Words are ASCII runs: a keyword next to other letters is still seen.
    with pytest.raises(RefusedStatement, match="SET"):
        precheck("MATCH (n) WITH n AS é\u00a0SET n.x = 1 RETURN n")
    precheck("MATCH (ünïcode) RETURN ünïcode.name AS nom")


# -- the attacks of issue 10, against the real server ----------------------------------------
class _Listener:
    """A local TCP port that accepts connections and never answers (or answers a CSV)."""

    def __init__(self, answer: bytes | None = None):
        import socket
        import threading

        self.answer = answer
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            if self.answer is None:
                self.held.append(conn)  # never answers
            else:
                conn.recv(65536)
                conn.sendall(self.answer)
                conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent_port():
    listener = _Listener()
    yield listener
    listener.close()


@pytest.mark.parametrize("precheck_on", [True, False])
def test_carriage_return_comment_load_csv_is_refused_before_any_fetch(demo, silent_port,
                                                                      precheck_on):
    query = (f"WITH 1 AS a // x\rLOAD CSV FROM 'http://127.0.0.1:{silent_port.port}/x.csv' "
             "AS l RETURN l")
    started = time.monotonic()
    with pytest.raises(RefusedStatement, match="LOAD CSV"):
        _run(demo, query, _precheck=precheck_on)
    assert time.monotonic() - started < 10
    time.sleep(0.5)
    assert silent_port.accepted == 0  # the database never connected


def test_without_the_guards_neo4j_does_fetch_the_url(demo):
    """The control of the test above: the same query, guards off, does reach the port."""
    listener = _Listener(answer=b"HTTP/1.0 200 OK\r\nContent-Type: text/csv\r\n"
                                b"Content-Length: 4\r\n\r\na,b\n")
    try:
        query = (f"WITH 1 AS a // x\rLOAD CSV FROM 'http://127.0.0.1:{listener.port}/x.csv' "
                 "AS l RETURN l")
        result = _run(demo, query, _precheck=False, _plan_check=False, timeout_s=10)
        assert result.rows == [[["a", "b"]]]
        assert listener.accepted == 1
    finally:
        listener.close()


ADMIN_READS = [
    ("SHOW TRANSACTIONS YIELD transactionId AS t TERMINATE TRANSACTIONS t "
     "YIELD message RETURN t, message", "SHOW"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("CALL db.stats.retrieve('QUERIES')", "db.stats.retrieve"),
    ("CALL db.stats.retrieve('QUERIES') YIELD data RETURN data", "db.stats.retrieve"),
    ("SHOW SETTINGS", "SHOW"),
    ("SHOW SETTINGS YIELD name, value RETURN name, value", "SHOW"),
    ("SHOW USERS", ""),
    ("SHOW DATABASES", ""),
    ("SHOW TRANSACTIONS", "SHOW"),
    ("SHOW PROCEDURES", "SHOW"),
    ("CALL dbms.listConfig()", "dbms.listConfig"),
    ("CALL dbms.components()", "dbms.components"),
    ("CALL db.info()", "db.info"),
]


@pytest.mark.parametrize(("query", "word"), ADMIN_READS)
@pytest.mark.parametrize("precheck_on", [True, False])
def test_admin_reads_are_refused(demo, query, word, precheck_on):
    with pytest.raises(RefusedStatement) as info:
        _run(demo, query, _precheck=precheck_on)
    assert word in str(info.value)


def test_terminate_cannot_kill_another_transaction(demo):
    """An open write transaction of someone else survives the attack and commits."""
    with demo.driver.session(database=demo.database) as session:
        tx = session.begin_transaction()
        tx.run("MERGE (m:Synergraph {id: 'console-terminate-probe'}) SET m.n = 1").consume()
        for precheck_on in (True, False):
            with pytest.raises(RefusedStatement):
                _run(demo, "SHOW TRANSACTIONS YIELD transactionId AS t "
                           "TERMINATE TRANSACTIONS t YIELD message RETURN t, message",
                     _precheck=precheck_on)
        tx.commit()
    assert _cypher(demo, "MATCH (m:Synergraph {id: 'console-terminate-probe'}) "
                         "DETACH DELETE m RETURN count(*) AS n")[0]["n"] == 1


DISGUISED = [
    "RETURN 1 AS l UNION LOAD CSV FROM 'http://127.0.0.1:9/x' AS l RETURN l",
    "EXPLAIN LOAD CSV FROM 'http://127.0.0.1:9/x' AS l RETURN l",
    "USE neo4j LOAD CSV FROM 'http://127.0.0.1:9/x' AS l RETURN l",
    "CALL db.`stats`.retrieve('QUERIES')",
    "CALL db.labels() YIELD label CALL { LOAD CSV FROM 'http://127.0.0.1:9/x' AS l "
    "RETURN l } RETURN l",
    "CALL db.labels() YIELD label CALL dbms.listConfig() YIELD name RETURN name",
]


@pytest.mark.parametrize("query", DISGUISED)
@pytest.mark.parametrize("precheck_on", [True, False])
def test_disguised_reads_of_the_server_are_refused(demo, query, precheck_on):
    with pytest.raises(RefusedStatement):
        _run(demo, query, _precheck=precheck_on)


HIDDEN_WRITES = [
    "MATCH (n:Cluster) // note\rSET n.hacked = 1",
    "MATCH (n:Cluster) // note\r\nDETACH DELETE n",
    "MATCH (n:Cluster) /* note */SET n.hacked = 1",
    "MATCH (n:Cluster)/**/DETACH/**/DELETE/**/n",
    "MATCH (n:Cluster)\u00a0SET\u3000n.hacked = 1",
    "MATCH (n:Cluster)\u2028DETACH\u2029DELETE n",
    "MATCH (n:Cluster)\tset\x0bn.hacked = 1",
    "match (n:Cluster) with n /* // */ remove n:Cluster",
    "MATCH (n:Cluster) CALL (n) { SET n.hacked = 1 } RETURN count(*) AS c",
    "MATCH (n:Cluster) FOREACH (x IN [1] | SET n.hacked = x)",
    "MATCH (n:Cluster) WITH n, 'it\\'s' AS s SET n.hacked = s",
    "MATCH (n:Cluster) WITH n AS `x``y` SET `x``y`.hacked = 1",
    "CYPHER runtime=slotted MATCH (n:Cluster) SET n.hacked = 1",
]


@pytest.mark.parametrize("query", HIDDEN_WRITES)
def test_writes_hidden_in_comments_and_unicode_are_refused(demo, query):
    before = dump_graph(demo)
    with pytest.raises(RefusedStatement):
        precheck(query)
    with pytest.raises(RefusedStatement):
        _run(demo, query, _precheck=False)
    assert dump_graph(demo) == before


# -- a small fuzz: the tokenizer and the plan check on mutated known-bad queries -----------
BAD_PARTS = [
    ["WITH", "1", "AS", "a", "LOAD", "CSV", "FROM", "'http://127.0.0.1:9/x.csv'", "AS", "l",
     "RETURN", "l"],
    ["MATCH", "(n:Cluster)", "SET", "n.hacked", "=", "1"],
    ["MATCH", "(n:Cluster)", "DETACH", "DELETE", "n"],
    ["CALL", "db.stats.retrieve('QUERIES')"],
    ["SHOW", "SETTINGS"],
    ["SHOW", "TRANSACTIONS", "YIELD", "transactionId", "AS", "t", "TERMINATE", "TRANSACTIONS",
     "t", "YIELD", "message", "RETURN", "t,", "message"],
    ["MERGE", "(n:Intruder", "{id:", "1})"],
    ["UNWIND", "[1]", "AS", "x", "CREATE", "(:Intruder)"],
]
SEPARATORS = [" ", "\n", "\r", "\r\n", "\t", "\u00a0", "\u2028", "\u2029", "\u3000",
              "/**/", "/* SET */", " // c\n", " // c\r", " // c\r\n", "/*\r*/", " /* // */ "]


def _mutants(seed: int = 10, per_query: int = 8):
    import random

    rng = random.Random(seed)
    for parts in BAD_PARTS:
        for _ in range(per_query):
            text = parts[0]
            for part in parts[1:]:
                text += rng.choice(SEPARATORS) + part
            yield text


def test_fuzz_every_mutant_is_refused_by_both_guards(demo):
    before = dump_graph(demo)
    refused_by_plan = 0
    mutants = list(_mutants())
    assert len(mutants) == len(BAD_PARTS) * 8
    for query in mutants:
        with pytest.raises(RefusedStatement):
            precheck(query)
        # The plan check alone: refused, or Neo4j cannot even parse the mutant.
        with pytest.raises((RefusedStatement, CypherSyntaxError)) as info:
            _run(demo, query, _precheck=False)
        refused_by_plan += isinstance(info.value, RefusedStatement)
    assert refused_by_plan >= len(mutants) * 0.9, refused_by_plan
    assert dump_graph(demo) == before


# -- the plan check as an allow-list ------------------------------------------------------------
def test_plan_check_refuses_unknown_operators_and_allows_reads():
    read = {"operatorType": "ProduceResults@neo4j", "args": {"Details": "n"}, "children": [
        {"operatorType": "Expand(All)@neo4j", "args": {}, "children": [
            {"operatorType": "NodeByLabelScan@neo4j", "args": {}, "children": []}]}]}
    console.check_plan(read, "r")
    unknown = {"operatorType": "ProduceResults@neo4j", "children": [
        {"operatorType": "SomethingNew@neo4j", "children": []}]}
    with pytest.raises(RefusedStatement, match="SomethingNew"):
        console.check_plan(unknown, "r")
    with pytest.raises(RefusedStatement, match="not as a read"):
        console.check_plan(read, "rw")
    with pytest.raises(RefusedStatement, match="no plan"):
        console.check_plan({}, "r")
    procedure = {"operatorType": "ProcedureCall@neo4j",
                 "args": {"Details": "db.labels() :: (label :: STRING)"}, "children": []}
    console.check_plan(procedure, "r")
    procedure["args"]["Details"] = "db.labelsAndMore() :: (label :: STRING)"
    with pytest.raises(RefusedStatement, match="db.labelsAndMore"):
        console.check_plan(procedure, "r")


@pytest.mark.parametrize("name", ["CLUSTERS_OVERVIEW", "ACTORS_PAGE", "PROJECTS_PAGE",
                                  "ALL_PARTICIPATIONS", "CLUSTER_MEMBER_LOCATIONS",
                                  "PROGRAMME_TARGETS", "COUNTRIES_OVERVIEW"])
def test_the_apps_own_read_queries_pass_the_plan_check(demo, name):
    """The allow-list is wide enough for real read queries (the app's own)."""
    from graph_schema import queries

    parameters = {"id": "mnc", "ids": ["x"], "skip": 0, "limit": 5, "kind": None,
                  "country": None, "cluster": None, "text": None, "year": None}
    result = _run(demo, getattr(queries, name), parameters, _precheck=False, row_limit=3)
    assert result.columns


# -- size cap ---------------------------------------------------------------------------------
@pytest.fixture
def big_strings(demo):
    """20 nodes holding 2 MB strings each (40 MB in all), removed afterwards."""
    demo.driver.execute_query("UNWIND range(1, 20) AS i CREATE (:ConsoleBig {i: i, s: $s})",
                              {"s": "x" * 2_000_000}, database_=demo.database)
    yield demo
    demo.driver.execute_query("MATCH (b:ConsoleBig) DETACH DELETE b", database_=demo.database)


def test_byte_cap_truncates_and_keeps_memory_bounded(big_strings):
    import tracemalloc

    query = "MATCH (b:ConsoleBig) RETURN b.i AS i, b.s AS s ORDER BY i"
    tracemalloc.start()
    try:
        result = _run(big_strings, query, max_bytes=5_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Each row is 2,000,000 characters plus a little JSON: two fit in 5 MB, three do not.
    assert [row[0] for row in result.rows] == [1, 2]
    assert result.truncated is True and result.truncated_reason == "bytes"
    assert "5,000,000 bytes" in result.message
    assert len(json.dumps(result.as_dict())) < 5_000_000 + 10_000
    # The 40 MB result was never held: a few rows at most were in memory at once.
    assert peak < 16_000_000, peak
    everything = _run(big_strings, query, max_bytes=100_000_000)
    assert len(everything.rows) == 20 and everything.truncated is False


def test_byte_cap_counts_nodes_and_relationships(demo):
    small = _run(demo, "MATCH (a:Actor) RETURN a ORDER BY a.id", max_bytes=3_000)
    assert small.truncated_reason == "bytes" and 0 < len(small.rows)
    size = sum(len(json.dumps(r, separators=(",", ":"))) + 1 for r in small.rows) + sum(
        len(json.dumps(n, separators=(",", ":"))) + 1 for n in small.nodes)
    assert size == small.size_bytes <= 3_000
    assert len(small.nodes) == len(small.rows)


# -- concurrency: caps, 429 and the thread pool ---------------------------------------------
SLOW = "UNWIND range(1, 4000000000) AS x WITH x WHERE x % 7 = 99 RETURN count(x) AS n"


def _wait_until(predicate, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_gate_caps_per_user_and_in_total():
    import threading

    from service.api.cypher import ConsoleGate

    gate = ConsoleGate(max_concurrent=3, max_per_user=2)
    release = threading.Event()
    results: list = []

    def slow():
        release.wait(20)
        return "done"

    def submit(user):
        results.append(gate.run(user, slow, wait_s=30, retry_after_s=7))

    threads = [threading.Thread(target=submit, args=(user,)) for user in ("u1", "u1", "u2")]
    for thread in threads:
        thread.start()
    _wait_until(lambda: gate.running == 3)
    with pytest.raises(console.ConsoleBusy, match="you already have 2") as info:
        gate.run("u1", slow, wait_s=30, retry_after_s=7)
    assert info.value.retry_after_s == 7
    with pytest.raises(console.ConsoleBusy, match="3 console queries are running"):
        gate.run("u3", slow, wait_s=30, retry_after_s=7)
    release.set()
    for thread in threads:
        thread.join(10)
    assert results == ["done"] * 3 and gate.running == 0
    with pytest.raises(ZeroDivisionError):  # errors reach the caller and free the slot
        gate.run("u1", lambda: 1 / 0, wait_s=30, retry_after_s=7)
    assert gate.run("u1", lambda: 42, wait_s=30, retry_after_s=7) == 42
    assert gate.running == 0
    gate.shutdown()


@pytest.fixture(scope="module")
def busy_app(demo, make_app):
    return make_app(SYNERGRAPH_CYPHER_TIMEOUT_S="4", SYNERGRAPH_CYPHER_MAX_CONCURRENT="2",
                    SYNERGRAPH_CYPHER_MAX_PER_USER="1")


def test_api_answers_429_beyond_the_caps(busy_app, sign_in):
    import threading

    from service.api.cypher import console_gate

    clients = [sign_in(busy_app, busy_app.test_client(), "researcher", username=f"r{i}")
               for i in range(3)]
    answers: list = []

    def slow(client):
        response = client.post("/api/v1/cypher", json={"query": SLOW})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=slow, args=(clients[i],)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    with busy_app.app_context():
        gate = console_gate()
    _wait_until(lambda: gate.running == 2)
    total = clients[2].post("/api/v1/cypher", json={"query": "RETURN 1 AS one"})
    assert total.status_code == 429 and total.headers["Retry-After"] == "4"
    assert total.mimetype == "application/problem+json"
    assert total.get_json()["type"].endswith("/too-many-queries")
    assert "2 console queries are running" in total.get_json()["detail"]
    own = clients[0].post("/api/v1/cypher", json={"query": "RETURN 1 AS one"})
    assert own.status_code == 429 and "you already have 1" in own.get_json()["detail"]
    page = clients[2].post("/console", data={"query": "RETURN 1 AS one"})
    assert page.status_code == 429 and page.headers["Retry-After"] == "4"
    assert "Too many queries" in page.get_data(as_text=True)
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _ in answers) == [504, 504]
    _wait_until(lambda: gate.running == 0)
    again = clients[2].post("/api/v1/cypher", json={"query": "RETURN 1 AS one"})
    assert again.status_code == 200 and again.get_json()["rows"] == [[1]]


def test_pages_keep_answering_while_console_queries_run(demo, make_app):
    """Eight slow console queries at once on the real server (waitress): four run, four get
    429 at once, and pages answer fast meanwhile."""
    import threading
    import urllib.error
    import urllib.request

    from waitress import create_server

    from service.api.cypher import console_gate, serve_threads

    app = make_app(SYNERGRAPH_CYPHER_TIMEOUT_S="6")
    accounts = app.extensions["synergraph_accounts"]
    secrets = []
    for i in range(4):
        accounts.add_user(f"slow{i}", "a long test password", "researcher")
        secrets.append(accounts.create_token(f"slow{i}", "bench")[1])
    threads_n = serve_threads(app.config)
    assert threads_n == 4 + 8
    server = create_server(app, host="127.0.0.1", port=0, threads=threads_n)
    base = f"http://127.0.0.1:{server.effective_port}"
    closing = threading.Event()

    def serve():
        try:
            server.run()
        except OSError:  # select() on the sockets close() just shut: the loop's normal end
            if not closing.is_set():
                raise

    runner = threading.Thread(target=serve, daemon=True)
    runner.start()
    statuses: list[int] = []

    def post(secret):
        request = urllib.request.Request(
            base + "/api/v1/cypher", data=json.dumps({"query": SLOW}).encode(),
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    def timed_get(path) -> tuple[int, float]:
        started = time.monotonic()
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status, time.monotonic() - started

    try:
        with app.app_context():
            gate = console_gate()
        slow = [threading.Thread(target=post, args=(secrets[i % 4],)) for i in range(8)]
        for thread in slow:
            thread.start()
        _wait_until(lambda: gate.running == 4 and len(statuses) == 4)
        assert statuses == [429] * 4  # refused at once, not queued
        for path in ("/login", "/login", "/api/v1/health"):
            status, seconds = timed_get(path)
            assert status == 200 and seconds < 3, (path, seconds)
        assert gate.running == 4  # the slow queries were still running meanwhile
        for thread in slow:
            thread.join(90)
        assert sorted(statuses) == [429] * 4 + [504] * 4
    finally:
        closing.set()
        server.close()
        runner.join(10)


def test_the_driver_still_reads_the_fetch_size_before_each_pull():
    """GraphStore.run_user_read adapts ``Result._fetch_size`` (no public API for it): if a
    driver upgrade drops it, reading falls back to one record per round trip (slow)."""
    import inspect

    from neo4j._sync.work.result import Result

    assert "self._fetch_size" in inspect.getsource(Result._pull)


def test_limits_come_from_the_settings_with_defaults():
    from service.api.cypher import ConsoleLimits, serve_threads
    from service.settings import SettingError

    limits = ConsoleLimits.from_config({"SYNERGRAPH_CYPHER_MAX_BYTES": "1000"})
    assert (limits.max_bytes, limits.timeout_s, limits.max_per_user) == (1000, 10.0, 2)
    assert (limits.row_limit, limits.max_concurrent) == (5000, 4)
    with pytest.raises(SettingError, match="SYNERGRAPH_CYPHER_TIMEOUT_S must be a number"):
        ConsoleLimits.from_config({"SYNERGRAPH_CYPHER_TIMEOUT_S": "abc"})
    with pytest.raises(SettingError, match="SYNERGRAPH_CYPHER_MAX_PER_USER must be positive"):
        ConsoleLimits.from_config({"SYNERGRAPH_CYPHER_MAX_PER_USER": "-3"})
    assert serve_threads({"SYNERGRAPH_CYPHER_MAX_CONCURRENT": "6"}) == 14
