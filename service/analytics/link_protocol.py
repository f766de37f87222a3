"""The animator's back-test of missing-link recommenders, and the learnt recommender.

An animator reads, for one organisation, its ten best suggestions. The protocol measures
exactly that on dated data (:func:`evaluate_protocol`):

- the **training graph** holds the ties of the projects starting in or before
  ``train_until``; an organisation is *present* when it takes part in one of them;
- a **new partner** of an organisation is a present organisation it was not tied to in
  training and shares a project with that starts in the ``test_years`` that follow;
- every present organisation with at least one new partner is **evaluated**: each method
  ranks all present non-partners (itself excluded), keeps its ten best (ties broken by
  the lower row, i.e. node order; candidates with a score ≤ 0 are not suggested, so a
  neighbourhood index suggests only partners of partners) and scores
  ``precision@10 = hits / 10``, ``recall@10 = hits / new partners`` and
  ``hit rate`` = share of organisations with at least one hit.

Scores are computed for chunks of organisations at once with sparse products
(``A[rows] @ D @ A``) turned into dense ``chunk × n`` blocks, so memory is bounded by
``chunk × n`` floats and no pair is looked up one at a time.

The learnt recommender (:func:`fit_model`) is a seeded logistic regression
(scikit-learn) on features of the candidate pairs, fitted on an *earlier* split of the
training years only (ties up to ``train_until - 1``, labels = the new ties of
``train_until``), so no test year is ever read. Features: neighbourhood indices (common
neighbours, Jaccard, Adamic–Adar, resource allocation, tie-strength-weighted common
neighbours and Adamic–Adar), ties of the latest year reached through a partner
(recency), activity and degree of both sides (all years and the latest year), shared
programme parts (cosine of the CORDIS ``legalBasis`` profiles) and same country. Each
fit then validates the model against weighted Adamic–Adar and common neighbours on
held-out organisations of its own split and keeps the best (``LinkModel.choice``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = [
    "BASELINES",
    "DatedData",
    "LinkModel",
    "FeatureContext",
    "dated_data",
    "evaluate_protocol",
    "fit_model",
]

#: the classic indices of the protocol table, in display order.
BASELINES = ("common_neighbors", "adamic_adar", "resource_allocation",
             "preferential_attachment", "jaccard", "random")

FEATURES = ("cn", "jaccard", "aa", "ra", "wcn", "aa_wlog", "cn_recent", "ra_recent",
            "programme_similarity", "log_degree_u", "log_degree_v", "log_recent_u",
            "log_recent_v", "log_projects_u", "log_projects_v", "log_recent_degree_v",
            "same_country")


@dataclass
class DatedData:
    """Organisations × projects incidence with project years and programme parts."""

    actor_ids: list
    B: sp.csr_array          # actors × projects, 0/1
    year: np.ndarray         # per project, -1 when unknown
    parts: sp.csr_array      # projects × programme parts, 0/1
    country: np.ndarray      # per actor, integer code (-1 unknown)
    part_names: list = field(default_factory=list)  # column names of ``parts``
    index: dict = field(init=False)

    def __post_init__(self):
        self.index = {a: i for i, a in enumerate(self.actor_ids)}

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.year.tolist() if y >= 0})

    def dated_share(self) -> float:
        return float((self.year >= 0).mean()) if self.year.size else 0.0


def dated_data(actors: Iterable[Mapping], participations: Iterable[Mapping],
               projects: Mapping[str, Mapping] | None = None) -> DatedData:
    """Build :class:`DatedData` from actor rows (``id``, ``country``), participation rows
    (``actor_id``, ``project_id``, ``start_year``) and optional project attributes
    (``legal_basis``: ``;``-separated programme parts).

    Examples
    --------
    >>> d = dated_data([{"id": "a", "country": "FR"}, {"id": "b", "country": "MA"}],
    ...                [{"actor_id": "a", "project_id": "p", "start_year": 2015},
    ...                 {"actor_id": "b", "project_id": "p", "start_year": 2015}],
    ...                {"p": {"legal_basis": "LEIT;SC1"}})
    >>> d.B.toarray().tolist(), d.years, d.part_names
    ([[1.0], [1.0]], [2015], ['LEIT', 'SC1'])
    """
    projects = projects or {}
    actor_rows = sorted(actors, key=lambda a: str(a["id"]))
    actor_ids = [a["id"] for a in actor_rows]
    aix = {a: i for i, a in enumerate(actor_ids)}
    codes: dict = {}
    country = np.array([codes.setdefault(a.get("country"), len(codes))
                        if a.get("country") else -1 for a in actor_rows], dtype=np.int64)
    pix: dict = {}
    years: list[int] = []
    rows, cols = [], []
    for p in participations:
        if p["actor_id"] not in aix:
            continue
        j = pix.get(p["project_id"])
        if j is None:
            j = pix[p["project_id"]] = len(years)
            y = p.get("start_year")
            years.append(int(y) if y is not None else -1)
        rows.append(aix[p["actor_id"]])
        cols.append(j)
    B = sp.csr_array((np.ones(len(rows)), (np.asarray(rows, dtype=np.int64),
                                           np.asarray(cols, dtype=np.int64))),
                     shape=(len(actor_ids), len(years)))
    B.data[:] = 1.0  # duplicates summed: back to 0/1
    part_codes: dict = {}
    pr, pc = [], []
    for pid, j in pix.items():
        basis = (projects.get(pid) or {}).get("legal_basis") or ""
        for part in sorted({x.strip() for x in str(basis).split(";") if x.strip()}):
            pr.append(j)
            pc.append(part_codes.setdefault(part, len(part_codes)))
    parts = sp.csr_array((np.ones(len(pr)), (np.asarray(pr, dtype=np.int64),
                                             np.asarray(pc, dtype=np.int64))),
                         shape=(len(years), max(len(part_codes), 1)))
    return DatedData(actor_ids, B.tocsr(), np.asarray(years, dtype=np.int64), parts.tocsr(),
                     country, sorted(part_codes, key=part_codes.__getitem__))


def _projection(B):
    W = (B @ B.T).tocsr()
    W.setdiag(0)
    W.eliminate_zeros()
    A = W.copy()
    A.data[:] = 1.0
    return W, A


def _sorted(P):
    """``P`` as CSR with sorted column indices. Sorting every row of a large product is
    slower than converting it to CSC and back (two linear passes that also sort)."""
    P = P.tocsr()
    if not P.has_sorted_indices:
        P = P.tocsc().tocsr()
    return P


def _entries(P):
    """Row of every stored entry of a CSR matrix."""
    return np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))


def lookup(P, ri, ci) -> np.ndarray:
    """Values of the CSR matrix ``P`` at the pairs ``(ri, ci)``, 0 where absent, with no
    per-pair indexing: scattered into a dense ``rows × columns`` block and read there when
    ``P`` fills enough of it (:data:`DENSE_LOOKUP_SHARE`, at most
    :data:`DENSE_LOOKUP_CELLS` cells; a chunk's sparse products), else one vectorised
    binary search over linear keys, after sorting ``P``'s column indices if needed.

    >>> P = sp.csr_array(np.array([[0.0, 2.0], [3.0, 0.0]]))
    >>> lookup(P, np.array([0, 1, 1]), np.array([1, 0, 1])).tolist()
    [2.0, 3.0, 0.0]
    """
    P = P.tocsr()
    m, n = P.shape
    ri = np.asarray(ri, dtype=np.int64)
    ci = np.asarray(ci, dtype=np.int64)
    if (not P.has_sorted_indices and m * n <= DENSE_LOOKUP_CELLS
            and P.nnz * DENSE_LOOKUP_SHARE >= m * n):
        # sorting every row of a large product costs more than writing it out
        return P.toarray()[ri, ci].astype(float)
    P = _sorted(P)
    keys = _entries(P).astype(np.int64) * n + P.indices
    q = ri * n + ci
    if keys.size == 0:
        return np.zeros(q.size)
    pos = np.minimum(np.searchsorted(keys, q), keys.size - 1)
    return np.where(keys[pos] == q, P.data[pos], 0.0).astype(float)


#: :func:`lookup` reads a matrix with unsorted column indices from a dense block when its
#: entries fill at least 1/16 of it and the block has at most 32 M cells (256 MB)
DENSE_LOOKUP_SHARE = 16
DENSE_LOOKUP_CELLS = 32_000_000


def sparse_topk(ri, ci, score, k):
    """Keep each row's ``k`` best ``(ri, ci)`` entries (higher score first, ties to the
    lower column); returns the kept indices into the input arrays. The pairs are distinct.

    >>> sparse_topk(np.array([0, 0, 0, 1]), np.array([5, 2, 3, 1]),
    ...             np.array([1.0, 2.0, 2.0, 0.5]), 2).tolist()
    [1, 2, 3]

    Notes
    -----
    With finite scores, the entries are grouped by row (a stable radix sort of the rows,
    or nothing when they come in row order, as a chunk's sparse products give them); a
    row of at most ``k`` entries keeps them all, and a longer one is partitioned around
    its ``k``-th best score (linear time): every better entry is kept, and of the entries
    equal to it those of the lowest columns. This replaces a sort of every entry (or a
    dense ``rows × columns`` block, 74 MB per chunk at H2020 size); the kept entries are
    the same.
    """
    if ri.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.isfinite(score).all():
        return _sorted_topk(ri, ci, score, k)
    ri = np.asarray(ri)
    if ri.size > 1 and (np.diff(ri) < 0).any():
        order = np.argsort(ri, kind="stable")
    else:
        order = np.arange(ri.size)
    r = ri[order]
    starts = np.r_[0, np.flatnonzero(np.diff(r)) + 1]
    ends = np.r_[starts[1:], r.size]
    kept = [order[a:b] for a, b in zip(starts[ends - starts <= k].tolist(),
                                        ends[ends - starts <= k].tolist(), strict=True)]
    for a, b in zip(starts[ends - starts > k].tolist(), ends[ends - starts > k].tolist(),
                    strict=True):
        idx = order[a:b]
        x = score[idx]
        t = np.partition(x, x.size - k)[x.size - k]  # the row's k-th best score
        better = x > t
        equal = np.flatnonzero(x == t)
        need = k - int(better.sum())
        if need < equal.size:  # the lowest columns of the equal entries
            equal = equal[np.argsort(ci[idx[equal]], kind="stable")[:need]]
        kept.append(idx[better])
        kept.append(idx[equal])
    return np.sort(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)


def _sorted_topk(ri, ci, score, k):
    """:func:`sparse_topk` by sorting every entry (scores that are not all finite)."""
    # two stable sorts (by -score, then by row: a radix sort) instead of a 3-key lexsort;
    # the column order is restored first so that equal scores keep the lower column
    order = np.lexsort((ci, ri)) if not _row_major(ri, ci) else np.arange(ri.size)
    order = order[np.argsort(-score[order], kind="stable")]
    r_small = ri[order].astype(np.int32 if ri.size and ri.max() > 32767 else np.int16)
    order = order[np.argsort(r_small, kind="stable")]
    r = ri[order]
    starts = np.r_[0, np.flatnonzero(np.diff(r)) + 1]
    lengths = np.diff(np.r_[starts, r.size])
    rank = np.arange(r.size) - np.repeat(starts, lengths)
    return np.sort(order[rank < k])


def _row_major(ri, ci) -> bool:
    """True when the pairs are sorted by row, then column."""
    if ri.size < 2:
        return True
    dr = np.diff(ri)
    return bool(np.all((dr > 0) | ((dr == 0) & (np.diff(ci) > 0))))


class FeatureContext:
    """Everything the scores and features need, from projects starting ≤ ``until`` only
    (``until=None``: every project, undated ones included)."""

    def __init__(self, data: DatedData, until: int | None):
        self.until = until
        if until is None:
            keep = np.arange(data.year.size)
            latest = max(data.years) if data.years else None
        else:
            keep = np.flatnonzero((data.year >= 0) & (data.year <= until))
            latest = until
        Bt = data.B[:, keep].tocsr()
        self.W, self.A = _projection(Bt)
        self.n = self.A.shape[0]
        self.present = np.diff(Bt.indptr) > 0
        deg = np.diff(self.A.indptr).astype(float)
        self.deg = deg
        self.inv = np.where(deg > 0, 1.0 / np.maximum(deg, 1), 0.0)
        self.inv_log = np.where(deg > 1, 1.0 / np.log(np.maximum(deg, 2)), 0.0)
        self.A_ra = (self.A @ sp.diags_array(self.inv)).tocsr()
        self.A_aa = (self.A @ sp.diags_array(self.inv_log)).tocsr()
        Wl = self.W.copy()
        Wl.data = np.log1p(Wl.data)
        self.W_log = Wl
        self.W_aa = (Wl @ sp.diags_array(self.inv_log)).tocsr()
        recent = keep[data.year[keep] == latest] if latest is not None else keep[:0]
        Br = data.B[:, recent].tocsr()
        _, self.A_recent = _projection(Br)
        self.recent = np.asarray(Br.sum(axis=1)).ravel()
        self.projects = np.asarray(Bt.sum(axis=1)).ravel()
        self.recent_deg = np.diff(self.A_recent.indptr).astype(float)
        L = (Bt @ data.parts[keep]).toarray().astype(float)
        norm = np.sqrt((L * L).sum(axis=1))
        self.L = L / np.where(norm > 0, norm, 1.0)[:, None]
        self.country = data.country
        self._factors = {
            "cn": (self.A, self.A), "aa": (self.A_aa, self.A), "ra": (self.A_ra, self.A),
            "wcn": (self.W, self.W), "waa": (self.W_aa, self.W_log),
            "cn_recent": (self.A, self.A_recent), "ra_recent": (self.A_ra, self.A_recent),
        }
        self._local = threading.local()
        # global orders for the degree-like scores (ties to the lower row)
        self.by_degree = np.lexsort((np.arange(self.n), -deg))
        self.by_activity = np.lexsort((np.arange(self.n), -(self.recent + 0.01 * deg)))

    def _chunk(self, rows):
        """Per-thread cache of the products of one chunk of rows (reused by every method
        and feature of that chunk)."""
        local = self._local
        if getattr(local, "rows", None) is not rows:
            local.rows = rows
            local.cache = {}
        return local.cache

    def product(self, name: str, rows):
        """The sparse product ``left[rows] @ right`` of ``name`` (CSR, column indices in
        no particular order), cached for the chunk."""
        cache = self._chunk(rows)
        P = cache.get(name)
        if P is None:
            left, right = self._factors[name]
            P = cache[name] = (left[rows] @ right).tocsr()
        return P

    def value(self, name: str, rows, ri, ci):
        """Values of product ``name`` at the pairs ``(ri, ci)`` (0 where absent)."""
        return lookup(self.product(name, rows), ri, ci)

    def _drop_excluded(self, rows, P):
        """Entries ``(ri, ci, value)`` of ``P`` (rows aligned with ``rows``) that are
        candidates: positive, not the row itself, not a training partner (in row order,
        columns of a row in no particular order: :func:`sparse_topk` does not need them
        sorted)."""
        m = rows.size
        # excluded entries get a huge negative score in one sparse sum (C code)
        own = sp.csr_array((np.ones(m), (np.arange(m), rows)), shape=(m, self.n))
        P = (P.tocsr() - 1e300 * (self.A[rows] + own)).tocsr()
        ri = _entries(P)
        keep = P.data > 0
        return ri[keep], P.indices[keep].astype(np.int64), P.data[keep].astype(float)

    def _global_order(self, rows, order, k):
        """Each row's first ``k`` non-excluded present nodes of a global ``order``."""
        m = rows.size
        width = int(k + (self.deg[rows].max() if m else 0) + 1)
        top = order[:min(width, self.n)]
        ri = np.repeat(np.arange(m), top.size)
        ci = np.tile(top, m)
        ok = (ci != rows[ri]) & self.present[ci] & (lookup(self.A[rows], ri, ci) == 0)
        ri, ci = ri[ok], ci[ok]
        starts = np.r_[0, np.flatnonzero(np.diff(ri)) + 1] if ri.size else np.zeros(0, int)
        rank = np.arange(ri.size) - np.repeat(starts, np.diff(np.r_[starts, ri.size]))
        keep = rank < k
        return ri[keep], ci[keep], -rank[keep].astype(float) + k + 1.0

    # -- the classic indices, as candidate entries for a chunk of rows ------------------
    def baseline(self, name: str, rows: np.ndarray, k: int, rng=None):
        """``(ri, ci, score)`` of each row's candidates for one classic index (rows with
        few candidates may have fewer than ``k``; ``random`` and preferential attachment
        return exactly the top ``k``)."""
        A = self.A
        short = {"common_neighbors": "cn", "adamic_adar": "aa", "resource_allocation": "ra",
                 "jaccard": "cn", "weighted_adamic_adar": "waa"}
        if name in short:
            cache = self._chunk(rows)
            key = ("candidates", short[name])
            if key not in cache:
                cache[key] = self._drop_excluded(rows, self.product(short[name], rows))
            ri, ci, val = cache[key]
            if name == "jaccard":
                return ri, ci, val / (self.deg[rows[ri]] + self.deg[ci] - val)
            return ri, ci, val
        if name == "preferential_attachment":
            return self._global_order(rows, self.by_degree, k)
        if name == "random":
            pool = np.flatnonzero(self.present)
            draws = rng.choice(pool, size=(rows.size, 4 * k + 16)) if pool.size else \
                np.zeros((rows.size, 0), dtype=np.int64)
            ri = np.repeat(np.arange(rows.size), draws.shape[1])
            ci = draws.ravel()
            ok = (ci != rows[ri]) & (lookup(A[rows], ri, ci) == 0)
            ri, ci = ri[ok], ci[ok]
            # first occurrence of each (row, column), in draw order
            _, first = np.unique(ri * self.n + ci, return_index=True)
            first = np.sort(first)
            ri, ci = ri[first], ci[first]
            return ri, ci, np.linspace(2.0, 1.0, ci.size) if ci.size else np.zeros(0)
        raise ValueError(f"unknown score {name!r}")

    def candidates(self, rows, n_neighbourhood=100, n_active=30):
        """The pairs the model ranks: the best partners of partners (weighted Adamic–Adar)
        and the organisations most active in the latest year, as ``(ri, ci)``."""
        ri, ci, s = self.baseline("weighted_adamic_adar", rows, n_neighbourhood)
        kept = sparse_topk(ri, ci, s, n_neighbourhood)
        ri2, ci2, _ = self._global_order(rows, self.by_activity, n_active)
        keys = np.unique(np.r_[ri[kept] * self.n + ci[kept], ri2 * self.n + ci2])
        return keys // self.n, keys % self.n

    def features(self, rows, ri, ci):
        """Feature matrix (columns :data:`FEATURES`) of the pairs ``(rows[ri], ci)``."""
        u, v = rows[ri], ci
        cols = []
        cn = self.value("cn", rows, ri, ci)
        cols.append(cn)
        union = self.deg[u] + self.deg[v] - cn
        cols.append(np.divide(cn, union, out=np.zeros_like(cn), where=union > 0))
        for name in ("aa", "ra", "wcn", "waa", "cn_recent", "ra_recent"):
            cols.append(self.value(name, rows, ri, ci))
        cols.append((self.L[u] * self.L[v]).sum(axis=1))
        for arr in (self.deg, self.recent, self.projects):
            cols.append(np.log1p(arr[u]))
            cols.append(np.log1p(arr[v]))
        cols.append(np.log1p(self.recent_deg[v]))
        cu, cv = self.country[u], self.country[v]
        cols.append(((cu == cv) & (cu >= 0)).astype(float))
        return np.column_stack(cols) if cols else np.zeros((0, len(FEATURES)))


@dataclass
class LinkModel:
    """A fitted recommender: the scikit-learn pipeline and what it was fitted on."""

    pipeline: object
    fitted_until: int
    label_year: int
    n_pairs: int
    n_positive: int
    seed: int
    #: the ranking this graph version uses: ``"model"``, or a classic index that beat the
    #: model on the validation organisations (:data:`SELECTABLE`)
    choice: str = "model"
    #: precision@k of each ranking on the validation organisations of the fitting split
    validation: dict = field(default_factory=dict)

    def score(self, X: np.ndarray) -> np.ndarray:
        return self.pipeline.decision_function(_transform(X))


def _transform(X):
    return np.log1p(np.abs(X))


@dataclass
class Split:
    ctx: FeatureContext
    new: sp.csr_array        # new ties in the test window (present × present, not tied)
    n_new: np.ndarray
    evaluated: np.ndarray


def make_split(data: DatedData, train_until: int, test_years: int) -> Split:
    ctx = FeatureContext(data, train_until)
    test = np.flatnonzero((data.year > train_until) & (data.year <= train_until + test_years))
    _, E = _projection(data.B[:, test].tocsr())
    keep = sp.diags_array(ctx.present.astype(float))
    E = (keep @ E @ keep).tocsr()
    E = (E - E.multiply(ctx.A)).tocsr()
    E.eliminate_zeros()
    n_new = np.diff(E.indptr)
    return Split(ctx, E, n_new, np.flatnonzero(n_new > 0))


def fit_model(data: DatedData, until: int, *, seed: int = 0, max_rows: int = 1500,
              chunk: int = 256, validate_rows: int = 500, k: int = 10) -> LinkModel | None:
    """Fit the recommender on ties up to ``until - 1`` and the new ties of ``until``.

    Only projects starting ≤ ``until`` are read. ``max_rows`` organisations (seeded
    sample) contribute their candidate pairs. ``None`` when that split has no new tie.
    Then the ranking of this graph version is chosen (``model.choice``, see
    :func:`_select`): the model, unless weighted Adamic–Adar or common neighbours score a
    higher precision@``k`` on up to ``validate_rows`` organisations of the same split that
    the model did not learn from (``validate_rows=0``: no selection, always the model).

    Examples
    --------
    >>> rows = [("p1", 2015, "abc"), ("p2", 2015, "cde"), ("p3", 2016, "bd"),
    ...         ("p4", 2016, "ad")]
    >>> d = dated_data([{"id": x} for x in "abcde"],
    ...                [{"actor_id": m, "project_id": p, "start_year": y}
    ...                 for p, y, ms in rows for m in ms])
    >>> m = fit_model(d, 2016)
    >>> m.fitted_until, m.label_year, m.n_pairs, m.n_positive
    (2015, 2016, 6, 4)
    """
    split = make_split(data, until - 1, 1)
    everyone = split.evaluated
    if everyone.size == 0:
        return None
    rng = np.random.default_rng(seed)
    rows_all = everyone
    if rows_all.size > max_rows:
        rows_all = np.sort(rng.choice(rows_all, max_rows, replace=False))
    X, y = _training_pairs(split, rows_all, chunk)
    if y.all() or not y.any():
        return None
    pipe = _fit_pipeline(X, y, seed)
    model = LinkModel(pipe, until - 1, until, int(y.size), int(y.sum()), seed)
    if validate_rows:
        _select(model, split, everyone, rows_all, rng, validate_rows=validate_rows, k=k,
                chunk=chunk)
    return model


#: the classic indices the recommender may fall back on when they beat the model on the
#: data's own validation organisations, in order of preference on equal precision
SELECTABLE = ("weighted_adamic_adar", "common_neighbors")


#: below this many validation organisations the model is not trusted (the fallback ranks)
MIN_VALIDATION = 30


def _fit_pipeline(X, y, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(),
                         LogisticRegression(max_iter=1000, random_state=seed))
    return pipe.fit(_transform(X), y)


def _training_pairs(split, rows_all, chunk):
    Xs, ys = [], []
    for s in range(0, rows_all.size, chunk):
        rows = rows_all[s:s + chunk]
        ri, ci = split.ctx.candidates(rows)
        Xs.append(split.ctx.features(rows, ri, ci))
        ys.append(lookup(split.new[rows], ri, ci) > 0)
    if not Xs:
        return np.zeros((0, len(FEATURES))), np.zeros(0, dtype=bool)
    return np.vstack(Xs), np.concatenate(ys)


def _hits_at_k(split, rows_all, fn, k, chunk):
    """Sum over ``rows_all`` of hits@k / k of the scorer ``fn`` on ``split``."""
    total = 0.0
    for s in range(0, rows_all.size, chunk):
        rows = rows_all[s:s + chunk]
        ri, ci, score = fn(rows)
        kept = sparse_topk(ri, ci, score, k)
        total += float((lookup(split.new[rows], ri[kept], ci[kept]) > 0).sum()) / k
    return total


def _select(model, split, everyone, fit_rows, rng, *, validate_rows, k, chunk):
    """Per graph version, pick the ranking: the model, or a classic index of
    :data:`SELECTABLE` that scores a strictly higher precision@k than the model on
    organisations of the fitting split the model did not learn from (the organisations
    left out of its sample; on small graphs, where every organisation is in the sample, a
    seeded two-fold cross-validation). With fewer than :data:`MIN_VALIDATION` validation
    organisations the evidence is too thin to trust a model: weighted Adamic–Adar ranks.
    Only the fitting split is read: no year after ``model.label_year``."""
    ctx = split.ctx
    rest = np.setdiff1d(everyone, fit_rows)
    p: dict[str, float] = {}
    if rest.size:
        val = np.sort(rng.choice(rest, min(validate_rows, rest.size), replace=False))
        p["model"] = _hits_at_k(split, val, lambda r: model_scores(ctx, model, r, k), k,
                                chunk)
    else:  # every organisation was learnt from: two folds
        val = everyone
        order = rng.permutation(val)
        folds = (np.sort(order[: val.size // 2]), np.sort(order[val.size // 2:]))
        hits = 0.0
        for learn, test in (folds, folds[::-1]):
            X, y = _training_pairs(split, learn, chunk)
            if test.size == 0:
                continue
            if y.size == 0 or y.all() or not y.any():
                fold = None  # nothing to learn from in this fold: the fallback ranks
            else:
                fold = LinkModel(_fit_pipeline(X, y, model.seed), model.fitted_until,
                                 model.label_year, int(y.size), int(y.sum()), model.seed)
            hits += _hits_at_k(split, test, lambda r, m=fold: model_scores(ctx, m, r, k),
                               k, chunk)
        p["model"] = hits
    for name in SELECTABLE:
        p[name] = _hits_at_k(split, val, lambda r, n=name: ctx.baseline(n, r, k), k, chunk)
    model.validation = {name: v / val.size for name, v in p.items()}
    model.validation["organisations"] = int(val.size)
    if val.size < MIN_VALIDATION:
        # too little evidence to trust a learnt model: the deterministic fallback
        model.choice = SELECTABLE[0]
        return
    best = max(SELECTABLE, key=lambda n: p[n])  # first of equals: weighted Adamic-Adar
    model.choice = best if p[best] > p["model"] else "model"


def model_scores(ctx: FeatureContext, model: LinkModel | None, rows, k: int = 10):
    """``(ri, ci, score)`` of the recommender's candidates for ``rows``; without a model,
    the deterministic fallback (weighted Adamic–Adar)."""
    if model is None:
        return ctx.baseline("weighted_adamic_adar", rows, k)
    if model.choice != "model":
        return ctx.baseline(model.choice, rows, k)
    ri, ci = ctx.candidates(rows)
    if ri.size == 0:
        return ri, ci, np.zeros(0)
    s = model.score(ctx.features(rows, ri, ci))
    return ri, ci, s - s.min() + 1.0  # positive, order kept


def evaluate_protocol(data: DatedData, *, train_until: int | None = None,
                      test_years: int | None = None, k: int = 10, seed: int = 0,
                      chunk: int = 256, methods: Mapping[str, Callable] | None = None,
                      with_model: bool = True, baselines: Iterable[str] = BASELINES,
                      with_fallback: bool = True) -> dict:
    """Per-organisation precision@k, recall@k and hit rate of the recommender and of
    :data:`BASELINES` on the same organisations (see the module docstring).

    Defaults: ``test_years`` = 2, ``train_until`` = the latest year minus ``test_years``.

    Examples
    --------
    >>> rows = [("p1", 2015, "abc"), ("p2", 2015, "cd"), ("p3", 2016, "de"),
    ...         ("p4", 2017, "ad")]
    >>> d = dated_data([{"id": x} for x in "abcde"],
    ...                [{"actor_id": m, "project_id": p, "start_year": y}
    ...                 for p, y, ms in rows for m in ms])
    >>> r = evaluate_protocol(d, train_until=2016, test_years=1)
    >>> r["n_evaluated"], r["methods"]["common_neighbors"]["precision_at_k"]
    (2, 0.1)
    """
    years = data.years
    if len(years) < 2:
        raise ValueError("the protocol needs projects dated in at least two years")
    if test_years is None:
        test_years = 2
    if test_years < 1:
        raise ValueError("test_years must be at least 1")
    if train_until is None:
        train_until = years[-1] - test_years
    if train_until < years[0]:
        raise ValueError(f"train_until {train_until} is before the first dated year "
                         f"{years[0]}")
    t0 = time.perf_counter()
    model = fit_model(data, train_until, seed=seed) if with_model else None
    fit_seconds = time.perf_counter() - t0
    split = make_split(data, train_until, test_years)
    ctx = split.ctx
    rng = np.random.default_rng(seed)
    scorers: dict[str, Callable] = {
        "recommender": lambda rows: model_scores(ctx, model, rows, k)}
    if with_fallback:
        scorers["weighted_adamic_adar"] = lambda rows: model_scores(ctx, None, rows, k)
    if methods:
        scorers.update(methods)
    baselines = tuple(baselines)
    for name in baselines:
        scorers[name] = (lambda rows, name=name: ctx.baseline(name, rows, k, rng))
    totals = {name: [0.0, 0.0, 0, 0.0] for name in scorers}
    rows_all = split.evaluated
    for s in range(0, rows_all.size, chunk):
        rows = rows_all[s:s + chunk]
        truth = split.new[rows]
        n_new = split.n_new[rows]
        for name, fn in scorers.items():
            t1 = time.perf_counter()
            ri, ci, score = fn(rows)
            kept = sparse_topk(ri, ci, score, k)
            hit = lookup(truth, ri[kept], ci[kept]) > 0
            hits = np.bincount(ri[kept][hit], minlength=rows.size)
            tot = totals[name]
            tot[0] += float((hits / k).sum())
            tot[1] += float((hits / n_new).sum())
            tot[2] += int((hits > 0).sum())
            tot[3] += time.perf_counter() - t1
    m = rows_all.size
    table = {name: {"precision_at_k": tot[0] / m if m else None,
                    "recall_at_k": tot[1] / m if m else None,
                    "hit_rate": tot[2] / m if m else None,
                    "seconds": tot[3]}
             for name, tot in totals.items()}
    table["recommender"]["seconds"] += fit_seconds
    classic = [b for b in baselines if b != "random"]
    best = max(classic, key=lambda n: table[n]["precision_at_k"] or 0.0) if classic else None
    best_p = table[best]["precision_at_k"] if best else None
    return {
        "train_until": train_until,
        "test_years": [train_until + 1, train_until + test_years],
        "k": k,
        "n_train_actors": int(ctx.present.sum()),
        "n_train_ties": int(ctx.A.nnz // 2),
        "n_new_ties": int(split.new.nnz // 2),
        "n_evaluated": int(m),
        "model": None if model is None else {
            "kind": "logistic regression (scikit-learn), seeded",
            "fitted_on": f"ties up to {model.fitted_until}, new ties of {model.label_year}",
            "pairs": model.n_pairs, "positives": model.n_positive, "seed": model.seed,
            "choice": model.choice, "validation": model.validation,
        },
        "methods": table,
        "best_baseline": best,
        "ratio_to_best_baseline": (table["recommender"]["precision_at_k"] / best_p
                                   if best_p else None),
    }
