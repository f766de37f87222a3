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
from .console_guard import (  # noqa: F401  (the guard, re-exported)
    ALLOWED_PROCEDURES,
    READ_OPERATORS,
    ConsoleBusy,
    ConsoleError,
    CypherSyntaxError,
    QueryFailed,
    QueryTimeout,
    RefusedStatement,
    Token,
    check_plan,
    plan_operators,
    precheck,
    tokenize,
)

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
