"""Planning a load's statements while its files are read (``GraphStore.plan_ahead`` and
``planned_ahead``): the server plans (EXPLAIN) the statements the load will run, nothing is
written, and a database that cannot be reached changes nothing for the load."""

from __future__ import annotations

import socket
import threading

import pytest
from neo4j import GraphDatabase

import service.cli as cli
from graph_schema.store import GraphStore, planned_ahead
from loaders.bundle import read_bundle
from loaders.cordis import TARGETS as CORDIS_TARGETS
from loaders.cordis import read_cordis

pytestmark = [pytest.mark.neo4j]

#: What a CORDIS load writes, in the order it writes it (the model's order: node labels,
#: then the links nodes carry, then relationships).
CORDIS_STEPS = [("node", "Region"), ("node", "Programme"), ("node", "Actor"),
                ("node", "Project"), ("rel", "PART_OF"), ("rel", "LOCATED_IN"),
                ("rel", "PARTICIPATES_IN"), ("rel", "FUNDED_BY")]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def _ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "synergraph-plan-ahead"]


def test_plan_ahead_plans_every_statement_of_a_cordis_load_and_writes_nothing(
        store, cordis_sample):
    store.write(read_cordis(cordis_sample)[0], kind="cordis")  # non-empty: the upserts
    before = (store.counts(), store.graph_stamp(), store.load_runs()[0])
    assert store.plan_ahead(CORDIS_TARGETS) == CORDIS_STEPS
    assert (store.counts(), store.graph_stamp(), store.load_runs()[0]) == before
    # the same steps as the real load's plan
    dataset, _ = read_cordis(cordis_sample)
    assert [step.step for step in store._plan(dataset)] == CORDIS_STEPS


def test_plan_ahead_on_an_empty_graph_writes_nothing(store):
    assert store.plan_ahead(CORDIS_TARGETS) == CORDIS_STEPS
    assert store.counts()["nodes"] == dict.fromkeys(store.counts()["nodes"], 0)
    assert store.graph_stamp() == "0"


def test_plan_ahead_of_every_list_covers_the_demos_statements(store, demo_bundle_folder):
    targets = ("regions", "niches", "programmes", "clusters", "actors", "projects",
               "targets", "outputs", "memberships", "participations", "fundings",
               "activities")
    planned = store.plan_ahead(targets)
    demo_steps = {step.step for step in store._plan(read_bundle(demo_bundle_folder))}
    assert demo_steps <= set(planned)
    assert store.counts()["relationships"] == dict.fromkeys(
        store.counts()["relationships"], 0)


def test_plan_ahead_stops_when_asked(store):
    stop = threading.Event()
    stop.set()
    assert store.plan_ahead(CORDIS_TARGETS, stop) == []


def test_planned_ahead_runs_the_body_and_leaves_no_thread(store):
    with planned_ahead(store, CORDIS_TARGETS):
        value = sum(range(1000))
    assert value == 499500
    assert _ahead_threads() == []


def test_planned_ahead_with_an_unreachable_database_changes_nothing_for_the_body():
    driver = GraphDatabase.driver(f"bolt://127.0.0.1:{_closed_port()}",
                                  auth=("neo4j", "wrong"), connection_timeout=2)
    unreachable = GraphStore(driver)
    try:
        with planned_ahead(unreachable, CORDIS_TARGETS):
            value = "read"
        assert value == "read"
        assert _ahead_threads() == []
    finally:
        unreachable.close()


def test_bad_cordis_files_are_reported_without_a_database(tmp_path, monkeypatch, capsys):
    """The CLI plans ahead while it reads: bad files still give the validation error (exit
    2) and nothing else, whether or not a database answers."""
    (tmp_path / "organization.csv").write_text(
        "projectID;organisationID;name;activityType;country;role\n"
        "12;x9;Org;HES;FR;coordinator\n", encoding="utf-8")
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{_closed_port()}")
    assert cli.main(["load", "cordis", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "organisationID" in err and "not a CORDIS numeric id" in err
    assert "Traceback" not in err and "ServiceUnavailable" not in err
    assert _ahead_threads() == []
