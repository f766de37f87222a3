"""The fast path of a load: rows of labels the graph holds no node of are created with
CREATE instead of upserted with MERGE. The graph and the report must be exactly what the
upserts give, on the real Neo4j server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import write_files

from graph_schema.model import NODE_LABELS, REL_TYPES
from graph_schema.store import GraphStore, _unique
from loaders.bundle import read_bundle

pytestmark = [pytest.mark.neo4j]

# One node of every label and one relationship of every type, all with ids the demo does
# not use: loaded first, they make every label and type non-empty, so that the demo's load
# then takes the upserts everywhere.
SEEDS = {
    "regions.csv": ("id,name,kind,country,parent_id\n"
                    "zz-r1,Seed,country,MA,\nzz-r2,Seed 2,region,MA,zz-r1\n"),
    "niches.csv": "id,name\nzz-n,Seed niche\n",
    "programmes.csv": "id,name\nzz-prog,Seed programme\n",
    "clusters.csv": "id,name,region_id\nzz-c,Seed cluster,zz-r1\n",
    "actors.csv": "id,name,kind,country,region_id\nzz-a,Seed actor,sme,MA,zz-r1\n",
    "memberships.csv": "actor_id,cluster_id,since\nzz-a,zz-c,2011\n",
    "projects.csv": "id,title,start_year,end_year\nzz-p,Seed project,2011,2012\n",
    "participations.csv": "actor_id,project_id,role\nzz-a,zz-p,coordinator\n",
    "fundings.csv": "project_id,programme_id,amount,currency,year\nzz-p,zz-prog,1,MAD,2011\n",
    "activities.csv": "actor_id,cluster_id,niche_id\nzz-a,,zz-n\n,zz-c,zz-n\n",
    "targets.csv": ("id,cluster_id,programme_id,indicator,value,period_start,period_end\n"
                    "zz-t1,zz-c,,patents,1,2011,2013\nzz-t2,,zz-prog,patents,1,2011,2013\n"),
    "outputs.csv": "id,cluster_id,project_id,indicator,year,value\nzz-o,zz-c,zz-p,patents,2012,1\n",
}


def _snapshot(store: GraphStore) -> tuple[dict, list]:
    """Every data node and relationship with all its properties (provenance included)."""
    nodes = {label: {i: props for i, props in rows.items() if not i.startswith("zz-")}
             for label, rows in store.export_nodes().items()}
    rels = [(rel, s, a, e, b, props)
            for rel, s, a, e, b, props in store.export_relationships()
            if not (a.startswith("zz-") or b.startswith("zz-"))]
    return nodes, rels


def _counts(report) -> dict:
    table = report.as_dict()
    return {"nodes": table["nodes"], "relationships": table["relationships"]}


def _empty_now(store: GraphStore) -> frozenset[str]:
    with store.driver.session(database=store.database) as session:
        return session.execute_read(GraphStore._empty)


def test_a_first_load_creates_exactly_what_the_upserts_give(store, tmp_path,
                                                            demo_bundle_folder):
    dataset = read_bundle(demo_bundle_folder)
    # every statement of the demo's load has its fast twin: its keys are unique
    plan = store._plan(dataset)
    assert plan and all(step.fast for step in plan)
    # nodes and the links they carry look at their label; relationships at both ends'
    empties = {step.step: step.empty for step in plan}
    assert empties["node", "Actor"] == ("Actor",)
    assert empties["rel", "LOCATED_IN"] in {("Actor",), ("Cluster",)}
    assert empties["rel", "PARTICIPATES_IN"] == ("Actor", "Project")

    assert _empty_now(store) == frozenset(NODE_LABELS)  # all empty
    fast = store.write(dataset, kind="demo", synthetic=True)
    fast_graph = _snapshot(store)

    store.delete_all()
    seeds = read_bundle(write_files(tmp_path / "seeds", SEEDS))
    store.write(seeds, kind="bundle")
    assert _empty_now(store) == frozenset()  # nothing empty: the demo is upserted
    upserted = store.write(dataset, kind="demo", synthetic=True)
    upserted_graph = _snapshot(store)

    assert _counts(fast) == _counts(upserted)
    assert sum(fast.as_dict()["nodes"]["Actor"].values()) == len(dataset.actors)
    assert fast_graph == upserted_graph
    # the whole demo, every label and type of the model, is in both
    assert all(fast_graph[0][label] for label in NODE_LABELS)
    assert {rel for rel, *_ in fast_graph[1]} == set(REL_TYPES)


def test_a_load_into_a_graph_holding_the_label_upserts(store, demo_bundle_folder):
    dataset = read_bundle(demo_bundle_folder)
    store.write(dataset, kind="demo", synthetic=True)
    before = _snapshot(store)
    again = store.write(dataset, kind="demo", synthetic=True)  # nothing empty: MERGE
    assert not again.changed
    assert _snapshot(store) == before  # no duplicates


def test_a_race_on_an_empty_label_falls_back_to_the_upserts(store, demo_bundle_folder,
                                                             monkeypatch):
    """Another load may create nodes of a label between this load's look and its CREATE:
    the CREATE then breaks a uniqueness constraint, nothing is written, and the load runs
    again with the upserts."""
    dataset = read_bundle(demo_bundle_folder)
    store.write(dataset, kind="demo", synthetic=True)
    before = _snapshot(store)
    looks = []

    def stale(tx):  # what this load would have seen before the other load committed
        looks.append(1)
        return frozenset(NODE_LABELS)

    monkeypatch.setattr(GraphStore, "_empty", staticmethod(stale))
    report = store.write(dataset, kind="demo", synthetic=True)
    assert looks == [1]  # the fast attempt looked once; the upserts do not look
    assert not report.changed
    assert _snapshot(store) == before  # one node per id, one relationship per pair


def test_a_dry_run_on_an_empty_graph_writes_nothing(store, demo_bundle_folder):
    dataset = read_bundle(demo_bundle_folder)
    report = store.write(dataset, kind="demo", synthetic=True, dry_run=True)
    assert sum(report.as_dict()["nodes"]["Actor"].values()) == len(dataset.actors)
    assert store.counts()["nodes"]["Actor"] == 0


def test_labels_and_types_in_use_see_the_transaction_s_own_writes(store):
    with store.driver.session(database=store.database) as session:
        with session.begin_transaction() as tx:
            assert "Niche" in GraphStore._empty(tx)
            tx.run("CREATE (:Niche {id: 'zz-x'})").consume()
            assert "Niche" not in GraphStore._empty(tx)
            tx.rollback()
    # Niche has a uniqueness constraint and no node: it is empty (db.labels() lists it)
    assert "niche_id" in store.migrate()["constraints"]


def test_unique_keys():
    assert _unique([{"id": "a"}, {"id": "b"}], "id")
    assert not _unique([{"id": "a"}, {"id": "a"}], "id")
    rows = [{"start": "a", "end": "p"}, {"start": "a", "end": "q"}]
    assert _unique(rows, "start", "end")
    assert not _unique([*rows, {"start": "a", "end": "q"}], "start", "end")
    assert _unique([], "id")


# -- batches sent ahead: each batch goes to the server before the previous one's result is
# read (GraphStore.write); with small batches every statement has several.
def test_small_batches_sent_ahead_give_the_same_graph_report_and_progress(
        store, demo_bundle_folder):
    dataset = read_bundle(demo_bundle_folder)
    whole = GraphStore(store.driver, store.database, batch_size=1_000_000)
    small = GraphStore(store.driver, store.database, batch_size=7)
    one = whole.write(dataset, kind="demo", synthetic=True)
    graph = _snapshot(store)
    store.delete_all()
    calls = []
    many = small.write(dataset, kind="demo", synthetic=True,
                       progress=lambda step, done, total: calls.append((step, done, total)))
    assert _counts(many) == _counts(one)
    assert _snapshot(store) == graph
    # every batch counted once, in the order sent
    plan = small._plan(dataset)
    assert len(calls) == sum(-(-len(step.rows) // 7) for step in plan) > 100
    dones = [done for _step, done, _total in calls]
    assert dones == sorted(dones) and dones[-1] == calls[0][2] == sum(
        len(step.rows) for step in plan)
    # the upserts (rows of status back from the server), batch by batch, count the same
    assert _counts(small.write(dataset, kind="demo", synthetic=True)) == _counts(
        whole.write(dataset, kind="demo", synthetic=True))


def test_a_race_found_by_a_batch_with_batches_behind_it_still_falls_back(
        store, demo_bundle_folder, monkeypatch):
    """As the race above, with batches of 7 rows: the CREATE that fails has a batch sent
    behind it; the load still writes nothing and runs again with the upserts."""
    dataset = read_bundle(demo_bundle_folder)
    store.write(dataset, kind="demo", synthetic=True)
    before = _snapshot(store)
    monkeypatch.setattr(GraphStore, "_empty", staticmethod(lambda tx: frozenset(NODE_LABELS)))
    small = GraphStore(store.driver, store.database, batch_size=7)
    report = small.write(dataset, kind="demo", synthetic=True)
    assert not report.changed
    assert _snapshot(store) == before


def test_rows_carry_their_load_and_the_load_its_times(store, demo_bundle_folder):
    """Provenance: every row written, created (fast path) or upserted, names its source and
    its load; when it was loaded is on the load's node, not repeated on each row."""
    dataset = read_bundle(demo_bundle_folder)
    for _ in range(2):  # the first load creates, the second upserts
        store.write(dataset, kind="demo", synthetic=True)
        nodes, rels = _snapshot(store)
        rows = [props for by_id in nodes.values() for props in by_id.values()]
        rows += [props for *_ends, props in rels]
        assert len(rows) > 1000
        assert {(r["source"], r["load_id"]) for r in rows} == {(dataset.source,
                                                                dataset.load_id)}
        assert not [r for r in rows if "loaded_at" in r]
    (load,) = [load for load in store.loads() if load["id"] == dataset.load_id]
    assert load["runs"] == 2 and load["source"] == dataset.source
    first, last = (datetime.strptime(load[k], "%Y-%m-%dT%H:%M:%SZ")
                   for k in ("first_loaded_at", "last_loaded_at"))
    assert first <= last <= datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1)
