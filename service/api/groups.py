"""Clusters, countries and the whole ecosystem: figures, network, scorecard, synergy,
communities, evolution, missing links, what-if and projects.

``/<clusters|countries>/<id>/...`` routes take the group filter (``years``, ``kinds``,
``programme``, ``min_weight``), the same names as the CLI's flags.
"""

from __future__ import annotations

import json

from flask import jsonify, request

from service import usecases as uc
from service.auth import current_user
from service.errors import BadParameter
from service.jobs import group_actors
from service.usecases import GroupRef
from service.usecases.params import NetworkView, arg_bool, arg_int

from . import api_blueprint, context, group_filter
from .jobs import ACCEPTED, WAIT_PARAM, respond
from .openapi import arr, documented, obj, param, ref
from .schemas import FILTER_PARAMS, METRIC_PARAMS, SCHEMAS

GROUP = "/<any(clusters, countries):kind>/<group_id>"
#: Null-model runs an anonymous visitor (public-read mode) may ask for: each run rewires
#: every tie of the group ten times.
ANONYMOUS_NULL_RUNS = 20
NETWORK_PARAMS = (
    param("color", enum=["kind", "cluster", "community"], description="node colour"),
    param("size", enum=["betweenness", "degree", "pagerank", "eigenvector"],
          description="node size"),
    param("view", enum=["auto", "full", "top", "aggregate"],
          description="auto: the top actors above 2,000"),
    param("suggest", enum=["1", "0"], description="1: overlay suggested ties"),
)


@api_blueprint.route("/clusters")
@documented("List the clusters with their counts", tags=("clusters",), errors=(),
            responses={200: ("Clusters", obj({"items": arr(ref("ClusterSummary")),
                                              "count": {"type": "integer"}},
                                             ["items", "count"]))})
def clusters():
    items = uc.clusters(context())
    return jsonify({"items": items, "count": len(items)})


def _group_key(group: GroupRef | None):
    return None if group is None else (group.kind, group.id)


def _what(ctx, group: GroupRef | None, figures: str) -> str:
    """"the metrics of Maroc Numeric Cluster", "the ecosystem's metrics"."""
    if group is None:
        return f"the ecosystem's {figures}"
    return f"the {figures} of {ctx.describe(group).get('name') or group.id}"


def _group_view(kind: str, group_id: str, with_network: bool):
    ctx, group = context(), GroupRef.from_path(kind, group_id)
    flt = group_filter()
    view = NetworkView.parse(request.args) if with_network else None
    described = ctx.describe(group)

    def render():
        result = uc.metrics(ctx, group, flt)
        payload = {"group": described, "filter": flt.as_dict(),
                   "figures": result["headline"],
                   "betweenness": result["meta"]["betweenness"], "actors": result["actors"]}
        if with_network:
            from web.network import draw_group

            payload["network"] = draw_group(ctx, group, flt, view)["data"]
        return payload

    return respond("group", (_group_key(group), flt.key()), (group, flt), render,
                   what=_what(ctx, group, "metrics"), actors=group_actors(ctx, group))


@api_blueprint.route(GROUP)
@documented("A cluster or country with its headline figures and actors' centralities",
            tags=("clusters",), params=(*FILTER_PARAMS, WAIT_PARAM),
            responses={200: ("The group", ref("GroupView")), **dict([ACCEPTED])})
def group(kind: str, group_id: str):
    return _group_view(kind, group_id, with_network=False)


@api_blueprint.route(GROUP + "/network")
@documented("A group's network as node and edge lists (the data the page draws; labels in "
            "the caller's language)", tags=("clusters",),
            params=(*FILTER_PARAMS, *NETWORK_PARAMS, WAIT_PARAM),
            responses={200: ("Nodes, edges and legend", ref("GroupView")),
                       **dict([ACCEPTED])})
def group_network(kind: str, group_id: str):
    return _group_view(kind, group_id, with_network=True)


def _metrics(group: GroupRef | None):
    ctx = context()
    weighted = arg_bool(request.args, "weighted", False)
    null_runs = arg_int(request.args, "null_runs", 20, 0, 200)
    if null_runs > ANONYMOUS_NULL_RUNS and current_user() is None:
        raise BadParameter("null_runs", f"at most {ANONYMOUS_NULL_RUNS} without signing in "
                                        "(up to 200 with an account or a token)")
    flt = group_filter()
    if group is not None:
        ctx.describe(group)

    def figures():
        return uc.metrics(ctx, group, flt, weighted=weighted, null_runs=null_runs)

    return respond("metrics", (_group_key(group), flt.key(), weighted, null_runs),
                   (group, flt, weighted, null_runs), figures,
                   what=_what(ctx, group, "metrics"),
                   actors=group_actors(ctx, group))


@api_blueprint.route("/metrics")
@documented("Every actor's centralities and the ecosystem's cohesion", tags=("metrics",),
            params=(*METRIC_PARAMS, WAIT_PARAM), errors=(400,),
            responses={200: ("Figures", ref("Metrics")), **dict([ACCEPTED])})
def ecosystem_metrics():
    return _metrics(None)


@api_blueprint.route(GROUP + "/metrics")
@documented("A group's actors' centralities and cohesion (with a null model)",
            tags=("metrics",), params=(*METRIC_PARAMS, WAIT_PARAM),
            responses={200: ("Figures", ref("Metrics")), **dict([ACCEPTED])})
def group_metrics(kind: str, group_id: str):
    return _metrics(GroupRef.from_path(kind, group_id))


@api_blueprint.route("/clusters/<cluster_id>/scorecard")
@documented("The cluster's evaluation-grid scorecard against its targets",
            tags=("clusters",), params=(WAIT_PARAM,),
            description="A cluster with more actors than SYNERGRAPH_JOBS_INLINE_MAX_ACTORS "
                        "whose scorecard is not cached yet answers 202 with the job (its "
                        "network figures and their null model take minutes there).",
            responses={200: ("Scorecard", ref("Scorecard")), **dict([ACCEPTED])})
def cluster_scorecard(cluster_id: str):
    ctx, group = context(), GroupRef.cluster(cluster_id)
    ctx.describe(group)  # an unknown cluster: 404 before any job
    return respond("scorecard", (cluster_id,), (cluster_id,),
                   lambda: uc.scorecard(ctx, cluster_id),
                   what=_what(ctx, group, "scorecard"), actors=group_actors(ctx, group))


@api_blueprint.route(GROUP + "/synergy")
@documented("Enterprise-research-training synergy figures", tags=("metrics",),
            params=(*FILTER_PARAMS, WAIT_PARAM),
            responses={200: ("Synergy", obj({"project_mix": {"type": "object"}},
                                            ["project_mix"])), **dict([ACCEPTED])})
def group_synergy(kind: str, group_id: str):
    ctx, group, flt = context(), GroupRef.from_path(kind, group_id), group_filter()
    ctx.describe(group)

    def figures():
        return uc.synergy(ctx, group, flt)

    return respond("synergy", (_group_key(group), flt.key()), (group, flt),
                   figures, what=_what(ctx, group, "synergy figures"),
                   actors=group_actors(ctx, group))


_TOP = param("top", type_="integer", minimum=1, maximum=200,
             description="how many brokers (default 10)")


@api_blueprint.route(GROUP + "/communities")
@documented("Communities, brokers, articulation points and bridges", tags=("metrics",),
            params=(*FILTER_PARAMS, _TOP, WAIT_PARAM),
            responses={200: ("Communities", ref("Communities")), **dict([ACCEPTED])})
def group_communities(kind: str, group_id: str):
    ctx, group = context(), GroupRef.from_path(kind, group_id)
    top = arg_int(request.args, "top", 10, 1, 200)
    ctx.describe(group)
    return _communities(ctx, group, group_filter(), top)


def _communities(ctx, group: GroupRef | None, flt, top: int):
    def figures():
        return uc.communities(ctx, group, flt, top=top)

    # the ecosystem's communities are computed too: the cost is the ecosystem's
    return respond("communities", (_group_key(group), flt.key(), top),
                   (group, flt, top), figures, what=_what(ctx, group, "communities"),
                   actors=group_actors(ctx, None))


@api_blueprint.route("/communities")
@documented("Communities of the whole ecosystem against declared clusters (NMI, ARI)",
            tags=("metrics",), params=(*FILTER_PARAMS, _TOP, WAIT_PARAM), errors=(400,),
            responses={200: ("Communities", ref("Communities")), **dict([ACCEPTED])})
def ecosystem_communities():
    top = arg_int(request.args, "top", 10, 1, 200)
    return _communities(context(), None, group_filter(), top)


@api_blueprint.route(GROUP + "/evolution")
@documented("Figures per year, ties gained and lost, newcomers and leavers",
            tags=("metrics",),
            params=(*FILTER_PARAMS,
                    param("window", type_="integer", minimum=0, maximum=50,
                          description="years per sliding window; 0 or absent: cumulative"),
                    WAIT_PARAM),
            responses={200: ("Per year", ref("Evolution")), **dict([ACCEPTED])})
def group_evolution(kind: str, group_id: str):
    window = arg_int(request.args, "window", 0, 0, 50) or None
    ctx, group, flt = context(), GroupRef.from_path(kind, group_id), group_filter()
    ctx.describe(group)

    def figures():
        return uc.evolution(ctx, group, flt, window=window)

    return respond("evolution", (_group_key(group), flt.key(), window),
                   (group, flt, window), figures, what=_what(ctx, group, "evolution"),
                   actors=group_actors(ctx, group))


@api_blueprint.route(GROUP + "/links")
@documented("Suggested new ties between two actors of the group, best first, with reasons",
            tags=("metrics",),
            params=(*FILTER_PARAMS, param("top", type_="integer", minimum=1, maximum=500,
                                          description="how many (default 50)"), WAIT_PARAM),
            responses={200: ("Suggested ties", ref("Links")), **dict([ACCEPTED])})
def group_links(kind: str, group_id: str):
    ctx, group = context(), GroupRef.from_path(kind, group_id)
    top = arg_int(request.args, "top", 50, 1, 500)
    flt = group_filter()
    ctx.describe(group)

    def render():
        items = uc.links(ctx, group, flt, top=top)
        return {"group": group.as_dict(), "items": items, "count": len(items),
                "track_record": uc.track_record(ctx)}

    # every member's recommendations run over the whole ecosystem
    return respond("links", (_group_key(group), flt.key()), (group, flt), render,
                   what=_what(ctx, group, "suggested ties"), actors=group_actors(ctx, None))


@api_blueprint.route(GROUP + "/whatif", methods=["POST"])
@documented(
    "Before/after figures of a scenario (the stored graph is not changed)", tags=("metrics",),
    params=(*FILTER_PARAMS, WAIT_PARAM),
    body=obj({"changes": arr(obj({"op": {"type": "string", "enum": [
        "add_tie", "remove_tie", "add_actor", "remove_actor", "add_project",
        "remove_project"]}}, ["op"]))}, ["changes"],
        example={"changes": [{"op": "add_tie", "u": "mnc-a001", "v": "mnc-a002"}]}),
    responses={200: ("Before, after and delta",
                     obj({"before": {"type": "object"}, "after": {"type": "object"},
                          "delta": {"type": "object"}}, ["before", "after", "delta"])),
               **dict([ACCEPTED])})
def group_what_if(kind: str, group_id: str):
    """Body: {"changes": [{"op": "add_tie", "u": ACTOR, "v": ACTOR}, ...]}."""
    ctx, group = context(), GroupRef.from_path(kind, group_id)
    ctx.describe(group)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadParameter("body", 'expected JSON {"changes": [{"op": ..., ...}, ...]}')
    from service.usecases.topics import _check_changes

    changes = _check_changes(body.get("changes"))
    flt = group_filter()

    def figures():
        return uc.what_if(ctx, group, flt, changes)

    scenario = json.dumps(changes, sort_keys=True, default=str)
    return respond("whatif", (_group_key(group), flt.key(), scenario),
                   (group, flt, changes), figures, what=_what(ctx, group, "what-if"),
                   actors=group_actors(ctx, group))


@api_blueprint.route(GROUP + "/projects")
@documented(
    "The group's projects with their consortium's mix of kinds, clusters and countries",
    tags=("projects",), params=FILTER_PARAMS,
    responses={200: ("Projects", obj({"items": arr(obj(
        {"id": {"type": "string"}, "participants": {"type": "integer"},
         "kinds": {"type": "object"}, "clusters": {"type": "object"},
         "bridges_clusters": {"type": "boolean"}},
        ["id", "participants", "kinds", "clusters", "bridges_clusters"]))}, ["items"]))})
def group_projects(kind: str, group_id: str):
    items = uc.group_projects(context(), GroupRef.from_path(kind, group_id), group_filter())
    return jsonify({"items": items, "count": len(items)})


__all__ = ["SCHEMAS"]
