"""The real CORDIS H2020 sample loaded into the real Neo4j server.

Expected numbers are computed here from the CSV files with the csv module (never through
read_cordis), and also checked against the literal figures of PROVENANCE.md.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pytest
from helpers import CORDIS_SAMPLE, dump_graph

from loaders.cordis import read_cordis

pytestmark = [pytest.mark.neo4j]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def expected() -> dict:
    """Figures computed independently from the sample's CSV files."""
    folder = CORDIS_SAMPLE
    if not (folder / "organization.csv").is_file():
        pytest.fail(f"CORDIS sample not found at {folder}")
    orgs = _rows(folder / "organization.csv")
    projects = _rows(folder / "project.csv")
    latest: dict[str, tuple[str, dict]] = {}
    for row in orgs:  # the row with the latest contentUpdateDate wins (later row on a tie)
        org = row["organisationID"]
        if org not in latest or row["contentUpdateDate"] >= latest[org][0]:
            latest[org] = (row["contentUpdateDate"], row)
    kinds: Counter = Counter()
    activity: Counter = Counter()
    for _date, row in latest.values():
        activity[row["activityType"]] += 1
        if row["activityType"] == "PRC":
            kinds["sme" if row["SME"].strip().lower() == "true" else "company"] += 1
        else:
            kinds[{"HES": "university", "REC": "research_lab", "OTH": "other",
                   "PUB": "public_agency"}[row["activityType"]]] += 1
    referenced = {r["projectID"] for r in orgs}
    described = {r["id"] for r in projects}
    pairs = defaultdict(list)
    for row in orgs:
        pairs[(row["organisationID"], row["projectID"])].append(row)
    return {
        "rows": len(orgs),
        "actors": len(latest),
        "activity": dict(activity),
        "kinds": dict(kinds),
        "referenced_projects": len(referenced),
        "described_projects": len(described - referenced),
        "projects": len(referenced | described),
        "participations": len(pairs),
        "countries": len({r["country"] for r in orgs if r["country"].strip()}),
        "pairs": pairs,
        "roles": Counter(r["role"] for r in orgs),
    }


@pytest.fixture(scope="module")
def cordis_loaded(session_store, expected):
    """The sample loaded once into an emptied graph (module scope: it takes a few seconds)."""
    session_store.delete_all()
    dataset, warnings = read_cordis(CORDIS_SAMPLE)
    report = session_store.write(dataset, kind="cordis")
    return {"store": session_store, "report": report, "dataset": dataset, "warnings": warnings}


def test_independent_figures_match_provenance(expected):
    assert expected["rows"] == 5150
    assert expected["actors"] == 3114
    assert expected["referenced_projects"] == 602
    assert expected["described_projects"] == 97
    assert expected["projects"] == 699
    assert expected["participations"] == 5149
    assert expected["countries"] == 80
    assert expected["activity"] == {"PRC": 1470, "HES": 545, "REC": 537, "OTH": 304, "PUB": 258}
    assert expected["kinds"]["sme"] + expected["kinds"]["company"] == 1470
    assert expected["roles"] == {"participant": 4030, "coordinator": 568, "thirdParty": 389,
                                 "partner": 160, "internationalPartner": 3}


def test_upstream_semicolon_layout_reads_the_same(tmp_path):
    """Upstream CORDIS ships ';'-separated files with decimal commas: same dataset."""
    for name in ("organization.csv", "project.csv"):
        with (CORDIS_SAMPLE / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        amounts = {"ecContribution", "netEcContribution", "totalCost", "ecMaxContribution"}
        cols = [i for i, h in enumerate(rows[0]) if h in amounts]
        for row in rows[1:]:
            for i in cols:
                row[i] = row[i].replace(".", ",")
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL).writerows(rows)
    original, _ = read_cordis(CORDIS_SAMPLE)
    upstream, _ = read_cordis(tmp_path)
    for name in ("actors", "projects", "participations", "fundings", "regions", "programmes"):
        assert getattr(upstream, name) == getattr(original, name), name


def test_counts_after_load(cordis_loaded, expected):
    store = cordis_loaded["store"]
    counts = store.counts()
    assert counts["nodes"]["Actor"] == expected["actors"] == 3114
    assert counts["nodes"]["Project"] == expected["projects"] == 699
    assert counts["nodes"]["Region"] == expected["countries"] == 80
    assert counts["relationships"]["PARTICIPATES_IN"] == expected["participations"] == 5149
    assert counts["relationships"]["LOCATED_IN"] == 3114
    assert counts["relationships"]["FUNDED_BY"] == 699
    assert counts["nodes"]["Cluster"] == 0
    report = cordis_loaded["report"]
    assert report.nodes["Actor"]["created"] == 3114
    assert report.nodes["Project"]["created"] == 699
    assert report.relationships["PARTICIPATES_IN"]["created"] == 5149


def test_projects_referenced_and_described(cordis_loaded):
    store = cordis_loaded["store"]
    records, _, _ = store.driver.execute_query(
        "MATCH (p:Project) RETURN p.described AS described, "
        "EXISTS { (:Actor)-[:PARTICIPATES_IN]->(p) } AS referenced, count(*) AS n",
        database_=store.database)
    got = {(r["described"], r["referenced"]): r["n"] for r in records}
    assert got == {(False, True): 602, (True, False): 97}


def test_actor_kinds(cordis_loaded, expected):
    store = cordis_loaded["store"]
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Actor) RETURN a.kind AS kind, a.activity_type AS activity, count(*) AS n",
        database_=store.database)
    kinds: Counter = Counter()
    activity: Counter = Counter()
    for r in records:
        kinds[r["kind"]] += r["n"]
        activity[r["activity"]] += r["n"]
    assert dict(kinds) == expected["kinds"]
    assert kinds["university"] == 545
    assert kinds["research_lab"] == 537
    assert kinds["other"] == 304
    assert kinds["public_agency"] == 258
    assert kinds["sme"] + kinds["company"] == 1470
    assert kinds["sme"] > 0 and kinds["company"] > 0
    assert dict(activity) == {"PRC": 1470, "HES": 545, "REC": 537, "OTH": 304, "PUB": 258}


def test_two_roles_in_one_project(cordis_loaded, expected):
    rows = expected["pairs"][("952979120", "833955")]
    assert sorted(r["role"] for r in rows) == ["participant", "thirdParty"]
    summed = round(sum(float(r["ecContribution"].replace(",", ".")) for r in rows), 2)
    assert summed == 86432.02
    duplicates = [k for k, v in expected["pairs"].items() if len(v) > 1]
    assert duplicates == [("952979120", "833955")]

    store = cordis_loaded["store"]
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Actor {id: $a})-[r:PARTICIPATES_IN]->(p:Project {id: $p}) "
        "RETURN r.role AS role, r.roles AS roles, r.contribution AS contribution",
        {"a": "cordis-org-952979120", "p": "cordis-project-833955"}, database_=store.database)
    assert len(records) == 1
    assert records[0]["role"] == "participant"
    assert records[0]["roles"] == ["participant", "third_party"]
    assert records[0]["contribution"] == pytest.approx(86432.02, abs=1e-6)


def test_co_participation_components(cordis_loaded):
    store = cordis_loaded["store"]
    actors, _, _ = store.driver.execute_query("MATCH (a:Actor) RETURN a.id AS id",
                                              database_=store.database)
    projects, _, _ = store.driver.execute_query(
        "MATCH (a:Actor)-[:PARTICIPATES_IN]->(p:Project) RETURN p.id AS p, collect(a.id) AS a",
        database_=store.database)
    graph = nx.Graph()
    graph.add_nodes_from(r["id"] for r in actors)
    for record in projects:
        members = sorted(set(record["a"]))
        graph.add_edges_from((u, v) for i, u in enumerate(members) for v in members[i + 1:])
    components = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    assert graph.number_of_nodes() == 3114
    assert components[0] == 2998
    assert len(components) == 95


def test_morocco(cordis_loaded):
    store = cordis_loaded["store"]
    assert len(store.group_actors(country_id="MA")) == 3


def test_reload_is_idempotent(cordis_loaded, cordis_sample):
    store = cordis_loaded["store"]
    before = dump_graph(store)
    counts = store.counts()
    dataset, _ = read_cordis(cordis_sample)
    report = store.write(dataset, kind="cordis")
    assert report.changed is False, str(report)
    for label, counter in report.nodes.items():
        assert counter["created"] == 0 and counter["updated"] == 0, (label, counter)
    for rel, counter in report.relationships.items():
        assert counter["created"] == 0 and counter["updated"] == 0 and counter["deleted"] == 0, (
            rel, counter)
    assert report.nodes["Actor"]["unchanged"] == 3114
    assert store.counts() == counts
    assert dump_graph(store) == before
