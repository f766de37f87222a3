"""Issue 10 items 14, 16 and 17 against the real Neo4j: loads that fail up front instead of
inside the database, uploads that refuse ambiguous zips, CSV downloads without formulas,
and backups that restore the graph exactly."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import zipfile
from pathlib import Path

import pytest
from helpers import SMALL_BUNDLE, api_client, dump_graph, run_cli, small_bundle, write_files
from neo4j.exceptions import DatabaseError
from support import QUICK_JVM_ENV, cypher_rows, quick_stop_home

from loaders.bundle import read_bundle
from loaders.csvsafe import FORMULA_STARTS
from loaders.limits import MAX_INDEXED_BYTES
from service.exports import run_export

pytestmark = [pytest.mark.neo4j]

LONG_NAME = "N" * 9000
CORDIS_HEADER = "projectID;organisationID;name;activityType;country;role\n"


# -- 16: the limit is Neo4j's own ---------------------------------------------------------
def test_the_index_limit_is_the_real_one(store, tmp_path):
    fits = "é" * (MAX_INDEXED_BYTES // 2)  # exactly MAX_INDEXED_BYTES bytes
    folder = small_bundle(tmp_path / "b", actors_csv=f"id,name,kind\na1,{fits},sme\n",
                          memberships_csv=None, participations_csv=None)
    store.write(read_bundle(folder), kind="bundle")
    assert cypher_rows(store, "MATCH (a:Actor {id: 'a1'}) RETURN size(a.name) AS n") == [
        {"n": MAX_INDEXED_BYTES // 2}]
    # One byte more and Neo4j itself refuses the index key (what validation now prevents).
    with pytest.raises(DatabaseError, match="too large to index"):
        cypher_rows(store, "CREATE (:Actor {id: 'a2', name: $name})", name=fits + "a")
    assert cypher_rows(store, "MATCH (a:Actor) RETURN count(a) AS n") == [{"n": 1}]


def test_cli_refuses_a_9000_character_name_with_exit_2(store, neo4j_settings, tmp_path):
    before = dump_graph(store, bookkeeping=True)
    folder = small_bundle(tmp_path / "b", actors_csv=SMALL_BUNDLE["actors.csv"]
                          + f"a4,{LONG_NAME},sme,MA,,,,\n")
    result = run_cli(neo4j_settings, "load", "bundle", str(folder), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "actors.csv:5 column 'name': too long for the database index: 9,000 bytes" \
        in result.stderr
    assert LONG_NAME not in result.stderr
    cordis = write_files(tmp_path / "c", {"organization.csv": CORDIS_HEADER
                                          + f"1;100;{LONG_NAME};HES;FR;coordinator\n"})
    result = run_cli(neo4j_settings, "load", "cordis", str(cordis), "--json", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert [(p["file"], p["line"], p["column"]) for p in problems] == [
        ("organization.csv", 2, "name")]
    assert len(problems[0]["value"]) < 50
    assert dump_graph(store, bookkeeping=True) == before


# -- 16: the upload page -------------------------------------------------------------------
@pytest.fixture
def admin(make_app, sign_in):
    app = make_app()
    return sign_in(app, app.test_client(), "admin")


def _zip(members: dict[str, str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    buffer.seek(0)
    return buffer


def test_upload_page_reports_a_name_too_long_to_index(admin, store):
    before = dump_graph(store, bookkeeping=True)
    upload = _zip({"b/actors.csv": f"id,name,kind\na1,Alpha,sme\na2,{LONG_NAME},sme\n"})
    response = admin.post("/data/upload", data={"source": "bundle",
                                                 "files": (upload, "b.zip")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "1 problem: nothing was written" in html
    assert "too long for the database index" in html
    assert LONG_NAME not in html
    assert dump_graph(store, bookkeeping=True) == before


def test_upload_refuses_two_actors_files(admin, store, tmp_path):
    before = dump_graph(store, bookkeeping=True)
    upload = _zip({"b/actors.csv": "id,name,kind\na1,Alpha,sme\n",
                   "b/old/actors.csv": "id,name,kind\na1,Other,sme\n"})
    response = admin.post("/data/upload", data={"source": "bundle",
                                                 "files": (upload, "b.zip")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "a second actors.csv in the upload (the first is b.zip/b/actors.csv)" in html
    assert "b.zip/b/old/actors.csv" in html
    # A loose file and the same file inside a zip are refused the same way.
    response = admin.post("/data/upload", data={"source": "bundle", "files": [
        (_zip({"actors.csv": "id,name,kind\na1,Alpha,sme\n"}), "b.zip"),
        (io.BytesIO(b"id,name,kind\na1,Other,sme\n"), "actors.csv")]},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "a second actors.csv" in response.get_data(as_text=True)
    assert dump_graph(store, bookkeeping=True) == before


# -- 14: CSV downloads ---------------------------------------------------------------------
FORMULAS = {"a1": '=HYPERLINK("http://evil.example","click")', "a2": "@SUM(A1:A9)",
            "a3": "+1-1"}


@pytest.fixture
def formula_graph(store, tmp_path):
    """The small bundle with actors whose names are formulas."""
    actors = SMALL_BUNDLE["actors.csv"].splitlines()
    lines = [actors[0]] + [",".join([row.split(",")[0], _quote(FORMULAS[row.split(",")[0]]),
                                     *row.split(",")[2:]]) for row in actors[1:]]
    folder = small_bundle(tmp_path / "formulas", actors_csv="\n".join(lines) + "\n")
    dataset = read_bundle(folder)
    assert {a["id"]: a["name"] for a in dataset.actors} == FORMULAS
    store.write(dataset, kind="bundle")
    return store


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _assert_safe(rows: list[list[str]]):
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in FORMULA_STARTS or _is_number(cell), (cell, row)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_page_csv_download_neutralises_formulas(formula_graph, make_app, sign_in):
    app = make_app()
    client = sign_in(app, app.test_client(), "evaluator")
    response = client.get("/clusters/c1?format=csv&table=actors")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response.get_data(as_text=True))
    header = rows[0]
    names = {row[header.index("id")]: row[header.index("name")] for row in rows[1:]}
    assert names == {"a1": "'" + FORMULAS["a1"], "a2": "'" + FORMULAS["a2"]}
    _assert_safe(rows)


def test_console_csv_neutralises_formulas_and_keeps_numbers(formula_graph, make_app):
    client = api_client(make_app(), "researcher")
    response = client.post("/api/v1/cypher?format=csv", json={
        "query": "MATCH (a:Actor) RETURN a.name AS name, -3.5 AS n, '-2+3' AS `=x` "
                 "ORDER BY a.id"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = _rows(response.get_data(as_text=True))
    assert rows == [["name", "n", "'=x"]] + [["'" + FORMULAS[i], "-3.5", "'-2+3"]
                                            for i in ("a1", "a2", "a3")]


def test_metrics_csv_neutralises_formulas(formula_graph, neo4j_settings, tmp_path):
    out = tmp_path / "metrics.csv"
    result = run_cli(neo4j_settings, "metrics", "--format", "csv", "--null-runs", "0",
                     "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = _rows(out.read_text(encoding="utf-8"))
    header = rows[0]
    names = {row[header.index("id")]: row[header.index("name")] for row in rows[1:]}
    assert names == {key: "'" + value for key, value in FORMULAS.items()}
    _assert_safe(rows)


def test_bundle_export_is_safe_and_still_round_trips(formula_graph, tmp_path):
    first = tmp_path / "first"
    run_export(formula_graph, "bundle", first)
    rows = _rows((first / "actors.csv").read_text(encoding="utf-8"))
    _assert_safe(rows)
    assert sorted(row[1] for row in rows[1:]) == sorted("'" + v for v in FORMULAS.values())
    dataset = read_bundle(first)
    assert {a["id"]: a["name"] for a in dataset.actors} == FORMULAS
    formula_graph.delete_all()
    formula_graph.write(dataset, kind="bundle")
    second = tmp_path / "second"
    run_export(formula_graph, "bundle", second)
    for path in sorted(first.iterdir()):
        assert (second / path.name).read_bytes() == path.read_bytes(), path.name


# -- 17: backups ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_db_backup_refuses_a_server_it_does_not_manage(neo4j_settings, tmp_path):
    result = run_cli(neo4j_settings, "db", "backup", str(tmp_path / "x.dump"), cwd=tmp_path)
    assert result.returncode == 2
    assert "does not manage" in result.stderr
    assert "synergraph export --format bundle" in result.stderr
    assert not (tmp_path / "x.dump").exists()


def test_backup_change_restore_gives_the_same_graph(tmp_path):
    if os.environ.get("SYNERGRAPH_TEST_NEO4J_URI"):
        pytest.skip("the tests use an external server (SYNERGRAPH_TEST_NEO4J_URI)")
    import subprocess

    from helpers import SYNERGRAPH

    from service.db import make_store
    from service.settings import default_home, load_settings

    home = tmp_path / "home"
    (home / "neo4j").mkdir(parents=True)
    shared_lib = Path(os.environ.get("SYNERGRAPH_HOME") or default_home()) / "neo4j" / "lib"
    (home / "neo4j" / "lib").symlink_to(shared_lib)
    overrides = {"SYNERGRAPH_HOME": str(home), "NEO4J_BOLT_PORT": str(_free_port()),
                 "NEO4J_HTTP_PORT": str(_free_port()), "NEO4J_PASSWORD": "backup-test-pw",
                 "NEO4J_HEAP": "512m", "NEO4J_PAGECACHE": "64m"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SYNERGRAPH_"))}
    env.update(overrides)
    env.update(QUICK_JVM_ENV)  # tests/support.py: quicker starts and stops, same server
    quick_stop_home(home)

    def cli(*args):
        return subprocess.run([str(SYNERGRAPH), *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)

    settings = load_settings(overrides, dotenv=False)
    started = cli("neo4j", "start")
    assert started.returncode == 0, started.stdout + started.stderr
    store = make_store(settings)
    try:
        store.write(read_bundle(small_bundle(tmp_path / "bundle")), kind="bundle")
        before = dump_graph(store, bookkeeping=True)
        assert len(before["nodes"]) > 8 and len(before["relationships"]) > 8

        backup = tmp_path / "graph.dump"
        result = cli("db", "backup", str(backup))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Stopping Neo4j" in result.stdout and "Neo4j is running again" in result.stdout
        assert backup.stat().st_size > 0
        again = cli("db", "backup", str(backup))
        assert again.returncode == 2 and "exists already" in again.stderr

        cypher_rows(store, "MATCH (a:Actor {id: 'a1'}) SET a.name = 'Changed'")
        cypher_rows(store, "MATCH (a:Actor {id: 'a3'}) DETACH DELETE a")
        cypher_rows(store, "CREATE (:Actor {id: 'new', name: 'New'})")
        assert dump_graph(store, bookkeeping=True) != before

        not_a_dump = write_files(tmp_path / "junk", {"x.dump": "not a dump"}) / "x.dump"
        refused = cli("db", "restore", str(not_a_dump))
        assert refused.returncode == 2 and "not a Neo4j database dump" in refused.stderr
        assert "Stopping" not in refused.stdout

        result = cli("db", "restore", str(backup))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Stopping Neo4j" in result.stdout and "Neo4j is running again" in result.stdout
        store.driver.close()
        store = make_store(settings)
        assert dump_graph(store, bookkeeping=True) == before
        assert store.counts()["nodes"]["Actor"] == 3
    finally:
        store.driver.close()
        stopped = cli("neo4j", "stop")
        assert stopped.returncode == 0, stopped.stderr
