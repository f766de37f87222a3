"""What-if scenarios: add/remove a tie, an actor or a project consortium and
compare network figures before and after.

Changes are plain dicts (JSON-friendly, for the web layer)::

    {"op": "add_tie", "u": a, "v": b, "weight": 1}
    {"op": "remove_tie", "u": a, "v": b}
    {"op": "add_actor", "actor": {"id": x, "kind": ...}, "partners": [a, b]}
    {"op": "remove_actor", "id": x}
    {"op": "add_project", "id": p, "participants": [a, b, c]}
    {"op": "remove_project", "id": p}

The input graph is never modified: :func:`apply_changes` works on a copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx

from ._graph import bump_version, check_graph
from .centrality import betweenness_info, closeness, pagerank, strength
from .cohesion import component_stats, density, largest_component_distances
from .communities import louvain, modularity
from .synergy import ei_index

__all__ = ["OPS", "apply_changes", "what_if"]

OPS = ("add_tie", "remove_tie", "add_actor", "remove_actor", "add_project", "remove_project")


def _require(G, v):
    if v not in G:
        raise nx.NodeNotFound(f"actor {v!r} is not in the graph")


def _add_weight(H, u, v, w, newman, project=None):
    if H.has_edge(u, v):
        d = H[u][v]
        d["weight"] = d.get("weight", 1) + w
        d["newman"] = d.get("newman", 0.0) + newman
        if project is not None and "projects" in d:
            d["projects"] = sorted({*d["projects"], project}, key=str)
    else:
        attrs = {"weight": w, "newman": newman}
        if project is not None:
            attrs["projects"] = [project]
        H.add_edge(u, v, **attrs)


def apply_changes(G, changes: Iterable[Mapping]) -> tuple[nx.Graph, set]:
    """Return ``(H, involved)``: a modified copy of ``G`` and the actors touched.

    Parameters
    ----------
    G : networkx.Graph
        Co-participation graph (edge attributes ``weight``, ``newman``,
        optionally ``projects``; graph attribute ``participants``).
    changes : iterable of dict
        See the module docstring; applied in order.

    Returns
    -------
    H : networkx.Graph
        The modified copy (with a new ``version``).
    involved : set
        Actors named by the changes (removed actors excluded).

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> H, inv = apply_changes(G, [{"op": "add_tie", "u": 0, "v": 2}])
    >>> H.has_edge(0, 2), G.has_edge(0, 2), sorted(inv)
    (True, False, [0, 2])

    Notes
    -----
    ``add_project`` adds 1 to ``weight`` and :math:`1/(n_p-1)` to
    ``newman`` of every pair of its participants; ``remove_project``
    subtracts the project's contribution from the ties listing it in their
    ``projects`` attribute (requires ``keep_projects=True`` at projection) and
    drops ties left without any shared project.

    References
    ----------
    .. [1] M. E. J. Newman, Phys. Rev. E 64, 016132 (2001).
       doi:10.1103/PhysRevE.64.016132
    """
    check_graph(G)
    H = G.copy()
    H.graph = dict(G.graph)
    H.graph.pop("_analytics_cache", None)
    H.graph["participants"] = dict(G.graph.get("participants", {}))
    involved: set = set()
    removed: set = set()
    for ch in changes:
        op = ch.get("op")
        if op == "add_tie":
            u, v = ch["u"], ch["v"]
            _require(H, u)
            _require(H, v)
            if u == v:
                raise ValueError("a tie needs two different actors")
            _add_weight(H, u, v, ch.get("weight", 1), ch.get("newman", 1.0))
            involved |= {u, v}
        elif op == "remove_tie":
            u, v = ch["u"], ch["v"]
            if not H.has_edge(u, v):
                raise nx.NetworkXError(f"no tie between {u!r} and {v!r}")
            H.remove_edge(u, v)
            involved |= {u, v}
        elif op == "add_actor":
            actor = dict(ch["actor"])
            aid = actor.pop("id")
            if aid in H:
                raise ValueError(f"actor {aid!r} already exists")
            H.add_node(aid, **actor)
            for p in ch.get("partners", ()):
                _require(H, p)
                _add_weight(H, aid, p, 1, 1.0)
                involved.add(p)
            involved.add(aid)
        elif op == "remove_actor":
            aid = ch["id"]
            _require(H, aid)
            involved |= set(H[aid])
            H.remove_node(aid)
            removed.add(aid)
        elif op == "add_project":
            pid = ch["id"]
            members = list(dict.fromkeys(ch["participants"]))
            for a in members:
                _require(H, a)
            if pid in H.graph["participants"]:
                raise ValueError(f"project {pid!r} already exists")
            n_p = len(members)
            H.graph["participants"][pid] = n_p
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    _add_weight(H, a, b, 1, 1.0 / (n_p - 1), pid)
            involved |= set(members)
        elif op == "remove_project":
            pid = ch["id"]
            n_p = H.graph["participants"].get(pid)
            if n_p is None:
                raise ValueError(f"unknown project {pid!r}")
            touched = [(u, v, d) for u, v, d in H.edges(data=True) if pid in d.get("projects", ())]
            if n_p > 1 and not touched:
                raise ValueError(
                    "remove_project needs the 'projects' edge attribute (keep_projects=True)"
                )
            for u, v, d in touched:
                d["weight"] = d.get("weight", 1) - 1
                d["newman"] = d.get("newman", 0.0) - 1.0 / (n_p - 1)
                d["projects"] = [p for p in d["projects"] if p != pid]
                involved |= {u, v}
                if d["weight"] <= 0:
                    H.remove_edge(u, v)
            del H.graph["participants"][pid]
        else:
            raise ValueError(f"unknown op {op!r}; expected one of {OPS}")
    bump_version(H)
    return H, involved - removed


def _figures(H, *, attribute, paths, partition, seed, weight):
    out = {"n_nodes": H.number_of_nodes(), "n_edges": H.number_of_edges()}
    out["density"] = density(H)
    cs = component_stats(H)
    out["n_components"] = cs["n_components"]
    out["largest_share"] = cs["largest_share"]
    out["average_path_length"] = (
        largest_component_distances(H)["average_path_length"] if paths else None
    )
    out["ei_index"] = ei_index(H, attribute)["overall"]
    fixed = {v: partition.get(v, ("new", v)) for v in H}
    out["modularity_fixed_partition"] = modularity(H, fixed, weight=weight)
    out["modularity_louvain"] = modularity(H, louvain(H, weight=weight, seed=seed), weight=weight)
    return out


def _actor_figures(H, actors, *, weight, k, seed):
    actors = [a for a in actors if a in H]
    if not actors:
        return {}
    bet = betweenness_info(H, k=k, seed=seed).values
    clo = closeness(H)
    pr = pagerank(H, weight=weight)
    st = strength(H, weight)
    return {
        a: {
            "degree": H.degree(a),
            "strength": st[a],
            "betweenness": bet[a],
            "closeness": clo[a],
            "pagerank": pr[a],
        }
        for a in actors
    }


def _delta(before, after):
    out = {}
    for key in before.keys() | after.keys():
        b, a = before.get(key), after.get(key)
        out[key] = (a - b) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
    return out


def what_if(
    G,
    changes: Iterable[Mapping],
    *,
    attribute: str = "kind",
    weight: str | None = "weight",
    paths: bool = True,
    seed: int = 0,
    k: int | str | None = "auto",
) -> dict:
    """Before/after network figures and actor centralities for a scenario.

    Parameters
    ----------
    G : networkx.Graph
        Typically one cluster's subgraph (whole-ecosystem path lengths and
        closeness are O(n·m)).
    changes : iterable of dict
        See :func:`apply_changes`.
    attribute : str, default "kind"
        Node attribute of the E-I index.
    weight : str or None, default "weight"
        Tie strength for modularity, Louvain, strength and PageRank.
    paths : bool, default True
        Compute the average path length of the largest component.
    seed : int, default 0
        Louvain and sampled-betweenness seed.
    k : int, "auto" or None
        Betweenness sampling (see
        :func:`~service.analytics.centrality.betweenness_info`).

    Returns
    -------
    dict
        ``before``, ``after``, ``delta`` (after − before) of ``n_nodes,
        n_edges, density, n_components, largest_share, average_path_length,
        ei_index, modularity_fixed_partition`` (the *before* Louvain partition,
        new actors as singletons) and ``modularity_louvain`` (re-optimised);
        ``actors``: involved actor -> ``{"before", "after", "delta"}`` of degree,
        strength, betweenness, closeness, PageRank (``before`` is ``{}`` for
        new actors); ``changes``: the applied changes.

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (2, 3)])
    >>> r = what_if(G, [{"op": "add_tie", "u": 1, "v": 2}], attribute="kind")
    >>> r["delta"]["n_components"], r["after"]["largest_share"]
    (-1, 1.0)

    Notes
    -----
    Figure definitions: :mod:`service.analytics.cohesion`,
    :func:`~service.analytics.synergy.ei_index`,
    :func:`~service.analytics.communities.modularity`.

    References
    ----------
    .. [1] S. P. Borgatti, "Identifying sets of key players in a social
       network", Comput. Math. Organ. Theory 12, 21-34 (2006).
       doi:10.1007/s10588-006-7084-x
    """
    changes = list(changes)
    H, involved = apply_changes(G, changes)
    partition = louvain(G, weight=weight, seed=seed)
    before = _figures(G, attribute=attribute, paths=paths, partition=partition, seed=seed,
                      weight=weight)
    after = _figures(H, attribute=attribute, paths=paths, partition=partition, seed=seed,
                     weight=weight)
    a_before = _actor_figures(G, involved, weight=weight, k=k, seed=seed)
    a_after = _actor_figures(H, involved, weight=weight, k=k, seed=seed)
    actors = {}
    for a in sorted(involved, key=str):
        b, af = a_before.get(a, {}), a_after.get(a, {})
        actors[a] = {"before": b, "after": af, "delta": _delta(b, af) if b else {}}
    return {
        "before": before,
        "after": after,
        "delta": _delta(before, after),
        "actors": actors,
        "changes": changes,
    }
