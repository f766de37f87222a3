"""The provisioned Neo4j server (service/neo4j_server.py): status, password file, loopback
binding, and data that survives a stop and a start."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path
from urllib.parse import urlparse

import pytest
from neo4j import GraphDatabase
from support import QUICK_JVM_ENV, quick_stop_home

from service.neo4j_server import LocalNeo4j
from service.settings import default_home

pytestmark = [pytest.mark.neo4j]


@pytest.fixture
def session_server(neo4j_settings) -> LocalNeo4j:
    """A LocalNeo4j handle on the session's server (never stopped here)."""
    if os.environ.get("SYNERGRAPH_TEST_NEO4J_URI"):
        pytest.skip("the tests use an external server (SYNERGRAPH_TEST_NEO4J_URI)")
    port = urlparse(neo4j_settings["NEO4J_URI"]).port
    return LocalNeo4j(neo4j_settings["SYNERGRAPH_HOME"], bolt_port=port,
                      password=neo4j_settings["NEO4J_PASSWORD"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening_sockets(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state owned by ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state != "0A" or inode not in inodes:  # 0A = LISTEN
                    continue
                address, port = local.split(":")
                found.append((_address(address), int(port, 16)))
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # /proc/net/tcp6 stores four host-order 32-bit words
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def _is_loopback(address: str) -> bool:
    return address in ("127.0.0.1", "::1", "::ffff:127.0.0.1")


def test_status_reports_running_and_answering(session_server):
    status = session_server.status()
    assert status.running is True
    assert status.answering is True, status.detail
    assert isinstance(status.pid, int) and status.pid > 0
    assert status.bolt_uri == session_server.bolt_uri
    assert "running" in str(status)


def test_server_listens_on_loopback_only(session_server):
    pid = session_server.status().pid
    sockets = _listening_sockets(pid)
    assert session_server.bolt_port in {port for _address, port in sockets}, sockets
    exposed = [(a, p) for a, p in sockets if not _is_loopback(a)]
    assert exposed == [], f"listening beyond 127.0.0.1: {exposed}"


def test_generated_password_file_is_private_and_stable(tmp_path):
    server = LocalNeo4j(tmp_path / "fresh-home")
    first = server.password()
    mode = stat.S_IMODE(os.stat(server.password_file).st_mode)
    assert mode == 0o600, oct(mode)
    assert len(first) >= 16
    assert server.password() == first
    assert LocalNeo4j(tmp_path / "fresh-home").password() == first


def test_given_password_wins_and_writes_no_file(tmp_path):
    server = LocalNeo4j(tmp_path / "home", password="given-secret")
    assert server.password() == "given-secret"
    assert not server.password_file.exists()


def test_status_of_a_stopped_server(tmp_path):
    status = LocalNeo4j(tmp_path / "nothing", bolt_port=_free_port()).status()
    assert status.running is False and status.answering is False and status.pid is None


def test_data_survives_stop_and_start(tmp_path, monkeypatch):
    if os.environ.get("SYNERGRAPH_TEST_NEO4J_URI"):
        pytest.skip("the tests use an external server (SYNERGRAPH_TEST_NEO4J_URI)")
    home = os.environ.get("SYNERGRAPH_HOME") or str(default_home())
    lib = Path(home) / "neo4j" / "lib"
    for name, value in QUICK_JVM_ENV.items():
        monkeypatch.setenv(name, value)
    server = LocalNeo4j(quick_stop_home(tmp_path / "second-home"), bolt_port=_free_port(),
                        http_port=_free_port(), heap="512m", pagecache="64m", lib_dir=lib)
    quiet = lambda *args: None  # noqa: E731
    try:
        server.start(echo=quiet)
        password = server.password()  # generated on first start
        assert stat.S_IMODE(os.stat(server.password_file).st_mode) == 0o600
        with GraphDatabase.driver(server.bolt_uri, auth=("neo4j", password)) as driver:
            driver.execute_query("CREATE (:Persisted {id: 'kept', value: 42})")
        assert server.stop() is True
        assert server.status().running is False
        assert not server.pid_file.exists()

        server.start(echo=quiet)
        assert server.status().answering is True
        with GraphDatabase.driver(server.bolt_uri, auth=("neo4j", password)) as driver:
            records, _, _ = driver.execute_query(
                "MATCH (n:Persisted {id: 'kept'}) RETURN n.value AS value")
        assert [r["value"] for r in records] == [42]
    finally:
        server.stop()
    assert server.status().running is False


def test_server_collects_with_g1(session_server, neo4j_settings):
    """The JVM runs the collector docs/configuration.md kept (its beans say so, not only its
    command line): G1 names its beans G1 Young Generation and G1 Old Generation; HotSpot's
    parallel collector, tried and left out, PS Scavenge and PS MarkSweep."""
    with GraphDatabase.driver(session_server.bolt_uri,
                              auth=("neo4j", neo4j_settings["NEO4J_PASSWORD"])) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.queryJmx($pattern) YIELD name RETURN name",
            pattern="java.lang:type=GarbageCollector,*")
    # an object name is "domain:key=value,key=value" in any key order
    names = sorted(dict(part.split("=", 1) for part in r["name"].split(":", 1)[1].split(","))
                   ["name"] for r in records)
    assert "G1 Young Generation" in names and "G1 Old Generation" in names, names
    assert not any(name.startswith("PS ") for name in names), names
