"""Invalid input is refused with every problem located, and the graph stays exactly as it was.

Each case is checked three ways: ``read_bundle``/``read_cordis`` raise ValidationFailed with
the right file, line, column, value and reason; the ``synergraph load`` command exits with 2
and names the place on stderr; and the graph (a demo bundle loaded first) is unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from helpers import (
    CORDIS_SAMPLE,
    SMALL_BUNDLE,
    fingerprint,
    run_cli,
    small_bundle,
    write_files,
)

from loaders.bundle import read_bundle
from loaders.cordis import read_cordis
from loaders.demo import write_demo_bundle
from loaders.errors import Problem, ValidationFailed

pytestmark = [pytest.mark.neo4j]

ACTORS_HEADER = "id,name,kind,country,region_id,city,founded_year,website\n"
ONLY_ACTORS = {k: None for k in SMALL_BUNDLE if k != "actors.csv"}


def _only(**files) -> dict:
    """Changes to the small bundle that keep only the given files."""
    out = {k.replace(".", "_"): None for k in SMALL_BUNDLE}
    out.update(files)
    return out


# (case id, changes to the small bundle, expected problems: file, line, column, value, reason)
BUNDLE_CASES = [
    ("missing-column",
     _only(actors_csv="id,name,country\na1,Atlas Mobile,MA\n"),
     [("actors.csv", 1, "kind", None, "missing column 'kind'")]),
    ("founded-year-abc",
     _only(actors_csv=ACTORS_HEADER + "a1,Atlas Mobile,sme,MA,,Casablanca,2006,\n"
                                       "a2,Univ,university,MA,,Rabat,abc,\n"),
     [("actors.csv", 3, "founded_year", "abc", "not a year")]),
    ("kind-spaceship",
     _only(actors_csv=ACTORS_HEADER + "a1,Atlas Mobile,spaceship,MA,,Casablanca,2006,\n"),
     [("actors.csv", 2, "kind", "spaceship", "not one of")]),
    ("budget-decimal-comma",
     _only(actors_csv=SMALL_BUNDLE["actors.csv"], regions_csv=SMALL_BUNDLE["regions.csv"],
           projects_csv="id,title,acronym,start_year,end_year,budget\n"
                        "p1,Secure payments,SECPAY,2012,2014,1500000\n"
                        'p2,Smart grid,SGRID,2013,2015,"1,5"\n'),
     [("projects.csv", 3, "budget", "1,5", "not a number")]),
    ("unknown-project",
     {"participations_csv": "actor_id,project_id,role,contribution,currency\n"
                            "a1,p1,coordinator,250000,MAD\n"
                            "a2,p1,partner,100000,MAD\n"
                            "a3,p-missing,coordinator,,\n"},
     [("participations.csv", 4, "project_id", "p-missing", "unknown id")]),
    ("duplicate-id",
     {"actors_csv": SMALL_BUNDLE["actors.csv"] + "a2,Another name,sme,MA,,,,\n"},
     [("actors.csv", 5, "id", "a2", "duplicate")]),
    ("latin-1-bytes",
     _only(actors_csv=(ACTORS_HEADER + "a1,Atlas Mobile,sme,MA,,Casablanca,2006,\n"
                       "a2,Soci\u00e9t\u00e9 G\u00e9n\u00e9rale,company,MA,,Rabat,,\n"
                       ).encode("latin-1")),
     [("actors.csv", 3, None, "e9", "bad encoding")]),
    ("semicolon-delimiter",
     _only(actors_csv="id;name;kind;country\na1;Atlas Mobile;sme;MA\n"),
     [("actors.csv", 1, None, "id;name;kind;country", "wrong delimiter")]),
    ("empty-file",
     {"memberships_csv": b""},
     [("memberships.csv", None, None, None, "empty file")]),
    ("header-only",
     {"memberships_csv": "actor_id,cluster_id,since,role\n"},
     [("memberships.csv", None, None, None, "empty file")]),
    ("missing-actors-file",
     _only(regions_csv=SMALL_BUNDLE["regions.csv"]),
     [("actors.csv", None, None, None, "required file is missing")]),
    ("end-before-start",
     {"projects_csv": "id,title,acronym,start_year,end_year,budget,currency,status\n"
                      "p1,Secure payments,SECPAY,2014,2012,1500000,MAD,closed\n"
                      "p2,Smart grid,SGRID,2013,2015,800000.5,MAD,ongoing\n"},
     [("projects.csv", 2, "end_year", "2012", "before start_year")]),
]


@pytest.fixture(scope="module")
def loaded(session_store, tmp_path_factory) -> dict:
    """The demo bundle loaded once; every failing load below must leave it untouched."""
    session_store.delete_all()
    folder = tmp_path_factory.mktemp("bad-input") / "demo"
    write_demo_bundle(folder)
    session_store.write(read_bundle(folder), kind="demo", synthetic=True)
    return {"store": session_store, "fingerprint": fingerprint(session_store)}


def _matches(problem: Problem, file, line, column, value, reason) -> bool:
    return (problem.file == file and problem.line == line and problem.column == column
            and (value is None and problem.value is None
                 or value is not None and problem.value is not None and value in problem.value)
            and reason.lower() in problem.reason.lower())


def _assert_problems(problems: list[Problem], expected: list[tuple]) -> None:
    assert len(problems) == len(expected), "\n".join(map(str, problems))
    for want in expected:
        assert any(_matches(p, *want) for p in problems), (
            f"{want} not among:\n" + "\n".join(map(str, problems)))


def _assert_cli_refuses(settings, source: str, folder: Path, expected, tmp_path) -> None:
    result = run_cli(settings, "load", source, str(folder), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for file, line, column, _value, _reason in expected:
        place = f"{file}:{line}" if line is not None else file
        assert place in result.stderr, result.stderr
        if column:
            assert f"column {column!r}" in result.stderr, result.stderr
    assert "nothing was written" in result.stderr


@pytest.mark.parametrize("changes,expected",
                         [pytest.param(c, e, id=i) for i, c, e in BUNDLE_CASES])
def test_bad_bundle(loaded, neo4j_settings, tmp_path, changes, expected):
    folder = small_bundle(tmp_path / "bundle", **changes)
    store = loaded["store"]
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder, known_ids=store.existing_ids)
    _assert_problems(caught.value.problems, expected)
    _assert_cli_refuses(neo4j_settings, "bundle", folder, expected, tmp_path)
    assert fingerprint(store) == loaded["fingerprint"]


def test_every_problem_is_listed(loaded, neo4j_settings, tmp_path):
    """Three errors in two files: three problems, none of them hiding another."""
    folder = small_bundle(
        tmp_path / "bundle",
        actors_csv=SMALL_BUNDLE["actors.csv"]
        + "a4,Orbital Ltd,spaceship,MA,,,,\n"         # line 5
        + "a5,Old Firm,sme,MA,,,abc,\n",              # line 6
        projects_csv="id,title,acronym,start_year,end_year,budget,currency,status\n"
                     "p1,Secure payments,SECPAY,2014,2012,1500000,MAD,closed\n"
                     "p2,Smart grid,SGRID,2013,2015,800000.5,MAD,ongoing\n",
    )
    expected = [("actors.csv", 5, "kind", "spaceship", "not one of"),
                ("actors.csv", 6, "founded_year", "abc", "not a year"),
                ("projects.csv", 2, "end_year", "2012", "before start_year")]
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder, known_ids=loaded["store"].existing_ids)
    _assert_problems(caught.value.problems, expected)
    assert str(caught.value).startswith("3 problems found; nothing was written")
    _assert_cli_refuses(neo4j_settings, "bundle", folder, expected, tmp_path)
    assert fingerprint(loaded["store"]) == loaded["fingerprint"]


def test_invalid_row_is_not_reported_as_an_unknown_id(loaded, tmp_path):
    """An actor row with a bad value is ONE problem: the rows that reference the actor must
    not be reported as referring to an id that 'is not in actors.csv' (it is there)."""
    actors = SMALL_BUNDLE["actors.csv"].replace("a3,Lab Numerique,research_lab,MA,ma-casa,Rabat,,",
                                                "a3,Lab Numerique,research_lab,MA,ma-casa,"
                                                "Rabat,abc,")
    folder = small_bundle(tmp_path / "bundle", actors_csv=actors)
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder, known_ids=loaded["store"].existing_ids)
    _assert_problems(caught.value.problems,
                     [("actors.csv", 4, "founded_year", "abc", "not a year")])


def test_several_files_with_form_problems(loaded, tmp_path):
    folder = small_bundle(tmp_path / "bundle",
                          regions_csv="id;name;kind\nMA;Maroc;country\n",
                          clusters_csv=b"",
                          actors_csv="id,name\na1,x\n")
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder)
    files = {p.file for p in caught.value.problems}
    assert {"regions.csv", "clusters.csv", "actors.csv"} <= files


# -- CORDIS -----------------------------------------------------------------------------
def _cordis_rows(n: int = 6) -> tuple[list[str], list[list[str]]]:
    with (CORDIS_SAMPLE / "organization.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [next(reader) for _ in range(n)]
    return header, rows


def _cordis_text(header, rows, delimiter=",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [header, *rows])
    return out.getvalue()


def _cordis_case(case: str, folder: Path) -> tuple[Path, list[tuple]]:
    header, rows = _cordis_rows()
    col = header.index
    if case == "tab-delimiter":
        write_files(folder, {"organization.csv": _cordis_text(header, rows, "\t")})
        return folder, [("organization.csv", 1, None, "projectID", "wrong delimiter")]
    if case == "unknown-activity":
        rows[1][col("activityType")] = "XYZ"
        write_files(folder, {"organization.csv": _cordis_text(header, rows)})
        return folder, [("organization.csv", 3, "activityType", "XYZ", "unknown activity type")]
    if case == "bad-contribution":
        rows[2][col("ecContribution")] = "lots"
        write_files(folder, {"organization.csv": _cordis_text(header, rows)})
        return folder, [("organization.csv", 4, "ecContribution", "lots", "not an amount")]
    if case == "missing-organization":
        folder.mkdir(parents=True)
        (folder / "project.csv").write_bytes((CORDIS_SAMPLE / "project.csv").read_bytes())
        return folder, [("organization.csv", None, None, str(folder), "required file is missing")]
    raise AssertionError(case)


def test_small_cordis_extract_is_valid(tmp_path):
    header, rows = _cordis_rows()
    folder = write_files(tmp_path / "ok", {"organization.csv": _cordis_text(header, rows)})
    dataset, _ = read_cordis(folder)
    assert len(dataset.actors) == len({r[header.index("organisationID")] for r in rows})


@pytest.mark.parametrize("case", ["tab-delimiter", "unknown-activity", "bad-contribution",
                                  "missing-organization"])
def test_bad_cordis(loaded, neo4j_settings, tmp_path, case):
    folder, expected = _cordis_case(case, tmp_path / "cordis")
    with pytest.raises(ValidationFailed) as caught:
        read_cordis(folder)
    _assert_problems(caught.value.problems, expected)
    _assert_cli_refuses(neo4j_settings, "cordis", folder, expected, tmp_path)
    assert fingerprint(loaded["store"]) == loaded["fingerprint"]


def test_cordis_reports_every_bad_row(tmp_path):
    header, rows = _cordis_rows()
    col = header.index
    rows[0][col("activityType")] = "XYZ"
    rows[3][col("ecContribution")] = "lots"
    rows[4][col("role")] = "boss"
    folder = write_files(tmp_path / "cordis", {"organization.csv": _cordis_text(header, rows)})
    with pytest.raises(ValidationFailed) as caught:
        read_cordis(folder)
    _assert_problems(caught.value.problems, [
        ("organization.csv", 2, "activityType", "XYZ", "unknown activity type"),
        ("organization.csv", 5, "ecContribution", "lots", "not an amount"),
        ("organization.csv", 6, "role", "boss", "unknown role"),
    ])


def test_unreadable_file_is_not_reported_again_as_unknown_ids(loaded, tmp_path):
    """actors.csv cannot be read (wrong delimiter): that is ONE problem. The memberships and
    participations that name its actors must not each be reported as 'no such id in actors
    (actors.csv or the graph)': actors.csv does hold them, it just could not be checked."""
    semicolons = SMALL_BUNDLE["actors.csv"].replace(",", ";")
    folder = small_bundle(tmp_path / "bundle", actors_csv=semicolons)
    with pytest.raises(ValidationFailed) as caught:
        read_bundle(folder, known_ids=loaded["store"].existing_ids)
    _assert_problems(caught.value.problems,
                     [("actors.csv", 1, None, "id;name;kind", "wrong delimiter")])
