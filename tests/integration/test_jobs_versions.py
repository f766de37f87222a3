"""Results across restarts and graph versions: the disk cache survives a new app on the
same folder and is ignored (then pruned) for another graph version; a load that changes the
graph makes the service warm the headline figures in the background.

Each test loads the demo itself (the graph changes during the tests).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import api_client

import service.usecases.figures as figures_module
from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle


@pytest.fixture
def demo(store, tmp_path) -> Path:
    folder = tmp_path / "demo"
    write_demo_bundle(folder, seed=2011)
    store.write(read_bundle(folder), kind="demo", synthetic=True)
    return folder


def change_the_graph(store, folder: Path) -> None:
    """Rename one actor and load the bundle again: a new graph version."""
    actors = folder / "actors.csv"
    lines = actors.read_text(encoding="utf-8").splitlines()
    head, first = lines[0], lines[1].split(",")
    first[1] = first[1] + " (renamed)"
    actors.write_text("\n".join([head, ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    before = store.graph_stamp()
    report = store.write(read_bundle(folder), kind="demo", synthetic=True)
    assert report.changed and store.graph_stamp() != before


@pytest.fixture
def counted(monkeypatch):
    """Calls of the metrics computation, per group id."""
    calls: list[str | None] = []
    original = figures_module._metrics

    def counting(ctx, ref, *args):
        calls.append(None if ref is None else ref.id)
        return original(ctx, ref, *args)

    monkeypatch.setattr(figures_module, "_metrics", counting)
    return calls


def test_the_disk_cache_survives_a_new_app_and_ignores_another_graph_version(
        demo, store, make_app, tmp_path, counted):
    cache_dir = tmp_path / "cache"
    url = "/api/v1/clusters/mmc/metrics?null_runs=2"
    first = api_client(make_app(SYNERGRAPH_CACHE_DIR=str(cache_dir)), "evaluator")
    body = first.get(url).get_json()
    assert counted == ["mmc"]
    stamp = store.graph_stamp()
    assert (cache_dir / stamp / "metrics").is_dir()

    restarted = api_client(make_app(SYNERGRAPH_CACHE_DIR=str(cache_dir)), "evaluator")
    again = restarted.get(url)
    assert again.status_code == 200 and again.get_json() == body
    assert counted == ["mmc"]  # read back from disk, not computed again
    state = restarted.application.extensions["synergraph"]
    assert state.disk.loads >= 1

    change_the_graph(store, demo)
    changed = restarted.get(url)
    assert changed.status_code == 200
    assert counted == ["mmc", "mmc"]  # another graph version: computed again
    assert changed.get_json()["meta"]["graph_version"] == body["meta"]["graph_version"] + 1
    assert [p.name for p in cache_dir.iterdir()] == [store.graph_stamp()]  # old one pruned


def test_a_job_of_an_older_graph_version_is_not_served(demo, store, make_app):
    app = make_app(SYNERGRAPH_JOBS_INLINE_MAX_ACTORS="0")
    client = api_client(app, "evaluator")
    url = "/api/v1/clusters/mnc/evolution"
    old = client.get(url + "?wait=60")
    assert old.status_code == 200
    change_the_graph(store, demo)
    fresh = client.get(url)
    assert fresh.status_code == 202  # not the cached answer of the previous version
    job = fresh.get_json()["job"]
    state = app.extensions["synergraph"]
    assert state.jobs.get(job["id"]).key[0] == store.graph_stamp()
    assert state.jobs.get(job["id"]).wait(120)


def _wait_for_jobs(state, timeout: float = 240) -> list:
    deadline = time.monotonic() + timeout
    while True:
        jobs = state.jobs.jobs()
        if jobs and all(j.state in ("done", "failed") for j in jobs):
            return jobs
        assert time.monotonic() < deadline, [j.as_dict() for j in jobs]
        time.sleep(0.2)


def test_a_load_warms_the_headline_figures_in_the_background(demo, store, make_app,
                                                             sign_in, counted):
    app = make_app(SYNERGRAPH_WARM="1", SYNERGRAPH_WARM_POLL_S="0",
                   SYNERGRAPH_JOBS_INLINE_MAX_ACTORS="0", SYNERGRAPH_JOBS_PAGE_WAIT_S="0")
    state = app.extensions["synergraph"]
    admin = sign_in(app, app.test_client(), "admin")
    page = admin.get("/data")  # the first request notices the graph: warming queued
    assert page.status_code == 200
    assert 'id="jobs-table"' in page.get_data(as_text=True)
    jobs = _wait_for_jobs(state)
    whats = {j.what for j in jobs}
    assert "the ecosystem's metrics" in whats
    for name in ("CE3M", "Morocco Microelectronics Cluster", "Maroc Numeric Cluster",
                 "Océanopôle Tan-Tan"):
        assert f"the metrics of {name}" in whats
    assert any(j.key[2] == ("country", "MA") for j in jobs)
    assert all(j.state == "done" for j in jobs), [j.as_dict() for j in jobs]
    listed = admin.get("/data").get_data(as_text=True)
    assert "the metrics of Maroc Numeric Cluster" in listed and ">done<" in listed
    warmed = sorted(counted, key=str)

    # the warmed figures answer at once, even with every group on the job path
    api = api_client(app, "evaluator")
    for url in ("/api/v1/metrics", "/api/v1/clusters/mnc/metrics", "/api/v1/clusters/mnc",
                "/api/v1/countries/MA/metrics"):
        assert api.get(url).status_code == 200, url
    html = admin.get("/clusters/ce3m").get_data(as_text=True)
    assert 'id="fig-nodes"' in html and 'id="job-progress"' not in html
    assert sorted(counted, key=str) == warmed  # nothing computed again

    change_the_graph(store, demo)  # a load by another process (the CLI)
    assert api.get("/api/v1/clusters").status_code == 200  # the next request notices it
    stamp = store.graph_stamp()
    rewarmed = _wait_for_jobs(state)
    assert {j.key[0] for j in rewarmed} == {stamp}  # the older version's jobs forgotten
    assert {j.what for j in rewarmed} == whats
    assert len(counted) == 2 * len(warmed)
