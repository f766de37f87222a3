"""HTTP hygiene for the whole app: security headers, request-body limits, error responses.

- Every response carries a Content-Security-Policy (scripts only from this site, no inline
  script, no framing), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and a
  ``Referrer-Policy``.
- Request bodies are limited per route (:func:`limit_body`, called by the auth hook once the
  caller is known): uploads by administrators may be large, everything else is small, and the
  ``Content-Length`` is checked before a byte is read (a chunked body is cut at the limit).
- Every HTTP error under ``/api/`` is ``application/problem+json``; pages get an HTML page.
- Neo4j unreachable: 503 with ``Retry-After``, problem+json on the API, a page saying the
  database is unavailable elsewhere.
"""

from __future__ import annotations

import io

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from graph_schema.store import UNAVAILABLE_ERRORS

__all__ = ["CSP", "SECURITY_HEADERS", "UPLOAD_ENDPOINTS", "init_http", "limit_body",
           "DB_RETRY_AFTER_S"]

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    # Templates set a few style attributes (chips' colours, the canvas height).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

#: Endpoints whose body may reach SYNERGRAPH_MAX_UPLOAD_BYTES (for administrators only).
UPLOAD_ENDPOINTS = frozenset({"data.upload"})
DB_RETRY_AFTER_S = 5
#: The database cannot serve now (down, restarting, or every pooled connection busy).
DB_ERRORS = UNAVAILABLE_ERRORS


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _problem(status: int, type_: str, title: str, detail: str):
    from .api import problem

    return problem(status, type_, title, detail)


def limit_body(role: str | None):
    """Set this request's body limit; a 413 response when ``Content-Length`` exceeds it.

    Called before anything reads the body. Uploads get the upload limit only when the
    caller is an administrator; every other request (anonymous ones included) the small one.
    """
    config = current_app.config
    small = config["SYNERGRAPH_MAX_BODY_BYTES"]
    limit = small
    if request.endpoint in UPLOAD_ENDPOINTS and role == "admin":
        limit = config["SYNERGRAPH_MAX_UPLOAD_BYTES"]
    request.max_content_length = limit
    length = request.content_length
    if length is not None and length > limit:
        return _too_large(limit)
    environ = request.environ
    if length is None and limit == small and environ.get("wsgi.input_terminated"):
        # A body without Content-Length (chunked): read at most limit + 1 bytes now, so a
        # longer one is refused with 413 instead of being cut silently at the limit.
        data = environ["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            return _too_large(limit)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        request.__dict__.pop("stream", None)
        request.__dict__.pop("content_length", None)
    return None


def _too_large(limit: int):
    detail = f"the request body is larger than this endpoint accepts ({limit:,} bytes)"
    if _is_api():
        return _problem(413, "too-large", "Request body too large", detail)
    return render_template("auth/error.html", status=413, title="Too large",
                           message=detail), 413


def _http_error(error: HTTPException):
    if isinstance(error, RequestEntityTooLarge):
        response = _too_large(request.max_content_length or 0)
    elif _is_api():
        response = _problem(error.code or 500, (error.name or "error").lower().replace(" ", "-"),
                            error.name, error.description or "")
    else:
        response = (render_template("auth/error.html", status=error.code, title=error.name,
                                    message=error.description), error.code)
    if error.code == 405:
        allowed = error.get_response().headers.get("Allow")
        if allowed:
            response = current_app.make_response(response)
            response.headers["Allow"] = allowed
    return response


def _server_error(error: InternalServerError):
    original = getattr(error, "original_exception", None)
    if isinstance(original, DB_ERRORS):
        return _db_unavailable(original)
    if _is_api():
        return _problem(500, "internal-error", "Internal server error",
                        "the server failed to answer; the error is in its log")
    return render_template("auth/error.html", status=500, title="Error",
                           message="The server failed to answer this request."), 500


def _db_unavailable(error: Exception):
    current_app.logger.warning("Neo4j unavailable: %s", error)
    if _is_api():
        response = _problem(503, "database-unavailable", "Database unavailable",
                            "the graph database does not answer; try again shortly")
    else:
        response = current_app.make_response((render_template("db_unavailable.html"), 503))
    response.headers["Retry-After"] = str(DB_RETRY_AFTER_S)
    return response


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_http(app: Flask) -> None:
    """Install the headers, the error handlers and the body-limit default on ``app``."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["SYNERGRAPH_MAX_BODY_BYTES"]
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    for error_class in DB_ERRORS:
        app.register_error_handler(error_class, _db_unavailable)
