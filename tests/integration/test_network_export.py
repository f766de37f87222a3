"""Partnership-network exports (GEXF, GraphML, CSV) of the demo ecosystem in the real Neo4j.

Each file is read back with networkx (or the csv module) and checked against
(a) the analytics' own projection (``Context.graph``), (b) a projection computed here from
the demo bundle's CSV files with the csv module and itertools (no Synergraph code), and
(c) the JSON of the ``synergraph metrics`` command for the same group and filter: every
metric column of every actor is in the file with the same value.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from html import unescape
from itertools import combinations
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import networkx as nx
import pytest
from helpers import api_client, run_cli

from loaders.bundle import read_bundle
from loaders.demo import write_demo_bundle
from service.cli import main as cli_main
from service.usecases import Context, GroupFilter, GroupRef

pytestmark = [pytest.mark.neo4j]

#: (URL prefix, CLI scope flags, filter): clusters, the country and the ecosystem, with and
#: without filters.
CASES = [
    ("/api/v1/clusters/mnc", ["--cluster", "mnc"], {}),
    ("/api/v1/clusters/mnc", ["--cluster", "mnc"],
     {"years": "2012-2013", "kinds": "sme,startup,university,research_lab"}),
    ("/api/v1/clusters/ce3m", ["--cluster", "ce3m"], {"min_weight": "2"}),
    ("/api/v1/countries/MA", ["--country", "MA"], {"years": "2014-2014"}),
    ("/api/v1", [], {"kinds": "university,research_lab,training_centre",
                     "programme": "tatouir"}),
]
IDS = ["mnc", "mnc-filtered", "ce3m-min-weight", "country-MA-2014", "ecosystem-kinds"]
GEXF_NS = {"g": "http://www.gexf.net/1.2draft"}


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("netexport-demo")
    write_demo_bundle(folder, seed=2011)
    return folder


@pytest.fixture(scope="module")
def loaded(session_store, demo_folder):
    session_store.delete_all()
    session_store.write(read_bundle(demo_folder), kind="demo", synthetic=True)
    return session_store


@pytest.fixture(scope="module")
def app(loaded, make_app):
    return make_app()


@pytest.fixture(scope="module")
def client(app):
    """A script's client: a researcher's Bearer token, no session."""
    return api_client(app, "researcher")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def raw(demo_folder) -> dict:
    """The demo bundle's CSV files, read with the csv module."""
    actors = {r["id"]: r for r in _rows(demo_folder / "actors.csv")}
    clusters: dict[str, set[str]] = defaultdict(set)
    for row in _rows(demo_folder / "memberships.csv"):
        clusters[row["actor_id"]].add(row["cluster_id"])
    year = {r["id"]: int(r["start_year"]) if r["start_year"] else None
            for r in _rows(demo_folder / "projects.csv")}
    programmes: dict[str, set[str]] = defaultdict(set)
    for row in _rows(demo_folder / "fundings.csv"):
        programmes[row["project_id"]].add(row["programme_id"])
    pairs = {(r["actor_id"], r["project_id"]) for r in _rows(demo_folder / "participations.csv")}
    return {"actors": actors, "clusters": clusters, "year": year, "programmes": programmes,
            "pairs": pairs}


def independent_projection(raw: dict, members: set[str], flt: dict) -> tuple[set, dict]:
    """``(actors, {(u, v): (weight, first year, last year)})`` of the group's network under
    the filter, from the raw rows: actors of the kinds asked; their participations in
    projects of the years and programme asked; two actors tied by each project they share;
    ties under ``min_weight`` dropped."""
    kinds = set(flt["kinds"].split(",")) if flt.get("kinds") else None
    span = tuple(int(y) for y in flt["years"].split("-")) if flt.get("years") else None
    actors = {a for a in members
              if kinds is None or (raw["actors"][a]["kind"] or "other") in kinds}
    by_project: dict[str, set[str]] = defaultdict(set)
    for actor, project in raw["pairs"]:
        if actor not in actors:
            continue
        year = raw["year"].get(project)
        if span and (year is None or not span[0] <= year <= span[1]):
            continue
        if flt.get("programme") and flt["programme"] not in raw["programmes"][project]:
            continue
        by_project[project].add(actor)
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for project, partners in by_project.items():
        for u, v in combinations(sorted(partners), 2):
            shared[(u, v)].append(project)
    ties = {}
    for pair, projects in shared.items():
        if len(projects) < int(flt.get("min_weight", 1)):
            continue
        years = [raw["year"][p] for p in projects if raw["year"].get(p) is not None]
        ties[pair] = (len(projects), min(years) if years else None,
                      max(years) if years else None)
    return actors, ties


def _members(raw: dict, prefix: str) -> set[str]:
    if prefix.startswith("/api/v1/clusters/"):
        cluster = prefix.rsplit("/", 1)[1]
        return {a for a, cs in raw["clusters"].items() if cluster in cs}
    if prefix.startswith("/api/v1/countries/"):
        country = prefix.rsplit("/", 1)[1]
        return {a for a, r in raw["actors"].items() if r["country"] == country}
    return set(raw["actors"])


def _ref(prefix: str) -> GroupRef | None:
    if prefix == "/api/v1":
        return None
    _, _, _, kind, group_id = prefix.split("/")
    return GroupRef.from_path(kind, group_id)


def _edges(g: nx.Graph) -> dict[tuple[str, str], dict]:
    return {tuple(sorted((u, v))): d for u, v, d in g.edges(data=True)}


def _cli_metrics(neo4j_settings, tmp_path, scope: list[str], flt: dict) -> dict:
    flags = [x for k, v in flt.items() for x in (f"--{k.replace('_', '-')}", v)]
    out = tmp_path / "metrics.json"
    result = run_cli(neo4j_settings, "metrics", *scope, *flags, "--null-runs", "0",
                     "--format", "json", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _expected_attr(value):
    """A metrics JSON value as the file carries it (lists joined with ';')."""
    return ";".join(value) if isinstance(value, list) else value


# --------------------------------------------------------------------------------------
# GEXF and GraphML against the projections and the metrics command
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("prefix", "scope", "flt"), CASES, ids=IDS)
def test_files_match_projections_and_metrics(client, loaded, raw, neo4j_settings, tmp_path,
                                             prefix, scope, flt):
    query = ("?" + urlencode(flt)) if flt else ""
    files = {}
    for suffix, reader in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        response = client.get(f"{prefix}/network.{suffix}{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == f"application/{suffix}+xml"
        assert "attachment" in response.headers["Content-Disposition"]
        files[suffix] = reader(io.BytesIO(response.data))

    # (a) the analytics' own projection
    own = Context(loaded).graph(_ref(prefix), GroupFilter.parse(flt))
    # (b) the independent projection of the raw CSV files
    actors, ties = independent_projection(raw, _members(raw, prefix), flt)
    assert set(own) == actors
    assert {tuple(sorted(e)) for e in own.edges} == set(ties)
    assert ties, "the case must have ties to compare"
    # (c) the metrics command, same group and filter
    rows = {row["id"]: row for row in _cli_metrics(neo4j_settings, tmp_path, scope,
                                                   flt)["actors"]}
    assert set(rows) == actors

    for suffix, g in files.items():
        assert not g.is_directed(), suffix
        assert set(g) == actors, suffix
        edges = _edges(g)
        assert set(edges) == set(ties), suffix
        for pair, (weight, first, last) in ties.items():
            data = edges[pair]
            assert data["weight"] == weight == own.edges[pair]["weight"], (suffix, pair)
            assert data.get("first_year") == first and data.get("last_year") == last, pair
            assert data["newman"] == pytest.approx(own.edges[pair]["newman"], rel=1e-12)
            assert len(data["projects"].split(";")) == weight
        for node, data in g.nodes(data=True):
            source = raw["actors"][node]
            assert data["kind"] == (source["kind"] or "other"), node
            assert data["country"] == source["country"], node
            assert data["clusters"] == ";".join(sorted(raw["clusters"][node])), node
            assert data["label"] == data["name"] == source["name"], node
            for column, value in rows[node].items():
                if column == "id":
                    continue
                if value is None:
                    assert column not in data, (suffix, node, column)
                else:
                    assert data[column] == _expected_attr(value), (suffix, node, column)
                    assert type(data[column]) is type(_expected_attr(value)) or (
                        isinstance(value, int) and isinstance(data[column], float)), column


def test_graph_level_attributes_say_what_the_file_is(client, loaded):
    query = "?years=2012-2013&kinds=sme"
    g = nx.read_graphml(io.BytesIO(client.get(f"/api/v1/clusters/mnc/network.graphml{query}")
                                   .data))
    assert g.graph["group"] == "cluster:mnc"
    assert g.graph["group_name"] == "Maroc Numeric Cluster"
    assert g.graph["filter"] == "years=2012-2013&kinds=sme"
    assert g.graph["graph_version"] == loaded.graph_version()
    assert g.graph["synthetic"] is True
    assert g.graph["synthetic_actors"] == g.number_of_nodes() > 0
    assert "Les ECO" in g.graph["attribution"] and g.graph["source"]
    assert g.graph["nodes"] == g.number_of_nodes()
    assert g.graph["edges"] == g.number_of_edges()
    assert g.graph["approximate_metrics"] == ""  # small groups: every figure exact
    root = ET.fromstring(client.get(f"/api/v1/clusters/mnc/network.gexf{query}").data)
    meta = root.find("g:meta", GEXF_NS)
    description = json.loads(meta.find("g:description", GEXF_NS).text)
    assert {k: description[k] for k in ("group", "filter", "graph_version", "synthetic")} == {
        "group": "cluster:mnc", "filter": "years=2012-2013&kinds=sme",
        "graph_version": loaded.graph_version(), "synthetic": True}
    assert "synthetic data" in meta.find("g:keywords", GEXF_NS).text
    # Gephi's attribute types: numbers as numbers
    types = {a.get("title"): a.get("type") for a in root.iter(f"{{{GEXF_NS['g']}}}attribute")}
    assert types["degree"] == "long" and types["betweenness"] == "double"
    assert types["first_year"] == "long" and types["synthetic"] == "boolean"
    assert types["kind"] == "string" and types["community"] == "long"
    assert b"None" not in client.get(f"/api/v1/clusters/mnc/network.gexf{query}").data


def test_tie_years_do_not_need_the_projections_project_lists(loaded, monkeypatch):
    """A projection built without per-tie project lists gives the same ties and years."""
    from service.usecases.partnership import partnership_network

    ref, flt = GroupRef.cluster("mnc"), GroupFilter.parse({"years": "2011-2013"})
    expected = partnership_network(Context(loaded), ref, flt)
    ctx = Context(loaded)
    graph = ctx.graph(ref, flt).copy()
    for _u, _v, data in graph.edges(data=True):
        del data["projects"]
    monkeypatch.setattr(ctx, "graph", lambda *_args: graph)
    assert partnership_network(ctx, ref, flt)["edges"] == expected["edges"]
    assert any(e["first_year"] != e["last_year"] for e in expected["edges"])


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------
def test_csv_zip_is_readable_with_the_csv_module(client):
    query = "?years=2012-2014&min_weight=2"
    response = client.get(f"/api/v1/countries/MA/network.csv.zip{query}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="synergraph-network-country-MA-years-2012-2014-min_weight-2.csv.zip"' \
        in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "meta.json", "nodes.csv"]
        nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), "utf-8")))
        edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), "utf-8")))
        meta = json.loads(archive.read("meta.json"))
    g = nx.read_graphml(io.BytesIO(client.get(f"/api/v1/countries/MA/network.graphml{query}")
                                   .data))
    assert {n["id"] for n in nodes} == set(g)
    assert {(e["source"], e["target"]): int(e["weight"]) for e in edges} == {
        tuple(sorted((u, v))): d["weight"] for u, v, d in g.edges(data=True)}
    assert all(int(e["weight"]) >= 2 for e in edges) and edges
    assert all(2012 <= int(e["first_year"]) <= int(e["last_year"]) <= 2014 for e in edges)
    for row in nodes:
        data = g.nodes[row["id"]]
        assert float(row["betweenness"]) == data["betweenness"]
        assert int(row["degree"]) == data["degree"]
        assert row["clusters"] == data["clusters"]
    assert meta["filter"] == {"years": [2012, 2014], "kinds": [], "programme": None,
                              "min_weight": 2}
    assert meta["group"] == "country:MA" and meta["synthetic"] is True
    assert meta["node_columns"][:6] == ["id", "name", "kind", "clusters", "country",
                                        "synthetic"]
    assert set(meta["methods"]) >= {"betweenness", "closeness", "harmonic"}


# --------------------------------------------------------------------------------------
# The command line writes the same files
# --------------------------------------------------------------------------------------
def test_cli_writes_the_api_files(client, neo4j_settings, tmp_path):
    flags = ["--network", "--cluster", "mnc", "--years", "2012-2013", "--kinds", "sme,startup"]
    query = "?years=2012-2013&kinds=sme,startup"
    for fmt, suffix, out in (("graphml", "graphml", "mnc.graphml"),
                             ("csv", "csv.zip", "mnc.zip")):
        result = run_cli(neo4j_settings, "export", *flags, "--format", fmt, "--out",
                         str(tmp_path / out), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "SYNTHETIC" in result.stdout
        api = client.get(f"/api/v1/clusters/mnc/network.{suffix}{query}").data
        assert (tmp_path / out).read_bytes() == api, fmt
    result = run_cli(neo4j_settings, "export", *flags, "--format", "csv", "--out",
                     str(tmp_path / "folder"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == [
        "edges.csv", "meta.json", "nodes.csv"]
    with zipfile.ZipFile(tmp_path / "mnc.zip") as archive:
        assert (tmp_path / "folder" / "nodes.csv").read_bytes() == archive.read("nodes.csv")
    result = run_cli(neo4j_settings, "export", "--network", "--format", "gexf", "--out",
                     str(tmp_path / "eco.gexf"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert nx.read_gexf(tmp_path / "eco.gexf").number_of_nodes() == 317


@pytest.mark.parametrize("args", [
    ["--network", "--format", "bundle"],
    ["--network", "--format", "json"],
    ["--format", "csv"],
    ["--format", "gexf", "--country", "MA"],
    ["--format", "gexf", "--years", "2012-2013"],
    ["--network", "--format", "gexf", "--cluster", "nope"],
    ["--network", "--format", "gexf", "--country", "ZZ"],
    ["--network", "--format", "gexf", "--cluster", "mnc", "--country", "MA"],
    ["--network", "--format", "gexf", "--years", "2014-2012"],
    ["--network", "--format", "csv", "--kinds", "alien"],
    ["--network", "--format", "graphml", "--min-weight", "0"],
], ids=lambda a: " ".join(a))
def test_cli_refuses_bad_input_and_writes_nothing(loaded, neo4j_settings, tmp_path, capsys,
                                                  monkeypatch, args):
    for key in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
        monkeypatch.setenv(key, neo4j_settings[key] or "")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out" / "file"
    assert cli_main(["export", *args, "--out", str(out)]) == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------
# Bad parameters on the API
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "status", "parameter"), [
    ("/api/v1/clusters/mnc/network.gexf?colour=kind", 400, "colour"),
    ("/api/v1/clusters/mnc/network.graphml?years=2014-2012", 400, "years"),
    ("/api/v1/clusters/mnc/network.csv.zip?kinds=alien", 400, "kinds"),
    ("/api/v1/countries/MA/network.gexf?min_weight=0", 400, "min_weight"),
    ("/api/v1/network.gexf?per_page=5", 400, "per_page"),
    ("/api/v1/export?format=json&cluster=mnc&years=2012", 400, "years"),
    ("/api/v1/clusters/nope/network.gexf", 404, None),
    ("/api/v1/countries/ZZ/network.csv.zip", 404, None),
    ("/api/v1/clusters/mnc/network.pdf", 404, None),
])
def test_bad_parameters_are_problems(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if parameter:
        assert response.get_json()["parameter"] == parameter


def test_network_files_need_read_access(app):
    anonymous = app.test_client()
    assert anonymous.get("/api/v1/clusters/mnc/network.gexf").status_code == 401


# --------------------------------------------------------------------------------------
# Links on the network views carry the current filter
# --------------------------------------------------------------------------------------
def _links(html: str) -> dict[str, str]:
    block = re.search(r'id="network-files"[^>]*>(.*?)</(?:span|p)>', html, re.S)
    assert block, "no network download links"
    # each link follows the job that writes its file (static/downloads.js)
    assert block.group(1).count("data-job-download") == 3
    return {fmt: unescape(href) for href, fmt in
            re.findall(r'href="([^"]+)" download data-format="([^"]+)"', block.group(1))}


@pytest.mark.parametrize(("page", "expected_path", "expected_args"), [
    ("/clusters/mnc?tab=network&years=2012-2013&kinds=sme&kinds=startup&min_weight=2&view=full",
     "/api/v1/clusters/mnc/network", {"years": ["2012-2013"], "kinds": ["sme,startup"],
                                      "min_weight": ["2"]}),
    ("/countries/MA?years=2014", "/api/v1/countries/MA/network", {"years": ["2014-2014"]}),
    ("/clusters/ce3m", "/api/v1/clusters/ce3m/network", {}),
    ("/", "/api/v1/network", {}),
])
def test_network_views_link_the_files_with_their_filter(app, client, sign_in, page,
                                                        expected_path, expected_args):
    browser = sign_in(app, app.test_client(), "evaluator")
    response = browser.get(page)
    assert response.status_code == 200
    links = _links(response.get_data(as_text=True))
    assert set(links) == {"gexf", "graphml", "csv.zip"}
    for suffix, href in links.items():
        parts = urlsplit(href)
        assert parts.path == f"{expected_path}.{suffix}"
        assert parse_qs(parts.query) == expected_args
        assert browser.get(href).status_code == 200, href
