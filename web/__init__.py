"""Web pages: thin views that call the service layer and render templates.

The blueprint sets up Flask-Babel on the app that registers it (French and English; the
language comes from the ``lang`` cookie, then ``Accept-Language``), the template filters
(numbers formatted per language), the vendored assets and the error pages. The explorer's
views live in :mod:`web.views`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
)
from flask_babel import Babel, format_decimal, format_percent, get_locale, gettext

from .network import KIND_STYLE, VIS_DIR, kind_label

__all__ = ["LANGUAGES", "pages_blueprint"]

#: Languages of the pages (code -> name in that language).
LANGUAGES = {"en": "English", "fr": "Français"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANG_COOKIE = "lang"

pages_blueprint = Blueprint(
    "pages", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static",
)


def select_locale() -> str:
    """The ``lang`` cookie when valid, else the best match of ``Accept-Language``."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


@pages_blueprint.record_once
def _setup_babel(state) -> None:
    app = state.app
    if "babel" not in app.extensions:
        Babel(app, locale_selector=select_locale,
              default_translation_directories=str(TRANSLATIONS))


def _state():
    return current_app.extensions["synergraph"]


@pages_blueprint.app_template_filter("number")
def _number(value, digits: int = 0) -> str:
    """A number in the page's language (``1,234.5`` in English, ``1 234,5`` in French)."""
    if value is None:
        return "–"
    if isinstance(value, float) and value != value:
        return "–"
    if isinstance(value, float) or digits:
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=fmt)
    return format_decimal(value)


@pages_blueprint.app_template_filter("percent")
def _percent(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%")


@pages_blueprint.app_template_filter("kind_label")
def _kind_label(kind) -> str:
    return kind_label(kind)


@pages_blueprint.app_context_processor
def _globals() -> dict:
    locale = str(get_locale() or "en")
    return {"KIND_STYLE": KIND_STYLE, "LANGUAGES": LANGUAGES, "current_locale": locale,
            "has_endpoint": lambda name: name in current_app.view_functions}


@pages_blueprint.route("/vendor/vis-network/<path:filename>")
def vendor_vis(filename: str):
    """vis-network as shipped inside the installed pyvis package (served, not CDN-loaded)."""
    if filename not in ("vis-network.min.js", "vis-network.css"):
        abort(404)
    return send_from_directory(VIS_DIR, filename, max_age=86400)


def _local(target: str | None) -> str:
    """``target`` when it is a path on this site, else the home page (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@pages_blueprint.route("/lang/<code>")
def set_language(code: str):
    """Switch the language; the ``lang`` cookie remembers it for a year."""
    if code not in LANGUAGES:
        abort(404)
    response = redirect(_local(request.args.get("next")))
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@pages_blueprint.route("/")
def home():
    from service.usecases import overview as data_overview

    overview = data_overview(_state().ctx)
    if (request.args.get("format") or "").lower() == "csv":
        from .views import csv_response

        return csv_response("clusters", ["id", "name", "field", "region", "members", "projects",
                                         "synthetic_members"],
                            [[c["id"], c["name"], c["field"], c["region"], c["members"],
                              c["projects"], c["synthetic_members"]]
                             for c in overview["clusters"]])
    synthetic = any(c["synthetic_members"] for c in overview["clusters"]) or any(
        load.get("synthetic") for load in overview["loads"])
    return render_template("home.html", synthetic=synthetic, **overview)


def not_found_page(what: str, id_: str | None, suggestions: list[dict] | None = None):
    return render_template("404.html", what=what, id=id_, suggestions=suggestions or []), 404


def bad_request_page(message: str):
    return render_template("400.html", message=message), 400


@pages_blueprint.app_errorhandler(404)
def not_found(_error):
    if request.path.startswith("/api/"):
        from service.api import problem

        return problem(404, "not-found", "Not found", f"no endpoint at {request.path}")
    return not_found_page(gettext("page"), None)


from . import views  # noqa: E402,F401  (registers the explorer's routes on the blueprint)
