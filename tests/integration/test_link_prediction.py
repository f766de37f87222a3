"""The recommender beats a random ranking when back-tested on real and demo data."""

from __future__ import annotations

from loaders.bundle import read_bundle
from loaders.cordis import read_cordis
from loaders.demo import write_demo_bundle
from service.analytics.missing_links import SCORES as L_SCORES
from service.analytics.missing_links import recommend
from service.linkprediction import evaluate_store, ties_with_years


def test_ties_with_years_keeps_the_first_year():
    ties = ties_with_years([
        {"actor_id": "a", "project_id": "p1", "start_year": 2013},
        {"actor_id": "b", "project_id": "p1", "start_year": 2013},
        {"actor_id": "a", "project_id": "p2", "start_year": 2011},
        {"actor_id": "b", "project_id": "p2", "start_year": 2011},
        {"actor_id": "c", "project_id": "p2", "start_year": 2011},
    ])
    assert ties == [("a", "b", 2011), ("a", "c", 2011), ("b", "c", 2011)]


def test_demo_temporal_backtest_beats_random(store, tmp_path):
    write_demo_bundle(tmp_path / "demo")
    store.write(read_bundle(tmp_path / "demo"), kind="demo", synthetic=True)
    result = evaluate_store(store, k=20)
    assert result["protocol"].startswith("temporal")
    assert result["n_positive"] > 0
    combined, rnd = result["methods"]["combined"], result["methods"]["random"]
    assert combined["auc"] > rnd["auc"] + 0.1
    # Tens of hidden ties among ~26,000 candidate pairs: a random top 20 finds none.
    assert combined["precision_at_k"] > 10 * result["random_expected_precision"]


def test_cordis_project_holdout_beats_random(store, cordis_sample):
    dataset, _ = read_cordis(cordis_sample)
    store.write(dataset, kind="cordis")
    result = evaluate_store(store, k=50)
    assert result["protocol"].startswith("random")  # the sample has no project years
    combined, rnd = result["methods"]["combined"], result["methods"]["random"]
    assert result["positives_in_pool"] > 0
    assert combined["auc"] > rnd["auc"] + 0.1


# -- the animator's protocol through the command line, the track record, the demo shape --
def test_cli_evaluate_links_on_the_demo(store, neo4j_settings, tmp_path):
    import json

    from helpers import run_cli

    write_demo_bundle(tmp_path / "demo")
    store.write(read_bundle(tmp_path / "demo"), kind="demo", synthetic=True)
    years = sorted({p["start_year"] for p in store.all_participations()
                    if p["start_year"] is not None})
    done = run_cli(neo4j_settings, "evaluate-links", "--test-years", "2", "--format", "json",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    table = out["protocol"]
    assert table["train_until"] == years[-1] - 2
    assert table["test_years"] == [years[-1] - 1, years[-1]]
    assert table["n_evaluated"] > 0
    for name in ("recommender", "common_neighbors", "adamic_adar", "resource_allocation",
                 "preferential_attachment", "jaccard", "random"):
        m = table["methods"][name]
        assert 0 <= m["precision_at_k"] <= 1 and 0 <= m["recall_at_k"] <= 1
    # the demo's fitting split has too few organisations gaining a partner to validate a
    # model (6 < 30): the recommender ranks as its fallback, and says so
    assert table["model"]["validation"]["organisations"] < 30
    assert table["model"]["choice"] == "weighted_adamic_adar"
    assert (table["methods"]["recommender"]["precision_at_k"]
            == table["methods"]["weighted_adamic_adar"]["precision_at_k"])
    record = out["track_record"]
    assert record["available"] and record["sentence"].startswith(
        f"{record['recommender']:.1f} of 10 suggestions became partners within 2 years")
    assert out["global"] is None  # the old global lines only with --extras
    text = run_cli(neo4j_settings, "evaluate-links", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "precision@10" in text.stdout and "Track record:" in text.stdout
    assert "ranking used: weighted_adamic_adar" in text.stdout
    bad = run_cli(neo4j_settings, "evaluate-links", "--train-until", "1900", cwd=tmp_path)
    assert bad.returncode == 2 and "1900" in bad.stderr


def test_track_record_needs_dates(store, cordis_sample):
    from service.linkprediction import track_record
    from service.usecases import Context

    dataset, _ = read_cordis(cordis_sample)
    store.write(dataset, kind="cordis")
    record = track_record(Context(store))
    assert record["available"] is False and "no start dates" in record["reason"]


def test_demo_recommendations_keep_their_shape(store, tmp_path):
    from service import usecases as uc

    write_demo_bundle(tmp_path / "demo")
    store.write(read_bundle(tmp_path / "demo"), kind="demo", synthetic=True)
    ctx = uc.Context(store)
    graph = ctx.graph(None)
    handle = graph.graph["link_model"]
    assert not handle.known and not ctx.is_cached("link-model", ())  # read on first use
    items = uc.recommendations(ctx, "mnc-a001", top=10)
    assert ctx.is_cached("link-model", ())  # outside the service: fitted when first needed
    assert handle.get() is not None, handle.error
    assert 0 < len(items) <= 10
    # the ecosystem's graph and the compact per-version data rank alike
    assert [r["id"] for r in recommend(graph, "mnc-a001", top=10)] == [r["id"] for r in items]
    legacy = {"id", "name", "kind", "score", "distance", "complementary", "shared_partners",
              "n_shared_partners", "bridges_communities", "cluster_effects",
              "shared_clusters", "bridges_clusters", "communities", *L_SCORES}
    for item in items:
        assert legacy <= set(item)
        assert item["ranking"] == handle.get()[1].choice  # the validated ranking
        assert isinstance(item["why"], str) and item["why"]
        if item["n_shared_partners"]:
            assert item["reasons"][0].startswith(f"{item['n_shared_partners']} shared partner")
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
