"""The OpenAPI document validates, and every documented endpoint answers as documented:
status codes, media types and response bodies (JSON Schema), for good and bad input."""

from __future__ import annotations

import jsonschema
import pytest
from helpers import api_client
from openapi_spec_validator import validate

VALUES = {"cluster_id": "mnc", "country_id": "MA", "actor_id": "mnc-a001",
          "project_id": "mnc-p001"}


@pytest.fixture(scope="module")
def setup(demo_graph, make_app):
    app = make_app()
    job = app.extensions["synergraph"].jobs.submit(("test",), "a test job", lambda: True)
    assert job.wait(30)
    VALUES["job_id"] = job.id  # GET /api/v1/jobs/{job_id} answers a real job
    client = api_client(app, "admin")
    return client, client.get("/api/v1/openapi.json").get_json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _url(path: str) -> str:
    url = path
    group = "MA" if path.startswith("/api/v1/countries/") else "mnc"
    url = url.replace("{group_id}", group)
    for name, value in VALUES.items():
        url = url.replace("{" + name + "}", value)
    return url


def _check(document, operation, response, *, where):
    status = str(response.status_code)
    assert status in operation["responses"], f"{where}: undocumented status {status}"
    content = operation["responses"][status].get("content", {})
    assert response.mimetype in content, f"{where}: {response.mimetype} not documented"
    if response.mimetype in ("application/json", "application/problem+json"):
        schema = content[response.mimetype]["schema"]
        root = {"allOf": [schema], "components": document["components"]}
        jsonschema.validate(response.get_json(), root)


def test_the_document_is_valid_openapi(setup):
    _, document = setup
    validate(document)
    assert len(document["paths"]) >= 20


def test_every_endpoint_answers_as_documented(setup):
    client, document = setup
    checked = 0
    for path, method, operation in _operations(document):
        body = None
        if "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]["schema"].get(
                "example")
            assert body is not None, f"{method} {path}: document an example body"
            if path.endswith("/whatif"):
                body = {"changes": [{"op": "add_tie", "u": "mnc-a001", "v": "mnc-a002"}]}
                if "countries" in path:
                    body = {"changes": [{"op": "remove_actor", "id": "mnc-a001"}]}
        query = {p["name"]: p["example"] for p in operation["parameters"]
                 if p["in"] == "query" and "example" in p}
        if path.endswith("/metrics"):
            query["null_runs"] = "2"
        response = client.open(_url(path), method=method.upper(), json=body,
                               query_string=query)
        assert response.status_code < 300, (method, path, response.status_code,
                                            response.get_data(as_text=True)[:300])
        _check(document, operation, response, where=f"{method} {path}")
        checked += 1
    assert checked == sum(1 for _ in _operations(document))


def test_bad_input_is_answered_as_documented(setup):
    client, document = setup
    checked = 0
    for path, method, operation in _operations(document):
        for p in operation["parameters"]:
            bad = None
            if p["in"] == "query" and p["schema"]["type"] == "integer":
                bad = "not-a-number"
            elif p["in"] == "query" and p["schema"].get("enum"):
                bad = "no-such-choice"
            if bad is None:
                continue
            response = client.open(_url(path), method=method.upper(),
                                   query_string={p["name"]: bad},
                                   json={"changes": []} if method == "post" else None)
            assert response.status_code == 400, (method, path, p["name"], response.status_code)
            _check(document, operation, response, where=f"{method} {path} ?{p['name']}")
            checked += 1
        if "404" in operation["responses"] and "{" in path:
            url = path
            for name in ("cluster_id", "country_id", "actor_id", "group_id", "project_id"):
                url = url.replace("{" + name + "}", "QQ-no-such-id")
            response = client.open(url, method=method.upper(),
                                   json={"changes": [{"op": "add_tie", "u": "a", "v": "b"}]})
            assert response.status_code == 404, (method, url, response.status_code)
            _check(document, operation, response, where=f"{method} {url}")
            checked += 1
        if "requestBody" in operation:
            response = client.open(_url(path), method=method.upper(), data="not json",
                                   content_type="application/json")
            assert response.status_code == 400, (method, path)
            _check(document, operation, response, where=f"{method} {path} (bad body)")
            checked += 1
    assert checked >= 15


def test_every_api_route_is_documented(setup):
    client, document = setup
    app = client.application
    documented_paths = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            assert hasattr(app.view_functions[rule.endpoint], "__openapi__"), rule.rule
    assert "/api/v1/cypher" in documented_paths
    assert client.get("/api/v1/docs").status_code == 200
