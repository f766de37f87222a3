"""Actors, projects, recommendations, the scorecard, comparisons and what is loaded."""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from service.analytics import recommend
from service.errors import BadParameter, NotFound
from service.linkprediction import ties_with_years
from service.scorecard import scorecard_lines

from .context import Context
from .figures import ecosystem_ei, metrics, null_model_of
from .params import GroupFilter, GroupRef
from .topics import MAX_NODES, named

__all__ = ["COMPARE_FIGURES", "NULL_FIGURES", "actor", "actor_list", "actor_record", "clusters",
           "compare", "overview", "project", "project_list", "recommendations", "recommended",
           "recommender_ready", "scorecard", "track_record"]

RANK_COLUMNS = ("degree", "strength", "betweenness", "pagerank", "eigenvector")


def clusters(ctx: Context) -> list[dict]:
    """Every cluster with its members by kind, projects and synthetic share."""
    return ctx.cached("clusters", (), ctx.store.clusters_overview)


def overview(ctx: Context) -> dict:
    """What is loaded: clusters, country ecosystems, loads with provenance, counts."""
    return ctx.cached("overview", (), lambda: {
        "clusters": ctx.store.clusters_overview(),
        "countries": ctx.store.countries_overview(),
        "loads": ctx.store.loads(),
        "counts": ctx.store.counts(),
    })


# ----------------------------------------------------------------------------------------
# Actors and projects
# ----------------------------------------------------------------------------------------
def track_record(ctx: Context) -> dict:
    """How often this ecosystem's suggestions came true in its own back-test ("x of 10
    became partners within 2 years; common partners alone: y"), per graph version; computed
    by a background job on large graphs (``pending`` until it is done), ``available:
    False`` with a ``reason`` for data without dates (:mod:`service.linkprediction`)."""
    from service.linkprediction import track_record_now

    return track_record_now(ctx)


#: What the answer says about its ranking (``recommended()["ranking"]["note"]``).
RANKING_NOTES = {
    "being fitted": "the learnt model is being fitted: ranked meanwhile by the "
                    "deterministic fallback (weighted Adamic-Adar); ask again later",
    "chosen index": "a classic index beat the learnt model on this data's own validation "
                    "organisations, so it ranks",
}


def recommender_ready(ctx: Context) -> bool:
    """Whether :func:`recommended` can answer now (its data is prepared, or the graph is
    small enough to prepare it in the request); else its job is queued."""
    return _link_data(ctx)[0]


def _link_data(ctx: Context):
    from service.linkprediction import read_link_data

    return ctx.prepared("link-data", lambda: read_link_data(ctx))


def recommended(ctx: Context, actor_id: str, *, top: int = 20) -> dict | None:
    """Ranked missing links for one actor over the whole ecosystem, with explanations, and
    how they were ranked: ``{"items": [...], "ranking": {"method", "model", "final",
    "note"}}``; ``None`` while the recommender's data is being prepared by a job (large
    graphs, in the service).

    Computed from the graph version's compact :class:`~service.linkprediction.LinkData`
    (no ecosystem graph is built). ``model`` is ``"fitted"``, ``"being fitted"`` (its job
    runs: the deterministic fallback ranks, and the answer is never kept as this graph
    version's: only in memory, under another name, until the model is known) or ``"not
    available"`` (with the reason).
    """
    found, answer = ctx.peek("recommendations", (actor_id, top))
    if found:
        return answer
    ready, index = _link_data(ctx)
    if not ready:
        return None
    from service.linkprediction import attach_model

    graph = index.graph()
    if actor_id not in graph:
        raise NotFound("actor", actor_id)
    handle = graph.graph.get("link_model") or attach_model(graph, ctx)
    if not handle.refresh():  # the model's job runs: the fallback's answer, in memory only
        return ctx.cached("recommendations-meanwhile", (actor_id, top),
                          lambda: _recommended(graph, handle, actor_id, top, known=False))
    answer = _recommended(graph, handle, actor_id, top, known=True)
    ctx.cached("recommendations", (actor_id, top), lambda: answer)
    return answer


def _recommended(graph, handle, actor_id: str, top: int, *, known: bool) -> dict:
    items = recommend(graph, actor_id, top=top, use_model=known)
    method = items[0]["ranking"] if items else (handle.choice or "weighted_adamic_adar")
    if not known:
        model, note = "being fitted", RANKING_NOTES["being fitted"]
    elif handle.get() is None:
        model, note = "not available", handle.reason
    else:
        model = "fitted"
        note = RANKING_NOTES["chosen index"] if handle.choice != "model" else None
    return {"items": items, "ranking": {"method": method, "model": model, "final": known,
                                        "note": note}}


def recommendations(ctx: Context, actor_id: str, *, top: int = 20) -> list[dict]:
    """The items of :func:`recommended` (computed now outside the service)."""
    answer = recommended(ctx, actor_id, top=top)
    if answer is None:  # pragma: no cover - only in the service, whose routes ask first
        raise RuntimeError("the recommender's data is being prepared")
    return answer["items"]


def actor_record(ctx: Context, actor_id: str) -> dict:
    """An actor's record (properties, region, clusters, niches) and its projects."""
    def compute():
        record = ctx.store.actor_detail(actor_id)
        if record is None:
            raise NotFound("actor", actor_id)
        return {"actor": record, "projects": ctx.store.actor_projects(actor_id)}

    return ctx.cached("actor-record", (actor_id,), compute)


#: The ego network draws the actor and its strongest ties: this many partners by default
#: (``ego`` widens it, up to :data:`~service.usecases.topics.MAX_NODES`).
EGO_PARTNERS = 150
EGO_CHOICES = (150, 500, 2000)
#: Rows per page of the partner and project tables.
PER_PAGE = 50


def page_of(rows: list, page: int, per_page: int, what: str) -> dict:
    """Page ``page`` of ``rows``; a page past the last is a :class:`BadParameter`
    (``<what>_page``)."""
    pages = max(1, -(-len(rows) // per_page))
    if page > pages:
        raise BadParameter(f"{what}_page", f"must be between 1 and {pages}, got {page}")
    return {"items": rows[(page - 1) * per_page:page * per_page], "page": page,
            "pages": pages, "total": len(rows), "per_page": per_page}


def actor(ctx: Context, actor_id: str, *, hops: int = 1, top: int = 10,
          ego: int = EGO_PARTNERS, partners_page: int = 1, projects_page: int = 1,
          with_recommendations: bool = True) -> dict:
    """An actor's record, ego network, ecosystem ranks and percentiles (the rows of the
    ecosystem's metrics), partners (shared projects), projects and recommended partners.

    The ego network draws the actor and its ``ego`` strongest ties (most shared projects;
    150, 500 or 2,000) and, with ``hops=2``, the ties among those partners' partners when the
    whole neighbourhood fits in :data:`~service.usecases.topics.MAX_NODES` actors; the partner
    and project tables come a page of :data:`PER_PAGE` rows at a time (all rows in
    ``partners_all``/``projects_all`` for downloads). The recommended partners
    (``recommended``, see :func:`recommended`: ``None`` while being prepared, and
    ``recommendations``, its items) are added to the cached figures at each call, so an
    answer ranked while the model is fitted is never kept with them.
    """
    if hops not in (1, 2):
        raise BadParameter("hops", f"must be 1 or 2, got {hops}")
    if ego not in EGO_CHOICES:
        raise BadParameter("ego", f"must be one of {', '.join(map(str, EGO_CHOICES))}, "
                                  f"got {ego}")
    base = ctx.cached("actor", (actor_id, hops, top, ego),
                      lambda: _actor(ctx, actor_id, hops, top, ego))
    page = {**base,
            "partners": page_of(base["partners_all"], partners_page, PER_PAGE, "partners"),
            "projects": page_of(base["projects_all"], projects_page, PER_PAGE, "projects")}
    if with_recommendations:
        page["recommended"] = recommended(ctx, actor_id, top=top)
        page["recommendations"] = (page["recommended"] or {}).get("items") or []
    return page


def _neighbourhood(graph: nx.Graph, actor_id: str, partners: list, limit: int) -> set | None:
    """The actor, ``partners`` and their partners, or None past ``limit`` actors."""
    seen = {actor_id, *partners}
    for partner in partners:
        seen.update(graph[partner])
        if len(seen) > limit:
            return None
    return seen


def _actor(ctx: Context, actor_id: str, hops: int, top: int, ego_size: int) -> dict:
    record = actor_record(ctx, actor_id)
    ecosystem = ctx.graph(None)
    if actor_id not in ecosystem:
        raise NotFound("actor", actor_id)
    figures = metrics(ctx, None)
    rows = {r["id"]: r for r in figures["actors"]}
    partners = []
    for other, data in ecosystem[actor_id].items():
        row = named(ecosystem, other)
        row.update(shared=int(data.get("weight", 1)),
                   clusters=list(ecosystem.nodes[other].get("clusters") or []))
        partners.append(row)
    partners.sort(key=lambda r: (-r["shared"], str(r["name"]), str(r["id"])))
    drawn = [p["id"] for p in partners[:ego_size]]
    nodes = {actor_id, *drawn}
    reduced = False
    if hops == 2:
        wider = _neighbourhood(ecosystem, actor_id, drawn, MAX_NODES) \
            if len(drawn) == len(partners) else None
        if wider is None:
            reduced = True
        else:
            nodes = wider
    ego = ecosystem.subgraph(nodes).copy()
    # not the ego network's: the ecosystem's recommender, its matrix views (all 0.9 M ties at
    # H2020 size) and project tables, which made the cached page 106 MB
    for key in ("link_model", "_analytics_cache", "participants", "projects"):
        ego.graph.pop(key, None)
    mine = rows[actor_id]
    ranks = {name: {"value": mine[name], "rank": mine[f"{name}_rank"],
                    "percentile": mine[f"{name}_percentile"]} for name in RANK_COLUMNS}
    approximate = {f: figures["meta"]["methods"][f] for f in figures["meta"]["approximate"]
                   if f in RANK_COLUMNS}
    return {"actor": record["actor"], "ego": ego, "approximate": approximate,
            "ego_rows": [rows[v] for v in ego], "ego_partners": len(drawn),
            "ego_limit": ego_size, "ego_choices": EGO_CHOICES,
            "hops": hops, "ego_reduced": reduced, "ranks": ranks,
            "n_actors": ecosystem.number_of_nodes(), "partners_all": partners,
            "projects_all": record["projects"]}


def project(ctx: Context, project_id: str) -> dict:
    """A project's record, consortium (kinds, countries), clusters bridged and funding."""
    return ctx.cached("project", (project_id,), lambda: _project(ctx, project_id))


def _project(ctx: Context, project_id: str) -> dict:
    record = ctx.store.project_detail(project_id)
    if record is None:
        raise NotFound("project", project_id)
    kinds = Counter(p.get("kind") or "other" for p in record["participants"])
    bridged: dict[str, dict] = {}
    for p in record["participants"]:
        for c in p.get("clusters") or []:
            entry = bridged.setdefault(c["id"], {"id": c["id"], "name": c["name"],
                                                 "participants": 0})
            entry["participants"] += 1
    countries = Counter(p.get("country") for p in record["participants"] if p.get("country"))
    total: dict[str, float] = defaultdict(float)
    for f in record["fundings"]:
        if f.get("amount") is not None:
            total[f.get("currency") or ""] += float(f["amount"])
    return {"project": record, "kinds": kinds.most_common(),
            "clusters": sorted(bridged.values(), key=lambda c: str(c["name"])),
            "bridges_clusters": len(bridged) >= 2, "countries": countries.most_common(),
            "funding_total": dict(total)}


def actor_list(ctx: Context, *, page: int, per_page: int, kind: str | None = None,
               country: str | None = None, cluster: str | None = None,
               text: str | None = None) -> tuple[int, list[dict]]:
    """A page of actors (``total``, ``items``), filtered."""
    params = (page, per_page, kind, country, cluster, text)
    return ctx.cached("actor-list", params, lambda: ctx.store.actors_page(
        skip=(page - 1) * per_page, limit=per_page, kind=kind, country=country,
        cluster=cluster, text=text))


def project_list(ctx: Context, *, page: int, per_page: int, year: int | None = None,
                 cluster: str | None = None, text: str | None = None) -> tuple[int, list[dict]]:
    """A page of projects (``total``, ``items``), filtered."""
    params = (page, per_page, year, cluster, text)
    return ctx.cached("project-list", params, lambda: ctx.store.projects_page(
        skip=(page - 1) * per_page, limit=per_page, year=year, cluster=cluster, text=text))


# ----------------------------------------------------------------------------------------
# Scorecard
# ----------------------------------------------------------------------------------------
def scorecard(ctx: Context, cluster_id: str, *, as_of: int | None = None,
              null_runs: int = 20) -> dict:
    """The evaluation-grid scorecard of one cluster (see :mod:`service.scorecard`).

    Built on the unfiltered data: the grid judges the contract-programme as a whole.
    """
    ref = GroupRef.cluster(cluster_id)
    cluster = ctx.describe(ref)
    return ctx.cached("scorecard", (cluster_id, as_of, null_runs),
                      lambda: _scorecard(ctx, ref, cluster, as_of, null_runs))


def _scorecard(ctx: Context, ref: GroupRef, cluster: dict, as_of: int | None,
               null_runs: int) -> dict:
    store = ctx.store
    locations = store.cluster_member_locations(ref.id)
    actors_list, participations = ctx.records(ref)
    actors = {a["id"]: a for a in actors_list}
    members = [{"actor_id": loc["actor_id"], "kind": actors[loc["actor_id"]].get("kind"),
                "since": loc["since"], "region_id": loc["region_id"],
                "country": loc["country"]} for loc in locations]
    project_ids = {p["project_id"] for p in participations}
    consortia: dict[str, list[dict]] = defaultdict(list)
    for row in store.project_participants(project_ids):
        consortia[row["project_id"]].append(row)
    countries = [m["country"] for m in members if m.get("country")]
    home_country = max(set(countries), key=countries.count) if countries else None
    region_id = locations[0]["cluster_region_id"] if locations else None

    flt = GroupFilter()
    cohesion = metrics(ctx, ref, flt)["cohesion"]
    network = {"density": cohesion["density"], "components": cohesion["components"],
               "largest_share": cohesion["largest_component_share"],
               "average_clustering": cohesion["average_clustering"]}
    null = null_model_of(ctx, ref, flt, runs=null_runs)
    if null is not None:
        network["clustering_z"] = null["figures"]["average_clustering"].get("z")
    network["ei_index"] = ecosystem_ei(ctx, ref, flt)
    first_years = Counter(year for _, _, year in ties_with_years(participations)
                          if year is not None)
    network["ties_by_year"] = dict(sorted(first_years.items()))
    card = scorecard_lines(
        cluster={"id": ref.id, "name": cluster.get("name"), "region_id": region_id,
                 "country": home_country},
        members=members,
        participations=participations,
        consortia=consortia,
        targets=store.cluster_targets(ref.id),
        outputs=store.cluster_outputs(ref.id),
        network=network,
        as_of=as_of,
    )
    card["synthetic"] = any(a.get("synthetic") for a in actors.values())
    return card


# ----------------------------------------------------------------------------------------
# Comparing clusters
# ----------------------------------------------------------------------------------------
COMPARE_FIGURES = ("nodes", "edges", "density", "average_degree", "components",
                   "largest_component_share", "isolates", "average_clustering",
                   "transitivity", "average_path_length", "modularity", "communities",
                   "ei_index")
NULL_FIGURES = ("average_clustering", "transitivity", "average_path_length", "n_components")


def parse_cluster_ids(raw, known) -> list[str]:
    """The cluster ids of ``?clusters=a,b`` (two to six, each known).

    >>> parse_cluster_ids("a, b", ["a", "b", "c"])
    ['a', 'b']
    """
    ids = [c.strip() for c in (raw or "").split(",") if c.strip()]
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise BadParameter("clusters", "name at least two clusters: ?clusters=a,b")
    if len(ids) > 6:
        raise BadParameter("clusters", "compare at most six clusters at once")
    known = set(known)
    for c in ids:
        if c not in known:
            raise NotFound("cluster", c)
    return ids


def compare(ctx: Context, ids: list[str], flt: GroupFilter | None = None, *,
            null_runs: int = 20) -> dict:
    """Side-by-side figures of clusters.

    Size-normalised figures (density, average degree, shares) and the null-model z-scores
    (observed against degree-preserving rewirings) make clusters of different sizes
    comparable; raw counts are shown for context.
    """
    flt = flt or GroupFilter()
    names = {c["id"]: c["name"] for c in clusters(ctx)}
    columns = []
    for cid in ids:
        result = metrics(ctx, GroupRef.cluster(cid), flt, null_runs=null_runs)
        cohesion = result["cohesion"]
        null = cohesion.get("null_model") or {}
        columns.append({
            "id": cid, "name": names.get(cid, cid),
            "figures": {k: cohesion.get(k) for k in COMPARE_FIGURES},
            "z": {k: (null.get(k) or {}).get("z") for k in NULL_FIGURES},
            "null": {k: null.get(k) for k in NULL_FIGURES},
            "runs": (cohesion.get("null_model_meta") or {}).get("runs"),
            "synthetic": any(a.get("synthetic") for a in result["actors"]),
            "approximate": {f: result["meta"]["methods"][f]
                            for f in result["meta"]["approximate"]},
        })
    return {"clusters": columns, "figures": COMPARE_FIGURES, "null_figures": NULL_FIGURES,
            "filter": flt.as_dict()}
