"""A download link whose file a background job writes (the partnership network of a large
group), in a real headless Chromium: the click shows the job's progress beside the link,
then the browser saves the file itself, not the job's JSON."""

from __future__ import annotations

import time

import networkx as nx
import pytest

from .conftest import serving

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def jobs_server(browser_demo_store, make_app):
    """Every file is written by a job here, as for a Horizon 2020-size ecosystem."""
    with serving(make_app(SYNERGRAPH_PUBLIC_READ="1", SYNERGRAPH_JOBS_INLINE_MAX_ACTORS="0",
                          SYNERGRAPH_JOBS_PAGE_WAIT_S="0")) as base:
        yield base


def _saved(folder, suffix: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"nothing saved in {folder}: {[p.name for p in folder.iterdir()]}")


def test_a_file_written_by_a_job_downloads_after_its_progress(browser, jobs_server,
                                                               tmp_path):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(jobs_server + "/")
    link = browser.find_element(By.CSS_SELECTOR, "#network-files a[data-format='gexf']")
    link.click()
    saved = _saved(tmp_path, ".gexf")
    graph = nx.read_gexf(saved)  # the file itself, not the job's JSON
    assert graph.number_of_nodes() == 317
    status = browser.find_element(By.CSS_SELECTOR, "#network-files .download-status")
    assert status.get_attribute("role") == "status"
    assert browser.execute_script("return document.querySelector("
                                  "\"#network-files a[data-format='gexf']\")"
                                  ".getAttribute('aria-busy')") is None
    # the same link again: the file is ready, so it downloads at once
    saved.unlink()
    link.click()
    assert nx.read_gexf(_saved(tmp_path, ".gexf")).number_of_nodes() == 317
