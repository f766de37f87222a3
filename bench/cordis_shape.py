"""Generator of CORDIS-format files of H2020 shape and size, for the load benchmark.

Writes ``organization.csv`` and ``project.csv`` in CORDIS's own columns, ``;``-delimited
with every field quoted and decimal commas, like upstream downloads. Seeded: the same
arguments give the same files.
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

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
COUNTRIES = ("DE FR ES IT UK NL BE EL PT AT SE FI DK IE PL CZ NO CH IL HU RO SI "
             "TR EE BG HR LT LV SK LU CY MT IS RS US CN MA ZA BR CA").split()


def write_cordis_shape(folder: Path, *, organisations: int = 36_000, projects: int = 31_000,
                       participations: int = 145_000, seed: int = 2020) -> dict:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(COUNTRIES))]
    org_country = rng.choices(COUNTRIES, weights=weights, k=organisations)
    org_kind = rng.choices(("PRC", "HES", "REC", "PUB", "OTH"), weights=(45, 18, 18, 9, 10),
                           k=organisations)
    # Heavy-tailed activity: a few organisations take part in hundreds of projects.
    activity = [rng.paretovariate(1.3) for _ in range(organisations)]
    cumulative = list(itertools.accumulate(activity))
    population = range(organisations)
    # Every organisation takes part at least once; the rest follows the heavy tail.
    seeded = [[] for _ in range(projects)]
    for o in range(organisations):
        seeded[rng.randrange(projects)].append(o)
    sizes = [max(2, len(s)) for s in seeded]
    for _ in range(participations - sum(sizes)):
        sizes[rng.randrange(projects)] += 1
    org_ids = [str(900_000_000 + i) for i in range(organisations)]
    rows = 0
    with open(folder / "organization.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(ORG_COLUMNS)
        for p in range(projects):
            pid = str(600_000 + p)
            members = set(seeded[p])
            while len(members) < min(sizes[p], organisations):
                members.update(rng.choices(population, cum_weights=cumulative,
                                           k=sizes[p] - len(members)))
            for order, o in enumerate(sorted(members), start=1):
                role = "coordinator" if order == 1 else "participant"
                amount = f"{rng.randint(10_000, 2_000_000)},{rng.randint(0, 99):02d}"
                writer.writerow([
                    pid, f"P{p}", org_ids[o], "", f"ORGANISATION {o}", "",
                    "True" if org_kind[o] == "PRC" and o % 2 else "False", org_kind[o], "",
                    "", "City", org_country[o], "", "", "", "", "2023-01-01 10:00:00", "",
                    str(order), role, amount, amount, amount, "False", "",
                ])
                rows += 1
    with open(folder / "project.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(PROJECT_COLUMNS)
        for p in range(projects):
            year = 2014 + p % 7
            writer.writerow([
                str(600_000 + p), f"P{p}", "CLOSED", f"Project number {p}", f"{year}-01-01",
                f"{year + 3}-12-31", "1000000,5", "900000", "H2020-EU.1.", "TOPIC", "",
                "H2020", "", "", "RIA", "", "", "2023-01-01 10:00:00", "", "",
            ])
    return {"organisations": organisations, "projects": projects, "participations": rows}
