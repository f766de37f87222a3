"""CORDIS-format files of the shape and size of the whole Horizon 2020 network (synthetic).

:func:`write_cordis_shape` writes ``organization.csv`` and ``project.csv`` in CORDIS's own
columns (``;``-delimited, every field quoted, decimal commas, like upstream downloads) that
``synergraph load cordis`` reads, plus a ``PROVENANCE.md`` saying the files are synthetic;
every organisation is named ``SYNTHETIC ORGANISATION <n>`` and every project title starts
with ``Synthetic``. Seeded: the same arguments give the same files.

The shape is calibrated to the figures of the real network (issue 9, :data:`TARGETS`):
consortium sizes and projects per organisation are drawn by stratified inverse-CDF sampling
through the published quantiles (so the quantiles are met closely), the largest
organisations get the published project counts, and organisations are dealt into
consortia at random with a propensity of the most active ones to hold single-beneficiary
grants (as universities and national labs hosting ERC and Marie Skłodowska-Curie grants
do) — the knob that brings the mega-hubs' partner counts to the real ones.
:func:`shape_figures` measures the same figures on any CORDIS folder (the real slice too),
and ``python bench/cordis_shape.py OUT`` prints them next to the targets.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ORG_COLUMNS = (
    "projectID projectAcronym organisationID vatNumber name shortName SME activityType street "
    "postCode city country nutsCode geolocation organizationURL contactForm contentUpdateDate "
    "rcn order role ecContribution netEcContribution totalCost endOfParticipation active"
).split()
PROJECT_COLUMNS = (
    "id acronym status title startDate endDate totalCost ecMaxContribution legalBasis topics "
    "ecSignatureDate frameworkProgramme masterCall subCall fundingScheme nature objective "
    "contentUpdateDate rcn grantDoi"
).split()

#: The real Horizon 2020 network's figures (issue 9), the calibration's targets.
TARGETS = {
    "organisations": 35_871,
    "projects": 31_451,
    "participations": 144_726,
    "ties": 796_670,
    "giant_component": 31_152,
    "degree_p50": 17, "degree_p90": 82, "degree_p99": 521,
    "degree_top5": (6_825, 4_325, 4_268, 4_099, 3_649),
    "projects_per_org_p50": 1, "projects_per_org_p99": 51, "projects_per_org_max": 1_372,
    "consortium_p50": 1, "consortium_p90": 14, "consortium_p99": 32, "consortium_max": 186,
    "countries_top5": (3_899, 3_618, 3_395, 2_953, 2_934),
    "years": (2014, 2022),
}

#: Largest countries first (their actor counts are TARGETS["countries_top5"]), then the rest.
COUNTRIES = ("DE FR ES IT UK NL BE EL PT AT SE FI DK IE PL CZ NO CH IL HU RO SI "
             "TR EE BG HR LT LV SK LU CY MT IS RS US CN MA ZA BR CA").split()
#: Projects per organisation of the most active organisations (the mega-hubs).
TOP_PROJECT_COUNTS = (1_372, 700, 690, 660, 560, 520, 500, 480, 460, 440, 420, 400)
#: Share of projects with a single beneficiary (consortium size p50 is 1).
SINGLE_SHARE = 0.53
#: Single-beneficiary grants go to an organisation with odds ∝ (its projects) ** this.
SINGLE_PROPENSITY = 1.45
#: Share of the single-beneficiary grants held by organisations with no other project
#: (SME-instrument-like grants: these organisations are the isolated actors).
LONE_SINGLES = 0.26
#: Consortia gather organisations of nearby topics: each organisation has a topic on a
#: circle of length 1 and its participations scatter around it with this spread (wider for
#: the most active ones, ``* (projects ** TOPIC_BREADTH)``), so partners repeat as they do.
TOPIC_SPREAD = 0.002
TOPIC_BREADTH = 0.75
#: Consortia of at least this size draw organisations with odds ∝ (their projects) ** this.
LARGE_CONSORTIUM = 12
LARGE_AFFINITY = 0.0
#: Consortium sizes above one: (quantile among all projects, size) knots.
SIZE_KNOTS = ((0.53, 2.0), (0.70, 2.5), (0.85, 8.0), (0.90, 14.0), (0.99, 32.0), (0.9995, 60.0),
              (1.0, 186.0))
#: Projects per organisation: (quantile, count) knots below the fixed mega-hubs.
COUNT_KNOTS = ((0.0, 1.0), (0.56, 1.0), (0.80, 3.0), (0.95, 13.0), (0.99, 51.0),
               (0.999, 260.0), (1.0, 460.0))
YEAR_WEIGHTS = {2014: 9, 2015: 13, 2016: 13, 2017: 14, 2018: 14, 2019: 14, 2020: 14,
                2021: 7, 2022: 2}
KINDS = (("PRC", 40), ("HES", 22), ("REC", 20), ("PUB", 8), ("OTH", 10))


def _stratified(knots, n: int, rng: np.random.Generator, *, log: bool = True) -> np.ndarray:
    """``n`` values whose empirical quantiles follow the piecewise (log-)linear inverse CDF
    through ``knots`` (one value per stratum of width 1/n, shuffled)."""
    q = np.asarray([k[0] for k in knots])
    v = np.asarray([k[1] for k in knots], dtype=float)
    u = (np.arange(n) + rng.random(n)) / n
    u = q[0] + u * (q[-1] - q[0])
    values = np.exp(np.interp(u, q, np.log(v))) if log else np.interp(u, q, v)
    return rng.permutation(values)


def _consortium_sizes(projects: int, participations: int, rng, verbose=False) -> np.ndarray:
    singles = int(round(SINGLE_SHARE * projects))
    multi = projects - singles
    knots = [((q - SINGLE_SHARE) / (1 - SINGLE_SHARE), s) for q, s in SIZE_KNOTS]
    sizes = np.maximum(2, np.round(_stratified(knots, multi, rng))).astype(np.int64)
    sizes[np.argmax(sizes)] = SIZE_KNOTS[-1][1]
    if verbose:
        print("consortium sizes: gap before fitting", participations - singles - sizes.sum())
    _fit_total(sizes, participations - singles, rng, low=2, high=int(SIZE_KNOTS[-2][1]))
    return rng.permutation(np.concatenate([np.ones(singles, dtype=np.int64), sizes]))


def _project_counts(organisations: int, participations: int, scale: float,
                    rng) -> np.ndarray:
    # the mega-hubs scale with the network, but stay above the p99 of 51 projects
    top = np.asarray([max(60, round(c * scale)) for c in TOP_PROJECT_COUNTS], dtype=np.int64)
    top = top[: max(1, min(len(top), organisations // 50))]
    rest = np.maximum(1, np.round(_stratified(COUNT_KNOTS, organisations - top.size, rng)))
    rest = np.minimum(rest, top.min()).astype(np.int64)
    _fit_total(rest, participations - int(top.sum()), rng, low=1, high=int(top.min()))
    return np.concatenate([top, rest])


def _fit_total(values: np.ndarray, total: int, rng, *, low: int, high: int) -> None:
    """Add or remove one at a time on random entries (kept within [low, high], the
    heaviest first) until ``values`` sums to ``total`` (in place)."""
    for _ in range(100):
        gap = total - int(values.sum())
        if gap == 0:
            return
        # change the middle of the distribution, not the quantiles' anchors
        mid = np.flatnonzero((values > low) & (values < high)) if gap < 0 else \
            np.flatnonzero((values >= low) & (values < high))
        if mid.size == 0:
            break
        picked = rng.choice(mid, size=min(abs(gap), mid.size), replace=False)
        values[picked] += 1 if gap > 0 else -1
    if int(values.sum()) != total:
        raise ValueError("cannot reach the requested number of participations")


def generate(*, scale: float = 1.0, seed: int = 2020) -> dict:
    """The synthetic network as arrays: ``org_of`` and ``project_of`` (one entry per
    participation), ``country`` and ``kind`` per organisation, ``year`` per project."""
    rng = np.random.default_rng(seed)
    organisations = max(20, round(TARGETS["organisations"] * scale))
    projects = max(10, round(TARGETS["projects"] * scale))
    participations = max(organisations, round(TARGETS["participations"] * scale))
    sizes = _consortium_sizes(projects, participations, rng)
    counts = _project_counts(organisations, participations, scale, rng)
    stubs = np.repeat(np.arange(organisations), counts)
    # single-beneficiary grants first: some to organisations with no other project, the
    # rest to the most active organisations by preference
    single_projects = np.flatnonzero(sizes == 1)
    lone_orgs = np.flatnonzero(counts == 1)
    lone = rng.choice(lone_orgs, size=min(lone_orgs.size,
                                          round(LONE_SINGLES * single_projects.size)),
                      replace=False)
    first_stub = np.concatenate([[0], np.cumsum(counts)[:-1]])
    taken = np.zeros(stubs.size, dtype=bool)
    taken[first_stub[lone]] = True
    odds = np.where(taken, 0.0, counts[stubs].astype(float) ** (SINGLE_PROPENSITY - 1.0))
    odds[counts[stubs] == 1] *= 0.5
    more = rng.choice(stubs.size, size=single_projects.size - lone.size, replace=False,
                      p=odds / odds.sum())
    taken[more] = True
    org_of = np.empty(participations, dtype=np.int64)
    project_of = np.repeat(np.arange(projects), sizes)
    single_slots = np.flatnonzero(sizes[project_of] == 1)
    org_of[single_slots] = rng.permutation(stubs[taken])
    multi_slots = np.flatnonzero(sizes[project_of] > 1)
    # the other participations: large consortia draw the most active organisations by
    # preference (partners repeat there, as in real networks); within each tier the
    # participations are ordered by topic and dealt into consortia in that order
    left = np.flatnonzero(~taken)
    topic = rng.random(organisations)
    spread = TOPIC_SPREAD * counts.astype(float) ** TOPIC_BREADTH
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    large = rng.permutation(np.flatnonzero(sizes >= LARGE_CONSORTIUM))
    small = rng.permutation(np.flatnonzero((sizes > 1) & (sizes < LARGE_CONSORTIUM)))
    need = int(sizes[large].sum())
    odds = counts[stubs[left]].astype(float) ** LARGE_AFFINITY
    to_large = rng.choice(left, size=need, replace=False, p=odds / odds.sum())
    rest = np.setdiff1d(left, to_large, assume_unique=True)
    for tier, chosen_stubs in ((large, to_large), (small, rest)):
        orgs = stubs[chosen_stubs]
        key = (topic[orgs] + spread[orgs] * rng.standard_normal(orgs.size)) % 1.0
        dealt = orgs[np.argsort(key, kind="stable")]
        slots = np.concatenate([start[p] + np.arange(sizes[p]) for p in tier])
        org_of[slots] = dealt
    multi_slots = np.flatnonzero(sizes[project_of] > 1)
    _dedupe(org_of, project_of, multi_slots, rng)
    # countries: the five largest at their real sizes, the rest declining
    top = np.asarray([round(c * scale) for c in TARGETS["countries_top5"]], dtype=np.int64)
    others = len(COUNTRIES) - top.size
    weights = 0.85 ** np.arange(others)
    remaining = organisations - int(top.sum())
    rest_counts = np.floor(remaining * weights / weights.sum()).astype(np.int64)
    rest_counts[: remaining - int(rest_counts.sum())] += 1
    country = rng.permutation(np.repeat(np.arange(len(COUNTRIES)),
                                        np.concatenate([top, rest_counts])))
    kind = rng.choice(len(KINDS), size=organisations,
                      p=np.asarray([w for _, w in KINDS]) / sum(w for _, w in KINDS))
    kind[: min(12, organisations)] = 2  # the mega-hubs are research organisations
    years = np.asarray(list(YEAR_WEIGHTS))
    p_year = np.asarray(list(YEAR_WEIGHTS.values()), dtype=float)
    year = rng.choice(years, size=projects, p=p_year / p_year.sum())
    year[:2] = (years[0], years[-1])
    return {"org_of": org_of, "project_of": project_of, "country": country, "kind": kind,
            "year": year, "organisations": organisations, "projects": projects}


def _dedupe(org_of: np.ndarray, project_of: np.ndarray, slots: np.ndarray, rng) -> None:
    """Swap organisations that landed twice in one consortium with random other slots."""
    for _ in range(200):
        key = project_of[slots] * (org_of.max() + 1) + org_of[slots]
        order = np.argsort(key, kind="stable")
        dup = np.zeros(slots.size, dtype=bool)
        dup[order[1:][key[order[1:]] == key[order[:-1]]]] = True
        bad = slots[dup]
        if bad.size == 0:
            return
        pool = np.setdiff1d(slots, bad, assume_unique=True)
        other = rng.choice(pool, size=bad.size, replace=False)
        org_of[bad], org_of[other] = org_of[other], org_of[bad].copy()
    raise RuntimeError("could not spread organisations over distinct consortia")


def write_cordis_shape(folder: Path, *, scale: float = 1.0, seed: int = 2020) -> dict:
    """Write the synthetic H2020-shaped CORDIS files into ``folder``; returns the counts."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net = generate(scale=scale, seed=seed)
    org_ids = [str(900_000_000 + i) for i in range(net["organisations"])]
    kinds = [k for k, _ in KINDS]
    rng = np.random.default_rng(seed + 1)
    amounts = rng.integers(10_000, 2_000_000, size=net["org_of"].size)
    order = np.lexsort((net["org_of"], net["project_of"]))
    with open(folder / "organization.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(ORG_COLUMNS)
        previous, position = -1, 0
        for row in order.tolist():
            p, o = int(net["project_of"][row]), int(net["org_of"][row])
            position = position + 1 if p == previous else 1
            previous = p
            kind = kinds[int(net["kind"][o])]
            amount = f"{int(amounts[row])},{row % 100:02d}"
            writer.writerow([
                str(600_000 + p), f"SYN{p}", org_ids[o], "", f"SYNTHETIC ORGANISATION {o}", "",
                "True" if kind == "PRC" and o % 2 else "False", kind, "", "", "City",
                COUNTRIES[int(net["country"][o])], "", "", "", "", "2023-01-01 10:00:00", "",
                str(position), "coordinator" if position == 1 else "participant",
                amount, amount, amount, "False", "",
            ])
    with open(folder / "project.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(PROJECT_COLUMNS)
        for p in range(net["projects"]):
            year = int(net["year"][p])
            writer.writerow([
                str(600_000 + p), f"SYN{p}", "CLOSED", f"Synthetic project {p}",
                f"{year}-01-01", f"{year + 3}-12-31", "1000000,5", "900000", "H2020-EU.1.",
                "TOPIC", "", "H2020", "", "", "RIA", "", "", "2023-01-01 10:00:00", "", "",
            ])
    (folder / "PROVENANCE.md").write_text(
        "# SYNTHETIC data in CORDIS's file layout\n\nGenerated by `bench/cordis_shape.py` "
        f"(scale {scale}, seed {seed}) to the shape of the whole Horizon 2020 network; no "
        "row describes a real organisation or project.\n", encoding="utf-8")
    return {"organisations": net["organisations"], "projects": net["projects"],
            "participations": int(net["org_of"].size)}


def read_rows(path: Path):
    """The rows of a CORDIS file as dicts, ``;`` (upstream) or ``,`` delimited."""
    with open(path, newline="", encoding="utf-8") as handle:
        delimiter = ";" if ";" in handle.readline() else ","
        handle.seek(0)
        yield from csv.DictReader(handle, delimiter=delimiter)


def shape_figures(folder: Path) -> dict:
    """The calibration figures (keys of :data:`TARGETS`) measured on a CORDIS folder."""
    folder = Path(folder)
    pairs = set()
    country_of: dict[str, str] = {}
    for row in read_rows(folder / "organization.csv"):
        pairs.add((row["organisationID"], row["projectID"]))
        country_of[row["organisationID"]] = row["country"]
    years = []
    project_ids = set()
    if (folder / "project.csv").is_file():
        for row in read_rows(folder / "project.csv"):
            project_ids.add(row["id"])
            if (row.get("startDate") or "")[:4].isdigit():
                years.append(int(row["startDate"][:4]))
    orgs = sorted(country_of)
    row_of = {o: i for i, o in enumerate(orgs)}
    projects = sorted({p for _, p in pairs} | project_ids)
    col_of = {p: j for j, p in enumerate(projects)}
    rows = np.fromiter((row_of[o] for o, _ in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((col_of[p] for _, p in pairs), dtype=np.int64, count=len(pairs))
    B = sp.csr_array((np.ones(len(pairs)), (rows, cols)), shape=(len(orgs), len(projects)))
    A = (B @ B.T).tocsr()
    A.setdiag(0)
    A.eliminate_zeros()
    degree = np.diff(A.indptr)
    _, labels = sp.csgraph.connected_components(A, directed=False)
    per_org = np.asarray(B.sum(axis=1)).ravel()
    size = np.asarray(B.sum(axis=0)).ravel()
    size = size[size > 0]
    _, by_country = np.unique(list(country_of.values()), return_counts=True)

    def q(values, p):
        return int(np.percentile(values, p, method="lower"))

    return {
        "organisations": len(orgs), "projects": len(projects), "participations": len(pairs),
        "ties": int(A.nnz // 2), "giant_component": int(np.bincount(labels).max()),
        "degree_p50": q(degree, 50), "degree_p90": q(degree, 90), "degree_p99": q(degree, 99),
        "degree_top5": tuple(int(x) for x in np.sort(degree)[::-1][:5]),
        "projects_per_org_p50": q(per_org, 50), "projects_per_org_p99": q(per_org, 99),
        "projects_per_org_max": int(per_org.max()),
        "consortium_p50": q(size, 50), "consortium_p90": q(size, 90),
        "consortium_p99": q(size, 99), "consortium_max": int(size.max()),
        "countries_top5": tuple(int(x) for x in np.sort(by_country)[::-1][:5]),
        "years": (min(years), max(years)) if years else None,
    }


def comparison(achieved: dict, targets: dict = TARGETS) -> str:
    """The achieved figures next to the targets, one line each, with the deviation."""
    lines = [f"{'figure':<22} {'target':>34} {'achieved':>34}  deviation"]
    for key, target in targets.items():
        got = achieved.get(key)
        if isinstance(target, tuple):
            dev = ", ".join(f"{(g - t) / t:+.0%}" for g, t in zip(got, target, strict=False)) \
                if key != "years" else ("same" if tuple(got) == target else "differs")
        else:
            dev = f"{(got - target) / target:+.1%}"
        lines.append(f"{key:<22} {str(target):>34} {str(got):>34}  {dev}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (or to measure, --measure)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--measure", action="store_true",
                        help="only measure an existing CORDIS folder")
    args = parser.parse_args(argv)
    if not args.measure:
        print(write_cordis_shape(args.out, scale=args.scale, seed=args.seed))
    targets = TARGETS if args.measure or args.scale == 1.0 else scaled_targets(args.scale)
    print(comparison(shape_figures(args.out), targets))
    return 0


def scaled_targets(scale: float) -> dict:
    """The targets of a network ``scale`` times the real size (counts scaled; quantiles of
    sizes kept; the largest degrees and project counts scaled)."""
    out = dict(TARGETS)
    for key in ("organisations", "projects", "participations", "ties", "giant_component",
                "projects_per_org_max"):
        out[key] = round(TARGETS[key] * scale)
    for key in ("degree_top5", "countries_top5"):
        out[key] = tuple(round(x * scale) for x in TARGETS[key])
    return out


if __name__ == "__main__":
    sys.exit(main())
