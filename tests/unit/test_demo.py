"""The demo bundle (loaders/demo.py): valid, deterministic, and shaped as documented.

Expectations are computed here from the CSV files themselves (read with the csv module),
not from the generator's internals.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from loaders.bundle import FILES, METADATA_FILE, read_bundle
from loaders.demo import write_demo_bundle

CLUSTERS = ("mnc", "ce3m", "mmc", "oceanopole")
JOINT = {"collaborative_projects": 81, "patents": 28, "startups": 24, "rd_jobs": 266}
FUND = "fonds-appui-clusters"
FACT_FILES = ("regions.csv", "niches.csv", "programmes.csv", "clusters.csv")
GENERATED_FILES = ("actors.csv", "projects.csv", "outputs.csv", "memberships.csv",
                   "participations.csv", "fundings.csv")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "bundle"
    write_demo_bundle(folder)
    return folder


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def members_by_cluster(folder: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for m in rows(folder, "memberships.csv"):
        out[m["cluster_id"]].add(m["actor_id"])
    return out


def test_bundle_validates(bundle):
    dataset = read_bundle(bundle)
    assert {c["id"] for c in dataset.clusters} == set(CLUSTERS)
    meta = json.loads((bundle / METADATA_FILE).read_text(encoding="utf-8"))
    assert meta["name"] == "demo-morocco-2011"
    assert meta["synthetic"] is True
    assert "Les ECO" in meta["source"]


def test_every_file_has_the_canonical_header(bundle):
    for spec in FILES:
        with (bundle / spec.file).open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert tuple(header) == spec.column_names, spec.file


def test_summary_counts_match_files(tmp_path):
    summary = write_demo_bundle(tmp_path / "b")
    for spec in FILES:
        assert summary["files"][spec.file] == len(rows(tmp_path / "b", spec.file))


def test_same_seed_gives_identical_bytes(tmp_path, bundle):
    again = tmp_path / "again"
    write_demo_bundle(again, seed=2011)
    names = sorted(p.name for p in bundle.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert METADATA_FILE in names and len(names) == len(FILES) + 1
    for name in names:
        assert (bundle / name).read_bytes() == (again / name).read_bytes(), name


def test_other_seed_gives_other_members(tmp_path, bundle):
    other = tmp_path / "other"
    write_demo_bundle(other, seed=7)
    read_bundle(other)
    names = {a["name"] for a in rows(bundle, "actors.csv")}
    other_names = {a["name"] for a in rows(other, "actors.csv")}
    assert names != other_names
    assert rows(bundle, "clusters.csv") == rows(other, "clusters.csv")


def test_cluster_sizes_and_mix(bundle):
    kinds = {a["id"]: a["kind"] for a in rows(bundle, "actors.csv")}
    members = members_by_cluster(bundle)
    assert set(members) == set(CLUSTERS)
    for cluster in CLUSTERS:
        assert 40 <= len(members[cluster]) <= 150, cluster
        assert len({kinds[a] for a in members[cluster]}) >= 5, cluster
    ocean = {kinds[a] for a in members["oceanopole"]}
    assert "association" in ocean
    # a few actors belong to two clusters
    count = defaultdict(int)
    for m in rows(bundle, "memberships.csv"):
        count[m["actor_id"]] += 1
    assert any(n == 2 for n in count.values())


def test_isolated_members(bundle):
    in_project = {p["actor_id"] for p in rows(bundle, "participations.csv")}
    for cluster, members in members_by_cluster(bundle).items():
        assert len(members - in_project) >= 2, cluster


def test_consortia_and_cross_cluster_projects(bundle):
    clusters_of: dict[str, set[str]] = defaultdict(set)
    for m in rows(bundle, "memberships.csv"):
        clusters_of[m["actor_id"]].add(m["cluster_id"])
    consortium: dict[str, list[dict]] = defaultdict(list)
    for p in rows(bundle, "participations.csv"):
        consortium[p["project_id"]].append(p)
    projects = rows(bundle, "projects.csv")
    assert 50 <= len(projects) <= 120
    assert set(consortium) == {p["id"] for p in projects}
    cross = 0
    for project_id, people in consortium.items():
        assert 2 <= len(people) <= 8, project_id
        assert [p["role"] for p in people].count("coordinator") == 1, project_id
        assert {p["role"] for p in people} <= {"coordinator", "partner"}
        touched = set().union(*(clusters_of[p["actor_id"]] for p in people))
        if len(touched) >= 2:
            cross += 1
    assert cross >= 1
    funded = {f["project_id"] for f in rows(bundle, "fundings.csv")
              if f["programme_id"] == "tatouir"}
    assert funded == {p["id"] for p in projects}


def test_project_years(bundle):
    for p in rows(bundle, "projects.csv"):
        start, end = int(p["start_year"]), int(p["end_year"])
        assert 2011 <= start <= 2014, p["id"]
        assert start <= end <= 2016, p["id"]
        assert p["currency"] == "MAD"


def test_targets_split_sums_to_joint_figures(bundle):
    targets = rows(bundle, "targets.csv")
    joint = {t["indicator"]: float(t["value"]) for t in targets if t["programme_id"] == FUND}
    assert joint == {k: float(v) for k, v in JOINT.items()}
    per_cluster: dict[str, float] = defaultdict(float)
    seen = defaultdict(set)
    for t in targets:
        if t["cluster_id"]:
            per_cluster[t["indicator"]] += float(t["value"])
            seen[t["indicator"]].add(t["cluster_id"])
            assert t["synthetic"] == "true"
            assert "split generated" in t["note"]
        else:
            assert t["synthetic"] == "false"
        assert (t["period_start"], t["period_end"]) == ("2011", "2013")
    assert dict(per_cluster) == {k: float(v) for k, v in JOINT.items()}
    assert all(clusters == set(CLUSTERS) for clusters in seen.values())


def test_reported_collaborative_projects_match_projects(bundle):
    clusters_of: dict[str, set[str]] = defaultdict(set)
    for m in rows(bundle, "memberships.csv"):
        clusters_of[m["actor_id"]].add(m["cluster_id"])
    start = {p["id"]: int(p["start_year"]) for p in rows(bundle, "projects.csv")}
    expected: dict[tuple[str, int], int] = defaultdict(int)
    touched: dict[str, set[str]] = defaultdict(set)
    for p in rows(bundle, "participations.csv"):
        touched[p["project_id"]] |= clusters_of[p["actor_id"]]
    for project_id, clusters in touched.items():
        for cluster in clusters:
            expected[(cluster, start[project_id])] += 1
    reported = {(o["cluster_id"], int(o["year"])): int(float(o["value"]))
                for o in rows(bundle, "outputs.csv")
                if o["indicator"] == "collaborative_projects"}
    for cluster in CLUSTERS:
        for year in (2011, 2012, 2013, 2014):
            assert reported[(cluster, year)] == expected[(cluster, year)], (cluster, year)
    outputs = rows(bundle, "outputs.csv")
    assert any(o["project_id"] for o in outputs)
    assert {int(o["year"]) for o in outputs} == {2011, 2012, 2013, 2014}


def test_synthetic_flags(bundle):
    for name in FACT_FILES:
        assert {r["synthetic"] for r in rows(bundle, name)} == {"false"}, name
    for name in GENERATED_FILES:
        assert {r["synthetic"] for r in rows(bundle, name)} == {"true"}, name
    for r in rows(bundle, "activities.csv"):
        # cluster niches are facts; actor niches are generated
        assert r["synthetic"] == ("false" if r["cluster_id"] else "true")


def test_facts_from_the_article(bundle):
    clusters = {c["id"]: c for c in rows(bundle, "clusters.csv")}
    assert clusters["oceanopole"]["region_id"] == "ma-guelmim-es-semara"
    assert clusters["oceanopole"]["founded_year"] == "2010"
    assert "60 servers" in clusters["mmc"]["description"]
    assert "ST Ericsson" in clusters["mmc"]["description"]
    mnc_niches = {a["niche_id"] for a in rows(bundle, "activities.csv")
                  if a["cluster_id"] == "mnc"}
    assert len(mnc_niches) == 4
    programmes = {p["id"]: p for p in rows(bundle, "programmes.csv")}
    assert "62 million" in programmes[FUND]["description"]
    assert "17 million" in programmes[FUND]["description"]
    assert "Centre marocain de l'innovation" in programmes["tatouir"]["funder"]
    regions = {r["id"]: r for r in rows(bundle, "regions.csv")}
    assert regions["MA"]["kind"] == "country"
    assert all(r["parent_id"] == "MA" for rid, r in regions.items() if rid != "MA")
    actors = rows(bundle, "actors.csv")
    assert {a["country"] for a in actors} == {"MA"}
    assert all(a["region_id"] in regions for a in actors)
