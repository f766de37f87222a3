"""The account store: users, hashed passwords, throttled sign-in, hashed API tokens."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat

import pytest

from service.accounts import AccountError, AccountStore


@pytest.fixture
def accounts(tmp_path):
    return AccountStore(tmp_path / "accounts.sqlite3", max_failures=3, lock_s=60)


def test_file_is_private_and_holds_no_secret_in_clear(accounts):
    accounts.add_user("ana", "correct horse battery", "researcher")
    token_id, secret = accounts.create_token("ana")
    assert stat.S_IMODE(os.stat(accounts.path).st_mode) == 0o600
    raw = accounts.path.read_bytes()
    assert b"correct horse battery" not in raw
    assert secret.encode() not in raw
    with sqlite3.connect(accounts.path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("scrypt:")


def test_add_user_checks_its_input(accounts):
    with pytest.raises(AccountError, match="role"):
        accounts.add_user("ana", "long enough pw", "superuser")
    with pytest.raises(AccountError, match="at least"):
        accounts.add_user("ana", "short", "admin")
    with pytest.raises(AccountError, match="username"):
        accounts.add_user("ana smith", "long enough pw", "admin")
    accounts.add_user("ana", "long enough pw", "admin")
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("ana", "long enough pw", "admin")


def test_authenticate_and_lock_out(accounts):
    accounts.add_user("bob", "right password", "evaluator")
    assert accounts.authenticate("bob", "right password").role == "evaluator"
    for _ in range(3):
        assert accounts.authenticate("bob", "wrong", client="10.0.0.9") is None
    with pytest.raises(AccountError, match="too many"):
        accounts.authenticate("bob", "right password", client="10.0.0.9")
    # Another client is not locked out by someone else's failures.
    assert accounts.authenticate("bob", "right password", client="127.0.0.1") is not None
    assert accounts.authenticate("nobody", "whatever") is None


def test_tokens_are_shown_once_and_revocable(accounts):
    accounts.add_user("cy", "long enough pw", "researcher")
    token_id, secret = accounts.create_token("cy", "notebook")
    user = accounts.user_for_token(secret)
    assert (user.username, user.role, user.via_token) == ("cy", "researcher", token_id)
    assert accounts.tokens("cy")[0]["last_used_at"] is not None
    assert accounts.user_for_token(secret + "x") is None
    assert accounts.user_for_token("not-a-token") is None
    with pytest.raises(AccountError):
        accounts.revoke_token(token_id, username="someone-else")
    accounts.revoke_token(token_id, username="cy")
    assert accounts.user_for_token(secret) is None
    with pytest.raises(AccountError):
        accounts.revoke_token(token_id)


def test_removing_a_user_removes_their_tokens(accounts):
    accounts.add_user("dee", "long enough pw", "animator")
    _, secret = accounts.create_token("dee")
    accounts.remove_user("dee")
    assert accounts.user_for_token(secret) is None
    assert accounts.tokens("dee") == []


def test_sessions_expire_and_end_with_changes(tmp_path):
    import time

    accounts = AccountStore(tmp_path / "s.sqlite3", session_lifetime_s=0.5)
    accounts.add_user("eve", "long enough pw", "evaluator")
    sid = accounts.open_session("eve")
    assert accounts.session_user(sid).username == "eve"
    assert accounts.session_user(sid + "x") is None and accounts.session_user("") is None
    time.sleep(0.6)
    assert accounts.session_user(sid) is None  # expired
    sid = accounts.open_session("eve")
    accounts.set_role("eve", "animator")
    assert accounts.session_user(sid) is None
    sid = accounts.open_session("eve")
    accounts.close_session(sid)
    assert accounts.session_user(sid) is None
    live = accounts.open_session("eve")
    with sqlite3.connect(accounts.path) as db:  # only hashes of session ids are stored
        stored = [row[0] for row in db.execute("SELECT id_hash FROM sessions")]
    assert stored == [hashlib.sha256(live.encode()).hexdigest()]
    assert live.encode() not in accounts.path.read_bytes()


def test_token_expiry_is_checked(accounts):
    accounts.add_user("fay", "long enough pw", "researcher")
    with pytest.raises(AccountError, match="days"):
        accounts.create_token("fay", expires_days=0)
    token_id, secret = accounts.create_token("fay", expires_days=0.5 / 86400)
    assert accounts.user_for_token(secret) is not None
    import time

    time.sleep(0.6)
    assert accounts.user_for_token(secret) is None
    assert accounts.tokens("fay")[0]["state"] == "expired"
