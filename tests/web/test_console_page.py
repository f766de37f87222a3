"""The console page and the console API on the demo ecosystem (real Neo4j, no JavaScript)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from support import cypher_rows as _cypher

from graph_schema.console import EXAMPLES
from web.console import _props, console_network

DENSITY = next(e for e in EXAMPLES if e["id"] == "cluster-density")


@pytest.fixture(scope="module")
def console_app(app):
    """The app with the console and export blueprints (registered here until create_app
    does it)."""
    from service.api.cypher import cypher_blueprint
    from service.api.exports import exports_blueprint
    from web.console import console_blueprint

    for blueprint in (cypher_blueprint, exports_blueprint, console_blueprint):
        if blueprint.name not in app.blueprints:
            app.register_blueprint(blueprint)
    return app


@pytest.fixture
def client(console_app, sign_in):
    """A researcher: the console is for researchers and admins."""
    return sign_in(console_app, console_app.test_client(), "researcher")


@pytest.fixture
def limits(console_app):
    """Change the console's limits for one test."""
    saved = {k: console_app.config.get(k)
             for k in ("SYNERGRAPH_CYPHER_TIMEOUT_S", "SYNERGRAPH_CYPHER_ROW_LIMIT",
                       "SYNERGRAPH_CYPHER_MAX_BYTES")}
    yield console_app.config
    console_app.config.update(saved)



class _Page(HTMLParser):
    """Assets, table cells and the textarea contents of a page."""

    def __init__(self):
        super().__init__()
        self.urls, self.headers, self.rows = [], [], []
        self.textareas: dict[str, str] = {}
        self._area = None
        self._cell = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag == "textarea":
            self._area = attrs["name"]
            self.textareas[self._area] = ""
        if tag == "table" and attrs.get("id") == "result-table":
            self._in_table = True
        if self._in_table and tag == "tr":
            self.rows.append([])
        if self._in_table and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._area = None
        if tag == "table":
            self._in_table = False
        if self._in_table and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._area:
            self.textareas[self._area] += data
        if self._cell is not None:
            self._cell += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


# -- the page -------------------------------------------------------------------------
def test_console_page_shows_editor_examples_and_schema(client, demo_store):
    response = client.get("/console")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = _parse(html)
    assert set(page.textareas) == {"query", "parameters"}
    for ex in EXAMPLES:
        assert f'value="{ex["id"]}"' in html
    actors = _cypher(demo_store, "MATCH (a:Actor) RETURN count(a) AS n")[0]["n"]
    assert re.search(rf'data-insert=":Actor">:Actor</button> <span class="muted">{actors:,}<',
                     html)
    assert "[:PARTICIPATES_IN]" in html
    for url in page.urls:
        assert url.startswith("/"), url
        with client.get(url) as asset:
            assert asset.status_code == 200, url
    assert "/static/console.js" in page.urls


def test_example_link_prefills_the_editor_without_running(client):
    html = client.get("/console?example=cluster-density").get_data(as_text=True)
    page = _parse(html)
    assert page.textareas["query"] == DENSITY["query"]
    assert json.loads(page.textareas["parameters"]) == DENSITY["parameters"]
    assert 'id="results"' not in html
    assert DENSITY["description"] in html


def test_run_renders_the_table_server_side(client, demo_store):
    response = client.post("/console", data={
        "query": "MATCH (c:Cluster) RETURN c.id AS id, c.name AS name ORDER BY id",
        "parameters": "", "action": "run"})
    assert response.status_code == 200
    page = _parse(response.get_data(as_text=True))
    expected = _cypher(demo_store, "MATCH (c:Cluster) RETURN c.id AS id, c.name AS name "
                                   "ORDER BY id")
    assert page.rows[0] == ["id", "name"]
    assert page.rows[1:] == [[r["id"], r["name"]] for r in expected]
    # the editor keeps the query
    assert page.textareas["query"].startswith("MATCH (c:Cluster)")


def test_run_an_example_with_parameters(client, demo_store):
    response = client.post("/console", data={
        "query": DENSITY["query"], "parameters": json.dumps({"a": "mnc", "b": "mmc"}),
        "action": "run"})
    assert response.status_code == 200
    page = _parse(response.get_data(as_text=True))
    header, row = page.rows[0], page.rows[1]
    values = dict(zip(header, row, strict=True))
    assert values["cluster_a"] == "Maroc Numeric Cluster"
    assert 0 <= float(values["density"]) <= 1 and int(values["possible"]) > 0


def test_nodes_are_drawn_as_a_network(client, demo_store):
    network_example = next(e for e in EXAMPLES if e["id"] == "cluster-project-network")
    response = client.post("/console", data={
        "query": network_example["query"],
        "parameters": json.dumps(network_example["parameters"]), "action": "run"})
    html = response.get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="console-network-data">(.*?)'
                      r"</script>", html, re.S)
    assert match, "no network drawn"
    payload = json.loads(match.group(1))
    expected = _cypher(demo_store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $c})
        MATCH (a)-[r:PARTICIPATES_IN]->(p:Project)
        RETURN count(DISTINCT a) + count(DISTINCT p) AS nodes, count(r) AS rels""",
                       c=network_example["parameters"]["cluster"])[0]
    assert len(payload["nodes"]) == expected["nodes"]
    assert len(payload["edges"]) == expected["rels"]
    assert payload["options"]["physics"]["enabled"] is False
    assert "vis-network.min.js" in html
    shapes = {n["shape"] for n in payload["nodes"]}
    assert "triangleDown" in shapes  # projects


def test_relationships_alone_draw_stand_in_ends(client):
    response = client.post("/console", data={
        "query": "MATCH (:Actor)-[r:MEMBER_OF]->(:Cluster {id: 'mnc'}) RETURN r LIMIT 3"})
    html = response.get_data(as_text=True)
    match = re.search(r'id="console-network-data">(.*?)</script>', html, re.S)
    payload = json.loads(match.group(1))
    assert len(payload["edges"]) == 3
    assert len(payload["nodes"]) == 4  # three members and the cluster, known by id only
    assert {e["label"] for e in payload["edges"]} == {"MEMBER_OF"}


def test_provenance_is_not_shown_as_data(client, demo_store):
    """The results table and the network's tooltips show a row's data, not what every load
    writes on it (graph_schema.model.PROVENANCE): a shared row's ``sources`` too."""
    props = {"id": "a1", "name": "Atlas", "source": "s1", "sources": ["s1", "s2"],
             "load_id": "l1", "loaded_at": "2026-01-01T00:00:00Z"}
    assert json.loads(_props(props)) == {"id": "a1", "name": "Atlas"}
    title = console_network([{"id": "a1", "labels": ["Actor"], "properties": props}],
                            [])["nodes"][0]["title"]
    assert title.splitlines() == ["Actor", "id: a1", "name: Atlas"]
    # and on a real row the load wrote: its name is shown, its load is not
    actor = _cypher(demo_store, "MATCH (a:Actor) WHERE a.load_id IS NOT NULL "
                                "RETURN a.id AS id, a.name AS name, a.load_id AS load_id "
                                "ORDER BY a.id LIMIT 1")[0]
    html = client.post("/console", data={
        "query": "MATCH (a:Actor {id: $id}) RETURN a",
        "parameters": json.dumps({"id": actor["id"]}), "action": "run"}).get_data(as_text=True)
    table = html.split('id="console-network-data"')[0]
    assert actor["name"] in table or json.dumps(actor["name"])[1:-1] in table
    assert actor["load_id"] not in table


def test_refused_and_failing_queries_show_an_error(client, demo_store, limits):
    before = _cypher(demo_store, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    response = client.post("/console", data={"query": "MATCH (n) DETACH DELETE n",
                                              "parameters": "{}", "action": "run"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-kind="refused-statement"' in html and "DETACH DELETE" in html
    assert _cypher(demo_store, "MATCH (n) RETURN count(n) AS n")[0]["n"] == before

    response = client.post("/console", data={"query": "MATCH (n RETURN n", "action": "run"})
    assert response.status_code == 400
    assert 'data-kind="cypher-error"' in response.get_data(as_text=True)

    response = client.post("/console", data={"query": "RETURN $x", "parameters": "[1, 2]"})
    assert response.status_code == 400
    assert "must be a JSON object" in response.get_data(as_text=True)
    response = client.post("/console", data={"query": "RETURN $x", "parameters": "{x: 1}"})
    assert response.status_code == 400
    assert "not valid JSON" in response.get_data(as_text=True)

    limits["SYNERGRAPH_CYPHER_TIMEOUT_S"] = "0.5"
    response = client.post("/console", data={
        "query": "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 99 RETURN count(x)"})
    assert response.status_code == 504
    assert 'data-kind="query-timeout"' in response.get_data(as_text=True)


def test_user_text_is_escaped(client):
    hostile = "RETURN '</textarea><script>alert(1)</script>' AS x"
    response = client.post("/console", data={"query": hostile, "action": "run"})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    page = _parse(html)
    assert page.textareas["query"] == hostile
    assert page.rows[1] == ["</textarea><script>alert(1)</script>"]


def test_downloads_from_the_page(client, demo_store):
    query = "MATCH (c:Cluster) RETURN c.id AS id, c.founded_year AS year, c ORDER BY id"
    response = client.post("/console", data={"query": query, "action": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    expected = _cypher(demo_store, "MATCH (c:Cluster) RETURN c.id AS id, c.founded_year AS y "
                                   "ORDER BY id")
    assert rows[0] == ["id", "year", "c"]
    assert [r[:2] for r in rows[1:]] == [[e["id"], str(e["y"]) if e["y"] else ""]
                                         for e in expected]
    assert json.loads(rows[1][2])["labels"] == ["Cluster"]

    response = client.post("/console", data={"query": query, "action": "json"})
    body = json.loads(response.get_data(as_text=True))
    assert body["columns"] == ["id", "year", "c"] and len(body["rows"]) == len(expected)


# -- the API --------------------------------------------------------------------------
def test_api_runs_a_query(client, demo_store):
    response = client.post("/api/v1/cypher", json={
        "query": "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: $c}) RETURN count(a) AS n",
        "parameters": {"c": "mnc"}})
    assert response.status_code == 200
    body = response.get_json()
    expected = _cypher(demo_store, "MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}) "
                                   "RETURN count(a) AS n")[0]["n"]
    assert body["columns"] == ["n"] and body["rows"] == [[expected]]
    assert body["truncated"] is False and isinstance(body["elapsed_ms"], int | float)


def test_api_row_limit_comes_from_the_settings(client, limits):
    limits["SYNERGRAPH_CYPHER_ROW_LIMIT"] = "5"
    body = client.post("/api/v1/cypher", json={"query": "MATCH (a:Actor) RETURN a.id"}).get_json()
    assert len(body["rows"]) == 5 and body["truncated"] is True


@pytest.mark.parametrize(("body", "status", "kind"), [
    ({"query": "CREATE (n) RETURN n"}, 400, "refused-statement"),
    ({"query": "MATCH (n) RETURN n; MATCH (m) RETURN m"}, 400, "refused-statement"),
    ({"query": "MATCH (n RETURN n"}, 400, "cypher-error"),
    ({"query": "RETURN $missing"}, 400, "cypher-error"),
    ({"query": ""}, 400, "bad-request"),
    ({"parameters": {}}, 400, "bad-request"),
    ({"query": "RETURN 1", "parameters": [1]}, 400, "bad-request"),
    (["RETURN 1"], 400, "bad-request"),
])
def test_api_errors_are_problem_json(client, body, status, kind):
    response = client.post("/api/v1/cypher", json=body)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("/" + kind)


def test_api_bad_json_and_timeout(client, limits):
    response = client.post("/api/v1/cypher", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["type"].endswith("/bad-request")
    limits["SYNERGRAPH_CYPHER_TIMEOUT_S"] = "0.5"
    response = client.post("/api/v1/cypher", json={
        "query": "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 99 RETURN count(x)"})
    assert response.status_code == 504
    assert response.get_json()["type"].endswith("/query-timeout")


def test_api_csv_format(client):
    response = client.post("/api/v1/cypher?format=csv", json={
        "query": "UNWIND [[1, 'a,b'], [2, null]] AS r RETURN r[0] AS n, r[1] AS s, "
                 "true AS t, [1, 2] AS l"})
    assert response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["n", "s", "t", "l"], ["1", "a,b", "true", "[1, 2]"], ["2", "", "true", "[1, 2]"]]


def test_api_examples_and_schema(client, demo_store):
    body = client.get("/api/v1/cypher/examples").get_json()
    assert [e["id"] for e in body["items"]] == [e["id"] for e in EXAMPLES]
    schema = client.get("/api/v1/schema").get_json()
    counts = demo_store.counts()
    labels = {row["name"]: row["count"] for row in schema["labels"]}
    assert all(labels[label] == n for label, n in counts["nodes"].items())
    types = {row["name"]: row["count"] for row in schema["relationship_types"]}
    assert types["MEMBER_OF"] == counts["relationships"]["MEMBER_OF"]
    assert "kind" in schema["property_keys"]


def test_byte_limit_comes_from_the_settings(client, demo_store, limits):
    limits["SYNERGRAPH_CYPHER_MAX_BYTES"] = "2000"
    query = "MATCH (a:Actor) RETURN a.id AS id, a.name AS name ORDER BY id"
    body = client.post("/api/v1/cypher", json={"query": query}).get_json()
    assert body["truncated"] is True and body["truncated_reason"] == "bytes"
    assert "2,000 bytes" in body["message"]
    # Independently: rows are kept while their compact JSON (plus a separator) fits.
    expected, total = [], 0
    for row in _cypher(demo_store, query):
        size = len(json.dumps([row["id"], row["name"]], separators=(",", ":"))) + 1
        if total + size > 2000:
            break
        expected.append([row["id"], row["name"]])
        total += size
    assert body["rows"] == expected and 0 < len(expected)
    page = client.post("/console", data={"query": query}).get_data(as_text=True)
    assert "truncated" in page and "2,000 bytes" in page
