"""The one bundle format (loaders/bundle_format.py): what the writers produce is what the
reader reads back, with one layout for every writer."""

from __future__ import annotations

import io
import json
import zipfile

from loaders.bundle import read_bundle
from loaders.bundle_format import (
    FILES,
    META_KEYS,
    METADATA_FILE,
    bundle_files,
    bundle_zip,
    meta_bytes,
    write_bundle,
)

TABLES = {
    "actors": [{"id": "b", "name": "Bravo, Inc.", "kind": "sme", "synthetic": False},
               {"id": "a", "name": "Atlas", "kind": "university", "founded_year": 1975,
                "synthetic": True}],
    "projects": [{"id": "p", "title": "Alpha", "start_year": 2012, "budget": 1500000.0}],
    "participations": [{"actor_id": "b", "project_id": "p", "role": "partner"},
                       {"actor_id": "a", "project_id": "p", "role": "coordinator",
                        "contribution": 2.5}],
    "clusters": [],
}
META = {"synthetic": False, "attribution": "© Someone", "source": "hand-made", "name": "tiny",
        "ignored": 1}


def test_files_are_exact_and_sorted_by_key():
    files = bundle_files(TABLES, META)
    # FILES order, empty optional files left out, bundle.json last
    assert list(files) == ["actors.csv", "projects.csv", "participations.csv", METADATA_FILE]
    assert files["actors.csv"].decode() == (
        "id,name,kind,country,region_id,city,founded_year,website,synthetic\n"
        "a,Atlas,university,,,,1975,,true\n"
        'b,"Bravo, Inc.",sme,,,,,,false\n')
    assert files["projects.csv"].decode().splitlines()[1] == "p,Alpha,,2012,,1500000,,,"
    assert [line.split(",")[:3] for line in files["participations.csv"].decode().splitlines()[1:]] \
        == [["a", "p", "coordinator"], ["b", "p", "partner"]]


def test_an_empty_bundle_still_has_its_required_file():
    files = bundle_files({}, {"name": "empty"})
    required = [spec.file for spec in FILES if spec.required_file]
    assert list(files) == [*required, METADATA_FILE]


def test_bundle_json_layout():
    text = meta_bytes(META).decode("utf-8")
    assert text == ('{\n  "name": "tiny",\n  "source": "hand-made",\n'
                    '  "attribution": "© Someone",\n  "synthetic": false\n}\n')
    assert list(json.loads(text)) == list(META_KEYS)


def test_written_bundle_reads_back(tmp_path):
    folder = tmp_path / "tiny"
    written = write_bundle(folder, bundle_files(TABLES, META))
    assert [p.name for p in written] == ["actors.csv", "projects.csv", "participations.csv",
                                         METADATA_FILE]
    dataset = read_bundle(folder)
    assert dataset.source == "hand-made" and dataset.attribution == "© Someone"
    atlas = next(a for a in dataset.actors if a["id"] == "a")
    assert atlas["founded_year"] == 1975 and atlas["synthetic"] is True
    assert {(p["actor_id"], p["role"], p["contribution"]) for p in dataset.participations} == {
        ("a", "coordinator", 2.5), ("b", "partner", None)}
    assert dataset.projects[0]["budget"] == 1500000.0


def test_write_bundle_removes_stale_bundle_files_only(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "targets.csv").write_text("id\nstale\n", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    write_bundle(folder, bundle_files(TABLES, META))
    assert not (folder / "targets.csv").exists()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    read_bundle(folder)  # no stale file is read with the new ones


def test_zip_is_deterministic_and_holds_the_folder():
    files = bundle_files(TABLES, META)
    first = bundle_zip(files, "tiny")
    assert bundle_zip(dict(reversed(list(files.items()))), "tiny") == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert sorted(archive.namelist()) == sorted(f"tiny/{name}" for name in files)
        assert archive.read("tiny/actors.csv") == files["actors.csv"]


def test_the_demo_writes_bundle_json_in_the_one_layout(tmp_path):
    from loaders.demo import DEMO_NAME, write_demo_bundle

    write_demo_bundle(tmp_path / "demo")
    raw = (tmp_path / "demo" / METADATA_FILE).read_bytes()
    meta = json.loads(raw)
    assert meta["name"] == DEMO_NAME and list(meta) == list(META_KEYS)
    assert raw == meta_bytes(meta)
    assert "«Clusters" in raw.decode("utf-8")  # non-ASCII kept, not \u-escaped
