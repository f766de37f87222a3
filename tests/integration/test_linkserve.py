"""Recommendations and the track record served from per-version results computed by jobs.

The recommender's compact data, its fitted model and its track record are computed once
per graph version (by worker processes in the service, on large graphs), kept on disk, and
only read by the service; an answer ranked while the model is being fitted says so and is
never kept as the graph version's. Every task's results are kept on disk.
"""

from __future__ import annotations

import pickle
import re

import pytest
from helpers import ALWAYS_JOBS, api_client, poll

from service import tasks
from service import usecases as uc
from service.analytics.missing_links import recommend
from service.linkprediction import (
    LinkData,
    attach_model,
    link_data,
    link_model,
    track_record,
    track_record_now,
)
from service.state import PERSISTED, SHARED_INPUTS, ResultCache, persisted
from service.usecases import Context, GroupFilter, GroupRef

ACTOR = "mnc-a001"


# -- every task's results are kept on disk ----------------------------------------------
#: What a task may compute without declaring it: rebuilt from Neo4j in a second or less,
#: and large (the group graphs, the store's rows), or the context's own bookkeeping.
REBUILT = {"graph", "records", "describe", "overview", "clusters", "group-ei",
           "group-projects", "actor-record"}
#: Arguments of every task on the demo (a new task must be added here).
MNC, FLT = GroupRef.cluster("mnc"), GroupFilter()
SAMPLE_ARGS = {
    "group": (MNC, FLT), "metrics": (MNC, FLT, False, 2), "synergy": (MNC, FLT),
    "communities": (MNC, FLT), "evolution": (MNC, FLT), "links": (MNC, FLT),
    "whatif": (MNC, FLT, [{"op": "add_tie", "u": "mnc-a001", "v": "mnc-a002"}]),
    "link-data": (), "link-model": (), "track-record": (), "scorecard": ("mnc",),
    "actor": (ACTOR, 1, 150), "network-file": (MNC, FLT, "graphml"), "warm": (MNC,),
    "export-file": ("graphml", "mnc"), "compare": (("mnc", "ce3m"), FLT),
}


class RecordingCache(ResultCache):
    """A cache that notes the name of every result it computes."""

    def __init__(self):
        super().__init__(10_000)
        self.names: set[str] = set()

    def get_or_compute(self, key, compute):
        def noted():
            self.names.add(key[1])
            return compute()
        return super().get_or_compute(key, noted)


def test_every_task_declares_what_it_computes_and_it_is_kept_on_disk(demo_graph):
    assert set(SAMPLE_ARGS) == set(tasks.TASKS), "give the new task's sample arguments"
    assert PERSISTED == tasks.cache_names()
    undeclared, unused = {}, {}
    for name, args in SAMPLE_ARGS.items():
        cache = RecordingCache()
        assert tasks.run(Context(demo_graph, cache), name, args) is True
        undeclared[name] = {n for n in cache.names - tasks.CACHES[name] - REBUILT
                            - SHARED_INPUTS
                            if not n.startswith(("api:", "page:"))}  # markers: kept
        unused[name] = tasks.CACHES[name] - cache.names
        for declared in tasks.CACHES[name]:
            assert persisted(declared), declared
    assert not any(undeclared.values()), f"computed without being declared: {undeclared}"
    assert not any(unused.values()), f"declared but not computed: {unused}"
    assert not persisted("graph") and not persisted("records")


def test_a_task_that_does_not_declare_a_result_is_caught(demo_graph, monkeypatch):
    """The check above fails for a task that fills an undeclared name."""
    monkeypatch.setitem(tasks.TASKS, "sloppy", lambda ctx: ctx.cached("sloppy", (), dict))
    monkeypatch.setitem(tasks.CACHES, "sloppy", frozenset())
    cache = RecordingCache()
    tasks.run(Context(demo_graph, cache), "sloppy", ())
    assert cache.names - tasks.CACHES["sloppy"] - REBUILT == {"sloppy"}
    assert not persisted("sloppy")


# -- the compact data, the model and the answers ---------------------------------------
def test_the_compact_data_pickles_and_ranks_exactly_as_the_ecosystem_graph(demo_graph):
    ctx = Context(demo_graph)
    index = pickle.loads(pickle.dumps(link_data(ctx)))  # as a worker process leaves it
    assert isinstance(index, LinkData)
    fitted = pickle.loads(pickle.dumps(link_model(ctx)))  # the model pickles: no driver
    assert fitted["model"] is not None and fitted["reason"] is None
    ecosystem = ctx.graph(None)
    compact = index.graph()
    attach_model(compact, ctx)
    assert ecosystem.graph["link_model"].get() is not None
    assert set(compact) == set(ecosystem) and compact.number_of_edges() == 0  # views only
    for actor in ("mnc-a001", "ce3m-a002", "mmc-a003", "oceanopole-a001"):
        for use_model in (False, True):
            want = recommend(ecosystem, actor, top=15, use_model=use_model)
            got = recommend(compact, actor, top=15, use_model=use_model)
            assert [r["id"] for r in got] == [r["id"] for r in want], (actor, use_model)
            for a, b in zip(got, want, strict=True):
                assert a["score"] == pytest.approx(b["score"])
                assert a["reasons"] == b["reasons"] and a["distance"] == b["distance"]
                assert a["cluster_effects"] == b["cluster_effects"]


def test_an_answer_ranked_while_the_model_is_fitted_says_so_and_is_not_kept(demo_graph):
    fitting = {"link-model", "track-record"}  # their jobs "run" while this is true
    ctx = Context(demo_graph, defer=lambda name: name in fitting)
    answer = uc.recommended(ctx, ACTOR, top=10)
    assert answer["ranking"] == {
        "method": "weighted_adamic_adar", "model": "being fitted", "final": False,
        "note": uc.profiles.RANKING_NOTES["being fitted"]}
    assert "the learnt model is being fitted" in answer["ranking"]["note"]
    assert all(r["ranking"] == "weighted_adamic_adar" for r in answer["items"])
    fallback = recommend(ctx.graph(None), ACTOR, top=10, use_model=False)
    assert [r["id"] for r in answer["items"]] == [r["id"] for r in fallback]
    assert not ctx.is_cached("recommendations", (ACTOR, 10))  # never the version's answer
    assert not ctx.is_cached("link-model", ())
    assert track_record_now(ctx)["pending"] is True  # the pages say "being computed"

    fitting.clear()  # the model's job is done
    final = uc.recommended(ctx, ACTOR, top=10)
    assert final["ranking"]["final"] is True and final["ranking"]["model"] == "fitted"
    choice = link_model(ctx)["model"].choice  # the validated ranking
    assert final["ranking"]["method"] == choice
    assert all(r["ranking"] == choice for r in final["items"])
    assert final["ranking"]["note"] == (None if choice == "model" else
                                        uc.profiles.RANKING_NOTES["chosen index"])
    assert ctx.is_cached("recommendations", (ACTOR, 10))
    assert track_record_now(ctx) == track_record(ctx) and track_record(ctx)["available"]

    waiting = Context(demo_graph, defer=lambda name: True)  # nothing prepared yet
    assert uc.recommended(waiting, ACTOR, top=10) is None
    assert not uc.recommender_ready(waiting)


# -- in the service: worker processes compute, the service reads -----------------------
def test_the_worker_process_prepares_the_recommender_and_the_service_only_reads(
        demo_graph, make_app, monkeypatch):
    import service.linkprediction as lpr

    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_JOB_PROCESSES="1", SYNERGRAPH_PUBLIC_READ="1",
                   SYNERGRAPH_WARM="0")
    state = app.extensions["synergraph"]
    assert state.jobs.process_settings is not None
    calls = []
    for name in ("build_link_data", "fit_link_model", "compute_track_record"):
        real = getattr(lpr, name)
        monkeypatch.setattr(lpr, name, lambda *a, _n=name, _r=real, **k:
                            calls.append(_n) or _r(*a, **k))
    client = app.test_client()
    url = f"/api/v1/actors/{ACTOR}/recommendations?top=5"
    first = client.get(url)
    assert first.status_code == 202, first.get_data(as_text=True)[:300]
    done = poll(client, first.headers["Location"])
    assert done["job"]["state"] == "done"
    result = done["result"]
    assert result["actor_id"] == ACTOR and 0 < len(result["recommendations"]) <= 5
    assert result["ranking"]["model"] in ("being fitted", "fitted")
    assert result["ranking"]["final"] is (result["ranking"]["model"] == "fitted")

    asked = client.get("/api/v1/track-record")
    if asked.status_code == 202:  # (else its job was already done)
        record = poll(client, asked.headers["Location"])["result"]
    else:
        record = asked.get_json()
    assert record["available"] is True
    job = state.prepare("link-model")  # queued by the first answer
    assert job.wait(300) and job.state == "done", job.as_dict()
    again = client.get(url)
    assert again.status_code == 200
    body = again.get_json()
    assert body["ranking"]["final"] is True and body["ranking"]["model"] == "fitted"
    assert body["track_record"] == record == client.get("/api/v1/track-record").get_json()
    html = client.get(f"/actors/{ACTOR}").get_data(as_text=True)
    url_ = re.search(r'data-job-url="(/api/v1/jobs/[^"]+)"', html)
    if url_:  # the ecosystem's ranks: another job
        assert poll(client, url_.group(1))["job"]["state"] == "done"
        html = client.get(f"/actors/{ACTOR}").get_data(as_text=True)
    assert f"{record['recommender']:.1f} of 10 suggestions became partners" in html
    assert 'id="recommendations-table"' in html and 'id="recommendations-pending"' not in html
    assert ('id="ranking-note"' in html) is (body["ranking"]["note"] is not None)
    assert calls == []  # all three computed by the worker process only
    inline = Context(demo_graph)  # the same, computed here (seeded alike)
    assert body["ranking"] == uc.recommended(inline, ACTOR, top=5)["ranking"]
    assert [r["id"] for r in body["recommendations"]] == [
        r["id"] for r in uc.recommended(inline, ACTOR, top=5)["items"]]
    assert record == track_record(inline)


def test_pages_say_what_is_being_prepared(demo_graph, make_app):
    """On a large graph before the jobs ran: the actor page shows the recommender and the
    track record as being prepared, and the API's track record is a job."""
    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_JOB_PROCESSES="0", SYNERGRAPH_PUBLIC_READ="1",
                   SYNERGRAPH_WARM="0", SYNERGRAPH_JOB_WORKERS="1")
    state = app.extensions["synergraph"]
    state.jobs.close()  # no job runs: everything stays "being prepared"
    ctx = state.ctx
    assert uc.recommended(ctx, ACTOR, top=10) is None
    assert uc.track_record(ctx)["pending"] is True
    keys = {j.key[1] for j in state.jobs.jobs()}
    assert {"prepare:link-data", "prepare:track-record"} <= keys
    api = api_client(app, "evaluator")
    accepted = api.get("/api/v1/track-record")
    assert accepted.status_code == 202 and accepted.headers["Location"].startswith(
        "/api/v1/jobs/")
    recs = api.get(f"/api/v1/actors/{ACTOR}/recommendations?top=3")
    assert recs.status_code == 202


def test_warming_prepares_the_recommender_before_the_long_figures(demo_graph, make_app):
    from service.jobs import PRIORITY_REQUEST, PRIORITY_WARM
    from service.warming import PRIORITY_PREPARE

    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_WARM="1", SYNERGRAPH_WARM_POLL_S="0",
                   SYNERGRAPH_JOB_PROCESSES="0")
    state = app.extensions["synergraph"]
    state.jobs.close()  # look at the queue only
    state.ctx.stamp()  # the first look at the graph: its warming is queued
    jobs = list(reversed(state.jobs.jobs()))  # in submission order
    names = [j.key[1] for j in jobs]
    # the headline figures (the ecosystem, then every cluster and country) before the
    # learnt model and the track record, which take minutes at H2020 scale
    groups = len(uc.overview(state.ctx)["clusters"]) + len(uc.overview(state.ctx)["countries"])
    assert names == ["prepare:link-data", "preload:link-data"] + ["warm"] * (1 + groups) + [
        "prepare:link-model", "prepare:track-record"]
    assert jobs[2].key[2] is None  # the ecosystem's metrics
    assert PRIORITY_REQUEST < PRIORITY_PREPARE < PRIORITY_WARM
    assert jobs[0].priority == jobs[1].priority == PRIORITY_PREPARE
    assert jobs[0].task == ("link-data", ()) and jobs[1].task is None  # (a service thread)
    assert {j.priority for j in jobs[2:]} == {PRIORITY_WARM}
    first = sorted(state.jobs._queue)[0][2]  # what the worker takes first
    assert first is jobs[0]
