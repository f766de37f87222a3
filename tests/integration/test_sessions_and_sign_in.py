"""Issue 10, items 6-10: sessions end server-side, lock-out holds under concurrency, refusal
time does not tell which users exist, the password policy, and what API tokens may do.

Every test drives the real app (Flask test client) on the real Neo4j of the test session.
"""

from __future__ import annotations

import html
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

import pytest

PASSWORD = "a sound passphrase 42"


@pytest.fixture(scope="module")
def app(demo_graph, make_app):
    return make_app()


def _csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": _csrf(client)})


def _signed_in(app, username, role="admin"):
    """A client signed in through the real /login form, and its session cookie value."""
    accounts = app.extensions["synergraph_accounts"]
    if accounts.get(username) is None:
        accounts.add_user(username, PASSWORD, role)
    client = app.test_client()
    assert _login(client, username).status_code == 302
    return client, client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh client that only holds a copy of a session cookie (as a thief would)."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


# -- 6: sessions are revocable server-side ---------------------------------------------
def test_logout_ends_the_session_for_every_copy_of_the_cookie(app):
    client, cookie = _signed_in(app, "sam")
    assert _replay(app, cookie).get("/admin/users").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    stolen = _replay(app, cookie)
    response = stolen.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stolen.get("/api/v1/clusters").status_code == 401


def test_password_change_ends_every_session(app):
    accounts = app.extensions["synergraph_accounts"]
    _client, cookie = _signed_in(app, "pat")
    _other, cookie2 = _signed_in(app, "pat")
    assert accounts.session_count("pat") == 2
    accounts.set_password("pat", "another sound passphrase")  # what `synergraph user password` does
    for value in (cookie, cookie2):
        assert _replay(app, value).get("/admin/users").status_code == 302
    assert accounts.session_count("pat") == 0


def test_password_change_on_the_account_page_keeps_only_this_session(app):
    accounts = app.extensions["synergraph_accounts"]
    client, _ = _signed_in(app, "paula", role="evaluator")
    _other, other_cookie = _signed_in(app, "paula", role="evaluator")
    page = client.get("/account").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    weak = client.post("/account/password", data={
        "password": PASSWORD, "new_password": "abcabcabcabc",
        "new_password_again": "abcabcabcabc", "csrf_token": csrf})
    assert weak.status_code == 400 and "repeats" in weak.get_data(as_text=True)
    changed = client.post("/account/password", data={
        "password": PASSWORD, "new_password": "paula's new passphrase",
        "new_password_again": "paula's new passphrase", "csrf_token": csrf})
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert _replay(app, other_cookie).get("/account").status_code == 302
    assert accounts.authenticate("paula", "paula's new passphrase") is not None


def test_role_change_ends_the_sessions_of_that_user(app):
    admin, _ = _signed_in(app, "root-1")
    _client, cookie = _signed_in(app, "rolf", role="researcher")
    assert _replay(app, cookie).get("/console").status_code == 200
    page = admin.get("/admin/users").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    admin.post("/admin/users/rolf/role", data={"role": "evaluator", "csrf_token": csrf})
    assert app.extensions["synergraph_accounts"].get("rolf").role == "evaluator"
    assert _replay(app, cookie).get("/console").status_code == 302


def test_removal_and_recreation_with_the_same_name_ends_old_sessions(app):
    accounts = app.extensions["synergraph_accounts"]
    _client, cookie = _signed_in(app, "remy")
    accounts.remove_user("remy")
    accounts.add_user("remy", PASSWORD, "admin")
    stolen = _replay(app, cookie)
    assert stolen.get("/admin/users").status_code == 302
    assert stolen.get("/api/v1/clusters").status_code == 401


# -- 7: lock-out without races -----------------------------------------------------------
def test_concurrent_wrong_passwords_check_at_most_the_limit(app):
    accounts = app.extensions["synergraph_accounts"]
    accounts.add_user("lou", PASSWORD, "evaluator")
    clients = [app.test_client() for _ in range(20)]
    tokens = [_csrf(c) for c in clients]
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def attempt(client, csrf):
        barrier.wait()
        response = client.post("/login", data={"username": "lou", "password": "wrong guess",
                                               "csrf_token": csrf})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=pair)
               for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(statuses) == 20
    checked = statuses.count(401)
    assert 1 <= checked <= accounts.max_failures == 5, statuses
    assert statuses.count(429) == 20 - checked
    # Locked now, even with the right password, from this address.
    assert _login(app.test_client(), "lou").status_code == 429


# -- 8: refusal time does not depend on whether the user exists ---------------------------
def test_refusal_time_is_the_same_for_known_and_unknown_users(demo_graph, make_app):
    app = make_app(SYNERGRAPH_LOGIN_MAX_FAILURES="100000")
    app.extensions["synergraph_accounts"].add_user("kim", PASSWORD, "evaluator")
    client = app.test_client()
    csrf = _csrf(client)
    times = {"kim": [], "nobody-here": []}
    for _ in range(21):
        for name in times:  # interleaved, so load on the machine hits both alike
            started = time.perf_counter()
            status = client.post("/login", data={"username": name, "password": "wrong guess",
                                                 "csrf_token": csrf}).status_code
            times[name].append(time.perf_counter() - started)
            assert status == 401
    known = statistics.median(times["kim"])
    unknown = statistics.median(times["nobody-here"])
    assert abs(unknown - known) <= 0.25 * known, (known, unknown)


# -- 9: password policy ------------------------------------------------------------------
@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaa", "repeats one character"),
    ("9876543210", "run of consecutive"),
    ("1234567890", "common"),
    ("abcabcabcabc", "repeats 'abc'"),
    ("qwertyuiop", "common"),
    ("Password2024!", "common password"),
    ("abababababab", "repeats 'ab'"),
    ("short", "at least 10"),
])
def test_admin_page_refuses_weak_passwords_and_says_why(app, password, reason):
    admin, _ = _signed_in(app, "root-2")
    page = admin.get("/admin/users").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = admin.post("/admin/users", data={"username": "weakling", "password": password,
                                                 "role": "animator", "csrf_token": csrf})
    assert response.status_code == 400
    assert reason in html.unescape(response.get_data(as_text=True))
    assert app.extensions["synergraph_accounts"].get("weakling") is None


def _cli(home, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "service", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=home,
                          env={"PATH": "/usr/bin:/bin", "SYNERGRAPH_HOME": str(home)})


def test_cli_refuses_weak_passwords_and_says_why(tmp_path):
    weak = _cli(tmp_path, "user", "add", "bob", "--role", "admin", stdin="aaaaaaaaaa\n")
    assert weak.returncode == 2 and "repeats one character" in weak.stderr
    common = _cli(tmp_path, "user", "add", "bob", "--role", "admin", stdin="password123\n")
    assert common.returncode == 2 and "common" in common.stderr
    assert _cli(tmp_path, "user", "add", "bob", "--role", "admin",
                stdin=PASSWORD + "\n").returncode == 0
    repeated = _cli(tmp_path, "user", "password", "bob", stdin="0123456789\n")
    assert repeated.returncode == 2 and "consecutive" in repeated.stderr


# -- 10: tokens --------------------------------------------------------------------------
def test_a_bearer_token_cannot_mint_tokens_or_manage_accounts(app):
    accounts = app.extensions["synergraph_accounts"]
    accounts.add_user("tina", PASSWORD, "admin")
    _token_id, secret = accounts.create_token("tina", "script")
    bearer = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert bearer.get("/api/v1/clusters", headers=headers).status_code == 200
    minted = bearer.post("/account/tokens", data={"name": "more"}, headers=headers)
    assert minted.status_code == 403
    assert minted.mimetype == "application/problem+json"
    assert bearer.post("/admin/users", headers=headers, data={
        "username": "sneaky", "password": PASSWORD, "role": "admin"}).status_code == 403
    assert len(accounts.tokens("tina")) == 1 and accounts.get("sneaky") is None


def test_new_token_secret_is_in_the_page_only_never_in_a_cookie(app):
    client, _ = _signed_in(app, "toby", role="animator")
    page = client.get("/account").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    forged = client.post("/account/tokens", data={"name": "no csrf"})
    assert forged.status_code == 403  # a session alone is not enough: the form's CSRF token
    response = client.post("/account/tokens", data={"name": "laptop", "csrf_token": csrf,
                                                    "expires_days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="new-token">([^<]+)</code>',
                       response.get_data(as_text=True)).group(1)
    for header in response.headers.getlist("Set-Cookie"):
        assert secret not in header
    session = app.session_interface.get_signing_serializer(app).loads(
        client.get_cookie("session").value)
    assert secret not in repr(session)
    assert secret not in client.get("/account").get_data(as_text=True)
    (token,) = app.extensions["synergraph_accounts"].tokens("toby")
    assert 29.9 * 86400 < token["expires_at"] - token["created_at"] < 30.1 * 86400


def test_expired_tokens_are_refused(app):
    accounts = app.extensions["synergraph_accounts"]
    accounts.add_user("exa", PASSWORD, "evaluator")
    token_id, secret = accounts.create_token("exa", expires_days=1)
    headers = {"Authorization": f"Bearer {secret}"}
    client = app.test_client()
    assert client.get("/api/v1/clusters", headers=headers).status_code == 200
    with sqlite3.connect(accounts.path) as db:  # a day later, written independently
        db.execute("UPDATE tokens SET expires_at = ? WHERE id = ?", (time.time() - 1, token_id))
    refused = client.get("/api/v1/clusters", headers=headers)
    assert refused.status_code == 401 and "expired" in refused.get_json()["detail"]
    assert accounts.tokens("exa")[0]["state"] == "expired"


def test_cli_token_expiry(tmp_path):
    assert _cli(tmp_path, "user", "add", "cy", "--role", "admin",
                stdin=PASSWORD + "\n").returncode == 0
    bad = _cli(tmp_path, "token", "create", "cy", "--expires-days", "0")
    assert bad.returncode == 2 and "days" in bad.stderr
    made = _cli(tmp_path, "token", "create", "cy", "--expires-days", "7")
    assert made.returncode == 0 and "expires in 7 days" in made.stderr
    with sqlite3.connect(tmp_path / "accounts.sqlite3") as db:
        created, expires = db.execute("SELECT created_at, expires_at FROM tokens").fetchone()
    assert abs((expires - created) - 7 * 86400) < 5
