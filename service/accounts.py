"""Accounts, roles and API tokens, kept in a SQLite file beside the provisioned server.

Why not in Neo4j: researchers get a read-only Cypher console on the whole database, and
Neo4j Community Edition has neither fine-grained read privileges (a label cannot be hidden
from a reader) nor a second user database. Password hashes and token hashes stored as nodes
would be one ``MATCH (u:User) RETURN u`` away. So they live in
``$SYNERGRAPH_HOME/accounts.sqlite3`` (mode 0600), which no query can reach.

Passwords are hashed with scrypt (Werkzeug's ``generate_password_hash``) and must pass the
policy of :mod:`service.passwords`; API tokens are random 256-bit secrets shown once and
stored as SHA-256 hashes, optionally with an expiry.

Browser sessions are rows of the ``sessions`` table (the cookie holds a random id, the table
its SHA-256 hash): signing out deletes the row, and a password change, a role change or the
removal of the user deletes every row of that user, so a copied cookie stops working at
once. Sign-in failures are counted per user name and client address in the same file; the
count is checked and raised in one ``BEGIN IMMEDIATE`` transaction *before* the password is
hashed, so concurrent attempts cannot check more passwords than the limit.
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

from .passwords import MIN_PASSWORD_LENGTH, password_problem  # noqa: F401 (re-exported)

__all__ = ["ROLES", "AccountStore", "AccountError", "User", "TOKEN_PREFIX"]

#: Roles, from the most to the least powerful.
ROLES = ("admin", "evaluator", "animator", "researcher")
TOKEN_PREFIX = "sgt_"
SESSION_LIFETIME_S = 12 * 3600
#: Token expiry, in days, accepted by :meth:`AccountStore.create_token`.
MAX_TOKEN_DAYS = 3650

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
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(username);
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


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise AccountError(problem)


class AccountStore:
    """Users, API tokens, browser sessions and login throttling in one SQLite file."""

    def __init__(self, path: Path | str, *, max_failures: int = 5, lock_s: float = 900.0,
                 session_lifetime_s: float = SESSION_LIFETIME_S):
        self.path = Path(path)
        self.max_failures = max_failures
        self.lock_s = lock_s
        self.session_lifetime_s = session_lifetime_s
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        with self._connect() as db:
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(tokens)")}
            if "expires_at" not in columns:  # files created before token expiry existed
                db.execute("ALTER TABLE tokens ADD COLUMN expires_at REAL")

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

    @contextmanager
    def _immediate(self):
        """A write transaction taken at once (``BEGIN IMMEDIATE``): read-then-write inside
        it cannot interleave with another process or thread doing the same."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
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
        _check_password(password, username)
        with self._connect() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise AccountError(f"user {username!r} already exists")
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
            db.execute("INSERT INTO users (username, password_hash, role, created_at) "
                       "VALUES (?, ?, ?, ?)",
                       (username, generate_password_hash(password), role, time.time()))
        return User(username, role)

    def set_password(self, username: str, password: str) -> None:
        """Change the password; every session of the user ends."""
        _check_password(password, username)
        with self._connect() as db:
            done = db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                              (generate_password_hash(password), username)).rowcount
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
        if not done:
            raise AccountError(f"no user {username!r}")

    def set_role(self, username: str, role: str) -> None:
        """Change the role; every session of the user ends (tokens take the new role)."""
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        with self._connect() as db:
            if not db.execute("UPDATE users SET role = ? WHERE username = ?",
                              (role, username)).rowcount:
                raise AccountError(f"no user {username!r}")
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def remove_user(self, username: str) -> None:
        """Remove the user with their tokens and sessions."""
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
            if not db.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount:
                raise AccountError(f"no user {username!r}")

    def users(self) -> list[dict]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT u.username, u.role, u.created_at, u.disabled, "
                "(SELECT count(*) FROM tokens t WHERE t.username = u.username "
                " AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)) "
                "AS tokens FROM users u ORDER BY u.username", (time.time(),)
            ).fetchall()
        return [dict(row) for row in rows]

    def get(self, username: str) -> User | None:
        with self._connect() as db:
            row = db.execute("SELECT username, role, disabled FROM users WHERE username = ?",
                             (username,)).fetchone()
        if row is None or row["disabled"]:
            return None
        return User(row["username"], row["role"])

    # -- browser sessions --------------------------------------------------------------
    def open_session(self, username: str) -> str:
        """A new session id for ``username`` (kept hashed; the caller puts it in the cookie)."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            db.execute("INSERT INTO sessions (id_hash, username, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?)",
                       (_token_hash(session_id), username, now,
                        now + self.session_lifetime_s))
        return session_id

    def session_user(self, session_id: str) -> User | None:
        """The user of a live session, or None (signed out, expired, ended by a change)."""
        if not session_id:
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT u.username, u.role, u.disabled FROM sessions s "
                "JOIN users u ON u.username = s.username "
                "WHERE s.id_hash = ? AND s.expires_at > ?",
                (_token_hash(session_id), time.time())).fetchone()
        if row is None or row["disabled"]:
            return None
        return User(row["username"], row["role"])

    def close_session(self, session_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_token_hash(session_id),))

    def session_count(self, username: str) -> int:
        with self._connect() as db:
            return db.execute("SELECT count(*) FROM sessions WHERE username = ? "
                              "AND expires_at > ?", (username, time.time())).fetchone()[0]

    # -- login with throttling ---------------------------------------------------------
    def locked(self, key: str) -> float:
        """Seconds until ``key`` (user + client address) may try again; 0 when it may."""
        since = time.time() - self.lock_s
        with self._connect() as db:
            rows = db.execute("SELECT at FROM login_failures WHERE key = ? AND at >= ? "
                              "ORDER BY at", (key, since)).fetchall()
        return self._wait(rows)

    def _wait(self, rows) -> float:
        if len(rows) < self.max_failures:
            return 0.0
        return max(0.0, rows[-self.max_failures]["at"] + self.lock_s - time.time())

    def _dummy(self) -> str:
        """A hash of a random password made like real ones (same scrypt cost), so an
        unknown user name costs one hash check, exactly as a known one does."""
        if self._dummy_hash is None:
            self._dummy_hash = generate_password_hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def authenticate(self, username: str, password: str, *, client: str = "") -> User | None:
        """The user when the password is right; records failures for throttling.

        Raises AccountError when too many recent failures lock this user from this client.
        The attempt is counted as a failure *before* the password is checked, in one
        ``BEGIN IMMEDIATE`` transaction with the check of the count, and the mark is removed
        only when the password is right: concurrent attempts never check more than
        ``max_failures`` passwords.
        """
        key = f"{username.strip().lower()}|{client}"
        now = time.time()
        with self._immediate() as db:
            db.execute("DELETE FROM login_failures WHERE at < ?", (now - self.lock_s,))
            rows = db.execute("SELECT at FROM login_failures WHERE key = ? AND at >= ? "
                              "ORDER BY at", (key, now - self.lock_s)).fetchall()
            wait = self._wait(rows)
            if not wait:
                mark = db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                                  (key, now)).lastrowid
        if wait:
            raise AccountError(f"too many failed logins; try again in {int(wait) + 1} s")
        with self._connect() as db:
            row = db.execute("SELECT username, role, password_hash, disabled FROM users "
                             "WHERE username = ?", (username.strip(),)).fetchone()
        # One hash check whether or not the user exists: timing tells nothing.
        stored = row["password_hash"] if row else self._dummy()
        if check_password_hash(stored, password) and row and not row["disabled"]:
            with self._connect() as db:
                db.execute("DELETE FROM login_failures WHERE key = ? AND rowid <= ?",
                           (key, mark))
            return User(row["username"], row["role"])
        return None

    # -- API tokens --------------------------------------------------------------------
    def create_token(self, username: str, name: str = "", *,
                     expires_days: float | None = None) -> tuple[str, str]:
        """Create a token for ``username``; returns ``(token_id, secret)`` — shown once.

        ``expires_days``: the token is refused that many days from now (None: never).
        """
        if self.get(username) is None:
            raise AccountError(f"no user {username!r}")
        expires_at = None
        if expires_days is not None:
            if not 0 < expires_days <= MAX_TOKEN_DAYS:
                raise AccountError("a token expires after more than 0 and at most "
                                   f"{MAX_TOKEN_DAYS} days")
            expires_at = time.time() + expires_days * 86400
        token_id = secrets.token_hex(6)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._connect() as db:
            db.execute("INSERT INTO tokens (id, token_hash, username, name, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (token_id, _token_hash(secret), username, name[:100], time.time(),
                        expires_at))
        return token_id, secret

    def tokens(self, username: str | None = None) -> list[dict]:
        query = ("SELECT id, username, name, created_at, last_used_at, revoked_at, "
                 "expires_at FROM tokens")
        params: tuple = ()
        if username is not None:
            query += " WHERE username = ?"
            params = (username,)
        now = time.time()
        with self._connect() as db:
            rows = [dict(row) for row in db.execute(query + " ORDER BY created_at", params)]
        for row in rows:
            row["state"] = ("revoked" if row["revoked_at"] else
                            "expired" if row["expires_at"] and row["expires_at"] <= now else
                            "active")
        return rows

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
        """The token's user, or None when the token is unknown, revoked or expired."""
        if not secret.startswith(TOKEN_PREFIX):
            return None
        now = time.time()
        with self._connect() as db:
            row = db.execute(
                "SELECT t.id, u.username, u.role, u.disabled FROM tokens t "
                "JOIN users u ON u.username = t.username "
                "WHERE t.token_hash = ? AND t.revoked_at IS NULL "
                "AND (t.expires_at IS NULL OR t.expires_at > ?)",
                (_token_hash(secret), now)).fetchone()
            if row is None or row["disabled"]:
                return None
            db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now, row["id"]))
        return User(row["username"], row["role"], via_token=row["id"])
