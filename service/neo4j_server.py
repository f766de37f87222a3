"""Provisioning of a local Neo4j Community server from Maven Central.

Layout under ``home`` (``$SYNERGRAPH_HOME``, default ``.synergraph/`` in the checkout)::

    neo4j/lib/            the server's jars (Maven copies them from Maven Central)
    neo4j/conf/           an empty neo4j.conf (every setting is passed with -c)
    neo4j/data/           databases and the auth store (persists across stop/start)
    neo4j/logs/           console.log (stdout+stderr of the JVM), neo4j's own logs
    neo4j/run/neo4j.pid   pid of the running server
    neo4j-password        generated password (mode 0600), when NEO4J_PASSWORD is unset

The server listens on 127.0.0.1 only, auth on. Nothing here runs when ``NEO4J_URI`` is set.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import string
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

__all__ = ["LocalNeo4j", "Neo4jError", "BadBackupFile", "NEO4J_VERSION"]

NEO4J_VERSION = "5.26.30"
POM = Path(__file__).resolve().parent / "provision" / "pom.xml"

#: JVM flags from the ``server.jvm.additional`` lines of Neo4j 5's default neo4j.conf
#: that matter when the server is started without its shell scripts, and our own
#: compiler settings (the last three).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    # Shallower inlining than HotSpot's defaults (15, 2500, 325): a fresh server spends
    # about half as much CPU compiling (C2: 13.8-20.2 s -> 9.9-11.4 s during the first
    # whole-H2020 load, four paired runs: CPU that the load needs on two cores).
    # bench/bench_scale.py's load row runs on a fresh server; docs/configuration.md has
    # the numbers.
    "-XX:MaxInlineLevel=6",
    "-XX:InlineSmallCode=1000",
    "-XX:FreqInlineSize=100",
)


class Neo4jError(RuntimeError):
    """Provisioning, start or stop failed; the message says what to do."""


class BadBackupFile(Neo4jError):
    """A backup target that exists already, or a restore source that is not a dump."""


@dataclass
class Status:
    running: bool
    pid: int | None
    bolt_uri: str
    http_url: str
    answering: bool
    detail: str

    def __str__(self) -> str:
        state = "running" if self.running else "stopped"
        lines = [f"Neo4j {NEO4J_VERSION}: {state}" + (f" (pid {self.pid})" if self.pid else "")]
        lines.append(f"  bolt: {self.bolt_uri}  http: {self.http_url}")
        lines.append(f"  {self.detail}")
        return "\n".join(lines)


class LocalNeo4j:
    """A Neo4j server installed and run from a project-local folder."""

    def __init__(
        self,
        home: Path | str,
        *,
        bolt_port: int = 7687,
        http_port: int = 7474,
        password: str | None = None,
        user: str = "neo4j",
        heap: str = "1g",
        pagecache: str = "512m",
        lib_dir: Path | str | None = None,
        start_timeout_s: float = 120.0,
    ):
        self.home = Path(home).resolve()
        self.root = self.home / "neo4j"
        self.lib_dir = Path(lib_dir).resolve() if lib_dir else self.root / "lib"
        self.bolt_port = int(bolt_port)
        self.http_port = int(http_port)
        self.user = user
        self._password = password
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout_s = float(start_timeout_s)
        self._process: subprocess.Popen | None = None

    @classmethod
    def from_settings(cls, settings: dict) -> LocalNeo4j:
        return cls(
            settings["SYNERGRAPH_HOME"],
            bolt_port=settings["NEO4J_BOLT_PORT"],
            http_port=settings["NEO4J_HTTP_PORT"],
            password=settings["NEO4J_PASSWORD"],
            user=settings["NEO4J_USER"],
            heap=settings["NEO4J_HEAP"],
            pagecache=settings["NEO4J_PAGECACHE"],
            start_timeout_s=settings["NEO4J_START_TIMEOUT"],
        )

    # -- paths ---------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.root / "run" / "neo4j.pid"

    @property
    def console_log(self) -> Path:
        return self.root / "logs" / "console.log"

    @property
    def password_file(self) -> Path:
        return self.home / "neo4j-password"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    # -- install -------------------------------------------------------------------------
    def installed(self) -> bool:
        return any(self.lib_dir.glob(f"neo4j-{NEO4J_VERSION}.jar"))

    def install(self, *, quiet: bool = True) -> None:
        """Copy Neo4j's jars from Maven Central into ``lib`` (no-op when present)."""
        if self.installed():
            return
        mvn = shutil.which("mvn")
        if not mvn:
            raise Neo4jError("Maven ('mvn') is not on the PATH; it fetches Neo4j from Maven "
                             "Central. Install Maven (e.g. apt-get install maven).")
        if not shutil.which("java"):
            raise Neo4jError("Java 17 ('java') is not on the PATH; Neo4j 5 needs it.")
        self.lib_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = self.lib_dir.with_name(self.lib_dir.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [mvn, "-B", "-f", str(POM), "package", f"-Dlib.dir={staging}",
               f"-Dneo4j.version={NEO4J_VERSION}"]
        if quiet:
            cmd.insert(1, "-q")
        result = subprocess.run(cmd, capture_output=quiet, text=True)
        if result.returncode != 0:
            tail = (result.stdout or "")[-2000:] + (result.stderr or "")[-2000:]
            raise Neo4jError(f"Maven could not fetch Neo4j {NEO4J_VERSION}:\n{tail}")
        shutil.rmtree(self.lib_dir, ignore_errors=True)
        staging.rename(self.lib_dir)

    # -- password ------------------------------------------------------------------------
    def password(self) -> str:
        """NEO4J_PASSWORD when given, else the generated one kept in the home folder."""
        if self._password:
            return self._password
        if self.password_file.exists():
            return self.password_file.read_text(encoding="utf-8").strip()
        self.home.mkdir(parents=True, exist_ok=True)
        alphabet = string.ascii_letters + string.digits
        generated = "".join(secrets.choice(alphabet) for _ in range(32))
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(generated + "\n")
        return generated

    # -- process -------------------------------------------------------------------------
    def _java_env(self) -> dict:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.root)
        env["NEO4J_CONF"] = str(self.root / "conf")
        return env

    def _config(self) -> list[str]:
        settings = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            "server.memory.pagecache.size": self.pagecache,
            "server.directories.data": str(self.root / "data"),
            "server.directories.logs": str(self.root / "logs"),
            "server.directories.run": str(self.root / "run"),
            "server.directories.import": str(self.root / "import"),
            "server.directories.plugins": str(self.root / "plugins"),
            "server.directories.lib": str(self.lib_dir),
            "db.tx_log.rotation.retention_policy": "2 days 1G",
            "dbms.security.procedures.unrestricted": "",
        }
        args = []
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return args

    def _prepare_dirs(self) -> None:
        for sub in ("conf", "data", "logs", "run", "import", "plugins"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        conf = self.root / "conf" / "neo4j.conf"
        if not conf.exists():
            conf.write_text("# Settings are passed on the command line by synergraph.\n")

    def _set_initial_password(self) -> None:
        if (self.root / "data" / "dbms" / "auth.ini").exists():
            return
        if any((self.root / "data" / "databases").glob("*")):
            return  # already started once: the password is set
        # "--" ends the options: a password may start with "-".
        cmd = ["java", "-cp", f"{self.lib_dir}/*", "org.neo4j.cli.AdminTool", "dbms",
               "set-initial-password", "--", self.password()]
        result = subprocess.run(cmd, env=self._java_env(), capture_output=True, text=True,
                                cwd=self.root)
        if result.returncode != 0:
            raise Neo4jError("could not set the initial password: "
                             + (result.stderr or result.stdout)[-1500:])

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        # A reused pid would not be our java: check its command line where possible.
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"CommunityEntryPoint" not in cmdline.read_bytes():
            return None
        return pid

    def _ping(self, timeout_s: float = 3.0) -> tuple[bool, str]:
        driver = GraphDatabase.driver(self.bolt_uri, auth=(self.user, self.password()),
                                      connection_timeout=timeout_s)
        try:
            driver.verify_connectivity()
            return True, "Bolt answers"
        except AuthError:
            return False, ("Bolt answers but refuses the password: NEO4J_PASSWORD differs from "
                           f"the one set at first start (see {self.password_file})")
        except (ServiceUnavailable, OSError) as exc:
            return False, f"Bolt does not answer yet ({type(exc).__name__})"
        finally:
            driver.close()

    def start(self, *, echo=print) -> Status:
        """Install when needed, start in the background and wait until Bolt answers."""
        running = self.pid()
        if running:
            ok, detail = self._ping()
            if ok:
                return self.status()
            raise Neo4jError(f"a server is running (pid {running}) but {detail}")
        self.install()
        self._prepare_dirs()
        self._set_initial_password()
        log = open(self.console_log, "ab")  # noqa: SIM115 - handed to the child
        cmd = [
            "java", f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS,
            "-cp", f"{self.lib_dir}/*",
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.root}", f"--config-dir={self.root / 'conf'}", "--console-mode",
            *self._config(),
        ]
        echo(f"Starting Neo4j {NEO4J_VERSION} on {self.bolt_uri} (logs: {self.console_log})")
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=self._java_env(),
                                   cwd=self.root, start_new_session=True)
        log.close()
        # Keep the handle: the server outlives this call, and stop() reaps it.
        self._process = process
        self.pid_file.write_text(f"{process.pid}\n")
        deadline = time.monotonic() + self.start_timeout_s
        detail = ""
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise Neo4jError(f"Neo4j exited with code {process.returncode} during start; "
                                 f"last lines of {self.console_log}:\n{self._log_tail()}")
            ok, detail = self._ping(timeout_s=2.0)
            if ok:
                return self.status()
            if "refuses the password" in detail:
                break
            time.sleep(0.5)
        self.stop()
        raise Neo4jError(f"Neo4j did not answer on {self.bolt_uri} within "
                         f"{self.start_timeout_s:.0f} s: {detail}\n{self._log_tail()}")

    def _log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.console_log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self, *, timeout_s: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after ``timeout_s``)."""
        pid = self.pid()
        if not pid:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        process = getattr(self, "_process", None)
        if process is not None and process.pid == pid:
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            self._process = None
            self.pid_file.unlink(missing_ok=True)
            return True
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            _reap(pid)
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> Status:
        pid = self.pid()
        if not pid:
            installed = "installed" if self.installed() else "not installed yet"
            return Status(False, None, self.bolt_uri, self.http_url, False,
                          f"{installed} in {self.root}")
        ok, detail = self._ping()
        return Status(True, pid, self.bolt_uri, self.http_url, ok, detail)


    # -- backups -------------------------------------------------------------------------
    def _admin(self, *args: str) -> subprocess.CompletedProcess:
        """Run ``neo4j-admin`` (org.neo4j.cli.AdminTool) from the installed jars."""
        self._prepare_dirs()
        cmd = ["java", "-cp", f"{self.lib_dir}/*", "org.neo4j.cli.AdminTool", *args]
        return subprocess.run(cmd, env=self._java_env(), capture_output=True, text=True,
                              cwd=self.root)

    @contextmanager
    def _stopped(self, what: str, *, echo=print) -> Iterator[None]:
        """Stop the server for ``what`` and start it again afterwards, saying so."""
        pid = self.pid()
        if pid:
            echo(f"Stopping Neo4j (pid {pid}) for the {what}; it restarts afterwards.")
            self.stop()
        try:
            yield
        finally:
            if pid:
                echo("Restarting Neo4j...")
                self.start(echo=echo)
                echo("Neo4j is running again.")

    def backup(self, database: str, target: Path | str, *, echo=print) -> Path:
        """Dump ``database`` into the file ``target`` (``neo4j-admin database dump``).

        The server is stopped during the dump (Neo4j Community cannot dump a database in
        use) and started again afterwards when it was running. ``target`` must not exist.
        """
        target = Path(target).resolve()
        if target.exists():
            raise BadBackupFile(f"{target} exists already: choose a new file name (a backup "
                                "never overwrites a file)")
        if not target.parent.is_dir():
            raise BadBackupFile(f"folder {target.parent} does not exist")
        if not self.installed():
            raise Neo4jError(f"Neo4j is not installed in {self.root}: nothing to back up")
        # Dump into a fresh folder beside the target, then move the file into place.
        with tempfile.TemporaryDirectory(prefix=".synergraph-dump-", dir=target.parent) as tmp:
            with self._stopped("backup", echo=echo):
                echo(f"Dumping database {database!r}...")
                result = self._admin("database", "dump", f"--to-path={tmp}", database)
            dumped = Path(tmp) / f"{database}.dump"
            if result.returncode != 0 or not dumped.is_file():
                raise Neo4jError(f"neo4j-admin database dump failed:\n"
                                 f"{(result.stderr or result.stdout)[-1500:]}")
            os.replace(dumped, target)
        return target

    def restore(self, database: str, source: Path | str, *, echo=print) -> None:
        """Replace ``database`` by the dump in ``source`` (``neo4j-admin database load``).

        The file is checked (``load --info``) before the server is touched; the server is
        then stopped, the database overwritten, and the server started again when it was
        running.
        """
        source = Path(source).resolve()
        if not source.is_file():
            raise BadBackupFile(f"{source} is not a file")
        if not self.installed():
            raise Neo4jError(f"Neo4j is not installed in {self.root}")
        with tempfile.TemporaryDirectory(prefix="synergraph-restore-") as tmp:
            # neo4j-admin reads <database>.dump from a folder.
            (Path(tmp) / f"{database}.dump").symlink_to(source)
            info = self._admin("database", "load", "--info", f"--from-path={tmp}", database)
            if info.returncode != 0:
                raise BadBackupFile(f"{source} is not a Neo4j database dump: "
                                    f"{(info.stderr or info.stdout).strip()[-500:]}")
            with self._stopped("restore", echo=echo):
                echo(f"Loading {source.name} into database {database!r}...")
                result = self._admin("database", "load", f"--from-path={tmp}",
                                     "--overwrite-destination=true", database)
            if result.returncode != 0:
                raise Neo4jError(f"neo4j-admin database load failed:\n"
                                 f"{(result.stderr or result.stdout)[-1500:]}")


def _reap(pid: int) -> None:
    """Collect a child that already exited so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
