"""JSON API, version 1 (``/api/v1``). Errors are ``application/problem+json``.

One module per resource: :mod:`.groups` (clusters, countries, the ecosystem and their
figures), :mod:`.actors` (actors, projects, recommendations), :mod:`.meta` (health and the
OpenAPI document); :mod:`.schemas` holds the documentation's schemas. A view parses its
request, calls one use case (:mod:`service.usecases`) and returns its result as JSON.
:class:`~service.errors.NotFound` answers 404 and :class:`~service.errors.BadParameter` 400,
each from one handler below; any other exception is a bug (logged, 500).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from service.errors import BadParameter, NotFound
from service.usecases import Context, GroupFilter

__all__ = ["api_blueprint", "problem", "context", "group_filter"]

api_blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

PROBLEM_BASE = "https://synergraph.invalid/problems/"


def problem(status: int, type_: str, title: str, detail: str = "", **extra):
    """An RFC 9457 problem response with a stable ``type``."""
    body = {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


@api_blueprint.errorhandler(NotFound)
def _not_found(exc: NotFound):
    return problem(404, "not-found", f"Unknown {exc.what}", str(exc))


@api_blueprint.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return problem(400, "bad-parameter", "Invalid parameter", str(exc), parameter=exc.name)


@api_blueprint.before_request
def _known_parameters():
    """A query parameter the endpoint does not document is refused (400), not ignored: a
    misspelt ``per_pgae`` or ``limit=`` would otherwise silently give a default answer."""
    view = current_app.view_functions.get(request.endpoint or "")
    documented = getattr(view, "__openapi__", None)
    if documented is None:
        return None
    known = {p["name"] for p in documented["params"] if p.get("in", "query") == "query"}
    for name in request.args:
        if name not in known:
            accepted = ", ".join(sorted(known)) or "none"
            raise BadParameter(name, f"unknown parameter; this endpoint accepts: {accepted}")
    return None


def context() -> Context:
    """The app's use-case context (store and results cache)."""
    return current_app.extensions["synergraph"].ctx


def group_filter() -> GroupFilter:
    return GroupFilter.parse(request.args)


from . import actors, groups, jobs, meta  # noqa: E402,F401  (register the routes)
