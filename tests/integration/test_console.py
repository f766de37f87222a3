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
    return run_read_only(store.driver, store.database, query, parameters, **kwargs)



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
    "SHOW INDEXES",
    "SHOW CONSTRAINTS YIELD name RETURN name",
    "CALL db.labels() YIELD label RETURN label",
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


@pytest.mark.parametrize("query", [
    "CREATE (n:Intruder {id: 'x'}) RETURN n",
    "MATCH (a:Actor {id: 'mnc-a001'}) SET a.name = 'hacked' RETURN a",
    "MATCH (n:Cluster) DETACH DELETE n",
    "MERGE (n:Intruder {id: 'y'})",
    "CREATE INDEX intruder FOR (n:Actor) ON (n.city)",
    "CALL db.createLabel('Intruder')",
])
def test_the_database_refuses_writes_that_pass_the_precheck(demo, query):
    before = dump_graph(demo, bookkeeping=True)
    with pytest.raises(RefusedStatement) as info:
        _run(demo, query, _precheck=False)
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
    summary = schema_summary(demo.driver, demo.database)
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
