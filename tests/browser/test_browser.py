"""The pages in a real headless Chromium: drawing, clicking, filtering, language, tabs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.neo4j

DRAWN = "#network[data-drawn='true']"


def _wait(browser, condition, timeout=30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(condition)


def _css(browser, selector):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, selector)


def _open_network(browser, url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    browser.get(url)
    return _wait(browser, ec.presence_of_element_located((By.CSS_SELECTOR, DRAWN)))


def test_home_lists_the_clusters(browser, live_server, screenshot):
    browser.get(live_server + "/")
    rows = browser.find_elements("css selector", "#clusters-table tbody tr")
    names = {r.find_element("css selector", "th a").text for r in rows}
    assert names == {"Maroc Numeric Cluster", "CE3M", "Morocco Microelectronics Cluster",
                     "Océanopôle Tan-Tan"}
    assert "Synthetic data." in _css(browser, ".synthetic-banner").text
    screenshot("home")


def test_network_canvas_draws_every_node(browser, live_server, screenshot):
    container = _open_network(browser, live_server + "/clusters/mnc")
    expected = browser.execute_script(
        "return JSON.parse(document.getElementById('network-data').textContent).nodes.length")
    assert int(container.get_attribute("data-node-count")) == expected > 0
    # The canvas holds painted pixels (not a blank rectangle).
    painted = browser.execute_script("""
        var c = document.querySelector('#network canvas');
        var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        var n = 0; for (var i = 3; i < d.length; i += 4) { if (d[i] > 0) { n++; } }
        return n;""")
    assert painted > 1000
    screenshot("network")


def test_click_on_a_node_opens_its_panel(browser, live_server, screenshot):
    from selenium.webdriver.common.action_chains import ActionChains

    container = _open_network(browser, live_server + "/clusters/mnc")
    # The biggest node (top broker), its position on screen from vis-network itself.
    node = browser.execute_script("""
        var s = document.getElementById('network').synergraph;
        var nodes = s.nodes.get(); nodes.sort(function (a, b) { return b.size - a.size; });
        var n = nodes[0];
        s.network.moveTo({position: {x: n.x, y: n.y}, scale: 1.0, animation: false});
        var p = s.network.canvasToDOM({x: n.x, y: n.y});
        return {id: n.id, label: n.label, x: p.x, y: p.y};""")
    size = container.size
    ActionChains(browser).move_to_element_with_offset(
        container, int(node["x"] - size["width"] / 2), int(node["y"] - size["height"] / 2)
    ).click().perform()
    panel = _css(browser, "#node-panel")
    _wait(browser, lambda b: panel.is_displayed())
    assert panel.find_element("css selector", "[data-field=name]").text == node["label"]
    link = panel.find_element("css selector", "[data-field=link]").get_attribute("href")
    assert link.endswith("/actors/" + node["id"])
    screenshot("panel")


def test_a_kind_filter_changes_the_node_count(browser, live_server, screenshot):
    container = _open_network(browser, live_server + "/clusters/mnc")
    before = int(container.get_attribute("data-node-count"))
    _css(browser, "input[name=kinds][value=sme]").click()
    _css(browser, "input[name=kinds][value=university]").click()
    _css(browser, "#apply-filters").click()
    _wait(browser, lambda b: "kinds=sme" in b.current_url)
    container = _open_network(browser, browser.current_url)
    after = int(container.get_attribute("data-node-count"))
    assert 0 < after < before
    kinds = browser.execute_script(
        "return document.getElementById('network').synergraph.nodes.distinct('kind')")
    assert set(kinds) <= {"sme", "university"}
    screenshot("filtered")


def test_search_focuses_an_actor(browser, live_server):
    _open_network(browser, live_server + "/clusters/mnc")
    label = browser.execute_script(
        "return document.getElementById('network').synergraph.nodes.get()[3].label")
    box = _css(browser, "#actor-search")
    box.send_keys(label)
    _css(browser, "#actor-search-go").click()
    panel = _css(browser, "#node-panel")
    _wait(browser, lambda b: panel.is_displayed())
    assert panel.find_element("css selector", "[data-field=name]").text == label
    selected = browser.execute_script(
        "return document.getElementById('network').synergraph.network.getSelectedNodes()")
    assert len(selected) == 1


def test_png_export_of_the_view(browser, live_server):
    _open_network(browser, live_server + "/clusters/mnc")
    browser.execute_script("""
        window.__downloads = [];
        HTMLAnchorElement.prototype.click = function () {
          window.__downloads.push([this.download, this.href.slice(0, 22)]); };""")
    _css(browser, "#export-png").click()
    downloads = browser.execute_script("return window.__downloads")
    assert downloads == [["mnc-network.png", "data:image/png;base64,"]]


def test_switching_language_changes_the_labels(browser, live_server, screenshot):
    _open_network(browser, live_server + "/clusters/mnc")
    assert _css(browser, "#net-h").text == "Partnership network"
    _css(browser, ".langs a[data-lang=fr]").click()
    _wait(browser, lambda b: b.find_element("css selector", "html").get_attribute("lang") == "fr")
    assert _css(browser, "#net-h").text == "Réseau de partenariats"
    assert _css(browser, "#tab-evolution").text == "Évolution"
    screenshot("french")
    browser.get(live_server + "/")  # the cookie remembers the choice
    assert _css(browser, "#clusters-h").text == "Clusters"
    assert "Vue d'ensemble" in _css(browser, "h1").text
    _css(browser, ".langs a[data-lang=en]").click()
    _wait(browser, lambda b: b.find_element("css selector", "html").get_attribute("lang") == "en")


def test_tabs_work_from_the_keyboard(browser, live_server, screenshot):
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server + "/clusters/mnc?tab=scorecard")
    tab = _css(browser, "#tab-scorecard")
    assert tab.get_attribute("aria-selected") == "true"
    tab.send_keys(Keys.ARROW_RIGHT)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("id") == "tab-evolution"
    focused.send_keys(Keys.ENTER)
    _wait(browser, lambda b: "tab=evolution" in b.current_url)
    assert len(browser.find_elements("css selector", "svg.chart")) == 4
    screenshot("evolution")
