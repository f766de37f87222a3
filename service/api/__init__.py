"""JSON API, version 1 (``/api/v1``). Errors are ``application/problem+json``."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from service.groups import GroupNotFound, GroupRef, describe_group, group_figures, group_graph

from .openapi import arr, build_openapi, documented, obj, param, ref

__all__ = ["api_blueprint", "problem"]

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

PROBLEM_BASE = "https://synergraph.invalid/problems/"


def problem(status: int, type_: str, title: str, detail: str = ""):
    """An RFC 9457 problem response with a stable ``type``."""
    response = jsonify(
        {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail}
    )
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _state():
    return current_app.extensions["synergraph"]


@api_blueprint.route("/health")
@documented(
    "Service health",
    tags=("meta",),
    errors=(),
    responses={
        200: (
            "The database answers",
            obj(
                {"status": {"type": "string"}, "database": {"type": "string"},
                 "graph_version": {"type": "integer"}},
                ["status", "database", "graph_version"],
            ),
        ),
        503: (
            "The database does not answer (with Retry-After)",
            obj({"status": {"type": "string"}, "database": {"type": "string"},
                 "detail": {"type": "string"}}, ["status", "database"]),
        ),
    },
)
def health():
    from neo4j.exceptions import DriverError, Neo4jError

    from service.http import DB_RETRY_AFTER_S

    store = _state().store
    try:
        store.driver.verify_connectivity()
        version = store.graph_version()
    except (DriverError, Neo4jError) as exc:
        response = jsonify({"status": "unavailable", "database": "unavailable",
                            "detail": f"{type(exc).__name__}: {exc}"[:300]})
        response.status_code = 503
        response.headers["Retry-After"] = str(DB_RETRY_AFTER_S)
        return response
    return jsonify({"status": "ok", "database": "up", "graph_version": version})


@api_blueprint.route("/clusters")
@documented(
    "List the clusters with their counts",
    tags=("clusters",),
    errors=(),
    responses={
        200: (
            "Clusters",
            obj(
                {"items": arr(ref("ClusterSummary")), "count": {"type": "integer"}},
                ["items", "count"],
            ),
        )
    },
)
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
@documented(
    "A cluster with its figures and actors' centralities",
    tags=("clusters",),
    errors=(404,),
    responses={200: ("The cluster", ref("GroupView"))},
)
def cluster(cluster_id: str):
    return _group_json(GroupRef("cluster", cluster_id), with_network=False)


@api_blueprint.route("/clusters/<cluster_id>/network")
@documented(
    "A cluster's network as node and edge lists (the data handed to pyvis)",
    tags=("clusters",),
    errors=(404,),
    responses={200: ("Nodes, edges and legend", ref("GroupView"))},
)
def cluster_network(cluster_id: str):
    return _group_json(GroupRef("cluster", cluster_id), with_network=True)


@api_blueprint.route("/countries/<country_id>/network")
@documented(
    "A country's network (actors located in it)",
    tags=("countries",),
    errors=(404,),
    responses={200: ("Nodes, edges and legend", ref("GroupView"))},
)
def country_network(country_id: str):
    return _group_json(GroupRef("country", country_id.upper()), with_network=True)


_METRIC_PARAMS = (
    param("years", description="only projects starting in START-END", example="2011-2014"),
    param(
        "kinds",
        description="only actors of these kinds, comma-separated",
        example="sme,university,research_lab,large_company,startup",
    ),
    param("programme", description="only projects funded by this programme id"),
    param(
        "min_weight",
        type_="integer",
        minimum=1,
        maximum=1000,
        description="only ties of at least this many shared projects",
    ),
    param(
        "weighted",
        enum=["true", "false"],
        description="weight path-based and spectral centralities by shared projects",
    ),
    param(
        "null_runs",
        type_="integer",
        minimum=0,
        maximum=200,
        description="degree-preserving rewirings of the null model (default 20)",
    ),
)


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


def _bool_arg(name: str, default: bool) -> bool:
    from flask import request

    raw = request.args.get(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no"):
        return False
    raise BadParameter(f"{name} must be true or false, got {raw!r}")


class BadParameter(ValueError):
    """A query parameter is invalid (answered with 400)."""


@api_blueprint.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return problem(400, "bad-parameter", "Invalid parameter", str(exc))


def _graph_filter():
    from flask import request

    from service.groups import GraphFilter

    try:
        return GraphFilter.parse(
            years=request.args.get("years"),
            kinds=request.args.get("kinds"),
            programme=request.args.get("programme"),
            min_weight=request.args.get("min_weight"),
        )
    except ValueError as exc:
        raise BadParameter(str(exc)) from None


def _metrics(ref: GroupRef | None):
    from service.metrics import metrics_for

    state = _state()
    weighted = _bool_arg("weighted", False)
    null_runs = _int_arg("null_runs", 20, 0, 200)
    graph_filter = _graph_filter()
    try:
        if ref is not None:
            describe_group(state.store, ref)
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    key = (None if ref is None else (ref.kind, ref.id), weighted, null_runs, graph_filter.key())
    result = state.cached(
        "api-metrics",
        key,
        lambda: metrics_for(
            state.store, ref, weighted=weighted, null_runs=null_runs, graph_filter=graph_filter
        ),
    )
    return jsonify(result)


@api_blueprint.route("/metrics")
@documented(
    "Every actor's centralities and the ecosystem's cohesion",
    tags=("metrics",),
    params=_METRIC_PARAMS,
    errors=(400,),
    responses={200: ("Figures", ref("Metrics"))},
)
def ecosystem_metrics():
    return _metrics(None)


@api_blueprint.route("/clusters/<cluster_id>/metrics")
@documented(
    "A cluster's actors' centralities and cohesion (with a null model)",
    tags=("metrics",),
    params=_METRIC_PARAMS,
    responses={200: ("Figures", ref("Metrics"))},
)
def cluster_metrics(cluster_id: str):
    return _metrics(GroupRef("cluster", cluster_id))


@api_blueprint.route("/countries/<country_id>/metrics")
@documented(
    "A country's actors' centralities and cohesion",
    tags=("metrics",),
    params=_METRIC_PARAMS,
    responses={200: ("Figures", ref("Metrics"))},
)
def country_metrics(country_id: str):
    return _metrics(GroupRef("country", country_id.upper()))


@api_blueprint.route("/clusters/<cluster_id>/scorecard")
@documented(
    "The cluster's evaluation-grid scorecard against its targets",
    tags=("clusters",),
    errors=(404,),
    responses={200: ("Scorecard", ref("Scorecard"))},
)
def cluster_scorecard_api(cluster_id: str):
    from service.metrics import cluster_scorecard

    state = _state()
    try:
        card = state.cached(
            "api-scorecard", (cluster_id,), lambda: cluster_scorecard(state.store, cluster_id)
        )
    except GroupNotFound as exc:
        return problem(404, "not-found", "Unknown cluster", str(exc))
    return jsonify(card)


@api_blueprint.route("/actors/<actor_id>/recommendations")
@documented(
    "Missing links for an actor, each with its explanation",
    tags=("actors",),
    params=(param("top", type_="integer", minimum=1, maximum=200, description="how many"),),
    responses={
        200: (
            "Ranked candidates",
            obj(
                {
                    "actor_id": {"type": "string"},
                    "recommendations": arr(
                        obj(
                            {"id": {"type": "string"}, "score": {"type": "number"}}, ["id", "score"]
                        )
                    ),
                },
                ["actor_id", "recommendations"],
            ),
        )
    },
)
def actor_recommendations(actor_id: str):
    from service.metrics import ecosystem_graph, recommendations_for

    state = _state()
    top = _int_arg("top", 20, 1, 200)
    graph = state.cached("api-ecosystem-graph", (), lambda: ecosystem_graph(state.store))
    try:
        items = state.cached(
            "api-recommend",
            (actor_id, top),
            lambda: recommendations_for(state.store, actor_id, top=top, graph=graph),
        )
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
@documented(
    "Enterprise-research-training synergy figures",
    tags=("metrics",),
    errors=(404,),
    responses={200: ("Synergy", obj({"project_mix": {"type": "object"}}, ["project_mix"]))},
)
def group_synergy(kind: str, group_id: str):
    from service.metrics import synergy_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    return _topic(ref, "synergy", lambda: synergy_for(_state().store, ref))


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/communities")
@documented(
    "Communities, brokers, articulation points and bridges",
    tags=("metrics",),
    errors=(404,),
    responses={200: ("Communities", ref("Communities"))},
)
def group_communities(kind: str, group_id: str):
    from service.metrics import communities_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    return _topic(ref, "communities", lambda: communities_for(_state().store, ref))


@api_blueprint.route("/communities")
@documented(
    "Communities of all cluster members against declared clusters (NMI, ARI)",
    tags=("metrics",),
    errors=(),
    responses={200: ("Communities", ref("Communities"))},
)
def ecosystem_communities():
    from service.metrics import communities_for

    return _topic(None, "communities", lambda: communities_for(_state().store, None))


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/evolution")
@documented(
    "Figures per year, ties gained and lost, newcomers and leavers",
    tags=("metrics",),
    params=(
        param(
            "window",
            type_="integer",
            minimum=0,
            maximum=50,
            description="years per sliding window; 0 or absent: cumulative",
        ),
    ),
    responses={200: ("Per year", obj({"years": arr({"type": "object"})}, ["years"]))},
)
def group_evolution(kind: str, group_id: str):
    from service.metrics import evolution_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    window = _int_arg("window", 0, 0, 50) or None
    state = _state()
    try:
        describe_group(state.store, ref)
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    return jsonify(
        state.cached(
            "api-evolution",
            (ref.kind, ref.id, window),
            lambda: evolution_for(state.store, ref, window=window),
        )
    )


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/whatif", methods=["POST"])
@documented(
    "Before/after figures of a scenario (the stored graph is not changed)",
    tags=("metrics",),
    body=obj(
        {
            "changes": arr(
                obj(
                    {
                        "op": {
                            "type": "string",
                            "enum": [
                                "add_tie",
                                "remove_tie",
                                "add_actor",
                                "remove_actor",
                                "add_project",
                                "remove_project",
                            ],
                        }
                    },
                    ["op"],
                )
            )
        },
        ["changes"],
        example={"changes": [{"op": "add_tie", "u": "mnc-a001", "v": "mnc-a002"}]},
    ),
    responses={
        200: (
            "Before, after and delta",
            obj(
                {
                    "before": {"type": "object"},
                    "after": {"type": "object"},
                    "delta": {"type": "object"},
                },
                ["before", "after", "delta"],
            ),
        )
    },
)
def group_what_if(kind: str, group_id: str):
    """Body: {"changes": [{"op": "add_tie", "u": ACTOR, "v": ACTOR}, ...]}."""
    import networkx as nx
    from flask import request

    from service.analytics.whatif import OPS
    from service.metrics import what_if_for

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("changes"), list)
        or not body["changes"]
    ):
        return problem(
            400, "bad-request", "Invalid body", 'expected JSON {"changes": [{"op": ..., ...}, ...]}'
        )
    for change in body["changes"]:
        if not isinstance(change, dict) or change.get("op") not in OPS:
            return problem(
                400,
                "bad-request",
                "Invalid change",
                f"each change needs an 'op' among {', '.join(OPS)}",
            )
    state = _state()
    try:
        describe_group(state.store, ref)
        result = what_if_for(state.store, ref, body["changes"])
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    except (nx.NodeNotFound, KeyError, ValueError, TypeError) as exc:
        return problem(400, "bad-request", "Invalid change", str(exc))
    return jsonify(result)


SCHEMAS = {
    "ClusterSummary": obj(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "members": {"type": "integer"},
            "projects": {"type": "integer"},
            "kinds": {"type": "object"},
        },
        ["id", "name", "members"],
    ),
    "GroupView": obj(
        {
            "group": {"type": "object"},
            "figures": obj(
                {
                    "nodes": {"type": "integer"},
                    "edges": {"type": "integer"},
                    "density": {"type": "number"},
                    "actors": arr({"type": "object"}),
                },
                ["nodes", "edges", "density", "actors"],
            ),
            "network": obj(
                {
                    "nodes": arr(
                        obj(
                            {
                                "id": {"type": "string"},
                                "color": {"type": "string"},
                                "size": {"type": "number"},
                                "title": {"type": "string"},
                            },
                            ["id", "color", "size", "title"],
                        )
                    ),
                    "edges": arr(
                        obj(
                            {
                                "from": {"type": "string"},
                                "to": {"type": "string"},
                                "value": {"type": "integer"},
                            },
                            ["from", "to", "value"],
                        )
                    ),
                },
                ["nodes", "edges"],
            ),
        },
        ["group", "figures"],
    ),
    "Metrics": obj(
        {
            "meta": {"type": "object"},
            "actors": arr(
                obj(
                    {
                        "id": {"type": "string"},
                        "degree": {"type": "integer"},
                        "betweenness": {"type": "number"},
                    },
                    ["id", "degree", "betweenness"],
                )
            ),
            "cohesion": obj(
                {
                    "nodes": {"type": "integer"},
                    "edges": {"type": "integer"},
                    "density": {"type": "number"},
                },
                ["nodes", "edges", "density"],
            ),
        },
        ["meta", "actors", "cohesion"],
    ),
    "Scorecard": obj(
        {
            "cluster": {"type": "object"},
            "lines": arr(
                obj(
                    {
                        "key": {"type": "string"},
                        "label": {"type": "string"},
                        "status": {"type": "string"},
                        "source": {"type": "string"},
                    },
                    ["key", "label", "status", "source"],
                )
            ),
        },
        ["cluster", "lines"],
    ),
    "Communities": obj(
        {"communities": arr(arr({"type": "string"})), "brokers": arr({"type": "object"})},
        ["communities", "brokers"],
    ),
    "CypherResult": obj(
        {
            "columns": arr({"type": "string"}),
            "rows": arr(arr({})),
            "truncated": {"type": "boolean"},
        },
        ["columns", "rows", "truncated"],
    ),
}


@api_blueprint.route("/openapi.json")
@documented(
    "This OpenAPI document",
    tags=("meta",),
    errors=(),
    responses={200: ("OpenAPI 3.1", {"type": "object"})},
)
def openapi_document():
    state = _state()
    document = state.cache.get_or_compute(
        ("openapi",), lambda: build_openapi(current_app, schemas=SCHEMAS)
    )
    return jsonify(document)


@api_blueprint.route("/docs")
@documented(
    "Human-readable API documentation (HTML)",
    tags=("meta",),
    errors=(),
    responses={200: ("HTML page", {"type": "string", "_media": "text/html"})},
)
def docs():
    from flask import render_template

    document = build_openapi(current_app, schemas=SCHEMAS)
    return render_template("api_docs.html", document=document)


_PAGE_PARAMS = (
    param("page", type_="integer", minimum=1, maximum=100000, description="page number"),
    param(
        "per_page",
        type_="integer",
        minimum=1,
        maximum=500,
        description="items per page (default 50)",
    ),
)


def _page(total: int, items: list, page: int, per_page: int, endpoint: str, **filters):
    from flask import url_for

    last = max(1, -(-total // per_page))
    links = {}
    args = {k: v for k, v in filters.items() if v is not None}
    if page < last:
        links["next"] = url_for(endpoint, page=page + 1, per_page=per_page, **args)
    if page > 1:
        links["prev"] = url_for(endpoint, page=page - 1, per_page=per_page, **args)
    return jsonify(
        {
            "items": items,
            "count": len(items),
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": last,
            "links": links,
        }
    )


_PAGE_SCHEMA = obj(
    {
        "items": arr({"type": "object"}),
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "pages": {"type": "integer"},
        "links": {"type": "object"},
    },
    ["items", "total", "page", "per_page", "pages", "links"],
)


@api_blueprint.route("/actors")
@documented(
    "Actors, paginated and filterable",
    tags=("actors",),
    errors=(400,),
    params=(
        *_PAGE_PARAMS,
        param("kind", description="actor kind", example="sme"),
        param("country", description="country code", example="MA"),
        param("cluster", description="member of this cluster", example="mnc"),
        param("q", description="name contains (case-insensitive)"),
    ),
    responses={200: ("A page of actors", _PAGE_SCHEMA)},
)
def actors():
    from flask import request

    page = _int_arg("page", 1, 1, 100000)
    per_page = _int_arg("per_page", 50, 1, 500)
    filters = {name: request.args.get(name) or None for name in ("kind", "country", "cluster", "q")}
    if filters["country"]:
        filters["country"] = filters["country"].upper()
    state = _state()
    total, items = state.cached(
        "api-actors-page",
        (page, per_page, *filters.values()),
        lambda: state.store.actors_page(
            skip=(page - 1) * per_page,
            limit=per_page,
            kind=filters["kind"],
            country=filters["country"],
            cluster=filters["cluster"],
            text=filters["q"],
        ),
    )
    return _page(total, items, page, per_page, "api.actors", **filters)


@api_blueprint.route("/actors/<actor_id>")
@documented(
    "An actor: properties, region, clusters, niches and projects",
    tags=("actors",),
    errors=(404,),
    responses={
        200: (
            "The actor",
            obj(
                {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "projects": arr({"type": "object"}),
                },
                ["id", "name", "projects"],
            ),
        )
    },
)
def actor(actor_id: str):
    from graph_schema.explore import actor_detail, actor_projects

    state = _state()
    found = state.cached("api-actor", (actor_id,), lambda: actor_detail(state.store, actor_id))
    if found is None:
        return problem(404, "not-found", "Unknown actor", f"no actor with id {actor_id!r}")
    projects = state.cached(
        "api-actor-projects", (actor_id,), lambda: actor_projects(state.store, actor_id)
    )
    return jsonify({**found, "projects": projects})


@api_blueprint.route("/projects")
@documented(
    "Projects, paginated and filterable",
    tags=("projects",),
    errors=(400,),
    params=(
        *_PAGE_PARAMS,
        param(
            "year",
            type_="integer",
            minimum=1800,
            maximum=2100,
            description="start year",
            example=2012,
        ),
        param("cluster", description="with a member of this cluster", example="mnc"),
        param("q", description="title or acronym contains"),
    ),
    responses={200: ("A page of projects", _PAGE_SCHEMA)},
)
def projects():
    from flask import request

    page = _int_arg("page", 1, 1, 100000)
    per_page = _int_arg("per_page", 50, 1, 500)
    year = _int_arg("year", 0, 1800, 2100) if request.args.get("year") else None
    filters = {
        "year": year,
        "cluster": request.args.get("cluster") or None,
        "q": request.args.get("q") or None,
    }
    state = _state()
    total, items = state.cached(
        "api-projects-page",
        (page, per_page, *filters.values()),
        lambda: state.store.projects_page(
            skip=(page - 1) * per_page,
            limit=per_page,
            year=filters["year"],
            cluster=filters["cluster"],
            text=filters["q"],
        ),
    )
    return _page(total, items, page, per_page, "api.projects", **filters)


@api_blueprint.route("/projects/<project_id>")
@documented(
    "A project: consortium (kinds, countries, clusters) and funding",
    tags=("projects",),
    errors=(404,),
    responses={
        200: (
            "The project",
            obj(
                {
                    "id": {"type": "string"},
                    "participants": arr({"type": "object"}),
                    "fundings": arr({"type": "object"}),
                },
                ["id", "participants", "fundings"],
            ),
        )
    },
)
def project(project_id: str):
    from graph_schema.explore import project_detail

    state = _state()
    found = state.cached(
        "api-project", (project_id,), lambda: project_detail(state.store, project_id)
    )
    if found is None:
        return problem(404, "not-found", "Unknown project", f"no project with id {project_id!r}")
    return jsonify(found)


@api_blueprint.route("/<any(clusters, countries):kind>/<group_id>/projects")
@documented(
    "The group's projects with their consortium's mix of kinds, clusters and countries",
    tags=("projects",),
    errors=(404,),
    responses={
        200: (
            "Projects",
            obj(
                {
                    "items": arr(
                        obj(
                            {
                                "id": {"type": "string"},
                                "participants": {"type": "integer"},
                                "kinds": {"type": "object"},
                                "clusters": {"type": "object"},
                                "bridges_clusters": {"type": "boolean"},
                            },
                            ["id", "participants", "kinds", "clusters", "bridges_clusters"],
                        )
                    )
                },
                ["items"],
            ),
        )
    },
)
def group_projects(kind: str, group_id: str):
    from service.metrics import project_consortia

    ref = _ref(kind[:-1] if kind == "clusters" else "country", group_id)
    state = _state()
    try:
        items = state.cached(
            "api-consortia", (ref.kind, ref.id), lambda: project_consortia(state.store, ref)
        )
    except GroupNotFound as exc:
        return problem(404, "not-found", f"Unknown {ref.kind}", str(exc))
    return jsonify({"items": items, "count": len(items)})
