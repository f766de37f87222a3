"""Accounts, API tokens and ``synergraph serve``."""

from __future__ import annotations

import sys
from pathlib import Path

from ._common import _echo, _err


# -- accounts -------------------------------------------------------------------------
def _account_store(settings):
    from ..accounts import AccountStore

    return AccountStore(Path(settings["SYNERGRAPH_HOME"]) / "accounts.sqlite3")


def _read_password() -> str:
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user(args, settings) -> int:
    from ..accounts import AccountError

    accounts = _account_store(settings)
    try:
        if args.action == "add":
            if not args.username or not args.role:
                _err("usage: synergraph user add USERNAME --role ROLE "
                     "(password from standard input or a prompt)")
                return 2
            user = accounts.add_user(args.username, _read_password(), args.role)
            _echo(f"User {user.username!r} added with role {user.role}.")
        elif args.action == "password":
            accounts.set_password(args.username, _read_password())
            _echo(f"Password of {args.username!r} changed.")
        elif args.action == "role":
            accounts.set_role(args.username, args.role)
            _echo(f"{args.username!r} is now {args.role}.")
        elif args.action == "remove":
            accounts.remove_user(args.username)
            _echo(f"User {args.username!r} removed (and their tokens).")
        else:
            users = accounts.users()
            if not users:
                _echo("No user yet: synergraph user add NAME --role admin")
            for u in users:
                _echo(f"{u['username']:<24} {u['role']:<11} {u['tokens']} active token(s)")
    except (AccountError, ValueError) as exc:
        _err(f"error: {exc}")
        return 2
    return 0


def cmd_token(args, settings) -> int:
    from ..accounts import AccountError

    accounts = _account_store(settings)
    try:
        if args.action == "create":
            token_id, secret = accounts.create_token(args.target, args.name or "",
                                                     expires_days=args.expires_days)
            until = f", expires in {args.expires_days:g} days" if args.expires_days else ""
            _err(f"Token {token_id} for {args.target!r}{until} (shown once; keep it secret):")
            _echo(secret)
        elif args.action == "revoke":
            accounts.revoke_token(args.target)
            _echo(f"Token {args.target} revoked.")
        else:
            for t in accounts.tokens(args.target):
                _echo(f"{t['id']}  {t['username']:<20} {t['state']:<8} {t['name']}")
    except AccountError as exc:
        _err(f"error: {exc}")
        return 2
    return 0


# -- serve ----------------------------------------------------------------------------
def cmd_serve(args, settings) -> int:
    from .. import create_app
    from ..db import ensure_local_server

    ensure_local_server(settings, echo=_echo)
    if args.public_read:
        settings = {**settings, "SYNERGRAPH_PUBLIC_READ": "1"}
    app = create_app(settings)
    host = args.host or settings["SYNERGRAPH_HOST"]
    port = args.port or settings["SYNERGRAPH_PORT"]
    _echo(f"Synergraph on http://{host}:{port}/ (Ctrl+C to stop)")
    from waitress import serve

    from ..api.cypher import serve_threads

    # waitress buffers a request body before the app sees it: refuse bodies above the upload
    # limit there already (the app applies the smaller per-route limits).
    serve(app, host=host, port=port, threads=serve_threads(settings), ident="synergraph",
          max_request_body_size=settings["SYNERGRAPH_MAX_UPLOAD_BYTES"])
    return 0
