"""The explorer's pages on the demo ecosystem: tabs, filters, details, exports, errors, i18n.

Figures are checked against independent Cypher where the page states a count.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from support import cypher_rows as _cypher

TABS = ("network", "scorecard", "evolution", "communities", "links")



def _payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="network-data">(.*?)</script>',
                      html, re.S)
    assert match, "the page carries no network data"
    return json.loads(match.group(1))


def _get(client, url, status=200, **kw):
    response = client.get(url, **kw)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:2000])
    return response.get_data(as_text=True)


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if tag in ("script", "link", "img") and attrs.get(key):
                self.urls.append(attrs[key])


@pytest.fixture(scope="module")
def members(demo_store):
    return {r["id"]: r for r in _cypher(demo_store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'})
        RETURN a.id AS id, a.name AS name, a.kind AS kind""")}


# ----------------------------------------------------------------------------------------
# Tabs
# ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_with_accessible_tab_links(client, tab):
    html = _get(client, f"/clusters/mnc?tab={tab}")
    selected = re.findall(r'<a role="tab" id="tab-(\w+)"[^>]*aria-selected="true"', html)
    assert selected == [tab]
    assert len(re.findall(r'role="tab"', html)) == len(TABS)
    assert f'role="tabpanel" aria-labelledby="tab-{tab}"' in html
    assert "Synthetic data." in html and "synthetic data" in html


def test_unknown_tab_is_a_400(client):
    html = _get(client, "/clusters/mnc?tab=nope", 400)
    assert "tab: must be one of" in html


def test_network_options_recolour_resize_and_filter(client, members):
    full = _payload(_get(client, "/clusters/mnc"))
    assert len(full["nodes"]) == len(members)
    kinds = {m["kind"] for m in members.values()}
    kind = sorted(kinds)[0]
    filtered = _payload(_get(client, f"/clusters/mnc?tab=network&kinds={kind}"))
    assert {n["id"] for n in filtered["nodes"]} == {
        i for i, m in members.items() if m["kind"] == kind}

    by_community = _payload(_get(client, "/clusters/mnc?color=community&size=pagerank"))
    assert {n["color"] for n in by_community["nodes"]} != {n["color"] for n in full["nodes"]}
    biggest = max(by_community["nodes"], key=lambda n: n["pagerank"])
    assert biggest["size"] == max(n["size"] for n in by_community["nodes"])

    heavy = _payload(_get(client, "/clusters/mnc?min_weight=2"))
    assert all(e["value"] >= 2 for e in heavy["edges"])
    assert len(heavy["edges"]) < len(full["edges"])


def test_year_range_filter_keeps_only_projects_in_range(client, demo_store):
    ties = _cypher(demo_store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}),
              (b:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}),
              (a)-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b)
        WHERE a.id < b.id AND p.start_year >= 2012 AND p.start_year <= 2013
        RETURN a.id AS a, b.id AS b, count(DISTINCT p) AS shared""")
    payload = _payload(_get(client, "/clusters/mnc?years=2012-2013"))
    assert {(e["from"], e["to"]): e["value"] for e in payload["edges"]} == {
        (t["a"], t["b"]): t["shared"] for t in ties}


@pytest.mark.parametrize("query, message", [
    ("years=2014-2012", "years: the range ends (2012) before it starts (2014)"),
    ("years=abc", "years: must look like 2011-2013, got &#39;abc&#39;"),
    ("years=1850-2012", "years: years must be between 1900 and 2100, got 1850"),
    ("kinds=robot", "kinds: unknown kind &#39;robot&#39;"),
    ("min_weight=0", "min_weight: must be between 1 and 10000, got 0"),
    ("min_weight=two", "min_weight: must be a whole number, got &#39;two&#39;"),
    ("color=rainbow", "color: must be one of kind, cluster, community"),
    ("size=height", "size: must be one of"),
    ("suggest=maybe", "suggest: must be true or false, got &#39;maybe&#39;"),
    ("start=2012&end=2013", "start: this parameter is now years=START-END"),
    ("kind=sme", "kind: this parameter is now kinds=KIND,KIND"),
])
def test_bad_network_parameters_are_400_pages(client, query, message):
    html = _get(client, f"/clusters/mnc?tab=network&{query}", 400)
    assert message in html
    assert "Invalid request" in html


def test_bad_parameters_as_problem_json(client):
    response = client.get("/clusters/mnc?format=json&years=2014-2012")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"].endswith("/bad-parameter") and "before it starts" in body["detail"]
    assert body["parameter"] == "years"
    ok = client.get("/clusters/mnc?format=json&kinds=sme").get_json()
    assert ok["network"]["nodes"] and all(n["kind"] == "sme" for n in ok["network"]["nodes"])


def test_suggested_ties_overlay_as_dashed_edges(client):
    payload = _payload(_get(client, "/clusters/mnc?suggest=1"))
    dashed = [e for e in payload["edges"] if e.get("suggested")]
    assert dashed and all(e["dashes"] is True for e in dashed)
    drawn = {(e["from"], e["to"]) for e in payload["edges"] if not e.get("suggested")}
    assert not {(e["from"], e["to"]) for e in dashed} & drawn  # new ties only


def test_aggregate_view_draws_super_nodes(client, members):
    payload = _payload(_get(client, "/clusters/mnc?view=aggregate"))
    assert all(n["id"].startswith("group:") for n in payload["nodes"])
    assert sum(n["members"] for n in payload["nodes"]) == len(members)


def test_scorecard_has_bars_hover_definitions_and_status_words(client):
    html = _get(client, "/clusters/mnc?tab=scorecard")
    assert 'id="scorecard-table"' in html
    assert re.search(r'<abbr class="explained" title="[^"]+Data: [^"]+"', html)
    assert 'class="bar"' in html
    assert re.search(r'class="status status-\w+">(Achieved|On track|Behind|Missed|No data|'
                     r'For information|Not started)<', html)
    printable = _get(client, "/clusters/mnc/scorecard/print")
    assert "print.css" in printable and 'id="scorecard-table"' in printable
    assert "Synthetic data." in printable


def test_evolution_charts_with_their_tables(client, demo_store):
    html = _get(client, "/clusters/mnc?tab=evolution")
    assert html.count('<svg class="chart"') == 4
    assert 'id="evolution-table"' in html and 'aria-describedby="evolution-table"' in html
    rows = list(csv.reader(io.StringIO(
        _get(client, "/clusters/mnc?tab=evolution&format=csv").lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    last = dict(zip(header, body[-1], strict=True))
    ties = _cypher(demo_store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}),
              (b:Actor)-[:MEMBER_OF]->(:Cluster {id: 'mnc'}),
              (a)-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b)
        WHERE a.id < b.id AND p.start_year IS NOT NULL
        RETURN count(DISTINCT [a.id, b.id]) AS n""")[0]["n"]
    assert int(last["ties"]) == ties  # cumulative: every tie by the last year
    joined = _cypher(demo_store, """
        MATCH (:Actor)-[m:MEMBER_OF]->(:Cluster {id: 'mnc'}) WHERE m.since IS NOT NULL
        RETURN count(*) AS n""")[0]["n"]
    assert sum(int(r[header.index("members_joined")]) for r in body) == joined


def test_communities_tab(client, demo_store):
    html = _get(client, "/clusters/mnc?tab=communities")
    for element in ("fig-nmi", "fig-ari", "brokers-table", "communities-table"):
        assert f'id="{element}"' in html
    isolated = _cypher(demo_store, """
        MATCH (a:Actor)-[:MEMBER_OF]->(c:Cluster {id: 'mnc'})
        WHERE NOT EXISTS {
          MATCH (a)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(b:Actor)-[:MEMBER_OF]->(c)
          WHERE b <> a }
        RETURN a.id AS id""")
    rows = list(csv.reader(io.StringIO(_get(
        client, "/clusters/mnc?tab=communities&format=csv&table=isolated").lstrip("\ufeff"))))
    assert {r[0] for r in rows[1:]} == {r["id"] for r in isolated}


def test_links_tab_ranks_pairs_of_members_and_runs_what_if(client, members, demo_store):
    html = _get(client, "/clusters/mnc?tab=links")
    assert 'id="links-table"' in html
    rows = list(csv.reader(io.StringIO(
        _get(client, "/clusters/mnc?tab=links&format=csv").lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert body
    tied = {(r["a"], r["b"]) for r in _cypher(demo_store, """
        MATCH (a:Actor)-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(b:Actor)
        WHERE a.id < b.id RETURN DISTINCT a.id AS a, b.id AS b""")}
    for row in body:
        u, v = row[header.index("u")], row[header.index("v")]
        assert u in members and v in members and (u, v) not in tied
    scores = [float(r[header.index("score")]) for r in body]
    assert scores == sorted(scores, reverse=True)

    u, v = body[0][header.index("u")], body[0][header.index("v")]
    whatif = _get(client, f"/clusters/mnc?tab=links&u={u}&v={v}")
    assert 'id="whatif-table"' in whatif
    ties_row = re.search(r"<th scope=\"row\">Ties</th><td class=\"num\">(\d+)</td>"
                         r"<td class=\"num\">(\d+)</td>", whatif)
    assert int(ties_row.group(2)) == int(ties_row.group(1)) + 1

    kind = members[u]["kind"]
    filtered = list(csv.reader(io.StringIO(_get(
        client, f"/clusters/mnc?tab=links&format=csv&kind={kind}").lstrip("\ufeff"))))[1:]
    assert filtered and all(kind in (r[header.index("u_kind")], r[header.index("v_kind")])
                            for r in filtered)
    assert "is not a member" in _get(client, "/clusters/mnc?tab=links&u=nobody&v=" + v, 400)


# ----------------------------------------------------------------------------------------
# Actor, project, compare
# ----------------------------------------------------------------------------------------
def test_actor_page(client, demo_store):
    partners = _cypher(demo_store, """
        MATCH (:Actor {id: 'mnc-a001'})-[:PARTICIPATES_IN]->(:Project)<-[:PARTICIPATES_IN]-(b)
        RETURN count(DISTINCT b) AS n""")[0]["n"]
    html = _get(client, "/actors/mnc-a001")
    payload = _payload(html)
    assert len(payload["nodes"]) == partners + 1
    assert [n["id"] for n in payload["nodes"] if n.get("focus")] == ["mnc-a001"]
    for element in ("ranks-table", "partners-table", "projects-table"):
        assert f'id="{element}"' in html
    assert html.count('<tr><td><a href="/actors/') >= partners
    assert "Synthetic data." in html
    two = _payload(_get(client, "/actors/mnc-a001?hops=2"))
    assert len(two["nodes"]) > len(payload["nodes"])
    assert "hops: must be between 1 and 2, got 5" in _get(client, "/actors/mnc-a001?hops=5", 400)


def test_project_page(client, demo_store):
    project = _cypher(demo_store, """
        MATCH (p:Project)<-[:PARTICIPATES_IN]-(a:Actor)
        WITH p, count(a) AS n ORDER BY n DESC, p.id LIMIT 1
        RETURN p.id AS id, n""")[0]
    html = _get(client, f"/projects/{project['id']}")
    assert f'<dd id="fig-partners">{project["n"]}</dd>' in html
    assert 'id="consortium-table"' in html and "Synthetic data." in html


@pytest.mark.parametrize("url, what", [("/actors/nobody", "actor"),
                                       ("/projects/none", "project"),
                                       ("/clusters/zzz?tab=links", "cluster"),
                                       ("/clusters/zzz/scorecard/print", "cluster"),
                                       ("/compare?clusters=mnc,zzz", "cluster")])
def test_unknown_ids_are_helpful_404_pages(client, url, what):
    html = _get(client, url, 404)
    assert f"There is no {what} with id" in html
    assert "Maroc Numeric Cluster" in html  # a way back


def test_compare_clusters(client):
    html = _get(client, "/compare?clusters=mnc,ce3m")
    assert 'id="compare-table"' in html
    assert html.count('class="zrow"') == 4
    assert "Synthetic data." in html
    assert "name at least two clusters" in _get(client, "/compare?clusters=mnc", 400)
    same = _get(client, "/compare?clusters=mnc&clusters=ce3m")  # the form's checkboxes
    assert 'id="compare-table"' in same
    assert 'class="compare-pick"' in _get(client, "/compare")
    rows = list(csv.reader(io.StringIO(
        _get(client, "/compare?clusters=mnc,ce3m&format=csv").lstrip("\ufeff"))))
    assert rows[0] == ["figure", "mnc", "ce3m"]


# ----------------------------------------------------------------------------------------
# Exports, assets, i18n
# ----------------------------------------------------------------------------------------
def test_actor_table_as_csv(client, members):
    response = client.get("/clusters/mnc?format=csv&table=actors")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r[1] for r in rows[1:]} == set(members)
    assert "table: must be one of" in _get(client, "/clusters/mnc?format=csv&table=x", 400)
    home = client.get("/?format=csv").get_data(as_text=True)
    assert "Maroc Numeric Cluster" in home


@pytest.mark.parametrize("url", ["/clusters/mnc?tab=evolution", "/actors/mnc-a001",
                                 "/clusters/mnc/scorecard/print", "/compare"])
def test_assets_are_served_by_the_app(client, url):
    parser = _Assets()
    parser.feed(_get(client, url))
    for asset in parser.urls:
        assert asset.startswith("/"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_language_from_accept_language_and_cookie(client):
    html = _get(client, "/clusters/mnc?tab=evolution", headers={"Accept-Language": "fr-FR,fr"})
    assert '<html lang="fr">' in html
    assert "Évolution" in html and "Données synthétiques." in html
    density = re.search(r'<th scope="row">\d{4}</th><td class="num">([^<]+)</td>', html)
    assert "," in density.group(1) and "." not in density.group(1)  # 0,123 in French

    response = client.get("/lang/fr?next=/clusters/mnc")
    assert response.status_code == 302 and response.headers["Location"].endswith("/clusters/mnc")
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert '<html lang="fr">' in _get(client, "/")
    client.get("/lang/en?next=https://evil.example/")
    assert '<html lang="en">' in _get(client, "/", headers={"Accept-Language": "fr"})
    assert client.get("/lang/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/lang/xx").status_code == 404


def test_a_hub_page_shows_its_strongest_ties_and_pages_its_tables(client, demo_store,
                                                                  monkeypatch):
    """A hub's page draws its strongest ties ("showing N of M") with a way to widen, and its
    partner and project tables come a page at a time (the CSV keeps every row)."""
    from service.usecases import profiles

    monkeypatch.setattr(profiles, "EGO_PARTNERS", 3)
    monkeypatch.setattr(profiles, "EGO_CHOICES", (3, 500, 2000))
    monkeypatch.setattr(profiles, "PER_PAGE", 5)
    hub = _cypher(demo_store, """
        MATCH (a:Actor)-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b:Actor)
        WITH a, count(DISTINCT b) AS n ORDER BY n DESC, a.id LIMIT 1
        RETURN a.id AS id, n""")[0]
    strongest = _cypher(demo_store, """
        MATCH (a:Actor {id: $id})-[:PARTICIPATES_IN]->(p:Project)<-[:PARTICIPATES_IN]-(b)
        WITH b, count(DISTINCT p) AS shared, b.name AS name
        RETURN b.id AS id ORDER BY shared DESC, name, b.id LIMIT 3""", id=hub["id"])
    html = _get(client, f"/actors/{hub['id']}")
    payload = _payload(html)
    assert {n["id"] for n in payload["nodes"]} == {hub["id"]} | {r["id"] for r in strongest}
    assert 'id="ego-shown"' in html and f"of {hub['n']} partners" in html
    assert "ego=500" in html
    rows = re.findall(r'<tr><td><a href="/actors/([^"]+)"', html)
    assert rows[:3] == [r["id"] for r in strongest] and len(rows) == 5
    assert f"Rows 1–5 of {hub['n']}" in html
    second = _get(client, f"/actors/{hub['id']}?partners_page=2")
    assert re.findall(r'<tr><td><a href="/actors/([^"]+)"', second)[0] not in rows
    wide = _payload(_get(client, f"/actors/{hub['id']}?ego=500"))
    assert len(wide["nodes"]) == hub["n"] + 1
    csv_rows = _get(client, f"/actors/{hub['id']}?format=csv&table=partners").strip()
    assert len(csv_rows.splitlines()) == hub["n"] + 1
    assert "partners_page: must be between 1 and" in _get(
        client, f"/actors/{hub['id']}?partners_page=999", 400)
    assert "ego: must be one of 3, 500, 2000" in _get(
        client, f"/actors/{hub['id']}?ego=7", 400)


def test_the_track_record_shows_on_the_links_tab_the_actor_page_and_the_api(client):
    """The demo's projects are dated: its own back-test gives a track record, the same
    numbers on the links tab, the actor page and the API."""
    record = client.get("/api/v1/track-record").get_json()
    assert record["available"] is True and record["k"] == 10 and record["years"] == 2
    assert 0 <= record["recommender"] <= 10 and 0 <= record["common_neighbors"] <= 10
    expected = (f"{record['recommender']:.1f} of 10 suggestions became partners within 2 "
                f"years; common partners alone: {record['common_neighbors']:.1f}")
    for url in ("/clusters/mnc?tab=links", "/actors/mnc-a001"):
        html = _get(client, url)
        assert 'id="track-record"' in html and expected in html, url
    api = client.get("/api/v1/actors/mnc-a001/recommendations?top=3").get_json()
    assert api["track_record"] == record
    links = client.get("/api/v1/clusters/mnc/links?top=3").get_json()
    assert links["track_record"] == record
