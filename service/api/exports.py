"""Exports: ``GET /api/v1/export?format=bundle|graphml|gexf|json[&cluster=ID]``.

``bundle`` answers a zip of the canonical CSV bundle; the others one file. See
:mod:`service.exports` for what each format holds. Like the console, the view is a
plain function so that an access-control decorator can be added later.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request

from service.exports import FORMATS, UnknownCluster, export_bytes

from . import problem
from .openapi import documented, param

__all__ = ["exports_blueprint"]

exports_blueprint = Blueprint("api_exports", __name__, url_prefix="/api/v1")


@exports_blueprint.route("/export")
@documented(
    "Export the graph or one cluster", tags=("exports",),
    params=(param("format", enum=["bundle", "graphml", "gexf", "json"],
                  description="bundle: a zip of the canonical CSV bundle (loads back with "
                              "synergraph load bundle); graphml and gexf open in Gephi; json: "
                              "networkx node-link"),
            param("cluster", description="only this cluster's part of the graph",
                  example="mnc")),
    responses={200: ("The file", {"_media": sorted({media for media, _ in FORMATS.values()})})})
def export():
    fmt = request.args.get("format", "bundle")
    if fmt not in FORMATS:
        return problem(400, "bad-request", "Bad request",
                       f"format must be one of: {', '.join(FORMATS)}")
    cluster = request.args.get("cluster") or None
    store = current_app.extensions["synergraph"].store
    try:
        content, media_type, filename = export_bytes(store, fmt, cluster)
    except UnknownCluster as exc:
        return problem(404, "not-found", "Unknown cluster", str(exc))
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return Response(content, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
