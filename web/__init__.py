"""Web pages: thin views that call the service layer and render templates."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
)

from service.groups import GroupNotFound, GroupRef, describe_group, group_figures, group_graph

from .network import KIND_STYLE, VIS_DIR, network_data, render_network

__all__ = ["pages_blueprint"]

pages_blueprint = Blueprint(
    "pages", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static",
)


def _state():
    return current_app.extensions["synergraph"]


@pages_blueprint.app_template_filter("number")
def _number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


@pages_blueprint.app_context_processor
def _globals() -> dict:
    return {"KIND_STYLE": KIND_STYLE}


@pages_blueprint.route("/vendor/vis-network/<path:filename>")
def vendor_vis(filename: str):
    """vis-network as shipped inside the installed pyvis package (served, not CDN-loaded)."""
    if filename not in ("vis-network.min.js", "vis-network.css"):
        abort(404)
    return send_from_directory(VIS_DIR, filename, max_age=86400)


@pages_blueprint.route("/")
def home():
    state = _state()
    overview = state.cached("home", (), lambda: {
        "clusters": state.store.clusters_overview(),
        "countries": state.store.countries_overview(),
        "loads": state.store.loads(),
        "counts": state.store.counts(),
    })
    synthetic = any(c["synthetic_members"] for c in overview["clusters"]) or any(
        load.get("synthetic") for load in overview["loads"])
    return render_template("home.html", synthetic=synthetic, **overview)


def _group_page(ref: GroupRef):
    state = _state()
    try:
        group = describe_group(state.store, ref)
    except GroupNotFound:
        return render_template("404.html", what=ref.kind, id=ref.id,
                               suggestions=_suggestions(ref)), 404

    def compute():
        graph = group_graph(state.store, ref)
        figures = group_figures(graph)
        data = network_data(graph, figures)
        return {"figures": figures, "network": data, "html": render_network(data)}

    view = state.cached("group-view", (ref.kind, ref.id), compute)
    actors = sorted(view["figures"]["actors"],
                    key=lambda r: (-r["betweenness"], -r["degree"], str(r["name"])))
    return render_template("group.html", group=group, ref=ref, figures=view["figures"],
                           synthetic=view["figures"]["synthetic_actors"] > 0,
                           legend=view["network"]["legend"], network_html=view["html"],
                           actors=actors)


def _suggestions(ref: GroupRef) -> list[dict]:
    store = _state().store
    if ref.kind == "cluster":
        return [{"id": c["id"], "name": c["name"], "kind": "cluster"}
                for c in store.clusters_overview()]
    return [{"id": c["id"], "name": c["name"], "kind": "country"}
            for c in store.countries_overview()[:12]]


@pages_blueprint.route("/clusters/<cluster_id>")
def cluster_page(cluster_id: str):
    return _group_page(GroupRef("cluster", cluster_id))


@pages_blueprint.route("/countries/<country_id>")
def country_page(country_id: str):
    return _group_page(GroupRef("country", country_id.upper()))


@pages_blueprint.app_errorhandler(404)
def not_found(_error):
    if request.path.startswith("/api/"):
        from service.api import problem

        return problem(404, "not-found", "Not found", f"no endpoint at {request.path}")
    return render_template("404.html", what="page", id=None, suggestions=[]), 404
