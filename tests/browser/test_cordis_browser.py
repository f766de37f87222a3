"""The real CORDIS sample, loaded as country ecosystems, in a real Chromium."""

from __future__ import annotations

import pytest

from loaders.cordis import read_cordis

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def browser_demo_store(session_store, cordis_sample_path):
    """Overrides the demo data of conftest.py: this module's server holds CORDIS only."""
    session_store.delete_all()
    dataset, _ = read_cordis(cordis_sample_path)
    session_store.write(dataset, kind="cordis")
    return session_store


def test_country_network_draws_in_the_browser(browser, live_server, browser_demo_store,
                                              screenshot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    records, _, _ = browser_demo_store.driver.execute_query(
        "MATCH (a:Actor)-[:LOCATED_IN]->(:Region {id: 'DE'}) RETURN count(a) AS n",
        database_=browser_demo_store.database)
    expected = records[0]["n"]
    browser.get(live_server + "/countries/DE")
    container = WebDriverWait(browser, 60).until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, "#network[data-drawn='true']")))
    assert int(container.get_attribute("data-node-count")) == expected > 300
    assert "synthetic" not in browser.find_element(By.TAG_NAME, "h1").text.lower()
    screenshot("country-DE")


def test_home_shows_the_cordis_attribution(browser, live_server, screenshot):
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "© European Union" in text and "CC BY 4.0" in text
    assert "Germany" in text
    screenshot("home-cordis")
