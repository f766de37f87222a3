"""The read-only Cypher console: run a user's query safely, list the schema, examples.

A user's query is sent to Neo4j **as is** (never concatenated with anything) with its
parameters as parameters, in a session opened with ``default_access_mode=READ_ACCESS`` and
inside ``session.execute_read`` under a server-side transaction timeout. The database itself
refuses any write (``Neo.ClientError.Statement.AccessMode``); :func:`precheck` only gives a
friendlier message earlier. It tokenises the query (string literals, quoted identifiers and
comments are skipped) and refuses writes, schema and administration commands, ``USE``,
``LOAD CSV``, ``CALL { ... } IN TRANSACTIONS``, write/admin procedures and several
statements.

This module belongs to :mod:`graph_schema`, so its Cypher constants live here (the "one
home for Cypher" rule: every statement is a constant of this package).
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j import Driver
from neo4j.exceptions import ClientError, Neo4jError, TransientError
from neo4j.graph import Node, Path, Relationship

__all__ = [
    "ConsoleError",
    "RefusedStatement",
    "QueryTimeout",
    "CypherSyntaxError",
    "QueryFailed",
    "ConsoleResult",
    "EXAMPLES",
    "precheck",
    "run_read_only",
    "schema_summary",
    "to_json",
    "example",
]

# --------------------------------------------------------------------------------------
# Cypher of this module
# --------------------------------------------------------------------------------------
SCHEMA_LABELS = "CALL db.labels() YIELD label RETURN label ORDER BY label"
SCHEMA_REL_TYPES = ("CALL db.relationshipTypes() YIELD relationshipType "
                    "RETURN relationshipType AS type ORDER BY type")
SCHEMA_PROPERTY_KEYS = ("CALL db.propertyKeys() YIELD propertyKey "
                        "RETURN propertyKey ORDER BY propertyKey")
SCHEMA_LABEL_COUNTS = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"
SCHEMA_REL_TYPE_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count"

#: Saved example queries: real questions about an ecosystem, all parameterised.
EXAMPLES: tuple[dict, ...] = (
    {
        "id": "cluster-density",
        "title": "Partnership density between two clusters",
        "description": "Ties (pairs of actors, one a member of each cluster, that share at "
                       "least one project) divided by the possible pairs.",
        "query": """MATCH (ca:Cluster {id: $a}), (cb:Cluster {id: $b})
CALL (ca, cb) {
  MATCH (x:Actor)-[:MEMBER_OF]->(ca), (y:Actor)-[:MEMBER_OF]->(cb)
  WHERE x <> y
  WITH DISTINCT CASE WHEN x.id < y.id THEN [x.id, y.id] ELSE [y.id, x.id] END AS pair
  RETURN count(pair) AS possible
}
CALL (ca, cb) {
  MATCH (x:Actor)-[:MEMBER_OF]->(ca), (y:Actor)-[:MEMBER_OF]->(cb),
        (x)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(y)
  WHERE x <> y
  WITH DISTINCT CASE WHEN x.id < y.id THEN [x.id, y.id] ELSE [y.id, x.id] END AS pair
  RETURN count(pair) AS ties
}
RETURN ca.name AS cluster_a, cb.name AS cluster_b, ties, possible,
       CASE WHEN possible = 0 THEN 0.0 ELSE toFloat(ties) / possible END AS density""",
        "parameters": {"a": "mnc", "b": "ce3m"},
    },
    {
        "id": "smes-without-research-partner",
        "title": "SMEs with no research partner",
        "description": "SMEs that never share a project with a university or a research lab.",
        "query": """MATCH (s:Actor {kind: $kind})
WHERE NOT EXISTS {
  MATCH (s)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(r:Actor)
  WHERE r.kind IN $research_kinds
}
OPTIONAL MATCH (s)-[:MEMBER_OF]->(c:Cluster)
WITH s, collect(c.id) AS clusters
RETURN s.id AS id, s.name AS name, clusters,
       COUNT { (s)-[:PARTICIPATES_IN]->(:Project) } AS projects
ORDER BY projects DESC, id
LIMIT $limit""",
        "parameters": {"kind": "sme", "research_kinds": ["university", "research_lab"],
                       "limit": 100},
    },
    {
        "id": "multi-cluster-actors",
        "title": "Actors in several clusters",
        "description": "Actors that are members of at least `min_clusters` clusters.",
        "query": """MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster)
WITH a, collect(c.id) AS clusters
WHERE size(clusters) >= $min_clusters
RETURN a.id AS id, a.name AS name, a.kind AS kind, clusters, size(clusters) AS n_clusters
ORDER BY n_clusters DESC, id""",
        "parameters": {"min_clusters": 2},
    },
    {
        "id": "bridging-projects",
        "title": "Projects bridging clusters",
        "description": "Projects whose participants come from at least `min_clusters` "
                       "different clusters.",
        "query": """MATCH (p:Project)<-[:PARTICIPATES_IN]-(a:Actor)-[:MEMBER_OF]->(c:Cluster)
WITH p, collect(DISTINCT c.id) AS clusters, count(DISTINCT a) AS participants
WHERE size(clusters) >= $min_clusters
RETURN p.id AS id, p.acronym AS acronym, p.title AS title, p.start_year AS start_year,
       clusters, participants
ORDER BY size(clusters) DESC, participants DESC, id""",
        "parameters": {"min_clusters": 2},
    },
    {
        "id": "top-coordinators",
        "title": "Top coordinators",
        "description": "Actors coordinating the most projects.",
        "query": """MATCH (a:Actor)-[r:PARTICIPATES_IN]->(p:Project)
WHERE r.role = $role
RETURN a.id AS id, a.name AS name, a.kind AS kind, count(DISTINCT p) AS coordinated
ORDER BY coordinated DESC, id
LIMIT $limit""",
        "parameters": {"role": "coordinator", "limit": 20},
    },
    {
        "id": "cluster-project-network",
        "title": "A cluster's members and their projects (network)",
        "description": "Members of a cluster with the projects they take part in: shown as "
                       "a network.",
        "query": """MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $cluster})
MATCH (a)-[r:PARTICIPATES_IN]->(p:Project)
RETURN a, r, p
LIMIT $limit""",
        "parameters": {"cluster": "oceanopole", "limit": 300},
    },
)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------
class ConsoleError(Exception):
    """Base of the console's errors; ``str()`` is a message fit for the user."""

    kind = "console-error"


class RefusedStatement(ConsoleError):
    """The statement would write, change the schema or administer the server."""

    kind = "refused-statement"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class QueryTimeout(ConsoleError):
    kind = "query-timeout"


class QueryFailed(ConsoleError):
    """Neo4j refused or failed the query; ``code`` is Neo4j's status code."""

    kind = "cypher-error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class CypherSyntaxError(QueryFailed):
    pass


# --------------------------------------------------------------------------------------
# Pre-check
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str  # "word" (unquoted identifier or keyword), "quoted" (`...`), "string", "punct"
    text: str
    pos: int


def tokenize(query: str) -> list[Token]:
    """Words, quoted identifiers, string literals and punctuation; comments dropped.

    >>> [t.text for t in tokenize("RETURN 'a;b' // SET x\\n, `CREATE` /* DELETE */ ;")]
    ['RETURN', "'a;b'", ',', '`CREATE`', ';']
    """
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif query.startswith("//", i):
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch in "'\"":
            j = i + 1
            while j < n and query[j] != ch:
                j += 2 if query[j] == "\\" else 1
            tokens.append(Token("string", query[i : j + 1], i))
            i = j + 1
        elif ch == "`":
            j = i + 1
            while j < n:
                if query[j] == "`":
                    if query.startswith("``", j):  # an escaped backtick
                        j += 2
                        continue
                    break
                j += 1
            tokens.append(Token("quoted", query[i : j + 1], i))
            i = j + 1
        elif ch.isalnum() or ch == "_":
            j = i + 1
            while j < n and (query[j].isalnum() or query[j] == "_"):
                j += 1
            tokens.append(Token("word", query[i:j], i))
            i = j
        else:
            tokens.append(Token("punct", ch, i))
            i += 1
    return tokens


#: Clauses that write: refused wherever they appear as keywords.
_WRITE_KEYWORDS = {
    "CREATE": "CREATE writes to the graph",
    "MERGE": "MERGE writes to the graph",
    "INSERT": "INSERT writes to the graph",
    "DELETE": "DELETE writes to the graph",
    "DETACH": "DETACH DELETE writes to the graph",
    "SET": "SET writes to the graph",
    "REMOVE": "REMOVE writes to the graph",
    "FOREACH": "FOREACH is only used to write",
    "DROP": "DROP changes the schema or the server",
    "GRANT": "GRANT is an administration command",
    "DENY": "DENY is an administration command",
    "REVOKE": "REVOKE is an administration command",
    "ALTER": "ALTER is an administration command",
    "RENAME": "RENAME is an administration command",
    "USE": "USE selects another database: the console runs on the app's database only",
    "LOAD": "LOAD CSV reads files from the server",
}
#: Administration commands recognised by their first word.
_ADMIN_FIRST = {"START", "STOP", "TERMINATE", "ENABLE", "DEALLOCATE", "REALLOCATE", "DRYRUN"}
#: Procedure name prefixes (lower case) that write or administer.
_REFUSED_PROCEDURES = (
    "dbms.", "db.create", "db.drop", "db.index.fulltext.create", "db.index.fulltext.drop",
    "db.clearquerycaches", "db.checkpoint", "db.resample", "db.prepareforreplanning",
    "apoc.create.", "apoc.merge.", "apoc.refactor.", "apoc.periodic.", "apoc.nodes.delete",
    "apoc.nodes.link", "apoc.trigger.", "apoc.schema.assert", "apoc.export.", "apoc.import.",
    "apoc.load.", "apoc.cypher.run", "apoc.cypher.do", "apoc.atomic.", "apoc.lock.",
    "apoc.systemdb.", "apoc.custom.", "apoc.uuid.", "apoc.ttl.", "apoc.log.",
    "apoc.static.set", "apoc.warmup.", "apoc.graph.from", "gds.",
)


def _is_keyword(tokens: list[Token], i: int) -> bool:
    """A word used as a keyword: not a property/label/parameter name, map key or alias."""
    token = tokens[i]
    if token.kind != "word":
        return False
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if before is not None and before.kind == "punct" and before.text in ".:$":
        return False
    if before is not None and before.kind == "word" and before.text.upper() == "AS":
        return False
    if after is not None and after.kind == "punct" and after.text in ".:":
        return False
    return True


def precheck(query: str) -> None:
    """Raise :class:`RefusedStatement` when the query obviously is not read-only.

    Only for a friendlier message: the database enforces read-only access anyway.

    >>> precheck("MATCH (n) WHERE n.name = 'CREATE' RETURN n // SET")
    >>> precheck("MATCH (n) DETACH DELETE n")
    Traceback (most recent call last):
    ...
    graph_schema.console.RefusedStatement: DETACH DELETE writes to the graph
    """
    tokens = tokenize(query)
    if not tokens:
        raise RefusedStatement("the query is empty")
    # Several statements: a ';' followed by anything but another ';'.
    for i, token in enumerate(tokens):
        if token.kind == "punct" and token.text == ";":
            if any(not (t.kind == "punct" and t.text == ";") for t in tokens[i + 1 :]):
                raise RefusedStatement("several statements: run one statement at a time")
    first = tokens[0]
    if first.kind == "word" and first.text.upper() in _ADMIN_FIRST:
        raise RefusedStatement(f"{first.text.upper()} is an administration command")
    for i, token in enumerate(tokens):
        if not _is_keyword(tokens, i):
            continue
        word = token.text.upper()
        reason = _WRITE_KEYWORDS.get(word)
        if reason:
            raise RefusedStatement(reason)
        if word == "IN" and i > 0 and tokens[i - 1].text == "}":
            ahead = [t.text.upper() for t in tokens[i + 1 : i + 5] if t.kind == "word"]
            if "TRANSACTIONS" in ahead:
                raise RefusedStatement("CALL { ... } IN TRANSACTIONS writes in batches")
        if word == "CALL":
            name = _procedure_name(tokens, i + 1)
            if name and name.lower().startswith(_REFUSED_PROCEDURES):
                raise RefusedStatement(f"the procedure {name} writes or administers the "
                                       "server")


def _procedure_name(tokens: list[Token], start: int) -> str:
    parts: list[str] = []
    i = start
    while i < len(tokens) and tokens[i].kind in ("word", "quoted"):
        parts.append(tokens[i].text.strip("`"))
        if i + 1 < len(tokens) and tokens[i + 1].text == ".":
            i += 2
        else:
            break
    return ".".join(parts)


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------
def to_json(value: Any, nodes: dict | None = None, rels: dict | None = None) -> Any:
    """A JSON-friendly copy of a value returned by the driver.

    Nodes and relationships met on the way are added to ``nodes``/``rels`` (by element id).

    >>> to_json({"b": [1, 2.5, float("nan")], "a": None})
    {'b': [1, 2.5, 'NaN'], 'a': None}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Node):
        out = {"id": value.element_id, "labels": sorted(value.labels),
               "properties": to_json(dict(value.items()))}
        if nodes is not None:
            nodes[value.element_id] = out
        return out
    if isinstance(value, Relationship):
        start, end = value.start_node, value.end_node
        out = {"id": value.element_id, "type": value.type,
               "start": start.element_id if start is not None else None,
               "end": end.element_id if end is not None else None,
               "properties": to_json(dict(value.items()))}
        if rels is not None:
            rels[value.element_id] = out
        return out
    if isinstance(value, Path):
        return {"nodes": [to_json(n, nodes, rels) for n in value.nodes],
                "relationships": [to_json(r, nodes, rels) for r in value.relationships]}
    if isinstance(value, dict):
        return {str(k): to_json(v, nodes, rels) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v, nodes, rels) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime, Duration
        return value.iso_format()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "srid"):  # neo4j.spatial points
        return {"srid": value.srid, "coordinates": list(value)}
    return str(value)


@dataclass
class ConsoleResult:
    columns: list[str]
    rows: list[list]
    truncated: bool
    nodes: list[dict] = field(default_factory=list)
    relationships: list[dict] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated,
                "nodes": self.nodes, "relationships": self.relationships,
                "elapsed_ms": self.elapsed_ms}


# --------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------
_TIMEOUT_CODES = ("Neo.ClientError.Transaction.TransactionTimedOut",
                  "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                  "Neo.TransientError.Transaction.LockClientStopped")


def _map_error(exc: Neo4jError) -> ConsoleError:
    code = exc.code or ""
    message = exc.message or str(exc)
    if code == "Neo.ClientError.Statement.AccessMode" or "AccessMode" in code:
        return RefusedStatement("the database refused to write: the console is read-only "
                                f"({message})")
    if code in _TIMEOUT_CODES or "TimedOut" in code:
        return QueryTimeout("the query ran longer than the console's time limit and was "
                            "stopped by the database")
    if code == "Neo.ClientError.Statement.SyntaxError":
        return CypherSyntaxError(message, code)
    if code.startswith("Neo.ClientError.Security"):
        return RefusedStatement(f"not allowed: {message}")
    return QueryFailed(message, code or None)


def run_read_only(
    driver: Driver,
    database: str,
    query: str,
    parameters: dict | None = None,
    *,
    timeout_s: float = 10.0,
    row_limit: int = 5000,
    _precheck: bool = True,
) -> ConsoleResult:
    """Run a user's query read-only with a time limit and a row limit.

    Raises
    ------
    RefusedStatement, QueryTimeout, CypherSyntaxError, QueryFailed
    """
    if not isinstance(query, str) or not query.strip():
        raise RefusedStatement("the query is empty")
    if parameters is not None and not isinstance(parameters, dict):
        raise QueryFailed("parameters must be a JSON object")
    if _precheck:
        precheck(query)
    row_limit = max(0, int(row_limit))

    @neo4j.unit_of_work(timeout=float(timeout_s))
    def work(tx):
        result = tx.run(query, parameters or {})
        columns = list(result.keys())
        nodes: dict[str, dict] = {}
        rels: dict[str, dict] = {}
        rows: list[list] = []
        truncated = False
        for record in result:
            if len(rows) >= row_limit:
                truncated = True
                break
            rows.append([to_json(v, nodes, rels) for v in record.values()])
        return columns, rows, truncated, nodes, rels

    started = time.monotonic()
    try:
        with driver.session(database=database,
                            default_access_mode=neo4j.READ_ACCESS) as session:
            columns, rows, truncated, nodes, rels = session.execute_read(work)
    except (ClientError, TransientError, Neo4jError) as exc:
        raise _map_error(exc) from exc
    except (TypeError, ValueError, OverflowError) as exc:  # a parameter Bolt cannot carry
        raise QueryFailed(f"cannot send the parameters: {exc}") from exc
    elapsed = round((time.monotonic() - started) * 1000, 1)
    return ConsoleResult(columns, rows, truncated, _sorted(nodes), _sorted(rels), elapsed)


def _sorted(items: dict[str, dict]) -> list[dict]:
    return [items[k] for k in sorted(items)]


# --------------------------------------------------------------------------------------
# Schema
# --------------------------------------------------------------------------------------
def _read(driver: Driver, database: str, query: str) -> list[dict]:
    records, _, _ = driver.execute_query(query, database_=database,
                                         routing_=neo4j.RoutingControl.READ)
    return [r.data() for r in records]


def schema_summary(driver: Driver, database: str) -> dict:
    """Labels and relationship types with their counts, and every property key."""
    label_counts = {r["label"]: r["count"]
                    for r in _read(driver, database, SCHEMA_LABEL_COUNTS)}
    type_counts = {r["type"]: r["count"] for r in _read(driver, database, SCHEMA_REL_TYPE_COUNTS)}
    labels = _names(r["label"] for r in _read(driver, database, SCHEMA_LABELS))
    types = _names(r["type"] for r in _read(driver, database, SCHEMA_REL_TYPES))
    keys = _names(r["propertyKey"] for r in _read(driver, database, SCHEMA_PROPERTY_KEYS))
    return {
        "labels": [{"name": name, "count": label_counts.get(name, 0)}
                   for name in sorted(set(labels) | set(label_counts))],
        "relationship_types": [{"name": name, "count": type_counts.get(name, 0)}
                               for name in sorted(set(types) | set(type_counts))],
        "property_keys": keys,
    }


def _names(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def example(example_id: str) -> dict | None:
    return next((e for e in EXAMPLES if e["id"] == example_id), None)
