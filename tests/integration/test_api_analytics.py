"""The analytics JSON endpoints on the demo: values cross-checked, errors as problem+json."""

from __future__ import annotations

import networkx as nx
import pytest
from helpers import api_client


@pytest.fixture(scope="module")
def client(demo_graph, make_app):
    return api_client(make_app(), "evaluator")


def _member_graph(store, cluster_id):
    records, _, _ = store.driver.execute_query("""
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $c})
        OPTIONAL MATCH (a)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(b:Actor)
              -[:MEMBER_OF]->(:Cluster {id: $c})
        RETURN a.id AS a, collect(DISTINCT b.id) AS partners""", {"c": cluster_id},
        database_=store.database)
    graph = nx.Graph()
    for r in records:
        graph.add_node(r["a"])
        graph.add_edges_from((r["a"], b) for b in r["partners"])
    return graph


def test_metrics_endpoint_is_cached_and_matches_networkx(client, session_store):
    first = client.get("/api/v1/clusters/mmc/metrics?null_runs=3")
    assert first.status_code == 200
    graph = _member_graph(session_store, "mmc")
    body = first.get_json()
    assert body["cohesion"]["edges"] == graph.number_of_edges()
    assert body["cohesion"]["transitivity"] == pytest.approx(nx.transitivity(graph))
    again = client.get("/api/v1/clusters/mmc/metrics?null_runs=3")
    assert again.get_json() == body
    assert client.application.extensions["synergraph"].cache.hits >= 1


def test_bad_parameters_are_400_problems(client):
    for url in ("/api/v1/clusters/mmc/metrics?null_runs=x",
                "/api/v1/clusters/mmc/metrics?null_runs=-1",
                "/api/v1/actors/mnc-a001/recommendations?top=0",
                "/api/v1/clusters/mmc/evolution?window=abc"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["type"].endswith("/bad-parameter")


def test_unknown_ids_are_404_problems(client):
    for url in ("/api/v1/clusters/zz/metrics", "/api/v1/clusters/zz/scorecard",
                "/api/v1/clusters/zz/synergy", "/api/v1/countries/QQ/communities",
                "/api/v1/actors/zz/recommendations"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["type"].endswith("/not-found")


def test_what_if_adding_a_tie(client, session_store):
    graph = _member_graph(session_store, "ce3m")
    u, v = next((a, b) for a in sorted(graph) for b in sorted(graph)
                if a < b and not graph.has_edge(a, b) and graph.degree(a) and graph.degree(b))
    response = client.post("/api/v1/clusters/ce3m/whatif",
                           json={"changes": [{"op": "add_tie", "u": u, "v": v}]})
    assert response.status_code == 200
    body = response.get_json()
    n = graph.number_of_nodes()
    assert body["before"]["n_edges"] == graph.number_of_edges()
    assert body["after"]["n_edges"] == graph.number_of_edges() + 1
    assert body["delta"]["density"] == pytest.approx(2 / (n * (n - 1)))
    bad = client.post("/api/v1/clusters/ce3m/whatif", json={"changes": [{"op": "explode"}]})
    assert bad.status_code == 400
    missing = client.post("/api/v1/clusters/ce3m/whatif",
                          json={"changes": [{"op": "add_tie", "u": "nobody", "v": v}]})
    assert missing.status_code == 400 and "nobody" in missing.get_json()["detail"]


def test_communities_against_declared_clusters(client, session_store):
    body = client.get("/api/v1/communities").get_json()
    agreement = body["agreement"]
    assert 0.0 <= agreement["nmi"] <= 1.0 and -1.0 <= agreement["ari"] <= 1.0
    records, _, _ = session_store.driver.execute_query("""
        MATCH (a:Actor) OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)
        WITH a, count(c) AS n
        RETURN count(a) AS actors, sum(CASE n WHEN 1 THEN 1 ELSE 0 END) AS one
        """, database_=session_store.database)
    # Every actor of the ecosystem is placed in a community; actors of exactly one
    # cluster are compared with their declared cluster.
    assert sum(c["size"] for c in body["communities"]) == records[0]["actors"]
    assert sum(len(c["members"]) for c in body["communities"]) == records[0]["actors"]
    assert agreement["n"] == records[0]["one"]


def test_evolution_and_synergy(client):
    evolution = client.get("/api/v1/clusters/mnc/evolution").get_json()
    years = [row["year"] for row in evolution["years"]]
    assert years == sorted(years) and years[0] >= 2011
    edges = [row["n_edges"] for row in evolution["years"]]
    assert edges == sorted(edges)  # cumulative graphs only grow
    synergy = client.get("/api/v1/clusters/mnc/synergy").get_json()
    mix = synergy["project_mix"]
    assert 0 <= mix["share_company_research"] <= 1
    assert mix["company_research"] <= mix["n_collaborative"] <= mix["n_projects"]


def test_actor_list_is_paginated_and_filtered(client, session_store):
    records, _, _ = session_store.driver.execute_query(
        "MATCH (a:Actor {kind: 'sme'})-[:MEMBER_OF]->(:Cluster {id: 'mnc'}) "
        "RETURN a.id AS id ORDER BY id", database_=session_store.database)
    expected = [r["id"] for r in records]
    seen = []
    url = "/api/v1/actors?kind=sme&cluster=mnc&per_page=7"
    while url:
        body = client.get(url).get_json()
        assert body["total"] == len(expected)
        assert body["pages"] == -(-len(expected) // 7)
        seen += [item["id"] for item in body["items"]]
        url = body["links"].get("next")
    assert seen == expected


def test_actor_and_project_details(client, session_store):
    actor = client.get("/api/v1/actors/mnc-a001").get_json()
    records, _, _ = session_store.driver.execute_query(
        "MATCH (:Actor {id: 'mnc-a001'})-[:PARTICIPATES_IN]->(p:Project) RETURN p.id AS id",
        database_=session_store.database)
    assert sorted(p["id"] for p in actor["projects"]) == sorted(r["id"] for r in records)
    project_id = actor["projects"][0]["id"]
    project = client.get(f"/api/v1/projects/{project_id}").get_json()
    assert "mnc-a001" in {p["id"] for p in project["participants"]}
    assert client.get("/api/v1/projects/nope").status_code == 404


def test_project_consortia_mix(client, session_store):
    body = client.get("/api/v1/clusters/mmc/projects").get_json()
    records, _, _ = session_store.driver.execute_query("""
        MATCH (:Cluster {id: 'mmc'})<-[:MEMBER_OF]-(:Actor)-[:PARTICIPATES_IN]->(p:Project)
        WITH DISTINCT p
        MATCH (p)<-[:PARTICIPATES_IN]-(a:Actor)
        OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)
        RETURN p.id AS id, count(DISTINCT a) AS participants, collect(DISTINCT c.id) AS clusters
        """, database_=session_store.database)
    expected = {r["id"]: r for r in records}
    assert {item["id"] for item in body["items"]} == set(expected)
    for item in body["items"]:
        assert item["participants"] == expected[item["id"]]["participants"]
        assert set(item["clusters"]) == set(expected[item["id"]]["clusters"])
        assert item["bridges_clusters"] == (len(expected[item["id"]]["clusters"]) >= 2)
        assert sum(item["kinds"].values()) == item["participants"]
    assert any(item["bridges_clusters"] for item in body["items"])
