"""The context every use case runs in: the store, a results cache, and the group graphs.

A :class:`Context` is shared by the pages and the API of one app (with the app's cache), and
made per command by the CLI (without a cache). Results are cached per (graph version, name,
parameters); a load that changes the graph moves the version, so nothing stale is served.
Cached values are shared: callers must not mutate them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import networkx as nx

from graph_schema._gc import without_cyclic_gc
from graph_schema.store import GraphStore
from service.analytics import co_participation_graph
from service.errors import NotFound

from .params import GroupFilter, GroupRef

__all__ = ["Context", "filter_records", "build_graph", "country_records",
           "neighbourhood_records"]


#: The cache name of the ecosystem's records (:meth:`Context.records` of ``None``): kept on
#: disk (:data:`service.state.SHARED_INPUTS`), unlike a group's.
ECOSYSTEM_RECORDS = "ecosystem-records"


class Context:
    """The store plus a results cache (``cache.get_or_compute(key, compute)``): the app's
    shared one, or by default a private one for one command, so that a question asked
    twice in one command (the ecosystem's graph by the metrics, the communities and the
    null model) is answered once.

    Keys are ``(graph stamp, name, params)`` (:meth:`GraphStore.graph_stamp`);
    ``on_stamp`` (the app's) is told every stamp read, so the app notices a new graph.
    ``defer`` (the app's, :meth:`service.state.AppState.defer`) leaves the per-version
    preparations of :meth:`prepared` to background jobs on large graphs.
    ``workers``: the processes one computation may use at once. 1 (the default, and the
    service's own process, whose threads answer requests and must not fork) computes
    everything in this process; the CLI and the job worker processes (one thread each)
    give it the machine's cores, so that the independent parts of a large group's figures
    run side by side in forked children (:func:`service.usecases.figures._side`).
    """

    def __init__(self, store: GraphStore, cache=None, *, on_stamp=None, defer=None,
                 workers: int = 1):
        from service.state import ResultCache

        self.workers = max(1, int(workers))
        self.store = store
        self.cache = cache if cache is not None else ResultCache(64)
        self.on_stamp = on_stamp
        self.defer = defer

    def stamp(self) -> str:
        """The stamp of the graph's current version."""
        read = getattr(self.store, "graph_stamp", None)  # stand-in stores: the version
        stamp = read() if read is not None else str(self.store.graph_version())
        if self.on_stamp is not None:
            self.on_stamp(stamp)
        return stamp

    def key(self, name: str, params: Hashable) -> tuple:
        return (self.stamp(), name, params)

    def cached(self, name: str, params: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per (graph stamp, ``name``, ``params``)."""
        return self.cache.get_or_compute(self.key(name, params), compute)

    def file(self, name: str, params: Hashable, suffix: str,
             write: Callable[[Path], tuple[str, str]]):
        """A result that is a file (a download), written once per (graph stamp, ``name``,
        ``params``): ``write(path)`` writes it at ``path`` (a ``.suffix`` file in the cache's
        folder, :meth:`service.state.ResultCache.file_path`) and returns ``(media type,
        file name)``. The cache keeps only the :class:`service.state.StoredFile`, so a file
        of hundreds of MB is never held in memory nor pickled; a file removed since
        (pruned folder, cleaned temporary folder) is written again."""
        from service.state import StoredFile

        key = self.key(name, params)

        def compute() -> StoredFile:
            path = self.cache.file_path(key, suffix)
            try:
                media_type, filename = write(path)
            except BaseException:
                path.unlink(missing_ok=True)  # nothing half-written is left behind
                raise
            return StoredFile(str(path), media_type, filename, path.stat().st_size)

        stored = self.cache.get_or_compute(key, compute)
        if not stored.exists():
            self.cache.discard(key)
            stored = self.cache.get_or_compute(key, compute)
        return stored

    def peek(self, name: str, params: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` when the result is known (memory or disk), without computing."""
        return self.cache.peek(self.key(name, params))

    def prepared(self, name: str, compute: Callable[[], Any]) -> tuple[bool, Any]:
        """A per-graph-version result (``params=()``) that may be long to compute (the
        recommender's data and model, its track record): ``(True, value)`` when it is known
        or computed now, ``(False, None)`` while a background job of the app computes it
        (the app's ``defer(name)`` decides: large graphs). Without an app (the CLI, a
        worker process) it is computed now."""
        key = self.key(name, ())
        found, value = self.cache.peek(key)
        if found:
            return True, value
        if self.defer is not None and self.defer(name):
            return False, None
        return True, self.cache.get_or_compute(key, compute)

    def is_cached(self, name: str, params: Hashable) -> bool:
        """Whether the result is known (in memory or on disk), without computing it."""
        return self.key(name, params) in self.cache

    @staticmethod
    def progress(message: str, fraction: float | None = None) -> None:
        """Report a phase of the background job running this computation (no-op outside
        a job): see :func:`service.jobs.report`."""
        from service.jobs import report

        report(message, fraction)

    # -- the group --------------------------------------------------------------------
    def describe(self, ref: GroupRef) -> dict:
        """The group's own record (name, region, niches...); :class:`NotFound` if unknown."""
        return self.cached("describe", (ref.kind, ref.id), lambda: _describe(self.store, ref))

    def records(self, ref: GroupRef | None) -> tuple[list[dict], list[dict]]:
        """The group's actors and their participations (unfiltered), or the ecosystem's."""
        if ref is not None:
            self.describe(ref)
        key = None if ref is None else (ref.kind, ref.id)

        def compute():
            if ref is not None and ref.kind == "country":
                whole = self._whole_records()
                if whole is not None:
                    return country_records(*whole, self.region_countries(), ref.id)
            return _records(self.store, ref)

        if ref is None:  # kept on disk: any worker process reads it in a fraction of a
            # second instead of seconds from Neo4j (H2020 size: 0.3 s against 5 s)
            return self.cached(ECOSYSTEM_RECORDS, None, compute)
        return self.cached("records", key, compute)

    def _whole_records(self):
        """The ecosystem's records if this process holds them or the disk cache has them,
        else None (they are never read from Neo4j just for a smaller question)."""
        found, whole = self.cache.peek(self.key(ECOSYSTEM_RECORDS, None))
        return whole if found else None

    def region_countries(self) -> dict[str, tuple[str, ...]]:
        """Region id -> the ids of the countries it lies in (itself for a country)."""
        return self.cached("region-countries", None, self.store.region_countries)

    def neighbourhood(self, members) -> tuple[list[dict], list[dict]]:
        """The actors and participations of every project of ``members``, partners outside
        them included (:meth:`GraphStore.neighbourhood`); taken from the ecosystem's records
        when this process holds them (the same rows, in the same order)."""
        whole = self._whole_records()
        if whole is None:
            return self.store.neighbourhood(members)
        return neighbourhood_records(*whole, members)

    def graph(self, ref: GroupRef | None, flt: GroupFilter | None = None) -> nx.Graph:
        """The (filtered) co-participation graph of a group, or of the ecosystem."""
        flt = flt or GroupFilter()
        key = (None if ref is None else (ref.kind, ref.id), flt.key())

        def compute():
            actors, participations = self.records(ref)
            graph = build_graph(actors, participations, flt)
            graph.graph["group"] = ref
            if ref is None and not flt.active:
                # the learnt recommender of this graph version (read when first needed;
                # recommend() uses its fallback while a job fits it)
                from service.linkprediction import attach_model

                attach_model(graph, self)
            return graph

        return self.cached("graph", key, compute)


def _describe(store: GraphStore, ref: GroupRef) -> dict:
    if ref.kind == "clusters":
        parts = [_describe(store, GroupRef("cluster", cid)) for cid in ref.cluster_ids]
        return {"id": ref.id, "name": " + ".join(str(p["name"]) for p in parts),
                "clusters": parts, "group_kind": "clusters"}
    found = store.cluster(ref.id) if ref.kind == "cluster" else store.country(ref.id)
    if found is None:
        raise NotFound(ref.kind, ref.id)
    found["group_kind"] = ref.kind
    return found


@without_cyclic_gc  # millions of rows and dicts that all stay alive: see graph_schema/_gc.py
def _records(store: GraphStore, ref: GroupRef | None) -> tuple[list[dict], list[dict]]:
    if ref is None:
        return store.all_actors(), store.all_participations()
    if ref.kind == "country":
        actors = store.group_actors(country_id=ref.id)
    else:
        seen: dict[str, dict] = {}
        for cid in ref.cluster_ids:
            for actor in store.group_actors(cluster_id=cid):
                seen.setdefault(actor["id"], actor)
        actors = [seen[k] for k in sorted(seen)]
    return actors, store.participations_of({a["id"] for a in actors})


def country_records(actors: list[dict], participations: list[dict],
                    region_countries: dict, country_id: str) -> tuple[list[dict], list[dict]]:
    """A country's records taken from the ecosystem's (:meth:`GraphStore.all_actors`,
    :meth:`~GraphStore.all_participations`): the same rows, keys and order as
    :meth:`GraphStore.group_actors` and :meth:`~GraphStore.participations_of` read.

    >>> acts = [{"id": "a", "kind": "sme", "region_id": "DE1", "clusters": []},
    ...         {"id": "b", "kind": None, "region_id": "FR", "clusters": ["c"]}]
    >>> parts = [{"actor_id": "a", "project_id": "p"}, {"actor_id": "b", "project_id": "p"}]
    >>> country_records(acts, parts, {"DE1": ("DE",), "FR": ("FR",)}, "DE")
    ([{'id': 'a', 'kind': 'sme', 'since': None, 'clusters': []}], [{'actor_id': 'a', \
'project_id': 'p'}])
    """
    members = []
    for actor in actors:
        if country_id in region_countries.get(actor.get("region_id"), ()):
            row = {k: v for k, v in actor.items() if k not in ("region_id", "clusters")}
            row["since"] = None
            row["clusters"] = actor["clusters"]
            members.append(row)
    ids = {a["id"] for a in members}
    return members, [p for p in participations if p["actor_id"] in ids]


def neighbourhood_records(actors: list[dict], participations: list[dict],
                          members) -> tuple[list[dict], list[dict]]:
    """:meth:`GraphStore.neighbourhood` taken from the ecosystem's records.

    >>> acts = [{"id": "a", "kind": "sme"}, {"id": "b", "kind": None}, {"id": "c"}]
    >>> parts = [{"actor_id": "a", "project_id": "p"}, {"actor_id": "b", "project_id": "p"},
    ...          {"actor_id": "c", "project_id": "q"}]
    >>> neighbourhood_records(acts, parts, {"a"})
    ([{'id': 'a', 'kind': 'sme'}, {'id': 'b', 'kind': None}], [{'actor_id': 'a', \
'project_id': 'p'}, {'actor_id': 'b', 'project_id': 'p'}])
    """
    members = set(members)
    projects = {p["project_id"] for p in participations if p["actor_id"] in members}
    rows = [p for p in participations if p["project_id"] in projects]
    kinds = {a["id"]: a.get("kind") for a in actors}
    ids = sorted({p["actor_id"] for p in rows})
    return [{"id": i, "kind": kinds.get(i)} for i in ids], rows


def filter_records(actors: list[dict], participations: list[dict],
                   flt: GroupFilter) -> tuple[list[dict], list[dict]]:
    """Apply the actor and project filters to the records a graph is built from.

    >>> acts = [{"id": "a", "kind": "sme"}, {"id": "b", "kind": None}]
    >>> parts = [{"actor_id": "a", "project_id": "p", "start_year": 2012},
    ...          {"actor_id": "b", "project_id": "p", "start_year": 2012}]
    >>> [a["id"] for a in filter_records(acts, parts, GroupFilter(kinds=("other",)))[0]]
    ['b']
    """
    if flt.kinds:
        actors = [a for a in actors if (a.get("kind") or "other") in flt.kinds]
        keep = {a["id"] for a in actors}
        participations = [p for p in participations if p["actor_id"] in keep]
    if flt.years:
        start, end = flt.years
        participations = [p for p in participations if p.get("start_year") is not None
                          and start <= p["start_year"] <= end]
    if flt.programme:
        participations = [p for p in participations
                          if flt.programme in (p.get("programmes") or ())]
    return actors, participations


@without_cyclic_gc  # 938,000 ties at H2020 size: 8.4 s with the collector on, 2.4 s off
def build_graph(actors: list[dict], participations: list[dict],
                flt: GroupFilter) -> nx.Graph:
    """Co-participation graph of ``actors`` (weight = shared projects) under ``flt``.

    Every actor is a node, isolated ones included; two actors are tied when they take part
    in at least one common project (partners outside the group are not drawn). Graph
    attributes: ``group_projects`` (projects the kept participations cover), ``years``
    (first and last project year of the unfiltered records) and ``filter``.
    """
    years = sorted({p["start_year"] for p in participations if p.get("start_year")})
    actors, participations = filter_records(actors, participations, flt)
    pairs = [(p["actor_id"], p["project_id"]) for p in participations]
    graph = co_participation_graph(actors, pairs)
    if flt.min_weight > 1:
        graph.remove_edges_from([(u, v) for u, v, w in graph.edges(data="weight")
                                 if (w or 0) < flt.min_weight])
        graph.graph.pop("version", None)  # changed in place: no cached views
    graph.graph["group_projects"] = len({p for _, p in pairs})
    graph.graph["years"] = (years[0], years[-1]) if years else None
    graph.graph["filter"] = flt.as_dict()
    return graph
