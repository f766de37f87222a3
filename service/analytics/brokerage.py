"""Brokerage: Burt's structural holes, Gould–Fernandez roles, cut points and bridges."""

from __future__ import annotations

import networkx as nx  # noqa: F401  (doctests)
import numpy as np
import scipy.sparse as sp

from ._graph import csr_view, igraph_view

__all__ = [
    "ROLES",
    "articulation_points",
    "bridges",
    "brokerage_roles",
    "constraint",
    "effective_size",
]

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def _rows_and_strengths(A):
    """Degrees (stored entries per row), the row of each stored entry, and 1/strength
    (0 for an actor whose ties weigh nothing)."""
    deg = np.diff(A.indptr)
    rows = np.repeat(np.arange(len(deg)), deg)
    s = np.bincount(rows, weights=A.data, minlength=len(deg))  # int64 when there is no tie
    inv_s = np.divide(1.0, s, out=np.zeros(len(deg)), where=s > 0)
    return deg, rows, inv_s


def constraint(G, *, weight: str | None = None) -> dict:
    r"""Burt's network constraint.

    :math:`c_i = \sum_{j \in N(i)} \left(p_{ij} + \sum_{q \ne i,j} p_{iq} p_{qj}\right)^2`
    with :math:`p_{ij} = w_{ij} / \sum_k w_{ik}` the share of *i*'s ties
    invested in *j*.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None
        Tie strength attribute (``None``: every tie 1).

    Returns
    -------
    dict
        node -> constraint; ``None`` for isolated actors (networkx: nan).

    Examples
    --------
    >>> c = constraint(nx.star_graph(3))
    >>> round(c[0], 6), c[1]
    (0.333333, 1.0)

    Notes
    -----
    Equals :func:`networkx.constraint` (tested).  High constraint = few
    structural holes.  The indirect term :math:`(P^2)_{ij}` is needed on ties only:
    it is summed over the partners *i* and *j* share
    (:func:`~service.analytics._kernels.common_partner_sums`), in time
    :math:`\sum_{ij} \min(d_i, d_j)` over ties and memory for one value per tie, where
    the full product would cost :math:`\sum_i d_i^2` (1.3 billion on the whole Horizon
    2020 network).

    References
    ----------
    .. [1] R. S. Burt, *Structural Holes: The Social Structure of
       Competition*, Harvard University Press (1992).
       doi:10.4159/9780674029095
    """
    A, view = csr_view(G, weight)
    if not view.nodes:
        return {}
    from ._kernels import common_partner_sums  # numba: imported when first needed

    deg, rows, inv_s = _rows_and_strengths(A)
    # s_i (P^2)_ij for each tie: the indirect investment, over the partners i and j share
    indirect = common_partner_sums(A, A.data, A.data, inv_s)
    total = np.where(A.data != 0, (A.data + indirect) * inv_s[rows], 0.0)  # p_ij + (P^2)_ij
    c = np.bincount(rows, weights=total * total, minlength=len(view.nodes))
    return {v: (float(c[i]) if deg[i] else None) for i, v in enumerate(view.nodes)}


def effective_size(G, *, weight: str | None = None) -> dict:
    r"""Burt's effective size of each actor's ego network.

    :math:`e_i = \sum_{j \in N(i)} \left(1 - \sum_{q \ne i,j} p_{iq} m_{jq}\right)`
    with :math:`m_{jq} = w_{jq} / \max_k w_{jk}`; unweighted this is
    :math:`d_i - 2t_i/d_i` (Borgatti), *t* the ties among *i*'s partners.

    Parameters
    ----------
    G : networkx.Graph
    weight : str or None

    Returns
    -------
    dict
        node -> effective size; ``None`` for isolated actors (networkx: nan).

    Examples
    --------
    >>> effective_size(nx.complete_graph(3))[0], effective_size(nx.star_graph(3))[0]
    (1.0, 3.0)

    Notes
    -----
    Equals :func:`networkx.effective_size` (tested).  Caveat: for *weighted*
    graphs networkx 3.6's vectorised path (``nodes=None``) normalises
    :math:`m_{jq}` by the maximum tie of *q* instead of *j*; we follow Burt's
    formula, i.e. networkx's per-node path (``nodes=list(G)``).

    The inner sum runs over the partners *i* and *j* share, tie by tie
    (:func:`~service.analytics._kernels.common_partner_sums`), as for
    :func:`constraint`.

    References
    ----------
    .. [1] R. S. Burt, *Structural Holes* (1992). doi:10.4159/9780674029095
    .. [2] S. P. Borgatti, "Structural holes: unpacking Burt's redundancy
       measures", Connections 20(1), 35-38 (1997).
    """
    A, view = csr_view(G, weight)
    if not view.nodes:
        return {}
    from ._kernels import common_partner_sums

    deg, rows, inv_s = _rows_and_strengths(A)
    rowmax = np.zeros(len(deg))
    if A.nnz:
        rowmax[deg > 0] = np.maximum.reduceat(A.data, A.indptr[:-1][deg > 0])
    inv_max = np.divide(1.0, rowmax, out=np.zeros_like(rowmax), where=rowmax > 0)
    # sum over q of m_qj for the partners q that i and j share, then weighed by p_ij
    shared = common_partner_sums(A, (A.data != 0).astype(float), A.data, inv_max)
    red = np.bincount(rows, weights=A.data * inv_s[rows] * shared, minlength=len(deg))
    e = deg - red
    return {v: (float(e[i]) if deg[i] else None) for i, v in enumerate(view.nodes)}


def brokerage_roles(G, attribute: str = "kind", *, missing: str = "unknown") -> dict:
    r"""Gould–Fernandez brokerage role counts of each actor for a node attribute.

    An actor *v* brokers the pair (*a*, *c*) when *a*–*v* and *v*–*c* are ties
    but *a*–*c* is not.  With groups :math:`g(\cdot)`:

    ============== ==========================================
    coordinator    g(a) = g(v) = g(c)
    itinerant      g(a) = g(c) ≠ g(v)   (a.k.a. consultant)
    representative g(a) = g(v) ≠ g(c)
    gatekeeper     g(v) = g(c) ≠ g(a)
    liaison        g(a), g(v), g(c) all different
    ============== ==========================================

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, default "kind"
        Node attribute defining groups (missing -> ``missing``).

    Returns
    -------
    dict
        node -> ``{role: count, ..., "total": count}``.

    Examples
    --------
    >>> G = nx.Graph([("a", "v"), ("v", "c")])
    >>> nx.set_node_attributes(G, {"a": "sme", "v": "university", "c": "sme"}, "kind")
    >>> r = brokerage_roles(G)["v"]
    >>> r["itinerant"], r["total"]
    (2, 2)

    Notes
    -----
    Direction: the co-participation graph is undirected, so each tie is
    treated as two arcs and each brokered unordered pair {a, c} is counted
    twice, once as a→v→c and once as c→v→a.  Consequently every count is
    even, and *representative* and *gatekeeper* counts are always equal (the
    same pair seen from both ends); divide by 2 for unordered pairs.
    Computed from neighbour-group counts minus closed triangles
    (igraph ``list_triangles``), not by enumerating pairs.

    References
    ----------
    .. [1] R. V. Gould, R. M. Fernandez, "Structures of mediation: a formal
       approach to brokerage in transaction networks", Sociol. Methodol. 19,
       89-126 (1989). doi:10.2307/270949
    """
    g, view = igraph_view(G)
    A, _ = csr_view(G)
    n = len(view.nodes)
    labels = [G.nodes[v].get(attribute) for v in view.nodes]
    labels = [missing if x is None else x for x in labels]
    names = sorted(set(labels), key=str)
    code = {k: i for i, k in enumerate(names)}
    grp = np.asarray([code[x] for x in labels], dtype=np.int64)
    k = len(names)
    out = {v: dict.fromkeys(ROLES, 0) | {"total": 0} for v in view.nodes}
    if n == 0 or g.ecount() == 0:
        return out
    onehot = sp.csr_array((np.ones(n), (np.arange(n), grp)), shape=(n, k))
    Abin = (A != 0).astype(float)
    cnt = np.asarray((Abin @ onehot).todense())  # n x k neighbours per group
    # ordered neighbour pairs (a, c), a != c, per (g(a), g(c))
    pairs = cnt[:, :, None] * cnt[:, None, :]
    pairs[:, np.arange(k), np.arange(k)] -= cnt
    tri = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
    if tri.size:
        closed = np.zeros((n, k, k))
        for x, y, z in ((0, 1, 2), (1, 0, 2), (2, 0, 1)):
            v, a, c = tri[:, x], tri[:, y], tri[:, z]
            np.add.at(closed, (v, grp[a], grp[c]), 1)
            np.add.at(closed, (v, grp[c], grp[a]), 1)
        pairs -= closed
    h = grp
    same_a = np.arange(k)[None, :, None] == h[:, None, None]
    same_c = np.arange(k)[None, None, :] == h[:, None, None]
    diag = np.eye(k, dtype=bool)[None, :, :]
    roles = {
        "coordinator": same_a & same_c,
        "itinerant": diag & ~same_a,
        "representative": same_a & ~same_c,
        "gatekeeper": ~same_a & same_c,
        "liaison": ~diag & ~same_a & ~same_c,
    }
    counts = {r: np.rint((pairs * m).sum(axis=(1, 2))).astype(np.int64) for r, m in roles.items()}
    for i, v in enumerate(view.nodes):
        row = out[v]
        for r in ROLES:
            row[r] = int(counts[r][i])
        row["total"] = sum(row[r] for r in ROLES)
    return out


def articulation_points(G) -> list:
    """Actors whose removal disconnects their component (cut vertices).

    Parameters
    ----------
    G : networkx.Graph
        Undirected simple graph.

    Examples
    --------
    >>> articulation_points(nx.path_graph(4))
    [1, 2]

    Returns
    -------
    list
        In ``G``'s node order.

    Notes
    -----
    Same set as :func:`networkx.articulation_points`.

    References
    ----------
    .. [1] J. Hopcroft, R. Tarjan, "Algorithm 447: efficient algorithms for
       graph manipulation", Commun. ACM 16(6), 372-378 (1973).
       doi:10.1145/362248.362272
    """
    g, view = igraph_view(G)
    idx = sorted(g.articulation_points())
    return [view.nodes[i] for i in idx]


def bridges(G) -> list:
    """Ties whose removal disconnects their component.

    Parameters
    ----------
    G : networkx.Graph
        Undirected simple graph.

    Examples
    --------
    >>> bridges(nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3)]))
    [(2, 3)]

    Returns
    -------
    list of (u, v)
        ``u`` before ``v`` in ``G``'s node order; sorted.

    Notes
    -----
    Same set as :func:`networkx.bridges`.

    References
    ----------
    .. [1] R. E. Tarjan, "A note on finding the bridges of a graph", Inf.
       Process. Lett. 2(6), 160-161 (1974). doi:10.1016/0020-0190(74)90003-9
    """
    g, view = igraph_view(G)
    out = []
    for e in g.bridges():
        a, b = g.es[e].tuple
        a, b = min(a, b), max(a, b)
        out.append((a, b))
    return [(view.nodes[a], view.nodes[b]) for a, b in sorted(out)]
