"""The read-only Cypher console API: ``POST /api/v1/cypher``, examples and the schema.

Every view is a plain function on :data:`cypher_blueprint` (access control comes from
``service.auth.RULES``). A query runs through :func:`graph_schema.console.run_read_only`
(tokenizer pre-check, EXPLAIN plan allow-list, read-only session, server-side timeout, row
and byte limits) on the console's own bounded thread pool (:class:`ConsoleGate`): at most
``SYNERGRAPH_CYPHER_MAX_CONCURRENT`` console queries run at once, at most
``SYNERGRAPH_CYPHER_MAX_PER_USER`` per user, and ``synergraph serve`` runs that many
threads *more* than it needs for pages (:func:`serve_threads`), so console queries never
hold every page-serving thread. Errors are ``application/problem+json``:

- ``refused-statement`` (400): not a plain read (write, schema or admin command, LOAD CSV,
  SHOW/TERMINATE, a procedure off the allow-list, several statements);
- ``cypher-error`` (400): Neo4j refused the query (syntax, missing parameter, ...);
- ``too-many-queries`` (429, with ``Retry-After``): the user's or the total cap is reached;
- ``query-timeout`` (504): the query ran longer than ``SYNERGRAPH_CYPHER_TIMEOUT_S``;
- ``bad-request`` (400): the body is not a JSON object with a ``query`` string and an
  optional ``parameters`` object.
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, jsonify, request

from graph_schema.console import (
    DEFAULT_QUERY,
    EXAMPLES,
    ConsoleBusy,
    ConsoleResult,
    QueryFailed,
    QueryTimeout,
    RefusedStatement,
    run_read_only,
    schema_summary,
)

from . import problem
from .openapi import arr, documented, obj, param, ref

__all__ = ["cypher_blueprint", "console_limits", "ConsoleLimits", "ConsoleGate",
           "run_console_query", "result_csv", "console_schema", "serve_threads",
           "console_error_response"]

cypher_blueprint = Blueprint("api_cypher", __name__, url_prefix="/api/v1")

#: Threads `synergraph serve` keeps for pages on top of the console's cap.
PAGE_THREADS = 8
#: Extra seconds a request waits for its query beyond the database's own timeout.
WAIT_MARGIN_S = 30.0


def _limit(config, name: str):
    """A console limit from the settings (typed, default from the settings table); a value
    that is not positive is a :class:`~service.settings.SettingError` naming it."""
    from service.settings import SETTINGS, SettingError

    setting = next(s for s in SETTINGS if s.name == name)
    value = setting.parse(config.get(name))
    if value is None or value <= 0:
        raise SettingError(f"{name} must be positive, got {config.get(name)!r}")
    return value


@dataclass(frozen=True)
class ConsoleLimits:
    """The console's limits, read from the settings (bad or missing values: defaults)."""

    timeout_s: float
    row_limit: int
    max_bytes: int
    max_concurrent: int
    max_per_user: int

    @classmethod
    def from_config(cls, config) -> ConsoleLimits:
        return cls(
            timeout_s=_limit(config, "SYNERGRAPH_CYPHER_TIMEOUT_S"),
            row_limit=_limit(config, "SYNERGRAPH_CYPHER_ROW_LIMIT"),
            max_bytes=_limit(config, "SYNERGRAPH_CYPHER_MAX_BYTES"),
            max_concurrent=_limit(config, "SYNERGRAPH_CYPHER_MAX_CONCURRENT"),
            max_per_user=_limit(config, "SYNERGRAPH_CYPHER_MAX_PER_USER"),
        )


def console_limits() -> ConsoleLimits:
    """The console's limits from the app's settings."""
    return ConsoleLimits.from_config(current_app.config)


def serve_threads(settings: dict) -> int:
    """Threads for ``synergraph serve``: the console's cap plus :data:`PAGE_THREADS`."""
    return ConsoleLimits.from_config(settings).max_concurrent + PAGE_THREADS


class ConsoleGate:
    """Admission and a bounded thread pool for console queries.

    :meth:`run` refuses at once (:class:`ConsoleBusy`) when ``max_per_user`` queries of the
    user or ``max_concurrent`` queries in total are running; otherwise the query runs on
    the gate's pool (``max_concurrent`` threads) while the request's thread waits. A slot is
    freed when the query really ends, not when a waiting request gives up.
    """

    def __init__(self, max_concurrent: int, max_per_user: int):
        self.max_concurrent = max_concurrent
        self.max_per_user = max_per_user
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()
        self._total = 0
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent,
                                        thread_name_prefix="synergraph-console")

    @property
    def running(self) -> int:
        with self._lock:
            return self._total

    def _admit(self, user: str, retry_after_s: int) -> None:
        with self._lock:
            if self._running[user] >= self.max_per_user:
                raise ConsoleBusy(f"you already have {self._running[user]} console "
                                  f"quer{'y' if self._running[user] == 1 else 'ies'} running "
                                  f"(at most {self.max_per_user} at once): wait for "
                                  "it to finish", retry_after_s)
            if self._total >= self.max_concurrent:
                raise ConsoleBusy(f"{self._total} console queries are running (at most "
                                  f"{self.max_concurrent} at once): try again shortly",
                                  retry_after_s)
            self._running[user] += 1
            self._total += 1

    def _release(self, user: str) -> None:
        with self._lock:
            self._running[user] -= 1
            if self._running[user] <= 0:
                del self._running[user]
            self._total -= 1

    def run(self, user: str, work, *, wait_s: float, retry_after_s: int):
        """``work()`` on the pool for ``user``; its result or its exception."""
        self._admit(user, retry_after_s)

        def task():
            try:
                return work()
            finally:
                self._release(user)

        try:
            future = self._pool.submit(task)
        except BaseException:
            self._release(user)
            raise
        try:
            return future.result(timeout=wait_s)
        except FutureTimeout:
            raise QueryTimeout("the query did not finish in time") from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_GATE_LOCK = threading.Lock()


def console_gate() -> ConsoleGate:
    """The app's gate (created on first use from its settings)."""
    extensions = current_app.extensions
    gate = extensions.get("synergraph_console")
    if gate is None:
        with _GATE_LOCK:
            gate = extensions.get("synergraph_console")
            if gate is None:
                limits = console_limits()
                gate = ConsoleGate(limits.max_concurrent, limits.max_per_user)
                extensions["synergraph_console"] = gate
    return gate


def _caller() -> str:
    from service.auth import current_user

    user = current_user()
    return f"user:{user.username}" if user is not None else f"addr:{request.remote_addr}"


def run_console_query(query: str, parameters: dict | None) -> ConsoleResult:
    """Run a user's query with the app's store, limits and gate (raises ConsoleError)."""
    store = current_app.extensions["synergraph"].store
    limits = console_limits()

    def work() -> ConsoleResult:
        return run_read_only(store, query, parameters or {}, timeout_s=limits.timeout_s,
                             row_limit=limits.row_limit, max_bytes=limits.max_bytes)

    return console_gate().run(_caller(), work, wait_s=limits.timeout_s + WAIT_MARGIN_S,
                              retry_after_s=max(1, math.ceil(limits.timeout_s)))


def console_schema() -> dict:
    state = current_app.extensions["synergraph"]
    return state.cached("console-schema", (), lambda: schema_summary(state.store))


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def result_csv(result: ConsoleResult) -> str:
    """The result as CSV text: a header of columns, nodes/lists/maps as JSON."""
    from loaders.csvsafe import neutralise  # no formula cells (CSV injection)

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(c) for c in result.columns])
    for row in result.rows:
        writer.writerow([neutralise(_csv_cell(v)) for v in row])
    return buffer.getvalue()


def console_error_response(exc: Exception):
    """The problem+json response for a console error."""
    if isinstance(exc, RefusedStatement):
        return problem(400, "refused-statement", "Statement refused", str(exc))
    if isinstance(exc, ConsoleBusy):
        response = problem(429, "too-many-queries", "Too many console queries", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    if isinstance(exc, QueryTimeout):
        return problem(504, "query-timeout", "Query timed out", str(exc))
    if isinstance(exc, QueryFailed):
        return problem(400, "cypher-error", "Cypher error", str(exc))
    raise exc


@cypher_blueprint.route("/cypher", methods=["POST"])
@documented(
    "Run a read-only Cypher query (researchers and admins)", tags=("console",),
    params=(param("format", enum=["json", "csv"], description="json (default) or csv"),),
    body=obj({"query": {"type": "string"}, "parameters": {"type": "object"}}, ["query"],
             example={"query": DEFAULT_QUERY}),
    responses={200: ("Columns and rows", ref("CypherResult"))}, errors=(400, 429, 504),
    description="Only plain reads: the query's EXPLAIN plan must use read operators only "
                "(no LOAD CSV, no SHOW/TERMINATE or administration, procedures limited to "
                "db.labels, db.relationshipTypes, db.propertyKeys and db.schema.*); it runs "
                "in a read-only session with a server-side timeout, a row limit and a byte "
                "limit (then truncated: true). Refused: 400; too many running: 429.")
def run_cypher():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "bad-request", "Bad request",
                       'send a JSON object: {"query": "...", "parameters": {...}}')
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        return problem(400, "bad-request", "Bad request", "'query' must be a non-empty string")
    parameters = body.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        return problem(400, "bad-request", "Bad request", "'parameters' must be a JSON object")
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        return problem(400, "bad-request", "Bad request", "format must be json or csv")
    try:
        result = run_console_query(query, parameters)
    except (RefusedStatement, QueryTimeout, QueryFailed, ConsoleBusy) as exc:
        return console_error_response(exc)
    if fmt == "csv":
        return Response(result_csv(result), mimetype="text/csv",
                        headers={"Content-Disposition":
                                 'attachment; filename="synergraph-query.csv"'})
    return jsonify(result.as_dict())


@cypher_blueprint.route("/cypher/examples")
@documented("Saved example queries answering real questions", tags=("console",), errors=(),
            responses={200: ("Examples", obj({"items": arr(obj(
                {"id": {"type": "string"}, "query": {"type": "string"}}, ["id", "query"])),
                "count": {"type": "integer"}}, ["items", "count"]))})
def cypher_examples():
    return jsonify({"items": list(EXAMPLES), "count": len(EXAMPLES)})


@cypher_blueprint.route("/schema")
@documented("Labels, relationship types and property keys of the graph", tags=("console",),
            errors=(), responses={200: ("Schema", {"type": "object"})})
def schema():
    return jsonify(console_schema())
