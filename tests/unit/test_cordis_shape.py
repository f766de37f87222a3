"""The H2020-shaped CORDIS generator (bench/cordis_shape.py): seeded, CORDIS-readable,
marked synthetic, and close to the real network's published figures at a small size."""

from __future__ import annotations

import csv

import pytest

from bench.cordis_shape import (
    TARGETS,
    generate,
    scaled_targets,
    shape_figures,
    write_cordis_shape,
)
from loaders.cordis import read_cordis

SCALE = 0.05


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("shape")
    write_cordis_shape(out, scale=SCALE, seed=7)
    return out


@pytest.fixture(scope="module")
def figures(folder):
    return shape_figures(folder)


def test_counts_are_the_scaled_targets(figures):
    want = scaled_targets(SCALE)
    for key in ("organisations", "projects", "participations"):
        assert figures[key] == want[key], key
    assert figures["countries_top5"] == want["countries_top5"]
    assert figures["years"] == TARGETS["years"]


def test_quantiles_follow_the_real_network(figures):
    assert figures["consortium_p50"] == 1
    assert abs(figures["consortium_p90"] - 14) <= 2
    assert abs(figures["consortium_p99"] - 32) <= 5
    assert figures["consortium_max"] == 186
    assert figures["projects_per_org_p50"] == 1
    assert figures["projects_per_org_max"] == round(1372 * SCALE)  # 69: the largest hub
    assert 0.7 * 17 <= figures["degree_p50"] <= 1.6 * 17  # fewer repeat partners when small
    # the largest component holds most actors, as in the real network (87 %)
    assert 0.75 <= figures["giant_component"] / figures["organisations"] <= 0.97


def test_seeded_and_synthetic(folder, tmp_path):
    write_cordis_shape(tmp_path, scale=SCALE, seed=7)
    for name in ("organization.csv", "project.csv"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()
    assert "SYNTHETIC" in (folder / "PROVENANCE.md").read_text()
    other = generate(scale=SCALE, seed=8)
    assert other["org_of"].tolist() != generate(scale=SCALE, seed=7)["org_of"].tolist()


def test_the_cordis_loader_reads_it(folder, figures):
    dataset, _warnings = read_cordis(folder)
    assert len(dataset.actors) == figures["organisations"]
    assert len(dataset.participations) == figures["participations"]
    assert all(a["name"].startswith("SYNTHETIC ORGANISATION") for a in dataset.actors)


def test_shape_figures_on_a_hand_made_folder(tmp_path):
    # o1 in p1 (o1, o2, o3) and p2 (o1, o2); o4 alone in p3; o5 in p4 with o1
    rows = [("p1", "o1", "FR"), ("p1", "o2", "FR"), ("p1", "o3", "DE"), ("p2", "o1", "FR"),
            ("p2", "o2", "FR"), ("p3", "o4", "DE"), ("p4", "o5", "ES"), ("p4", "o1", "FR")]
    with open(tmp_path / "organization.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["projectID", "organisationID", "country"])
        writer.writerows(rows)
    with open(tmp_path / "project.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "startDate"])
        writer.writerows([("p1", "2015-01-01"), ("p2", "2016-02-01"), ("p3", "2014-01-01"),
                          ("p4", "2019-05-05")])
    got = shape_figures(tmp_path)
    # ties: o1-o2, o1-o3, o2-o3, o1-o5 -> 4; degrees o1 3, o2 2, o3 2, o4 0, o5 1
    assert got["ties"] == 4 and got["giant_component"] == 4
    assert got["degree_top5"] == (3, 2, 2, 1, 0)
    assert got["projects_per_org_max"] == 3 and got["consortium_max"] == 3
    assert got["countries_top5"] == (2, 2, 1)  # FR o1 o2; DE o3 o4; ES o5
    assert got["years"] == (2014, 2019)
