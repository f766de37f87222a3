"""Issue 10, item 11 in a real browser: the pages work under the Content-Security-Policy
(the network still draws, tabs still switch) and the console shows no CSP violation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.neo4j


def _violations(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser")
            if "Content Security Policy" in entry["message"]
            or "Content-Security-Policy" in entry["message"]]


def test_pages_work_under_the_csp_without_violations(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")  # start with an empty log
    for url in ("/", "/clusters/mnc", "/clusters/mnc?tab=scorecard", "/compare",
                "/clusters/mnc/scorecard/print", "/actors/mnc-a001", "/api/v1/docs"):
        browser.get(live_server + url)
        WebDriverWait(browser, 30).until(
            lambda b: b.execute_script("return document.readyState") == "complete")
    browser.get(live_server + "/clusters/mnc")
    drawn = WebDriverWait(browser, 30).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, "#network[data-drawn='true']")))
    assert int(drawn.get_attribute("data-node-count")) > 0
    assert _violations(browser) == []

    # The policy is in force: a script injected inline does not run, and says why.
    ran = browser.execute_script("""
        window.__inlineRan = false;
        var s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true;';
        document.body.appendChild(s);
        return window.__inlineRan;""")
    assert ran is False
    assert _violations(browser), "the blocked inline script is reported as a CSP violation"
