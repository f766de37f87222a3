"""JSON API, version 1 (``/api/v1``). Errors are ``application/problem+json``."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from service.groups import GroupNotFound, GroupRef, describe_group, group_figures, group_graph

__all__ = ["api_blueprint", "problem"]

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

PROBLEM_BASE = "https://synergraph.invalid/problems/"


def problem(status: int, type_: str, title: str, detail: str = ""):
    """An RFC 9457 problem response with a stable ``type``."""
    response = jsonify({"type": PROBLEM_BASE + type_, "title": title, "status": status,
                        "detail": detail})
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _state():
    return current_app.extensions["synergraph"]


@api_blueprint.route("/health")
def health():
    store = _state().store
    store.driver.verify_connectivity()
    return jsonify({"status": "ok", "graph_version": store.graph_version()})


@api_blueprint.route("/clusters")
def clusters():
    state = _state()
    items = state.cached("api-clusters", (), state.store.clusters_overview)
    return jsonify({"items": items, "count": len(items)})


def _group_json(ref: GroupRef, with_network: bool):
    state = _state()
    try:
        group = describe_group(state.store, ref)
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))

    def compute():
        graph = group_graph(state.store, ref)
        figures = group_figures(graph)
        payload = {"figures": figures}
        if with_network:
            from web.network import network_data

            payload["network"] = network_data(graph, figures)
        return payload

    payload = state.cached("api-group", (ref.kind, ref.id, with_network), compute)
    return jsonify({"group": group, **payload})


@api_blueprint.route("/clusters/<cluster_id>")
def cluster(cluster_id: str):
    return _group_json(GroupRef("cluster", cluster_id), with_network=False)


@api_blueprint.route("/clusters/<cluster_id>/network")
def cluster_network(cluster_id: str):
    return _group_json(GroupRef("cluster", cluster_id), with_network=True)


@api_blueprint.route("/countries/<country_id>/network")
def country_network(country_id: str):
    return _group_json(GroupRef("country", country_id.upper()), with_network=True)
