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
per graph version; :func:`attach_model` fits the learnt recommender that
:func:`service.analytics.missing_links.recommend` uses.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict

from graph_schema.store import GraphStore
from service.analytics import link_protocol as lp
from service.analytics.link_backtest import evaluate_link_prediction

__all__ = ["ties_with_years", "evaluate_store", "store_dated_data", "animator_backtest",
           "track_record", "track_record_sentence", "fitted_model", "attach_model"]


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


#: Above this many actors the model fit and the track record run in a background thread.
BACKGROUND_ABOVE = 5000

_CACHE_LOCK = threading.Lock()
_RECORDS: dict = {}
_MODELS: dict = {}


def _store_key(store: GraphStore):
    return (id(store), store.graph_version())


_PENDING: dict = {}


def track_record_now(store: GraphStore, *, small: int = BACKGROUND_ABOVE) -> dict:
    """The track record if it is known, without waiting on a large graph.

    On graphs up to ``small`` actors it is computed at once (:func:`track_record`); above,
    the first call starts it in a background thread and answers
    ``{"available": None, "pending": True, ...}`` until it is done (one computation per
    graph version)."""
    key = _store_key(store)
    with _CACHE_LOCK:
        hit = _RECORDS.get(key)
        running = _PENDING.get(key)
    if hit is not None:
        return hit
    if running is None:
        actors = store.counts().get("nodes", {}).get("Actor", 0)
        if actors <= small:
            return track_record(store)
        with _CACHE_LOCK:
            if key not in _PENDING:
                _PENDING.clear()
                _PENDING[key] = threading.Thread(target=_record_in_background,
                                                 args=(store, key), daemon=True,
                                                 name="synergraph-track-record")
                _PENDING[key].start()
    return {"available": None, "pending": True, "reason": "being computed", "k": 10,
            "years": None, "recommender": None, "common_neighbors": None,
            "sentence": None}


def _record_in_background(store: GraphStore, key) -> None:
    try:
        record = track_record_of(store_dated_data(store))
    except Exception as exc:  # noqa: BLE001 - reported as "no track record", not a crash
        record = _no_record(f"the back-test failed ({type(exc).__name__})")
    with _CACHE_LOCK:
        _RECORDS.clear()
        _RECORDS[key] = record
        _PENDING.pop(key, None)


def track_record(store: GraphStore) -> dict:
    """:func:`track_record_of` for the loaded data, cached per graph version."""
    key = _store_key(store)
    with _CACHE_LOCK:
        hit = _RECORDS.get(key)
    if hit is None:
        hit = track_record_of(store_dated_data(store))
        with _CACHE_LOCK:
            _RECORDS.clear()
            _RECORDS[key] = hit
    return hit


class ModelHandle:
    """The fitted recommender of one graph version, fitted lazily on first use.

    ``get()`` starts the fit the first time it is called (in the calling thread for small
    graphs, else in a background thread) and returns ``(context, model, data)`` once ready,
    else ``None`` (:func:`~service.analytics.missing_links.recommend` then uses its
    deterministic fallback)."""

    def __init__(self, store: GraphStore, *, background: bool, seed: int = 0):
        self._store = store
        self._background = background
        self._seed = seed
        self._value = None
        self._lock = threading.Lock()
        self._started = False
        self.error: str | None = None
        self.done = threading.Event()
        self.scores: dict = {}  # actor id -> candidate scores (filled by recommend)

    def get(self):
        if not self._started:
            self.start()
        return self._value

    def start(self, *, wait: bool = False) -> ModelHandle:
        with self._lock:
            started, self._started = self._started, True
        if not started:
            if self._background and not wait:
                threading.Thread(target=self._fill, daemon=True,
                                 name="synergraph-linkpred-fit").start()
            else:
                self._fill()
        if wait:
            self.done.wait()
        return self

    def _fill(self):
        try:
            data = store_dated_data(self._store)
            years = data.years
            model = None
            if data.dated_share() >= 0.9 and len(years) >= 2:
                model = lp.fit_model(data, years[-1], seed=self._seed)
            if model is None:
                self.error = "not enough dated ties to fit a model"
            else:
                self._value = (lp.FeatureContext(data, None), model, data)
        except Exception as exc:  # noqa: BLE001 - the fallback keeps working
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()


def fitted_model(store: GraphStore, *, n_actors: int | None = None, wait: bool = False,
                 small: int = BACKGROUND_ABOVE) -> ModelHandle:
    """The recommender of the loaded data, one handle per graph version (cached).

    The fit (reading the store, then :func:`~service.analytics.link_protocol.fit_model` on
    the latest year) starts on the handle's first ``get()``, in a background thread when
    the graph has more than ``small`` actors (``n_actors``; unknown counts as large);
    ``wait=True`` starts it now and waits."""
    key = _store_key(store)
    with _CACHE_LOCK:
        handle = _MODELS.get(key)
        if handle is None:
            handle = ModelHandle(store, background=n_actors is None or n_actors > small)
            _MODELS.clear()
            _MODELS[key] = handle
    if wait:
        handle.start(wait=True)
    return handle


def attach_model(graph, store: GraphStore, *, wait: bool = False):
    """Give ``graph`` (the whole-ecosystem graph of ``store``) the recommender used by
    :func:`~service.analytics.missing_links.recommend` (fitted on first use); returns the
    handle."""
    handle = fitted_model(store, n_actors=graph.number_of_nodes(), wait=wait)
    graph.graph["link_model"] = handle
    return handle
