"""Loaders without a database: strict CSV reading, typed fields, amounts, the bundle doc."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.bundle import FILES, bundle_doc, read_bundle
from loaders.cordis import parse_amount
from loaders.csvio import read_csv
from loaders.errors import Problem, ValidationFailed
from loaders.fields import (
    parse_bool,
    parse_country,
    parse_enum,
    parse_int,
    parse_number,
    parse_text,
    parse_year,
)

LOADERS = Path(__file__).resolve().parents[2] / "loaders"


def _write(path: Path, data: str | bytes) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# -- csvio ------------------------------------------------------------------------------
def test_line_numbers_with_multiline_quoted_fields(tmp_path):
    path = _write(tmp_path / "actors.csv",
                  'id,name,kind\n'                    # 1
                  'a1,"Atlas\nMobile\nSARL",sme\n'     # 2-4
                  'a2,Plain,university\n'              # 5
                  'a3,"Two\nlines",research_lab\n'     # 6-7
                  'a4,Last,other\n')                   # 8
    table, problems = read_csv(path, required=("id", "name", "kind"))
    assert problems == []
    assert [line for line, _row in table.rows] == [2, 5, 6, 8]
    assert table.rows[0][1]["name"] == "Atlas\nMobile\nSARL"


def test_problem_line_is_where_the_record_starts(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    _write(folder / "actors.csv",
           'id,name,kind\n'
           'a1,"Atlas\nMobile",sme\n'                 # 2-3
           'a2,"Multi\nline\nname",spaceship\n'       # 4-6: the bad record starts on line 4
           'a3,Fine,sme\n')                           # 7
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "actors.csv", 4, "kind", "spaceship")


def test_wrong_field_count_after_multiline_record(tmp_path):
    path = _write(tmp_path / "actors.csv",
                  'id,name,kind\n'
                  'a1,"Atlas\nMobile",sme\n'          # 2-3
                  'a2,Too,many,fields\n')             # 4
    _table, problems = read_csv(path, required=("id", "name", "kind"))
    [problem] = problems
    assert problem.line == 4
    assert "wrong number of fields" in problem.reason


def test_crlf_line_numbers(tmp_path):
    path = _write(tmp_path / "actors.csv", 'id,name,kind\r\na1,"A\r\nB",sme\r\na2,C,sme\r\n')
    table, problems = read_csv(path, required=("id",))
    assert problems == []
    assert [line for line, _row in table.rows] == [2, 4]


def test_bom_is_accepted(tmp_path):
    path = _write(tmp_path / "actors.csv", b"\xef\xbb\xbfid,name,kind\na1,Atlas,sme\n")
    table, problems = read_csv(path, required=("id", "name", "kind"))
    assert problems == []
    assert table.header == ["id", "name", "kind"]
    assert table.rows == [(2, {"id": "a1", "name": "Atlas", "kind": "sme"})]


def test_bom_bundle_reads(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    _write(folder / "actors.csv", b"\xef\xbb\xbfid,name,kind\na1,Atlas,sme\n")
    dataset = read_bundle(folder)
    assert [a["id"] for a in dataset.actors] == ["a1"]


def test_bad_encoding_names_line_and_bytes(tmp_path):
    data = "id,name,kind\na1,Soci\u00e9t\u00e9,sme\n".encode("cp1252")
    path = _write(tmp_path / "actors.csv", data)
    _table, problems = read_csv(path, required=("id", "name", "kind"))
    [problem] = problems
    assert (problem.line, problem.value) == (2, "e9")
    assert "not UTF-8" in problem.reason


def test_wrong_delimiter_and_empty_files(tmp_path):
    semi = _write(tmp_path / "a.csv", "id;name;kind\na1;x;sme\n")
    [problem] = read_csv(semi, required=("id", "name"))[1]
    assert problem.line == 1 and "wrong delimiter" in problem.reason and "';'" in problem.reason
    empty = _write(tmp_path / "b.csv", b"")
    [problem] = read_csv(empty, required=("id",))[1]
    assert "empty file" in problem.reason and problem.line is None
    header_only = _write(tmp_path / "c.csv", "id,name\n")
    [problem] = read_csv(header_only, required=("id",))[1]
    assert "header but no rows" in problem.reason


def test_duplicate_header_column(tmp_path):
    path = _write(tmp_path / "a.csv", "id,name,name\na1,x,y\n")
    [problem] = read_csv(path, required=("id",))[1]
    assert (problem.line, problem.column) == (1, "name")
    assert "duplicate column" in problem.reason


def test_blank_lines_are_skipped_but_counted(tmp_path):
    path = _write(tmp_path / "a.csv", "id,name\na1,x\n\na2,y\n")
    table, problems = read_csv(path, required=("id",))
    assert problems == []
    assert [line for line, _row in table.rows] == [2, 4]


@pytest.mark.parametrize("text,reason", [
    ('id,name,kind\na1,x,sme\na2,"Atlas,sme\na3,y,sme\n', "unexpected end of data"),
    ('id,name,kind\na1,x,sme\na2,"At"las,sme\n', "expected after"),
])
def test_malformed_record_line(tmp_path, text, reason):
    path = _write(tmp_path / "a.csv", text)
    table, problems = read_csv(path, required=("id", "name"))
    [problem] = problems
    assert problem.line == 3 and "malformed CSV" in problem.reason and reason in problem.reason
    assert [line for line, _row in table.rows] == [2]


def test_unknown_file_column_and_bad_metadata(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    _write(folder / "actors.csv", "id,name,kind,colour\na1,Atlas,sme,red\n")
    _write(folder / "people.csv", "id\nx\n")
    _write(folder / "bundle.json", '{"synthetic": "yes"}')
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder)
    got = {(p.file, p.line, p.column) for p in caught.value.problems}
    assert got == {("actors.csv", 1, "colour"), ("people.csv", None, None),
                   ("bundle.json", None, "synthetic")}


def test_bundle_metadata_sets_source_and_synthetic_default(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    _write(folder / "actors.csv", "id,name,kind,synthetic\na1,Atlas,sme,\na2,Lab,research_lab,no\n")
    _write(folder / "bundle.json", '{"name": "eco", "source": "survey 2024", "synthetic": true}')
    dataset = read_bundle(folder)
    assert dataset.source == "survey 2024"
    assert dataset.load_id.startswith("eco-")
    assert [a["synthetic"] for a in dataset.actors] == [True, False]


# -- amounts and fields -----------------------------------------------------------------
@pytest.mark.parametrize("raw,value", [
    ("771225,1", 771225.1),
    ("2674336.55", 2674336.55),
    ("1.234.567,5", 1234567.5),
    ("1,234,567.5", 1234567.5),
    ("4175063,55", 4175063.55),
    ("975000.0", 975000.0),
    ("  42 ", 42.0),
    ("1\u00a0234,5", 1234.5),
    ("1 234,5", 1234.5),
    ("-12,5", -12.5),
    ("1e3", 1000.0),
    (".5", 0.5),
    (",5", 0.5),
    ("5,", 5.0),
    ("\t5,3\n", 5.3),
    ("1517685,00", 1517685.0),
    ("-0,25", -0.25),
    ("1.000,5", 1000.5),
    ("\uff11,\uff15", 1.5),  # full-width digits, as float() reads them
])
def test_parse_amount(raw, value):
    assert parse_amount(raw) == pytest.approx(value)


@pytest.mark.parametrize("raw", ["", "   "])
def test_parse_amount_empty(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "12 EUR", "1.2.3", "--1", "1,5e", ",",
                                 "nan", "inf,0", "1_000,5", "1,5_0", "1e3,5", "1,0,"])
def test_parse_amount_rejects(raw):
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(raw)


def test_parse_text_int_year():
    assert parse_text("  x  ") == "x"
    assert parse_int(" 42 ") == 42
    assert parse_int("-3") == -3
    for bad in ("4.2", "abc", "1 000", ""):
        with pytest.raises(ValueError, match="whole number"):
            parse_int(bad)
    assert parse_year("2012") == 2012
    assert parse_year(" 1999 ") == 1999
    for bad in ("12", "abc", "2012.0", "20120"):
        with pytest.raises(ValueError, match="not a year"):
            parse_year(bad)
    for bad in ("1700", "2200"):
        with pytest.raises(ValueError, match="out of range"):
            parse_year(bad)


def test_parse_number():
    assert parse_number("1500000") == 1500000.0
    assert parse_number("800000.5") == 800000.5
    assert parse_number("1 500") == 1500.0
    assert parse_number("-2") == -2.0
    assert parse_number("1e6") == 1e6
    for bad in ("1,5", "abc", "1.000,5", "", "1.2.3"):
        with pytest.raises(ValueError, match="not a number"):
            parse_number(bad)


def test_parse_bool():
    for raw in ("true", "TRUE", " yes", "1", "oui", "vrai", "y"):
        assert parse_bool(raw) is True
    for raw in ("false", "No", "0", "non", "faux", "n"):
        assert parse_bool(raw) is False
    with pytest.raises(ValueError, match="not a boolean"):
        parse_bool("maybe")


def test_parse_enum_and_country():
    parse = parse_enum(("sme", "university"))
    assert parse(" sme ") == "sme"
    assert parse.choices == ("sme", "university")
    with pytest.raises(ValueError, match="not one of: sme, university"):
        parse("SME")
    assert parse_country(" ma ") == "MA"
    for bad in ("MAR", "M", "12", ""):
        with pytest.raises(ValueError, match="two-letter"):
            parse_country(bad)


# -- problems ---------------------------------------------------------------------------
def test_problem_text():
    problem = Problem("actors.csv", 3, "kind", "spaceship", "not one of: sme")
    assert str(problem) == "actors.csv:3 column 'kind': not one of: sme (value 'spaceship')"
    assert str(Problem("actors.csv", None, None, None, "required file is missing")) == (
        "actors.csv: required file is missing")
    error = ValidationFailed([problem, problem])
    assert str(error).startswith("2 problems found; nothing was written:")


# -- the bundle reference ---------------------------------------------------------------
def test_bundle_doc_mentions_every_file_and_column():
    doc = bundle_doc()
    for spec in FILES:
        assert f"### `{spec.file}`" in doc
        section = doc.split(f"### `{spec.file}`", 1)[1].split("### ", 1)[0]
        for column in spec.columns:
            assert f"| `{column.name}` |" in section, (spec.file, column.name)
        assert ",".join(spec.column_names) in section  # the example's header
    assert "(required)" in doc.split("### `actors.csv`", 1)[1].split("\n", 1)[0]


def test_bundle_doc_examples_are_valid_csv_rows():
    doc = bundle_doc()
    for spec in FILES:
        block = doc.split(f"### `{spec.file}`", 1)[1].split("```csv\n", 1)[1].split("```", 1)[0]
        header, row = block.strip("\n").split("\n")
        assert header.split(",") == list(spec.column_names)
        assert re.search(r"\S", row)


def test_loaders_readme_holds_the_generated_doc():
    readme = LOADERS / "README.md"
    if not readme.exists():
        pytest.skip("loaders/README.md does not exist yet")
    assert bundle_doc().strip() in readme.read_text(encoding="utf-8")
