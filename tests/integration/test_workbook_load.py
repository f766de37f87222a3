"""Excel workbooks loaded into the real Neo4j: the demo workbook loads to exactly what the
CSV bundle loads (same export, file for file), a bad or hostile workbook writes nothing, on
the command line and on the data page."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from helpers import fingerprint, run_cli
from openpyxl import Workbook, load_workbook

from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle, write_demo_workbook
from service.exports import run_export

pytestmark = [pytest.mark.neo4j]


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("workbook-demo")
    write_demo_bundle(root / "demo")
    write_demo_workbook(root / "demo.xlsx")
    return root / "demo", root / "demo.xlsx"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _bad_workbook(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "actors"
    ws.append(["id", "name", "kind"])
    ws.append(["a1", "Alpha", "sme"])
    ws.append(["a2", "Beta", "spaceship"])
    book.save(path)
    return path


def test_demo_workbook_loads_like_the_csv_bundle(store, demo_files, tmp_path):
    folder, workbook = demo_files
    store.write(read_bundle(workbook), kind="bundle", synthetic=True)
    run_export(store, "bundle", tmp_path / "from-xlsx")
    store.delete_all()
    store.write(read_bundle(folder), kind="bundle", synthetic=True)
    run_export(store, "bundle", tmp_path / "from-csv")
    from_xlsx, from_csv = _files(tmp_path / "from-xlsx"), _files(tmp_path / "from-csv")
    assert from_xlsx == from_csv  # every CSV file and bundle.json (source, attribution)
    assert len(from_csv) == 13
    # and the export of the CSV bundle is the demo bundle itself (tests/integration/
    # test_exports.py), so the workbook's data is the demo's, row for row
    for name, content in _files(folder).items():
        if name.endswith(".csv"):
            assert from_xlsx[name] == content, name
    assert json.loads(from_xlsx["bundle.json"])["synthetic"] is True


def test_cli_demo_workbook_and_load(store, neo4j_settings, tmp_path):
    out = tmp_path / "mine.xlsx"
    written = run_cli(neo4j_settings, "demo", "--out", str(out), "--no-load", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert out.is_file() and store.counts()["nodes"].get("Actor", 0) == 0
    assert load_workbook(out, read_only=True).sheetnames[0] == "README"
    loaded = run_cli(neo4j_settings, "load", "bundle", str(out), "--json", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads(loaded.stdout)
    assert report["nodes"]["Actor"]["created"] == store.counts()["nodes"]["Actor"] > 300
    again = run_cli(neo4j_settings, "load", "bundle", str(out), "--json", cwd=tmp_path)
    assert set(json.loads(again.stdout)["nodes"]["Actor"]) == {"unchanged"}


def test_cli_bad_workbook_writes_nothing(store, neo4j_settings, tmp_path):
    write_demo_bundle(tmp_path / "demo")
    store.write(read_bundle(tmp_path / "demo"), kind="demo", synthetic=True)
    before = fingerprint(store)
    path = _bad_workbook(tmp_path / "bad.xlsx")
    result = run_cli(neo4j_settings, "load", "bundle", str(path), "--json", cwd=tmp_path)
    assert result.returncode == 2
    problems = json.loads(result.stdout)["problems"]
    assert problems == [{"file": "bad.xlsx, sheet actors", "line": 3, "column": "kind",
                         "value": "spaceship", "reason": problems[0]["reason"]}]
    assert "not one of" in problems[0]["reason"]
    assert "bad.xlsx, sheet actors, row 3, column 'kind'" in result.stderr
    # a hostile one: a zip that is no workbook
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>')
    result = run_cli(neo4j_settings, "load", "bundle", str(hostile), cwd=tmp_path)
    assert result.returncode == 2
    assert "document type declaration" in result.stderr
    assert fingerprint(store) == before


# -- the data page ------------------------------------------------------------------------
@pytest.fixture
def app(store, make_app):
    return make_app()


def _upload(client, content: bytes, name: str):
    return client.post("/data/upload", data={"source": "bundle",
                                             "files": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_admin_uploads_a_workbook(app, store, sign_in, demo_files):
    _, workbook = demo_files
    client = sign_in(app, app.test_client(), "admin")
    response = _upload(client, workbook.read_bytes(), "our-ecosystem.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    actors = len(read_bundle(workbook).actors)
    assert store.counts()["nodes"]["Actor"] == actors
    assert f'<th scope="row">Actor</th><td class="num">{actors}</td>' in html
    assert "demo-morocco-2011" in client.get("/data").get_data(as_text=True)


def test_a_bad_or_hostile_workbook_upload_writes_nothing(app, store, sign_in, tmp_path,
                                                         demo_files):
    client = sign_in(app, app.test_client(), "admin")
    before = fingerprint(store)
    bad = _bad_workbook(tmp_path / "bad.xlsx").read_bytes()
    response = _upload(client, bad, "members.xlsx")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "1 problem: nothing was written" in html
    assert "members.xlsx, sheet actors" in html and "spaceship" in html
    assert '<td class="num">3</td><td>kind</td>' in html

    response = _upload(client, b"PK\x03\x04 not really a zip", "members.xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.get_data(as_text=True)

    # a workbook comes alone: it is the whole bundle
    _, workbook = demo_files
    response = client.post("/data/upload", data={"source": "bundle", "files": [
        (io.BytesIO(workbook.read_bytes()), "demo.xlsx"),
        (io.BytesIO(b"id,name,kind\na9,X,sme\n"), "actors.csv")]},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "send a workbook alone" in response.get_data(as_text=True)
    # and only as a bundle
    response = client.post("/data/upload", data={
        "source": "cordis", "files": (io.BytesIO(workbook.read_bytes()), "demo.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert fingerprint(store) == before


def test_template_and_demo_workbooks_are_served(app, sign_in):
    client = sign_in(app, app.test_client(), "evaluator")
    page = client.get("/data").get_data(as_text=True)
    assert 'id="template-link"' in page and "/data/bundle-template.xlsx" in page
    response = client.get("/data/bundle-template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames[:3] == ["README", "bundle", "regions"]
    assert next(book["actors"].iter_rows(values_only=True))[:3] == ("id", "name", "kind")
    book.close()
    demo = client.get("/data/demo-bundle.xlsx")
    assert demo.status_code == 200
    book = load_workbook(io.BytesIO(demo.data), read_only=True)
    assert sum(1 for _ in book["actors"].iter_rows(min_row=2)) > 300
    book.close()
    # anonymous visitors of a private instance get nothing
    anonymous = app.test_client().get("/data/bundle-template.xlsx")
    assert anonymous.status_code in (302, 401)
