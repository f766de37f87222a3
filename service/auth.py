"""Who may do what: login sessions, API tokens, roles, CSRF, public read-only mode.

Every request goes through :func:`authorise` (a ``before_request`` hook): the endpoint's
permission comes from :data:`RULES` (first matching pattern wins; an endpoint no rule
matches needs ``admin`` — deny by default), the caller from an ``Authorization: Bearer``
token or the signed session cookie.

Permissions:

- ``public``: anyone (assets, login, health).
- ``read``: pages and read-only API — any signed-in role; anonymous visitors too when
  ``SYNERGRAPH_PUBLIC_READ=1``.
- ``console``: the Cypher console and its API — researchers and admins.
- ``signed_in``: one's own account and tokens.
- ``admin``: loads, uploads, user management.

CSRF: a state-changing request (POST, PUT, PATCH, DELETE) that relies on the session cookie
must carry the session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
Requests authenticated by a Bearer token carry no ambient authority and are exempt; in
turn a token cannot reach the account pages (:data:`SESSION_ONLY`): creating or revoking
tokens and managing users needs a signed-in browser session (or the command line).

Sessions are revocable server-side: the signed cookie holds a session id that must exist
in the account store (:meth:`service.accounts.AccountStore.session_user`).
"""

from __future__ import annotations

import fnmatch
import hmac
import secrets
from pathlib import Path

from flask import Flask, current_app, g, redirect, render_template, request, session, url_for

from .accounts import ROLES, AccountStore, User
from .http import limit_body

__all__ = ["RULES", "PERMISSIONS", "SESSION_ONLY", "init_auth", "permission_for",
           "csrf_token", "current_user", "sign_in_session", "sign_out_session"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "public": frozenset({"anonymous", *ROLES}),
    "read": frozenset(ROLES),
    "console": frozenset({"researcher", "admin"}),
    "signed_in": frozenset(ROLES),
    "admin": frozenset({"admin"}),
}

#: (endpoint pattern, permission), first match wins.
RULES: tuple[tuple[str, str], ...] = (
    ("pages.static", "public"),
    ("pages.vendor_*", "public"),
    ("*.static", "public"),
    ("auth.login", "public"),
    ("pages.set_language", "public"),
    ("auth.logout", "signed_in"),
    ("auth.account*", "signed_in"),
    ("auth.token_*", "signed_in"),
    ("api.health", "public"),
    ("api.openapi_document", "public"),
    ("api.docs", "public"),
    ("*cypher*", "console"),
    ("*console*", "console"),
    ("*upload*", "admin"),
    ("*admin*", "admin"),
    ("api.*", "read"),
    ("api_exports.*", "read"),
    ("pages.*", "read"),
    ("data.data_page", "read"),
    ("data.workbook_*", "read"),
)

#: Endpoints a Bearer token may not use (a token cannot mint tokens or manage accounts).
SESSION_ONLY: tuple[str, ...] = ("auth.account*", "auth.token_*", "auth.logout", "admin.*")

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def permission_for(endpoint: str | None) -> str:
    """The permission an endpoint needs (``admin`` when no rule names it).

    >>> permission_for("pages.home"), permission_for("api.cypher_run"), permission_for("x.y")
    ('read', 'console', 'admin')
    """
    if endpoint is None:
        return "public"  # 404s: let the router answer
    for pattern, permission in RULES:
        if fnmatch.fnmatchcase(endpoint, pattern):
            return permission
    return "admin"


def current_user() -> User | None:
    return g.get("user")


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _accounts() -> AccountStore:
    return current_app.extensions["synergraph_accounts"]


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == \
        "application/json"


def _problem(status: int, type_: str, title: str, detail: str):
    from .api import problem

    response = problem(status, type_, title, detail)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="synergraph"'
    return response


def _identify() -> tuple[User | None, str | None]:
    """``(user, error)`` from a Bearer token or the session.

    A session names its server-side session id (``sid``): signed out, expired, or ended by
    a password change, a role change or the user's removal, it no longer identifies anyone
    and the cookie is emptied.
    """
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None, "the Authorization header must be 'Bearer <token>'"
        user = _accounts().user_for_token(secret.strip())
        if user is None:
            return None, "the token is unknown, revoked or expired"
        return user, None
    username = session.get("user")
    if username:
        user = _accounts().session_user(session.get("sid") or "")
        if user is None or user.username != username:
            csrf = session.get("csrf")
            session.clear()
            if csrf:
                session["csrf"] = csrf
            return None, None
        return user, None
    return None, None


def sign_in_session(user: User) -> None:
    """Start a fresh session for ``user`` (no fixation: the old content is dropped)."""
    csrf = session.get("csrf")
    session.clear()
    session["user"] = user.username
    session["sid"] = _accounts().open_session(user.username)
    if csrf:
        session["csrf"] = csrf
    session.permanent = True


def sign_out_session() -> None:
    """End the session server-side and empty the cookie."""
    sid = session.get("sid")
    if sid:
        _accounts().close_session(sid)
    session.clear()


def _csrf_ok() -> bool:
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    return bool(expected) and hmac.compare_digest(str(expected), str(sent))


def authorise():
    """The before_request hook: identify, check CSRF, check the permission."""
    user, error = _identify()
    g.user = user
    too_large = limit_body(user.role if user else None)
    if too_large is not None:
        return too_large
    if error:
        return _problem(401, "unauthorized", "Invalid credentials", error)
    by_token = user is not None and user.via_token is not None
    if by_token and any(fnmatch.fnmatchcase(request.endpoint or "", pattern)
                        for pattern in SESSION_ONLY):
        return _problem(403, "session-required", "Sign-in session required",
                        "API tokens cannot manage accounts or tokens: sign in with a "
                        "browser, or use the synergraph command line")
    if request.method in UNSAFE_METHODS and not by_token:
        cookie_name = current_app.config.get("SESSION_COOKIE_NAME", "session")
        relies_on_session = cookie_name in request.cookies or request.endpoint == "auth.login"
        if relies_on_session and not _csrf_ok():
            if _wants_json():
                return _problem(403, "csrf", "CSRF token missing or wrong",
                                "send the session's CSRF token in the X-CSRF-Token header")
            return render_template("auth/error.html", status=403,
                                   message="This form has expired or did not come from "
                                           "Synergraph. Go back, reload and try again."), 403
    permission = permission_for(request.endpoint)
    allowed = PERMISSIONS[permission]
    if permission == "read" and current_app.config.get("PUBLIC_READ"):
        allowed = allowed | {"anonymous"}
    role = user.role if user else "anonymous"
    if role in allowed:
        return None
    if user is None:
        if _wants_json():
            return _problem(401, "unauthorized", "Sign-in required",
                            "send 'Authorization: Bearer <token>' (see synergraph token "
                            "create) or sign in")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if _wants_json():
        return _problem(403, "forbidden", "Not allowed",
                        f"the role {user.role!r} may not use this endpoint "
                        f"(needs: {permission})")
    return render_template("auth/error.html", status=403,
                           message=f"Your role ({user.role}) does not give access to this "
                                   "page."), 403


def init_auth(app: Flask) -> None:
    """Open the account store and install the hook, the CSRF helper and cookie settings."""
    home = Path(app.config["SYNERGRAPH_HOME"])
    app.extensions["synergraph_accounts"] = AccountStore(
        home / "accounts.sqlite3",
        max_failures=app.config["SYNERGRAPH_LOGIN_MAX_FAILURES"],
        lock_s=app.config["SYNERGRAPH_LOGIN_LOCK_S"],
        session_lifetime_s=app.config["SYNERGRAPH_SESSION_HOURS"] * 3600,
    )
    app.config["PUBLIC_READ"] = app.config["SYNERGRAPH_PUBLIC_READ"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SYNERGRAPH_COOKIE_SECURE"],
        PERMANENT_SESSION_LIFETIME=int(app.config["SYNERGRAPH_SESSION_HOURS"] * 3600),
    )
    app.before_request(authorise)

    @app.context_processor
    def _auth_context():
        return {"csrf_token": csrf_token, "current_user": current_user(),
                "public_read": app.config["PUBLIC_READ"]}
