"""The read-only Cypher console: guard and run a user's query, list the schema, examples.

A user's query runs through :meth:`GraphStore.run_user_read
<graph_schema.store.GraphStore.run_user_read>`: one session opened with
``default_access_mode=READ_ACCESS``, a server-side transaction timeout, and three guards:

1. :func:`precheck` — a tokenizer that only gives a friendly message early (writes, ``LOAD
   CSV``, ``SHOW``/``TERMINATE``, procedures off the allow-list, several statements, ...).
2. :func:`check_plan` — **the guard**: the query is first sent prefixed with ``EXPLAIN``
   (Neo4j plans it and runs nothing) and accepted only when every operator of the plan is
   on :data:`READ_OPERATORS` and every ``ProcedureCall`` calls one of
   :data:`ALLOWED_PROCEDURES`. An operator not on the list is refused (allow-list).
3. The database: the session is read-only, so Neo4j refuses any write.

The result is read one record at a time and stops at the row limit or when its serialised
size would pass ``max_bytes`` (``truncated`` says which). Every Cypher statement of the
console (schema queries, examples, the ``EXPLAIN`` prefix) lives in
:mod:`graph_schema.queries`; this module never touches the driver.
"""

from __future__ import annotations

import base64
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from neo4j.exceptions import Neo4jError

from . import queries as q

__all__ = [
    "ALLOWED_PROCEDURES",
    "READ_OPERATORS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_QUERY",
    "ConsoleError",
    "RefusedStatement",
    "QueryTimeout",
    "CypherSyntaxError",
    "QueryFailed",
    "ConsoleBusy",
    "ConsoleResult",
    "EXAMPLES",
    "tokenize",
    "precheck",
    "check_plan",
    "plan_operators",
    "run_read_only",
    "schema_summary",
    "to_json",
    "example",
]

#: Saved example queries (``graph_schema.queries.CONSOLE_EXAMPLES``).
EXAMPLES: tuple[dict, ...] = q.CONSOLE_EXAMPLES
#: What the editor holds when nothing else is asked for.
DEFAULT_QUERY: str = q.CONSOLE_DEFAULT_QUERY
#: Default cap on the serialised size of a result (bytes of JSON).
DEFAULT_MAX_BYTES = 20_000_000


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------
class ConsoleError(Exception):
    """Base of the console's errors; ``str()`` is a message fit for the user."""

    kind = "console-error"


class RefusedStatement(ConsoleError):
    """The statement is not a plain read (write, schema, administration, LOAD CSV...)."""

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


class ConsoleBusy(ConsoleError):
    """Too many console queries are running (for this user or in total)."""

    kind = "too-many-queries"

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


# --------------------------------------------------------------------------------------
# Pre-check (friendly messages; the plan check below is the guard)
# --------------------------------------------------------------------------------------
#: Characters that end a ``//`` comment. Neo4j 5.26's lexer ends one at ``\\r`` or
#: ``\\n`` only (a test checks it); every other line break Python knows is treated as an
#: end too, so the pre-check may see *more* of a query than Neo4j does (and refuse a
#: query Neo4j would run), never less.
LINE_TERMINATORS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@dataclass(frozen=True)
class Token:
    kind: str  # "word" (ASCII letters, digits, _), "quoted" (`...`), "string", "punct"
    text: str
    pos: int


def tokenize(query: str) -> list[Token]:
    """Words, quoted identifiers, string literals and punctuation; comments dropped.

    Follows Neo4j's lexer: strings in single or double quotes with backslash escapes
    (a backslash escapes any character), identifiers in backticks with doubled backticks,
    ``/* ... */`` and ``//`` comments. Words are runs of ASCII letters, digits and ``_``
    (every Cypher keyword is one); any other character that is not white space is a
    punctuation token of its own.
    """
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif query.startswith("//", i):
            while i < n and query[i] not in LINE_TERMINATORS:
                i += 1
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
        elif ch in _WORD_CHARS:
            j = i + 1
            while j < n and query[j] in _WORD_CHARS:
                j += 1
            tokens.append(Token("word", query[i:j], i))
            i = j
        else:
            tokens.append(Token("punct", ch, i))
            i += 1
    return tokens


#: Clauses refused wherever they appear as keywords.
_REFUSED_KEYWORDS = {
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
    "TERMINATE": "TERMINATE ends other users' transactions: not allowed in the console",
    "USE": "USE selects another database: the console runs on the app's database only",
    "LOAD": "LOAD CSV reads files and URLs from the server: not allowed in the console",
}
#: Commands recognised by the first word of the statement.
_REFUSED_FIRST = {
    "SHOW": "SHOW commands (transactions, settings, users, databases, ...) are not "
            "allowed in the console",
    "START": "START is an administration command",
    "STOP": "STOP is an administration command",
    "ENABLE": "ENABLE is an administration command",
    "DEALLOCATE": "DEALLOCATE is an administration command",
    "REALLOCATE": "REALLOCATE is an administration command",
    "DRYRUN": "DRYRUN is an administration command",
    "PROFILE": "PROFILE is not available in the console: run the query itself",
    "EXPLAIN": "EXPLAIN is not available in the console: run the query itself",
}

#: Procedures the console may call (exact names); every other procedure is refused.
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.schema.visualization",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
})


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


def _statement_start(tokens: list[Token]) -> int:
    """Index of the statement's first word, after ``CYPHER`` pre-parser options."""
    if not (tokens and tokens[0].kind == "word" and tokens[0].text.upper() == "CYPHER"):
        return 0
    i = 1
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = tokens[i - 1]
        if token.kind == "punct" or token.text[0].isdigit():
            i += 1  # a version (5, 25) or the '=' / '.' of an option
        elif (nxt is not None and nxt.text == "=") or prev.text == "=":
            i += 1  # option=value
        else:
            return i
    return i


def precheck(query: str) -> None:
    """Raise :class:`RefusedStatement` when the query obviously is not a plain read.

    Only for a friendlier, earlier message: :func:`check_plan` decides.
    """
    tokens = tokenize(query)
    if not tokens:
        raise RefusedStatement("the query is empty")
    # Several statements: a ';' followed by anything but another ';'.
    for i, token in enumerate(tokens):
        if token.kind == "punct" and token.text == ";":
            if any(not (t.kind == "punct" and t.text == ";") for t in tokens[i + 1 :]):
                raise RefusedStatement("several statements: run one statement at a time")
    start = _statement_start(tokens)
    if start < len(tokens) and tokens[start].kind == "word":
        reason = _REFUSED_FIRST.get(tokens[start].text.upper())
        if reason:
            raise RefusedStatement(reason)
    for i, token in enumerate(tokens):
        if not _is_keyword(tokens, i):
            continue
        word = token.text.upper()
        reason = _REFUSED_KEYWORDS.get(word)
        if reason:
            raise RefusedStatement(reason)
        if word == "IN" and i > 0 and tokens[i - 1].text == "}":
            ahead = [t.text.upper() for t in tokens[i + 1 : i + 5] if t.kind == "word"]
            if "TRANSACTIONS" in ahead:
                raise RefusedStatement("CALL { ... } IN TRANSACTIONS writes in batches")
        if word == "CALL":
            name = _procedure_name(tokens, i + 1)
            if name and name not in ALLOWED_PROCEDURES:
                raise RefusedStatement(_procedure_refusal(name))


def _procedure_refusal(name: str) -> str:
    return (f"the procedure {name} is not allowed in the console (allowed: "
            f"{', '.join(sorted(ALLOWED_PROCEDURES))})")


def _procedure_name(tokens: list[Token], start: int) -> str:
    parts: list[str] = []
    i = start
    while i < len(tokens) and tokens[i].kind in ("word", "quoted"):
        parts.append(tokens[i].text[1:-1].replace("``", "`") if tokens[i].kind == "quoted"
                     else tokens[i].text)
        if i + 1 < len(tokens) and tokens[i + 1].text == ".":
            i += 2
        else:
            break
    return ".".join(parts)


# --------------------------------------------------------------------------------------
# Plan check: the guard (an allow-list of read operators)
# --------------------------------------------------------------------------------------
_DIRECTED = ("Directed", "Undirected")
_REL_LEAVES = ("RelationshipTypeScan", "UnionRelationshipTypesScan", "AllRelationshipsScan",
               "RelationshipByIdSeek", "RelationshipByElementIdSeek", "RelationshipIndexSeek",
               "RelationshipUniqueIndexSeek", "RelationshipIndexSeekByRange",
               "RelationshipUniqueIndexSeekByRange", "RelationshipIndexScan",
               "RelationshipIndexContainsScan", "RelationshipIndexEndsWithScan")
_PARTITIONED = ("AllNodesScan", "NodeByLabelScan", "NodeIndexScan", "NodeIndexSeek",
                "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan",
                "SubtractionNodeByLabelsScan", "Unwind",
                *(d + r for d in _DIRECTED for r in ("AllRelationshipsScan",
                                                     "RelationshipTypeScan",
                                                     "UnionRelationshipTypesScan",
                                                     "RelationshipIndexScan",
                                                     "RelationshipIndexSeek")))

#: Operators (as named in Neo4j 5 plans, without ``(...)`` and ``@database``) a query
#: may use: they only read the graph or shape rows. ``ProcedureCall`` is checked apart.
READ_OPERATORS: frozenset[str] = frozenset({
    # results and row shaping
    "ProduceResults", "EmptyResult", "Projection", "Filter", "Limit", "ExhaustiveLimit",
    "Skip", "Sort", "PartialSort", "Top", "Top1WithTies", "PartialTop", "Distinct",
    "OrderedDistinct", "EagerAggregation", "OrderedAggregation", "Eager", "Unwind",
    "CacheProperties", "NodeCountFromCountStore", "RelationshipCountFromCountStore",
    # combining rows
    "Apply", "SemiApply", "AntiSemiApply", "LetSemiApply", "LetAntiSemiApply",
    "SelectOrSemiApply", "SelectOrAntiSemiApply", "LetSelectOrSemiApply",
    "LetSelectOrAntiSemiApply", "ConditionalApply", "AntiConditionalApply", "RollUpApply",
    "Argument", "ArgumentTracker", "Optional", "Anti", "Union", "OrderedUnion",
    "CartesianProduct", "NodeHashJoin", "ValueHashJoin", "NodeLeftOuterHashJoin",
    "NodeRightOuterHashJoin", "TriadicSelection", "TriadicBuild", "TriadicFilter",
    "AssertSameNode", "AssertSameRelationship", "NullifyMetadata", "ProjectEndpoints",
    # traversals
    "Expand", "OptionalExpand", "VarLengthExpand", "BFSPruningVarLengthExpand",
    "ShortestPath", "StatefulShortestPath", "Repeat", "BidirectionalRepeatTrail",
    # node and relationship leaves
    "AllNodesScan", "NodeByLabelScan", "NodeByIdSeek", "NodeByElementIdSeek",
    "NodeIndexSeek", "NodeUniqueIndexSeek", "NodeIndexSeekByRange",
    "NodeUniqueIndexSeekByRange", "NodeIndexScan", "NodeIndexContainsScan",
    "NodeIndexEndsWithScan", "MultiNodeIndexSeek", "AssertingMultiNodeIndexSeek",
    "AssertingMultiRelationshipIndexSeek", "IntersectionNodeByLabelsScan",
    "UnionNodeByLabelsScan", "SubtractionNodeByLabelsScan",
    *(d + leaf for d in _DIRECTED for leaf in _REL_LEAVES),
    *("Partitioned" + op for op in _PARTITIONED),
})

_WRITE_PREFIXES = ("Create", "Merge", "LockingMerge", "Delete", "DetachDelete", "Set",
                   "Remove", "Foreach", "SubqueryForeach", "Insert")


def plan_operators(plan: dict) -> list[tuple[str, str]]:
    """Every ``(operator, details)`` of a plan tree (``ResultSummary.plan``), depth first.

    ``operator`` keeps Neo4j's spelling, e.g. ``Expand(All)@neo4j``.
    """
    out: list[tuple[str, str]] = []
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        details = (node.get("args") or {}).get("Details")
        out.append((str(node.get("operatorType", "")), "" if details is None else str(details)))
        stack.extend(reversed(node.get("children") or []))
    return out


def _operator_refusal(operator: str, details: str) -> str | None:
    """Why ``operator`` is refused, or None when it is a read."""
    name, _, database = operator.partition("@")
    base = name.split("(", 1)[0]
    if database == "system" or base in ("AdministrationCommand", "SystemProcedureCall"):
        return "administration commands are not allowed in the console"
    if base == "ProcedureCall":
        procedure = details.split("(", 1)[0].strip()
        return None if procedure in ALLOWED_PROCEDURES else _procedure_refusal(
            procedure or "(unknown)")
    if base in READ_OPERATORS:
        return None
    if base == "LoadCSV":
        return "LOAD CSV reads files and URLs from the server: not allowed in the console"
    if base.startswith(("Show", "Terminate")):
        return (f"SHOW and TERMINATE commands are not allowed in the console (the query "
                f"uses {base})")
    if base in ("TransactionApply", "TransactionForeach"):
        return "CALL { ... } IN TRANSACTIONS is not allowed in the console"
    if base.startswith(("Drop", "CreateIndex", "CreateConstraint", "CreateFulltext",
                        "CreateLookup", "CreatePoint", "CreateText", "CreateVector")):
        return f"the query changes the schema ({base}): the console is read-only"
    if base.startswith(_WRITE_PREFIXES):
        return f"the query writes to the graph ({base}): the console is read-only"
    return (f"the query plan uses the operator {base}, which is not on the console's list "
            "of read operators")


def check_plan(plan: dict, query_type: str | None = None) -> None:
    """Raise :class:`RefusedStatement` unless every operator of ``plan`` is a read.

    ``plan`` is the plan of ``EXPLAIN <query>`` (a dict with ``operatorType``, ``args``,
    ``children``); ``query_type`` Neo4j's statement type, which must be ``r`` (read).
    """
    operators = plan_operators(plan)
    if not operators:
        raise RefusedStatement("Neo4j gave no plan for the query: refused")
    for operator, details in operators:
        reason = _operator_refusal(operator, details)
        if reason:
            raise RefusedStatement(reason)
    if query_type not in (None, "r"):
        raise RefusedStatement(f"Neo4j classifies the statement as {query_type!r}, not as a "
                               "read: refused")


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------
def _is_path(value: Any) -> bool:
    return hasattr(value, "relationships") and hasattr(value, "nodes") \
        and hasattr(value, "start_node")


def _is_relationship(value: Any) -> bool:
    return hasattr(value, "element_id") and hasattr(value, "start_node") \
        and hasattr(value, "type")


def _is_node(value: Any) -> bool:
    return hasattr(value, "element_id") and hasattr(value, "labels")


def to_json(value: Any, nodes: dict | None = None, rels: dict | None = None) -> Any:
    """A JSON-friendly copy of a value returned by the driver.

    Nodes and relationships met on the way are added to ``nodes``/``rels`` (by element id).
    Graph values are recognised by their attributes, so this module needs no driver types.

    >>> to_json({"b": [1, 2.5, float("nan")], "a": None})
    {'b': [1, 2.5, 'NaN'], 'a': None}
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): to_json(v, nodes, rels) for k, v in value.items()}
    if _is_path(value):
        return {"nodes": [to_json(n, nodes, rels) for n in value.nodes],
                "relationships": [to_json(r, nodes, rels) for r in value.relationships]}
    if _is_relationship(value):
        start, end = value.start_node, value.end_node
        out = {"id": value.element_id, "type": value.type,
               "start": start.element_id if start is not None else None,
               "end": end.element_id if end is not None else None,
               "properties": to_json(dict(value.items()))}
        if rels is not None:
            rels[value.element_id] = out
        return out
    if _is_node(value):
        out = {"id": value.element_id, "labels": sorted(value.labels),
               "properties": to_json(dict(value.items()))}
        if nodes is not None:
            nodes[value.element_id] = out
        return out
    if hasattr(value, "srid"):  # spatial points (tuples)
        return {"srid": value.srid, "coordinates": list(value)}
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime, Duration (a tuple)
        return value.iso_format()
    if isinstance(value, list | tuple):
        return [to_json(v, nodes, rels) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class ConsoleResult:
    columns: list[str]
    rows: list[list]
    truncated: bool
    nodes: list[dict] = field(default_factory=list)
    relationships: list[dict] = field(default_factory=list)
    elapsed_ms: float = 0.0
    #: Why the result stopped early: "rows" (the row limit) or "bytes" (the size cap).
    truncated_reason: str | None = None
    #: Serialised size of the rows, nodes and relationships kept (bytes of JSON).
    size_bytes: int = 0
    message: str | None = None

    def as_dict(self) -> dict:
        return {"columns": self.columns, "rows": self.rows, "truncated": self.truncated,
                "truncated_reason": self.truncated_reason, "message": self.message,
                "nodes": self.nodes, "relationships": self.relationships,
                "elapsed_ms": self.elapsed_ms}


def _json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


class _Collector:
    """Rows of one run, kept until the row limit or the byte cap."""

    #: In-flight records are kept under this share of the byte cap.
    FETCH_SHARE = 8
    MAX_FETCH = 1000

    def __init__(self, row_limit: int, max_bytes: int):
        self.row_limit = row_limit
        self.max_bytes = max_bytes
        self.rows: list[list] = []
        self.nodes: dict[str, dict] = {}
        self.rels: dict[str, dict] = {}
        self.size = 0
        self.largest = 1
        self.reason: str | None = None

    def add(self, values: list) -> bool:
        """Keep one record; False when reading must stop."""
        if len(self.rows) >= self.row_limit:
            self.reason = "rows"
            return False
        nodes: dict[str, dict] = {}
        rels: dict[str, dict] = {}
        row = [to_json(v, nodes, rels) for v in values]
        size = _json_size(row) + 1
        size += sum(_json_size(v) + 1 for k, v in nodes.items() if k not in self.nodes)
        size += sum(_json_size(v) + 1 for k, v in rels.items() if k not in self.rels)
        self.largest = max(self.largest, size)
        if self.size + size > self.max_bytes:
            self.reason = "bytes"
            return False
        self.rows.append(row)
        self.nodes.update(nodes)
        self.rels.update(rels)
        self.size += size
        return True

    def fetch_size(self) -> int:
        """Records to fetch per round trip: their size stays under a share of the cap."""
        by_bytes = (self.max_bytes // self.FETCH_SHARE) // self.largest
        by_rows = self.row_limit - len(self.rows) + 1
        return max(1, min(self.MAX_FETCH, by_bytes, by_rows))


# --------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------
_TIMEOUT_CODES = ("Neo.ClientError.Transaction.TransactionTimedOut",
                  "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                  "Neo.TransientError.Transaction.LockClientStopped")
_REFUSED_CODES = ("Neo.ClientError.Statement.UnsupportedAdministrationCommand",
                  "Neo.ClientError.Statement.NotSystemDatabaseError")
_INT64 = (-(2**63), 2**63 - 1)


def _map_error(exc: Neo4jError) -> ConsoleError:
    code = exc.code or ""
    message = exc.message or str(exc)
    if code == "Neo.ClientError.Statement.AccessMode" or "AccessMode" in code:
        return RefusedStatement("the database refused to write: the console is read-only "
                                f"({message})")
    if code in _REFUSED_CODES:
        return RefusedStatement(f"administration commands are not allowed in the console "
                                f"({message})")
    if code in _TIMEOUT_CODES or "TimedOut" in code:
        return QueryTimeout("the query ran longer than the console's time limit and was "
                            "stopped by the database")
    if code == "Neo.ClientError.Statement.SyntaxError":
        return CypherSyntaxError(message, code)
    if code.startswith("Neo.ClientError.Security"):
        return RefusedStatement(f"not allowed: {message}")
    return QueryFailed(message, code or None)


def _check_parameters(value: Any, path: str = "parameters") -> None:
    """Parameters must be JSON values Bolt can carry (integers within 64 bits)."""
    if value is None or isinstance(value, bool | str | float):
        return
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise QueryFailed(f"cannot send the parameters: {path} is outside the 64-bit "
                              "integer range")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise QueryFailed(f"cannot send the parameters: {path} has a key that is "
                                  "not a string")
            _check_parameters(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_parameters(item, f"{path}[{index}]")
        return
    raise QueryFailed(f"cannot send the parameters: {path} is a {type(value).__name__}, "
                      "not a JSON value")


def run_read_only(
    store,
    query: str,
    parameters: dict | None = None,
    *,
    timeout_s: float = 10.0,
    row_limit: int = 5000,
    max_bytes: int = DEFAULT_MAX_BYTES,
    _precheck: bool = True,
    _plan_check: bool = True,
) -> ConsoleResult:
    """Run a user's query read-only through ``store`` (a :class:`GraphStore`).

    Limits: the server stops the transaction after ``timeout_s``; at most ``row_limit``
    rows and ``max_bytes`` bytes of JSON (rows, nodes and relationships) are kept, and the
    result says ``truncated`` and why. ``_precheck``/``_plan_check`` exist for tests only
    (they show each guard on its own).

    Raises
    ------
    RefusedStatement, QueryTimeout, CypherSyntaxError, QueryFailed
    """
    if not isinstance(query, str) or not query.strip():
        raise RefusedStatement("the query is empty")
    if parameters is not None and not isinstance(parameters, dict):
        raise QueryFailed("parameters must be a JSON object")
    parameters = parameters or {}
    _check_parameters(parameters)
    if _precheck:
        precheck(query)
    row_limit = max(0, int(row_limit))
    max_bytes = max(1, int(max_bytes))
    current: list[_Collector] = []

    def consume(columns: list[str], records) -> tuple[list[str], _Collector]:
        collector = _Collector(row_limit, max_bytes)
        current[:] = [collector]
        for values in records:
            if not collector.add(values):
                break
        return columns, collector

    def fetch_size() -> int:
        return current[0].fetch_size() if current else 1

    def no_check(plan: dict, query_type: str | None) -> None:
        return None

    started = time.monotonic()
    try:
        columns, collector = store.run_user_read(
            query, parameters, timeout_s=float(timeout_s),
            check_plan=check_plan if _plan_check else no_check,
            consume=consume, fetch_size=fetch_size)
    except Neo4jError as exc:
        raise _map_error(exc) from exc
    elapsed = round((time.monotonic() - started) * 1000, 1)
    message = None
    if collector.reason == "rows":
        message = f"stopped at {row_limit:,} rows (the console's row limit)"
    elif collector.reason == "bytes":
        message = (f"stopped at {len(collector.rows):,} rows: the next row would make the "
                   f"result larger than {max_bytes:,} bytes (the console's size limit)")
    return ConsoleResult(columns, collector.rows, collector.reason is not None,
                         _sorted(collector.nodes), _sorted(collector.rels), elapsed,
                         truncated_reason=collector.reason, size_bytes=collector.size,
                         message=message)


def _sorted(items: dict[str, dict]) -> list[dict]:
    return [items[k] for k in sorted(items)]


# --------------------------------------------------------------------------------------
# Schema and examples
# --------------------------------------------------------------------------------------
def schema_summary(store) -> dict:
    """Labels and relationship types with their counts, and every property key."""
    return store.console_schema()


def example(example_id: str) -> dict | None:
    return next((e for e in EXAMPLES if e["id"] == example_id), None)
