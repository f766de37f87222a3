"""Evolution of the ecosystem over time: per-year cohesion and synergy figures,
ties gained and lost, newcomers and leavers.

Input participations carry a year: ``(actor_id, project_id, year)`` (e.g. the
project's start year).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import networkx as nx  # noqa: F401  (doctests)

from .cohesion import cohesion_summary
from .projection import co_participation_graph
from .synergy import DEFAULT_HELIX, ei_index, project_mix, triple_helix

__all__ = ["evolution", "period_graph", "periods"]


def periods(years: Iterable[int], *, window: int | None = None) -> list[tuple[int, int, int]]:
    """``(year, first, last)`` of each analysed period (inclusive bounds).

    ``window=None`` gives cumulative periods (from the first year); an int
    gives sliding windows of that many years ending at each year.

    Parameters
    ----------
    years : iterable of int
    window : int or None

    Returns
    -------
    list of (year, first, last)

    Examples
    --------
    >>> periods([2018, 2020, 2019])
    [(2018, 2018, 2018), (2019, 2018, 2019), (2020, 2018, 2020)]
    >>> periods([2018, 2019, 2020], window=2)
    [(2018, 2017, 2018), (2019, 2018, 2019), (2020, 2019, 2020)]
    """
    ys = sorted(set(years))
    if not ys:
        return []
    if window is not None and window < 1:
        raise ValueError("window must be >= 1")
    lo = ys[0]
    return [(y, lo if window is None else y - window + 1, y) for y in range(ys[0], ys[-1] + 1)]


def period_graph(
    actors: Iterable[Mapping], participations_with_years, first, last, *, keep_projects=False
):
    """Co-participation graph of the participations with ``first <= year <= last``.

    Only actors with at least one participation in the period are nodes.

    Parameters
    ----------
    actors : iterable of dict
    participations_with_years : iterable of (actor_id, project_id, year)
    first, last : int
        Inclusive bounds.
    keep_projects : bool, default False
        Passed to the projection.

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> G = period_graph([{"id": "a"}, {"id": "b"}, {"id": "c"}],
    ...                  [("a", 1, 2019), ("b", 1, 2019), ("c", 2, 2021)], 2019, 2020)
    >>> sorted(G.nodes), G.number_of_edges()
    (['a', 'b'], 1)
    """
    parts = [(a, p) for a, p, y in participations_with_years if first <= y <= last]
    active = {a for a, _ in parts}
    acts = [x for x in actors if x["id"] in active]
    return co_participation_graph(acts, parts, keep_projects=keep_projects)


def evolution(
    actors: Iterable[Mapping],
    participations_with_years: Iterable[tuple],
    *,
    window: int | None = None,
    attribute: str = "kind",
    paths: bool = False,
    helix: Mapping | None = None,
) -> list[dict]:
    """Per-year cohesion and synergy figures and flows of ties and actors.

    Parameters
    ----------
    actors : iterable of dict
        As for :func:`~service.analytics.projection.co_participation_graph`.
    participations_with_years : iterable of (actor_id, project_id, year)
    window : int or None, default None
        ``None``: cumulative graphs (all participations up to the year); an
        int: sliding windows of that many years.
    attribute : str, default "kind"
        Actor attribute used for E-I index, project mix and triple helix.
    paths : bool, default False
        Include average path length / diameter of the largest component.
    helix : dict, optional
        kind -> triple-helix sphere (default
        :data:`~service.analytics.synergy.DEFAULT_HELIX`).

    Returns
    -------
    list of dict
        One per year from the first to the last year: ``year``,
        ``period`` ``(first, last)``, every
        :func:`~service.analytics.cohesion.cohesion_summary` figure of the
        period graph, ``ei_index``, ``share_company_research``,
        ``share_company_training``, ``triple_helix_T``, ``ties_gained`` /
        ``ties_lost`` (vs the previous period's graph), ``newcomers`` /
        ``leavers`` (counts) and ``newcomer_ids`` / ``leaver_ids``.

    Examples
    --------
    >>> acts = [{"id": "a", "kind": "sme"}, {"id": "b", "kind": "university"},
    ...         {"id": "c", "kind": "sme"}]
    >>> parts = [("a", 1, 2019), ("b", 1, 2019), ("b", 2, 2020), ("c", 2, 2020)]
    >>> ev = evolution(acts, parts, window=1)
    >>> [(r["year"], r["n_edges"], r["ties_gained"], r["ties_lost"], r["newcomers"], r["leavers"])
    ...  for r in ev]
    [(2019, 1, 1, 0, 2, 0), (2020, 1, 1, 1, 1, 1)]

    Notes
    -----
    *Newcomers* of year *y*: actors whose first participation is in *y*.
    *Leavers* of year *y*: actors whose last participation is in *y − 1*
    (they do not appear from *y* on); the last year's leavers are
    therefore unknowable and the first year has none.  Nodes of each period
    graph are the actors active in the period.  Ties gained/lost compare the
    edge sets of consecutive period graphs (in cumulative mode nothing is
    lost).

    References
    ----------
    .. [1] G. Kossinets, D. J. Watts, "Empirical analysis of an evolving
       social network", Science 311, 88-90 (2006). doi:10.1126/science.1116869
    """
    actors = list(actors)
    parts = list(participations_with_years)
    kinds = {a["id"]: a.get(attribute) for a in actors}
    helix = DEFAULT_HELIX if helix is None else helix
    spheres = {a: helix.get(k) for a, k in kinds.items()}
    first_year: dict = {}
    last_year: dict = {}
    for a, _, y in parts:
        first_year[a] = min(y, first_year.get(a, y))
        last_year[a] = max(y, last_year.get(a, y))
    out = []
    prev_edges: set = set()
    for year, lo, hi in periods((y for _, _, y in parts), window=window):
        G = period_graph(actors, parts, lo, hi)
        row = {"year": year, "period": (lo, hi)}
        row.update(cohesion_summary(G, paths=paths))
        row["ei_index"] = ei_index(G, attribute)["overall"]
        pp = [(a, p) for a, p, y in parts if lo <= y <= hi]
        mix = project_mix(pp, kinds)
        row["share_company_research"] = mix["share_company_research"]
        row["share_company_training"] = mix["share_company_training"]
        row["triple_helix_T"] = triple_helix(pp, spheres)["T"] if pp else None
        edges = {frozenset(e) for e in G.edges()}
        row["ties_gained"] = len(edges - prev_edges)
        row["ties_lost"] = len(prev_edges - edges)
        prev_edges = edges
        new = sorted((a for a, y in first_year.items() if y == year), key=str)
        gone = sorted((a for a, y in last_year.items() if y == year - 1), key=str)
        row["newcomers"], row["newcomer_ids"] = len(new), new
        row["leavers"], row["leaver_ids"] = len(gone), gone
        out.append(row)
    return out
