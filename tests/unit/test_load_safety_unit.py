"""Issue 10 items 14 and 16, on the readers alone: index-size limits, every row problem
listed, CORDIS update dates, and the spreadsheet-formula rule of every CSV we write."""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest

from loaders.bundle import FILES, format_cell, read_bundle
from loaders.cordis import read_cordis
from loaders.csvsafe import FORMULA_STARTS, neutralise, restore
from loaders.errors import ValidationFailed
from loaders.limits import INDEXED_PROPERTIES, MAX_INDEXED_BYTES

ACTORS_HEADER = "id,name,kind\n"


def _problems(folder, reader=read_bundle):
    with pytest.raises(ValidationFailed) as info:
        reader(folder)
    return info.value.problems


def _write(folder, files: dict[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# -- 16: sizes Neo4j cannot index -------------------------------------------------------
def test_the_indexed_properties_come_from_the_schema_migrate_creates():
    assert INDEXED_PROPERTIES["Actor"] == {"id", "name", "kind", "country"}
    assert INDEXED_PROPERTIES["Load"] == {"id", "source"}
    for label in ("Region", "Niche", "Programme", "Cluster", "Project", "Target", "Output"):
        assert "id" in INDEXED_PROPERTIES[label]


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_a_name_one_byte_over_the_index_limit_is_refused_with_its_place(tmp_path, char):
    width = len(char.encode())
    fits = char * (MAX_INDEXED_BYTES // width)
    over = fits + "a" * (MAX_INDEXED_BYTES - len(fits.encode()) + 1)
    assert len(over.encode()) == MAX_INDEXED_BYTES + 1
    folder = _write(tmp_path / "b", {"actors.csv": ACTORS_HEADER + f"a1,{fits},sme\n"
                                                                  f"a2,{over},sme\n"})
    problems = _problems(folder)
    assert [(p.file, p.line, p.column) for p in problems] == [("actors.csv", 3, "name")]
    assert f"{MAX_INDEXED_BYTES + 1:,} bytes" in problems[0].reason
    assert len(problems[0].value) <= 41 and over.startswith(problems[0].value[:-1])
    assert "too long for the database index" in str(ValidationFailed(problems))


def test_a_9000_character_id_and_reference_are_refused(tmp_path):
    long_id = "x" * 9000
    folder = _write(tmp_path / "b", {
        "actors.csv": ACTORS_HEADER + f"{long_id},Alpha,sme\na2,Beta,sme\n",
        "clusters.csv": "id,name\nc1,One\n",
        "memberships.csv": f"actor_id,cluster_id\n{long_id},c1\na2,c1\n"})
    places = {(p.file, p.line, p.column) for p in _problems(folder)}
    assert ("actors.csv", 2, "id") in places
    assert ("memberships.csv", 2, "actor_id") in places


def test_a_bundle_name_too_long_for_the_load_id_is_refused(tmp_path):
    folder = _write(tmp_path / "b", {"actors.csv": ACTORS_HEADER + "a1,Alpha,sme\n",
                                     "bundle.json": json.dumps({"name": "n" * 9000})})
    problems = _problems(folder)
    assert [(p.file, p.column) for p in problems] == [("bundle.json", "name")]


def test_a_cordis_name_too_long_to_index_is_refused(tmp_path):
    header = "projectID;organisationID;name;activityType;country;role\n"
    folder = _write(tmp_path / "c", {"organization.csv": header
                                     + "1;100;Fine;HES;FR;coordinator\n"
                                     + f"1;101;{'N' * 9000};HES;FR;participant\n"
                                     + f"1;{'9' * 9000};Long PIC;HES;FR;participant\n"})
    problems = _problems(folder, read_cordis)
    assert [(p.line, p.column) for p in problems] == [(3, "name"), (4, "organisationID")]
    assert all("too long for the database index" in p.reason for p in problems)


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_a_cordis_name_and_ids_at_the_index_limit_pass_and_one_byte_over_are_refused(
        tmp_path, char):
    # the stored ids are "cordis-org-<PIC>" and "cordis-project-<id>"; the stored name is
    # the name without its surrounding spaces
    width = len(char.encode())
    fits = char * (MAX_INDEXED_BYTES // width)
    fits += "a" * (MAX_INDEXED_BYTES - len(fits.encode()))
    over = fits + "a"
    org_fits = "9" * (MAX_INDEXED_BYTES - len("cordis-org-"))
    project_fits = "8" * (MAX_INDEXED_BYTES - len("cordis-project-"))
    header = "projectID;organisationID;name;activityType;country;role\n"
    folder = _write(tmp_path / "c", {"organization.csv": header
                                     + f"{project_fits};{org_fits};  {fits}  ;HES;FR;coordinator\n"
                                     + f"1;101;{over};HES;FR;coordinator\n"
                                     + f"{project_fits}9;102;Org;HES;FR;participant\n"
                                     + f"2;{org_fits}9;Org;HES;FR;coordinator\n"})
    problems = _problems(folder, read_cordis)
    assert [(p.line, p.column) for p in problems] == [
        (3, "name"), (4, "projectID"), (5, "organisationID")]
    assert all(f"{MAX_INDEXED_BYTES + 1:,} bytes" in p.reason for p in problems)


# -- 16: a row of the wrong shape does not hide later problems ---------------------------
def test_bundle_lists_problems_after_a_short_row(tmp_path):
    lines = [f"a{i},Actor {i},sme" for i in range(2, 3100)]  # line n holds a<n>
    lines[2001 - 2] = "a2001,Short"
    lines[3001 - 2] = "a3001,,sme"
    folder = _write(tmp_path / "b", {"actors.csv": ACTORS_HEADER + "\n".join(lines) + "\n"})
    problems = _problems(folder)
    assert [(p.line, p.column) for p in problems] == [(2001, None), (3001, "name")]
    assert "wrong number of fields" in problems[0].reason
    assert problems[1].reason == "required value is empty"


def test_cordis_lists_problems_after_a_short_row(tmp_path):
    header = "projectID;organisationID;name;activityType;country;role\n"
    rows = [f"1;{1000 + i};Org {i};HES;FR;participant" for i in range(2, 3100)]
    rows[2001 - 2] = "1;3001;Short"
    rows[3001 - 2] = "1;;Empty PIC;HES;FR;participant"
    folder = _write(tmp_path / "c", {"organization.csv": header + "\n".join(rows) + "\n"})
    problems = _problems(folder, read_cordis)
    assert [(p.line, p.column) for p in problems] == [(2001, None), (3001, "organisationID")]


def test_a_malformed_quote_does_not_hide_later_problems(tmp_path):
    folder = _write(tmp_path / "b", {"actors.csv": ACTORS_HEADER
                                     + 'a1,"Al"pha,sme\na2,Beta,spaceship\n'})
    assert [(p.line, p.column) for p in _problems(folder)] == [(2, None), (3, "kind")]


# -- 16: CORDIS contentUpdateDate ---------------------------------------------------------
@pytest.mark.parametrize("bad", ["yesterday", "2023-13-01 10:00:00", "2023-02-30",
                                 "2023-03-03 25:00:00", "03/03/2023"])
def test_a_bad_cordis_update_date_stops_the_load(tmp_path, bad):
    header = "projectID;organisationID;name;activityType;country;role;contentUpdateDate\n"
    folder = _write(tmp_path / "c", {
        "organization.csv": header + "1;100;A;HES;FR;coordinator;2023-03-03 18:10:00\n"
                            f"1;101;B;HES;FR;participant;{bad}\n",
        "project.csv": "id;acronym;title;contentUpdateDate\n"
                       f"1;X;Project;{bad}\n"})
    problems = _problems(folder, read_cordis)
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [
        ("organization.csv", 3, "contentUpdateDate", bad),
        ("project.csv", 2, "contentUpdateDate", bad)]


def test_good_cordis_update_dates_still_pick_the_latest_row(tmp_path):
    header = "projectID;organisationID;name;activityType;country;role;contentUpdateDate\n"
    folder = _write(tmp_path / "c", {"organization.csv": header
                                     + "1;100;Newest;HES;FR;coordinator;2023-03-04\n"
                                     + "2;100;Older;HES;FR;participant;2023-03-03 23:59:59\n"
                                     + "3;100;No date;HES;FR;participant;\n"})
    dataset, _warnings = read_cordis(folder)
    assert [a["name"] for a in dataset.actors] == ["Newest"]


# -- 14: formulas in CSV cells -----------------------------------------------------------
@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example","x")', "@SUM(A1:A9)",
                                   "+1-1", "-2+3", "\t=1+1", "\r=1+1", "＝1+1", "=",
                                   "'=1+1"])
def test_formula_cells_get_a_leading_quote(value):
    safe = neutralise(value)
    assert safe == "'" + value
    assert safe[0] not in FORMULA_STARTS


@pytest.mark.parametrize("value", ["-3.5", "+1", "-0", "1e-5", "-2.5E+3", ".5", "Alpha",
                                   "a=b", "'s-Hertogenbosch", "", " =not at start"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise(value) == value
    assert restore(value) == value


def test_non_strings_are_left_alone():
    assert [neutralise(v) for v in (-3.5, -7, None, True)] == [-3.5, -7, None, True]


def test_restore_undoes_neutralise_exactly():
    alphabet = "'=-+@\t1.a"
    for size in range(6):
        for chars in itertools.product(alphabet, repeat=size):
            value = "".join(chars)
            assert restore(neutralise(value)) == value, repr(value)


def test_a_bundle_with_formula_values_round_trips_through_the_reader(tmp_path):
    names = ['=HYPERLINK("http://evil.example","x")', "@SUM(A1)", "+1-1", "-2+3",
             "'=quoted", "''@twice", "'s-Hertogenbosch", "-Dash Ltd"]
    spec = next(s for s in FILES if s.file == "actors.csv")
    rows = [{"id": f"a{i}", "name": name, "kind": "sme", "founded_year": 2001}
            for i, name in enumerate(names)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec.column_names)
    for row in rows:
        writer.writerow([format_cell(row.get(c)) for c in spec.column_names])
    folder = _write(tmp_path / "b", {"actors.csv": buffer.getvalue()})
    cells = [line[1] for line in csv.reader(io.StringIO(buffer.getvalue()))][1:]
    assert all(not cell or cell[0] not in FORMULA_STARTS for cell in cells), cells
    assert [a["name"] for a in read_bundle(folder).actors] == names
