"""Partnership-network exports of the real CORDIS H2020 sample, read back with networkx and
checked against a projection computed here from the sample's raw CSV files (csv module and
itertools only, never read_cordis) and against the analytics' own projection; the node
metrics equal those of ``synergraph metrics`` for the same country and filter.

The sample's two files are independent samples (PROVENANCE.md): no project of
organization.csv is described in project.csv, so no tie has a year here (first_year and
last_year are absent, as the independent projection expects); the demo's test checks years.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest
from helpers import CORDIS_SAMPLE, api_client, run_cli

from loaders.cordis import read_cordis
from service.usecases import Context, GroupFilter, GroupRef

pytestmark = [pytest.mark.neo4j]

KINDS = {"HES": "university", "REC": "research_lab", "OTH": "other", "PUB": "public_agency"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def raw() -> dict:
    """Actors (kind and country of the organisation's latest row), participations and
    project start years, from organization.csv and project.csv."""
    if not (CORDIS_SAMPLE / "organization.csv").is_file():
        pytest.fail(f"CORDIS sample not found at {CORDIS_SAMPLE}")
    orgs = _rows(CORDIS_SAMPLE / "organization.csv")
    latest: dict[str, tuple[str, dict]] = {}
    for row in orgs:  # the row with the latest contentUpdateDate wins (later row on a tie)
        if row["organisationID"] not in latest or \
                row["contentUpdateDate"] >= latest[row["organisationID"]][0]:
            latest[row["organisationID"]] = (row["contentUpdateDate"], row)
    actors = {}
    for org, (_date, row) in latest.items():
        activity = row["activityType"].strip().upper()
        if activity == "PRC":
            kind = "sme" if row["SME"].strip().lower() == "true" else "company"
        else:
            kind = KINDS.get(activity, "other")
        actors[f"cordis-org-{org}"] = {"kind": kind,
                                       "country": row["country"].strip().upper() or None}
    year = {f"cordis-project-{r['id']}": int(r["startDate"][:4])
            for r in _rows(CORDIS_SAMPLE / "project.csv") if r["startDate"].strip()}
    pairs = {(f"cordis-org-{r['organisationID']}", f"cordis-project-{r['projectID']}")
             for r in orgs}
    return {"actors": actors, "year": year, "pairs": pairs}


def projection(raw: dict, members: set[str], *, years=None, kinds=None, min_weight=1):
    """``(actors, {(u, v): (shared projects, first start year, last start year)})``."""
    actors = {a for a in members if kinds is None or raw["actors"][a]["kind"] in kinds}
    partners: dict[str, set[str]] = defaultdict(set)
    for actor, project in raw["pairs"]:
        year = raw["year"].get(project)
        if actor in actors and (years is None or (year is not None
                                                  and years[0] <= year <= years[1])):
            partners[project].add(actor)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for project, group in partners.items():
        for pair in combinations(sorted(group), 2):
            shared[pair].append(project)
    ties = {}
    for pair, projects in shared.items():
        if len(projects) >= min_weight:
            known = [raw["year"][p] for p in projects if p in raw["year"]]
            ties[pair] = (len(projects), min(known) if known else None,
                          max(known) if known else None)
    return actors, ties


@pytest.fixture(scope="module")
def loaded(session_store):
    session_store.delete_all()
    dataset, _ = read_cordis(CORDIS_SAMPLE)
    session_store.write(dataset, kind="cordis")
    return session_store


@pytest.fixture(scope="module")
def client(loaded, make_app):
    return api_client(make_app(), "researcher")


def _check(g: nx.Graph, raw: dict, actors: set[str], ties: dict, own: nx.Graph) -> None:
    assert set(g) == actors == set(own)
    edges = {tuple(sorted((u, v))): d for u, v, d in g.edges(data=True)}
    assert set(edges) == set(ties) == {tuple(sorted(e)) for e in own.edges}
    for pair, (weight, first, last) in ties.items():
        assert edges[pair]["weight"] == weight == own.edges[pair]["weight"], pair
        assert edges[pair].get("first_year") == first, pair
        assert edges[pair].get("last_year") == last, pair
    for node, data in g.nodes(data=True):
        assert data["kind"] == raw["actors"][node]["kind"], node
        assert data.get("country") == raw["actors"][node]["country"], node
        assert data["synthetic"] is False


def test_ecosystem_gexf_equals_the_independent_projection(client, loaded, raw):
    # the ecosystem (3,431 actors) is large enough for a background job: wait for it
    response = client.get("/api/v1/network.gexf?wait=60")
    assert response.status_code == 200
    g = nx.read_gexf(io.BytesIO(response.data))
    actors, ties = projection(raw, set(raw["actors"]))
    assert len(actors) == 3114 and len(ties) > 10_000
    assert any(first is None for _w, first, _l in ties.values())  # undescribed projects
    assert any(w > 1 for w, _f, _l in ties.values())
    _check(g, raw, actors, ties, Context(loaded).graph(None))


def test_filtered_ecosystem_csv_equals_the_independent_projection(client, loaded, raw):
    import zipfile

    flt = {"kinds": "university,research_lab", "min_weight": "2"}
    response = client.get("/api/v1/network.csv.zip?kinds=university,research_lab&min_weight=2"
                          "&wait=60")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), "utf-8")))
        edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), "utf-8")))
        meta = json.loads(archive.read("meta.json"))
    actors, ties = projection(raw, set(raw["actors"]), kinds={"university", "research_lab"},
                              min_weight=2)
    assert {n["id"] for n in nodes} == actors
    assert {(e["source"], e["target"]): (int(e["weight"]),
                                         int(e["first_year"]) if e["first_year"] else None,
                                         int(e["last_year"]) if e["last_year"] else None)
            for e in edges} == ties
    assert ties
    assert meta["synthetic"] is False and "CORDIS" in meta["attribution"]
    own = Context(loaded).graph(None, GroupFilter.parse(flt))
    assert {tuple(sorted(e)) for e in own.edges} == set(ties)


def test_country_graphml_equals_the_projections_and_metrics(client, loaded, raw,
                                                            neo4j_settings, tmp_path):
    kinds = "company,research_lab,university"
    response = client.get(f"/api/v1/countries/DE/network.graphml?kinds={kinds}")
    assert response.status_code == 200
    g = nx.read_graphml(io.BytesIO(response.data))
    members = {a for a, info in raw["actors"].items() if info["country"] == "DE"}
    actors, ties = projection(raw, members, kinds=set(kinds.split(",")))
    assert ties and len(actors) < len(members)
    own = Context(loaded).graph(GroupRef.country("DE"), GroupFilter.parse({"kinds": kinds}))
    _check(g, raw, actors, ties, own)
    assert g.graph["group"] == "country:DE" and g.graph["synthetic"] is False
    assert "CORDIS" in g.graph["attribution"]

    out = tmp_path / "metrics.json"
    result = run_cli(neo4j_settings, "metrics", "--country", "DE", "--kinds", kinds,
                     "--null-runs", "0", "--format", "json", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))["actors"]
    assert {r["id"] for r in rows} == actors
    for row in rows:
        data = g.nodes[row["id"]]
        for column, value in row.items():
            if column == "id":
                continue
            expected = ";".join(value) if isinstance(value, list) else value
            if value is None:
                assert column not in data, (row["id"], column)
            else:
                assert data[column] == expected, (row["id"], column)
