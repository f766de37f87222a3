"""The scorecard on a small hand-made cluster: every figure computed by hand."""

from __future__ import annotations

import pytest

from service.scorecard import progress_status, scorecard_lines


def _card(**overrides):
    members = [
        {"actor_id": "a", "kind": "sme", "since": 2011, "region_id": "r1", "country": "MA"},
        {"actor_id": "b", "kind": "university", "since": 2011, "region_id": "r1",
         "country": "MA"},
        {"actor_id": "c", "kind": "training_centre", "since": 2012, "region_id": "r2",
         "country": "MA"},
        {"actor_id": "d", "kind": "large_company", "since": 2012, "region_id": None,
         "country": "MA"},
    ]
    participations = [
        {"actor_id": "a", "project_id": "p1", "start_year": 2011},
        {"actor_id": "b", "project_id": "p1", "start_year": 2011},
        {"actor_id": "c", "project_id": "p1", "start_year": 2011},
        {"actor_id": "a", "project_id": "p2", "start_year": 2012},
    ]
    consortia = {
        "p1": [{"actor_id": "a", "kind": "sme", "country": "MA"},
               {"actor_id": "b", "kind": "university", "country": "MA"},
               {"actor_id": "c", "kind": "training_centre", "country": "MA"}],
        "p2": [{"actor_id": "a", "kind": "sme", "country": "MA"},
               {"actor_id": "x", "kind": "research_lab", "country": "FR"}],
    }
    targets = [
        {"indicator": "patents", "value": 10, "period_start": 2011, "period_end": 2013},
        {"indicator": "collaborative_projects", "value": 4, "period_start": 2011,
         "period_end": 2013, "synthetic": True},
    ]
    outputs = [
        {"indicator": "patents", "year": 2011, "value": 2},
        {"indicator": "patents", "year": 2012, "value": 3},
        {"indicator": "patents", "year": 2015, "value": 9},  # outside the period
    ]
    args = dict(cluster={"id": "k", "name": "K", "region_id": "r1", "country": "MA"},
                members=members, participations=participations, consortia=consortia,
                targets=targets, outputs=outputs,
                network={"density": 0.5, "ties_by_year": {2011: 3}}, as_of=2012)
    args.update(overrides)
    card = scorecard_lines(**args)
    return card, {line["key"]: line for line in card["lines"]}


def test_membership_figures():
    _, lines = _card()
    assert lines["critical_mass"]["value"] == 2  # sme + large_company
    assert lines["critical_mass"]["detail"]["members"] == 4
    assert lines["engagement"]["value"] == pytest.approx(3 / 4)  # d is in no project
    assert lines["anchoring"]["value"] == pytest.approx(2 / 3)  # a, b in r1; d unknown
    assert lines["international"]["value"] == pytest.approx(1 / 2)  # p2 has a French partner


def test_targets_against_outputs_and_observed_projects():
    _, lines = _card()
    patents = lines["target_patents"]
    assert patents["value"] == 5  # 2 + 3; the 2015 output is outside 2011-2013
    # As of 2012, two thirds of the three-year period have elapsed: 10 * 2/3 expected.
    assert patents["detail"]["expected"] == pytest.approx(20 / 3)
    assert patents["status"] == "behind"
    collab = lines["target_collaborative_projects"]
    # No reported output: the two projects with two or more partners in the graph count.
    assert collab["value"] == 2
    assert collab["source"].startswith("projects with two or more partners")
    assert collab["note"] == "target synthetic (split generated)"
    assert collab["status"] == "behind"  # 2 < 4 * 2/3
    assert lines["target_startups"]["value"] is None
    assert lines["target_startups"]["status"] == "no_data"


def test_synergy_shares():
    _, lines = _card()
    # p1 mixes sme + university + training; p2 mixes sme + research lab.
    assert lines["synergy_company_research"]["value"] == 1.0
    assert lines["synergy_triple"]["value"] == 0.5


def test_missing_data_is_no_data_not_a_guess():
    _, lines = _card(cluster={"id": "k", "name": "K"}, network={})
    assert lines["anchoring"]["status"] == "no_data"
    assert lines["international"]["status"] == "no_data"
    assert "cohesion_density" not in lines


@pytest.mark.parametrize(("value", "as_of", "status"), [
    (3, 2010, "not_started"), (3, 2011, "on_track"), (2, 2011, "behind"),
    (8, 2013, "missed"), (8, 2015, "missed"), (9, 2012, "achieved"),
])
def test_progress_status(value, as_of, status):
    assert progress_status(value, 9, (2011, 2013), as_of)["status"] == status
