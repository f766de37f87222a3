"""Synergraph service: the Flask app factory, settings, CLI and Neo4j provisioning."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from .settings import load_settings

__all__ = ["create_app"]


def _secret_key(settings: dict) -> str:
    if settings.get("SYNERGRAPH_SECRET_KEY"):
        return settings["SYNERGRAPH_SECRET_KEY"]
    path = Path(settings["SYNERGRAPH_HOME"]) / "secret-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``.env`` and the environment, then ``config``, parsed
    once into typed settings (:func:`service.settings.load_settings`).

    The Neo4j driver is created once per app, kept in ``app.extensions["synergraph"]`` and
    closed when the process exits; nothing connects at import time.
    """
    from web import pages_blueprint
    from web.admin_views import admin_blueprint
    from web.auth_views import auth_blueprint
    from web.console import console_blueprint
    from web.data_views import data_blueprint

    from .api import api_blueprint
    from .api.cypher import cypher_blueprint
    from .api.exports import exports_blueprint
    from .auth import init_auth
    from .db import make_store
    from .http import init_http
    from .state import AppState

    settings = load_settings({k: v for k, v in (config or {}).items() if k.isupper()},
                             dotenv=not (config or {}).get("TESTING"))
    app = Flask(__name__, static_folder=None)
    app.config.update(config or {})
    app.config.update(settings)  # typed values win over the raw text of a test mapping
    app.config["SECRET_KEY"] = _secret_key(settings)
    app.config.setdefault("JSON_SORT_KEYS", False)

    store = make_store(settings)
    state_settings = dict(settings)
    if (config or {}).get("TESTING") and "SYNERGRAPH_WARM" not in (config or {}):
        state_settings["SYNERGRAPH_WARM"] = False  # tests opt in to background warming
    if (config or {}).get("TESTING") and "SYNERGRAPH_JOB_PROCESSES" not in (config or {}):
        state_settings["SYNERGRAPH_JOB_PROCESSES"] = False  # tests patch code: threads
    app.extensions["synergraph"] = AppState(store, settings=state_settings)

    init_http(app)  # security headers, body limits, problem+json errors, 503 when Neo4j is down
    init_auth(app)
    for blueprint in (api_blueprint, cypher_blueprint, exports_blueprint, pages_blueprint,
                      console_blueprint, auth_blueprint, data_blueprint, admin_blueprint):
        app.register_blueprint(blueprint)

    import atexit

    atexit.register(store.close)
    return app
