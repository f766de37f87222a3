"""Measure the missing-link recommender on the data in the graph (back-testing).

Two protocols:

- ``temporal`` (default where project years are known): every tie gets the first year its
  two actors shared a project; the last year's new ties are hidden and predicted from the
  earlier years (:func:`service.analytics.missing_links.evaluate_link_prediction`).
- ``random`` (for data without years, e.g. the CORDIS sample whose organisation file has no
  project dates): a seeded 10 % of the *projects* are hidden, and the ties that only those
  projects create are predicted from the others. (Hiding single ties instead would be
  trivially easy: the rest of the consortium still ties the pair's two ends together.)

Both report precision@k and AUC of every score, of the combined ranking, of preferential
attachment and of a random ranking.

The **animator's protocol** (:func:`animator_backtest`, the main table of
``synergraph evaluate-links``) measures what an animator reads: for each organisation, its
ten best suggestions, and how many became partners in the following years
(:mod:`service.analytics.link_protocol`). :func:`track_record` turns it into one sentence
per graph version; :func:`link_model` fits the learnt recommender that
:func:`service.analytics.missing_links.recommend` uses (:func:`attach_model`), on the
compact per-version :class:`LinkData`. In the service all three are jobs of the job runner
(worker processes) on large graphs; the service only reads their results.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from graph_schema.store import GraphStore
from service.analytics import link_protocol as lp
from service.analytics.link_backtest import evaluate_link_prediction

__all__ = ["ties_with_years", "evaluate_store", "store_dated_data", "animator_backtest",
           "track_record", "track_record_now", "track_record_sentence", "LinkData",
           "Recommender", "link_data", "link_model", "build_link_data", "fit_link_model",
           "compute_track_record", "fitted_model", "attach_model"]


def ties_with_years(participations: list[dict]) -> list[tuple[str, str, int | None]]:
    """Every co-participation tie with the first year its pair shared a project."""
    teams: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for p in participations:
        teams[p["project_id"]].append((p["actor_id"], p.get("start_year")))
    first: dict[tuple[str, str], int | None] = {}
    for team in teams.values():
        members = sorted(set(team))
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                a, b = members[i][0], members[j][0]
                if a == b:
                    continue
                pair = (a, b) if a < b else (b, a)
                year = members[i][1]
                known = first.get(pair)
                if pair not in first or (year is not None and (known is None or year < known)):
                    first[pair] = year
    return [(a, b, y) for (a, b), y in sorted(first.items())]


def evaluate_store(store: GraphStore, *, protocol: str = "auto", k: int = 50,
                   holdout: float = 0.1, seed: int = 0) -> dict:
    """Back-test the recommender on the whole graph; see the module docstring."""
    participations = store.all_participations()
    ties = ties_with_years(participations)
    dated = [t for t in ties if t[2] is not None]
    if protocol == "auto":
        protocol = "temporal" if len(dated) >= 0.9 * len(ties) and len(
            {t[2] for t in dated}) >= 2 else "random"
    if protocol == "temporal":
        result = evaluate_link_prediction(dated, k=k, seed=seed)
        result["protocol"] = "temporal: the last year's new ties hidden"
    elif protocol == "random":
        projects = sorted({p["project_id"] for p in participations})
        rng = random.Random(seed)
        hidden = set(rng.sample(projects, max(1, int(holdout * len(projects)))))
        labelled = ties_with_years(
            [{**p, "start_year": 1 if p["project_id"] in hidden else 0}
             for p in participations])
        result = evaluate_link_prediction(labelled, test_year=1, k=k, seed=seed)
        result["protocol"] = (f"random: {holdout:.0%} of the projects hidden (seed {seed}), "
                              "their new ties predicted")
    else:
        raise ValueError("protocol must be 'auto', 'temporal' or 'random'")
    result["ties"] = len(ties)
    return result


# -- the animator's protocol, the track record and the fitted recommender ----------------
def store_dated_data(store: GraphStore) -> lp.DatedData:
    """Organisations × projects with start years and programme parts, from the store."""
    projects = {r["project_id"]: r for r in store.project_programme_parts()}
    return lp.dated_data(store.all_actors(), store.all_participations(), projects)


def animator_backtest(data: lp.DatedData, *, train_until: int | None = None,
                      test_years: int | None = None, k: int = 10, seed: int = 0) -> dict:
    """The per-organisation table; see
    :func:`service.analytics.link_protocol.evaluate_protocol`."""
    return lp.evaluate_protocol(data, train_until=train_until, test_years=test_years, k=k,
                                seed=seed)


def _no_record(reason: str) -> dict:
    return {"available": False, "reason": reason, "k": 10, "years": None,
            "recommender": None, "common_neighbors": None, "sentence": None}


def track_record_of(data: lp.DatedData, *, test_years: int = 2, k: int = 10,
                    seed: int = 0) -> dict:
    """How many of ``k`` suggestions became partners within ``test_years`` years in the
    data's own back-test (train on everything up to the latest year minus ``test_years``),
    next to common partners alone. ``available`` is False, with a ``reason``, for data
    without enough dated projects."""
    years = data.years
    if data.year.size == 0 or data.dated_share() < 0.9:
        return _no_record("the projects have no start dates, so no track record can be "
                          "computed")
    if len(years) < test_years + 1:
        return _no_record(f"the projects span {len(years)} year(s); a track record needs "
                          f"at least {test_years + 1}")
    result = lp.evaluate_protocol(data, test_years=test_years, k=k, seed=seed,
                                  baselines=("common_neighbors",))
    return record_from_protocol(result)


def record_from_protocol(result: dict) -> dict:
    """The track record read off a protocol result (:func:`animator_backtest` or
    :func:`~service.analytics.link_protocol.evaluate_protocol`): suggestions out of ``k``
    that came true, for the recommender and for common partners alone."""
    if not result["n_evaluated"]:
        return _no_record("no organisation gained a partner in the test years")
    k = result["k"]
    first, last = result["test_years"]
    out = {"available": True, "reason": None, "k": k, "years": last - first + 1,
           "train_until": result["train_until"], "test_years": result["test_years"],
           "n_evaluated": result["n_evaluated"],
           "recommender": result["methods"]["recommender"]["precision_at_k"] * k,
           "common_neighbors": result["methods"]["common_neighbors"]["precision_at_k"] * k}
    out["sentence"] = track_record_sentence(out)
    return out


def track_record_sentence(record: dict) -> str:
    """The track record in words.

    >>> track_record_sentence({"available": True, "k": 10, "years": 2,
    ...                        "recommender": 3.14, "common_neighbors": 2.4})
    '3.1 of 10 suggestions became partners within 2 years; common partners alone: 2.4'
    >>> track_record_sentence({"available": False, "reason": "no dates"})
    'No track record: no dates'
    """
    if not record.get("available"):
        return f"No track record: {record.get('reason')}"
    return (f"{record['recommender']:.1f} of {record['k']} suggestions became partners "
            f"within {record['years']} years; common partners alone: "
            f"{record['common_neighbors']:.1f}")


# -- what one graph version's recommendations are computed from --------------------------
#
# Three results per graph version, each cached under ``(graph stamp, name, ())`` (memory,
# then the disk cache): ``link-data`` (:class:`LinkData`), ``link-model``
# (:func:`fit_link_model`) and ``track-record`` (:func:`compute_track_record`). In the
# service they are computed by jobs of the job runner (worker processes) on graphs above
# the inline size, queued by the warming after a load (:mod:`service.warming`) or when a
# request first needs them (:meth:`~service.usecases.Context.prepared`); the service only
# reads them. On small graphs, in the CLI and inside a worker process they are computed
# where they are needed.


class LinkData:
    """The dated organisation × project incidence (:class:`~.link_protocol.DatedData`), the
    feature context of every project (``FeatureContext(data, None)``: the projection, its
    products, recency, programme parts) and the organisations' attributes (name, kind,
    clusters, country...): everything one organisation's candidates, features and
    explanations are computed from, in milliseconds, without the ecosystem's networkx
    graph.

    It pickles (the disk cache keeps it; no driver, no lock inside; the attributes by
    column, so that it loads in a fraction of a second at H2020 size) and gives
    :meth:`graph`, a graph of the organisations whose ties live in pre-built matrix views
    only, which :func:`~service.analytics.missing_links.recommend` reads exactly like the
    ecosystem's graph.
    """

    def __init__(self, data: lp.DatedData, actors: list[dict]):
        import scipy.sparse as sp

        self.data = data
        self.context = lp.FeatureContext(data, None)
        for matrix in (self.context.A, self.context.W):
            matrix.sort_indices()
        upper = sp.triu(self.context.W, k=1).tocoo()
        order = np.lexsort((upper.col, upper.row))
        self.edges = np.stack([upper.row[order], upper.col[order]], axis=1).astype(np.int32)
        self.weights = upper.data[order].astype(float)
        by_id = {a["id"]: a for a in actors}
        self.columns = _columns([by_id[a] for a in data.actor_ids])
        self._graph = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = {k: v for k, v in vars(self).items() if k not in ("_graph", "_lock")}
        state["context"] = {k: v for k, v in vars(self.context).items()
                            if not isinstance(v, type(threading.local()))}
        return state

    def __setstate__(self, state: dict) -> None:
        context = lp.FeatureContext.__new__(lp.FeatureContext)
        context.__dict__.update(state.pop("context"))
        context._local = threading.local()  # the per-thread product cache
        self.__dict__.update(state)
        self.context = context
        self._graph = None
        self._lock = threading.Lock()

    def attributes(self) -> list[dict]:
        """The organisations' rows (``id`` and attributes), in the data's order."""
        return _rows(self.columns)

    def graph(self):
        """The organisations as a networkx graph **without edge objects**: its ties are in
        the seeded matrix views (:func:`~service.analytics._graph.csr_view`, weighted and
        not: the feature context's projection), so that
        :func:`~service.analytics.missing_links.recommend` runs on it as on the
        ecosystem's graph without building 0.9 M edge dictionaries. Only for
        ``recommend``: any other analysis needs the real graph. Built once."""
        with self._lock:
            if self._graph is None:
                self._graph = self._view_only_graph()
            return self._graph

    def _view_only_graph(self):
        import networkx as nx

        from service.analytics._graph import _cached, bump_version, seed_views

        graph = nx.Graph()
        ids = self.data.actor_ids
        rows = _rows(self.columns)
        for row in rows:
            del row["id"]
        graph._node.update(zip(ids, rows, strict=True))  # (add_nodes_from copies each row)
        graph._adj.update((v, {}) for v in ids)
        bump_version(graph)
        seed_views(graph, ids, self.edges, {None: np.ones(self.weights.size),
                                            "weight": self.weights})
        _cached(graph, "csr", None, lambda: self.context.A)
        _cached(graph, "csr", "weight", lambda: self.context.W)
        graph.graph["views_only"] = True
        return graph


def _columns(rows: list[dict]) -> dict:
    """Rows as columns: ``id`` and ``name`` as lists, every other key as integer codes
    into its distinct values (lists kept as tuples), so that they unpickle fast.

    >>> c = _columns([{"id": "a", "kind": "sme", "clusters": ["x"]}, {"id": "b", "kind": "sme"}])
    >>> _rows(c)
    [{'id': 'a', 'kind': 'sme', 'clusters': ['x']}, {'id': 'b', 'kind': 'sme'}]
    """
    keys: dict = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    out: dict = {"n": len(rows), "plain": {}, "coded": {}}
    for key in keys:
        if key in ("id", "name") and all(key in row for row in rows):
            out["plain"][key] = [row[key] for row in rows]
            continue
        table: dict = {}
        codes = np.empty(len(rows), dtype=np.int32)
        for i, row in enumerate(rows):
            if key not in row:
                value = ("missing", None)
            elif isinstance(row[key], list):
                value = ("list", tuple(row[key]))
            else:
                value = ("value", row[key])
            codes[i] = table.setdefault(value, len(table))
        out["coded"][key] = (codes, list(table))
    return out


_HOLE = object()


def _rows(columns: dict) -> list[dict]:
    """The rows of :func:`_columns` (list values are shared between rows: read only)."""
    keys, cols, holes = [], [], []
    for key, column in columns["plain"].items():
        keys.append(key)
        cols.append(column)
    for key, (codes, values) in columns["coded"].items():
        decoded = [list(v) if kind == "list" else v if kind == "value" else _HOLE
                   for kind, v in values]
        keys.append(key)
        cols.append([decoded[c] for c in codes.tolist()])
        if any(kind == "missing" for kind, _ in values):
            holes.append(key)
    if not cols:
        return [{} for _ in range(columns["n"])]
    rows = [dict(zip(keys, values, strict=True)) for values in zip(*cols, strict=True)]
    for key in holes:
        for row in rows:
            if row[key] is _HOLE:
                del row[key]
    return rows


def build_link_data(actors: list[dict], participations: list[dict],
                    projects: list[dict]) -> LinkData:
    """:class:`LinkData` from the store's rows (``all_actors``, ``all_participations``,
    ``project_programme_parts``)."""
    parts = {r["project_id"]: r for r in projects}
    return LinkData(lp.dated_data(actors, participations, parts), actors)



def fit_link_model(index: LinkData, *, seed: int = 0) -> dict:
    """The recommender of one graph version: ``{"model": LinkModel or None, "reason":
    None or why there is none}``, fitted on the latest dated year
    (:func:`~service.analytics.link_protocol.fit_model`). A failed fit is a reason, not an
    error: the fallback ranking then serves this graph version for good."""
    data = index.data
    if data.year.size == 0 or data.dated_share() < 0.9 or len(data.years) < 2:
        return {"model": None, "reason": "the projects are not dated over two years or more, "
                                         "so no model can be learnt"}
    try:
        model = lp.fit_model(data, data.years[-1], seed=seed)
    except Exception as exc:  # noqa: BLE001 - the fallback keeps working
        return {"model": None, "reason": f"the fit failed ({type(exc).__name__}: {exc})"}
    if model is None:
        return {"model": None, "reason": "no organisation gained a partner in the latest "
                                         "year, so no model can be learnt"}
    return {"model": model, "reason": None}


def compute_track_record(index: LinkData) -> dict:
    """:func:`track_record_of` the data; a failed back-test is a reason, not an error."""
    try:
        return track_record_of(index.data)
    except Exception as exc:  # noqa: BLE001 - reported as "no track record", not a crash
        return _no_record(f"the back-test failed ({type(exc).__name__})")


#: The track record while its job runs.
PENDING_RECORD = {"available": None, "pending": True, "reason": "being computed", "k": 10,
                  "years": None, "recommender": None, "common_neighbors": None,
                  "sentence": None}


def read_link_data(ctx) -> LinkData:
    """:class:`LinkData` of the store's current rows (not cached: see :func:`link_data`)."""
    actors, participations = ctx.records(None)
    parts = getattr(ctx.store, "project_programme_parts", None)  # (stand-in stores: none)
    return build_link_data(actors, participations, parts() if parts is not None else [])


def link_data(ctx) -> LinkData:
    """The graph version's :class:`LinkData` (computed now when not cached)."""
    return ctx.cached("link-data", (), lambda: read_link_data(ctx))


def link_model(ctx) -> dict:
    """The graph version's fitted recommender (:func:`fit_link_model`), computed now when
    not cached."""
    return ctx.cached("link-model", (), lambda: fit_link_model(link_data(ctx)))


def track_record(ctx) -> dict:
    """The graph version's track record, computed now when not cached."""
    return ctx.cached("track-record", (), lambda: compute_track_record(link_data(ctx)))


def track_record_now(ctx) -> dict:
    """The track record when it is known, else :data:`PENDING_RECORD` (its job queued);
    computed now on small graphs and outside the service (:meth:`Context.prepared`)."""
    ready, record = ctx.prepared("track-record",
                                 lambda: compute_track_record(link_data(ctx)))
    return record if ready else dict(PENDING_RECORD)


class Recommender:
    """The learnt recommender as :func:`~service.analytics.missing_links.recommend` reads
    it from ``graph.graph["link_model"]``: :meth:`get` is ``(feature context, model,
    data)`` once the graph version's model is fitted, else ``None`` (``recommend`` then
    ranks with its deterministic fallback). No thread: ``load()`` gives ``(known, fitted,
    index)`` — known False while a job fits the model — and is asked again until the
    model is known."""

    def __init__(self, load: Callable[[], tuple]):
        self._load = load
        self._value = None
        self.known = False
        self.reason: str | None = None
        self.choice: str | None = None
        self._lock = threading.Lock()
        self.scores: dict = {}  # actor id -> candidate scores (filled by recommend)

    def refresh(self) -> bool:
        """Learn the model if it is known by now; True once it is (fitted, or known to be
        unavailable, with :attr:`reason`)."""
        if not self.known:
            with self._lock:
                if not self.known:
                    known, fitted, index = self._load()
                    if known:
                        model = fitted["model"]
                        self.reason = fitted["reason"]
                        if model is not None:
                            self._value = (index.context, model, index.data)
                            self.choice = getattr(model, "choice", "model")
                        self.known = True
        return self.known

    def get(self):
        self.refresh()
        return self._value

    @property
    def error(self) -> str | None:
        return self.reason


def attach_model(graph, ctx) -> Recommender:
    """Give ``graph`` (the ecosystem's graph of ``ctx``'s graph version, or
    :meth:`LinkData.graph`) the recommender :func:`recommend` uses; returns the handle.
    The model is read when first needed (:meth:`Context.prepared`: computed now outside
    the service and on small graphs, else from its job's result once it is done)."""
    def load():
        known, fitted = ctx.prepared("link-model", lambda: fit_link_model(link_data(ctx)))
        return known, fitted, (link_data(ctx) if known and fitted["model"] is not None
                               else None)

    handle = Recommender(load)
    graph.graph["link_model"] = handle
    return handle


def fitted_model(store: GraphStore, *, wait: bool = True, seed: int = 0) -> Recommender:
    """The recommender of the loaded data, fitted now in this process (benchmarks,
    scripts); ``wait`` is kept for compatibility (it always waits)."""
    index = build_link_data(store.all_actors(), store.all_participations(),
                            store.project_programme_parts())
    fitted = fit_link_model(index, seed=seed)
    handle = Recommender(lambda: (True, fitted, index))
    handle.refresh()
    return handle
