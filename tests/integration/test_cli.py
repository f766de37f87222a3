"""The ``synergraph`` command against the test server (run as a real subprocess)."""

from __future__ import annotations

import json

import pytest
from helpers import fingerprint, run_cli, small_bundle, write_files

from loaders.bundle import read_bundle

pytestmark = [pytest.mark.neo4j]


def test_db_counts_json(store, neo4j_settings, tmp_path):
    store.write(read_bundle(small_bundle(tmp_path / "bundle")), kind="bundle")
    result = run_cli(neo4j_settings, "db", "counts", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts == store.counts()
    assert counts["nodes"]["Actor"] == 3
    assert counts["nodes"]["Project"] == 2
    assert counts["nodes"]["Region"] == 2
    assert counts["nodes"]["Cluster"] == 1
    assert counts["relationships"]["PARTICIPATES_IN"] == 3
    assert counts["relationships"]["MEMBER_OF"] == 2
    assert counts["relationships"]["LOCATED_IN"] == 4  # 3 actors + 1 cluster
    assert counts["relationships"]["PART_OF"] == 1


def test_load_good_bundle(store, neo4j_settings, tmp_path):
    folder = small_bundle(tmp_path / "bundle")
    result = run_cli(neo4j_settings, "load", "bundle", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "created" in result.stdout
    assert "Validated" in result.stdout
    counts = store.counts()
    assert counts["nodes"]["Actor"] == 3
    assert counts["relationships"]["PARTICIPATES_IN"] == 3

    again = run_cli(neo4j_settings, "load", "bundle", str(folder), "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["nodes"]["Actor"] == {"unchanged": 3}
    assert store.counts() == counts


def test_dry_run_writes_nothing(store, neo4j_settings, tmp_path):
    before = fingerprint(store)
    folder = small_bundle(tmp_path / "bundle")
    result = run_cli(neo4j_settings, "load", "bundle", str(folder), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nothing written" in result.stdout
    assert fingerprint(store) == before


def test_invalid_input_as_json(store, neo4j_settings, tmp_path):
    folder = small_bundle(tmp_path / "bundle", actors_csv="id,name,kind\na1,Atlas,spaceship\n",
                          participations_csv=None, memberships_csv=None)
    result = run_cli(neo4j_settings, "load", "bundle", str(folder), "--json", cwd=tmp_path)
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert payload["error"] == "validation failed"
    assert payload["problems"] == [{"file": "actors.csv", "line": 2, "column": "kind",
                                    "value": "spaceship",
                                    "reason": payload["problems"][0]["reason"]}]
    assert "not one of" in payload["problems"][0]["reason"]


def test_demo_command_loads_the_demo(store, neo4j_settings, tmp_path):
    result = run_cli(neo4j_settings, "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SYNTHETIC" in result.stdout
    counts = store.counts()
    assert counts["nodes"]["Cluster"] == 4
    assert counts["nodes"]["Actor"] > 0


def test_missing_folder_is_invalid_input(store, neo4j_settings, tmp_path):
    result = run_cli(neo4j_settings, "load", "bundle", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    assert "not a folder" in result.stderr


def test_dry_run_resolves_ids_already_in_the_graph(store, neo4j_settings, tmp_path):
    """--dry-run must validate exactly like the real load: a second bundle whose memberships
    name an actor and a cluster that only the graph holds is valid (the real load accepts
    it), so the dry run must not report them as unknown ids."""
    store.write(read_bundle(small_bundle(tmp_path / "first")), kind="bundle")
    second = write_files(tmp_path / "second", {
        "actors.csv": "id,name,kind\nb1,Second Actor,startup\n",
        "memberships.csv": "actor_id,cluster_id,since\na3,c1,2013\nb1,c1,2014\n",
    })
    before = fingerprint(store)
    dry = run_cli(neo4j_settings, "load", "bundle", str(second), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert fingerprint(store) == before
    real = run_cli(neo4j_settings, "load", "bundle", str(second), cwd=tmp_path)
    assert real.returncode == 0, real.stdout + real.stderr

