"""Long analyses as background jobs, on the demo in the real Neo4j through the real app.

The demo is small, so every route answers 200 at once by default; an app with
``SYNERGRAPH_JOBS_INLINE_MAX_ACTORS=0`` takes the job path for every group, which the tests
compare with the direct answer of a default app.
"""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from helpers import ALWAYS_JOBS, api_client, poll

import service.usecases.figures as figures_module
import service.usecases.topics as topics_module


@pytest.fixture(scope="module")
def direct(demo_graph, make_app):
    return api_client(make_app(), "evaluator")


@pytest.fixture(scope="module")
def jobbed(demo_graph, make_app):
    return api_client(make_app(**ALWAYS_JOBS), "evaluator")


ROUTES = [
    ("GET", "/api/v1/clusters/mnc/metrics?null_runs=3", None),
    ("GET", "/api/v1/metrics?null_runs=2", None),
    ("GET", "/api/v1/countries/MA/metrics?null_runs=0&years=2011-2013", None),
    ("GET", "/api/v1/clusters/ce3m", None),
    ("GET", "/api/v1/clusters/mnc/communities?top=5", None),
    ("GET", "/api/v1/communities", None),
    ("GET", "/api/v1/clusters/mmc/evolution?window=2", None),
    ("GET", "/api/v1/clusters/mnc/links?top=10", None),
    ("GET", "/api/v1/clusters/mnc/synergy", None),
    ("GET", "/api/v1/clusters/ce3m/scorecard", None),
    ("GET", "/api/v1/countries/MA/synergy", None),
    ("POST", "/api/v1/clusters/mnc/whatif",
     {"changes": [{"op": "add_tie", "u": "mnc-a001", "v": "mnc-a002"}]}),
    # the recommendations' job prepares the recommender's data, not the model: its answer
    # may be the fallback's while the model's job runs; the track record is prepared by
    # the jobs above (test_linkserve.py covers both)
]


@pytest.mark.parametrize(("method", "url", "body"), ROUTES, ids=[r[1] for r in ROUTES])
def test_202_then_the_job_gives_exactly_the_direct_answer(direct, jobbed, method, url, body):
    expected = direct.open(url, method=method, json=body)
    assert expected.status_code == 200, expected.get_data(as_text=True)[:300]

    first = jobbed.open(url, method=method, json=body)
    assert first.status_code == 202, first.get_data(as_text=True)[:300]
    job = first.get_json()["job"]
    assert first.headers["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    assert int(first.headers["Retry-After"]) >= 1
    assert job["state"] in ("queued", "running") and 0 <= job["progress"] <= 1
    assert set(job) == {"id", "url", "state", "progress", "message", "what"}

    done = poll(jobbed, job["url"])
    assert done["job"]["state"] == "done" and done["job"]["progress"] == 1
    assert done["result"] == expected.get_json()
    again = jobbed.open(url, method=method, json=body)  # asked again: from the cache
    assert again.status_code == 200
    assert again.get_json() == expected.get_json()


def test_wait_answers_200_when_the_job_finishes_in_time(jobbed, direct):
    url = "/api/v1/clusters/mmc/metrics?null_runs=1"
    response = jobbed.get(url + "&wait=60")
    assert response.status_code == 200
    assert response.get_json() == direct.get(url).get_json()
    assert jobbed.get(url + "&wait=61").status_code == 400


def test_two_requests_share_one_job_and_compute_once(demo_graph, make_app, monkeypatch):
    client = api_client(make_app(**ALWAYS_JOBS), "evaluator")
    original = figures_module._metrics
    calls = []

    def slow(ctx, ref, *args):
        if ref is not None and ref.id == "ce3m":
            calls.append(threading.current_thread().name)
            time.sleep(1.5)
        return original(ctx, ref, *args)

    monkeypatch.setattr(figures_module, "_metrics", slow)
    url = "/api/v1/clusters/ce3m/metrics?null_runs=0"
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 202
    assert first.get_json()["job"]["id"] == second.get_json()["job"]["id"]
    done = poll(client, first.headers["Location"])
    assert done["job"]["state"] == "done"
    assert client.get(url).status_code == 200
    assert client.get("/api/v1/clusters/ce3m?wait=30").status_code == 200  # same figures
    assert len(calls) == 1 and calls[0].startswith("synergraph-job-")


def test_jobs_run_one_at_a_time_with_one_worker(demo_graph, make_app, monkeypatch):
    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_JOB_WORKERS="1")
    client = api_client(app, "evaluator")
    original = topics_module._evolution
    running, peak, lock = [0], [0], threading.Lock()

    def counted(*args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.3)
            return original(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(topics_module, "_evolution", counted)
    urls = [f"/api/v1/clusters/{c}/evolution" for c in ("mnc", "ce3m", "mmc", "oceanopole")]
    jobs = [client.get(u) for u in urls]
    assert [r.status_code for r in jobs] == [202] * 4
    states = {r.get_json()["job"]["state"] for r in jobs[1:]}
    assert "queued" in states
    for response in jobs:
        assert poll(client, response.headers["Location"])["job"]["state"] == "done"
    assert peak[0] == 1 and app.extensions["synergraph"].jobs.peak_running == 1


def test_a_failing_job_reports_failed_with_its_error(demo_graph, make_app, monkeypatch,
                                                     caplog):
    client = api_client(make_app(**ALWAYS_JOBS), "evaluator")

    def broken(*args):
        raise RuntimeError("the synergy figures broke")

    monkeypatch.setattr(topics_module, "_synergy", broken)
    response = client.get("/api/v1/clusters/oceanopole/synergy")
    assert response.status_code == 202
    done = poll(client, response.headers["Location"])
    assert done["job"]["state"] == "failed"
    assert done["job"]["error"] == "RuntimeError: the synergy figures broke"
    assert "result" not in done
    retried = client.get("/api/v1/clusters/oceanopole/synergy?wait=30")  # a new job
    assert retried.status_code == 500 and retried.mimetype == "application/problem+json"
    assert retried.get_json()["job"]["error"] == "RuntimeError: the synergy figures broke"
    assert retried.get_json()["job"]["id"] != done["job"]["id"]
    assert any("failed" in r.getMessage() for r in caplog.records if r.name == "synergraph.jobs")


def test_unknown_job_is_a_404_problem(jobbed):
    response = jobbed.get("/api/v1/jobs/no-such-job")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Unknown job"


def test_the_job_list_is_for_administrators(demo_graph, make_app):
    app = make_app(**ALWAYS_JOBS)
    evaluator, admin = api_client(app, "evaluator"), api_client(app, "admin")
    started = evaluator.get("/api/v1/clusters/oceanopole/evolution").get_json()["job"]
    assert evaluator.get("/api/v1/jobs").status_code == 403
    listed = admin.get("/api/v1/jobs")
    assert listed.status_code == 200
    body = listed.get_json()
    assert started["id"] in [j["id"] for j in body["items"]]
    assert body["workers"] >= 1 and sum(body["counts"].values()) == len(body["items"])


def test_anonymous_null_runs_stay_capped_on_the_job_path(demo_graph, make_app):
    client = make_app(**ALWAYS_JOBS, SYNERGRAPH_PUBLIC_READ="1").test_client()
    response = client.get("/api/v1/metrics?null_runs=21")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "null_runs"
    assert client.get("/api/v1/metrics?null_runs=20").status_code == 202


def test_a_page_shows_progress_then_its_figures(demo_graph, make_app, direct):
    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_PUBLIC_READ="1")
    client = app.test_client()
    page = client.get("/clusters/mnc", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    block = re.search(r'id="job-progress"[^>]*data-job-url="(/api/v1/jobs/[^"]+)"', html)
    assert block, html[:2000]
    assert "Computing the metrics of Maroc Numeric Cluster" in html
    assert 'src="/static/jobs.js"' in html and '<meta http-equiv="refresh"' in html
    assert "<noscript>" in html and 'id="fig-nodes"' not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert poll(client, block.group(1))["job"]["state"] == "done"
    filled = client.get("/clusters/mnc", headers={"Accept-Language": "en"})
    text = filled.get_data(as_text=True)
    assert 'id="job-progress"' not in text
    nodes = direct.get("/api/v1/clusters/mnc").get_json()["figures"]["nodes"]
    assert re.search(rf'id="fig-nodes">{nodes}<', text)
    with client.get("/static/jobs.js") as script:
        assert script.status_code == 200 and b"data-job-url" in script.data


def test_a_french_page_shows_its_progress_in_french(demo_graph, make_app):
    """The job is shared by every visitor and keeps its English description (the API shows
    it); the page's progress block says what it computes, and the job's phase, in the
    visitor's language, and gives jobs.js the phases' words for its polls."""
    client = make_app(**ALWAYS_JOBS, SYNERGRAPH_PUBLIC_READ="1").test_client()
    html = client.get("/clusters/mnc", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    block = re.search(r'id="job-progress"[^>]*data-job-url="(/api/v1/jobs/[^"]+)"', html)
    assert block, html[:2000]
    assert "Calcul en cours : les indicateurs de Maroc Numeric Cluster" in html
    phases = json.loads(re.search(r"data-phases='([^']*)'", html).group(1))
    assert phases["null model"] == "modèle nul" and phases["queued"] == "en attente de son tour"
    shown = re.search(r'data-field="message">([^<]*)<', html).group(1)
    assert shown in phases.values()
    job = client.get(block.group(1)).get_json()["job"]
    assert job["what"] == "the metrics of Maroc Numeric Cluster"
    english = client.get("/clusters/mnc", headers={"Accept-Language": "en"})
    assert "Computing the metrics of Maroc Numeric Cluster" in english.get_data(as_text=True)


@pytest.mark.parametrize(("url", "what", "filled"), [
    ("/compare?clusters=mnc,ce3m", "Computing the comparison of Maroc Numeric Cluster, ",
     'id="compare-table"'),
    ("/clusters/mmc/scorecard/print", "Computing the scorecard of ", 'id="scorecard-table"'),
])
def test_the_compare_and_print_scorecard_pages_show_progress_then_fill_in(
        demo_graph, make_app, direct, url, what, filled):
    client = make_app(**ALWAYS_JOBS, SYNERGRAPH_PUBLIC_READ="1").test_client()
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    block = re.search(r'id="job-progress"[^>]*data-job-url="(/api/v1/jobs/[^"]+)"', html)
    assert block and what in html and filled not in html, html[:3000]
    assert 'src="/static/jobs.js"' in html and '<meta http-equiv="refresh"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert poll(client, block.group(1))["job"]["state"] == "done"
    text = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="job-progress"' not in text and filled in text
    if url.startswith("/compare"):  # the figures the direct API gives, once computed
        density = direct.get("/api/v1/clusters/ce3m").get_json()["figures"]["density"]
        assert f"{density:.3f}" in text


def test_an_actor_page_shows_progress_then_its_ranks(demo_graph, make_app):
    client = make_app(**ALWAYS_JOBS, SYNERGRAPH_PUBLIC_READ="1").test_client()
    html = client.get("/actors/mnc-a001").get_data(as_text=True)
    url = re.search(r'data-job-url="(/api/v1/jobs/[^"]+)"', html)
    assert url and 'id="ranks-table"' not in html
    assert poll(client, url.group(1))["job"]["state"] == "done"
    assert 'id="ranks-table"' in client.get("/actors/mnc-a001").get_data(as_text=True)
    assert client.get("/actors/no-such-actor").status_code == 404


def test_jobs_in_worker_processes_give_the_same_answers(demo_graph, make_app, direct):
    """The service's default: jobs run in a worker process (its own driver, the shared disk
    cache), so a long C call cannot stall the service's requests."""
    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_JOB_PROCESSES="1")
    client = api_client(app, "evaluator")
    assert app.extensions["synergraph"].jobs.process_settings is not None
    url = "/api/v1/clusters/mmc/metrics?null_runs=2"
    first = client.get(url)
    assert first.status_code == 202
    done = poll(client, first.headers["Location"])
    assert done["job"]["state"] == "done"
    assert done["result"] == direct.get(url).get_json()
    assert client.get(url).status_code == 200
    bad = client.post("/api/v1/clusters/mmc/whatif",
                      json={"changes": [{"op": "add_tie", "u": "mmc-a001", "v": "nobody"}]})
    assert bad.status_code == 202
    failed = poll(client, bad.headers["Location"])
    assert failed["job"]["state"] == "failed"
    assert failed["job"]["error"].startswith("BadParameter: changes[0].v")


@pytest.mark.parametrize("url", ["/api/v1/clusters/mnc/network.gexf?years=2011-2013",
                                 "/api/v1/network.csv.zip", "/api/v1/export?format=gexf",
                                 "/api/v1/export?format=bundle&cluster=mnc"])
def test_a_network_file_of_a_large_group_is_written_by_a_job(direct, jobbed, url):
    """The partnership-network files and the exports take the job path too (writing the
    GEXF of a whole programme takes minutes): 202, the job's result points back to the same
    URL, which then answers exactly the bytes of a direct download."""
    expected = direct.get(url)
    assert expected.status_code == 200 and len(expected.data) > 100

    first = jobbed.get(url)
    assert first.status_code == 202, first.get_data(as_text=True)[:300]
    done = poll(jobbed, first.get_json()["job"]["url"])
    assert done["job"]["state"] == "done"
    assert done["result"] == {"download": url}

    again = jobbed.get(done["result"]["download"])
    assert again.status_code == 200
    assert again.headers["Content-Disposition"] == expected.headers["Content-Disposition"]
    assert again.data == expected.data


def test_an_export_of_an_unknown_cluster_is_a_404_not_a_job(jobbed):
    response = jobbed.get("/api/v1/export?format=graphml&cluster=nope")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert "nope" in response.get_json()["detail"]
    assert jobbed.get("/api/v1/export?format=graphml&wait=abc").status_code == 400


def test_what_a_worker_process_computed_the_service_does_not_compute_again(
        demo_graph, make_app, monkeypatch):
    """A job's results reach the service through the disk cache: once the worker process
    is done, the actor page and the network file are answered without computing them in
    the service (counted in this process, which is the service's)."""
    import service.usecases.partnership as partnership
    import service.usecases.profiles as profiles

    app = make_app(**ALWAYS_JOBS, SYNERGRAPH_JOB_PROCESSES="1", SYNERGRAPH_PUBLIC_READ="1")
    client = app.test_client()
    calls = []
    real_actor, real_network = profiles._actor, partnership._network
    monkeypatch.setattr(profiles, "_actor",
                        lambda *a, **k: calls.append("actor") or real_actor(*a, **k))
    monkeypatch.setattr(partnership, "_network",
                        lambda *a, **k: calls.append("network") or real_network(*a, **k))

    html = client.get("/actors/mmc-a003").get_data(as_text=True)
    url = re.search(r'data-job-url="(/api/v1/jobs/[^"]+)"', html)
    assert url, html[:1000]
    assert poll(client, url.group(1))["job"]["state"] == "done"
    assert 'id="ranks-table"' in client.get("/actors/mmc-a003").get_data(as_text=True)

    file_url = "/api/v1/clusters/mmc/network.graphml"
    first = client.get(file_url)
    assert first.status_code == 202
    assert poll(client, first.headers["Location"])["job"]["state"] == "done"
    again = client.get(file_url)
    assert again.status_code == 200 and b"<graphml" in again.data
    assert calls == []  # both computed by the worker process only


def test_a_page_waits_for_its_job_counting_from_the_start_of_the_request(demo_graph,
                                                                       make_app):
    """A page whose own reads took the whole wait answers its progress block at once."""
    from flask import g

    from web.views import _page_wait

    app = make_app(SYNERGRAPH_JOBS_PAGE_WAIT_S="1")
    with app.test_request_context("/clusters/mnc"):
        app.preprocess_request()  # the pages' before_request notes the start
        assert 0.9 <= _page_wait() <= 1.0
        g.page_started = time.monotonic() - 0.25
        assert 0.7 <= _page_wait() <= 0.75
        g.page_started = time.monotonic() - 1.5
        assert _page_wait() == 0
