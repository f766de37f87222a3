"""The global link-prediction back-test: precision@k and AUC of every neighbourhood score
over all hidden pairs at once (``synergraph evaluate-links --extras``).

The animator's per-organisation protocol (precision@10, recall@10, hit rate) is in
:mod:`service.analytics.link_protocol`; the recommender itself in
:mod:`service.analytics.missing_links`.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx  # noqa: F401  (doctests)
import numpy as np

from ._graph import csr_view
from .missing_links import SCORES, _matrix_scores, combine_scores

__all__ = ["evaluate_link_prediction"]


def _auc(pos_scores, neg_scores, rng, n_samples):
    """Lü–Zhou AUC: P(score(pos) > score(neg)) + 0.5 P(=), by sampling pairs."""
    if pos_scores.size == 0 or neg_scores.size == 0:
        return None
    i = rng.integers(0, pos_scores.size, n_samples)
    j = rng.integers(0, neg_scores.size, n_samples)
    a, b = pos_scores[i], neg_scores[j]
    return float(((a > b).sum() + 0.5 * (a == b).sum()) / n_samples)


def _auc_samples(train, A, view, positives, pos_idx, scores, rng, n_samples):
    """Scores of the positives and of random non-tied, non-positive pairs (large graphs)."""
    n = A.shape[0]
    coo = A.tocoo()
    tied = set(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    neg = []
    for _ in range(50):
        a = rng.integers(0, n, 2 * n_samples)
        b = rng.integers(0, n, 2 * n_samples)
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x == y or (x, y) in tied or (min(x, y), max(x, y)) in pos_idx:
                continue
            neg.append((view.nodes[x], view.nodes[y]))
            if len(neg) == n_samples:
                break
        if len(neg) == n_samples:
            break
    Abin = (A != 0).astype(float)

    def scores_of(pairs):
        a = np.fromiter((view.index[x] for x, _ in pairs), dtype=np.int64, count=len(pairs))
        b = np.fromiter((view.index[y] for _, y in pairs), dtype=np.int64, count=len(pairs))
        return _matrix_scores(Abin, a, b, dense=False)

    pos_s = scores_of(positives)
    neg_s = scores_of(neg)
    size = scores["common_neighbors"].size
    pool_sorted = {s: np.sort(scores[s]) for s in SCORES}

    def combined_of(sdict):
        m = len(sdict["common_neighbors"])
        tot = np.zeros(m)
        if size == 0:
            return tot
        for s in SCORES:
            lo = np.searchsorted(pool_sorted[s], sdict[s], side="left")
            hi = np.searchsorted(pool_sorted[s], sdict[s], side="right")
            tot += (lo + hi + 1) / 2 / size  # average rank within the pool, as rankdata
        return tot / len(SCORES)

    pos_s["combined"] = combined_of(pos_s)
    neg_s["combined"] = combined_of(neg_s)
    pos_s["random"] = rng.random(len(positives))
    neg_s["random"] = rng.random(len(neg))
    return pos_s, neg_s


def evaluate_link_prediction(
    edges_with_years: Iterable[tuple],
    *,
    test_year=None,
    k: int = 100,
    n_auc_samples: int = 10_000,
    seed: int = 0,
    max_pool_nodes: int = 2000,
) -> dict:
    """Back-test the recommender: hide the last year's new ties and predict them.

    Parameters
    ----------
    edges_with_years : iterable of (u, v, year)
        Ties with the year they were (first) observed; repeated pairs keep
        the earliest year.
    test_year : optional
        Year whose *new* ties are hidden (default: the latest year).
    k : int, default 100
        Precision is computed on the ``k`` best-ranked pairs.
    n_auc_samples : int, default 10000
        Sampled (positive, negative) comparisons for the AUC.
    seed : int, default 0
    max_pool_nodes : int, default 2000
        Up to this many training nodes the ranked pool is every non-tied
        pair; above, the pool is the non-tied pairs at distance 2 (all
        methods, including preferential attachment, rank that same pool).

    Returns
    -------
    dict
        ``test_year``, ``n_train_nodes``, ``n_train_edges``, ``n_positive``
        (new ties in ``test_year`` between training nodes), ``pool``
        (``"all_pairs"`` or ``"distance_2"``), ``pool_size``,
        ``positives_in_pool``, ``k``, and ``methods``: name -> ``{
        "precision_at_k", "auc", "lift_vs_random",
        "lift_vs_preferential_attachment"}`` (precision ratios, ``None`` when
        the reference is 0) for every score, ``combined`` and
        ``random`` (a seeded random ranking; its expected precision is
        ``positives_in_pool / pool_size``, reported as
        ``random_expected_precision``).

    Examples
    --------
    >>> edges = [(0, 1, 2019), (1, 2, 2019), (2, 3, 2019), (0, 2, 2020)]
    >>> r = evaluate_link_prediction(edges, k=1)
    >>> r["n_positive"], r["methods"]["common_neighbors"]["precision_at_k"]
    (1, 1.0)

    Notes
    -----
    The AUC compares the score of a random hidden tie with that of a random
    non-tied pair of training nodes, following Lü & Zhou (``n_auc_samples``
    sampled comparisons; ties count 1/2).  With the all-pairs pool both are
    drawn from the pool; with the distance-2 pool the negatives are sampled
    among all non-tied pairs and the ``combined`` score of a pair is the
    mean of its scores' average percentile ranks within the pool.

    References
    ----------
    .. [1] L. Lü, T. Zhou, "Link prediction in complex networks: a survey",
       Physica A 390(6), 1150-1170 (2011). doi:10.1016/j.physa.2010.11.027
    """
    first: dict = {}
    for u, v, year in edges_with_years:
        if u == v:
            continue
        key = frozenset((u, v))
        if key not in first or year < first[key]:
            first[key] = year
    if not first:
        raise ValueError("no ties given")
    years = sorted(set(first.values()))
    if test_year is None:
        test_year = years[-1]
    train = nx.Graph()
    def pair(e):  # frozenset order follows string hashing (PYTHONHASHSEED): fix it
        try:
            return tuple(sorted(e))
        except TypeError:
            return tuple(sorted(e, key=str))

    train.add_edges_from(pair(e) for e, y in sorted(first.items(), key=lambda x: sorted(
        map(str, x[0]))) if y < test_year)
    positives = [
        pair(e) for e, y in first.items()
        if y == test_year and all(x in train for x in e)
    ]
    try:
        positives.sort()
    except TypeError:
        positives.sort(key=str)
    n_train = train.number_of_nodes()
    out: dict = {
        "test_year": test_year,
        "n_train_nodes": n_train,
        "n_train_edges": train.number_of_edges(),
        "n_positive": len(positives),
        "k": k,
    }
    if n_train < 2 or not positives:
        out.update({"pool": None, "pool_size": 0, "positives_in_pool": 0, "methods": {}})
        return out
    A, view = csr_view(train)
    idx = view.index
    if n_train <= max_pool_nodes:
        iu, ju = np.triu_indices(n_train, 1)
        dense = A.toarray() != 0
        keep = ~dense[iu, ju]
        pi, pj = iu[keep], ju[keep]
        pool_kind = "all_pairs"
    else:
        A2 = (A @ A).tocoo()
        keep = (A2.row < A2.col)
        pi, pj = A2.row[keep], A2.col[keep]
        tied = np.asarray(A[pi, pj]).ravel() != 0
        pi, pj = pi[~tied], pj[~tied]
        pool_kind = "distance_2"
    pos_idx = {(min(idx[a], idx[b]), max(idx[a], idx[b])) for a, b in positives}
    is_pos = np.fromiter(((a, b) in pos_idx for a, b in zip(pi.tolist(), pj.tolist(),
                                                            strict=True)),
                         dtype=bool, count=pi.size)
    Abin = (A != 0).astype(float)
    scores = _matrix_scores(Abin, pi, pj, dense=pool_kind == "all_pairs")
    rng = np.random.default_rng(seed)
    scores["combined"] = combine_scores(scores) if pi.size else np.zeros(0)
    scores["random"] = rng.random(pi.size)
    out.update({
        "pool": pool_kind,
        "pool_size": int(pi.size),
        "positives_in_pool": int(is_pos.sum()),
        "random_expected_precision": float(is_pos.mean()) if pi.size else 0.0,
    })
    if pool_kind == "all_pairs":
        # the pool holds every non-tied pair: positives and negatives are in it
        pos_s = {name: s[is_pos] for name, s in scores.items()}
        neg_s = {name: s[~is_pos] for name, s in scores.items()}
    else:
        pos_s, neg_s = _auc_samples(train, A, view, positives, pos_idx, scores, rng,
                                    n_auc_samples)
    methods = {}
    for name in (*SCORES, "combined", "random"):
        s = scores[name]
        kk = min(k, s.size)
        order = np.lexsort((np.arange(s.size), -s))[:kk]
        prec = float(is_pos[order].mean()) if kk else 0.0
        methods[name] = {
            "precision_at_k": prec,
            "auc": _auc(pos_s[name], neg_s[name], rng, n_auc_samples),
        }
    base_rand = out["random_expected_precision"]
    base_pa = methods["preferential_attachment"]["precision_at_k"]
    for r in methods.values():
        p = r["precision_at_k"]
        r["lift_vs_random"] = p / base_rand if base_rand else None
        r["lift_vs_preferential_attachment"] = p / base_pa if base_pa else None
    out["methods"] = methods
    return out

