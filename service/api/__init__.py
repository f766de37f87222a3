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


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    from flask import request

    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


class BadParameter(ValueError):
    """A query parameter is invalid (answered with 400)."""


@api_blueprint.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return problem(400, "bad-parameter", "Invalid parameter", str(exc))


def _metrics(ref: GroupRef | None):
    from flask import request

    from service.metrics import metrics_for

    state = _state()
    weighted = request.args.get("weighted", "false").lower() in ("1", "true", "yes")
    null_runs = _int_arg("null_runs", 20, 0, 200)
    try:
        if ref is not None:
            describe_group(state.store, ref)
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    key = (None if ref is None else (ref.kind, ref.id), weighted, null_runs)
    result = state.cached("metrics", key, lambda: metrics_for(
        state.store, ref, weighted=weighted, null_runs=null_runs))
    return jsonify(result)


@api_blueprint.route("/metrics")
def ecosystem_metrics():
    return _metrics(None)


@api_blueprint.route("/clusters/<cluster_id>/metrics")
def cluster_metrics(cluster_id: str):
    return _metrics(GroupRef("cluster", cluster_id))


@api_blueprint.route("/countries/<country_id>/metrics")
def country_metrics(country_id: str):
    return _metrics(GroupRef("country", country_id.upper()))


@api_blueprint.route("/clusters/<cluster_id>/scorecard")
def cluster_scorecard_api(cluster_id: str):
    from service.metrics import cluster_scorecard

    state = _state()
    try:
        card = state.cached("scorecard", (cluster_id,),
                            lambda: cluster_scorecard(state.store, cluster_id))
    except GroupNotFound as exc:
        return problem(404, "not-found", "Unknown cluster", str(exc))
    return jsonify(card)


@api_blueprint.route("/actors/<actor_id>/recommendations")
def actor_recommendations(actor_id: str):
    from service.metrics import ecosystem_graph, recommendations_for

    state = _state()
    top = _int_arg("top", 20, 1, 200)
    graph = state.cached("ecosystem-graph", (), lambda: ecosystem_graph(state.store))
    try:
        items = state.cached("recommend", (actor_id, top),
                             lambda: recommendations_for(state.store, actor_id, top=top,
                                                         graph=graph))
    except KeyError:
        return problem(404, "not-found", "Unknown actor", f"no actor with id {actor_id!r}")
    return jsonify({"actor_id": actor_id, "recommendations": items})
