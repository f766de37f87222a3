"""Node centralities of the co-participation graph.

All functions take an undirected simple :class:`networkx.Graph` first and
return plain ``dict`` node -> float (or int) unless stated otherwise.  Heavy
kernels run on igraph (see :mod:`service.analytics._graph`); values follow the
networkx definitions and normalisations, which the unit tests check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx  # noqa: F401  (doctests)
import numpy as np

from ._graph import (
    _cached,
    check_graph,
    csr_view,
    graph_view,
    igraph_rng,
    igraph_view,
    percentile_of,
    rank_desc,
)

__all__ = [
    "EXACT_BETWEENNESS_MAX_NODES",
    "AUTO_BETWEENNESS_SAMPLES",
    "BetweennessResult",
    "betweenness",
    "betweenness_info",
    "centrality_table",
    "closeness",
    "degree",
    "eigenvector",
    "harmonic",
    "pagerank",
    "rank_and_percentile",
    "strength",
]

#: ``k="auto"`` computes exact betweenness up to this many nodes.
EXACT_BETWEENNESS_MAX_NODES = 5000
#: number of sampled sources used by ``k="auto"`` above that size.
AUTO_BETWEENNESS_SAMPLES = 256


def degree(G) -> dict:
    """Number of distinct partners of each actor.

    Parameters
    ----------
    G : networkx.Graph
        Undirected simple graph.

    Returns
    -------
    dict
        node -> int, the unweighted degree (self-loops are not allowed).

    Examples
    --------
    >>> degree(nx.path_graph(3))
    {0: 1, 1: 2, 2: 1}

    Notes
    -----
    Not normalised; divide by ``n - 1`` for networkx's ``degree_centrality``.

    References
    ----------
    .. [1] L. C. Freeman, "Centrality in social networks conceptual
       clarification", Social Networks 1(3), 215-239 (1978).
       doi:10.1016/0378-8733(78)90021-7
    """
    check_graph(G)
    return {v: d for v, d in G.degree()}


def strength(G, weight: str | None = "weight") -> dict:
    """Weighted degree: sum of the ``weight`` attribute of the ties of each actor.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None, default "weight"
        Edge attribute (missing -> 1).  ``None`` gives the degree.  With the
        co-participation graph, ``"weight"`` counts actor–partner–project
        triples and ``"newman"`` sums Newman's collaboration weights.

    Returns
    -------
    dict
        node -> float.

    Examples
    --------
    >>> G = nx.Graph([(0, 1, {"weight": 2}), (1, 2, {"weight": 3})])
    >>> strength(G)
    {0: 2.0, 1: 5.0, 2: 3.0}

    Notes
    -----
    Not normalised.

    References
    ----------
    .. [1] A. Barrat, M. Barthélemy, R. Pastor-Satorras, A. Vespignani, "The
       architecture of complex weighted networks", PNAS 101(11), 3747-3752
       (2004). doi:10.1073/pnas.0400087101
    """
    check_graph(G)
    if weight is None:
        return {v: float(d) for v, d in G.degree()}
    view = graph_view(G, weight)  # cached / seeded by the projection
    n = len(view.nodes)
    s = np.bincount(view.edges[:, 0], weights=view.weights, minlength=n)
    s += np.bincount(view.edges[:, 1], weights=view.weights, minlength=n)
    return dict(zip(view.nodes, s.tolist(), strict=True))


@dataclass(frozen=True)
class BetweennessResult:
    """Betweenness values plus how they were obtained.

    Attributes
    ----------
    values : dict
        node -> betweenness.
    approximate : bool
        ``True`` when estimated from ``k`` sampled sources.
    k : int
        Number of source nodes used (``n`` when exact).
    seed : int or None
        Seed of the source sample (``None`` when exact).
    normalized : bool
    weight : str or None
    """

    values: dict
    approximate: bool
    k: int
    seed: int | None
    normalized: bool
    weight: str | None
    sources: tuple = field(default=(), repr=False)

    def as_dict(self) -> dict:
        """Metadata (without the values) for JSON payloads."""
        return {
            "approximate": self.approximate,
            "k": self.k,
            "seed": self.seed,
            "normalized": self.normalized,
            "weight": self.weight,
        }


def betweenness_info(
    G,
    *,
    k: int | str | None = None,
    seed: int = 0,
    weight: str | None = None,
    normalized: bool = True,
) -> BetweennessResult:
    r"""Shortest-path betweenness with metadata (exact or seeded sampling).

    Parameters
    ----------
    G : networkx.Graph
    k : int, "auto" or None, default None
        ``None`` or ``k >= n``: exact.  An int ``k < n``: estimate from ``k``
        source nodes sampled uniformly without replacement with
        ``numpy.random.default_rng(seed)``.  ``"auto"``: exact up to
        :data:`EXACT_BETWEENNESS_MAX_NODES` nodes, otherwise
        :data:`AUTO_BETWEENNESS_SAMPLES` sources.
    seed : int, default 0
        Seed of the source sample (same input -> same output).
    weight : str or None, default None
        Edge attribute used as a *distance* (``None``: hop count).  Note that
        co-participation weights are strengths, not distances.
    normalized : bool, default True
        Divide by the number of node pairs excluding the node,
        :math:`(n-1)(n-2)/2`, as :func:`networkx.betweenness_centrality`.

    Returns
    -------
    BetweennessResult

    Examples
    --------
    >>> r = betweenness_info(nx.path_graph(4))
    >>> r.values, r.approximate
    ({0: 0.0, 1: 0.6666666666666666, 2: 0.6666666666666666, 3: 0.0}, False)

    Notes
    -----
    :math:`c_B(v) = \sum_{s<t} \sigma_{st}(v)/\sigma_{st}`, computed with
    Brandes' algorithm on igraph.  The sampled estimator is Brandes & Pich's:
    the sum of the single-source dependencies of the ``k`` sampled sources
    scaled by ``n/k`` — the same estimator as networkx with ``k``, although
    the sampled sources differ from networkx's.

    References
    ----------
    .. [1] U. Brandes, "A faster algorithm for betweenness centrality",
       J. Math. Sociol. 25(2), 163-177 (2001). doi:10.1080/0022250X.2001.9990249
    .. [2] U. Brandes, C. Pich, "Centrality estimation in large networks",
       Int. J. Bifurc. Chaos 17(7), 2303-2318 (2007). doi:10.1142/S0218127407018403
    """
    g, view = igraph_view(G, weight)
    n = len(view.nodes)
    if isinstance(k, str):
        if k != "auto":
            raise ValueError(f"k must be an int, None or 'auto', got {k!r}")
        k = None if n <= EXACT_BETWEENNESS_MAX_NODES else AUTO_BETWEENNESS_SAMPLES
    if k is not None and (not isinstance(k, (int, np.integer)) or k < 1):
        raise ValueError(f"k must be a positive int, got {k!r}")
    wts = "weight" if weight is not None else None
    if k is None or k >= n:
        raw = np.asarray(g.betweenness(directed=False, weights=wts), dtype=float)
        approximate, used, used_seed, sources = False, n, None, ()
    else:
        rng = np.random.default_rng(seed)
        src = np.sort(rng.choice(n, size=int(k), replace=False))
        raw = np.asarray(
            g.betweenness(directed=False, weights=wts, sources=src.tolist()), dtype=float
        )
        raw *= n / k
        approximate, used, used_seed = True, int(k), seed
        sources = tuple(view.nodes[i] for i in src)
    if normalized:
        raw = raw * (2.0 / ((n - 1) * (n - 2))) if n > 2 else np.zeros(n)
    values = dict(zip(view.nodes, raw.tolist(), strict=True))
    return BetweennessResult(values, approximate, used, used_seed, normalized, weight, sources)


def betweenness(
    G,
    *,
    k: int | str | None = None,
    seed: int = 0,
    weight: str | None = None,
    normalized: bool = True,
) -> dict:
    """Betweenness centrality, node -> value.

    Same as :func:`betweenness_info` but returns only the values.

    Parameters
    ----------
    G : networkx.Graph
    k : int, "auto" or None, default None
        ``None``: exact; int: seeded sampling of ``k`` sources; ``"auto"``:
        exact up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes.
    seed : int, default 0
    weight : str or None, default None
        Edge attribute used as a distance.
    normalized : bool, default True
        networkx normalisation (divide by :math:`(n-1)(n-2)/2`).

    Returns
    -------
    dict
        node -> betweenness.

    Examples
    --------
    >>> betweenness(nx.star_graph(3))
    {0: 1.0, 1: 0.0, 2: 0.0, 3: 0.0}

    Notes
    -----
    Equals :func:`networkx.betweenness_centrality` when exact (tested).

    References
    ----------
    .. [1] U. Brandes, "A faster algorithm for betweenness centrality",
       J. Math. Sociol. 25(2), 163-177 (2001). doi:10.1080/0022250X.2001.9990249
    """
    return betweenness_info(G, k=k, seed=seed, weight=weight, normalized=normalized).values


def closeness(G, *, weight: str | None = None) -> dict:
    r"""Closeness centrality with networkx's (Wasserman–Faust) normalisation.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None
        Edge attribute used as a distance; ``None`` for hop counts.

    Returns
    -------
    dict
        node -> :math:`\frac{r-1}{n-1}\cdot\frac{r-1}{\sum_{u} d(v,u)}`,
        where *r* is the size of the component of *v* (0 for isolates).

    Examples
    --------
    >>> closeness(nx.path_graph(3))
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666}

    Notes
    -----
    Equals :func:`networkx.closeness_centrality` with ``wf_improved=True``.
    O(n·m): use on clusters, not on the whole ecosystem.

    References
    ----------
    .. [1] S. Wasserman, K. Faust, *Social Network Analysis: Methods and
       Applications*, Cambridge University Press (1994). doi:10.1017/CBO9780511815478
    """
    g, view = igraph_view(G, weight)
    n = len(view.nodes)
    if n == 0:
        return {}
    wts = "weight" if weight is not None else None
    # igraph's own (1 / mean distance to the reached vertices), kept on the graph: the
    # exact average path length of the largest component follows from it without a
    # second search from every actor (:func:`.paths.average_path_length_info`)
    raw = _cached(G, "igraph-closeness", weight, lambda: np.asarray(
        g.closeness(weights=wts, normalized=True), dtype=float))
    c = np.nan_to_num(raw, nan=0.0)  # a copy: the kept values stay as they are
    comps = g.connected_components()
    r = np.asarray(comps.sizes(), dtype=float)[np.asarray(comps.membership)]
    if n > 1:
        c = c * (r - 1) / (n - 1)
    else:
        c = np.zeros(n)
    return dict(zip(view.nodes, c.tolist(), strict=True))


def harmonic(G, *, weight: str | None = None, normalized: bool = False) -> dict:
    r"""Harmonic centrality :math:`\sum_{u \ne v} 1/d(v, u)`.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None
        Edge attribute used as a distance.
    normalized : bool, default False
        ``False`` matches :func:`networkx.harmonic_centrality` (no
        normalisation); ``True`` divides by ``n - 1``.

    Returns
    -------
    dict

    Examples
    --------
    >>> harmonic(nx.path_graph(3))
    {0: 1.5, 1: 2.0, 2: 1.5}

    Notes
    -----
    Well defined on disconnected graphs (unreachable pairs add 0).

    References
    ----------
    .. [1] M. Marchiori, V. Latora, "Harmony in the small-world", Physica A
       285(3-4), 539-546 (2000). doi:10.1016/S0378-4371(00)00311-3
    """
    g, view = igraph_view(G, weight)
    n = len(view.nodes)
    if n == 0:
        return {}
    wts = "weight" if weight is not None else None
    h = np.asarray(g.harmonic_centrality(weights=wts, normalized=False), dtype=float)
    if normalized:
        h = h / (n - 1) if n > 1 else np.zeros(n)
    return dict(zip(view.nodes, h.tolist(), strict=True))


def _dense_eigvec(A):
    vals, vecs = np.linalg.eigh(A)
    x = np.abs(vecs[:, -1])
    return x / np.linalg.norm(x)


def eigenvector(G, *, weight: str | None = None) -> dict:
    r"""Eigenvector centrality, defined per connected component.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None
        Edge attribute used as tie strength (``None``: unweighted).

    Returns
    -------
    dict
        node -> value; squared values sum to the share of non-isolated nodes
        (1 when there is no isolate).

    Examples
    --------
    >>> ev = eigenvector(nx.Graph([(0, 1), (2, 3), (3, 4)]))
    >>> {v: round(x, 4) for v, x in ev.items()}
    {0: 0.4472, 1: 0.4472, 2: 0.3873, 3: 0.5477, 4: 0.3873}

    Notes
    -----
    The principal eigenvector of a disconnected graph is not unique (and
    power iteration puts all mass on the component with the largest spectral
    radius).  We therefore compute, for every component *C*, the principal
    eigenvector :math:`x_C` of its adjacency matrix with
    :math:`\|x_C\|_2 = 1`, and scale it by :math:`\sqrt{|C|/n}` (so a
    component's share of the squared norm is its share of the nodes); on a
    connected graph the result equals
    :func:`networkx.eigenvector_centrality` (tested).  Isolated actors get 0.
    Values are comparable within a component; across components, compare
    PageRank instead.

    References
    ----------
    .. [1] P. Bonacich, "Power and centrality: a family of measures", Am. J.
       Sociol. 92(5), 1170-1182 (1987). doi:10.1086/228631
    """
    g, view = igraph_view(G, weight)
    n = len(view.nodes)
    out = np.zeros(n)
    if n == 0:
        return {}
    comps = g.connected_components()
    wts = "weight" if weight is not None else None
    A = None
    for members in comps:
        size = len(members)
        if size == 1:
            continue
        if size <= 64:
            if A is None:
                A, _ = csr_view(G, weight)
            x = _dense_eigvec(A[members][:, members].toarray())
        else:
            sub = g.induced_subgraph(members)
            with igraph_rng(0):  # ARPACK's start vector: same input, same bits
                x = np.abs(np.asarray(sub.eigenvector_centrality(weights=wts), dtype=float))
            x /= np.linalg.norm(x)
        out[members] = x * np.sqrt(size / n)
    return dict(zip(view.nodes, out.tolist(), strict=True))


def pagerank(G, *, alpha: float = 0.85, weight: str | None = "weight") -> dict:
    """PageRank (random surfer with teleportation), summing to 1.

    Parameters
    ----------
    G : networkx.Graph
    alpha : float, default 0.85
        Damping factor.
    weight : str or None, default "weight"
        Edge attribute giving transition weights (``None``: unweighted).

    Returns
    -------
    dict

    Examples
    --------
    >>> pr = pagerank(nx.star_graph(2), weight=None)
    >>> round(sum(pr.values()), 10), pr[0] > pr[1]
    (1.0, True)

    Notes
    -----
    Same definition as :func:`networkx.pagerank` (uniform teleportation,
    isolated actors' mass redistributed uniformly); computed with igraph's
    PRPACK solver.  Well defined on disconnected graphs.

    References
    ----------
    .. [1] S. Brin, L. Page, "The anatomy of a large-scale hypertextual Web
       search engine", Comput. Netw. ISDN Syst. 30, 107-117 (1998).
       doi:10.1016/S0169-7552(98)00110-X
    """
    g, view = igraph_view(G, weight)
    if not view.nodes:
        return {}
    wts = "weight" if weight is not None else None
    pr = np.asarray(g.pagerank(directed=False, damping=alpha, weights=wts), dtype=float)
    pr /= pr.sum()
    return dict(zip(view.nodes, pr.tolist(), strict=True))


def rank_and_percentile(values: dict, subset: Iterable | None = None) -> dict:
    """Rank (1 = highest, ties share the lowest rank) and percentile of each node.

    Parameters
    ----------
    values : dict
        node -> metric value.
    subset : iterable, optional
        Restrict the comparison to these nodes (e.g. one cluster's members);
        only they are returned.

    Returns
    -------
    dict
        node -> ``{"rank": int, "percentile": float}``; the percentile is the
        share (0–100] of compared nodes whose value is less than or equal.

    Examples
    --------
    >>> rank_and_percentile({"a": 3.0, "b": 1.0, "c": 3.0, "d": 0.5})["b"]
    {'rank': 3, 'percentile': 50.0}
    """
    keys = list(values) if subset is None else [v for v in subset if v in values]
    x = np.asarray([values[v] for v in keys], dtype=float)
    ranks = rank_desc(x)
    pct = percentile_of(x)
    return {
        v: {"rank": int(r), "percentile": float(p)}
        for v, r, p in zip(keys, ranks.tolist(), pct.tolist(), strict=True)
    }


_TABLE_METRICS = ("degree", "strength", "betweenness", "closeness", "harmonic",
                  "eigenvector", "pagerank")


def centrality_table(
    G,
    *,
    metrics: Iterable[str] = ("degree", "strength", "betweenness"),
    subset: Iterable | None = None,
    weight: str = "weight",
    k: int | str | None = "auto",
    seed: int = 0,
) -> list[dict]:
    """One row per node with centralities and their ranks.

    Parameters
    ----------
    G : networkx.Graph
    metrics : iterable of str, default ("degree", "strength", "betweenness")
        Any of ``degree, strength, betweenness, closeness, harmonic,
        eigenvector, pagerank``.
    subset : iterable, optional
        If given, also report ``<metric>_subset_rank`` and
        ``<metric>_subset_percentile`` within these nodes (e.g. a cluster);
        rows are still returned for every node, subset columns are ``None``
        outside the subset.
    weight : str, default "weight"
        Edge attribute for strength and PageRank.
    k, seed
        Betweenness sampling (see :func:`betweenness_info`); the default
        ``"auto"`` is exact up to :data:`EXACT_BETWEENNESS_MAX_NODES` nodes.

    Returns
    -------
    list of dict
        In ``G``'s node order; keys ``id``, each metric, ``<metric>_rank``
        (1 = highest, ties share the lowest rank), ``<metric>_percentile``
        and, for betweenness, ``betweenness_approximate`` and
        ``betweenness_k``.

    Examples
    --------
    >>> rows = centrality_table(nx.star_graph(2))
    >>> rows[0]["id"], rows[0]["degree"], rows[0]["betweenness"], rows[0]["betweenness_rank"]
    (0, 2, 1.0, 1)
    >>> rows[1]["degree_rank"], rows[2]["betweenness_rank"]
    (2, 2)

    Notes
    -----
    Metric definitions: see the individual functions.
    """
    check_graph(G)
    metrics = tuple(metrics)
    unknown = set(metrics) - set(_TABLE_METRICS)
    if unknown:
        raise ValueError(f"unknown metric(s) {sorted(unknown)}; choose from {_TABLE_METRICS}")
    nodes = list(G)
    columns: dict[str, dict] = {}
    extra: dict[str, object] = {}
    for name in metrics:
        if name == "degree":
            columns[name] = degree(G)
        elif name == "strength":
            columns[name] = strength(G, weight)
        elif name == "betweenness":
            res = betweenness_info(G, k=k, seed=seed)
            columns[name] = res.values
            extra = {"betweenness_approximate": res.approximate, "betweenness_k": res.k}
        elif name == "closeness":
            columns[name] = closeness(G)
        elif name == "harmonic":
            columns[name] = harmonic(G)
        elif name == "eigenvector":
            columns[name] = eigenvector(G)
        elif name == "pagerank":
            columns[name] = pagerank(G, weight=weight)
    rows = [{"id": v} for v in nodes]
    subset_list = None if subset is None else [v for v in subset if v in G]
    for name, vals in columns.items():
        overall = rank_and_percentile(vals)
        inside = rank_and_percentile(vals, subset_list) if subset_list is not None else None
        for row in rows:
            v = row["id"]
            row[name] = vals[v]
            row[f"{name}_rank"] = overall[v]["rank"]
            row[f"{name}_percentile"] = overall[v]["percentile"]
            if inside is not None:
                sub = inside.get(v)
                row[f"{name}_subset_rank"] = sub["rank"] if sub else None
                row[f"{name}_subset_percentile"] = sub["percentile"] if sub else None
    for row in rows:
        row.update(extra)
    return rows
