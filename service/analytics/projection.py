"""Actor × project bipartite data → weighted co-participation graph.

The projection is computed with a sparse incidence matrix ``B`` (actors ×
projects): ``B·Bᵀ`` counts shared projects and ``B·D·Bᵀ`` with
``D = diag(1/(n_p − 1))`` gives Newman's collaboration weight.  This is two
orders of magnitude faster than ``networkx.bipartite`` projections at
ecosystem scale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import scipy.sparse as sp

from ._graph import new_version, seed_views

__all__ = ["co_participation_graph", "incidence_matrix"]


def _sorted_unique(values):
    """Sort ids; fall back to sorting by ``str`` for mixed, incomparable types."""
    uniq = set(values)
    try:
        return sorted(uniq)
    except TypeError:
        return sorted(uniq, key=lambda x: (type(x).__name__, str(x)))


def incidence_matrix(actor_ids, participations):
    """Sparse 0/1 incidence matrix of actors (rows) × projects (columns).

    Parameters
    ----------
    actor_ids : sequence
        Row order; every actor of ``participations`` must be in it.
    participations : iterable of (actor_id, project_id)
        Duplicated pairs count once.

    Returns
    -------
    B : scipy.sparse.csr_array of int64, shape (len(actor_ids), n_projects)
    project_ids : list
        Column order (sorted project ids).

    Examples
    --------
    >>> B, projects = incidence_matrix(["a", "b"], [("a", "p1"), ("b", "p1"), ("a", "p1")])
    >>> B.toarray().tolist(), projects
    ([[1], [1]], ['p1'])
    """
    row_of = {a: i for i, a in enumerate(actor_ids)}
    pairs = list(participations)
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"a participation must be an (actor_id, project_id) pair: {pair!r}")
    unknown = {a for a, _ in pairs if a not in row_of}
    if unknown:
        sample = ", ".join(repr(a) for a in list(_sorted_unique(unknown))[:5])
        raise ValueError(f"{len(unknown)} actor id(s) in participations are not actors: {sample}")
    project_ids = _sorted_unique(p for _, p in pairs)
    col_of = {p: j for j, p in enumerate(project_ids)}
    rows = np.fromiter((row_of[a] for a, _ in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((col_of[p] for _, p in pairs), dtype=np.int64, count=len(pairs))
    B = sp.csr_array(
        (np.ones(len(pairs), dtype=np.int64), (rows, cols)),
        shape=(len(row_of), len(project_ids)),
    )
    B.sum_duplicates()
    B.data[:] = 1  # duplicates count once
    return B, project_ids


def _shared_projects(B, project_ids):
    """For every co-participating pair ``i < j`` the sorted list of shared project columns.

    Returns ``(i, j, lists)`` with pairs in lexicographic order.
    """
    Bc = B.tocsc()
    Bc.sort_indices()
    ii, jj, pp = [], [], []
    for p in range(Bc.shape[1]):
        members = Bc.indices[Bc.indptr[p] : Bc.indptr[p + 1]]
        k = members.size
        if k < 2:
            continue
        a, b = np.triu_indices(k, 1)
        ii.append(members[a])
        jj.append(members[b])
        pp.append(np.full(a.size, p, dtype=np.int64))
    if not ii:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, []
    i = np.concatenate(ii)
    j = np.concatenate(jj)
    p = np.concatenate(pp)
    order = np.lexsort((p, j, i))
    i, j, p = i[order], j[order], p[order]
    new = np.ones(i.size, dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    starts = np.flatnonzero(new)
    bounds = np.append(starts, i.size)
    names = np.asarray(project_ids, dtype=object)[p].tolist()  # one take, then slices
    lists = [names[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(),
                                        strict=True)]
    return i[starts], j[starts], lists


def _fill_adjacency(G: nx.Graph, ids: list, rows, cols, attrs: list) -> None:
    """Put the ties ``rows[k] < cols[k]`` (indices into ``ids``, in (row, col) order) with
    the attribute dicts ``attrs[k]`` into ``G``, whose nodes are ``ids``, in place.

    Each node's neighbour dict is made in one go (``dict(zip(...))``), in increasing index
    order: the order one ``adj[u][v] = adj[v][u] = ...`` per tie, in (row, col) order, gives
    (every lower-index neighbour was met on its own row first), so that every traversal,
    hence every figure, is the same to the last bit; four times faster at 938,000 ties.
    The two directions of a tie share one dict, as networkx's own ``add_edge`` does."""
    m = len(attrs)
    if not m:
        return
    src = np.concatenate([rows, cols])
    dst = np.concatenate([cols, rows])
    which = np.concatenate([np.arange(m), np.arange(m)])
    order = np.lexsort((dst, src))
    src, dst, which = src[order], dst[order], which[order]
    names = np.asarray(ids, dtype=object)
    neighbours = names[dst].tolist()
    shared = np.empty(m, dtype=object)
    shared[:] = attrs
    tie = shared[which].tolist()
    cut = np.flatnonzero(np.diff(src)) + 1
    starts = np.concatenate([[0], cut]).tolist()
    ends = np.concatenate([cut, [src.size]]).tolist()
    adj = G._adj
    for node, a, b in zip(names[src[starts]].tolist(), starts, ends, strict=True):
        adj[node] = dict(zip(neighbours[a:b], tie[a:b], strict=True))


def co_participation_graph(
    actors: Iterable[Mapping],
    participations: Iterable[tuple],
    *,
    projects: Mapping | None = None,
    keep_projects: bool = True,
) -> nx.Graph:
    r"""Build the actor co-participation graph from project participations.

    Two actors are tied iff they take part in at least one common project.

    Parameters
    ----------
    actors : iterable of dict
        Each dict has an ``"id"`` key (the node key) and any other attributes
        (name, kind, clusters, ...), copied as node attributes.  Every actor
        becomes a node, including actors without any project (isolates).
        Duplicated ids raise :class:`ValueError`.
    participations : iterable of (actor_id, project_id)
        Duplicated pairs count once.  An actor id not in ``actors`` raises
        :class:`ValueError`.
    projects : dict, optional
        ``project_id -> attributes``; stored as ``G.graph["projects"]`` (not
        used by the projection itself).
    keep_projects : bool, default True
        Store the sorted list of shared project ids on each edge
        (``"projects"``).  Set to ``False`` to save memory at scale.

    Returns
    -------
    networkx.Graph
        Edge attributes:

        * ``weight`` — number of shared projects, :math:`w_{ij} = (BB^T)_{ij}`;
        * ``newman`` — Newman's collaboration weight
          :math:`\sum_{p \ni i,j} 1/(n_p - 1)` with :math:`n_p` the number of
          distinct participants of project *p*;
        * ``projects`` — sorted shared project ids (if ``keep_projects``).

        Graph attributes: ``participants`` (project id -> number of distinct
        participants), ``projects`` (the ``projects`` argument or ``{}``) and
        ``version`` (used to cache igraph conversions).

    Examples
    --------
    >>> actors = [{"id": "a", "kind": "sme"}, {"id": "b"}, {"id": "c"}, {"id": "d"}]
    >>> parts = [("a", "p1"), ("b", "p1"), ("c", "p1"), ("a", "p2"), ("b", "p2")]
    >>> G = co_participation_graph(actors, parts)
    >>> G["a"]["b"]["weight"], G["a"]["b"]["newman"], G["a"]["b"]["projects"]
    (2, 1.5, ['p1', 'p2'])
    >>> G["a"]["c"]["newman"], G.degree("d"), G.nodes["a"]["kind"]
    (0.5, 0, 'sme')

    Notes
    -----
    Newman's weight shares one unit of collaboration per participant of a
    project among its :math:`n_p - 1` partners, so large consortia weigh
    less per tie than small ones.  It equals
    :func:`networkx.algorithms.bipartite.collaboration_weighted_projected_graph`;
    ``weight`` equals :func:`networkx.algorithms.bipartite.weighted_projected_graph`.

    References
    ----------
    .. [1] M. E. J. Newman, "Scientific collaboration networks. II. Shortest
       paths, weighted networks, and centrality", Phys. Rev. E 64, 016132
       (2001). doi:10.1103/PhysRevE.64.016132
    """
    G = nx.Graph()
    actor_ids = []
    seen = set()
    for actor in actors:
        if "id" not in actor:
            raise ValueError(f"actor without an 'id': {actor!r}")
        aid = actor["id"]
        if aid in seen:
            raise ValueError(f"duplicated actor id {aid!r}")
        seen.add(aid)
        actor_ids.append(aid)
        G.add_node(aid, **{k: v for k, v in actor.items() if k != "id"})
    B, project_ids = incidence_matrix(actor_ids, participations)
    n_p = np.asarray(B.sum(axis=0)).ravel()
    G.graph["participants"] = {p: int(c) for p, c in zip(project_ids, n_p, strict=True)}
    G.graph["projects"] = dict(projects) if projects is not None else {}
    G.graph["version"] = new_version()
    if B.nnz == 0:
        return G

    W = sp.triu(B @ B.T, k=1).tocoo()
    inv = np.zeros(n_p.size, dtype=float)
    multi = n_p > 1
    inv[multi] = 1.0 / (n_p[multi] - 1)
    N = sp.triu((B @ sp.diags_array(inv)) @ B.T, k=1).tocoo()
    order = np.lexsort((W.col, W.row))
    rows, cols, weights = W.row[order], W.col[order], W.data[order]
    norder = np.lexsort((N.col, N.row))
    # every co-participating pair shares a project with n_p >= 2, so the patterns match
    if not (np.array_equal(N.row[norder], rows) and np.array_equal(N.col[norder], cols)):
        raise AssertionError("inconsistent projections")  # pragma: no cover
    newman = N.data[norder]
    if keep_projects:
        si, sj, lists = _shared_projects(B, project_ids)
        if not (np.array_equal(si, rows) and np.array_equal(sj, cols)):  # pragma: no cover
            raise AssertionError("inconsistent projections")
        attrs = [{"weight": w, "newman": x, "projects": ps} for w, x, ps in zip(
            weights.tolist(), newman.tolist(), lists, strict=True)]
    else:
        attrs = [{"weight": w, "newman": x} for w, x in zip(
            weights.tolist(), newman.tolist(), strict=True)]
    _fill_adjacency(G, actor_ids, rows, cols, attrs)
    nx._clear_cache(G)
    edges = np.stack([rows, cols], axis=1)
    seed_views(
        G,
        actor_ids,
        edges,
        {None: np.ones(rows.size), "weight": weights.astype(float), "newman": newman},
    )
    return G
