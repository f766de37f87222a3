"""Issue 11 item 1 against the real Neo4j: loads that sync a source (rows missing from the
input are deleted, other sources untouched, shared rows released), dry runs that write
nothing, all-or-nothing syncs, and the load history."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import dump_graph, fingerprint, run_cli, without_load_id, write_files
from support import cypher_rows

from graph_schema.model import Dataset
from graph_schema.store import GraphStore
from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle

pytestmark = [pytest.mark.neo4j]

DEMO_SOURCE = "Synergraph demo ecosystem (generated; facts from Les ECO, 14 Sept 2011)"

#: A second source, sharing no id with the demo.
SECOND = {
    "bundle.json": json.dumps({"name": "second", "source": "second source"}),
    "regions.csv": "id,name,kind,country,parent_id\nzz-r,Zed,region,ZZ,\n",
    "clusters.csv": "id,name,field,region_id\nzz-c,Zed cluster,ICT,zz-r\n",
    "actors.csv": "id,name,kind,region_id\nzz-a1,Zed One,sme,zz-r\nzz-a2,Zed Two,startup,zz-r\n",
    "projects.csv": "id,title,start_year\nzz-p,Zed project,2015\n",
    "memberships.csv": "actor_id,cluster_id,since\nzz-a1,zz-c,2014\nzz-a2,zz-c,2015\n",
    "participations.csv": "actor_id,project_id,role\nzz-a1,zz-p,coordinator\n"
                          "zz-a2,zz-p,partner\n",
}


# -- CSV editing (independent of the code under test) ------------------------------------
def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _drop(path: Path, keep) -> list[dict[str, str]]:
    """Remove the rows for which ``keep(row)`` is false; return the removed rows."""
    header, rows = _rows(path)
    _write_rows(path, header, [r for r in rows if keep(r)])
    return [r for r in rows if not keep(r)]


def _pick(folder: Path) -> tuple[str, dict, dict]:
    """An actor to delete (a member with participations, activities and a region), and a
    participation and a membership of two other actors."""
    _, members = _rows(folder / "memberships.csv")
    _, parts = _rows(folder / "participations.csv")
    _, acts = _rows(folder / "activities.csv")
    _, actors = _rows(folder / "actors.csv")
    with_all = [a["id"] for a in actors
                if a["region_id"] and any(m["actor_id"] == a["id"] for m in members)
                and any(p["actor_id"] == a["id"] for p in parts)
                and any(x["actor_id"] == a["id"] for x in acts)]
    actor = with_all[0]
    participation = next(p for p in parts if p["actor_id"] != actor)
    membership = next(m for m in members if m["actor_id"] not in (actor,
                                                                  participation["actor_id"]))
    return actor, participation, membership


def _edit_demo(folder: Path) -> dict:
    """Delete one participation, one membership and one actor (with every row naming it)."""
    actor, participation, membership = _pick(folder)
    removed = {"actor": actor, "participation": participation, "membership": membership}
    removed["actor_rows"] = {
        name: _drop(folder / name, lambda r: r.get("actor_id") != actor)
        for name in ("memberships.csv", "participations.csv", "activities.csv")
    }
    _drop(folder / "actors.csv", lambda r: r["id"] != actor)
    _drop(folder / "participations.csv",
          lambda r: (r["actor_id"], r["project_id"]) != (participation["actor_id"],
                                                         participation["project_id"]))
    _drop(folder / "memberships.csv",
          lambda r: (r["actor_id"], r["cluster_id"]) != (membership["actor_id"],
                                                         membership["cluster_id"]))
    return removed


def _expected_gone(before: dict, removed: dict) -> set[str]:
    """The dump lines (without load_id) that the sync must remove, chosen by hand."""
    actor = removed["actor"]
    part = (removed["participation"]["actor_id"], removed["participation"]["project_id"])
    member = (removed["membership"]["actor_id"], removed["membership"]["cluster_id"])
    gone = set()
    for line in without_load_id(before["nodes"]):
        if json.loads(line)["props"].get("id") == actor:
            gone.add(line)
    for line in without_load_id(before["relationships"]):
        item = json.loads(line)
        ends = (item["a"][1], item["b"][1])
        if actor in ends or (item["type"], ends) in (("PARTICIPATES_IN", part),
                                                      ("MEMBER_OF", member)):
            gone.add(line)
    return gone


@pytest.fixture
def two_sources(store, tmp_path) -> tuple[Path, Path]:
    """The demo (edited copy to come) and a second source, both loaded."""
    demo = tmp_path / "demo"
    write_demo_bundle(demo, seed=2011)
    store.write(read_bundle(demo), kind="demo", synthetic=True)
    second = write_files(tmp_path / "second", SECOND)
    store.write(read_bundle(second), kind="bundle")
    return demo, second


def test_sync_deletes_exactly_the_rows_missing_from_the_input(store, two_sources):
    demo, _second = two_sources
    before = dump_graph(store)
    version = store.graph_version()
    removed = _edit_demo(demo)
    actor = removed["actor"]

    report = store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                         synthetic=True, sync=True, examples=3)

    after = dump_graph(store)
    gone = _expected_gone(before, removed)
    # 1 actor node; its memberships, participations, activities and location; one more
    # participation and one more membership
    rows = removed["actor_rows"]
    assert len(gone) == (1 + len(rows["memberships.csv"]) + len(rows["participations.csv"])
                         + len(rows["activities.csv"]) + 1 + 2)
    assert without_load_id(after["nodes"]) | without_load_id(
        after["relationships"]) == (without_load_id(before["nodes"])
                                    | without_load_id(before["relationships"])) - gone
    # ... and the second source's rows are all there, load ids included
    second_lines = [line for line in before["nodes"] + before["relationships"]
                    if "second source" in line]
    assert len(second_lines) == 5 + 7  # region, cluster, 2 actors, project; 2 memberships,
    #                                    2 participations, 3 LOCATED_IN
    assert set(second_lines) <= set(after["nodes"] + after["relationships"])

    assert report.nodes["Actor"]["deleted"] == 1
    assert sum(c["deleted"] for c in report.nodes.values()) == 1
    assert report.relationships["MEMBER_OF"]["deleted"] == len(rows["memberships.csv"]) + 1
    assert report.relationships["PARTICIPATES_IN"]["deleted"] == (
        len(rows["participations.csv"]) + 1)
    assert report.relationships["ACTIVE_IN"]["deleted"] == len(rows["activities.csv"])
    assert report.relationships["LOCATED_IN"]["deleted"] == 1
    assert report.examples["nodes"]["Actor"]["deleted"] == [actor]
    assert report.changed and report.sync
    assert store.graph_version() == version + 1

    # the same corrected bundle again: nothing to delete, nothing changes
    again = store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                        synthetic=True, sync=True)
    assert not again.changed, str(again)
    assert all(c["deleted"] == 0 for c in (*again.nodes.values(),
                                            *again.relationships.values()))
    assert store.graph_version() == version + 1
    assert dump_graph(store) == after


def test_without_sync_the_load_deletes_nothing(store, two_sources):
    demo, _second = two_sources
    before = dump_graph(store)
    removed = _edit_demo(demo)
    report = store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                         synthetic=True)
    assert all(c["deleted"] == 0 for c in report.nodes.values())
    assert report.relationships["MEMBER_OF"]["deleted"] == 0
    assert without_load_id(dump_graph(store)["nodes"]) == without_load_id(
        before["nodes"])
    assert cypher_rows(store, "MATCH (a:Actor {id: $id}) RETURN a.id AS id",
                       id=removed["actor"]) == [{"id": removed["actor"]}]


def test_dry_run_writes_nothing_and_counts_what_the_real_run_does(store, two_sources):
    demo, _second = two_sources
    removed = _edit_demo(demo)
    # and one change of each other kind: a renamed actor, a new actor
    header, actors = _rows(demo / "actors.csv")
    actors[0]["name"] += " (renamed)"
    actors.append({**actors[1], "id": "new-actor", "name": "New actor"})
    _write_rows(demo / "actors.csv", header, actors)
    whole = fingerprint(store)
    version = store.graph_version()
    runs_before, _ = store.load_runs()

    dry = store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                      synthetic=True, sync=True, dry_run=True, examples=2)

    assert fingerprint(store) == whole
    assert store.graph_version() == version
    assert store.load_runs()[0] == runs_before
    assert dry.dry_run and dry.changed
    assert dict(dry.nodes["Actor"]) == {"created": 1, "updated": 1,
                                        "unchanged": len(actors) - 2, "deleted": 1}
    assert dry.examples["nodes"]["Actor"]["created"] == ["new-actor"]
    assert dry.examples["nodes"]["Actor"]["updated"] == [actors[0]["id"]]
    assert dry.examples["nodes"]["Actor"]["deleted"] == [removed["actor"]]
    assert len(dry.examples["relationships"]["PARTICIPATES_IN"]["deleted"]) == 2
    assert all(len(ids) <= 2 for kind in dry.examples.values() for table in kind.values()
               for ids in table.values())

    real = store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                       synthetic=True, sync=True, examples=2)
    assert {k: dict(v) for k, v in dry.nodes.items()} == {
        k: dict(v) for k, v in real.nodes.items()}
    assert {k: dict(v) for k, v in dry.relationships.items()} == {
        k: dict(v) for k, v in real.relationships.items()}
    assert dry.examples == real.examples
    assert store.graph_version() == version + 1


def test_a_failure_after_the_deletes_leaves_the_graph_as_before(store, two_sources,
                                                               monkeypatch):
    demo, _second = two_sources
    _edit_demo(demo)
    whole = fingerprint(store)
    version = store.graph_version()
    seen = {}
    original = GraphStore._sync

    def sync_then_fail(self, tx, report, *args, **kwargs):
        original(self, tx, report, *args, **kwargs)
        seen["deleted"] = report.nodes["Actor"]["deleted"]
        seen["in_tx"] = tx.run("MATCH (a:Actor) RETURN count(a) AS n").single()["n"]
        raise RuntimeError("injected failure after the deletes")

    monkeypatch.setattr(GraphStore, "_sync", sync_then_fail)
    with pytest.raises(RuntimeError, match="injected"):
        store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                    synthetic=True, sync=True)
    assert seen["deleted"] == 1  # the deletes did run, inside the transaction
    assert seen["in_tx"] == store.counts()["nodes"]["Actor"] - 1
    assert fingerprint(store) == whole
    assert store.graph_version() == version


# -- shared rows ---------------------------------------------------------------------------
def _dataset(source: str, load_id: str, actors: list[dict], memberships=(),
             clusters=()) -> Dataset:
    return Dataset(source=source, load_id=load_id, actors=list(actors),
                   clusters=list(clusters), memberships=list(memberships))


def _actor(store, actor_id: str) -> dict:
    rows = cypher_rows(store, "MATCH (a:Actor {id: $id}) RETURN properties(a) AS p",
                       id=actor_id)
    return rows[0]["p"] if rows else {}


def test_a_shared_node_loses_only_the_leaving_sources_rows_and_properties(store):
    clusters = [{"id": "k1", "name": "K1"}]
    a_rows = [{"id": "s1", "name": "Shared (A)", "kind": "sme", "city": "Rabat"},
              {"id": "a-only", "name": "A only", "kind": "sme"}]
    store.write(_dataset("A", "a-1", a_rows, clusters=clusters,
                         memberships=[{"actor_id": "s1", "cluster_id": "k1", "role": "a"}]),
                kind="bundle")
    b_rows = [{"id": "s1", "name": "Shared (B)", "kind": "sme", "website": "https://b"},
              {"id": "b-only", "name": "B only", "kind": "startup"}]
    store.write(_dataset("B", "b-1", b_rows, memberships=[
        {"actor_id": "s1", "cluster_id": "k1", "since": 2020},
        {"actor_id": "b-only", "cluster_id": "k1", "since": 2021}]), kind="bundle")
    shared = _actor(store, "s1")
    assert shared["sources"] == ["A", "B"] and shared["source"] == "B"
    assert shared["city"] == "Rabat" and shared["website"] == "https://b"
    [member] = cypher_rows(store, "MATCH (:Actor {id: 's1'})-[m:MEMBER_OF]->() "
                                  "RETURN properties(m) AS p")
    assert member["p"]["sources"] == ["A", "B"]

    # B lets go of s1 (its node and its membership) and keeps b-only
    report = store.write(_dataset("B", "b-2", b_rows[1:], memberships=[
        {"actor_id": "b-only", "cluster_id": "k1", "since": 2021}]), kind="bundle",
        sync=True, examples=5)
    assert report.nodes["Actor"]["released"] == 1
    assert report.nodes["Actor"]["deleted"] == 0
    assert report.relationships["MEMBER_OF"]["released"] == 1
    assert report.examples["nodes"]["Actor"]["released"] == ["s1"]
    shared = _actor(store, "s1")
    assert "sources" not in shared and shared["source"] == "A" and shared["load_id"] == "a-1"
    assert "website" not in shared              # only B wrote it
    assert shared["city"] == "Rabat"            # A's own property stays
    assert shared["name"] == "Shared (B)"       # both wrote it: the last value stays
    [member] = cypher_rows(store, "MATCH (:Actor {id: 's1'})-[m:MEMBER_OF]->() "
                                  "RETURN properties(m) AS p")
    assert member["p"]["source"] == "A" and "sources" not in member["p"]
    assert "since" not in member["p"] and member["p"]["role"] == "a"
    assert _actor(store, "a-only") and _actor(store, "b-only")

    # now A lets go of s1 too: no source holds it any more, it goes with its membership
    report = store.write(_dataset("A", "a-2", a_rows[1:], clusters=clusters),
                         kind="bundle", sync=True)
    assert report.nodes["Actor"]["deleted"] == 1
    assert report.relationships["MEMBER_OF"]["deleted"] == 1
    assert _actor(store, "s1") == {}
    assert cypher_rows(store, "MATCH (a:Actor) RETURN a.id AS id ORDER BY id") == [
        {"id": "a-only"}, {"id": "b-only"}]


def test_rows_written_before_sync_existed_are_synced_by_their_single_source(store):
    cypher_rows(store, "CREATE (:Actor {id: 'old-a', name: 'Old', kind: 'sme', source: 'A', "
                       "load_id: 'a-0'}), (:Actor {id: 'old-b', name: 'Old B', kind: 'sme', "
                       "source: 'B', load_id: 'b-0'}), (:Load {id: 'a-0', source: 'A'})")
    store.write(_dataset("A", "a-1", [{"id": "new-a", "name": "New", "kind": "sme"}]),
                kind="bundle", sync=True)
    assert _actor(store, "old-a") == {}
    assert _actor(store, "old-b")["source"] == "B"
    assert _actor(store, "new-a")["source"] == "A"


def test_a_node_another_source_still_points_at_is_kept(store):
    store.write(_dataset("A", "a-1", [{"id": "x", "name": "X", "kind": "sme"}],
                         clusters=[{"id": "k", "name": "K"}]), kind="bundle")
    store.write(_dataset("B", "b-1", [], memberships=[{"actor_id": "x", "cluster_id": "k"}]),
                kind="bundle")
    report = store.write(_dataset("A", "a-2", [], clusters=[{"id": "k", "name": "K"}]),
                         kind="bundle", sync=True, examples=5)
    assert report.nodes["Actor"]["kept"] == 1
    assert report.examples["nodes"]["Actor"]["kept"] == ["x"]
    assert report.relationships["MEMBER_OF"]["deleted"] == 0
    assert _actor(store, "x")["name"] == "X"
    assert cypher_rows(store, "MATCH (:Actor {id: 'x'})-[m:MEMBER_OF]->(:Cluster {id: 'k'}) "
                              "RETURN m.source AS s") == [{"s": "B"}]


# -- the load history ------------------------------------------------------------------------
def test_every_load_is_in_the_history_with_its_diff(store, two_sources):
    demo, _second = two_sources
    removed = _edit_demo(demo)
    store.write(read_bundle(demo, known_ids=store.existing_ids), kind="demo",
                synthetic=True, sync=True, examples=5, by="alice", via="cli")
    total, runs = store.load_runs(limit=2)
    assert total == 3
    newest, previous = runs
    assert (newest["by"], newest["via"], newest["sync"], newest["source"]) == (
        "alice", "cli", True, DEMO_SOURCE)
    assert newest["diff"]["nodes"]["Actor"]["deleted"] == 1
    assert newest["diff"]["examples"]["nodes"]["Actor"]["deleted"] == [removed["actor"]]
    assert previous["source"] == "second source" and previous["sync"] is False
    assert previous["diff"]["nodes"]["Actor"] == {"created": 2}
    assert newest["at"] > previous["at"]
    assert store.load_runs(skip=2, limit=2) == (3, [store.load_runs()[1][2]])


# -- the command line -------------------------------------------------------------------------
def test_cli_dry_run_sync_prints_the_diff_as_json_and_writes_nothing(
        store, two_sources, neo4j_settings, tmp_path):
    demo, _second = two_sources
    removed = _edit_demo(demo)
    whole = fingerprint(store)
    result = run_cli(neo4j_settings, "load", "bundle", str(demo), "--sync", "--dry-run",
                     "--examples", "1", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] is True and report["sync"] is True
    assert report["nodes"]["Actor"]["deleted"] == 1
    assert report["examples"]["nodes"]["Actor"]["deleted"] == [removed["actor"]]
    assert len(report["examples"]["relationships"]["PARTICIPATES_IN"]["deleted"]) == 1
    assert fingerprint(store) == whole

    result = run_cli(neo4j_settings, "load", "bundle", str(demo), "--sync", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Actor deleted: {removed['actor']}" in result.stdout
    assert cypher_rows(store, "MATCH (a:Actor {id: $id}) RETURN a", id=removed["actor"]) == []
    _, [run, *_] = store.load_runs()
    assert run["via"] == "cli" and run["by"] and run["sync"] is True

    result = run_cli(neo4j_settings, "load", "bundle", str(demo), "--examples", "-1",
                     cwd=tmp_path)
    assert result.returncode == 2


def test_cordis_sync_removes_a_withdrawn_organisation(store, neo4j_settings, tmp_path):
    header = "projectID;organisationID;name;activityType;country;role\n"
    full = header + ("1;100;Alpha;HES;FR;coordinator\n1;200;Beta;REC;DE;participant\n"
                     "2;100;Alpha;HES;FR;coordinator\n2;300;Gamma;PRC;FR;participant\n")
    folder = write_files(tmp_path / "cordis", {"organization.csv": full})
    assert run_cli(neo4j_settings, "load", "cordis", str(folder), cwd=tmp_path).returncode == 0
    write_files(folder, {"organization.csv": full.replace("2;300;Gamma;PRC;FR;participant\n",
                                                          "")})
    result = run_cli(neo4j_settings, "load", "cordis", str(folder), "--sync", "--json",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["nodes"]["Actor"]["deleted"] == 1
    assert report["relationships"]["PARTICIPATES_IN"]["deleted"] == 1
    assert cypher_rows(store, "MATCH (a:Actor) RETURN a.id AS id ORDER BY id") == [
        {"id": "cordis-org-100"}, {"id": "cordis-org-200"}]
    assert cypher_rows(store, "MATCH (p:Project) RETURN p.id AS id ORDER BY id") == [
        {"id": "cordis-project-1"}, {"id": "cordis-project-2"}]
