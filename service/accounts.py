"""Accounts, roles and API tokens, kept in a SQLite file beside the provisioned server.

Why not in Neo4j: researchers get a read-only Cypher console on the whole database, and
Neo4j Community Edition has neither fine-grained read privileges (a label cannot be hidden
from a reader) nor a second user database. Password hashes and token hashes stored as nodes
would be one ``MATCH (u:User) RETURN u`` away. So they live in
``$SYNERGRAPH_HOME/accounts.sqlite3`` (mode 0600), which no query can reach.

Passwords are hashed with scrypt (Werkzeug's ``generate_password_hash``); API tokens are
random 256-bit secrets shown once and stored as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

__all__ = ["ROLES", "AccountStore", "AccountError", "User", "TOKEN_PREFIX"]

#: Roles, from the most to the least powerful.
ROLES = ("admin", "evaluator", "animator", "researcher")
TOKEN_PREFIX = "sgt_"
MIN_PASSWORD_LENGTH = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    last_used_at REAL,
    revoked_at REAL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
"""


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message says why."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    via_token: str | None = None  # token id when authenticated by an API token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountStore:
    """Users, API tokens and login throttling in one SQLite file."""

    def __init__(self, path: Path | str, *, max_failures: int = 5, lock_s: float = 900.0):
        self.path = Path(path)
        self.max_failures = max_failures
        self.lock_s = lock_s
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=10)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()

    # -- users -------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: str) -> User:
        username = username.strip()
        if not username or len(username) > 64 or not all(
                c.isalnum() or c in "._-@" for c in username):
            raise AccountError("a username is 1-64 letters, digits or . _ - @")
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        with self._connect() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise AccountError(f"user {username!r} already exists")
            db.execute("INSERT INTO users (username, password_hash, role, created_at) "
                       "VALUES (?, ?, ?, ?)",
                       (username, generate_password_hash(password), role, time.time()))
        return User(username, role)

    def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        with self._connect() as db:
            done = db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                              (generate_password_hash(password), username)).rowcount
        if not done:
            raise AccountError(f"no user {username!r}")

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        with self._connect() as db:
            if not db.execute("UPDATE users SET role = ? WHERE username = ?",
                              (role, username)).rowcount:
                raise AccountError(f"no user {username!r}")

    def remove_user(self, username: str) -> None:
        with self._connect() as db:
            if not db.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount:
                raise AccountError(f"no user {username!r}")

    def users(self) -> list[dict]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT u.username, u.role, u.created_at, u.disabled, "
                "(SELECT count(*) FROM tokens t WHERE t.username = u.username "
                " AND t.revoked_at IS NULL) AS tokens FROM users u ORDER BY u.username"
            ).fetchall()
        return [dict(row) for row in rows]

    def get(self, username: str) -> User | None:
        with self._connect() as db:
            row = db.execute("SELECT username, role, disabled FROM users WHERE username = ?",
                             (username,)).fetchone()
        if row is None or row["disabled"]:
            return None
        return User(row["username"], row["role"])

    # -- login with throttling ---------------------------------------------------------
    def locked(self, key: str) -> float:
        """Seconds until ``key`` (user + client address) may try again; 0 when it may."""
        since = time.time() - self.lock_s
        with self._connect() as db:
            db.execute("DELETE FROM login_failures WHERE at < ?", (since,))
            rows = db.execute("SELECT at FROM login_failures WHERE key = ? AND at >= ? "
                              "ORDER BY at", (key, since)).fetchall()
        if len(rows) < self.max_failures:
            return 0.0
        return max(0.0, rows[-self.max_failures]["at"] + self.lock_s - time.time())

    def authenticate(self, username: str, password: str, *, client: str = "") -> User | None:
        """The user when the password is right; records failures for throttling.

        Raises AccountError when too many recent failures lock this user from this client.
        """
        key = f"{username.strip().lower()}|{client}"
        wait = self.locked(key)
        if wait:
            raise AccountError(f"too many failed logins; try again in {int(wait) + 1} s")
        with self._connect() as db:
            row = db.execute("SELECT username, role, password_hash, disabled FROM users "
                             "WHERE username = ?", (username.strip(),)).fetchone()
        # Hash even for an unknown user, so timing does not tell which usernames exist.
        stored = row["password_hash"] if row else generate_password_hash("x" * 16)
        if check_password_hash(stored, password) and row and not row["disabled"]:
            with self._connect() as db:
                db.execute("DELETE FROM login_failures WHERE key = ?", (key,))
            return User(row["username"], row["role"])
        with self._connect() as db:
            db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, time.time()))
        return None

    # -- API tokens --------------------------------------------------------------------
    def create_token(self, username: str, name: str = "") -> tuple[str, str]:
        """Create a token for ``username``; returns ``(token_id, secret)`` — shown once."""
        if self.get(username) is None:
            raise AccountError(f"no user {username!r}")
        token_id = secrets.token_hex(6)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._connect() as db:
            db.execute("INSERT INTO tokens (id, token_hash, username, name, created_at) "
                       "VALUES (?, ?, ?, ?, ?)",
                       (token_id, _token_hash(secret), username, name[:100], time.time()))
        return token_id, secret

    def tokens(self, username: str | None = None) -> list[dict]:
        query = ("SELECT id, username, name, created_at, last_used_at, revoked_at "
                 "FROM tokens")
        params: tuple = ()
        if username is not None:
            query += " WHERE username = ?"
            params = (username,)
        with self._connect() as db:
            return [dict(row) for row in db.execute(query + " ORDER BY created_at", params)]

    def revoke_token(self, token_id: str, *, username: str | None = None) -> None:
        """Revoke a token; with ``username``, only one of that user's own tokens."""
        query = "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
        params: tuple = (time.time(), token_id)
        if username is not None:
            query += " AND username = ?"
            params += (username,)
        with self._connect() as db:
            if not db.execute(query, params).rowcount:
                raise AccountError(f"no active token {token_id!r}"
                                   + (f" of {username!r}" if username else ""))

    def user_for_token(self, secret: str) -> User | None:
        if not secret.startswith(TOKEN_PREFIX):
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT t.id, u.username, u.role, u.disabled FROM tokens t "
                "JOIN users u ON u.username = t.username "
                "WHERE t.token_hash = ? AND t.revoked_at IS NULL", (_token_hash(secret),)
            ).fetchone()
            if row is None or row["disabled"]:
                return None
            db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?",
                       (time.time(), row["id"]))
        return User(row["username"], row["role"], via_token=row["id"])
