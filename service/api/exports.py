"""Exports: ``GET /api/v1/export?format=bundle|graphml|gexf|json[&cluster=ID]`` and the
partnership networks, ``GET /api/v1/network.gexf|.graphml|.csv.zip`` (the ecosystem) and
``/api/v1/<clusters|countries>/<id>/network.gexf|.graphml|.csv.zip``.

``bundle`` answers a zip of the canonical CSV bundle; the others one file. See
:mod:`service.exports` and :mod:`service.network_export` for what each format holds. The
network routes take the group filter (``years``, ``kinds``, ``programme``, ``min_weight``);
as on every API route, an undocumented query parameter is refused (400), an invalid one
too, and an unknown group is a 404 (problem+json).
"""

from __future__ import annotations

import re

import flask
from flask import Blueprint, request

from service import usecases as uc
from service.errors import BadParameter, NotFound
from service.exports import FORMATS, UnknownCluster
from service.jobs import group_actors
from service.network_export import NETWORK_FORMATS
from service.state import StoredFile
from service.usecases import GroupRef
from service.usecases.partnership import export_file, partnership_file

from . import _bad_parameter, _known_parameters, _not_found, context, group_filter, problem
from .jobs import ACCEPTED, WAIT_PARAM, respond
from .openapi import documented, param
from .schemas import FILTER_PARAMS

__all__ = ["exports_blueprint"]

exports_blueprint = Blueprint("api_exports", __name__, url_prefix="/api/v1")
exports_blueprint.before_request(_known_parameters)
exports_blueprint.register_error_handler(BadParameter, _bad_parameter)
exports_blueprint.register_error_handler(NotFound, _not_found)


def _attachment(stored: StoredFile):
    """The file result, streamed from the cache's folder (never read into memory), with a
    safe file name, its length, and ``ETag``/``Last-Modified`` for conditional and range
    requests (a resumed download of a 400 MB GEXF)."""
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", stored.filename)
    response = flask.send_file(stored.path, mimetype=stored.media_type, conditional=True,
                               max_age=0)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@exports_blueprint.route("/export")
@documented(
    "Export the graph or one cluster", tags=("exports",),
    params=(param("format", enum=["bundle", "graphml", "gexf", "json"],
                  description="bundle: a zip of the canonical CSV bundle (loads back with "
                              "synergraph load bundle); graphml and gexf open in Gephi; json: "
                              "networkx node-link"),
            param("cluster", description="only this cluster's part of the graph",
                  example="mnc"), WAIT_PARAM),
    description="A graph with more actors than SYNERGRAPH_JOBS_INLINE_MAX_ACTORS is written "
                "by a background job: 202 with the job, whose result is this same URL, "
                "which then answers the file (cached per graph version).",
    responses={200: ("The file", {"_media": sorted({media for media, _ in FORMATS.values()})}),
               **dict([ACCEPTED])})
def export():
    fmt = request.args.get("format", "bundle")
    if fmt not in FORMATS:
        return problem(400, "bad-request", "Bad request",
                       f"format must be one of: {', '.join(FORMATS)}")
    cluster = request.args.get("cluster") or None
    ctx = context()
    if cluster is not None and cluster not in {c["id"] for c in uc.overview(ctx)["clusters"]}:
        return problem(404, "not-found", "Unknown cluster", str(UnknownCluster(cluster)))

    def send_file():
        try:
            stored = export_file(ctx, fmt, cluster)
        except UnknownCluster as exc:  # removed since the check above
            return problem(404, "not-found", "Unknown cluster", str(exc))
        return _attachment(stored)

    download = request.full_path.rstrip("?")
    return respond("export-file", (fmt, cluster), (fmt, cluster), lambda: {"download": download},
                   ready=send_file,
                   what=f"export ({fmt}) of " + ("the graph" if cluster is None
                                                 else f"cluster {cluster}"),
                   actors=group_actors(ctx, None if cluster is None
                                       else GroupRef.cluster(cluster)))


# --------------------------------------------------------------------------------------
# Partnership networks
# --------------------------------------------------------------------------------------
#: URL suffix → format of :data:`service.network_export.NETWORK_FORMATS`.
NETWORK_SUFFIXES = {"gexf": "gexf", "graphml": "graphml", "csv.zip": "csv"}
_NETWORK_FILE = "network.<any(gexf, graphml, 'csv.zip'):suffix>"
_NETWORK_RESPONSES = {200: ("The file: GEXF, GraphML, or a zip of nodes.csv, edges.csv and "
                            "meta.json", {"_media": sorted({media for media, _ in
                                                            NETWORK_FORMATS.values()})}),
                      **dict([ACCEPTED])}
_NETWORK_NOTE = ("The weighted actor-actor partnership network (ties weighted by shared "
                 "projects, with the start years of the first and last shared project), each "
                 "actor with every metric column of /metrics for the same group and filter. "
                 "Open the GEXF or GraphML in Gephi.")


def _network_file(ref: GroupRef | None, suffix: str):
    """The file, or (a large group whose file is not cached yet) ``202`` with the job that
    writes it: the job's ``result`` is ``{"download": URL}``, this same URL, which then
    answers the file from the cache."""
    ctx = context()
    flt = group_filter()
    if ref is not None:
        ctx.describe(ref)
    fmt = NETWORK_SUFFIXES[suffix]
    download = request.full_path.rstrip("?")

    def send_file():
        return _attachment(partnership_file(ctx, ref, flt, fmt))

    return respond("network-file",
                   (None if ref is None else (ref.kind, ref.id), flt.key(), fmt),
                   (ref, flt, fmt), lambda: {"download": download}, ready=send_file,
                   what=f"partnership network ({suffix}) of "
                        + ("the ecosystem" if ref is None else f"{ref.kind} {ref.id}"),
                   actors=group_actors(ctx, ref))


@exports_blueprint.route("/" + _NETWORK_FILE)
@documented("The ecosystem's partnership network (GEXF, GraphML or CSV)", tags=("exports",),
            params=(*FILTER_PARAMS, WAIT_PARAM), errors=(400,), description=_NETWORK_NOTE,
            responses=_NETWORK_RESPONSES)
def ecosystem_network_file(suffix: str):
    return _network_file(None, suffix)


@exports_blueprint.route("/<any(clusters, countries):kind>/<group_id>/" + _NETWORK_FILE)
@documented("A cluster's or a country's partnership network (GEXF, GraphML or CSV)",
            tags=("exports",), params=(*FILTER_PARAMS, WAIT_PARAM), description=_NETWORK_NOTE,
            responses=_NETWORK_RESPONSES)
def group_network_file(kind: str, group_id: str, suffix: str):
    return _network_file(GroupRef.from_path(kind, group_id), suffix)
