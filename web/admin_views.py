"""User management for administrators: list, add, change role, remove."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from service.accounts import ROLES, AccountError
from service.auth import current_user

__all__ = ["admin_blueprint"]

admin_blueprint = Blueprint("admin", __name__, template_folder="templates",
                            url_prefix="/admin")


def _accounts():
    return current_app.extensions["synergraph_accounts"]


@admin_blueprint.route("/users")
def users():
    return render_template("admin_users.html", users=_accounts().users(), roles=ROLES)


@admin_blueprint.route("/users", methods=["POST"])
def add_user():
    try:
        user = _accounts().add_user(request.form.get("username", ""),
                                    request.form.get("password", ""),
                                    request.form.get("role", ""))
    except AccountError as exc:
        flash(str(exc), "error")
        return render_template("admin_users.html", users=_accounts().users(),
                               roles=ROLES), 400
    flash(f"User {user.username} added ({user.role}).", "ok")
    return redirect(url_for("admin.users"))


@admin_blueprint.route("/users/<username>/role", methods=["POST"])
def set_role(username: str):
    try:
        if username == current_user().username and request.form.get("role") != "admin":
            raise AccountError("you cannot remove your own admin role")
        _accounts().set_role(username, request.form.get("role", ""))
        flash(f"{username} is now {request.form.get('role')}.", "ok")
    except AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.users"))


@admin_blueprint.route("/users/<username>/remove", methods=["POST"])
def remove_user(username: str):
    try:
        if username == current_user().username:
            raise AccountError("you cannot remove your own account")
        _accounts().remove_user(username)
        flash(f"{username} removed.", "ok")
    except AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.users"))
