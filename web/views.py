"""The explorer's pages: cluster tabs, country, actor, project, compare, printable scorecard.

Each view parses its request once (the group filter ``years``, ``kinds``, ``programme``,
``min_weight`` and the view's own options), calls one use case of :mod:`service.usecases`
and renders its result: the figures on a page are the API's and the CLI's.
``?format=csv&table=NAME`` returns any table of a page as CSV; ``?format=json`` on a
network view returns the node/edge data. An invalid parameter is a 400 page (problem+json
with ``format=json``), an unknown id a 404 page with suggestions.
"""

from __future__ import annotations

import csv
import io
import time

from flask import Response, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from service import usecases as uc
from service.errors import BadParameter, NotFound
from service.usecases import GroupFilter, GroupRef, NetworkView

from . import bad_request_page, not_found_page, pages_blueprint
from .charts import bar_chart, line_chart
from .network import KIND_STYLE, N_, draw_group, kind_label, network_data, render_network

TABS = ("network", "scorecard", "evolution", "communities", "links")
TAB_LABELS = {"network": lazy_gettext("Network"), "scorecard": lazy_gettext("Scorecard"),
              "evolution": lazy_gettext("Evolution"),
              "communities": lazy_gettext("Communities and brokers"),
              "links": lazy_gettext("Missing links")}
STATUS_WORDS = {"achieved": lazy_gettext("Achieved"), "on_track": lazy_gettext("On track"),
                "behind": lazy_gettext("Behind"), "missed": lazy_gettext("Missed"),
                "not_started": lazy_gettext("Not started"), "no_data": lazy_gettext("No data"),
                "info": lazy_gettext("For information")}
#: What each scorecard line measures (shown on hover with the line's data source).
LINE_DEFINITIONS = {
    "critical_mass": lazy_gettext("Number of members that are companies (large companies, "
                                  "companies, SMEs, start-ups): grid item 2, critical mass."),
    "engagement": lazy_gettext("Share of members taking part in at least one project: "
                               "grid item 3, actors really involved."),
    "target_collaborative_projects": lazy_gettext(
        "Collaborative R&D projects carried out in the contract-programme period, against "
        "the target (linear pace expected)."),
    "target_patents": lazy_gettext("Patents filed in the period, against the target."),
    "target_startups": lazy_gettext("Start-ups created in the period, against the target."),
    "target_rd_jobs": lazy_gettext("R&D jobs created in the period, against the target."),
    "synergy_company_research": lazy_gettext(
        "Share of the members' collaborative projects whose consortium mixes companies and "
        "research (universities, labs): grid item 5."),
    "synergy_triple": lazy_gettext(
        "Share of collaborative projects mixing companies, research and training: grid "
        "item 5."),
    "cohesion_density": lazy_gettext(
        "Share of the possible ties between members that exist (two members are tied when "
        "they share a project): grid item 9, network effect."),
    "openness_ei": lazy_gettext(
        "E-I index: (ties with non-members - ties among members) / all ties, from -1 "
        "(closed) to +1 (open)."),
    "international": lazy_gettext("Share of projects with a partner from another country: "
                                  "grid item 7, international visibility."),
    "anchoring": lazy_gettext("Share of located members in the cluster's region: grid "
                              "item 9, territorial anchoring."),
    "growth": lazy_gettext("New ties among members (first shared project) and members "
                           "joined, per year: grid item 10."),
}
#: Labels of the scorecard lines (from service.scorecard), marked for translation.
_SCORECARD_LABELS = (
    N_("Companies among members"), N_("Members in at least one project"),
    N_("Collaborative R&D projects"), N_("Patents filed"), N_("Start-ups created"),
    N_("R&D jobs"), N_("Collaborative R&D projects (no target)"), N_("Patents filed (no target)"),
    N_("Start-ups created (no target)"), N_("R&D jobs (no target)"),
    N_("Projects mixing companies and research"),
    N_("Projects mixing companies, research and training"), N_("Partnership density"),
    N_("E-I index of the cluster (ties outside vs inside)"),
    N_("Projects with a foreign partner"), N_("Members located in the cluster's region"),
    N_("Network growth (members joined, new ties per year)"), N_("Network growth"))
COMPARE_LABELS = {
    "nodes": lazy_gettext("Actors"), "edges": lazy_gettext("Ties"),
    "density": lazy_gettext("Density"), "average_degree": lazy_gettext("Average degree"),
    "components": lazy_gettext("Components"),
    "largest_component_share": lazy_gettext("Share in the largest component"),
    "isolates": lazy_gettext("Isolated actors"),
    "average_clustering": lazy_gettext("Average clustering"),
    "transitivity": lazy_gettext("Transitivity"),
    "average_path_length": lazy_gettext("Average path length"),
    "modularity": lazy_gettext("Modularity (Louvain)"),
    "communities": lazy_gettext("Communities"), "ei_index": lazy_gettext("E-I index"),
    "n_components": lazy_gettext("Components"),
}
SIZE_CHOICES = {"betweenness": lazy_gettext("Betweenness"),
                "degree": lazy_gettext("Partners (degree)"),
                "pagerank": lazy_gettext("PageRank"),
                "eigenvector": lazy_gettext("Eigenvector")}
COLOR_CHOICES = {"kind": lazy_gettext("Kind of actor"), "cluster": lazy_gettext("Cluster"),
                 "community": lazy_gettext("Community (Louvain)")}
VIEW_CHOICES = {"auto": lazy_gettext("Automatic"), "full": lazy_gettext("Every actor"),
                "top": lazy_gettext("Top actors by betweenness"),
                "aggregate": lazy_gettext("Groups as super-nodes")}


def _ctx() -> uc.Context:
    return current_app.extensions["synergraph"].ctx


def _wants(fmt: str) -> bool:
    return (request.args.get("format") or "").lower() == fmt


# --------------------------------------------------------------------------------------
# Errors: one handler per domain error
# --------------------------------------------------------------------------------------
@pages_blueprint.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    if _wants("json"):
        from service.api import problem

        return problem(400, "bad-parameter", "Invalid parameter", str(exc),
                       parameter=exc.name)
    return bad_request_page(str(exc))


_WHAT = {"cluster": lazy_gettext("cluster"), "clusters": lazy_gettext("cluster"),
         "country": lazy_gettext("country"), "actor": lazy_gettext("actor"),
         "project": lazy_gettext("project")}


@pages_blueprint.errorhandler(NotFound)
def _not_found(exc: NotFound):
    if _wants("json"):
        from service.api import problem

        return problem(404, "not-found", f"Unknown {exc.what}", str(exc))
    if exc.what == "country":
        suggestions = [{"id": c["id"], "name": c["name"], "kind": "country"}
                       for c in uc.overview(_ctx())["countries"][:12]]
    else:
        suggestions = _cluster_suggestions()
    return not_found_page(str(_WHAT.get(exc.what, exc.what)), exc.id, suggestions)


def _cluster_suggestions() -> list[dict]:
    return [{"id": c["id"], "name": c["name"], "kind": "cluster"} for c in uc.clusters(_ctx())]


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------
def csv_response(name: str, header: list[str], rows: list[list]) -> Response:
    """A table as CSV (UTF-8 with BOM so spreadsheet tools read accents)."""
    from loaders.csvsafe import neutralise  # no formula cells (CSV injection)

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'})


def _table_csv(prefix: str, tables: dict):
    name = request.args.get("table") or next(iter(tables))
    if name not in tables:
        raise BadParameter("table", f"must be one of {', '.join(tables)}, got {name!r}")
    header, rows = tables[name]() if callable(tables[name]) else tables[name]
    return csv_response(f"{prefix}-{name}", header, rows)


def _actor_table(rows: list[dict]) -> tuple[list[str], list[list]]:
    header = ["rank", "id", "name", "kind", "degree", "strength", "betweenness", "pagerank",
              "eigenvector", "community"]
    out = [[i, r["id"], r["name"], r["kind"], r["degree"], r["strength"], r["betweenness"],
            r["pagerank"], r["eigenvector"], None if r["community"] is None
            else r["community"] + 1] for i, r in enumerate(rows, 1)]
    return header, out


# --------------------------------------------------------------------------------------
# Cluster and country pages
# --------------------------------------------------------------------------------------
@pages_blueprint.route("/clusters/<cluster_id>")
def cluster_page(cluster_id: str):
    return _group_page(GroupRef.cluster(cluster_id))


@pages_blueprint.route("/countries/<country_id>")
def country_page(country_id: str):
    return _group_page(GroupRef.country(country_id))


def _group_page(ref: GroupRef):
    ctx = _ctx()
    group = ctx.describe(ref)
    tabs = TABS if ref.kind == "cluster" else ("network",)
    tab = request.args.get("tab") or "network"
    if tab not in tabs:
        raise BadParameter("tab", f"must be one of {', '.join(tabs)}, got {tab!r}")
    for old, new in (("start", "years=START-END"), ("end", "years=START-END")) + (
            (("kind", "kinds=KIND,KIND"),) if tab != "links" else ()):
        if old in request.args:
            raise BadParameter(old, f"this parameter is now {new} (the same name as the API's "
                                    "and the command line's)")
    flt = GroupFilter.parse(request.args)
    context = {"group": group, "ref": ref, "tab": tab, "tabs": tabs, "TAB_LABELS": TAB_LABELS,
               "flt": flt, "filter_args": flt.as_args(), "kinds_all": list(KIND_STYLE)}
    job = None if request.args.get("format") else _tab_job(ctx, ref, flt, tab, group)
    if job is not None:  # a large group's figures being computed: the progress block
        return render_template("group.html", **context, job=job,
                               synthetic=bool(group.get("synthetic")))
    result = {"network": _tab_network, "scorecard": _tab_scorecard,
              "evolution": _tab_evolution, "communities": _tab_communities,
              "links": _tab_links}[tab](ctx, ref, flt)
    if not isinstance(result, dict):
        return result  # a CSV or JSON response
    context.update(result)
    context.setdefault("synthetic", bool(context.get("synthetic_actors")))
    return render_template("group.html", **context)


# --------------------------------------------------------------------------------------
# Long analyses: a large group's figures are computed by a background job
# --------------------------------------------------------------------------------------
#: What each tab computes, in the words of the progress block: in English for the job
#: (shared by every visitor, shown by the API) and translated for the page.
TAB_WORK = {"network": N_("the metrics of %(name)s"),
            "scorecard": N_("the scorecard of %(name)s"),
            "evolution": N_("the evolution of %(name)s"),
            "communities": N_("the communities and brokers of %(name)s"),
            "links": N_("the suggested ties of %(name)s")}


#: The phases a job reports (``Context.progress`` and the job runner's own words), shown by
#: a page's progress block in the visitor's language; a message that adds details after
#: its phase ("null model (20 runs)") shows the phase. static/jobs.js reads the polled
#: messages through the same table (the block's ``data-phases``).
JOB_PHASES = {"queued": N_("waiting for its turn"), "started": N_("started"),
              "done": N_("done"), "metrics": N_("metrics"),
              "centralities": N_("centralities"), "paths": N_("paths"),
              "communities": N_("communities"), "cohesion": N_("cohesion"),
              "null model": N_("null model")}


@pages_blueprint.app_template_global("job_phases")
def job_phases() -> dict:
    """:data:`JOB_PHASES` in the visitor's language."""
    return {phase: gettext(words) for phase, words in JOB_PHASES.items()}


def phase_of(message: str) -> str | None:
    """The phase of :data:`JOB_PHASES` a job's message is or starts with (then a space),
    the longest one; None when there is none.

    >>> phase_of("null model (20 runs)"), phase_of("paths"), phase_of("pathsfinder")
    ('null model', 'paths', None)
    """
    found = [p for p in JOB_PHASES if message == p or message.startswith(p + " ")]
    return max(found, key=len) if found else None


@pages_blueprint.app_template_filter("job_phase")
def job_phase(message) -> str:
    """A job's message in the visitor's language: the words of its phase
    (:func:`phase_of`), else the message as it is."""
    message = str(message or "")
    phase = phase_of(message)
    return message if phase is None else gettext(JOB_PHASES[phase])


@pages_blueprint.before_request
def _note_start() -> None:
    g.page_started = time.monotonic()


def _page_wait() -> float:
    """How long a page still waits for its figures' job before answering its progress
    block: ``SYNERGRAPH_JOBS_PAGE_WAIT_S`` counted from the start of the request, so that a
    page whose own reads took that long (a hub's 1,372 projects, on a machine busy with the
    warming) answers at once instead of waiting a full second more."""
    budget = float(current_app.config.get("SYNERGRAPH_JOBS_PAGE_WAIT_S") or 0)
    started = g.get("page_started")
    if started is None:
        return budget
    return max(0.0, budget - (time.monotonic() - started))


def _page_job(page: str, params, task: tuple, *, what: str, actors: int, **names):
    """:func:`service.jobs.ask` for a page (its marker ``page:<page>``, the page's wait):
    the job computing its figures, or None when they are ready.

    ``what`` is a message id (marked with ``N_``) naming the work, formatted with
    ``names``: the job keeps it in English, since the job is shared by every visitor and
    shown by the API; the page's progress block shows it in the visitor's language
    (``g.job_title``, read by ``_job_progress.html``)."""
    from service.jobs import ask

    g.job_title = gettext(what, **names)
    return ask(current_app.extensions["synergraph"], "page:" + page, params, task,
               what=what % names, actors=actors, wait=_page_wait())


def _tab_job(ctx: uc.Context, ref: GroupRef, flt: GroupFilter, tab: str, group: dict):
    """The job computing a tab's figures when they are not ready (None when they are:
    cached, a small group computed now, or a job that finished within the page's wait)."""
    from service.jobs import group_actors

    key = (ref.kind, ref.id)
    work = {  # the task of service.tasks, its arguments, the graph whose size counts
        "network": (("group", (ref, flt)), (key, flt.key()), ref),
        "scorecard": (("scorecard", (ref.id,)), (ref.id,), ref),
        "evolution": (("evolution", (ref, flt)), (key, flt.key()), ref),
        # the communities and the links are computed on the ecosystem too
        "communities": (("communities", (ref, flt)), (key, flt.key()), None),
        "links": (("links", (ref, flt)), (key, flt.key()), None),
    }
    task, params, sized = work[tab]
    return _page_job(tab, params, task, what=TAB_WORK[tab], actors=group_actors(ctx, sized),
                     name=group.get("name") or ref.id)


def _synthetic(ctx: uc.Context, ref: GroupRef, flt: GroupFilter) -> bool:
    return any(d.get("synthetic") for _, d in ctx.graph(ref, flt).nodes(data=True))


def _tab_network(ctx: uc.Context, ref: GroupRef, flt: GroupFilter):
    view = NetworkView.parse(request.args)
    drawn = draw_group(ctx, ref, flt, view)
    if _wants("json"):
        return jsonify({"group": ref.as_dict(), "filter": flt.as_dict(), "view": drawn["view"],
                        "figures": drawn["headline"], "network": drawn["data"]})
    rows = drawn["rows"]
    if _wants("csv"):
        return _table_csv(ref.id, {"actors": _actor_table(rows)})
    return {"view_options": view, "figures": drawn["headline"],
            "betweenness": drawn["betweenness"], "network_html": drawn["html"],
            "legend": drawn["data"]["legend"], "actors": rows, "view": drawn["view"],
            "total_nodes": drawn["total_nodes"], "years": drawn["years"],
            "suggested": drawn["suggested"],
            "synthetic_actors": drawn["headline"]["synthetic_actors"],
            "MAX_NODES": uc.MAX_NODES, "TOP_ACTORS": uc.TOP_ACTORS,
            "SIZE_CHOICES": SIZE_CHOICES, "COLOR_CHOICES": COLOR_CHOICES,
            "VIEW_CHOICES": VIEW_CHOICES, "with_scripts": True}


def _bar(line: dict) -> dict | None:
    """Progress bar of a scorecard line: ``fraction`` (0-1), ``expected`` marker, text."""
    value, unit, detail = line.get("value"), line.get("unit"), line.get("detail") or {}
    if value is None:
        return None
    if line["key"].startswith("target_") and detail.get("target"):
        target = float(detail["target"])
        expected = detail.get("expected")
        return {"fraction": min(value / target, 1.0) if target else 0.0,
                "expected": min(expected / target, 1.0) if expected is not None else None,
                "text": gettext("%(value)s of %(target)s", value=_fmt_num(value),
                                target=_fmt_num(target))}
    if unit == "share":
        return {"fraction": max(0.0, min(float(value), 1.0)), "expected": None,
                "text": _fmt_pct(value)}
    if unit == "index":
        return {"fraction": (float(value) + 1) / 2, "expected": 0.5,
                "text": _fmt_num(value, 2)}
    return None


def _fmt_num(value, digits: int = 0) -> str:
    from . import _number

    return _number(value, digits)


def _fmt_pct(value) -> str:
    from . import _percent

    return _percent(value)


def _scorecard_lines(card: dict) -> list[dict]:
    lines = []
    for line in card["lines"]:
        item = dict(line)
        key = line["key"]
        definition = LINE_DEFINITIONS.get(key, "")
        item["definition"] = str(definition)
        item["hover"] = f"{definition} " + gettext("Data: %(source)s", source=line["source"])
        item["status_word"] = str(STATUS_WORDS.get(line["status"], line["status"]))
        item["bar"] = _bar(line)
        item["label"] = gettext(line["label"])
        if line["value"] is None:
            item["display"] = "–"
        elif line["unit"] == "share":
            item["display"] = _fmt_pct(line["value"])
        elif isinstance(line["value"], float):
            item["display"] = _fmt_num(line["value"], 2)
        else:
            item["display"] = _fmt_num(line["value"])
        lines.append(item)
    return lines


def _scorecard_csv(lines: list[dict]):
    header = ["grid_item", "key", "label", "value", "unit", "status", "target", "source",
              "note"]
    rows = [[x["grid_item"], x["key"], x["label"], x["value"], x["unit"], x["status"],
             (x.get("detail") or {}).get("target") if isinstance(x.get("detail"), dict)
             else None, x["source"], x["note"]] for x in lines]
    return header, rows


def _tab_scorecard(ctx: uc.Context, ref: GroupRef, flt: GroupFilter):
    card = uc.scorecard(ctx, ref.id)
    lines = _scorecard_lines(card)
    if _wants("csv"):
        return _table_csv(f"{ref.id}-scorecard", {"scorecard": _scorecard_csv(lines)})
    return {"card": card, "lines": lines, "synthetic": card.get("synthetic")}


@pages_blueprint.route("/clusters/<cluster_id>/scorecard/print")
def scorecard_print(cluster_id: str):
    ctx = _ctx()
    ref = GroupRef.cluster(cluster_id)
    group = ctx.describe(ref)
    job = _tab_job(ctx, ref, GroupFilter(), "scorecard", group)
    if job is not None:  # a large cluster's scorecard being computed: the progress block
        return render_template("scorecard_print.html", group=group, job=job, card=None,
                               lines=[], synthetic=bool(group.get("synthetic")))
    card = uc.scorecard(ctx, cluster_id)
    return render_template("scorecard_print.html", group=group, card=card,
                           lines=_scorecard_lines(card), synthetic=card.get("synthetic"))


def _tab_evolution(ctx: uc.Context, ref: GroupRef, flt: GroupFilter):
    ev = uc.evolution(ctx, ref, flt)
    years = ev["years"]
    header = ["year", "density", "ties", "ties_gained", "active_actors", "members_joined",
              "first_project", *[f"outputs_{k}" for k in ev["indicators"]]]
    rows = [[y["year"], y.get("density"), y.get("n_edges"), y.get("ties_gained"),
             y.get("n_nodes"), y["members_joined"], y.get("newcomers"),
             *[y["outputs"].get(k, 0) for k in ev["indicators"]]] for y in years]
    if _wants("csv"):
        return _table_csv(f"{ref.id}-evolution", {"evolution": (header, rows)})
    xs = [y["year"] for y in years]
    charts = [
        {"id": "chart-density", "title": gettext("Partnership density (cumulative)"),
         "svg": line_chart(xs, [y.get("density") for y in years], digits=3,
                           label=gettext("Partnership density (cumulative)"))},
        {"id": "chart-ties", "title": gettext("Ties gained per year"),
         "svg": bar_chart(xs, [y.get("ties_gained") for y in years],
                          label=gettext("Ties gained per year"))},
        {"id": "chart-members", "title": gettext("Members joined per year"),
         "svg": bar_chart(xs, [y["members_joined"] for y in years],
                          label=gettext("Members joined per year"))},
        {"id": "chart-outputs", "title": gettext("Outputs reported per year"),
         "svg": bar_chart(xs, [y["outputs_total"] for y in years],
                          label=gettext("Outputs reported per year"))},
    ]
    return {"evolution": ev, "charts": charts, "synthetic": ev["synthetic"]}


def _tab_communities(ctx: uc.Context, ref: GroupRef, flt: GroupFilter):
    data = uc.communities(ctx, ref, flt)
    if _wants("csv"):
        tables = {
            "brokers": (["id", "name", "kind", "betweenness", "degree", "constraint",
                         "effective_size"],
                        [[b["id"], b["name"], b["kind"], b["betweenness"], b["degree"],
                          b["constraint"], b["effective_size"]] for b in data["brokers"]]),
            "communities": (["community", "size", "kinds", "leaders"],
                            [[c["community"] + 1, c["size"],
                              "; ".join(f"{k} {n}" for k, n in c["kinds"]),
                              "; ".join(str(x["name"]) for x in c["leaders"])]
                             for c in data["communities"]]),
            "articulation_points": (["id", "name", "kind", "degree"],
                                    [[a["id"], a["name"], a["kind"], a["degree"]]
                                     for a in data["articulation_points"]]),
            "bridges": (["u", "u_name", "v", "v_name", "shared_projects"],
                        [[b["u"]["id"], b["u"]["name"], b["v"]["id"], b["v"]["name"],
                          b["weight"]] for b in data["bridges"]]),
            "isolated": (["id", "name", "kind"],
                         [[a["id"], a["name"], a["kind"]] for a in data["isolated"]]),
            "ecosystem_split": (["ecosystem_community", "members_of_cluster",
                                 "community_size", "declared_clusters"],
                                [[s["community"] + 1, s["members"], s["size"],
                                  "; ".join(f"{k} {n}" for k, n in s["declared"])]
                                 for s in data["ecosystem_split"]]),
        }
        return _table_csv(f"{ref.id}-communities", tables)
    return {"comm": data, "synthetic": _synthetic(ctx, ref, flt)}


def _tab_links(ctx: uc.Context, ref: GroupRef, flt: GroupFilter):
    links = uc.links(ctx, ref, flt)
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KIND_STYLE:
        raise BadParameter("kind", f"unknown actor kind {kind!r}")
    shown = [r for r in links if kind is None or kind in (r["u"]["kind"], r["v"]["kind"])]
    if _wants("csv"):
        header = ["rank", "u", "u_name", "u_kind", "v", "v_name", "v_kind", "score",
                  "shared_partners", "complementary", "density_before", "density_after"]
        rows = [[r["rank"], r["u"]["id"], r["u"]["name"], r["u"]["kind"], r["v"]["id"],
                 r["v"]["name"], r["v"]["kind"], round(r["score"], 4),
                 r["n_shared_partners"], r["complementary"], r["density_before"],
                 r["density_after"]] for r in shown]
        return _table_csv(f"{ref.id}-links", {"links": (header, rows)})
    whatif = None
    u, v = request.args.get("u"), request.args.get("v")
    if u or v:
        if not (u and v):
            raise BadParameter("v" if u else "u", "a what-if needs both u and v")
        result = uc.what_if(ctx, ref, flt, [{"op": "add_tie", "u": u, "v": v}])
        whatif = {**result, "u": result["names"][u], "v": result["names"][v]}  # cached: copy
    return {"links": shown, "links_total": len(links), "kind_filter": kind,
            "whatif": whatif, "synthetic": _synthetic(ctx, ref, flt),
            "track_record": uc.track_record(ctx)}


# --------------------------------------------------------------------------------------
# Actor, project, compare
# --------------------------------------------------------------------------------------
@pages_blueprint.route("/actors/<actor_id>")
def actor_view(actor_id: str):
    from flask_babel import get_locale

    from service.usecases import profiles
    from service.usecases.params import arg_int

    ctx = _ctx()
    hops = arg_int(request.args, "hops", 1, 1, 2)
    ego = arg_int(request.args, "ego", profiles.EGO_PARTNERS, 1, 100_000)
    partners_page = arg_int(request.args, "partners_page", 1, 1, 100_000)
    projects_page = arg_int(request.args, "projects_page", 1, 1, 100_000)
    if not request.args.get("format"):
        job = _actor_job(ctx, actor_id, hops, ego)
        if job is not None:  # the ecosystem's figures being computed: the progress block
            record = uc.actor_record(ctx, actor_id)["actor"]
            return render_template("actor.html", page=None, actor=record, job=job,
                                   synthetic=bool(record.get("synthetic")))
    page = uc.actor(ctx, actor_id, hops=hops, ego=ego, partners_page=partners_page,
                    projects_page=projects_page)
    hops = page["hops"]
    if _wants("csv"):
        return _table_csv(f"actor-{actor_id}", {
            "partners": (["id", "name", "kind", "shared_projects", "clusters"],
                         [[p["id"], p["name"], p["kind"], p["shared"], ";".join(p["clusters"])]
                          for p in page["partners_all"]]),
            "projects": (["id", "acronym", "title", "start_year", "end_year", "role",
                          "participants"],
                         [[p["id"], p["acronym"], p["title"], p["start_year"], p["end_year"],
                           p["role"], p["participants"]] for p in page["projects_all"]]),
            "recommendations": (["rank", "id", "name", "kind", "score", "shared_partners",
                                 "complementary"],
                                [[i, r["id"], r["name"], r["kind"], round(r["score"], 4),
                                  r.get("n_shared_partners"), r["complementary"]]
                                 for i, r in enumerate(page["recommendations"], 1)]),
        })

    def draw():
        data = network_data(page["ego"], {"actors": page["ego_rows"]}, focus=actor_id)
        return {"data": data, "html": render_network(data, height="480px")}

    drawn = ctx.cached("actor-ego", (actor_id, hops, page["ego_limit"],
                                     str(get_locale() or "en")), draw)
    return render_template("actor.html", page=page, actor=page["actor"],
                           track_record=uc.track_record(ctx),
                           network_html=drawn["html"], legend=drawn["data"]["legend"],
                           synthetic=bool(page["actor"].get("synthetic")), with_scripts=True,
                           ego_size=page["ego"].number_of_nodes())


def _actor_job(ctx: uc.Context, actor_id: str, hops: int, ego: int):
    """The job computing an actor page's figures (the ecosystem's ranks, the recommended
    partners) when they are not ready; None when they are."""
    from service.jobs import group_actors

    name = uc.actor_record(ctx, actor_id)["actor"].get("name") or actor_id  # 404 first
    if ego not in uc.profiles.EGO_CHOICES or hops not in (1, 2):
        return None  # uc.actor answers the 400
    return _page_job("actor", (actor_id, hops, ego), ("actor", (actor_id, hops, ego)),
                     what=N_("the ecosystem's figures for %(name)s"), name=name,
                     actors=group_actors(ctx, None))


@pages_blueprint.route("/projects/<project_id>")
def project_view(project_id: str):
    page = uc.project(_ctx(), project_id)
    if _wants("csv"):
        return _table_csv(f"project-{project_id}", {
            "consortium": (["id", "name", "kind", "country", "role", "clusters"],
                           [[p["id"], p["name"], p["kind"], p["country"], p["role"],
                             ";".join(c["id"] for c in p["clusters"])]
                            for p in page["project"]["participants"]]),
            "fundings": (["programme", "name", "amount", "currency", "year"],
                         [[f["id"], f["name"], f["amount"], f["currency"], f["year"]]
                          for f in page["project"]["fundings"]]),
        })
    from service.usecases.params import arg_int
    from service.usecases.profiles import page_of

    consortium = page_of(page["project"]["participants"],
                         arg_int(request.args, "consortium_page", 1, 1, 100_000),
                         CONSORTIUM_PER_PAGE, "consortium")
    synthetic = bool(page["project"].get("synthetic")) or any(
        p.get("synthetic") for p in page["project"]["participants"])
    return render_template("project.html", page=page, project=page["project"],
                           consortium=consortium, synthetic=synthetic)


#: Partners per page of a project's consortium table (the largest H2020 consortia: 186).
CONSORTIUM_PER_PAGE = 100


@pages_blueprint.route("/compare")
def compare_view():
    ctx = _ctx()
    clusters = uc.clusters(ctx)
    names = {c["id"]: c["name"] for c in clusters}
    raw = ",".join(request.args.getlist("clusters")) if "clusters" in request.args else None
    if raw is None:
        return render_template("compare.html", result=None, clusters=clusters,
                               LABELS=COMPARE_LABELS, selected=[],
                               synthetic=any(c["synthetic_members"] for c in clusters))
    ids = uc.parse_cluster_ids(raw, names)
    flt = GroupFilter.parse(request.args)
    job = None if request.args.get("format") else _compare_job(ctx, ids, flt, names)
    if job is not None:  # large clusters' figures being computed: the progress block
        return render_template("compare.html", result=None, job=job, clusters=clusters,
                               LABELS=COMPARE_LABELS, selected=ids,
                               synthetic=any(c["synthetic_members"] for c in clusters
                                             if c["id"] in ids))
    result = uc.compare(ctx, ids, flt)
    if _wants("csv"):
        header = ["figure", *ids]
        rows = [[f, *[c["figures"][f] for c in result["clusters"]]] for f in result["figures"]]
        rows += [[f"z_{f}", *[c["z"][f] for c in result["clusters"]]]
                 for f in result["null_figures"]]
        return csv_response("compare-" + "-".join(ids), header, rows)
    return render_template("compare.html", result=result, clusters=clusters, selected=ids,
                           LABELS=COMPARE_LABELS,
                           synthetic=any(c["synthetic"] for c in result["clusters"]))


def _compare_job(ctx: uc.Context, ids: list[str], flt: GroupFilter, names: dict):
    """The job computing the compared clusters' figures (with their null models) when they
    are not ready, as a tab's (:func:`_tab_job`); None when they are."""
    from service.jobs import group_actors

    return _page_job("compare", (tuple(ids), flt.key()), ("compare", (tuple(ids), flt)),
                     what=N_("the comparison of %(names)s"),
                     names=", ".join(str(names.get(cid, cid)) for cid in ids),
                     actors=max(group_actors(ctx, GroupRef.cluster(cid)) for cid in ids))


def kind_options() -> list[tuple[str, str]]:
    return [(k, kind_label(k)) for k in KIND_STYLE]


@pages_blueprint.app_template_global("page_url")
def page_url(**changes) -> str:
    """The current URL with some query parameters changed (``None`` removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)
