"""Service functions of the web explorer: what each page shows, computed from the store.

The views stay thin: they parse the request into :class:`NetworkOptions` (invalid input
raises :class:`InvalidParameter`, answered with 400), call one function here and render.
Nothing here imports Flask; every result is plain data, cached by the caller per graph
version (``AppState.cached``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from graph_schema.model import ACTOR_KINDS
from graph_schema.store import GraphStore
from service.analytics import (
    articulation_points,
    betweenness_info,
    bridges,
    co_participation_graph,
    constraint,
    declared_membership,
    degree,
    eigenvector,
    evolution,
    louvain,
    pagerank,
    partition_agreement,
    rank_and_percentile,
    recommend,
    strength,
    what_if,
)
from service.analytics.brokerage import effective_size

from .groups import GroupNotFound, GroupRef, describe_group

__all__ = [
    "ActorNotFound",
    "COLOR_MODES",
    "InvalidParameter",
    "MAX_NODES",
    "NetworkOptions",
    "ProjectNotFound",
    "SIZE_METRICS",
    "TOP_ACTORS",
    "VIEW_MODES",
    "actor_page",
    "cluster_communities",
    "cluster_evolution",
    "cluster_links",
    "compare_clusters",
    "ecosystem_centrality",
    "group_network",
    "parse_network_options",
    "project_page",
    "tie_what_if",
]

#: Above this many actors a network view starts reduced (``view=auto``): the top
#: :data:`TOP_ACTORS` actors by betweenness; ``view=aggregate`` draws one super-node per
#: kind, cluster or community instead, ``view=full`` draws everything.
MAX_NODES = 2000
TOP_ACTORS = 500
COLOR_MODES = ("kind", "cluster", "community")
SIZE_METRICS = ("betweenness", "degree", "pagerank", "eigenvector")
VIEW_MODES = ("auto", "full", "top", "aggregate")
YEAR_RANGE = (1900, 2100)


class InvalidParameter(ValueError):
    """A request parameter is invalid (answered with 400 and this message)."""


class ActorNotFound(LookupError):
    """No actor with that id."""


class ProjectNotFound(LookupError):
    """No project with that id."""


@dataclass(frozen=True)
class NetworkOptions:
    """What a network view draws. The defaults draw every actor, coloured by kind."""

    color: str = "kind"
    size: str = "betweenness"
    start: int | None = None
    end: int | None = None
    kinds: tuple[str, ...] = ()
    min_weight: int = 1
    suggest: bool = False
    view: str = "auto"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple:
        return (self.color, self.size, self.start, self.end, self.kinds, self.min_weight,
                self.suggest, self.view)

    @property
    def filtered(self) -> bool:
        return bool(self.start is not None or self.end is not None or self.kinds
                    or self.min_weight > 1)


def _one(args: Mapping, name: str) -> str | None:
    value = args.get(name)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    if value is None or str(value).strip() == "":
        return None
    return str(value).strip()


def _many(args: Mapping, name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if getlist else args.get(name, [])
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in str(value).split(",") if v.strip())
    return out


def _int(args: Mapping, name: str, low: int, high: int) -> int | None:
    raw = _one(args, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise InvalidParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def _choice(args: Mapping, name: str, choices: tuple[str, ...], default: str) -> str:
    raw = _one(args, name)
    if raw is None:
        return default
    if raw not in choices:
        raise InvalidParameter(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def parse_network_options(args: Mapping) -> NetworkOptions:
    """Validate the GET parameters of a network view.

    ``color`` (kind|cluster|community), ``size`` (betweenness|degree|pagerank|eigenvector),
    ``start``/``end`` (years, end not before start), ``kind`` (actor kinds, repeated or
    comma-separated), ``min_weight`` (shared projects, >= 1), ``suggest`` (1 to overlay
    suggested ties), ``view`` (auto|full|top|aggregate).

    >>> parse_network_options({"start": "2012", "end": "2014", "kind": "sme,university"}).key
    ('kind', 'betweenness', 2012, 2014, ('sme', 'university'), 1, False, 'auto')
    >>> parse_network_options({"start": "2014", "end": "2012"})
    Traceback (most recent call last):
    ...
    service.explore.InvalidParameter: the year range ends (2012) before it starts (2014)
    """
    start = _int(args, "start", *YEAR_RANGE)
    end = _int(args, "end", *YEAR_RANGE)
    if start is not None and end is not None and end < start:
        raise InvalidParameter(f"the year range ends ({end}) before it starts ({start})")
    kinds = _many(args, "kind")
    unknown = [k for k in kinds if k not in ACTOR_KINDS]
    if unknown:
        raise InvalidParameter(f"unknown actor kind {unknown[0]!r}; kinds are "
                               + ", ".join(ACTOR_KINDS))
    min_weight = _int(args, "min_weight", 1, 10_000) or 1
    suggest = (_one(args, "suggest") or "0").lower()
    if suggest not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise InvalidParameter(f"suggest must be 1 or 0, got {suggest!r}")
    return NetworkOptions(
        color=_choice(args, "color", COLOR_MODES, "kind"),
        size=_choice(args, "size", SIZE_METRICS, "betweenness"),
        start=start, end=end,
        kinds=tuple(sorted(set(kinds), key=ACTOR_KINDS.index)),
        min_weight=min_weight,
        suggest=suggest in ("1", "true", "yes", "on"),
        view=_choice(args, "view", VIEW_MODES, "auto"),
    )


# ----------------------------------------------------------------------------------------
# Network views
# ----------------------------------------------------------------------------------------
def _group_records(store: GraphStore, ref: GroupRef) -> tuple[list[dict], list[dict]]:
    if ref.kind == "cluster":
        actors = store.group_actors(cluster_id=ref.id)
    else:
        actors = store.group_actors(country_id=ref.id)
    participations = store.participations_of({a["id"] for a in actors})
    return actors, participations


def _filtered_graph(actors: list[dict], participations: list[dict],
                    options: NetworkOptions) -> nx.Graph:
    if options.kinds:
        actors = [a for a in actors if (a.get("kind") or "other") in options.kinds]
    ids = {a["id"] for a in actors}
    pairs = []
    projects = set()
    for p in participations:
        if p["actor_id"] not in ids:
            continue
        year = p.get("start_year")
        if options.start is not None and (year is None or year < options.start):
            continue
        if options.end is not None and (year is None or year > options.end):
            continue
        pairs.append((p["actor_id"], p["project_id"]))
        projects.add(p["project_id"])
    graph = co_participation_graph(actors, pairs, keep_projects=False)
    if options.min_weight > 1:
        graph.remove_edges_from([(u, v) for u, v, w in graph.edges(data="weight")
                                 if w < options.min_weight])
    graph.graph["group_projects"] = len(projects)
    return graph


def _centralities(graph: nx.Graph, seed: int = 0) -> tuple[dict, dict]:
    between = betweenness_info(graph, k="auto", seed=seed)
    columns = {
        "degree": degree(graph),
        "strength": strength(graph, "weight"),
        "betweenness": between.values,
        "pagerank": pagerank(graph) if graph.number_of_nodes() else {},
        "eigenvector": eigenvector(graph) if graph.number_of_edges() else {
            v: 0.0 for v in graph},
    }
    meta = {"approximate": between.approximate, "k": between.k}
    return columns, meta


def _actor_rows(graph: nx.Graph, columns: dict, community: dict) -> list[dict]:
    ranks = rank_and_percentile(columns["betweenness"]) if graph.number_of_nodes() else {}
    rows = []
    for node in graph:
        data = graph.nodes[node]
        row = {"id": node, "name": data.get("name"), "kind": data.get("kind") or "other",
               "clusters": list(data.get("clusters") or []),
               "synthetic": bool(data.get("synthetic")), "community": community.get(node)}
        for name, values in columns.items():
            value = values.get(node, 0)
            row[name] = 0.0 if value is None or value != value else value
        row["betweenness_rank"] = ranks.get(node, {}).get("rank", 1)
        rows.append(row)
    return rows


def _reduce(graph: nx.Graph, columns: dict, options: NetworkOptions) -> tuple[nx.Graph, str]:
    """Pick the drawn view: everything, or the top actors by betweenness."""
    view = options.view
    n = graph.number_of_nodes()
    if view == "auto":
        view = "top" if n > MAX_NODES else "full"
    if view == "top" and n > TOP_ACTORS:
        keep = sorted(graph, key=lambda v: (-columns["betweenness"].get(v, 0.0), str(v)))
        graph = graph.subgraph(keep[:TOP_ACTORS]).copy()
    return graph, view


def group_network(store: GraphStore, ref: GroupRef, options: NetworkOptions, *,
                  records: tuple[list[dict], list[dict]] | None = None,
                  suggestions: list[dict] | None = None, seed: int = 0) -> dict:
    """The graph, per-actor rows and headline figures of a (filtered) group network.

    Returns ``graph`` (what is drawn), ``rows`` (one per drawn actor: kind, clusters,
    community, degree, strength, betweenness, pagerank, eigenvector), ``figures`` (nodes,
    edges, density, isolated, projects, synthetic_actors of the filtered group), ``view``
    (full, top or aggregate), ``total_nodes`` (before reduction), ``years`` (range of the
    group's project years) and ``suggested`` (suggested ties between drawn actors).
    """
    actors, participations = records or _group_records(store, ref)
    graph = _filtered_graph(actors, participations, options)
    columns, meta = _centralities(graph, seed=seed)
    community = louvain(graph, seed=seed) if graph.number_of_edges() else {
        v: i for i, v in enumerate(graph)}
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    figures = {
        "nodes": n, "edges": m, "density": (2 * m / (n * (n - 1))) if n > 1 else 0.0,
        "isolated": sum(1 for _, d in graph.degree() if d == 0),
        "projects": graph.graph.get("group_projects", 0),
        "synthetic_actors": sum(1 for _, d in graph.nodes(data=True) if d.get("synthetic")),
        "betweenness_approximate": meta["approximate"], "betweenness_k": meta["k"],
    }
    drawn, view = _reduce(graph, columns, options)
    rows = _actor_rows(drawn, columns, community)
    years = sorted({p["start_year"] for p in participations if p.get("start_year")})
    suggested = []
    if options.suggest and suggestions:
        suggested = [s for s in suggestions if s["u"] in drawn and s["v"] in drawn]
    return {"graph": drawn, "rows": rows, "figures": figures, "view": view,
            "total_nodes": n, "years": (years[0], years[-1]) if years else None,
            "suggested": suggested}


def ecosystem_centrality(graph: nx.Graph, *, seed: int = 0) -> dict:
    """Ecosystem-wide degree, strength, betweenness, PageRank and eigenvector of every
    actor, with ranks and percentiles (``{metric: {node: value}}``, ``ranks``)."""
    columns, meta = _centralities(graph, seed=seed)
    ranks = {name: rank_and_percentile(values) for name, values in columns.items()}
    return {"columns": columns, "ranks": ranks, "meta": meta, "n": graph.number_of_nodes()}


# ----------------------------------------------------------------------------------------
# Cluster tabs
# ----------------------------------------------------------------------------------------
def cluster_evolution(store: GraphStore, cluster_id: str) -> dict:
    """Per-year figures of a cluster: cumulative density and ties, ties gained, members
    joined (``MEMBER_OF.since``), members' first project, outputs reported per indicator."""
    describe_group(store, GroupRef("cluster", cluster_id))
    actors = store.group_actors(cluster_id=cluster_id)
    participations = store.participations_of({a["id"] for a in actors})
    parts = [(p["actor_id"], p["project_id"], p["start_year"]) for p in participations
             if p.get("start_year") is not None]
    rows = {r["year"]: r for r in evolution(actors, parts)} if parts else {}
    joined = Counter(a["since"] for a in actors if a.get("since") is not None)
    outputs: dict[int, Counter] = defaultdict(Counter)
    indicators: set[str] = set()
    for o in store.cluster_outputs(cluster_id):
        if o.get("year") is not None:
            outputs[int(o["year"])][o["indicator"]] += o.get("value") or 0
            indicators.add(o["indicator"])
    years = sorted(set(rows) | set(joined) | set(outputs))
    table = []
    for year in range(years[0], years[-1] + 1) if years else []:
        r = rows.get(year, {})
        table.append({
            "year": year,
            "density": r.get("density"),
            "ties": r.get("n_edges"),
            "ties_gained": r.get("ties_gained"),
            "active_members": r.get("n_nodes"),
            "members_joined": joined.get(year, 0),
            "first_project": r.get("newcomers"),
            "outputs": {k: outputs[year].get(k, 0) for k in sorted(indicators)},
            "outputs_total": sum(outputs[year].values()),
        })
    return {"years": table, "indicators": sorted(indicators),
            "synthetic": any(a.get("synthetic") for a in actors)}


def _named(graph: nx.Graph, node) -> dict:
    data = graph.nodes[node]
    return {"id": node, "name": data.get("name") or node, "kind": data.get("kind") or "other"}


def cluster_communities(store: GraphStore, cluster_id: str, *, ecosystem: nx.Graph,
                        group: nx.Graph, seed: int = 0, top: int = 10) -> dict:
    """Communities, brokers, cut points, bridges and isolated members of a cluster.

    ``agreement``: NMI/ARI of the ecosystem's Louvain communities against the declared
    clusters (actors in exactly one cluster); ``ecosystem_split``: the cluster's members
    per ecosystem community; ``communities``: Louvain inside the cluster; ``brokers``: the
    members with the highest betweenness, with Burt's constraint and effective size.
    """
    describe_group(store, GroupRef("cluster", cluster_id))
    eco_comm = louvain(ecosystem, seed=seed) if ecosystem.number_of_edges() else {}
    declared = declared_membership(ecosystem)
    agreement = partition_agreement(eco_comm, declared)
    members = set(group)
    split = Counter(eco_comm[v] for v in members if v in eco_comm)
    by_comm: dict[int, Counter] = defaultdict(Counter)
    for v, c in eco_comm.items():
        if c in split:
            by_comm[c][declared.get(v, "(several or none)")] += 1
    ecosystem_split = [
        {"community": c, "members": k, "size": sum(by_comm[c].values()),
         "declared": by_comm[c].most_common(3)}
        for c, k in sorted(split.items(), key=lambda kv: (-kv[1], kv[0]))]

    inner = louvain(group, seed=seed) if group.number_of_edges() else {
        v: i for i, v in enumerate(group)}
    groups: dict[int, list] = defaultdict(list)
    for v, c in inner.items():
        groups[c].append(v)
    between = betweenness_info(group, k="auto", seed=seed).values
    deg = dict(group.degree())
    communities = []
    for c, nodes in sorted(groups.items()):
        nodes.sort(key=lambda v: (-between.get(v, 0.0), str(v)))
        kinds = Counter(group.nodes[v].get("kind") or "other" for v in nodes)
        communities.append({"community": c, "size": len(nodes),
                            "kinds": kinds.most_common(),
                            "leaders": [_named(group, v) for v in nodes[:3]]})
    cons = constraint(group)
    eff = effective_size(group)
    brokers = []
    for v in sorted(group, key=lambda v: (-between.get(v, 0.0), str(v)))[:top]:
        row = _named(group, v)
        c, e = cons.get(v), eff.get(v)
        row.update(betweenness=between.get(v, 0.0), degree=deg[v],
                   constraint=None if c is None or c != c else c,
                   effective_size=None if e is None or e != e else e)
        brokers.append(row)
    cut = [_named(group, v) for v in articulation_points(group)]
    for row in cut:
        row["degree"] = deg[row["id"]]
    bridge_rows = []
    for u, v in bridges(group):
        a, b = sorted((u, v), key=str)
        bridge_rows.append({"u": _named(group, a), "v": _named(group, b),
                            "weight": group[a][b].get("weight", 1)})
    isolated = [_named(group, v) for v in sorted(group, key=str) if deg[v] == 0]
    return {"agreement": agreement, "ecosystem_communities": len(set(eco_comm.values())),
            "ecosystem_split": ecosystem_split, "communities": communities,
            "brokers": brokers, "articulation_points": cut, "bridges": bridge_rows,
            "isolated": isolated, "members": len(members)}


def cluster_links(store: GraphStore, cluster_id: str, *, ecosystem: nx.Graph,
                  per_actor: int = 50, top: int | None = 50) -> list[dict]:
    """Suggested new ties between two members of a cluster, best first, with reasons.

    Runs :func:`~service.analytics.missing_links.recommend` over the whole ecosystem for
    every member and keeps the candidates that are members too; a pair found from both
    sides keeps its higher score. Each item: ``u``, ``v`` (id, name, kind), ``score``,
    ``distance``, ``shared_partners``, ``n_shared_partners``, ``complementary``,
    ``density_before``/``density_after`` of the cluster.
    """
    describe_group(store, GroupRef("cluster", cluster_id))
    members = {a["id"] for a in store.group_actors(cluster_id=cluster_id)}
    best: dict[tuple, dict] = {}
    for actor in sorted(members):
        if actor not in ecosystem:
            continue
        for r in recommend(ecosystem, actor, top=per_actor):
            if r["id"] not in members:
                continue
            pair = tuple(sorted((actor, r["id"])))
            if pair in best and best[pair]["score"] >= r["score"]:
                continue
            effect = next((e for e in (r.get("cluster_effects") or [])
                           if e.get("cluster") == cluster_id), None)
            best[pair] = {
                "u": _named(ecosystem, pair[0]), "v": _named(ecosystem, pair[1]),
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
    ranked = sorted(best.values(), key=lambda r: (-r["score"], r["u"]["id"], r["v"]["id"]))
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    return ranked if top is None else ranked[:top]


def tie_what_if(group: nx.Graph, u: str, v: str) -> dict:
    """Before/after figures of the group when ``u`` and ``v`` share one new project."""
    for node in (u, v):
        if node not in group:
            raise InvalidParameter(f"actor {node!r} is not a member of this group")
    if u == v:
        raise InvalidParameter("a tie needs two different actors")
    result = what_if(group, [{"op": "add_tie", "u": u, "v": v}], k="auto")
    result["u"] = _named(group, u)
    result["v"] = _named(group, v)
    return result


# ----------------------------------------------------------------------------------------
# Actor, project, compare
# ----------------------------------------------------------------------------------------
def actor_page(store: GraphStore, actor_id: str, *, ecosystem: nx.Graph, centrality: dict,
               hops: int = 1, top: int = 10) -> dict:
    """An actor's record, ego network (``hops`` 1 or 2), ecosystem ranks and percentiles,
    partners (shared projects), projects and recommended partners with reasons."""
    if hops not in (1, 2):
        raise InvalidParameter(f"hops must be 1 or 2, got {hops}")
    actor = store.actor_detail(actor_id)
    if actor is None or actor_id not in ecosystem:
        raise ActorNotFound(f"no actor with id {actor_id!r}")
    ego = nx.ego_graph(ecosystem, actor_id, radius=hops)
    reduced = False
    if ego.number_of_nodes() > MAX_NODES:
        ego = nx.ego_graph(ecosystem, actor_id, radius=1)
        reduced = True
    ranks = {name: {"value": centrality["columns"][name].get(actor_id),
                    **centrality["ranks"][name].get(actor_id, {})}
             for name in ("degree", "strength", "betweenness", "pagerank", "eigenvector")}
    partners = []
    for other, data in ecosystem[actor_id].items():
        row = _named(ecosystem, other)
        row.update(shared=int(data.get("weight", 1)),
                   clusters=list(ecosystem.nodes[other].get("clusters") or []))
        partners.append(row)
    partners.sort(key=lambda r: (-r["shared"], str(r["name"])))
    recommendations = recommend(ecosystem, actor_id, top=top)
    return {"actor": actor, "ego": ego, "hops": hops, "ego_reduced": reduced,
            "ranks": ranks, "n_actors": centrality["n"], "partners": partners,
            "projects": store.actor_projects(actor_id),
            "recommendations": recommendations}


def project_page(store: GraphStore, project_id: str) -> dict:
    """A project's record, consortium (kinds, countries), clusters bridged and funding."""
    project = store.project_detail(project_id)
    if project is None:
        raise ProjectNotFound(f"no project with id {project_id!r}")
    kinds = Counter(p.get("kind") or "other" for p in project["participants"])
    clusters: dict[str, dict] = {}
    for p in project["participants"]:
        for c in p.get("clusters") or []:
            entry = clusters.setdefault(c["id"], {"id": c["id"], "name": c["name"],
                                                  "participants": 0})
            entry["participants"] += 1
    countries = Counter(p.get("country") for p in project["participants"] if p.get("country"))
    total: dict[str, float] = defaultdict(float)
    for f in project["fundings"]:
        if f.get("amount") is not None:
            total[f.get("currency") or ""] += float(f["amount"])
    return {"project": project, "kinds": kinds.most_common(),
            "clusters": sorted(clusters.values(), key=lambda c: str(c["name"])),
            "bridges_clusters": len(clusters) >= 2, "countries": countries.most_common(),
            "funding_total": dict(total)}


COMPARE_FIGURES = ("nodes", "edges", "density", "average_degree", "components",
                   "largest_component_share", "isolates", "average_clustering",
                   "transitivity", "average_path_length", "modularity", "communities",
                   "ei_index")
NULL_FIGURES = ("average_clustering", "transitivity", "average_path_length", "n_components")


def parse_cluster_ids(raw: str | None, known: Iterable[str]) -> list[str]:
    """The comma-separated cluster ids of ``/compare?clusters=a,b`` (two to six, known).

    >>> parse_cluster_ids("a, b", ["a", "b", "c"])
    ['a', 'b']
    """
    ids = [c.strip() for c in (raw or "").split(",") if c.strip()]
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise InvalidParameter("name at least two clusters: ?clusters=a,b")
    if len(ids) > 6:
        raise InvalidParameter("compare at most six clusters at once")
    known = set(known)
    for c in ids:
        if c not in known:
            raise GroupNotFound(f"no cluster with id {c!r}")
    return ids


def compare_clusters(metrics: Mapping[str, dict], names: Mapping[str, str]) -> dict:
    """Side-by-side figures of clusters from their ``metrics_for`` results.

    Size-normalised figures (density, average degree, shares) and the null-model z-scores
    (observed against degree-preserving rewirings) make clusters of different sizes
    comparable; raw counts are shown for context.
    """
    columns = []
    for cid, result in metrics.items():
        cohesion = result["cohesion"]
        null = cohesion.get("null_model") or {}
        columns.append({
            "id": cid, "name": names.get(cid, cid),
            "figures": {k: cohesion.get(k) for k in COMPARE_FIGURES},
            "z": {k: (null.get(k) or {}).get("z") for k in NULL_FIGURES},
            "null": {k: null.get(k) for k in NULL_FIGURES},
            "runs": (cohesion.get("null_model_meta") or {}).get("runs"),
            "synthetic": any(a.get("synthetic") for a in result["actors"]),
        })
    return {"clusters": columns, "figures": COMPARE_FIGURES, "null_figures": NULL_FIGURES}
