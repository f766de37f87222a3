"""``/api/v1/health``, the OpenAPI document and its HTML page."""

from __future__ import annotations

from flask import current_app, jsonify, render_template

from . import api_blueprint, context
from .openapi import build_openapi, documented, obj
from .schemas import SCHEMAS


@api_blueprint.route("/health")
@documented("Service health", tags=("meta",), errors=(),
            responses={200: ("The database answers",
                             obj({"status": {"type": "string"},
                                  "database": {"type": "string"},
                                  "graph_version": {"type": "integer"}},
                                 ["status", "database", "graph_version"])),
                       503: ("The database does not answer (with Retry-After)",
                             obj({"status": {"type": "string"},
                                  "database": {"type": "string"},
                                  "detail": {"type": "string"}}, ["status", "database"]))})
def health():
    from graph_schema.store import DATABASE_ERRORS
    from service.http import DB_RETRY_AFTER_S

    store = context().store
    try:
        store.verify_connectivity()
        version = store.graph_version()
    except DATABASE_ERRORS as exc:
        response = jsonify({"status": "unavailable", "database": "unavailable",
                            "detail": f"{type(exc).__name__}: {exc}"[:300]})
        response.status_code = 503
        response.headers["Retry-After"] = str(DB_RETRY_AFTER_S)
        return response
    return jsonify({"status": "ok", "database": "up", "graph_version": version})


@api_blueprint.route("/openapi.json")
@documented("This OpenAPI document", tags=("meta",), errors=(),
            responses={200: ("OpenAPI 3.1", {"type": "object"})})
def openapi_document():
    state = current_app.extensions["synergraph"]
    document = state.cache.get_or_compute(
        ("openapi",), lambda: build_openapi(current_app, schemas=SCHEMAS))
    return jsonify(document)


@api_blueprint.route("/docs")
@documented("Human-readable API documentation (HTML)", tags=("meta",), errors=(),
            responses={200: ("HTML page", {"type": "string", "_media": "text/html"})})
def docs():
    document = build_openapi(current_app, schemas=SCHEMAS)
    return render_template("api_docs.html", document=document)
