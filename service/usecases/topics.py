"""A group's network view, communities and brokers, evolution, missing links, what-if,
synergy and projects: one function per question, each taking the group and its filter."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping

import networkx as nx

from service.analytics import (
    articulation_points,
    bridges,
    brokerage_roles,
    declared_membership,
    partition_agreement,
    recommend,
)
from service.analytics import evolution as evolution_rows
from service.analytics import what_if as analytics_what_if
from service.analytics.synergy import (
    COMPANY_KINDS,
    DEFAULT_HELIX,
    RESEARCH_KINDS,
    TRAINING_KINDS,
    ei_index,
    kind_assortativity,
    kind_tie_matrix,
    project_mix,
    triple_helix,
)
from service.analytics.whatif import OPS
from service.errors import BadParameter

from .context import Context, filter_records
from .figures import communities_of, metrics
from .params import GroupFilter, GroupRef, NetworkView

__all__ = ["MAX_NODES", "TOP_ACTORS", "communities", "evolution", "group_projects", "links",
           "named", "network", "synergy", "what_if"]

#: Above this many actors a network view starts reduced (``view=auto``): the top
#: :data:`TOP_ACTORS` actors in the actor order; ``view=aggregate`` draws one super-node
#: per kind, cluster or community instead, ``view=full`` draws everything.
MAX_NODES = 2000
TOP_ACTORS = 500


def named(graph: nx.Graph, node) -> dict:
    data = graph.nodes[node]
    return {"id": node, "name": data.get("name") or node, "kind": data.get("kind") or "other"}


def _key(ref: GroupRef | None, flt: GroupFilter, *rest) -> tuple:
    return (None if ref is None else (ref.kind, ref.id), flt.key(), *rest)


# ----------------------------------------------------------------------------------------
# Network view
# ----------------------------------------------------------------------------------------
def network(ctx: Context, ref: GroupRef, flt: GroupFilter, view: NetworkView) -> dict:
    """What a network view draws: the (reduced) graph, one row per drawn actor (the rows of
    :func:`~service.usecases.figures.metrics`), the headline figures, the view used
    (full, top or aggregate), ``total_nodes``, the group's ``years`` and ``suggested`` ties
    between drawn actors (``view.suggest``)."""
    result = metrics(ctx, ref, flt)
    graph = ctx.graph(ref, flt)
    mode = view.view
    n = graph.number_of_nodes()
    if mode == "auto":
        mode = "top" if n > MAX_NODES else "full"
    rows = result["actors"]
    drawn = graph
    if mode == "top" and n > TOP_ACTORS:
        drawn = graph.subgraph([r["id"] for r in rows[:TOP_ACTORS]]).copy()
        rows = rows[:TOP_ACTORS]
    suggested = []
    if view.suggest:
        suggested = [{"u": s["u"]["id"], "v": s["v"]["id"], "score": s["score"]}
                     for s in links(ctx, ref, flt)[:20]
                     if s["u"]["id"] in drawn and s["v"]["id"] in drawn]
    return {"graph": drawn, "rows": rows, "headline": result["headline"],
            "betweenness": result["meta"]["betweenness"], "view": mode, "total_nodes": n,
            "years": graph.graph.get("years"), "suggested": suggested}


# ----------------------------------------------------------------------------------------
# Communities and brokers
# ----------------------------------------------------------------------------------------
def communities(ctx: Context, ref: GroupRef | None, flt: GroupFilter | None = None, *,
                seed: int = 0, top: int = 10) -> dict:
    """Communities, brokers, cut points, bridges and isolated actors of a group.

    ``agreement``: NMI/ARI of the (filtered) ecosystem's Louvain communities against the
    declared clusters (actors in exactly one cluster); ``ecosystem_split``: the group's
    actors per ecosystem community; ``communities``: Louvain inside the group (the
    ``community`` column of the metrics); ``brokers``: the first ``top`` actors in the
    metrics' order (betweenness, then degree), with Burt's constraint and effective size.
    """
    flt = flt or GroupFilter()
    return ctx.cached("communities", _key(ref, flt, seed, top),
                      lambda: _communities(ctx, ref, flt, seed, top))


def _communities(ctx: Context, ref: GroupRef | None, flt: GroupFilter, seed: int,
                 top: int) -> dict:
    ecosystem = ctx.graph(None, flt)
    eco_comm = communities_of(ctx, None, flt, seed)
    declared = declared_membership(ecosystem)
    group = ctx.graph(ref, flt)
    figures = metrics(ctx, ref, flt, seed=seed)
    rows = {r["id"]: r for r in figures["actors"]}
    order = {r["id"]: i for i, r in enumerate(figures["actors"])}
    inner = communities_of(ctx, ref, flt, seed)

    split: Counter = Counter()
    ecosystem_split = []
    if ref is not None:
        split = Counter(eco_comm[v] for v in group if v in eco_comm)
        by_comm: dict[int, Counter] = defaultdict(Counter)
        for v, c in eco_comm.items():
            if c in split:
                by_comm[c][declared.get(v, "(several or none)")] += 1
        ecosystem_split = [
            {"community": c, "members": k, "size": sum(by_comm[c].values()),
             "declared": by_comm[c].most_common(3)}
            for c, k in sorted(split.items(), key=lambda kv: (-kv[1], kv[0]))]

    groups: dict[int, list] = defaultdict(list)
    for v, c in inner.items():
        groups[c].append(v)
    community_rows = []
    for c, nodes in sorted(groups.items()):
        nodes.sort(key=order.__getitem__)
        kinds = Counter(rows[v]["kind"] for v in nodes)
        community_rows.append({"community": c, "size": len(nodes),
                               "members": sorted(nodes, key=str),
                               "kinds": kinds.most_common(),
                               "leaders": [named(group, v) for v in nodes[:3]]})
    brokers = []
    for row in figures["actors"][:top]:
        brokers.append({"id": row["id"], "name": row["name"] or row["id"], "kind": row["kind"],
                        "betweenness": row["betweenness"], "degree": row["degree"],
                        "constraint": row["constraint"],
                        "effective_size": row["effective_size"]})
    cut = [{**named(group, v), "degree": group.degree(v)} for v in articulation_points(group)]
    bridge_rows = []
    for u, v in bridges(group):
        a, b = sorted((u, v), key=str)
        bridge_rows.append({"u": named(group, a), "v": named(group, b),
                            "weight": group[a][b].get("weight", 1)})
    return {
        "group": None if ref is None else ref.as_dict(),
        "filter": flt.as_dict(),
        "members": group.number_of_nodes(),
        "agreement": partition_agreement(eco_comm, declared)
        if len(set(declared.values())) > 1 else None,
        "ecosystem_communities": len(set(eco_comm.values())),
        "ecosystem_split": ecosystem_split,
        "modularity": figures["cohesion"]["modularity"],
        "communities": community_rows,
        "brokers": brokers,
        "brokerage_roles": brokerage_roles(group, "kind") if group.number_of_edges() else {},
        "articulation_points": cut,
        "bridges": bridge_rows,
        "isolated": [named(group, v) for v in sorted(group, key=str) if group.degree(v) == 0],
    }


# ----------------------------------------------------------------------------------------
# Evolution
# ----------------------------------------------------------------------------------------
def evolution(ctx: Context, ref: GroupRef, flt: GroupFilter | None = None, *,
              window: int | None = None) -> dict:
    """Figures per year: cumulative (default) or sliding windows of ``window`` years.

    Each row: the cohesion figures of the period's graph (``n_nodes``, ``n_edges``,
    ``density``...), ``ties_gained``/``ties_lost``, ``newcomers``/``leavers`` (actors'
    first/last project), and for clusters ``members_joined`` (``MEMBER_OF.since``) and the
    ``outputs`` reported per indicator. The project mix and triple-helix T of a period are
    those of :func:`synergy` for the group's projects started in it (every partner counted).
    Years run from the first to the last year with any
    of these; a year without projects has ``None`` figures. ``min_weight`` is not applied to
    the per-year graphs (a tie is counted from its first shared project).
    """
    flt = flt or GroupFilter()
    return ctx.cached("evolution", _key(ref, flt, window),
                      lambda: _evolution(ctx, ref, flt, window))


def _evolution(ctx: Context, ref: GroupRef, flt: GroupFilter, window: int | None) -> dict:
    actors, participations = filter_records(*ctx.records(ref), flt)
    dated = [(p["actor_id"], p["project_id"], p["start_year"]) for p in participations
             if p.get("start_year") is not None]
    rows = {r["year"]: r for r in evolution_rows(actors, dated, window=window)} if dated \
        else {}
    joined: Counter = Counter()
    outputs: dict[int, Counter] = defaultdict(Counter)
    indicators: set[str] = set()
    if ref.kind != "country":
        joined = Counter(a["since"] for a in actors if a.get("since") is not None)
        for cid in ref.cluster_ids:
            for o in ctx.store.cluster_outputs(cid):
                if o.get("year") is not None:
                    outputs[int(o["year"])][o["indicator"]] += o.get("value") or 0
                    indicators.add(o["indicator"])
    if rows:
        pairs, kinds = _consortia(ctx, {p for _, p, _ in dated})
        started = {p: y for _, p, y in dated}
        for row in rows.values():
            low, high = row["period"]
            mix, helix = _project_synergy(
                [(a, p) for a, p in pairs if low <= started[p] <= high], kinds)
            row["share_company_research"] = mix["share_company_research"]
            row["share_company_training"] = mix["share_company_training"]
            row["triple_helix_T"] = helix["T"] if helix else None
    years = sorted(set(rows) | set(joined) | set(outputs))
    keys = [k for k in next(iter(rows.values()), {}) if k not in ("newcomer_ids", "leaver_ids")]
    table = []
    for year in range(years[0], years[-1] + 1) if years else []:
        found = rows.get(year, {})
        row = {k: found.get(k) for k in keys}  # a year without projects: None figures
        row["year"] = year
        row["members_joined"] = joined.get(year, 0)
        row["outputs"] = {k: outputs[year].get(k, 0) for k in sorted(indicators)}
        row["outputs_total"] = sum(outputs[year].values())
        table.append(row)
    return {"group": ref.as_dict(), "filter": flt.as_dict(), "window": window,
            "undated_participations": len(participations) - len(dated),
            "indicators": sorted(indicators), "years": table,
            "synthetic": any(a.get("synthetic") for a in actors)}


# ----------------------------------------------------------------------------------------
# Missing links and what-if
# ----------------------------------------------------------------------------------------
def links(ctx: Context, ref: GroupRef, flt: GroupFilter | None = None, *,
          top: int | None = 50, per_actor: int = 50) -> list[dict]:
    """Suggested new ties between two actors of a group, best first, with reasons.

    Runs :func:`~service.analytics.missing_links.recommend` over the whole (filtered)
    ecosystem for every actor of the group and keeps the candidates in the group; a pair
    found from both sides keeps its higher score. Each item: ``rank``, ``u``, ``v`` (id,
    name, kind), ``score``, ``distance``, ``shared_partners``, ``n_shared_partners``,
    ``complementary``, ``bridges_communities``, and for a cluster the cluster's
    ``density_before``/``density_after`` and ``joins_components``.
    """
    flt = flt or GroupFilter()
    ranked = ctx.cached("links", _key(ref, flt, per_actor),
                        lambda: _links(ctx, ref, flt, per_actor))
    return ranked if top is None else ranked[:top]


def _links(ctx: Context, ref: GroupRef, flt: GroupFilter, per_actor: int) -> list[dict]:
    ecosystem = ctx.graph(None, flt)
    members = set(ctx.graph(ref, flt))
    best: dict[tuple, dict] = {}
    for actor in sorted(members, key=str):
        if actor not in ecosystem:
            continue
        for r in recommend(ecosystem, actor, top=per_actor):
            if r["id"] not in members:
                continue
            pair = tuple(sorted((actor, r["id"]), key=str))
            if pair in best and best[pair]["score"] >= r["score"]:
                continue
            effect = next((e for e in (r.get("cluster_effects") or [])
                           if ref.kind == "cluster" and e.get("cluster") == ref.id), None)
            best[pair] = {
                "u": named(ecosystem, pair[0]), "v": named(ecosystem, pair[1]),
                "score": float(r["score"]), "distance": r.get("distance"),
                "shared_partners": list(r.get("shared_partners") or []),
                "n_shared_partners": int(r.get("n_shared_partners") or 0),
                "complementary": bool(r.get("complementary")),
                "bridges_communities": bool(r.get("bridges_communities")),
                "density_before": (effect or {}).get("density_before"),
                "density_after": (effect or {}).get("density_after"),
                "joins_components": bool(effect and effect["components_after"]
                                         < effect["components_before"]),
            }
    ranked = sorted(best.values(),
                    key=lambda r: (-r["score"], str(r["u"]["id"]), str(r["v"]["id"])))
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    return ranked


_ACTOR_FIELDS = {"add_tie": ("u", "v"), "remove_tie": ("u", "v"), "remove_actor": ("id",),
                 "add_project": ("id",), "remove_project": ("id",), "add_actor": ()}


def _check_changes(changes) -> list[dict]:
    if not isinstance(changes, list) or not changes:
        raise BadParameter("changes", 'expected a non-empty list, e.g. [{"op": "add_tie", '
                                      '"u": ACTOR, "v": ACTOR}]')
    if len(changes) > 500:
        raise BadParameter("changes", "at most 500 changes per scenario")
    for i, change in enumerate(changes):
        where = f"changes[{i}]"
        if not isinstance(change, Mapping) or change.get("op") not in OPS:
            raise BadParameter(where, f"needs an 'op' among {', '.join(OPS)}")
        for name in _ACTOR_FIELDS[change["op"]]:
            if not isinstance(change.get(name), str) or not change[name]:
                raise BadParameter(f"{where}.{name}", "must be a non-empty string")
        if change["op"] == "add_actor":
            actor = change.get("actor")
            if not isinstance(actor, Mapping) or not isinstance(actor.get("id"), str):
                raise BadParameter(f"{where}.actor", 'must be an object with an "id"')
            partners = change.get("partners", [])
            if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
                raise BadParameter(f"{where}.partners", "must be a list of actor ids")
        if change["op"] == "add_project":
            team = change.get("participants")
            if not isinstance(team, list) or len(team) < 2 or not all(
                    isinstance(p, str) for p in team):
                raise BadParameter(f"{where}.participants",
                                   "must list at least two actor ids")
    return list(changes)


def what_if(ctx: Context, ref: GroupRef, flt: GroupFilter | None, changes) -> dict:
    """Before/after figures of a scenario on a group's graph (the stored graph is not
    changed). A scenario the graph cannot take (an unknown actor, a tie that does not
    exist...) is a :class:`~service.errors.BadParameter` on ``changes``."""
    flt = flt or GroupFilter()
    changes = _check_changes(changes)
    key = _key(ref, flt, json.dumps(changes, sort_keys=True, default=str))
    return ctx.cached("what-if", key, lambda: _what_if(ctx, ref, flt, changes))


def _what_if(ctx: Context, ref: GroupRef, flt: GroupFilter, changes: list[dict]) -> dict:
    graph = ctx.graph(ref, flt)
    for i, change in enumerate(changes):
        named_ids = [(name, change[name]) for name in ("u", "v") if name in change]
        if change["op"] == "remove_actor":
            named_ids.append(("id", change["id"]))
        named_ids += [("participants", p) for p in change.get("participants") or ()]
        named_ids += [("partners", p) for p in change.get("partners") or ()]
        for name, actor in named_ids:
            if actor not in graph:
                raise BadParameter(f"changes[{i}].{name}",
                                   f"actor {actor!r} is not a member of this group")
    try:
        result = analytics_what_if(graph, changes)
    except (ValueError, nx.NetworkXException) as exc:  # the scenario's own contract
        raise BadParameter("changes", str(exc)) from None
    result["names"] = {change[name]: named(graph, change[name]) for change in changes
                       for name in ("u", "v") if change.get(name) in graph}
    return result


# ----------------------------------------------------------------------------------------
# Synergy and projects
# ----------------------------------------------------------------------------------------
def synergy(ctx: Context, ref: GroupRef, flt: GroupFilter | None = None) -> dict:
    """Enterprise-research-training synergy figures of a group's projects."""
    flt = flt or GroupFilter()
    return ctx.cached("synergy", _key(ref, flt), lambda: _synergy(ctx, ref, flt))


def _synergy(ctx: Context, ref: GroupRef, flt: GroupFilter) -> dict:
    graph = ctx.graph(ref, flt)
    _, participations = filter_records(*ctx.records(ref), flt)
    project_ids = {p["project_id"] for p in participations}
    pairs, kinds = _consortia(ctx, project_ids)
    mix, helix = _project_synergy(pairs, kinds)
    has_ties = graph.number_of_edges() > 0
    return {
        "group": ref.as_dict(),
        "filter": flt.as_dict(),
        "project_mix": mix,
        "kind_tie_matrix": kind_tie_matrix(graph, "kind"),
        "ei_index_by_kind": ei_index(graph, "kind")["groups"] if has_ties else {},
        "kind_assortativity": kind_assortativity(graph, "kind") if has_ties else None,
        "triple_helix": helix,
        "definitions": {
            "project_mix": "share of the group's projects (all partners counted) that mix "
                           "companies with research and/or training centres",
            "triple_helix": "Leydesdorff's mutual information T (bits) between industry, "
                            "academia and government over project consortia; negative "
                            "values indicate synergy",
        },
    }


def _consortia(ctx: Context, project_ids) -> tuple[list[tuple], dict]:
    """Every participation (actor, project) in these projects, all partners included, and
    the kind of every partner."""
    rows = ctx.store.project_participants(set(project_ids))
    return ([(p["actor_id"], p["project_id"]) for p in rows],
            {p["actor_id"]: p["kind"] for p in rows})


def _project_synergy(pairs: list[tuple], kinds: dict) -> tuple[dict, dict | None]:
    """The project mix and the triple helix of these consortia: the one definition used by
    the synergy figures and by the evolution's per-year figures."""
    spheres = {actor: DEFAULT_HELIX.get(kind) for actor, kind in kinds.items()
               if DEFAULT_HELIX.get(kind)}
    helix_pairs = [(a, p) for a, p in pairs if a in spheres]
    return (project_mix(pairs, kinds),
            triple_helix(helix_pairs, spheres) if helix_pairs else None)


def group_projects(ctx: Context, ref: GroupRef, flt: GroupFilter | None = None) -> list[dict]:
    """For each project of a group's actors: its consortium's mix of kinds and clusters."""
    flt = flt or GroupFilter()
    return ctx.cached("group-projects", _key(ref, flt),
                      lambda: _group_projects(ctx, ref, flt))


def _group_projects(ctx: Context, ref: GroupRef, flt: GroupFilter) -> list[dict]:
    _, participations = filter_records(*ctx.records(ref), flt)
    project_ids = {p["project_id"] for p in participations}
    teams: dict[str, list[dict]] = defaultdict(list)
    for row in ctx.store.project_participants(project_ids):
        teams[row["project_id"]].append(row)
    info = {p["id"]: p for p in ctx.store.projects(project_ids)}
    out = []
    for pid in sorted(teams):
        team = teams[pid]
        kinds: dict[str, int] = defaultdict(int)
        clusters: dict[str, int] = defaultdict(int)
        for member in team:
            kinds[member.get("kind") or "other"] += 1
            for cid in member["clusters"]:
                clusters[cid] += 1
        present = set(kinds)
        project = info.get(pid, {})
        out.append({
            "id": pid, "title": project.get("title"), "acronym": project.get("acronym"),
            "start_year": project.get("start_year"), "participants": len(team),
            "kinds": dict(sorted(kinds.items())), "clusters": dict(sorted(clusters.items())),
            "bridges_clusters": len(clusters) >= 2,
            "countries": sorted({m["country"] for m in team if m.get("country")}),
            "company_research": bool(present & COMPANY_KINDS and present & RESEARCH_KINDS),
            "company_training": bool(present & COMPANY_KINDS and present & TRAINING_KINDS),
            "synthetic": bool(project.get("synthetic")),
        })
    return out
