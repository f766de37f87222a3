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


def _topic(ref: GroupRef | None, name: str, compute):
    state = _state()
    try:
        if ref is not None:
            describe_group(state.store, ref)
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    key = None if ref is None else (ref.kind, ref.id)
    return jsonify(state.cached(name, (key,), compute))


def _ref(kind: str, group_id: str) -> GroupRef:
    return GroupRef(kind, group_id.upper() if kind == "country" else group_id)


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/synergy")
def group_synergy(kind: str, group_id: str):
    from service.metrics import synergy_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    return _topic(ref, "synergy", lambda: synergy_for(_state().store, ref))


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/communities")
def group_communities(kind: str, group_id: str):
    from service.metrics import communities_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    return _topic(ref, "communities", lambda: communities_for(_state().store, ref))


@api_blueprint.route("/communities")
def ecosystem_communities():
    from service.metrics import communities_for

    return _topic(None, "communities", lambda: communities_for(_state().store, None))


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/evolution")
def group_evolution(kind: str, group_id: str):
    from service.metrics import evolution_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    window = _int_arg("window", 0, 0, 50) or None
    state = _state()
    try:
        describe_group(state.store, ref)
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    return jsonify(state.cached("evolution", (ref.kind, ref.id, window),
                                lambda: evolution_for(state.store, ref, window=window)))


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/whatif", methods=["POST"])
def group_what_if(kind: str, group_id: str):
    """Body: {"changes": [{"op": "add_tie", "u": ACTOR, "v": ACTOR}, ...]}."""
    import networkx as nx
    from flask import request

    from service.analytics.whatif import OPS
    from service.metrics import what_if_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("changes"), list) \
            or not body["changes"]:
        return problem(400, "bad-request", "Invalid body",
                       'expected JSON {"changes": [{"op": ..., ...}, ...]}')
    for change in body["changes"]:
        if not isinstance(change, dict) or change.get("op") not in OPS:
            return problem(400, "bad-request", "Invalid change",
                           f"each change needs an 'op' among {', '.join(OPS)}")
    state = _state()
    try:
        describe_group(state.store, ref)
        result = what_if_for(state.store, ref, body["changes"])
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    except (nx.NodeNotFound, KeyError, ValueError, TypeError) as exc:
        return problem(400, "bad-request", "Invalid change", str(exc))
    return jsonify(result)
