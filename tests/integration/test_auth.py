"""Who may do what: the role × endpoint matrix, sign-in, tokens, CSRF, public read mode."""

from __future__ import annotations

import re

import pytest

from service.auth import permission_for

PUBLIC_ENDPOINTS = {"pages.static", "pages.vendor_vis", "auth.login", "api.health",
                    "pages.set_language", "static", "api.openapi_document", "api.docs"}


@pytest.fixture(scope="module")
def demo(demo_graph):
    return demo_graph


@pytest.fixture(scope="module")
def app(demo, make_app):
    return make_app(SYNERGRAPH_LOGIN_MAX_FAILURES="3")


@pytest.fixture(scope="module")
def public_app(demo, make_app):
    return make_app(SYNERGRAPH_LOGIN_MAX_FAILURES="3", SYNERGRAPH_PUBLIC_READ="1")


def _concrete(rule) -> str:
    """A URL for a rule, with plausible values for its variables."""
    values = {"cluster_id": "mnc", "group_id": "mnc", "country_id": "MA", "actor_id":
              "mnc-a001", "project_id": "mnc-p001", "token_id": "0", "code": "en",
              "filename": "style.css"}
    url = rule.rule
    url = re.sub(r"<any\(([^,)]+)[^)]*\):\w+>", lambda m: m.group(1).strip(), url)
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), url)


def test_every_endpoint_needs_sign_in_unless_public(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.endswith(".static"):
            continue
        url = _concrete(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url, response.status_code)
                assert response.mimetype == "application/problem+json"
                assert "Bearer" in response.headers["WWW-Authenticate"]
            elif method == "GET":
                assert response.status_code == 302, (method, url)
                assert "/login" in response.headers["Location"]
            else:
                assert response.status_code in (302, 403), (method, url)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"read": 200, "console": 200}),
    ("researcher", {"read": 200, "console": 200}),
    ("evaluator", {"read": 200, "console": 403}),
    ("animator", {"read": 200, "console": 403}),
])
def test_role_matrix(app, sign_in, role, expected):
    client = sign_in(app, app.test_client(), role)
    for url in ("/", "/clusters/mnc", "/api/v1/clusters", "/api/v1/clusters/mnc/scorecard"):
        assert client.get(url).status_code == expected["read"], (role, url)
    assert client.get("/console").status_code == expected["console"], role
    response = client.post("/api/v1/cypher", json={"query": "MATCH (c:Cluster) RETURN count(c)"})
    assert response.status_code == expected["console"], role
    if expected["console"] == 200:
        assert response.get_json()["rows"] == [[4]]
    assert client.get("/account").status_code == 200


def test_public_read_mode_opens_reading_only(public_app):
    client = public_app.test_client()
    for url in ("/", "/clusters/mnc", "/api/v1/clusters", "/api/v1/export?format=json"):
        assert client.get(url).status_code == 200, url
    assert client.get("/console").status_code == 302
    assert client.post("/api/v1/cypher", json={"query": "RETURN 1"}).status_code == 401
    assert client.get("/api/v1/schema").status_code == 401
    assert client.get("/account").status_code == 302
    assert permission_for("api.some_future_endpoint") == "read"
    assert permission_for("newblueprint.view") == "admin"  # deny by default


def test_sign_in_flow_and_throttling(app):
    accounts = app.extensions["synergraph_accounts"]
    accounts.add_user("eva", "eva's long password", "evaluator")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # Without the form's CSRF token the sign-in is refused.
    assert client.post("/login", data={"username": "eva",
                                       "password": "eva's long password"}).status_code == 403
    wrong = client.post("/login", data={"username": "eva", "password": "nope",
                                        "csrf_token": csrf})
    assert wrong.status_code == 401
    ok = client.post("/login", data={"username": "eva", "password": "eva's long password",
                                     "csrf_token": csrf, "next": "https://evil.example/x"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"  # no open redirect
    assert client.get("/clusters/mnc").status_code == 200
    other = app.test_client()
    csrf2 = re.search(r'name="csrf_token" value="([^"]+)"',
                      other.get("/login").get_data(as_text=True)).group(1)
    for _ in range(3):
        assert other.post("/login", data={"username": "eva", "password": "bad",
                                          "csrf_token": csrf2}).status_code == 401
    locked = other.post("/login", data={"username": "eva", "password": "eva's long password",
                                        "csrf_token": csrf2})
    assert locked.status_code == 429


def test_csrf_is_required_with_a_session_cookie(app, sign_in):
    client = sign_in(app, app.test_client(), "researcher")
    body = {"query": "RETURN 1 AS one"}
    assert client.post("/api/v1/cypher", json=body).status_code == 200
    client.environ_base.pop("HTTP_X_CSRF_TOKEN")
    refused = client.post("/api/v1/cypher", json=body)
    assert refused.status_code == 403
    assert refused.get_json()["type"].endswith("/csrf")
    client.environ_base["HTTP_X_CSRF_TOKEN"] = "forged"
    assert client.post("/api/v1/cypher", json=body).status_code == 403


def test_api_tokens_work_until_revoked(app):
    accounts = app.extensions["synergraph_accounts"]
    accounts.add_user("rita", "rita's long password", "researcher")
    token_id, secret = accounts.create_token("rita", "notebook")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    # A token carries no ambient authority: no CSRF token needed.
    ran = client.post("/api/v1/cypher", json={"query": "RETURN 2 AS two"}, headers=headers)
    assert ran.status_code == 200 and ran.get_json()["rows"] == [[2]]
    accounts.revoke_token(token_id, username="rita")
    again = client.get("/api/v1/clusters", headers=headers)
    assert again.status_code == 401
    assert "revoked" in again.get_json()["detail"]
    assert client.get("/api/v1/clusters", headers={"Authorization": "Basic abc"}
                      ).status_code == 401


def test_tokens_are_managed_by_their_owner_on_the_account_page(app, sign_in):
    client = sign_in(app, app.test_client(), "animator", username="ann")
    page = client.post("/account/tokens", data={"name": "laptop"}, follow_redirects=True)
    secret = re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True))
    assert secret, "the new token is shown once"
    bearer = app.test_client()
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert bearer.get("/api/v1/clusters", headers=headers).status_code == 200
    token_id = app.extensions["synergraph_accounts"].tokens("ann")[0]["id"]
    # Not shown a second time.
    assert secret.group(1) not in client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{token_id}/revoke")
    assert bearer.get("/api/v1/clusters", headers=headers).status_code == 401


def test_admin_manages_users_on_the_web(app, sign_in):
    admin = sign_in(app, app.test_client(), "admin", username="boss")
    accounts = app.extensions["synergraph_accounts"]
    added = admin.post("/admin/users", data={"username": "newbie",
                                              "password": "newbie's own words",
                                              "role": "animator"})
    assert added.status_code == 302 and accounts.get("newbie").role == "animator"
    assert admin.post("/admin/users", data={"username": "newbie",
                                             "password": "newbie's own words",
                                             "role": "animator"}).status_code == 400
    admin.post("/admin/users/newbie/role", data={"role": "researcher"})
    assert accounts.get("newbie").role == "researcher"
    admin.post("/admin/users/boss/role", data={"role": "evaluator"})
    assert accounts.get("boss").role == "admin"  # no self-demotion
    admin.post("/admin/users/newbie/remove")
    assert accounts.get("newbie") is None
    other = sign_in(app, app.test_client(), "evaluator")
    assert other.get("/admin/users").status_code == 403
    assert other.post("/admin/users", data={"username": "x", "password": "y" * 12,
                                             "role": "admin"}).status_code == 403


def test_the_permission_of_every_endpoint_is_deliberate(app, sign_in):
    """Deny-by-default must not hide a page from the roles it is for: list what is not
    'read' or 'public', and check an evaluator can open every 'read' GET route."""
    special = {}
    for rule in app.url_map.iter_rules():
        permission = permission_for(rule.endpoint)
        if permission not in ("read", "public"):
            special[rule.endpoint] = permission
    assert special == {
        "auth.logout": "signed_in", "auth.account": "signed_in",
        "auth.account_password": "signed_in",
        "auth.token_create": "signed_in", "auth.token_revoke": "signed_in",
        "api_cypher.run_cypher": "console", "api_cypher.cypher_examples": "console",
        "api_cypher.schema": "console", "console.console_page": "console",
        "console.console_run": "console", "data.upload": "admin",
        "admin.users": "admin", "admin.add_user": "admin", "admin.set_role": "admin",
        "admin.remove_user": "admin",
        "api.admin_jobs": "admin",  # GET /api/v1/jobs: every job, for administrators
    }
    client = sign_in(app, app.test_client(), "evaluator")
    for rule in app.url_map.iter_rules():
        if permission_for(rule.endpoint) == "read" and "GET" in rule.methods:
            status = client.get(_concrete(rule)).status_code
            assert status not in (401, 403), (rule.rule, status)
