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
                                  "graph_version": {"type": "integer"}},
                                 ["status", "graph_version"]))})
def health():
    store = context().store
    store.verify_connectivity()
    return jsonify({"status": "ok", "graph_version": store.graph_version()})


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
