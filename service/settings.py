"""Every setting Synergraph reads, with its default and help text.

Settings come, in increasing priority, from the defaults below, an optional ``.env`` file
in the working directory, the process environment, and (for ``create_app``) a test mapping.
``docs/configuration.md`` and ``.env.example`` list the same table; a test keeps them in step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

__all__ = ["Setting", "SETTINGS", "SettingError", "Settings", "load_settings", "project_root",
           "default_home", "settings_doc"]


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default (as text, like the environment), help text and kind
    (``text``, ``int``, ``float`` or ``bool``), which says how its text is parsed."""

    name: str
    default: str | None
    help: str
    kind: str = "text"

    def parse(self, raw: str | None):
        """The typed value of ``raw`` (a :class:`SettingError` names the setting).

        >>> Setting("P", "5000", "a port", kind="int").parse("8080")
        8080
        >>> Setting("B", "0", "a switch", kind="bool").parse("yes")
        True
        >>> Setting("P", "5000", "a port", kind="int").parse("eighty")
        Traceback (most recent call last):
        ...
        service.settings.SettingError: P must be a whole number, got 'eighty'
        """
        if raw is None or (isinstance(raw, str) and raw.strip() == "" and self.kind != "text"):
            raw = self.default
        if raw is None:
            return None
        if not isinstance(raw, str):  # already typed (a test mapping, a copy of settings)
            return raw
        text = raw.strip()
        if self.kind == "int":
            try:
                return int(text)
            except ValueError:
                raise SettingError(f"{self.name} must be a whole number, got {raw!r}") from None
        if self.kind == "float":
            try:
                return float(text)
            except ValueError:
                raise SettingError(f"{self.name} must be a number, got {raw!r}") from None
        if self.kind == "bool":
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise SettingError(f"{self.name} must be 1 or 0 (true or false), got {raw!r}")
        return raw


class SettingError(ValueError):
    """A setting's value cannot be read as its kind."""


class Settings(Mapping):
    """Every setting, parsed once: a frozen, typed mapping (``settings["NEO4J_URI"]``),
    also readable as attributes in lower case (``settings.neo4j_uri``)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping):
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getitem__(self, name: str):
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str):
        try:
            return self._values[name.upper()]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        raise AttributeError("settings are read-only")

    def __repr__(self) -> str:
        hidden = {k: ("***" if k.endswith(("PASSWORD", "SECRET_KEY")) and v else v)
                  for k, v in self._values.items()}
        return f"Settings({hidden!r})"


def project_root() -> Path:
    """The checkout this code runs from (the folder holding ``pyproject.toml``)."""
    return Path(__file__).resolve().parent.parent


def default_home() -> Path:
    return project_root() / ".synergraph"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "NEO4J_URI",
        None,
        "Bolt or neo4j:// URI of an existing Neo4j server. When set, Synergraph uses it and "
        "provisions nothing; when unset, it uses the local server it provisions.",
    ),
    Setting("NEO4J_USER", "neo4j", "User name for the Neo4j server."),
    Setting(
        "NEO4J_PASSWORD",
        None,
        "Password for the Neo4j server. For the provisioned server: when unset, one is "
        "generated on first start and kept in $SYNERGRAPH_HOME/neo4j-password (mode 0600).",
    ),
    Setting("NEO4J_DATABASE", "neo4j", "Database name on the Neo4j server."),
    Setting(
        "SYNERGRAPH_HOME",
        None,
        "Folder for the provisioned Neo4j (jars, data, logs, pid file, password). "
        "Default: .synergraph/ in the checkout (git-ignored).",
    ),
    Setting("NEO4J_BOLT_PORT", "7687", "Bolt port of the provisioned server (127.0.0.1 only).",
            kind="int"),
    Setting("NEO4J_HTTP_PORT", "7474", "HTTP port of the provisioned server (127.0.0.1 only).",
            kind="int"),
    Setting(
        "NEO4J_HEAP",
        "3g",
        "Java heap size of the provisioned server (-Xms and -Xmx). A load is one transaction "
        "(70 % of the heap at most): the whole Horizon 2020 network (280,000 records) fails "
        "with 2g and loads with 3g.",
    ),
    Setting("NEO4J_PAGECACHE", "512m", "Page cache size of the provisioned server."),
    Setting(
        "NEO4J_START_TIMEOUT",
        "120",
        "Seconds to wait for the provisioned server to answer on Bolt after start.",
        kind="float",
    ),
    Setting(
        "NEO4J_CONNECT_TIMEOUT_S",
        "2",
        "Seconds to wait for a connection to Neo4j (to open one, or to get one from the "
        "pool). With NEO4J_RETRY_S it bounds how long a request waits when Neo4j is down "
        "before the service answers 503.",
        kind="float",
    ),
    Setting(
        "NEO4J_RETRY_S",
        "0.5",
        "Seconds during which the driver retries a transaction that failed for a transient "
        "reason (server unreachable, leader switch) before giving up (it waits about 1 s "
        "before a retry). The driver's own default, 30 s, kept requests waiting that long "
        "when Neo4j was down.",
        kind="float",
    ),
    Setting("SYNERGRAPH_HOST", "127.0.0.1", "Address `synergraph serve` listens on."),
    Setting("SYNERGRAPH_PORT", "5000", "Port `synergraph serve` listens on.", kind="int"),
    Setting(
        "SYNERGRAPH_SECRET_KEY",
        None,
        "Flask secret key for signed cookies. When unset, a random one is generated and kept "
        "in $SYNERGRAPH_HOME/secret-key (mode 0600).",
    ),
    Setting(
        "SYNERGRAPH_PUBLIC_READ",
        "0",
        "1: pages and read-only API endpoints are open to anonymous visitors (the Cypher "
        "console, uploads and administration stay behind sign-in). 0: everything needs "
        "sign-in.",
        kind="bool",
    ),
    Setting(
        "SYNERGRAPH_COOKIE_SECURE",
        "0",
        "1: session cookies carry the Secure flag (set it when serving over HTTPS).",
        kind="bool",
    ),
    Setting("SYNERGRAPH_LOGIN_MAX_FAILURES", "5",
            "Failed sign-ins of one user from one address before a lock-out.",
        kind="int",
    ),
    Setting("SYNERGRAPH_LOGIN_LOCK_S", "900",
            "Seconds a user is locked out after too many failed sign-ins.",
        kind="float",
    ),
    Setting("SYNERGRAPH_SESSION_HOURS", "12",
            "Hours a browser session lasts after sign-in. Signing out, a password change, a "
            "role change or the removal of the user end it earlier, server-side.",
        kind="float",
    ),
    Setting("SYNERGRAPH_MAX_BODY_BYTES", "65536",
            "Largest request body, in bytes, of every endpoint but uploads (JSON bodies, "
            "forms); larger ones get 413 before they are read. Anonymous requests always "
            "have this limit.",
        kind="int",
    ),
    Setting("SYNERGRAPH_MAX_UPLOAD_BYTES", "536870912",
            "Largest upload (the data page's bundle or CORDIS files), in bytes, for "
            "administrators; `synergraph serve` also refuses larger bodies before the "
            "application sees them.",
        kind="int",
    ),
    Setting("SYNERGRAPH_CYPHER_TIMEOUT_S", "10",
            "Transaction timeout of Cypher console queries, in seconds.",
        kind="float",
    ),
    Setting("SYNERGRAPH_CYPHER_ROW_LIMIT", "5000",
            "Rows a Cypher console query returns at most (the result says truncated).",
        kind="int",
    ),
    Setting("SYNERGRAPH_CYPHER_MAX_BYTES", "20000000",
            "Bytes of JSON a Cypher console result holds at most: reading stops before the "
            "row that would pass it (the result says truncated, reason bytes).",
        kind="int",
    ),
    Setting("SYNERGRAPH_CYPHER_MAX_CONCURRENT", "4",
            "Cypher console queries running at once in the whole service (more: 429 with "
            "Retry-After); `synergraph serve` runs this many threads more than the 8 it "
            "keeps for pages.",
        kind="int",
    ),
    Setting("SYNERGRAPH_CYPHER_MAX_PER_USER", "2",
            "Cypher console queries one user (or token) may run at once (more: 429).",
        kind="int",
    ),
    Setting(
        "SYNERGRAPH_BATCH_SIZE",
        "20000",
        "Rows per UNWIND statement when loading data.",
        kind="int",
    ),
    # -- background jobs and the results cache (docs/web.md, "Long analyses") --------
    Setting("SYNERGRAPH_JOB_WORKERS", "0",
            "Background jobs (long analyses) running at once in the service; 0: one per two "
            "cores (1 on a 2-core machine). While a warming job holds a worker, one more "
            "runs the jobs visitors wait for.",
        kind="int",
    ),
    Setting("SYNERGRAPH_JOB_PROCESSES", "1",
            "1: background jobs run in worker processes (one per worker, started on first "
            "use), so a long computation never slows the service's requests; 0: in threads "
            "of the service (tests run with 0 unless they set it).",
        kind="bool",
    ),
    Setting("SYNERGRAPH_JOB_HISTORY", "200",
            "Finished jobs the service remembers (GET /api/v1/jobs/<id>, the data page).",
        kind="int",
    ),
    Setting("SYNERGRAPH_JOBS_INLINE_MAX_ACTORS", "2000",
            "Groups of up to this many actors are computed within the request (200); "
            "a larger group's figures that are not cached yet run as a background job "
            "(202 with the job's URL; the pages show a progress block). 0: always a job.",
        kind="int",
    ),
    Setting("SYNERGRAPH_JOBS_PAGE_WAIT_S", "1",
            "Seconds a page waits for its figures' job before showing the progress block, "
            "counted from the start of the request.",
        kind="float",
    ),
    Setting("SYNERGRAPH_CACHE_DIR", None,
            "Folder of the results cached on disk, one subfolder per graph version (older "
            "ones pruned). Default: $SYNERGRAPH_HOME/cache."),
    Setting("SYNERGRAPH_CACHE_ENTRIES", "256",
            "Results the service keeps in memory at most.",
        kind="int",
    ),
    Setting("SYNERGRAPH_CACHE_MAX_BYTES", "1073741824",
            "Estimated bytes of results the service keeps in memory at most (the least "
            "recently used go first; they stay on disk).",
        kind="int",
    ),
    Setting("SYNERGRAPH_WARM", "1",
            "1: when the graph changes (a load by the CLI, the data page or the demo), the "
            "service computes the headline figures (the ecosystem, every cluster and "
            "country) in the background. Tests run with 0 unless they set it.",
        kind="bool",
    ),
    Setting("SYNERGRAPH_WARM_POLL_S", "30",
            "Seconds between two looks of the service at the graph's version, to notice a "
            "load made by another process (requests notice it too); 0: only requests.",
        kind="float",
    ),
    Setting(
        "SYNERGRAPH_TEST_NEO4J_URI",
        None,
        "Tests only: a Neo4j server the test suite may EMPTY and use. When unset, the test "
        "session provisions and starts its own server on free ports.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(overrides: Mapping | None = None, *, dotenv: bool = True) -> Settings:
    """Every setting, typed: defaults < ``.env`` < environment < ``overrides``.

    Raises :class:`SettingError` naming a setting whose value is not of its kind.
    """
    values: dict = {s.name: s.default for s in SETTINGS}
    if dotenv:
        env_file = Path.cwd() / ".env"
        if env_file.is_file():
            from dotenv import dotenv_values

            for key, value in dotenv_values(env_file).items():
                if key in _BY_NAME and value is not None:
                    values[key] = value
    for name in _BY_NAME:
        if os.environ.get(name):
            values[name] = os.environ[name]
    for key, value in (overrides or {}).items():
        values[key] = value
    if not values["SYNERGRAPH_HOME"]:
        values["SYNERGRAPH_HOME"] = str(default_home())
    typed = {name: (_BY_NAME[name].parse(value) if name in _BY_NAME else value)
             for name, value in values.items()}
    return Settings(typed)


def settings_doc() -> str:
    """The Markdown table of every setting (the body of docs/configuration.md)."""
    lines = ["| setting | kind | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default is not None else "(unset)"
        lines.append(f"| `{s.name}` | {s.kind} | {default} | {s.help} |")
    return "\n".join(lines) + "\n"
