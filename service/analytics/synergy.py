"""Synergy between actor kinds: consortium mix, kind×kind ties, E-I index,
assortativity and Leydesdorff's triple-helix mutual information.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np

from graph_schema.model import ActorKind, HelixSphere, KindFamily

from ._graph import check_graph, graph_view, igraph_view

__all__ = [
    "COMPANY_KINDS",
    "RESEARCH_KINDS",
    "TRAINING_KINDS",
    "DEFAULT_HELIX",
    "KIND_FAMILY",
    "consortia",
    "ei_index",
    "kind_assortativity",
    "kind_tie_matrix",
    "project_mix",
    "triple_helix",
]

#: Every actor kind -> its family for the project mix (``None``: in no family). Total over
#: :class:`~graph_schema.model.ActorKind` (tests/unit/test_vocabularies.py checks it).
KIND_FAMILY: dict[ActorKind, KindFamily | None] = {
    ActorKind.COMPANY: KindFamily.COMPANY,
    ActorKind.LARGE_COMPANY: KindFamily.COMPANY,
    ActorKind.SME: KindFamily.COMPANY,
    ActorKind.STARTUP: KindFamily.COMPANY,
    ActorKind.UNIVERSITY: KindFamily.RESEARCH,
    ActorKind.RESEARCH_LAB: KindFamily.RESEARCH,
    ActorKind.TRAINING_CENTRE: KindFamily.TRAINING,
    ActorKind.PUBLIC_AGENCY: None,
    ActorKind.FUNDER: None,
    ActorKind.ASSOCIATION: None,
    ActorKind.OTHER: None,
}


def _family(family: KindFamily) -> frozenset[ActorKind]:
    return frozenset(k for k, f in KIND_FAMILY.items() if f is family)


COMPANY_KINDS = _family(KindFamily.COMPANY)
RESEARCH_KINDS = _family(KindFamily.RESEARCH)
TRAINING_KINDS = _family(KindFamily.TRAINING)

#: Every actor kind -> its triple-helix sphere (``None``: left out of the helix). Total over
#: :class:`~graph_schema.model.ActorKind`. Public agencies and funders are the government
#: sphere; associations and "other" are left out: they are neither firms, nor academia, nor
#: the state (in the demo, professional associations; in CORDIS, OTH gathers NGOs,
#: foundations and international bodies), i.e. what quadruple-helix studies call civil
#: society, and forcing them into one of the three spheres would blur the one they joined.
DEFAULT_HELIX: dict[ActorKind, HelixSphere | None] = {
    ActorKind.COMPANY: HelixSphere.INDUSTRY,
    ActorKind.LARGE_COMPANY: HelixSphere.INDUSTRY,
    ActorKind.SME: HelixSphere.INDUSTRY,
    ActorKind.STARTUP: HelixSphere.INDUSTRY,
    ActorKind.UNIVERSITY: HelixSphere.ACADEMIA,
    ActorKind.RESEARCH_LAB: HelixSphere.ACADEMIA,
    ActorKind.TRAINING_CENTRE: HelixSphere.ACADEMIA,
    ActorKind.PUBLIC_AGENCY: HelixSphere.GOVERNMENT,
    ActorKind.FUNDER: HelixSphere.GOVERNMENT,
    ActorKind.ASSOCIATION: None,
    ActorKind.OTHER: None,
}


def consortia(participations: Iterable[tuple]) -> dict:
    """Project id -> set of distinct participating actor ids.

    Parameters
    ----------
    participations : iterable of (actor_id, project_id)

    Returns
    -------
    dict

    Examples
    --------
    >>> consortia([("a", 1), ("b", 1), ("a", 1), ("c", 2)]) == {1: {"a", "b"}, 2: {"c"}}
    True
    """
    out: dict = {}
    for actor, project in participations:
        out.setdefault(project, set()).add(actor)
    return out


def project_mix(
    participations: Iterable[tuple],
    kinds: Mapping,
    *,
    company_kinds=COMPANY_KINDS,
    research_kinds=RESEARCH_KINDS,
    training_kinds=TRAINING_KINDS,
) -> dict:
    """Share of collaborative projects whose consortium mixes companies with research/training.

    Parameters
    ----------
    participations : iterable of (actor_id, project_id)
    kinds : dict
        actor id -> kind (e.g. ``dict(G.nodes(data="kind"))``); unknown
        actors / kinds count as "other".
    company_kinds, research_kinds, training_kinds : sets of kinds

    Returns
    -------
    dict
        ``n_projects`` (all), ``n_collaborative`` (≥ 2 distinct
        participants, the denominator of every share), counts and shares
        (``share_*``) of collaborative projects with ``company_research``
        (≥1 company and ≥1 research actor), ``company_training``,
        ``company_research_training`` (all three) and ``research_training``.

    Examples
    --------
    >>> kinds = {"a": "sme", "b": "university", "c": "training_centre", "d": "sme"}
    >>> mix = project_mix([("a", 1), ("b", 1), ("a", 2), ("c", 2), ("d", 3), ("a", 3)], kinds)
    >>> mix["share_company_research"], mix["share_company_training"], mix["n_collaborative"]
    (0.3333333333333333, 0.3333333333333333, 3)

    Notes
    -----
    Single-beneficiary projects cannot mix and are left out of the shares.

    References
    ----------
    .. [1] H. Etzkowitz, L. Leydesdorff, "The dynamics of innovation: from
       National Systems and 'Mode 2' to a Triple Helix of university-industry-
       government relations", Res. Policy 29(2), 109-123 (2000).
       doi:10.1016/S0048-7333(99)00055-4
    """
    cons = consortia(participations)
    counts = Counter()
    n_collab = 0
    for members in cons.values():
        if len(members) < 2:
            continue
        n_collab += 1
        ks = {kinds.get(a) for a in members}
        c = bool(ks & company_kinds)
        r = bool(ks & research_kinds)
        t = bool(ks & training_kinds)
        counts["company_research"] += c and r
        counts["company_training"] += c and t
        counts["company_research_training"] += c and r and t
        counts["research_training"] += r and t
    out: dict = {"n_projects": len(cons), "n_collaborative": n_collab}
    for key in ("company_research", "company_training", "company_research_training",
                "research_training"):
        out[key] = int(counts[key])
        out[f"share_{key}"] = counts[key] / n_collab if n_collab else 0.0
    return out


def _labels(G, attribute, missing):
    """Node -> group: the node attribute ``attribute``, or ``attribute`` itself when it is
    a mapping (node -> group; so a caller need not copy a large graph to label it)."""
    labels = {}
    if isinstance(attribute, Mapping):
        for v in G:
            val = attribute.get(v)
            labels[v] = missing if val is None else val
        return labels
    for v, val in G.nodes(data=attribute):
        labels[v] = missing if val is None else val
    return labels


def kind_tie_matrix(G, attribute: str = "kind", *, weight: str | None = None,
                    missing: str = "unknown") -> dict:
    """Number (or total weight) of ties between each pair of kinds.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, default "kind"
        Node attribute; nodes without it get ``missing``.
    weight : str or None
        Sum this edge attribute instead of counting ties.

    Returns
    -------
    dict
        ``{"labels": [...], "matrix": [[...]]}``; symmetric, each tie counted
        once (in both off-diagonal cells, once on the diagonal).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c")])
    >>> nx.set_node_attributes(G, {"a": "sme", "b": "sme", "c": "university"}, "kind")
    >>> kind_tie_matrix(G)
    {'labels': ['sme', 'university'], 'matrix': [[1, 2], [2, 0]]}

    Notes
    -----
    The matrix sums to m + (off-diagonal ties), i.e. off-diagonal ties
    appear twice.

    References
    ----------
    .. [1] M. E. J. Newman, "Mixing patterns in networks", Phys. Rev. E 67,
       026126 (2003). doi:10.1103/PhysRevE.67.026126
    """
    check_graph(G)
    labels = _labels(G, attribute, missing)
    names = sorted(set(labels.values()), key=str)
    pos = {k: i for i, k in enumerate(names)}
    M = np.zeros((len(names), len(names)), dtype=float if weight else np.int64)
    for u, v, w in G.edges(data=weight, default=1):
        i, j = pos[labels[u]], pos[labels[v]]
        inc = w if weight else 1
        M[i, j] += inc
        if i != j:
            M[j, i] += inc
    return {"labels": names, "matrix": M.tolist()}


def ei_index(G, attribute: str | Mapping = "kind", *, weight: str | None = None,
             missing: str = "unknown") -> dict:
    r"""Krackhardt–Stern E-I index, overall, per group and per node.

    :math:`EI = (E - I)/(E + I)` with *E* the external ties (between
    different groups) and *I* the internal ties (same group).

    Parameters
    ----------
    G : networkx.Graph
    attribute : str or mapping, default "kind"
        Node attribute defining groups (missing -> ``missing``), or a mapping
        node -> group.
    weight : str or None
        Weight ties by this attribute instead of counting them.

    Returns
    -------
    dict
        ``overall`` (each tie once), ``external``, ``internal``, ``groups``
        (group -> EI over the ties incident to its members: E = ties to
        non-members, I = ties among members), ``nodes`` (node -> EI of its own
        ties; ``None`` for isolates; a group/graph without ties gets
        ``None``).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c")])
    >>> nx.set_node_attributes(G, {"a": "sme", "b": "sme", "c": "university"}, "kind")
    >>> r = ei_index(G)
    >>> r["overall"], r["groups"], r["nodes"]["a"]
    (0.3333333333333333, {'sme': 0.3333333333333333, 'university': 1.0}, 0.0)
    >>> ei_index(G, {"a": "x", "b": "x"})["groups"]   # a mapping; c has no group
    {'unknown': 1.0, 'x': 0.3333333333333333}

    Notes
    -----
    −1: all ties inside groups (homophily), +1: all ties across groups.

    References
    ----------
    .. [1] D. Krackhardt, R. N. Stern, "Informal networks and organizational
       crises: an experimental simulation", Soc. Psychol. Q. 51(2), 123-140
       (1988). doi:10.2307/2786835
    """
    check_graph(G)
    labels = _labels(G, attribute, missing)
    names = sorted(set(labels.values()), key=str)
    nodes, u, v, w = _edge_arrays(G, weight)
    pos = {name: i for i, name in enumerate(names)}
    code = np.fromiter((pos[labels[x]] for x in nodes), dtype=np.int64, count=len(nodes))
    cu, cv = code[u], code[v]
    same = cu == cv
    across = ~same
    k, n = len(names), len(nodes)
    inn = float(w[same].sum())
    ext = float(w[across].sum())
    g_int = np.bincount(cu[same], weights=w[same], minlength=k)
    g_ext = (np.bincount(cu[across], weights=w[across], minlength=k)
             + np.bincount(cv[across], weights=w[across], minlength=k))
    n_int = (np.bincount(u[same], weights=w[same], minlength=n)
             + np.bincount(v[same], weights=w[same], minlength=n))
    n_ext = (np.bincount(u[across], weights=w[across], minlength=n)
             + np.bincount(v[across], weights=w[across], minlength=n))

    def ei(e, i):
        return None if e + i == 0 else float((e - i) / (e + i))

    return {
        "overall": ei(ext, inn),
        "external": ext,
        "internal": inn,
        "groups": {name: ei(g_ext[i], g_int[i]) for i, name in enumerate(names)},
        "nodes": {x: ei(n_ext[i], n_int[i]) for i, x in enumerate(nodes)},
    }


def _edge_arrays(G, weight: str | None):
    """``(nodes, u, v, w)``: every tie of ``G`` once, as indices into ``nodes`` (``list(G)``)
    and its weight (1 without ``weight`` or when a tie lacks it); a self-loop is a tie
    whose two ends are the same node."""
    if nx.number_of_selfloops(G) == 0:
        view = graph_view(G, weight)  # cached: shared with the other figures
        return view.nodes, view.edges[:, 0], view.edges[:, 1], view.weights
    nodes = list(G)
    index = {x: i for i, x in enumerate(nodes)}
    m = G.number_of_edges()
    ends = np.fromiter((index[x] for e in G.edges() for x in e), dtype=np.int64, count=2 * m)
    w = np.fromiter((1 if weight is None else d for _a, _b, d in
                     G.edges(data=weight, default=1)), dtype=float, count=m)
    return nodes, ends[0::2], ends[1::2], w


def kind_assortativity(G, attribute: str = "kind", *, missing: str = "unknown") -> float | None:
    """Newman's nominal assortativity coefficient of a node attribute.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str, default "kind"
        Categorical node attribute (missing -> ``missing``).

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (2, 3), (1, 2)])
    >>> nx.set_node_attributes(G, {0: "a", 1: "a", 2: "b", 3: "b"}, "kind")
    >>> round(kind_assortativity(G), 6)
    0.333333

    Returns
    -------
    float or None
        In [−1, 1]; ``None`` when undefined (no ties or a single kind).

    Notes
    -----
    Equals :func:`networkx.attribute_assortativity_coefficient` (tested);
    computed with igraph's ``assortativity_nominal``.

    References
    ----------
    .. [1] M. E. J. Newman, "Mixing patterns in networks", Phys. Rev. E 67,
       026126 (2003). doi:10.1103/PhysRevE.67.026126
    """
    g, view = igraph_view(G)
    labels = _labels(G, attribute, missing)
    codes: dict = {}
    types = [codes.setdefault(labels[v], len(codes)) for v in view.nodes]
    if g.ecount() == 0 or len(codes) < 2:
        return None
    r = g.assortativity_nominal(types, directed=False)  # normalised by default
    return None if r != r else float(r)


def _entropy(counts) -> float:
    c = np.asarray([x for x in counts if x > 0], dtype=float)
    if c.size == 0:
        return 0.0
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum())


def triple_helix(
    participations: Iterable[tuple],
    spheres: Mapping,
    *,
    helix: tuple[str, str, str] = (HelixSphere.ACADEMIA, HelixSphere.INDUSTRY,
                                   HelixSphere.GOVERNMENT),
) -> dict:
    r"""Leydesdorff's triple-helix mutual information :math:`T_{uig}` of project consortia.

    Each project is one observation of three binary variables: whether its
    consortium contains at least one actor of sphere *u* (academia), *i*
    (industry) and *g* (government).

    :math:`T_{uig} = H_u + H_i + H_g - H_{ui} - H_{ug} - H_{ig} + H_{uig}`,
    Shannon entropies in bits over the 2×2×2 table of projects.

    Parameters
    ----------
    participations : iterable of (actor_id, project_id)
    spheres : dict
        actor id -> sphere name (``None``/absent: not counted).  Build it from
        kinds with :data:`DEFAULT_HELIX`, e.g.
        ``{a: DEFAULT_HELIX.get(k) for a, k in G.nodes(data="kind")}``.
    helix : tuple of 3 str
        Sphere names for (u, i, g).

    Returns
    -------
    dict
        ``T`` (bits; negative = synergy: reduction of uncertainty), the
        entropies ``H_u, H_i, H_g, H_ui, H_ug, H_ig, H_uig``, the pairwise
        mutual informations ``T_ui, T_ug, T_ig``, ``n_projects`` and the
        8-cell ``table`` (key "uig" as 3-char 0/1 string -> count).

    Examples
    --------
    >>> parts = [("U", 1), ("I", 1), ("G", 1), ("U", 2), ("I", 3), ("G", 4)]
    >>> triple_helix(parts, {"U": "academia", "I": "industry", "G": "government"})["T"]
    -1.0

    Notes
    -----
    Projects with no actor in any of the three spheres are counted (cell
    "000"), as documents without a helix address in Leydesdorff's
    co-authorship analyses; drop them beforehand if not wanted.  The sign
    convention is Leydesdorff's (T < 0 means synergy).  This is the
    interaction information of the three presence variables.

    References
    ----------
    .. [1] L. Leydesdorff, "The mutual information of university-industry-
       government relations: An indicator of the Triple Helix dynamics",
       Scientometrics 58(2), 445-467 (2003). doi:10.1023/A:1026253130577
    .. [2] L. Leydesdorff, H. W. Park, B. Lengyel, "A routine for measuring
       synergy in university-industry-government relations: mutual
       information as a Triple-Helix and Quadruple-Helix indicator",
       Scientometrics 99, 27-35 (2014). doi:10.1007/s11192-013-1079-4
    """
    cons = consortia(participations)
    u_name, i_name, g_name = helix
    table = Counter()
    for members in cons.values():
        present = {spheres.get(a) for a in members}
        key = (int(u_name in present), int(i_name in present), int(g_name in present))
        table[key] += 1
    n = sum(table.values())

    def H(axes):
        marg = Counter()
        for key, c in table.items():
            marg[tuple(key[a] for a in axes)] += c
        return _entropy(marg.values())

    Hu, Hi, Hg = H((0,)), H((1,)), H((2,))
    Hui, Hug, Hig = H((0, 1)), H((0, 2)), H((1, 2))
    Huig = H((0, 1, 2))
    T = Hu + Hi + Hg - Hui - Hug - Hig + Huig
    if abs(T) < 1e-12:
        T = 0.0
    return {
        "T": T,
        "H_u": Hu, "H_i": Hi, "H_g": Hg,
        "H_ui": Hui, "H_ug": Hug, "H_ig": Hig, "H_uig": Huig,
        "T_ui": Hu + Hi - Hui, "T_ug": Hu + Hg - Hug, "T_ig": Hi + Hg - Hig,
        "n_projects": n,
        "table": {"".join(map(str, k)): int(table.get(k, 0))
                  for k in sorted(np.ndindex(2, 2, 2))},
    }

