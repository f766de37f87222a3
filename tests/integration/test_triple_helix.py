"""The triple helix of a CORDIS country, against an independent computation from the CSV files.

The expected value is computed here from ``organization.csv`` with the csv module and a few
lines of entropy arithmetic — no loader, no store, no service code — following the definition
in docs/metrics.md: the projects in which at least one organisation of the country takes
part; each project's consortium is ALL its partners (any country); PRC → industry, HES and
REC → academia, PUB → government, OTH outside the helix; projects with no partner in any
sphere are left out; T = H_u + H_i + H_g − H_ui − H_ug − H_ig + H_uig in bits.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from helpers import api_client

from loaders.cordis import read_cordis

pytestmark = [pytest.mark.neo4j]

SPHERE_OF_ACTIVITY = {"PRC": "industry", "HES": "academia", "REC": "academia",
                      "PUB": "government", "OTH": None}
HELIX = ("academia", "industry", "government")  # (u, i, g)


def _independent(folder: Path, country: str) -> dict:
    with (folder / "organization.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    activity, where = defaultdict(set), defaultdict(set)
    partners = defaultdict(set)
    for row in rows:
        activity[row["organisationID"]].add(row["activityType"])
        where[row["organisationID"]].add(row["country"])
        partners[row["projectID"]].add(row["organisationID"])
    # in this sample no organisation changes activity type or country between rows
    assert all(len(v) == 1 for v in activity.values())
    assert all(len(v) == 1 for v in where.values())
    projects = {p for p, orgs in partners.items()
                if any(where[o] == {country} for o in orgs)}
    table = Counter()
    for project in projects:
        present = {SPHERE_OF_ACTIVITY[next(iter(activity[o]))] for o in partners[project]}
        if present - {None}:
            table[tuple(int(s in present) for s in HELIX)] += 1
    n = sum(table.values())

    def entropy(axes):
        margin = Counter()
        for cell, count in table.items():
            margin[tuple(cell[a] for a in axes)] += count
        return -sum(c / n * math.log2(c / n) for c in margin.values())

    t = (entropy([0]) + entropy([1]) + entropy([2]) - entropy([0, 1]) - entropy([0, 2])
         - entropy([1, 2]) + entropy([0, 1, 2]))
    return {"T": t, "H_g": entropy([2]), "n": n, "projects": len(projects),
            "table": {"".join(map(str, cell)): table[cell] for cell in sorted(table)}}


def test_triple_helix_of_a_cordis_country_matches_an_independent_computation(
        store, make_app, cordis_sample):
    from service.usecases import Context, GroupRef, synergy

    dataset, _warnings = read_cordis(cordis_sample)
    store.write(dataset, kind="cordis")
    expected = _independent(cordis_sample, "DE")
    # PUB organisations take part in German projects: government is present, T is not 0
    assert sum(n for cell, n in expected["table"].items() if cell[2] == "1") > 0
    # (T is small here, about -2.3e-4 bits, but far from float noise; the old mapping gave
    # exactly 0 because H_g was 0)
    assert expected["H_g"] > 0 and abs(expected["T"]) > 1e-5

    response = api_client(make_app(), "evaluator").get("/api/v1/countries/DE/synergy")
    assert response.status_code == 200
    helix = response.get_json()["triple_helix"]
    assert helix["n_projects"] == expected["n"]
    assert {k: v for k, v in helix["table"].items() if v} == expected["table"]
    assert helix["H_g"] == pytest.approx(expected["H_g"], abs=1e-12)
    assert helix["T"] == pytest.approx(expected["T"], abs=1e-12)
    assert helix["T"] != 0

    direct = synergy(Context(store), GroupRef.country("DE"))["triple_helix"]
    assert direct["T"] == pytest.approx(expected["T"], abs=1e-12)
    assert direct["table"] == helix["table"]


def _demo_helix(folder: Path, cluster: str) -> dict:
    """The helix table of a demo cluster from the bundle's CSV files (same definition)."""
    def rows(name):
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    sphere_of_kind = {"company": "industry", "large_company": "industry", "sme": "industry",
                      "startup": "industry", "university": "academia",
                      "research_lab": "academia", "training_centre": "academia",
                      "public_agency": "government", "funder": "government"}
    sphere = {a["id"]: sphere_of_kind.get(a["kind"]) for a in rows("actors.csv")}
    members = {m["actor_id"] for m in rows("memberships.csv") if m["cluster_id"] == cluster}
    partners = defaultdict(set)
    for p in rows("participations.csv"):
        partners[p["project_id"]].add(p["actor_id"])
    table = Counter()
    for orgs in partners.values():
        present = {sphere[a] for a in orgs} - {None}
        if orgs & members and present:
            table["".join(str(int(s in present)) for s in HELIX)] += 1
    return dict(table)


def test_demo_clusters_now_have_a_government_sphere(store, make_app, tmp_path):
    from loaders.bundle import read_bundle
    from loaders.demo import write_demo_bundle

    write_demo_bundle(tmp_path, seed=2011)
    store.write(read_bundle(tmp_path), kind="demo", synthetic=True)
    client = api_client(make_app(), "evaluator")
    for cluster in ("mnc", "ce3m", "mmc", "oceanopole"):
        expected = _demo_helix(tmp_path, cluster)
        helix = client.get(f"/api/v1/clusters/{cluster}/synergy").get_json()["triple_helix"]
        assert {k: v for k, v in helix["table"].items() if v} == expected, cluster
        # public agencies take part: H_g > 0 (it was 0 with the old mapping) ...
        assert sum(n for cell, n in expected.items() if cell[2] == "1") > 0, cluster
        assert helix["H_g"] > 0, cluster
        # ... but every demo project has a company, so industry is constant and T = 0
        assert set(expected) <= {"010", "011", "110", "111"}, cluster
        assert helix["H_i"] == 0.0 and helix["T"] == 0.0, cluster
