"""Errors by design: every bad parameter is a 400 naming it, an unknown id a 404, and a
programming error a logged 500 (problem+json) — never dressed up as a client error."""

from __future__ import annotations

import logging

import pytest
from helpers import api_client


@pytest.fixture(scope="module")
def app(demo_graph, make_app):
    return make_app()


@pytest.fixture(scope="module")
def client(app):
    return api_client(app, "evaluator")


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/v1/actors?limit=abc", "limit"),  # not a parameter of this endpoint: refused
    ("/api/v1/actors?per_page=abc", "per_page"),
    ("/api/v1/actors?per_page=0", "per_page"),
    ("/api/v1/actors?kind=wizard", "kind"),
    ("/api/v1/projects?year=nineteen", "year"),
    ("/api/v1/clusters/mnc/metrics?years=2014-2012", "years"),
    ("/api/v1/clusters/mnc/metrics?kinds=sme,robot", "kinds"),
    ("/api/v1/clusters/mnc/metrics?min_weight=0", "min_weight"),
    ("/api/v1/clusters/mnc/metrics?null_runs=1000", "null_runs"),
    ("/api/v1/clusters/mnc/metrics?weighted=perhaps", "weighted"),
    ("/api/v1/clusters/mnc/evolution?window=-1", "window"),
    ("/api/v1/clusters/mnc/communities?top=0", "top"),
    ("/api/v1/actors/mnc-a001/recommendations?top=abc", "top"),
])
def test_bad_parameters_are_400s_naming_the_parameter(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400, url
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/bad-parameter") and body["parameter"] == parameter
    assert body["detail"].startswith(f"{parameter}: ")


@pytest.mark.parametrize(("url", "what"), [
    ("/api/v1/clusters/nope", "cluster"), ("/api/v1/clusters/nope/metrics", "cluster"),
    ("/api/v1/countries/ZZ/synergy", "country"), ("/api/v1/actors/nobody", "actor"),
    ("/api/v1/actors/nobody/recommendations", "actor"), ("/api/v1/projects/none", "project"),
])
def test_unknown_ids_are_404s(client, url, what):
    response = client.get(url)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == f"Unknown {what}"


def test_a_bug_is_a_logged_500_not_a_400(app, client, monkeypatch, caplog):
    import service.api.groups as groups

    def broken(*args, **kwargs):
        return {}["a key a programming error forgot"]  # KeyError: once a 404 by accident

    monkeypatch.setattr(groups.uc, "synergy", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/clusters/mnc/synergy")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert any("KeyError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_a_what_if_on_an_unknown_actor_names_the_change(client):
    response = client.post("/api/v1/clusters/mnc/whatif",
                           json={"changes": [{"op": "add_tie", "u": "mnc-a001", "v": "x"}]})
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "changes[0].v"


def test_anonymous_visitors_get_a_tighter_null_model_cap(demo_graph, make_app):
    app = make_app(SYNERGRAPH_PUBLIC_READ="1")
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/clusters/mmc/metrics?null_runs=20").status_code == 200
    refused = anonymous.get("/api/v1/clusters/mmc/metrics?null_runs=60")
    assert refused.status_code == 400 and refused.get_json()["parameter"] == "null_runs"
    assert "without signing in" in refused.get_json()["detail"]
    signed = api_client(app, "researcher")
    assert signed.get("/api/v1/clusters/mmc/metrics?null_runs=60").status_code == 200


def test_every_permission_rule_names_a_real_endpoint(app):
    """A rule that matches no endpoint is dead (two once named blueprints that did not
    exist)."""
    import fnmatch

    from service.auth import RULES

    endpoints = list(app.view_functions)
    dead = [pattern for pattern, _ in RULES
            if not any(fnmatch.fnmatchcase(e, pattern) for e in endpoints)]
    assert not dead, dead
