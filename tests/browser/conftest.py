"""Browser tests: the app served by a real HTTP server in a thread, driven by Debian's
Chromium through Selenium and chromedriver (no browser download).

Without ``/usr/bin/chromium`` the tests skip with the reason, except under CI (the
environment variable ``CI`` set), where a missing browser is a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SYNERGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("SYNERGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver"))
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000")


def _require_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = (f"browser tests need Debian's chromium and chromium-driver: missing "
               f"{', '.join(missing)} (apt-get install chromium chromium-driver)")
    if os.environ.get("CI"):
        pytest.fail(message + " — required under CI", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser_demo_store(demo_graph):
    return demo_graph


@contextlib.contextmanager
def serving(app):
    """Base URL of ``app`` served on a free port by werkzeug in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def live_server(browser_demo_store, make_app):
    """Base URL of the app (pages open to anonymous visitors)."""
    with serving(make_app(SYNERGRAPH_PUBLIC_READ="1")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="synergraph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_argument("--lang=en-US")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console log readable
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshot(browser, request):
    """``screenshot(name)`` saves the page into test-artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        browser.save_screenshot(str(path))
        return path

    return save
