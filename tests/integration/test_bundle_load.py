"""Canonical bundles loaded into the real Neo4j server: idempotence, updates, references,
and all-or-nothing writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import (
    SMALL_BUNDLE,
    dump_graph,
    fingerprint,
    small_bundle,
    without_load_id,
    write_files,
)
from neo4j.exceptions import Neo4jError

from graph_schema.model import Dataset
from graph_schema.store import GraphStore
from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle
from loaders.errors import ValidationFailed

pytestmark = [pytest.mark.neo4j]


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "demo-bundle"
    write_demo_bundle(folder, seed=2011)
    return folder


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_loaded_twice_is_idempotent(store, demo_bundle):
    report = store.write(read_bundle(demo_bundle), kind="demo", synthetic=True)
    assert report.changed is True
    counts = store.counts()
    for name, label in (("actors.csv", "Actor"), ("clusters.csv", "Cluster"),
                        ("projects.csv", "Project"), ("regions.csv", "Region"),
                        ("niches.csv", "Niche"), ("programmes.csv", "Programme"),
                        ("targets.csv", "Target"), ("outputs.csv", "Output")):
        n = len(_csv_rows(demo_bundle / name))
        assert counts["nodes"][label] == n, label
        assert report.nodes[label]["created"] == n, label
    for name, rel in (("memberships.csv", "MEMBER_OF"), ("participations.csv", "PARTICIPATES_IN"),
                      ("fundings.csv", "FUNDED_BY")):
        assert counts["relationships"][rel] == len(_csv_rows(demo_bundle / name)), rel

    before = dump_graph(store)
    version = store.graph_version()
    report = store.write(read_bundle(demo_bundle), kind="demo", synthetic=True)
    assert report.changed is False, str(report)
    assert "nothing changed" in str(report)
    for label, counter in report.nodes.items():
        assert counter["created"] == 0 and counter["updated"] == 0, (label, counter)
        assert counter["unchanged"] > 0, label
    for rel, counter in report.relationships.items():
        assert counter["created"] == 0 and counter["updated"] == 0 and counter["deleted"] == 0, (
            rel, counter)
    assert store.counts() == counts
    assert dump_graph(store) == before
    assert store.graph_version() == version  # nothing changed: no new graph version


def test_renamed_actor_is_one_update(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "v1" / "bundle")), kind="bundle")
    before = dump_graph(store)
    renamed = SMALL_BUNDLE["actors.csv"].replace("a2,Universite Hassan II,",
                                                 "a2,Universite Hassan II Casablanca,")
    report = store.write(
        read_bundle(small_bundle(tmp_path / "v2" / "bundle", actors_csv=renamed)), kind="bundle")
    assert report.changed is True
    assert dict(report.nodes["Actor"]) == {"updated": 1, "unchanged": 2}
    for label, counter in report.nodes.items():
        if label != "Actor":
            assert counter["created"] == 0 and counter["updated"] == 0, (label, counter)
    for rel, counter in report.relationships.items():
        assert counter["created"] == 0 and counter["updated"] == 0 and counter["deleted"] == 0, (
            rel, counter)
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Actor {id: 'a2'}) RETURN a.name AS name", database_=store.database)
    assert records[0]["name"] == "Universite Hassan II Casablanca"
    after = dump_graph(store)
    assert len(after["relationships"]) == len(before["relationships"])
    # apart from the load_id (a new input: every row carries it), only a2's name differs
    old_nodes, new_nodes = without_load_id(before["nodes"]), without_load_id(after["nodes"])
    assert without_load_id(after["relationships"]) == without_load_id(before["relationships"])
    assert len(old_nodes - new_nodes) == len(new_nodes - old_nodes) == 1
    [gone], [came] = old_nodes - new_nodes, new_nodes - old_nodes
    assert json.loads(gone)["props"]["name"] == "Universite Hassan II"
    assert json.loads(came)["props"]["name"] == "Universite Hassan II Casablanca"


def test_cleared_optional_value_is_removed(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "v1")), kind="bundle")
    actors = (
        "id,name,kind,country,region_id,city,founded_year,website\n"
        "a1,Atlas Mobile,sme,MA,ma-casa,Casablanca,2006,\n"
        "a2,Universite Hassan II,university,MA,ma-casa,Casablanca,1975,\n"
        "a3,Lab Numerique,research_lab,MA,ma-casa,Rabat,,\n"
    )
    report = store.write(read_bundle(small_bundle(tmp_path / "v2", actors_csv=actors)),
                         kind="bundle")
    assert report.nodes["Actor"]["updated"] == 1
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Actor {id: 'a1'}) RETURN a.website AS website", database_=store.database)
    assert records[0]["website"] is None


def test_changed_contribution_is_one_relationship_update(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "v1" / "bundle")), kind="bundle")
    changed = SMALL_BUNDLE["participations.csv"].replace("a2,p1,partner,100000,MAD",
                                                         "a2,p1,partner,120000,MAD")
    report = store.write(
        read_bundle(small_bundle(tmp_path / "v2" / "bundle", participations_csv=changed)),
        kind="bundle")
    assert dict(report.relationships["PARTICIPATES_IN"]) == {"updated": 1, "unchanged": 2}
    assert all(c["updated"] == 0 and c["created"] == 0 for c in report.nodes.values())
    records, _, _ = store.driver.execute_query(
        "MATCH (:Actor {id: 'a2'})-[r:PARTICIPATES_IN]->(:Project {id: 'p1'}) "
        "RETURN r.contribution AS c", database_=store.database)
    assert [r["c"] for r in records] == [120000.0]


def test_moved_actor_relinks_location(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "v1")), kind="bundle")
    actors = (
        "id,name,kind,country,region_id,city,founded_year,website\n"
        "a1,Atlas Mobile,sme,MA,MA,Casablanca,2006,https://a1.example\n"
        "a2,Universite Hassan II,university,MA,ma-casa,Casablanca,1975,\n"
        "a3,Lab Numerique,research_lab,MA,ma-casa,Rabat,,\n"
    )
    store.write(read_bundle(small_bundle(tmp_path / "v2", actors_csv=actors)), kind="bundle")
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Actor {id: 'a1'})-[:LOCATED_IN]->(r) RETURN collect(r.id) AS regions",
        database_=store.database)
    assert records[0]["regions"] == ["MA"]


# -- references to ids that only the graph holds ----------------------------------------
def _second_bundle(folder: Path) -> Path:
    return write_files(folder, {
        "actors.csv": "id,name,kind\nb1,Second Actor,startup\n",
        "memberships.csv": "actor_id,cluster_id,since\n"
                           "a3,c1,2013\n"            # a3 and c1 exist only in the graph
                           "b1,c1,2014\n",
    })


def test_reference_to_graph_ids_validates_with_known_ids(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "first")), kind="bundle")
    second = _second_bundle(tmp_path / "second")
    dataset = read_bundle(second, known_ids=store.existing_ids)
    report = store.write(dataset, kind="bundle")
    assert report.relationships["MEMBER_OF"]["created"] == 2
    records, _, _ = store.driver.execute_query(
        "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'c1'}) RETURN a.id AS id ORDER BY id",
        database_=store.database)
    assert [r["id"] for r in records] == ["a1", "a2", "a3", "b1"]


def test_reference_to_graph_ids_fails_without_known_ids(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "first")), kind="bundle")
    second = _second_bundle(tmp_path / "second")
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(second)
    got = sorted((p.file, p.line, p.column, p.value) for p in caught.value.problems)
    assert got == [("memberships.csv", 2, "actor_id", "a3"),
                   ("memberships.csv", 2, "cluster_id", "c1"),
                   ("memberships.csv", 3, "cluster_id", "c1")]
    assert all("unknown id" in p.reason for p in caught.value.problems)


def test_reference_to_missing_id_fails_even_with_known_ids(store, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "first")), kind="bundle")
    folder = write_files(tmp_path / "second", {
        "actors.csv": "id,name,kind\nb1,Second Actor,startup\n",
        "memberships.csv": "actor_id,cluster_id\nb1,c-nowhere\n",
    })
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder, known_ids=store.existing_ids)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "memberships.csv", 2, "cluster_id", "c-nowhere")


# -- all or nothing ---------------------------------------------------------------------
def _dataset_with_map_property(where: str) -> Dataset:
    """Valid actors first; a map-valued property (which Neo4j cannot store) further on."""
    actors = [{"id": f"atom-a{i}", "name": f"Actor {i}", "kind": "sme", "synthetic": False}
              for i in range(7)]
    projects = [{"id": "atom-p1", "title": "Project", "synthetic": False}]
    participations = [{"actor_id": a["id"], "project_id": "atom-p1", "role": "partner",
                       "synthetic": False} for a in actors]
    if where == "node":
        projects.append({"id": "atom-p2", "title": {"not": "storable"}, "synthetic": False})
    else:
        participations[-1]["contribution"] = {"not": "storable"}
    return Dataset(source="test:atomicity", load_id=f"atomicity-{where}", actors=actors,
                   projects=projects, participations=participations)


@pytest.mark.parametrize("where", ["node", "relationship"])
def test_failure_inside_the_database_changes_nothing(store, tmp_path, where):
    store.write(read_bundle(small_bundle(tmp_path / "bundle")), kind="bundle")
    before = fingerprint(store)
    version = store.graph_version()
    # small batches: several statements have run before the failing one
    small_batches = GraphStore(store.driver, store.database, batch_size=2)
    with pytest.raises(Neo4jError):
        small_batches.write(_dataset_with_map_property(where), kind="bundle")
    assert fingerprint(store) == before
    assert store.graph_version() == version
    records, _, _ = store.driver.execute_query(
        "MATCH (n) WHERE n.id STARTS WITH 'atom' OR n.id STARTS WITH 'atomicity' "
        "RETURN count(n) AS n", database_=store.database)
    assert records[0]["n"] == 0
