"""A group's E-I index is counted on its neighbourhood (its members' projects, partners
abroad included), never on the ecosystem's graph; it equals the count on the ecosystem's
graph (the way it was computed before) for clusters and countries, under every filter."""

from __future__ import annotations

import pytest

from loaders.bundle import read_bundle
from loaders.cordis import read_cordis
from loaders.demo import write_demo_bundle
from service import usecases as uc
from service.usecases import Context, GroupFilter, GroupRef


@pytest.fixture(scope="module")
def loaded(session_store, tmp_path_factory, cordis_sample_path):
    session_store.delete_all()
    folder = tmp_path_factory.mktemp("demo")
    write_demo_bundle(folder, seed=2011)
    session_store.write(read_bundle(folder), kind="demo", synthetic=True)
    dataset, _ = read_cordis(cordis_sample_path)
    session_store.write(dataset, kind="cordis")
    return session_store


def ei_on_the_ecosystem(ctx, ref, flt):
    ecosystem = ctx.graph(None, flt)
    members = set(ctx.graph(ref, flt))
    internal = sum(1 for u, v in ecosystem.edges() if u in members and v in members)
    external = sum(1 for u, v in ecosystem.edges() if (u in members) != (v in members))
    total = internal + external
    return (external - internal) / total if total else None


FILTERS = [GroupFilter(), GroupFilter(years=(2016, 2018)),
           GroupFilter(kinds=("university", "research_lab")), GroupFilter(min_weight=2)]


@pytest.mark.parametrize("flt", FILTERS, ids=["none", "years", "kinds", "min_weight"])
@pytest.mark.parametrize("ref", [GroupRef.country("FR"), GroupRef.country("MA"),
                                 GroupRef.cluster("mnc")], ids=["FR", "MA", "mnc"])
def test_neighbourhood_ei_equals_the_ecosystem_count(loaded, ref, flt):
    expected = ei_on_the_ecosystem(Context(loaded), ref, flt)
    ctx = Context(loaded)
    got = uc.metrics(ctx, ref, flt)["cohesion"]["ei_index"]
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_country_metrics_do_not_build_the_ecosystem_graph(loaded, monkeypatch):
    ctx = Context(loaded)
    built = []
    original = Context.graph

    def spy(self, ref, flt=None):
        built.append(ref)
        return original(self, ref, flt)

    monkeypatch.setattr(Context, "graph", spy)
    result = uc.metrics(ctx, GroupRef.country("FR"), GroupFilter(), null_runs=3)
    assert result["cohesion"]["ei_index"] is not None
    assert None not in built
