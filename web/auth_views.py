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
    url_for,
)

from service.accounts import AccountError
from service.auth import current_user, sign_in_session, sign_out_session

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
                sign_in_session(user)  # a fresh server-side session (no fixation)
                return redirect(_safe_next(request.form.get("next")))
    return render_template("auth/login.html", error=error,
                           next=request.values.get("next", "")), status


@auth_blueprint.route("/logout", methods=["POST"])
def logout():
    sign_out_session()  # the session id is deleted server-side: a copied cookie is dead
    return redirect(url_for("auth.login"))


#: Expiry choices of the account page's token form (days; "" = never).
EXPIRY_CHOICES = ("", "7", "30", "90", "365")


def _account_page(*, new_token=None, error=None, status=200):
    user = current_user()
    response = current_app.make_response((render_template(
        "auth/account.html", user=user, tokens=_accounts().tokens(user.username),
        new_token=new_token, error=error, expiry_choices=EXPIRY_CHOICES), status))
    if new_token:
        response.headers["Cache-Control"] = "no-store"
    return response


@auth_blueprint.route("/account", methods=["GET"])
def account():
    return _account_page()


@auth_blueprint.route("/account/tokens", methods=["POST"])
def token_create():
    """Create a token and show its secret once, in this response only (never in a cookie
    or the session)."""
    user = current_user()
    days = request.form.get("expires_days", "").strip()
    try:
        token_id, secret = _accounts().create_token(
            user.username, request.form.get("name", "")[:100],
            expires_days=float(days) if days else None)
    except (AccountError, ValueError) as exc:
        return _account_page(error=str(exc) if isinstance(exc, AccountError)
                             else "the expiry is a number of days", status=400)
    return _account_page(new_token={"id": token_id, "secret": secret}, status=201)


@auth_blueprint.route("/account/password", methods=["POST"])
def account_password():
    """Change one's own password: every other session of the user ends; this one goes on."""
    user = current_user()
    accounts = _accounts()
    new = request.form.get("new_password", "")
    try:
        if accounts.authenticate(user.username, request.form.get("password", ""),
                                 client=request.remote_addr or "") is None:
            raise AccountError("the current password is wrong")
        if new != request.form.get("new_password_again", ""):
            raise AccountError("the two new passwords differ")
        accounts.set_password(user.username, new)
    except AccountError as exc:
        return _account_page(error=str(exc), status=400)
    sign_in_session(user)
    flash("Password changed; your other sessions are signed out.")
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
