"""Private helpers shared by the analytics modules.

* :func:`check_graph` rejects graph kinds the engine does not support.
* :func:`igraph_view` converts a networkx graph to igraph once and caches the
  conversion on ``G.graph`` (see *Caching* below).
* :func:`csr_view` does the same for a scipy CSR adjacency matrix.
* :func:`rank_desc` computes competition ranks ("1224") with a float tolerance.

Caching
-------
networkx graphs carry no modification counter, so a cached conversion is only
trusted when the key ``(id(G), G.graph["version"], number_of_nodes, weight)``
is unchanged (``number_of_edges`` is O(n) in networkx, too slow for a key;
``id(G)`` protects copies and subgraph views, which share ``G.graph``).
:func:`~service.analytics.projection.co_participation_graph` sets
``G.graph["version"]``; code that mutates a graph in place must call
:func:`bump_version` (the what-if module does).  Graphs without a ``version``
key are converted anew on every call (never cached).
"""

from __future__ import annotations

import contextlib
import itertools
import random
import threading
from dataclasses import dataclass

import igraph as ig
import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = [
    "GraphView",
    "bump_version",
    "check_graph",
    "csr_view",
    "igraph_of",
    "igraph_rng",
    "igraph_view",
    "rank_desc",
    "percentile_of",
]

_CACHE_KEY = "_analytics_cache"
_VERSION_COUNTER = itertools.count(1)


def new_version() -> int:
    """Return a process-unique version number for ``G.graph["version"]``."""
    return next(_VERSION_COUNTER)


def bump_version(G: nx.Graph) -> None:
    """Mark ``G`` as modified: give it a new version and drop cached views."""
    G.graph["version"] = new_version()
    G.graph.pop(_CACHE_KEY, None)


def check_graph(G, *, allow_empty: bool = True) -> None:
    """Raise if ``G`` is not a simple undirected :class:`networkx.Graph`."""
    if not isinstance(G, nx.Graph):
        raise TypeError(f"expected a networkx.Graph, got {type(G).__name__}")
    if G.is_directed():
        raise nx.NetworkXNotImplemented(
            "not implemented for directed graphs: the co-participation graph is undirected"
        )
    if G.is_multigraph():
        raise nx.NetworkXNotImplemented(
            "not implemented for multigraphs: collapse parallel ties into a 'weight' first"
        )
    if not allow_empty and G.number_of_nodes() == 0:
        raise nx.NetworkXPointlessConcept("the graph has no nodes")


@dataclass(frozen=True)
class GraphView:
    """An indexed snapshot of a networkx graph.

    ``nodes[i]`` is the networkx node of igraph vertex / matrix row ``i`` and
    ``index[node] == i``.  ``edges`` is an ``(m, 2)`` int array with ``u < v``,
    sorted lexicographically, and ``weights`` the matching float array (ones
    when unweighted).
    """

    nodes: list
    index: dict
    edges: np.ndarray
    weights: np.ndarray


def _cache_key(G, weight):
    version = G.graph.get("version")
    if version is None:
        return None
    # number_of_edges() is O(n) in networkx, so only the node count is checked:
    # in-place edge changes must bump the version (see module docstring).  id(G)
    # guards against copies / subgraph views, which share the G.graph dict.
    return (id(G), version, len(G), weight)


def _cached(G, kind, weight, build):
    key = _cache_key(G, weight)
    if key is None:
        return build()
    hit = _peek(G, kind, weight)
    if hit is not None:
        return hit
    cache = G.graph.get(_CACHE_KEY)
    if cache is None or cache.get("_owner") != id(G):
        # a copy shares the original's cache dict: start its own
        cache = G.graph[_CACHE_KEY] = {"_owner": id(G)}
    value = build()
    cache[(kind, weight)] = (key, value)
    return value


def _peek(G, kind, weight):
    """What :func:`_cached` holds for ``(kind, weight)`` on ``G`` as it is now, else None
    (nothing is built)."""
    key = _cache_key(G, weight)
    cache = G.graph.get(_CACHE_KEY)
    if key is None or cache is None or cache.get("_owner") != id(G):
        return None
    hit = cache.get((kind, weight))
    return hit[1] if hit is not None and hit[0] == key else None


def seed_views(G, nodes, edges, weights_by_attr) -> None:
    """Pre-fill the view cache of a freshly built graph (no conversion needed later).

    ``nodes`` must be ``list(G)``, ``edges`` an ``(m, 2)`` array of row indices
    with ``u < v`` and ``weights_by_attr`` maps ``None`` and edge attribute names
    to float arrays aligned with ``edges``.
    """
    index = {v: i for i, v in enumerate(nodes)}
    edges = np.ascontiguousarray(edges, dtype=np.int64)
    for attr, w in weights_by_attr.items():
        view = GraphView(nodes, index, edges, np.asarray(w, dtype=float))
        _cached(G, "view", attr, lambda view=view: view)


def graph_view(G, weight=None) -> GraphView:
    """Indexed edge arrays of ``G`` in canonical (u, v) order (cached, see module docstring)."""

    def build():
        nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        adj = G._adj
        deg = np.fromiter((len(adj[v]) for v in nodes), dtype=np.int64, count=len(nodes))
        total = int(deg.sum())
        rows = np.repeat(np.arange(len(nodes), dtype=np.int64), deg)
        cols = np.fromiter(
            (index[x] for v in nodes for x in adj[v]), dtype=np.int64, count=total
        )
        if total and np.any(rows == cols):
            raise nx.NetworkXNotImplemented("self-loops are not supported")
        upper = np.flatnonzero(rows < cols)
        # canonical order (lexicographic by (u, v)) so that every view of the same
        # graph, built here or seeded by the projection, lists edges identically
        upper = upper[np.lexsort((cols[upper], rows[upper]))]
        edges = np.stack([rows[upper], cols[upper]], axis=1)
        if weight is None:
            weights = np.ones(edges.shape[0], dtype=float)
        else:
            w = np.fromiter(
                (d.get(weight, 1) for v in nodes for d in adj[v].values()),
                dtype=float,
                count=total,
            )
            weights = w[upper]
            if weights.size and np.any(weights < 0):
                raise ValueError(f"negative edge attribute {weight!r} is not supported")
        return GraphView(nodes, index, edges, weights)

    return _cached(G, "view", weight, build)


def igraph_of(n: int, edges: np.ndarray) -> ig.Graph:
    """An undirected igraph graph of ``n`` vertices and the ``(m, 2)`` array ``edges``, in
    that order. (igraph reads a pair of plain lists faster than an array: 0.45 s against
    0.7 to 1.1 s for 940,000 ties.)"""
    g = ig.Graph(n=n, directed=False)
    if len(edges):
        g.add_edges(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
    return g


def igraph_view(G, weight=None) -> tuple[ig.Graph, GraphView]:
    """Return ``(g, view)`` where ``g`` is an igraph copy of ``G``.

    If ``weight`` is given the igraph edge attribute ``"weight"`` holds it.
    """
    check_graph(G)

    def build():
        view = graph_view(G, weight)
        if weight is None:
            return igraph_of(len(view.nodes), view.edges)
        g = igraph_view(G, None)[0].copy()  # same edge order as the weighted view
        g.es["weight"] = view.weights
        return g

    g = _cached(G, "igraph", weight, build)
    return g, graph_view(G, weight)


def csr_view(G, weight=None) -> tuple[sp.csr_array, GraphView]:
    """Symmetric CSR adjacency matrix (float64) of ``G`` plus its view."""
    check_graph(G)

    def build():
        view = graph_view(G, weight)
        n = len(view.nodes)
        r = np.concatenate([view.edges[:, 0], view.edges[:, 1]])
        c = np.concatenate([view.edges[:, 1], view.edges[:, 0]])
        w = np.concatenate([view.weights, view.weights])
        A = sp.csr_array((w, (r, c)), shape=(n, n))
        A.sum_duplicates()
        A.sort_indices()
        return A

    A = _cached(G, "csr", weight, build)
    return A, graph_view(G, weight)


def rank_desc(values, *, rtol: float = 1e-9) -> np.ndarray:
    """Competition ranks, 1 = highest; ties (within ``rtol``) share the lowest rank.

    >>> rank_desc([0.5, 2.0, 0.5, 1.0]).tolist()
    [3, 1, 3, 2]
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-x, kind="stable")
    xs = x[order]
    scale = np.maximum(np.abs(xs[1:]), np.abs(xs[:-1]))
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = np.abs(xs[1:] - xs[:-1]) > rtol * np.maximum(scale, 1e-300)
    pos = np.arange(1, n + 1)
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = group_start
    return ranks


def percentile_of(values, *, rtol: float = 1e-9) -> np.ndarray:
    """Percentile (0–100] of each value: share of values less than or equal to it.

    >>> percentile_of([1.0, 2.0, 2.0, 4.0]).tolist()
    [25.0, 75.0, 75.0, 100.0]
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return np.zeros(0)
    # rank from the bottom with ties sharing the highest position
    ranks_from_top = rank_desc(x, rtol=rtol)  # 1 = highest
    # number of values <= x_i  ==  n - (number strictly greater) == n - (rank - 1)
    return 100.0 * (n - ranks_from_top + 1) / n


_IGRAPH_RNG_LOCK = threading.RLock()


@contextlib.contextmanager
def igraph_rng(seed):
    """Run igraph's randomised routines with a private ``random.Random(seed)``.

    igraph draws from one process-global generator (by default Python's
    :mod:`random` module).  Inside this context it uses a fresh
    ``random.Random(seed)``; afterwards the default (the :mod:`random` module)
    is restored, so the global :mod:`random` state is never consumed.  A lock
    serialises concurrent users (e.g. web request threads).
    """
    with _IGRAPH_RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)
