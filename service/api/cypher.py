"""The read-only Cypher console API: ``POST /api/v1/cypher``, examples and the schema.

Every view is a plain function on :data:`cypher_blueprint`, so access control can be
added later with one decorator per view or a ``cypher_blueprint.before_request`` hook.
The query runs through :func:`graph_schema.console.run_read_only` (read-only session,
server-side timeout, row limit); errors are ``application/problem+json``:

- ``refused-statement`` (400): a write, schema or admin command, or several statements;
- ``cypher-error`` (400): Neo4j refused the query (syntax, missing parameter, ...);
- ``query-timeout`` (504): the query ran longer than ``SYNERGRAPH_CYPHER_TIMEOUT_S``;
- ``bad-request`` (400): the body is not a JSON object with a ``query`` string and an
  optional ``parameters`` object.
"""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, current_app, jsonify, request

from graph_schema.console import (
    EXAMPLES,
    ConsoleResult,
    QueryFailed,
    QueryTimeout,
    RefusedStatement,
    run_read_only,
    schema_summary,
)

from . import problem
from .openapi import arr, documented, obj, param, ref

__all__ = ["cypher_blueprint", "console_limits", "run_console_query", "result_csv",
           "console_schema"]

cypher_blueprint = Blueprint("api_cypher", __name__, url_prefix="/api/v1")

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_ROW_LIMIT = 5000


def console_limits() -> tuple[float, int]:
    """(timeout in seconds, row limit) from the app's settings, with the defaults."""
    config = current_app.config
    try:
        timeout = float(config.get("SYNERGRAPH_CYPHER_TIMEOUT_S") or DEFAULT_TIMEOUT_S)
    except (TypeError, ValueError):
        timeout = DEFAULT_TIMEOUT_S
    try:
        rows = int(config.get("SYNERGRAPH_CYPHER_ROW_LIMIT") or DEFAULT_ROW_LIMIT)
    except (TypeError, ValueError):
        rows = DEFAULT_ROW_LIMIT
    return timeout, rows


def run_console_query(query: str, parameters: dict | None) -> ConsoleResult:
    """Run a user's query with the app's store and limits (raises ConsoleError)."""
    store = current_app.extensions["synergraph"].store
    timeout, rows = console_limits()
    return run_read_only(store.driver, store.database, query, parameters or {},
                         timeout_s=timeout, row_limit=rows)


def console_schema() -> dict:
    state = current_app.extensions["synergraph"]
    return state.cached("console-schema", (),
                        lambda: schema_summary(state.store.driver, state.store.database))


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
             example={"query": "MATCH (c:Cluster) RETURN c.name AS name"}),
    responses={200: ("Columns and rows", ref("CypherResult"))}, errors=(400, 408, 504),
    description="Runs in a session opened in read access mode, in a read transaction with a "
                "server-side timeout and a row limit. Write statements are refused (400).")
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
    except (RefusedStatement, QueryTimeout, QueryFailed) as exc:
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
