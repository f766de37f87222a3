"""Measure the missing-link recommender on the data in the graph (back-testing).

Two protocols:

- ``temporal`` (default where project years are known): every tie gets the first year its
  two actors shared a project; the last year's new ties are hidden and predicted from the
  earlier years (:func:`service.analytics.missing_links.evaluate_link_prediction`).
- ``random`` (for data without years, e.g. the CORDIS sample whose organisation file has no
  project dates): a seeded 10 % of the *projects* are hidden, and the ties that only those
  projects create are predicted from the others. (Hiding single ties instead would be
  trivially easy: the rest of the consortium still ties the pair's two ends together.)

Both report precision@k and AUC of every score, of the combined ranking, of preferential
attachment and of a random ranking.
"""

from __future__ import annotations

import random
from collections import defaultdict

from graph_schema.store import GraphStore
from service.analytics.missing_links import evaluate_link_prediction

__all__ = ["ties_with_years", "evaluate_store"]


def ties_with_years(participations: list[dict]) -> list[tuple[str, str, int | None]]:
    """Every co-participation tie with the first year its pair shared a project."""
    teams: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for p in participations:
        teams[p["project_id"]].append((p["actor_id"], p.get("start_year")))
    first: dict[tuple[str, str], int | None] = {}
    for team in teams.values():
        members = sorted(set(team))
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                a, b = members[i][0], members[j][0]
                if a == b:
                    continue
                pair = (a, b) if a < b else (b, a)
                year = members[i][1]
                known = first.get(pair)
                if pair not in first or (year is not None and (known is None or year < known)):
                    first[pair] = year
    return [(a, b, y) for (a, b), y in sorted(first.items())]


def evaluate_store(store: GraphStore, *, protocol: str = "auto", k: int = 50,
                   holdout: float = 0.1, seed: int = 0) -> dict:
    """Back-test the recommender on the whole graph; see the module docstring."""
    participations = store.all_participations()
    ties = ties_with_years(participations)
    dated = [t for t in ties if t[2] is not None]
    if protocol == "auto":
        protocol = "temporal" if len(dated) >= 0.9 * len(ties) and len(
            {t[2] for t in dated}) >= 2 else "random"
    if protocol == "temporal":
        result = evaluate_link_prediction(dated, k=k, seed=seed)
        result["protocol"] = "temporal: the last year's new ties hidden"
    elif protocol == "random":
        projects = sorted({p["project_id"] for p in participations})
        rng = random.Random(seed)
        hidden = set(rng.sample(projects, max(1, int(holdout * len(projects)))))
        labelled = ties_with_years(
            [{**p, "start_year": 1 if p["project_id"] in hidden else 0}
             for p in participations])
        result = evaluate_link_prediction(labelled, test_year=1, k=k, seed=seed)
        result["protocol"] = (f"random: {holdout:.0%} of the projects hidden (seed {seed}), "
                              "their new ties predicted")
    else:
        raise ValueError("protocol must be 'auto', 'temporal' or 'random'")
    result["ties"] = len(ties)
    return result
