"""Sign-in, sign-out and the account page (API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from service.accounts import AccountError
from service.auth import current_user

__all__ = ["auth_blueprint"]

auth_blueprint = Blueprint("auth", __name__, template_folder="templates")


def _accounts():
    return current_app.extensions["synergraph_accounts"]


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL (no open redirect)."""
    if not target:
        return url_for("pages.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.home")
    return target


@auth_blueprint.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        try:
            user = _accounts().authenticate(username, password,
                                            client=request.remote_addr or "")
        except AccountError as exc:  # throttled
            error, status = str(exc), 429
        else:
            if user is None:
                error, status = "Wrong user name or password.", 401
            else:
                csrf = session.get("csrf")
                session.clear()  # a fresh session on sign-in (no fixation)
                session["user"] = user.username
                if csrf:
                    session["csrf"] = csrf
                session.permanent = True
                return redirect(_safe_next(request.form.get("next")))
    return render_template("auth/login.html", error=error,
                           next=request.values.get("next", "")), status


@auth_blueprint.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


@auth_blueprint.route("/account", methods=["GET"])
def account():
    user = current_user()
    return render_template("auth/account.html", user=user,
                           tokens=_accounts().tokens(user.username),
                           new_token=session.pop("new_token", None))


@auth_blueprint.route("/account/tokens", methods=["POST"])
def token_create():
    user = current_user()
    token_id, secret = _accounts().create_token(user.username,
                                                request.form.get("name", "")[:100])
    session["new_token"] = {"id": token_id, "secret": secret}
    return redirect(url_for("auth.account"))


@auth_blueprint.route("/account/tokens/<token_id>/revoke", methods=["POST"])
def token_revoke(token_id: str):
    user = current_user()
    try:
        _accounts().revoke_token(token_id, username=user.username)
    except AccountError as exc:
        flash(str(exc))
    return redirect(url_for("auth.account"))


@auth_blueprint.app_template_filter("timestamp")
def _timestamp(value) -> str:
    """A Unix time as 'YYYY-MM-DD HH:MM UTC' ('–' when empty)."""
    from datetime import UTC, datetime

    if not value:
        return "–"
    return datetime.fromtimestamp(float(value), UTC).strftime("%Y-%m-%d %H:%M UTC")
