"""Issue 10, items 11-13: security headers and a CSP our own pages need no exception for,
problem+json for every HTTP error under /api/, and request-body limits per route."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from service.http import CSP

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


@pytest.fixture(scope="module")
def app(demo_graph, make_app):
    return make_app(SYNERGRAPH_PUBLIC_READ="1")


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


# -- 11: security headers ----------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/clusters/mnc", "/clusters/mnc/scorecard/print",
                                 "/api/v1/clusters", "/api/v1/health", "/login",
                                 "/static/style.css", "/no/such/page", "/api/v1/nothing",
                                 "/vendor/vis-network/vis-network.min.js"])
def test_every_response_carries_the_security_headers(app, url):
    with app.test_client().get(url) as response:
        assert response.status_code in (200, 404), (url, response.status_code)
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_admin_forms_cannot_be_framed(app, sign_in):
    client = sign_in(app, app.test_client(), "admin")
    response = client.get("/admin/users")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_templates_hold_no_inline_script():
    """What the CSP would block: inline <script> bodies, on* handlers, javascript: URLs
    (JSON data blocks are allowed: the browser never executes them)."""
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            attrs, body = match.groups()
            if "src=" in attrs and not body.strip():
                continue
            if 'type="application/json"' in attrs:
                continue
            problems.append(f"{path.name}: inline <script{attrs}>")
        problems += [f"{path.name}: {m.group(0)}"
                     for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text)]
        problems += [f"{path.name}: javascript: URL" for _ in re.finditer(r"javascript:", text)]
    assert problems == []


def test_rendered_pages_hold_no_executable_inline_script(app, sign_in):
    client = sign_in(app, app.test_client(), "admin")
    for url in ("/", "/clusters/mnc", "/clusters/mnc?tab=network", "/console",
                "/clusters/mnc/scorecard/print", "/account", "/admin/users", "/data"):
        page = client.get(url)
        assert page.status_code == 200, url
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>",
                                      page.get_data(as_text=True), re.S):
            assert "src=" in attrs or 'type="application/json"' in attrs, (url, attrs)
            assert "src=" not in attrs or not body.strip(), url


def test_the_print_button_is_wired_by_a_static_script(app):
    page = app.test_client().get("/clusters/mnc/scorecard/print").get_data(as_text=True)
    assert 'id="print-button"' in page and "onclick" not in page
    assert "/static/print.js" in page
    with app.test_client().get("/static/print.js") as script:
        assert script.status_code == 200 and b"window.print()" in script.data


def test_the_policy_is_the_documented_one():
    assert "unsafe-inline" not in _directives(CSP)["script-src"]
    assert "unsafe-eval" not in CSP


# -- 12: every HTTP error under /api/ is problem+json ----------------------------------------
def test_method_not_allowed_on_the_api_is_problem_json(app):
    response = app.test_client().post("/api/v1/clusters", json={})
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 405 and body["type"].endswith("/method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_other_api_errors_are_problem_json(app, sign_in):
    client = app.test_client()
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    researcher = sign_in(app, app.test_client(), "researcher")
    bad_json = researcher.post("/api/v1/cypher", data="{not json",
                               content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.mimetype == "application/problem+json"


def test_method_not_allowed_on_a_page_is_an_html_page(app):
    response = app.test_client().delete("/clusters/mnc")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "Method Not Allowed" in response.get_data(as_text=True)


# -- 13: request-body limits -------------------------------------------------------------
def test_a_large_json_body_is_refused_with_413_problem_json(app, sign_in):
    client = sign_in(app, app.test_client(), "researcher")
    padding = "x" * (int(app.config["SYNERGRAPH_MAX_BODY_BYTES"]) + 1)
    response = client.post("/api/v1/cypher",
                           json={"query": "RETURN 1 AS one", "params": {"pad": padding}})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/too-large")
    small = client.post("/api/v1/cypher", json={"query": "RETURN 1 AS one"})
    assert small.status_code == 200


class CountingStream(io.RawIOBase):
    """A request body that says how much of it the app read."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.position = {0: 0, 1: self.position, 2: self.size}[whence] + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def test_an_anonymous_big_body_is_refused_before_it_is_read(app):
    body = CountingStream(600 * 1024 * 1024)
    for url in ("/data/upload", "/api/v1/cypher", "/login"):
        body.read_bytes = 0
        response = app.test_client().post(
            url, input_stream=body, content_type="application/octet-stream",
            headers={"Content-Length": str(body.size)})
        assert response.status_code == 413, url
        assert body.read_bytes == 0, url
    assert response.mimetype == "text/html"  # /login: a page


def test_a_chunked_body_is_cut_at_the_limit(app, sign_in):
    limit = int(app.config["SYNERGRAPH_MAX_BODY_BYTES"])
    body = CountingStream(50 * limit)
    response = app.test_client().post(
        "/api/v1/cypher", input_stream=body, content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code in (401, 413)  # anonymous: refused either way ...
    assert body.read_bytes <= limit + 64 * 1024  # ... having read at most the limit
    client = sign_in(app, app.test_client(), "researcher")
    body = CountingStream(50 * limit)
    response = client.post(
        "/api/v1/cypher", input_stream=body, content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert body.read_bytes <= limit + 64 * 1024
    small = client.post(
        "/api/v1/cypher", input_stream=io.BytesIO(b'{"query": "RETURN 7 AS seven"}'),
        content_type="application/json", headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert small.status_code == 200 and small.get_json()["rows"] == [[7]]


def test_uploads_get_the_upload_limit_for_admins_only(demo_graph, make_app, sign_in):
    app = make_app(SYNERGRAPH_MAX_BODY_BYTES="1000", SYNERGRAPH_MAX_UPLOAD_BYTES="200000")
    admin = sign_in(app, app.test_client(), "admin")
    files = {"files": (io.BytesIO(b"id,name\n" + b"x" * 5000), "actors.csv")}
    response = admin.post("/data/upload", data=files, content_type="multipart/form-data")
    assert response.status_code != 413  # over the small limit, under the upload one
    big = {"files": (io.BytesIO(b"x" * 300000), "actors.csv")}
    assert admin.post("/data/upload", data=big,
                      content_type="multipart/form-data").status_code == 413
    researcher = sign_in(app, app.test_client(), "researcher")
    files = {"files": (io.BytesIO(b"x" * 5000), "actors.csv")}
    assert researcher.post("/data/upload", data=files,
                           content_type="multipart/form-data").status_code == 413
