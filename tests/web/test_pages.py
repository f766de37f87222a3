"""Pages and JSON endpoints on the demo ecosystem, checked against independent Cypher."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest
from support import cypher_rows as _cypher

CLUSTER_NAMES = ("Maroc Numeric Cluster", "CE3M", "Morocco Microelectronics Cluster",
                 "Océanopôle Tan-Tan")



class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.urls.append(attrs["src"])


def _network_payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="network-data">(.*?)</script>',
                      html, re.S)
    assert match, "the page carries no network data"
    return json.loads(match.group(1))


def test_home_lists_the_four_clusters_with_counts(client, demo_store):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in CLUSTER_NAMES:
        assert name in html
    members = _cypher(demo_store, "MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster {id: 'mnc'}) "
                                  "RETURN count(a) AS n")[0]["n"]
    row = re.search(r'<tr data-cluster-id="mnc">(.*?)</tr>', html, re.S).group(1)
    assert f'<td class="num">{members}</td>' in row
    assert "Synthetic data." in html  # the banner
    assert "synthetic" in row


def test_cluster_page_draws_the_member_network(client, demo_store):
    response = client.get("/clusters/mnc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    payload = _network_payload(html)
    members = {r["id"] for r in _cypher(
        demo_store, "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}) RETURN a.id AS id")}
    ties = _cypher(demo_store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}),
              (b:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}),
              (a)-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b)
        WHERE a.id < b.id
        RETURN a.id AS a, b.id AS b, count(DISTINCT p) AS shared""")
    assert {n["id"] for n in payload["nodes"]} == members
    drawn = {(e["from"], e["to"]): e["value"] for e in payload["edges"]}
    assert drawn == {(t["a"], t["b"]): t["shared"] for t in ties}
    assert len(members) >= 40 and len(ties) > 0

    # Betweenness: recomputed here with networkx from the Cypher edge list.
    graph = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from((t["a"], t["b"]) for t in ties)
    expected = nx.betweenness_centrality(graph)
    for node in payload["nodes"]:
        assert node["betweenness"] == pytest.approx(expected[node["id"]], abs=1e-6)
    # Size grows with betweenness; the top broker is the biggest node.
    top = max(payload["nodes"], key=lambda n: n["betweenness"])
    assert top["size"] == max(n["size"] for n in payload["nodes"])
    # Positions are computed on the server and physics is off.
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in payload["nodes"])
    assert payload["options"]["physics"]["enabled"] is False
    # The page is marked synthetic and the top-actors table lists every member.
    assert "synthetic data" in html
    assert html.count("<tr><td class=\"num\">") == len(members)


def test_every_asset_is_served_by_the_app(client):
    html = client.get("/clusters/mnc").get_data(as_text=True)
    parser = _Assets()
    parser.feed(html)
    assert parser.urls, "no asset found"
    for url in parser.urls:
        assert url.startswith("/"), f"asset not served by the app: {url}"
        with client.get(url) as response:
            assert response.status_code == 200, url
    assert any("vis-network.min.js" in url for url in parser.urls)


def test_unknown_cluster_is_a_helpful_404(client):
    response = client.get("/clusters/no-such-cluster")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "no-such-cluster" in html
    assert "Maroc Numeric Cluster" in html  # a suggestion to follow


def test_api_lists_clusters_and_404s_as_problem_json(client):
    body = client.get("/api/v1/clusters").get_json()
    assert sorted(c["name"] for c in body["items"]) == sorted(CLUSTER_NAMES)
    response = client.get("/api/v1/clusters/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/not-found")


def test_country_page_groups_actors_located_in_the_country(client, demo_store):
    expected = _cypher(demo_store, """
        MATCH (a:Actor)-[:LOCATED_IN]->(:Region)-[:PART_OF*0..3]->(:Region {id: 'MA'})
        RETURN count(DISTINCT a) AS n""")[0]["n"]
    response = client.get("/countries/ma")
    assert response.status_code == 200
    payload = _network_payload(response.get_data(as_text=True))
    assert len(payload["nodes"]) == expected > 0


def test_names_are_escaped_in_the_page(client, demo_store):
    demo_store.driver.execute_query(
        "MATCH (a:Actor {id: 'mnc-a001'}) SET a.name = $name",
        {"name": "</script><script>alert(1)</script>"}, database_=demo_store.database)
    demo_store.driver.execute_query(
        "MATCH (m:Synergraph {id: 'graph'}) SET m.version = m.version + 1",
        database_=demo_store.database)
    html = client.get("/clusters/mnc").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    payload = _network_payload(html)
    assert any(n["label"].startswith("</script>") for n in payload["nodes"])
