"""`synergraph user` and `synergraph token`: the password comes from standard input."""

from __future__ import annotations

import subprocess
import sys

from service.accounts import AccountStore


def _cli(home, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "service", *args], input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=home,
                          env={"PATH": "/usr/bin:/bin", "SYNERGRAPH_HOME": str(home)})


def test_user_and_token_commands(tmp_path):
    added = _cli(tmp_path, "user", "add", "root", "--role", "admin",
                 stdin="a long admin password\n")
    assert added.returncode == 0, added.stderr
    assert "a long admin password" not in added.stdout + added.stderr
    listed = _cli(tmp_path, "user", "list")
    assert "root" in listed.stdout and "admin" in listed.stdout
    store = AccountStore(tmp_path / "accounts.sqlite3")
    assert store.authenticate("root", "a long admin password").role == "admin"

    created = _cli(tmp_path, "token", "create", "root", "--name", "ci")
    assert created.returncode == 0
    secret = created.stdout.strip()
    assert store.user_for_token(secret).username == "root"
    token_id = store.tokens("root")[0]["id"]
    assert _cli(tmp_path, "token", "revoke", token_id).returncode == 0
    assert store.user_for_token(secret) is None

    short = _cli(tmp_path, "user", "add", "bob", "--role", "researcher", stdin="short\n")
    assert short.returncode == 2 and "at least" in short.stderr
    bad_role = _cli(tmp_path, "user", "add", "bob", "--role", "king", stdin="x" * 12)
    assert bad_role.returncode == 2
