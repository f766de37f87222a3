"""Community detection (Louvain), modularity and agreement with declared clusters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import igraph as ig
import networkx as nx
import numpy as np

from ._graph import check_graph, igraph_rng, igraph_view

__all__ = [
    "communities_as_sets",
    "declared_membership",
    "louvain",
    "modularity",
    "partition_agreement",
]


def _canonical(membership, nodes) -> dict:
    """Relabel communities 0, 1, ... by decreasing size, ties by first node."""
    membership = np.asarray(membership)
    if membership.size == 0:
        return {}
    labels, first, counts = np.unique(membership, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    new_label = np.empty(labels.size, dtype=np.int64)
    new_label[order] = np.arange(labels.size)
    lookup = dict(zip(labels.tolist(), new_label.tolist(), strict=True))
    return {v: lookup[c] for v, c in zip(nodes, membership.tolist(), strict=True)}


def louvain(
    G, *, weight: str | None = "weight", resolution: float = 1.0, seed: int = 0
) -> dict:
    """Louvain (multilevel modularity optimisation) communities, node -> community id.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None, default "weight"
        Edge attribute used as tie strength.
    resolution : float, default 1.0
        Modularity resolution γ (larger -> smaller communities).
    seed : int, default 0
        Seed of igraph's random node order; same input -> same output.

    Returns
    -------
    dict
        node -> int; ids are 0, 1, ... by decreasing community size (ties by
        the first node in ``G``'s order).  Isolated actors form singleton
        communities.

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)])
    >>> louvain(G, weight=None)
    {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 1}

    Notes
    -----
    Runs igraph's ``community_multilevel`` (best level) under a private RNG
    seeded with ``seed`` (:func:`service.analytics._graph.igraph_rng`), so
    neither the global :mod:`random` state nor other threads interfere.

    References
    ----------
    .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte, E. Lefebvre, "Fast
       unfolding of communities in large networks", J. Stat. Mech. P10008
       (2008). doi:10.1088/1742-5468/2008/10/P10008
    """
    g, view = igraph_view(G, weight)
    if g.vcount() == 0:
        return {}
    wts = "weight" if weight is not None else None
    with igraph_rng(seed):
        cl = g.community_multilevel(weights=wts, resolution=resolution)
    return _canonical(cl.membership, view.nodes)


def communities_as_sets(membership: Mapping) -> list[set]:
    """Convert node -> community id into a list of node sets ordered by id.

    Parameters
    ----------
    membership : dict
        node -> community id.

    Returns
    -------
    list of set

    Examples
    --------
    >>> [sorted(c) for c in communities_as_sets({"a": 1, "b": 0, "c": 1})]
    [['b'], ['a', 'c']]
    """
    groups: dict = {}
    for v, c in membership.items():
        groups.setdefault(c, set()).add(v)
    try:
        keys = sorted(groups)
    except TypeError:
        keys = sorted(groups, key=str)
    return [groups[k] for k in keys]


def _membership_vector(G, view, communities):
    if isinstance(communities, Mapping):
        labels = communities
    else:
        labels = {}
        for c, members in enumerate(communities):
            for v in members:
                if v in labels:
                    raise nx.NetworkXError(f"node {v!r} is in more than one community")
                labels[v] = c
    missing = [v for v in view.nodes if v not in labels]
    if missing:
        raise nx.NetworkXError(f"{len(missing)} node(s) without a community, e.g. {missing[0]!r}")
    codes: dict = {}
    return [codes.setdefault(labels[v], len(codes)) for v in view.nodes]


def modularity(
    G, communities, *, weight: str | None = "weight", resolution: float = 1.0
) -> float:
    r"""Newman–Girvan modularity of a partition.

    :math:`Q = \frac{1}{2m}\sum_{ij}\left(A_{ij} - \gamma\frac{k_i k_j}{2m}\right)\delta(c_i, c_j)`.

    Parameters
    ----------
    G : networkx.Graph
    communities : dict node -> label, or iterable of node sets
        Must cover every node exactly once.
    weight : str or None, default "weight"
    resolution : float, default 1.0

    Returns
    -------
    float
        0 for a graph without ties.

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (2, 3)])
    >>> modularity(G, [{0, 1}, {2, 3}], weight=None)
    0.5

    Notes
    -----
    Equals :func:`networkx.community.modularity` (tested).

    References
    ----------
    .. [1] M. E. J. Newman, M. Girvan, "Finding and evaluating community
       structure in networks", Phys. Rev. E 69, 026113 (2004).
       doi:10.1103/PhysRevE.69.026113
    """
    g, view = igraph_view(G, weight)
    if g.ecount() == 0:
        return 0.0
    memb = _membership_vector(G, view, communities)
    wts = "weight" if weight is not None else None
    return float(g.modularity(memb, weights=wts, resolution=resolution, directed=False))


def declared_membership(G, attribute: str = "clusters") -> dict:
    """Node -> declared cluster for nodes with exactly one declared cluster.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, default "clusters"

    Returns
    -------
    dict

    ``attribute`` may hold a scalar label or a list/tuple/set of labels;
    nodes with none or several labels are left out (an overlapping
    membership is not a partition).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"clusters": ["A"]}), (2, {"clusters": ["A", "B"]}), (3, {})])
    >>> declared_membership(G)
    {1: 'A'}
    """
    check_graph(G)
    out = {}
    for v, val in G.nodes(data=attribute):
        if val is None:
            continue
        if isinstance(val, (list, tuple, set, frozenset)):
            if len(val) != 1:
                continue
            val = next(iter(val))
        out[v] = val
    return out


def partition_agreement(a: Mapping, b: Mapping, *, nodes: Iterable | None = None) -> dict:
    """Agreement of two partitions: normalised mutual information and adjusted Rand index.

    Parameters
    ----------
    a, b : dict node -> label
        E.g. :func:`louvain` output and :func:`declared_membership`.
    nodes : iterable, optional
        Nodes to compare (default: nodes labelled in both).

    Returns
    -------
    dict
        ``nmi`` (Danon et al., arithmetic-mean normalisation, in [0, 1]),
        ``ari`` (Hubert–Arabie, 1 = identical, ≈0 = chance) and ``n`` the
        number of compared nodes.

    Examples
    --------
    >>> partition_agreement({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    {'nmi': 1.0, 'ari': 1.0, 'n': 3}

    Notes
    -----
    Computed with :func:`igraph.compare_communities`; the tests cross-check
    with a contingency-table implementation.

    References
    ----------
    .. [1] L. Danon, A. Díaz-Guilera, J. Duch, A. Arenas, "Comparing community
       structure identification", J. Stat. Mech. P09008 (2005).
       doi:10.1088/1742-5468/2005/09/P09008
    .. [2] L. Hubert, P. Arabie, "Comparing partitions", J. Classif. 2,
       193-218 (1985). doi:10.1007/BF01908075
    """
    keys = [v for v in (a if nodes is None else nodes) if v in a and v in b]
    if len(keys) < 2:
        return {"nmi": None, "ari": None, "n": len(keys)}
    ca: dict = {}
    cb: dict = {}
    ma = [ca.setdefault(a[v], len(ca)) for v in keys]
    mb = [cb.setdefault(b[v], len(cb)) for v in keys]
    if len(ca) == 1 and len(cb) == 1:
        return {"nmi": 1.0, "ari": 1.0, "n": len(keys)}
    nmi = float(ig.compare_communities(ma, mb, method="nmi"))
    ari = float(ig.compare_communities(ma, mb, method="adjusted_rand"))
    return {"nmi": nmi, "ari": ari, "n": len(keys)}
