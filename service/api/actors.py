"""Actors and projects: paginated lists, details and an actor's recommended partners."""

from __future__ import annotations

from flask import jsonify, request, url_for

from service import usecases as uc
from service.usecases.params import arg_int, arg_str

from . import api_blueprint, context
from .jobs import ACCEPTED, WAIT_PARAM, respond
from .openapi import arr, documented, obj, param
from .schemas import PAGE_PARAMS, PAGE_SCHEMA


def _page(total: int, items: list, page: int, per_page: int, endpoint: str, **filters):
    last = max(1, -(-total // per_page))
    links = {}
    args = {k: v for k, v in filters.items() if v is not None}
    if page < last:
        links["next"] = url_for(endpoint, page=page + 1, per_page=per_page, **args)
    if page > 1:
        links["prev"] = url_for(endpoint, page=page - 1, per_page=per_page, **args)
    return jsonify({"items": items, "count": len(items), "total": total, "page": page,
                    "per_page": per_page, "pages": last, "links": links})


@api_blueprint.route("/actors")
@documented("Actors, paginated and filterable", tags=("actors",), errors=(400,),
            params=(*PAGE_PARAMS,
                    param("kind", description="actor kind", example="sme"),
                    param("country", description="country code", example="MA"),
                    param("cluster", description="member of this cluster", example="mnc"),
                    param("q", description="name contains (case-insensitive)")),
            responses={200: ("A page of actors", PAGE_SCHEMA)})
def actors():
    from graph_schema.model import ACTOR_KINDS
    from service.errors import BadParameter

    page = arg_int(request.args, "page", 1, 1, 100000)
    per_page = arg_int(request.args, "per_page", 50, 1, 500)
    filters = {name: arg_str(request.args, name) for name in ("kind", "country", "cluster", "q")}
    if filters["kind"] and filters["kind"] not in ACTOR_KINDS:
        raise BadParameter("kind", f"unknown kind {filters['kind']!r}; kinds are "
                                   + ", ".join(ACTOR_KINDS))
    if filters["country"]:
        filters["country"] = filters["country"].upper()
    total, items = uc.actor_list(context(), page=page, per_page=per_page,
                                 kind=filters["kind"], country=filters["country"],
                                 cluster=filters["cluster"], text=filters["q"])
    return _page(total, items, page, per_page, "api.actors", **filters)


@api_blueprint.route("/actors/<actor_id>")
@documented("An actor: properties, region, clusters, niches and projects", tags=("actors",),
            errors=(404,),
            responses={200: ("The actor", obj({"id": {"type": "string"},
                                               "name": {"type": "string"},
                                               "projects": arr({"type": "object"})},
                                              ["id", "name", "projects"]))})
def actor(actor_id: str):
    record = uc.actor_record(context(), actor_id)
    return jsonify({**record["actor"], "projects": record["projects"]})


RANKING_SCHEMA = obj({
    "method": {"type": "string", "description": "what ranked the list: model, "
                                                "weighted_adamic_adar or common_neighbors"},
    "model": {"type": "string", "enum": ["fitted", "being fitted", "not available"]},
    "final": {"type": "boolean", "description": "false while the learnt model is being "
                                                "fitted: ask again later for its ranking"},
    "note": {"type": ["string", "null"]}}, ["method", "model", "final", "note"])


@api_blueprint.route("/actors/<actor_id>/recommendations")
@documented(
    "Missing links for an actor, each with its explanation, and how they were ranked",
    tags=("actors",),
    params=(param("top", type_="integer", minimum=1, maximum=200, description="how many"),
            WAIT_PARAM),
    responses={200: ("Ranked candidates", obj(
        {"actor_id": {"type": "string"},
         "recommendations": arr(obj({"id": {"type": "string"}, "score": {"type": "number"}},
                                    ["id", "score"])),
         "ranking": RANKING_SCHEMA},
        ["actor_id", "recommendations", "ranking"])), **dict([ACCEPTED])})
def actor_recommendations(actor_id: str):
    from service.jobs import group_actors

    top = arg_int(request.args, "top", 20, 1, 200)
    arg_int(request.args, "wait", 0, 0, 60)  # checked even when the answer is ready
    ctx = context()
    record = uc.actor_record(ctx, actor_id)  # 404 before any job

    def render():
        answer = uc.recommended(ctx, actor_id, top=top)
        return {"actor_id": actor_id, "recommendations": answer["items"],
                "ranking": answer["ranking"], "track_record": uc.track_record(ctx)}

    if uc.recommender_ready(ctx):  # milliseconds from the prepared data
        return jsonify(render())
    # a large graph whose recommender's data is not prepared yet: its job (a worker
    # process), before the other warming; the model is never waited for
    name = record["actor"].get("name") or actor_id
    return respond("recommendations", (actor_id, top), (), render,
                   what=f"the recommended partners of {name}",
                   actors=group_actors(ctx, None), task="link-data")


@api_blueprint.route("/track-record")
@documented(
    "How often this ecosystem's suggestions came true in its own back-test",
    tags=("actors",),
    responses={200: ("The track record", obj(
        {"available": {"type": ["boolean", "null"]}, "k": {"type": "integer"},
         "recommender": {"type": ["number", "null"]},
         "common_neighbors": {"type": ["number", "null"]},
         "sentence": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]}},
        ["available", "k"])), **dict([ACCEPTED])}, params=(WAIT_PARAM,),
    errors=(400,))
def track_record():
    from service.jobs import group_actors

    arg_int(request.args, "wait", 0, 0, 60)  # checked even when the answer is ready
    ctx = context()
    record = uc.track_record(ctx)
    if not record.get("pending"):
        return jsonify(record)
    # the back-test of a large ecosystem is a job (a worker process), per graph version
    return respond("track-record", (), (), lambda: uc.track_record(ctx),
                   what="the recommender's track record", actors=group_actors(ctx, None))


@api_blueprint.route("/projects")
@documented("Projects, paginated and filterable", tags=("projects",), errors=(400,),
            params=(*PAGE_PARAMS,
                    param("year", type_="integer", minimum=1800, maximum=2100,
                          description="start year", example=2012),
                    param("cluster", description="with a member of this cluster",
                          example="mnc"),
                    param("q", description="title or acronym contains")),
            responses={200: ("A page of projects", PAGE_SCHEMA)})
def projects():
    page = arg_int(request.args, "page", 1, 1, 100000)
    per_page = arg_int(request.args, "per_page", 50, 1, 500)
    filters = {"year": arg_int(request.args, "year", None, 1800, 2100),
               "cluster": arg_str(request.args, "cluster"), "q": arg_str(request.args, "q")}
    total, items = uc.project_list(context(), page=page, per_page=per_page,
                                   year=filters["year"], cluster=filters["cluster"],
                                   text=filters["q"])
    return _page(total, items, page, per_page, "api.projects", **filters)


@api_blueprint.route("/projects/<project_id>")
@documented("A project: consortium (kinds, countries, clusters) and funding",
            tags=("projects",), errors=(404,),
            responses={200: ("The project", obj({"id": {"type": "string"},
                                                 "participants": arr({"type": "object"}),
                                                 "fundings": arr({"type": "object"})},
                                                ["id", "participants", "fundings"]))})
def project(project_id: str):
    profile = uc.project(context(), project_id)
    return jsonify({**profile["project"], "kinds": dict(profile["kinds"]),
                    "clusters": profile["clusters"],
                    "bridges_clusters": profile["bridges_clusters"],
                    "funding_total": profile["funding_total"]})
