"""Seeded generator of a large synthetic innovation ecosystem shaped like CORDIS H2020.

Defaults: ~36,000 organisations, ~31,000 projects, ~145,000 participations.

Shape:

* organisation activity (number of participations) is heavy tailed: every organisation
  has at least one participation, extra ones follow a Pareto law, so a few research
  organisations take part in hundreds of projects;
* project consortium sizes: ~30 % single-beneficiary projects, the others a
  discretised log-normal between 2 and 150 participants rescaled to the
  requested number of participations (≈ 0.9 M co-participation ties by default);
* thematic locality: organisations and projects belong to one of ``n_domains``
  domains and most slots of a project are filled from its own domain, which gives
  community structure;
* kinds depend on activity (the most active are mostly universities/research labs,
  the least active mostly SMEs/companies);
* declared innovation clusters (``clusters`` attribute, list of ids) of 100–2,000
  members, drawn mostly from one domain and one region.

Usage::

    from bench.synthetic import generate
    eco = generate(seed=0)
    eco.actors, eco.participations, eco.projects
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = (
    "university",
    "research_lab",
    "large_company",
    "company",
    "sme",
    "startup",
    "training_centre",
    "public_agency",
)
REGIONS = tuple(f"R{i:02d}" for i in range(20))


@dataclass
class Ecosystem:
    actors: list
    participations: list
    projects: dict
    clusters: dict  # cluster id -> list of actor ids


def _kind_probs(q):
    """Kind probabilities for an organisation at activity quantile ``q`` (0 low, 1 high)."""
    research = 0.04 + 0.60 * q**3
    return np.array(
        [
            research * 0.55,  # university
            research * 0.45,  # research_lab
            0.05 + 0.10 * q,  # large_company
            0.22,  # company
            0.40 * (1 - q) + 0.05,  # sme
            0.10 * (1 - q),  # startup
            0.05,  # training_centre
            0.06,  # public_agency
        ]
    )


def generate(
    n_actors: int = 36_000,
    n_projects: int = 31_000,
    n_participations: int = 145_000,
    *,
    n_domains: int = 40,
    n_clusters: int = 60,
    locality: float = 0.8,
    first_year: int = 2014,
    last_year: int = 2020,
    seed: int = 0,
) -> Ecosystem:
    """Generate a seeded synthetic ecosystem (same arguments -> identical output)."""
    rng = np.random.default_rng(seed)

    # --- consortium sizes -------------------------------------------------------
    single = rng.random(n_projects) < 0.3
    sizes = np.where(
        single, 1, np.clip(np.rint(rng.lognormal(1.5, 1.1, n_projects)), 2, 150)
    ).astype(np.int64)
    # rescale multi-partner sizes to hit the requested number of participations
    target_multi = n_participations - single.sum()
    multi = ~single
    factor = target_multi / sizes[multi].sum()
    sizes[multi] = np.clip(np.rint(sizes[multi] * factor), 2, 150)
    total = int(sizes.sum())

    # --- organisation activity: 1 + Pareto extra, capped, summing to `total` ---------
    cap = 1500
    extra = np.minimum(rng.pareto(1.3, n_actors), 1e6)
    weights = extra / extra.sum()
    activity = 1 + np.minimum(np.floor(weights * max(total - n_actors, 0)), cap - 1)
    activity = activity.astype(np.int64)
    for _ in range(50):  # hand out what the floor/cap removed, never above the cap
        deficit = total - int(activity.sum())
        if deficit <= 0:
            break
        room = activity < cap
        p = np.where(room, weights + 1.0 / n_actors, 0.0)
        add = np.bincount(rng.choice(n_actors, size=deficit, p=p / p.sum()), minlength=n_actors)
        activity = np.minimum(activity + add, cap)

    actor_domain = rng.integers(0, n_domains, n_actors)
    project_domain = rng.integers(0, n_domains, n_projects)
    proj_year = rng.integers(first_year, last_year + 1, n_projects)

    # --- match organisation stubs to project slots, mostly within domains ---------------
    stubs = np.repeat(np.arange(n_actors), activity)
    stub_dom = actor_domain[stubs]
    local = rng.random(stubs.size) < locality
    # stubs that are not local go to a random domain
    stub_dom = np.where(local, stub_dom, rng.integers(0, n_domains, stubs.size))
    slots_proj = np.repeat(np.arange(n_projects), sizes)
    slots_dom = project_domain[slots_proj]
    # sort both sides by (domain, random) and pair them up domain by domain
    s_order = np.lexsort((rng.random(stubs.size), stub_dom))
    p_order = np.lexsort((rng.random(slots_proj.size), slots_dom))
    stubs, stub_dom = stubs[s_order], stub_dom[s_order]
    slots_proj, slots_dom = slots_proj[p_order], slots_dom[p_order]
    # domains have different numbers of stubs and slots: pair by rank inside the
    # sorted sequences (imperfect domain match at the borders adds cross-domain ties)
    pairs = np.stack([stubs, slots_proj], axis=1)
    pairs = np.unique(pairs, axis=0)  # an organisation appears once per project
    # top up what the de-duplication removed with random extra participations
    for _ in range(20):
        missing = n_participations - pairs.shape[0]
        if missing <= 0:
            break
        extra_pairs = np.stack(
            [
                rng.choice(n_actors, size=missing, p=activity / activity.sum()),
                rng.choice(n_projects, size=missing, p=sizes / sizes.sum()),
            ],
            axis=1,
        )
        pairs = np.unique(np.concatenate([pairs, extra_pairs]), axis=0)

    # --- kinds, regions, names ---------------------------------------------------------
    q = np.argsort(np.argsort(activity + rng.random(n_actors))) / max(n_actors - 1, 1)
    kinds = []
    for qi in q:
        p = _kind_probs(qi)
        kinds.append(KINDS[int(rng.choice(len(KINDS), p=p / p.sum()))])
    region = rng.integers(0, len(REGIONS), n_actors)

    # --- declared clusters ---------------------------------------------------------------
    clusters: dict[str, list] = {}
    membership: list[list] = [[] for _ in range(n_actors)]
    by_domain_region: dict = {}
    for i in range(n_actors):
        by_domain_region.setdefault(int(actor_domain[i]), []).append(i)
    for c in range(n_clusters):
        size = int(rng.integers(100, 2001)) if c else 2000
        dom = int(rng.integers(0, n_domains))
        reg = int(rng.integers(0, len(REGIONS)))
        pool_dom = np.asarray(by_domain_region[dom])
        pool_reg = np.flatnonzero(region == reg)
        n_dom = min(int(size * 0.7), pool_dom.size)
        chosen = set(rng.choice(pool_dom, size=n_dom, replace=False).tolist())
        rest = size - len(chosen)
        chosen.update(rng.choice(pool_reg, size=min(rest, pool_reg.size), replace=False).tolist())
        while len(chosen) < size:
            chosen.add(int(rng.integers(0, n_actors)))
        cid = f"C{c:03d}"
        members = sorted(chosen)
        clusters[cid] = [f"O{i:06d}" for i in members]
        for i in members:
            membership[i].append(cid)

    actors = [
        {
            "id": f"O{i:06d}",
            "name": f"Organisation {i}",
            "kind": kinds[i],
            "region": REGIONS[int(region[i])],
            "niche": f"D{int(actor_domain[i]):02d}",
            "clusters": membership[i],
        }
        for i in range(n_actors)
    ]
    participations = [(f"O{a:06d}", f"P{p:06d}") for a, p in pairs.tolist()]
    projects = {
        f"P{p:06d}": {"start_year": int(proj_year[p]), "domain": f"D{int(project_domain[p]):02d}"}
        for p in range(n_projects)
    }
    return Ecosystem(actors, participations, projects, clusters)


if __name__ == "__main__":  # pragma: no cover - manual inspection
    import time

    t = time.perf_counter()
    eco = generate()
    print(
        f"{len(eco.actors)} actors, {len(eco.projects)} projects, "
        f"{len(eco.participations)} participations in {time.perf_counter() - t:.1f} s"
    )
