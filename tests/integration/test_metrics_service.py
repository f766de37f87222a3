"""Metrics, scorecard and recommendations on the demo, checked against figures computed
here independently (Cypher for the data, networkx for the metrics)."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pytest
from support import cypher_rows as _rows

from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle
from service import usecases as uc
from service.errors import BadParameter
from service.usecases import Context, GroupFilter, GroupRef


def metrics_for(store, ref, *, graph_filter=None, **options):
    return uc.metrics(Context(store), ref, graph_filter, **options)


def cluster_scorecard(store, cluster_id, **options):
    return uc.scorecard(Context(store), cluster_id, **options)


def recommendations_for(store, actor_id, **options):
    return uc.recommendations(Context(store), actor_id, **options)


@pytest.fixture
def demo(store, tmp_path):
    write_demo_bundle(tmp_path / "demo")
    store.write(read_bundle(tmp_path / "demo"), kind="demo", synthetic=True)
    return store



def _member_graph(store, cluster_id: str) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(r["id"] for r in _rows(
        store, "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $c}) RETURN a.id AS id",
        c=cluster_id))
    graph.add_edges_from((r["a"], r["b"]) for r in _rows(store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster {id: $c})<-[:MEMBER_OF]-(b:Actor),
              (a)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(b)
        WHERE a.id < b.id RETURN DISTINCT a.id AS a, b.id AS b""", c=cluster_id))
    return graph


def test_cluster_metrics_match_networkx(demo):
    result = metrics_for(demo, GroupRef("cluster", "ce3m"), null_runs=5)
    graph = _member_graph(demo, "ce3m")
    actors = {row["id"]: row for row in result["actors"]}
    assert set(actors) == set(graph)
    between = nx.betweenness_centrality(graph)
    close = nx.closeness_centrality(graph)
    harmonic = nx.harmonic_centrality(graph)
    clustering = nx.clustering(graph)
    rank = nx.pagerank(graph, weight=None, tol=1e-12, max_iter=10_000)
    for node in graph:
        row = actors[node]
        assert row["degree"] == graph.degree(node)
        assert row["betweenness"] == pytest.approx(between[node], abs=1e-9)
        assert row["closeness"] == pytest.approx(close[node], abs=1e-9)
        assert row["harmonic"] == pytest.approx(harmonic[node], abs=1e-9)
        assert row["clustering"] == pytest.approx(clustering[node], abs=1e-9)
        assert row["pagerank"] == pytest.approx(rank[node], abs=1e-6)
    cohesion = result["cohesion"]
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    assert cohesion["nodes"] == graph.number_of_nodes()
    assert cohesion["edges"] == graph.number_of_edges()
    assert cohesion["density"] == pytest.approx(nx.density(graph))
    assert cohesion["components"] == nx.number_connected_components(graph)
    assert cohesion["largest_component_share"] == pytest.approx(len(giant) / len(graph))
    assert cohesion["average_clustering"] == pytest.approx(nx.average_clustering(graph))
    assert cohesion["transitivity"] == pytest.approx(nx.transitivity(graph))
    assert cohesion["average_path_length"] == pytest.approx(
        nx.average_shortest_path_length(giant))
    assert cohesion["diameter"] == nx.diameter(giant)
    assert result["meta"]["betweenness"]["approximate"] is False


def test_cluster_ei_index_counts_ties_with_outsiders(demo):
    members = {r["id"] for r in _rows(
        demo, "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}) RETURN a.id AS id")}
    pairs = _rows(demo, """
        MATCH (a:Actor)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(b:Actor)
        WHERE a.id < b.id RETURN DISTINCT a.id AS a, b.id AS b""")
    internal = sum(1 for p in pairs if p["a"] in members and p["b"] in members)
    external = sum(1 for p in pairs if (p["a"] in members) != (p["b"] in members))
    result = metrics_for(demo, GroupRef("cluster", "mnc"), null_runs=0)
    assert external > 0
    assert result["cohesion"]["ei_index"] == pytest.approx(
        (external - internal) / (external + internal))


def test_null_model_path_lengths_exact_within_the_budget_and_pivots_above(demo, monkeypatch):
    """The null model's average path lengths are exact while runs x actors x ties fit the
    budget; above it they come from pivots, and the meta says how many and why. The
    pivot estimate of the observed graph stays close to networkx's exact value."""
    from service.usecases import figures

    graph = _member_graph(demo, "ce3m")
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    exact = nx.average_shortest_path_length(giant)
    result = metrics_for(demo, GroupRef("cluster", "ce3m"), null_runs=4)
    meta = result["cohesion"]["null_model_meta"]
    assert meta.get("path_samples") is None and not any("pivots" in n for n in meta["notes"])
    assert result["cohesion"]["null_model"]["average_path_length"]["observed"] == \
        pytest.approx(exact)
    # a budget below 4 runs x n x m: pivots, as many as the budget pays for (at least 32)
    budget = 4 * graph.number_of_nodes() * graph.number_of_edges() // 3
    monkeypatch.setattr(figures, "NULL_PATH_WORK", budget)
    pivots = max(32, budget // (4 * graph.number_of_edges()))
    assert pivots < graph.number_of_nodes()
    result = metrics_for(demo, GroupRef("cluster", "ce3m"), null_runs=4)
    meta = result["cohesion"]["null_model_meta"]
    assert meta["path_samples"] == pivots
    assert any(f"{pivots:,} pivots" in n and f"{budget:,}" in n for n in meta["notes"])
    observed = result["cohesion"]["null_model"]["average_path_length"]["observed"]
    assert observed != exact and abs(observed - exact) < 0.1 * exact
    # the group's own average path length is not the null model's: still exact
    assert result["cohesion"]["average_path_length"] == pytest.approx(exact)


def test_metrics_are_reproducible(demo):
    first = metrics_for(demo, GroupRef("cluster", "mmc"), null_runs=3, seed=7)
    second = metrics_for(demo, GroupRef("cluster", "mmc"), null_runs=3, seed=7)
    assert json.dumps(first, sort_keys=True, default=str) == json.dumps(
        second, sort_keys=True, default=str)


def test_scorecard_against_cypher(demo):
    card = cluster_scorecard(demo, "oceanopole", null_runs=0)
    lines = {line["key"]: line for line in card["lines"]}
    members = _rows(demo, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'oceanopole'})
        RETURN a.kind AS kind, EXISTS { (a)-[:PARTICIPATES_IN]->() } AS active""")
    companies = sum(1 for m in members
                    if m["kind"] in ("company", "large_company", "sme", "startup"))
    assert lines["critical_mass"]["value"] == companies
    assert lines["engagement"]["value"] == pytest.approx(
        sum(m["active"] for m in members) / len(members))
    for indicator in ("patents", "startups", "rd_jobs", "collaborative_projects"):
        target = _rows(demo, """
            MATCH (:Cluster {id: 'oceanopole'})-[:HAS_TARGET]->(t:Target {indicator: $i})
            RETURN t.value AS value, t.period_start AS s, t.period_end AS e""", i=indicator)[0]
        reported = _rows(demo, """
            MATCH (:Cluster {id: 'oceanopole'})-[:REPORTED]->(o:Output {indicator: $i})
            WHERE $s <= o.year <= $e RETURN sum(o.value) AS total""", i=indicator,
            s=target["s"], e=target["e"])[0]["total"]
        line = lines[f"target_{indicator}"]
        assert line["value"] == pytest.approx(reported)
        assert line["detail"]["target"] == target["value"]
        expected_status = "achieved" if reported >= target["value"] else "missed"
        assert line["status"] == expected_status  # the demo's years run past the period
    assert card["synthetic"] is True


def test_recommendations_come_with_explanations(demo):
    items = recommendations_for(demo, "mnc-a001", top=10)
    assert 0 < len(items) <= 10
    neighbours = {r["id"] for r in _rows(demo, """
        MATCH (:Actor {id: 'mnc-a001'})-[:PARTICIPATES_IN]->(:Project)
              <-[:PARTICIPATES_IN]-(b:Actor) RETURN DISTINCT b.id AS id""")}
    for item in items:
        assert item["id"] not in neighbours and item["id"] != "mnc-a001"
        assert item["shared_partners"] or item["distance"] > 2
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)


def test_forked_side_computations_give_the_same_figures(demo, monkeypatch):
    """With two workers (the CLI) the null model and betweenness run in forked processes
    while this one computes the rest: the figures are the same as computed in one process,
    and the forks did happen (their results came from other processes)."""
    import os

    from service import forking
    from service.usecases import figures

    ref = GroupRef("cluster", "ce3m")
    alone = uc.metrics(Context(demo), ref, null_runs=4, seed=3)
    monkeypatch.setattr(figures, "NULL_FORK_MIN_EDGES", 1)
    monkeypatch.setattr(figures, "BETWEENNESS_FORK_MIN_EDGES", 1)
    pids = []
    real = forking.Deferred.__init__

    def spy(self, compute, *, fork):
        def tagged():
            pids.append(os.getpid())  # in the child: not seen by this process's list
            return compute()
        real(self, tagged, fork=fork)
        pids.append(("forked", self.forked))

    monkeypatch.setattr(forking.Deferred, "__init__", spy)
    side = uc.metrics(Context(demo, workers=2), ref, null_runs=4, seed=3)
    assert pids == [("forked", True), ("forked", True)]  # null model, betweenness: elsewhere
    assert json.dumps(side, sort_keys=True, default=str) == json.dumps(
        alone, sort_keys=True, default=str)
    # one worker: nothing forked, the same figures again
    pids.clear()
    again = uc.metrics(Context(demo, workers=1), ref, null_runs=4, seed=3)
    assert pids == [("forked", False), os.getpid()]  # betweenness: here, when asked
    assert json.dumps(again, sort_keys=True, default=str) == json.dumps(
        alone, sort_keys=True, default=str)
    # each side computation has its own threshold: below it, it stays in this process
    pids.clear()
    edges = Context(demo).graph(ref, None).number_of_edges()
    monkeypatch.setattr(figures, "NULL_FORK_MIN_EDGES", edges + 1)
    monkeypatch.setattr(figures, "BETWEENNESS_FORK_MIN_EDGES", edges)
    fourth = uc.metrics(Context(demo, workers=2), ref, null_runs=5, seed=3)
    assert pids == [("forked", False), ("forked", True), os.getpid()]  # null model here
    assert fourth["cohesion"]["null_model_meta"]["runs_requested"] == 5


def test_cli_metrics_json_has_the_documented_keys(demo, neo4j_settings, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "NEO4J_URI": neo4j_settings["NEO4J_URI"],
           "NEO4J_USER": neo4j_settings["NEO4J_USER"],
           "NEO4J_PASSWORD": neo4j_settings["NEO4J_PASSWORD"]}
    out = tmp_path / "m.json"
    done = subprocess.run([sys.executable, "-m", "service", "metrics", "--cluster", "mmc",
                           "--null-runs", "2", "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    for key in ("id", "name", "kind", "degree", "strength", "betweenness", "closeness",
                "harmonic", "eigenvector", "pagerank", "clustering", "constraint", "community"):
        assert key in data["actors"][0]
    for key in ("nodes", "edges", "density", "components", "largest_component_share",
                "average_clustering", "transitivity", "average_path_length", "diameter",
                "modularity", "ei_index"):
        assert key in data["cohesion"]
    bad = subprocess.run([sys.executable, "-m", "service", "metrics", "--cluster", "nope"],
                         env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert bad.returncode == 2 and "nope" in bad.stderr


def test_filters_match_cypher(demo):
    graph_filter = GroupFilter.parse({"years": "2012-2013",
                                      "kinds": "sme,university,large_company"})
    result = metrics_for(demo, GroupRef("cluster", "mnc"), null_runs=0,
                         graph_filter=graph_filter)
    nodes = {r["id"] for r in _rows(demo, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'})
        WHERE a.kind IN ['sme', 'university', 'large_company'] RETURN a.id AS id""")}
    ties = _rows(demo, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'})<-[:MEMBER_OF]-(b:Actor),
              (a)-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b)
        WHERE a.id < b.id AND 2012 <= p.start_year <= 2013
          AND a.kind IN ['sme', 'university', 'large_company']
          AND b.kind IN ['sme', 'university', 'large_company']
        RETURN a.id AS a, b.id AS b, count(DISTINCT p) AS shared""")
    assert {row["id"] for row in result["actors"]} == nodes
    assert result["cohesion"]["edges"] == len(ties) > 0
    assert result["meta"]["filter"]["years"] == [2012, 2013]

    heavy = metrics_for(demo, GroupRef("cluster", "mnc"), null_runs=0,
                        graph_filter=GroupFilter(min_weight=2))
    all_ties = _rows(demo, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'})<-[:MEMBER_OF]-(b:Actor),
              (a)-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b)
        WHERE a.id < b.id RETURN a.id AS a, b.id AS b, count(DISTINCT p) AS shared""")
    assert heavy["cohesion"]["edges"] == sum(1 for t in all_ties if t["shared"] >= 2)
    assert heavy["cohesion"]["nodes"] == _member_graph(demo, "mnc").number_of_nodes()


def test_several_clusters_and_a_programme(demo):
    union = metrics_for(demo, GroupRef("clusters", "mmc,oceanopole"), null_runs=0)
    members = {r["id"] for r in _rows(demo, """
        MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster) WHERE c.id IN ['mmc', 'oceanopole']
        RETURN DISTINCT a.id AS id""")}
    assert {row["id"] for row in union["actors"]} == members
    funded = metrics_for(demo, None, null_runs=0,
                         graph_filter=GroupFilter(programme="no-such-programme"))
    assert funded["cohesion"]["edges"] == 0
    with pytest.raises(BadParameter, match="unknown kind 'wizard'") as info:
        GroupFilter.parse({"kinds": "sme,wizard"})
    assert info.value.name == "kinds"
