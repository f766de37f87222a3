"""Excel workbooks read as bundles, without the database: cell types, problems naming the
sheet, row, column, value and reason, hostile files, and the written workbook."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from loaders.bundle import read_bundle
from loaders.bundle_format import FILES, META_KEYS
from loaders.demo import write_demo_bundle, write_demo_workbook
from loaders.errors import ValidationFailed
from loaders.workbook import (
    LIMITS,
    SHEET_OF_FILE,
    Limits,
    read_workbook,
    template_bytes,
)

ACTORS = ["id", "name", "kind", "country", "founded_year"]


def _book(path: Path, sheets: dict[str, list[list]], *, readme: bool = False) -> Path:
    book = Workbook()
    first = book.active
    if readme:
        first.title = "README"
        first.append(["anything at all", "=1+1"])
    else:
        book.remove(first)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def _problems(path: Path, **kwargs) -> list:
    with pytest.raises(ValidationFailed) as caught:
        read_workbook(path, **kwargs)
    return caught.value.problems


def test_cells_are_typed_as_the_csv_reader_types_text(tmp_path):
    path = _book(tmp_path / "eco.xlsx", {
        "actors": [ACTORS,
                   ["a1", "Alpha", "sme", "ma", 2006.0],  # a whole float is a year
                   [101, "Beta", "university", None, 1999],  # a number as an id
                   [None, None, None, None, None],  # an empty row is skipped
                   ["a3", "  Gamma ", "startup", "FR", None]],
        "projects": [["id", "title", "start_year", "budget"],
                     ["p1", "First", 2012, 1500000.0],
                     ["p2", "Second", 2013, 2.5]],
        "participations": [["actor_id", "project_id", "role", "synthetic"],
                           ["a1", "p1", "coordinator", True],
                           [101, "p1", "partner", "false"]],
        "bundle": [["key", "value"], ["source", "Agency survey"], ["synthetic", None]],
    }, readme=True)
    data = read_bundle(path)
    actors = {a["id"]: a for a in data.actors}
    assert actors["a1"]["founded_year"] == 2006 and actors["a1"]["country"] == "MA"
    assert actors["101"]["name"] == "Beta" and actors["101"]["country"] is None
    assert actors["a3"]["name"] == "Gamma"
    assert {p["id"]: p["budget"] for p in data.projects} == {"p1": 1500000.0, "p2": 2.5}
    roles = {(p["actor_id"], p["synthetic"]) for p in data.participations}
    assert roles == {("a1", True), ("101", False)}
    assert data.source == "Agency survey"
    assert data.load_id.startswith("eco-")  # the workbook's name, then a content hash


def test_a_bad_cell_names_sheet_row_column_value_and_reason(tmp_path):
    path = _book(tmp_path / "eco.xlsx", {
        "actors": [ACTORS, ["a1", "Alpha", "sme"], ["a2", "Beta", "spaceship"],
                   ["a3", "Gamma", "sme", None, dt.datetime(2012, 3, 1)],
                   ["a1", "Alpha again", "sme"]],
        "memberships": [["actor_id", "cluster_id"], ["a1", "nowhere"]],
    })
    problems = {(p.file, p.line, p.column): p for p in _problems(path)}
    kind = problems[("eco.xlsx, sheet actors", 3, "kind")]
    assert kind.value == "spaceship" and "not one of" in kind.reason
    year = problems[("eco.xlsx, sheet actors", 4, "founded_year")]
    assert year.value == "2012-03-01" and "not a year" in year.reason  # a date, in ISO
    ref = problems[("eco.xlsx, sheet memberships", 2, "cluster_id")]
    assert ref.value == "nowhere"
    assert "sheet clusters" in ref.reason
    duplicate = problems[("eco.xlsx, sheet actors", 5, "id")]
    assert duplicate.reason == "duplicate: the same id is on row 2"
    assert len(problems) == 4
    assert str(kind).startswith("eco.xlsx, sheet actors, row 3, column 'kind': not one of")


def test_form_problems_of_sheets(tmp_path):
    path = _book(tmp_path / "eco.xlsx", {
        "actors": [ACTORS, ["a1", "Alpha", "sme", None, None, "stray"]],
        "Notes": [["anything"]],
        "projects": [["id", "id", "title"], ["p1", "p1", "x"]],
        "clusters": [["id"]],  # an optional sheet with no rows counts as absent
        "bundle": [["key", "value"], ["licence", "CC BY"], ["synthetic", "maybe"]],
    })
    got = {(p.file.split(", ")[1], p.line, p.column, p.reason.split(" (")[0].split(":")[0])
           for p in _problems(path)}
    assert got == {
        ("sheet actors", 2, None, "a value in column F, which has no name in row 1"),
        ("sheet Notes", None, None, "unknown sheet"),
        ("sheet projects", 1, "id", "duplicate column in the header"),
        ("sheet bundle", 2, "key", "unknown key"),
        ("sheet bundle", None, "synthetic", "must be true or false"),
    }


def test_missing_or_empty_actors_sheet(tmp_path):
    missing = _problems(_book(tmp_path / "a.xlsx", {"projects": [["id", "title"], ["p", "t"]]}))
    assert [(p.file, p.reason) for p in missing] == [
        ("a.xlsx, sheet actors", "required sheet is missing")]
    empty = _problems(_book(tmp_path / "b.xlsx", {"actors": [ACTORS]}))
    assert [p.reason for p in empty] == ["empty sheet: no rows under the header"]
    no_header = _problems(_book(tmp_path / "c.xlsx", {"actors": [[], ["a1", "A", "sme"]]}))
    assert [(p.line, p.reason) for p in no_header] == [(1, "row 1 must hold the column names")]


def _rewrite(path: Path, change) -> Path:
    """Rewrite the parts of a workbook: ``change(name, data)`` returns the new bytes."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(name, change(name, data))
    return path


def test_formulas_count_as_their_computed_value_and_never_computed_is_a_problem(tmp_path):
    rows = [ACTORS, ["a1", '="Al"&"pha"', "sme", '=""'], ["a2", '="Be"&"ta"', "sme"]]
    path = _book(tmp_path / "f.xlsx", {"actors": rows})
    problems = _problems(path)
    assert [(p.line, p.column) for p in problems] == [(2, "name"), (2, "country"),
                                                       (3, "name")]
    assert "cell B2 holds a formula that was never computed" in problems[0].reason

    # What a spreadsheet application saves: the formula and its last computed value.
    def computed(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        for cell, value in ((b"B2", b"Alpha"), (b"B3", b"Beta"), (b"D2", b"")):
            start = data.index(b'<c r="' + cell + b'"')
            end = data.index(b"</c>", start) + 4
            formula = data[start:end].split(b"<f>")[1].split(b"</f>")[0]
            data = (data[:start] + b'<c r="' + cell + b'" t="str"><f>' + formula +
                    b"</f><v>" + value + b"</v></c>" + data[end:])
        return data

    _rewrite(path, computed)
    actors = read_workbook(path).actors
    assert sorted(a["name"] for a in actors) == ["Alpha", "Beta"]
    assert [a["country"] for a in actors] == [None, None]  # a computed empty text is empty


def test_error_values_are_problems(tmp_path):
    path = _book(tmp_path / "e.xlsx", {"actors": [ACTORS, ["a1", "Alpha", "sme", "MA"]]})

    def na(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        start = data.index(b'<c r="D2"')
        end = data.index(b"</c>", start) + 4
        return data[:start] + b'<c r="D2" t="e"><v>#N/A</v></c>' + data[end:]

    problems = _problems(_rewrite(path, na))
    assert [(p.line, p.column, p.value) for p in problems] == [(2, "country", "#N/A")]
    assert "error value" in problems[0].reason


# -- hostile files ------------------------------------------------------------------------
def test_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"id,name,kind\na1,A,sme\n")
    assert "not an Excel workbook" in _problems(path)[0].reason
    broken = tmp_path / "y.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "no workbook here")
    assert "not a readable Excel workbook" in _problems(broken)[0].reason


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = _book(tmp_path / "bomb.xlsx", {"actors": [ACTORS, ["a1", "A", "sme"]]})

    def inflate(name: str, data: bytes) -> bytes:
        return data + b" " * 3_000_000 if name == "xl/worksheets/sheet1.xml" else data

    _rewrite(path, inflate)
    assert path.stat().st_size < 100_000  # 3 MB of spaces compress to a few kB
    problems = _problems(path, limits=Limits(unpacked_bytes=2_000_000))
    assert len(problems) == 1 and "unpacks to" in problems[0].reason
    assert "more than 2,000,000 allowed" in problems[0].reason
    assert read_workbook(path).actors  # within the default limits it is a workbook
    big = _problems(path, limits=Limits(file_bytes=1000))
    assert "more than 1,000 allowed" in big[0].reason


def test_xml_entities_are_refused(tmp_path):
    path = _book(tmp_path / "laughs.xlsx", {"actors": [ACTORS, ["a1", "A", "sme"]]})
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')

    def laughs(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return bomb + data.split(b"?>", 1)[-1]
        return data

    problems = _problems(_rewrite(path, laughs))
    assert [(p.value, p.reason.split(":")[0]) for p in problems] == [
        ("xl/workbook.xml", "an XML document type declaration")]


def test_sheet_row_and_column_limits(tmp_path):
    path = _book(tmp_path / "many.xlsx", {f"s{i}": [["x"]] for i in range(40)})
    assert "40 sheets, more than 32 allowed" in _problems(path)[0].reason

    rows = [ACTORS] + [[f"a{i}", "A", "sme"] for i in range(20)]
    tall = _book(tmp_path / "tall.xlsx", {"actors": rows})
    problems = _problems(tall, limits=Limits(rows=10))
    assert [(p.line, p.reason) for p in problems] == [(11, "more than 10 rows")]

    wide = _book(tmp_path / "wide.xlsx", {"actors": [ACTORS, ["a1", "A", "sme"]]})

    def far_right(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return data.replace(b"</row></sheetData>",
                            b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
                            b"</row></sheetData>")

    problems = _problems(_rewrite(wide, far_right))
    assert [(p.line, p.value) for p in problems] == [(2, "XFD")]
    assert f"at most {LIMITS.columns} columns" in problems[0].reason

    # A row far below the others (a sheet that claims a million rows) costs no time.
    def far_down(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        return data.replace(b"</sheetData>", b'<row r="999999999"><c r="A999999999" '
                            b't="inlineStr"><is><t>x</t></is></c></row></sheetData>')

    deep = _book(tmp_path / "deep.xlsx", {"actors": [ACTORS, ["a1", "=1", "sme"]]})
    problems = _problems(_rewrite(deep, far_down))  # with a formula: two passes, both capped
    assert [p.reason.split(" (")[0] for p in problems] == [
        "cell B2 holds a formula that was never computed", f"more than {LIMITS.rows:,} rows"]


# -- written workbooks ----------------------------------------------------------------------
def test_the_demo_workbook_reads_as_the_demo_bundle(tmp_path):
    write_demo_bundle(tmp_path / "demo")
    summary = write_demo_workbook(tmp_path / "out" / "demo.xlsx")
    assert summary["files"]["actors.csv"] > 300
    from_csv = read_bundle(tmp_path / "demo")
    from_xlsx = read_bundle(tmp_path / "out" / "demo.xlsx")
    for spec in FILES:
        assert getattr(from_xlsx, spec.target) == getattr(from_csv, spec.target), spec.file
    assert (from_xlsx.source, from_xlsx.attribution) == (from_csv.source, from_csv.attribution)
    assert from_xlsx.load_id.startswith("demo-morocco-2011-")
    book = load_workbook(tmp_path / "out" / "demo.xlsx", read_only=True)
    assert book.sheetnames[:2] == ["README", "bundle"]
    readme = [row[0] for row in book["README"].iter_rows(values_only=True) if row]
    assert any(str(text).startswith("SYNTHETIC DATA") for text in readme)
    assert any("Les ECO" in str(text) for text in readme)  # the attribution
    book.close()


def test_the_template_describes_every_column_from_the_specs(tmp_path):
    book = load_workbook(io.BytesIO(template_bytes()), read_only=True)
    assert book.sheetnames == ["README", "bundle", *SHEET_OF_FILE.values()]
    readme = [row for row in book["README"].iter_rows(values_only=True)]
    described = {(row[0], row[3]) for row in readme if len(row) >= 5 and row[3]}
    for spec in FILES:
        header = next(book[SHEET_OF_FILE[spec.file]].iter_rows(values_only=True))
        assert list(header) == list(spec.column_names)
        for column in spec.columns:
            assert (column.name, column.help) in described
    keys = [row[0] for row in book["bundle"].iter_rows(min_row=2, values_only=True)]
    assert keys == list(META_KEYS)
    book.close()
    # Empty as it is, it names the one thing missing.
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_bytes())
    assert [p.reason for p in _problems(path)] == ["empty sheet: no rows under the header"]


def test_texts_a_spreadsheet_would_run_are_kept_as_text(tmp_path):
    from loaders.workbook import workbook_bytes

    rows = [{"id": "a1", "name": "=HYPERLINK(\"http://x\")", "kind": "sme"},
            {"id": "a2", "name": "'=x", "kind": "sme"}, {"id": "a3", "name": "-3", "kind": "sme"}]
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook_bytes({"actors": rows}, {"name": "t"}))
    book = load_workbook(path)  # not read-only: data types as written
    cells = {row[0].value: row[1] for row in book["actors"].iter_rows(min_row=2)}
    assert all(cell.data_type == "s" for cell in cells.values())
    assert cells["a1"].value == "'=HYPERLINK(\"http://x\")"
    names = {a["id"]: a["name"] for a in read_workbook(path).actors}
    assert names == {"a1": "=HYPERLINK(\"http://x\")", "a2": "'=x", "a3": "-3"}
