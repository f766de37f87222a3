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


def _groups(store):
    countries = [GroupRef.country(c["id"]) for c in uc.overview(Context(store))["countries"]]
    clusters = [GroupRef.cluster(c["id"]) for c in uc.overview(Context(store))["clusters"]]
    return countries, clusters


def test_records_taken_from_the_ecosystem_are_the_rows_the_store_reads(loaded):
    """A process that holds the ecosystem's records takes a country's records and every
    group's neighbourhood from them: the same rows, keys, key order and row order as the
    store's own queries, for every country and cluster of the demo and the CORDIS sample."""
    from service.usecases.context import country_records, neighbourhood_records

    actors, participations = loaded.all_actors(), loaded.all_participations()
    regions = loaded.region_countries()
    countries, clusters = _groups(loaded)
    assert len(countries) >= 10 and len(clusters) == 4
    for ref in countries:
        got_actors, got_parts = country_records(actors, participations, regions, ref.id)
        want_actors = loaded.group_actors(country_id=ref.id)
        want_parts = loaded.participations_of({a["id"] for a in want_actors})
        assert [list(a.items()) for a in got_actors] == [list(a.items()) for a in want_actors]
        assert got_parts == want_parts, ref
    for ref in countries + clusters:
        members = {a["id"] for a in (loaded.group_actors(country_id=ref.id)
                                     if ref.kind == "country"
                                     else loaded.group_actors(cluster_id=ref.id))}
        assert neighbourhood_records(actors, participations, members) == \
            loaded.neighbourhood(members), ref


def test_a_country_after_the_ecosystem_does_not_read_the_store_again(loaded, monkeypatch):
    """Once the ecosystem's records are in memory (a worker process that warmed the
    ecosystem first), a country's figures are computed without reading its actors,
    participations or neighbourhood from Neo4j, and are the same figures to the last bit."""
    ref, flt = GroupRef.country("FR"), GroupFilter()
    cold = uc.metrics(Context(loaded), ref, flt, null_runs=3)
    ctx = Context(loaded)
    ctx.records(None)
    asked = []
    for name in ("group_actors", "participations_of", "neighbourhood"):
        original = getattr(loaded, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            asked.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(loaded, name, spy)
    warm = uc.metrics(ctx, ref, flt, null_runs=3)
    assert asked == []
    cold["meta"].pop("graph_version"), warm["meta"].pop("graph_version")
    assert warm == cold
