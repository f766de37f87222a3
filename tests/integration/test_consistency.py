"""One figure, one code path: the page, the API and the CLI give the same figures.

For every demo cluster and for a country of the CORDIS sample, with and without a group
filter, this reads the same questions three ways — the rendered HTML page (parsed), the API's
JSON and the ``synergraph`` command's JSON — and checks they agree: the headline figures,
the top 20 actors in the same order with the same values, the communities and brokers, the
evolution rows and the suggested ties. Pages round numbers for reading, so page values are
compared after the same rounding; API and CLI values must be identical.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from loaders.bundle import read_bundle
from loaders.cordis import read_cordis
from loaders.demo import write_demo_bundle
from service.cli import main as cli_main

DEMO_CLUSTERS = ("mnc", "ce3m", "mmc", "oceanopole")
COUNTRY = "DE"
DEMO_FILTER = {"years": "2012-2013", "kinds": "sme,university,large_company,research_lab"}
CORDIS_FILTER = {"kinds": "university,research_lab,company", "min_weight": "2"}
CASES = [("cluster", c, f) for c in DEMO_CLUSTERS for f in ({}, DEMO_FILTER)] + [
    ("country", COUNTRY, f) for f in ({}, CORDIS_FILTER)]
IDS = [f"{k}-{g}-{'filtered' if f else 'all'}" for k, g, f in CASES]


# --------------------------------------------------------------------------------------
# Fixtures: the demo and the CORDIS sample in the real Neo4j, one app, the CLI
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def loaded(session_store, tmp_path_factory, cordis_sample_path):
    session_store.delete_all()
    folder = tmp_path_factory.mktemp("demo-consistency")
    write_demo_bundle(folder, seed=2011)
    session_store.write(read_bundle(folder), kind="demo", synthetic=True)
    dataset, _ = read_cordis(cordis_sample_path)
    session_store.write(dataset, kind="cordis")
    return session_store


@pytest.fixture(scope="module")
def client(loaded, make_app):
    # the ecosystem (3,431 actors) is above the jobs' threshold: answer within the request
    app = make_app(SYNERGRAPH_PUBLIC_READ="1", SYNERGRAPH_JOBS_INLINE_MAX_ACTORS="100000")
    return app.test_client()


@pytest.fixture(scope="module")
def cli(loaded, neo4j_settings, tmp_path_factory):
    """``cli(*args)``: run ``synergraph ARGS --out FILE`` in this process, return its JSON."""
    folder = tmp_path_factory.mktemp("cli-out")
    environment = {"NEO4J_URI": neo4j_settings["NEO4J_URI"],
                   "NEO4J_USER": neo4j_settings["NEO4J_USER"],
                   "NEO4J_PASSWORD": neo4j_settings["NEO4J_PASSWORD"]}
    counter = iter(range(10_000))

    def run(*args: str):
        out = folder / f"out-{next(counter)}.json"
        with pytest.MonkeyPatch.context() as patch:
            for key, value in environment.items():
                patch.setenv(key, value)
            patch.chdir(folder)
            code = cli_main([*args, "--out", str(out)])
        assert code == 0, args
        return json.loads(out.read_text(encoding="utf-8"))

    return run


def _scope(kind: str, group: str) -> list[str]:
    return ["--cluster", group] if kind == "cluster" else ["--country", group]


def _flags(flt: dict) -> list[str]:
    out = []
    for key, value in flt.items():
        out += [f"--{key.replace('_', '-')}", value]
    return out


def _api(client, path: str, flt: dict, **extra) -> dict:
    query = urlencode({**flt, **extra})
    response = client.get(f"/api/v1{path}" + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def _page(client, kind: str, group: str, flt: dict, tab: str = "network") -> str:
    base = f"/clusters/{group}" if kind == "cluster" else f"/countries/{group}"
    args = {**({"tab": tab} if kind == "cluster" else {}), **flt}
    response = client.get(base + "?" + urlencode(args), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------------------
# Reading the HTML: tables and figures by id (what a person sees)
# --------------------------------------------------------------------------------------
class _Tables(HTMLParser):
    """Every ``<table id=...>``'s body rows as cells of (text, [hrefs]); every
    ``<dd id=...>``'s text."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, list[str]]]]] = {}
        self.figures: dict[str, str] = {}
        self._table = None
        self._row = None
        self._cell = None
        self._dd = None
        self._head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "thead":
            self._head = True
        elif tag == "tr" and self._table and not self._head:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ["", []]
        elif tag == "a" and self._cell is not None and attrs.get("href"):
            self._cell[1].append(attrs["href"])
        elif tag == "dd" and attrs.get("id"):
            self._dd = [attrs["id"], ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append((" ".join(self._cell[0].split()), self._cell[1]))
            self._cell = None
        elif tag == "thead":
            self._head = False
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "dd" and self._dd:
            self.figures[self._dd[0]] = " ".join(self._dd[1].split())
            self._dd = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data
        if self._dd is not None:
            self._dd[1] += data


def _parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _number(text: str):
    text = text.strip()
    if text in ("–", ""):
        return None
    return float(text.replace(",", ""))


def _actor_id(cell) -> str:
    href = next(h for h in cell[1] if "/actors/" in h)
    from urllib.parse import unquote

    return unquote(re.sub(r"^.*/actors/", "", href).split("?")[0])


class _Rounded:
    """A value as a page shows it with ``digits`` decimals (Babel rounds half to even on
    the decimal value, Python's round() on the binary one: equal within half a unit)."""

    def __init__(self, value, digits: int):
        self.value, self.digits = value, digits

    def __eq__(self, shown) -> bool:
        if self.value is None or shown is None:
            return self.value is None and shown is None
        return abs(float(self.value) - shown) <= 0.5 * 10 ** -self.digits + 1e-9

    def __repr__(self) -> str:
        return f"~{self.value!r}"


def _rounded(value, digits: int):
    return _Rounded(value, digits)


def _body(rows):
    """The rows of a table's body (header rows are skipped by the parser)."""
    return list(rows)


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "group", "flt"), CASES, ids=IDS)
def test_headline_and_top_actors_agree(client, cli, kind, group, flt):
    path = f"/clusters/{group}" if kind == "cluster" else f"/countries/{group}"
    api_view = _api(client, path, flt)
    api_metrics = _api(client, path + "/metrics", flt, null_runs="0")
    cli_metrics = cli("metrics", *_scope(kind, group), *_flags(flt), "--null-runs", "0")

    assert api_view["figures"] == api_metrics["headline"] == cli_metrics["headline"]
    assert api_view["actors"] == api_metrics["actors"] == cli_metrics["actors"]
    headline = api_metrics["headline"]
    assert headline["nodes"] > 0
    if flt:
        assert api_metrics["meta"]["filter"]["kinds"]

    page = _parse(_page(client, kind, group, flt))
    assert _number(page.figures["fig-nodes"]) == headline["nodes"]
    assert _number(page.figures["fig-edges"]) == headline["edges"]
    assert _rounded(headline["density"], 3) == _number(page.figures["fig-density"])
    assert _number(page.figures["fig-isolates"]) == headline["isolates"]
    assert _number(page.figures["fig-components"]) == headline["components"]
    assert _number(page.figures["fig-projects"]) == headline["projects"]

    rows = page.tables["actors-table"][:20]
    top = api_metrics["actors"][:20]
    assert len(rows) == len(top) > 0
    for rank, (row, actor) in enumerate(zip(rows, top, strict=True), 1):
        assert _number(row[0][0]) == rank
        assert _actor_id(row[1]) == actor["id"]
        assert _number(row[3][0]) == actor["degree"]
        assert _number(row[4][0]) == round(actor["strength"])
        assert _rounded(actor["betweenness"], 4) == _number(row[5][0])
        assert _rounded(actor["pagerank"], 4) == _number(row[6][0])
    # the order is the documented one: betweenness, then degree, highest first
    keys = [(-a["betweenness"], -a["degree"]) for a in api_metrics["actors"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("kind", "group", "flt"), CASES, ids=IDS)
def test_communities_and_brokers_agree(client, cli, kind, group, flt):
    plural = "clusters" if kind == "cluster" else "countries"
    api = _api(client, f"/{plural}/{group}/communities", flt)
    from_cli = cli("communities", *_scope(kind, group), *_flags(flt))
    assert api == from_cli
    metrics = _api(client, f"/{plural}/{group}/metrics", flt, null_runs="0")
    by_community: dict[int, set] = {}
    for actor in metrics["actors"]:
        by_community.setdefault(actor["community"], set()).add(actor["id"])
    assert {c["community"]: set(c["members"]) for c in api["communities"]} == by_community
    assert [b["id"] for b in api["brokers"]] == [a["id"] for a in metrics["actors"][:10]]
    if kind != "cluster":
        return
    page = _parse(_page(client, kind, group, flt, tab="communities"))
    rows = _body(page.tables["communities-table"])
    assert [(int(_number(r[0][0])) - 1, int(_number(r[1][0]))) for r in rows] == [
        (c["community"], c["size"]) for c in api["communities"]]
    assert [[_actor_id((None, [h])) for h in r[3][1]] for r in rows] == [
        [a["id"] for a in c["leaders"]] for c in api["communities"]]
    brokers = _body(page.tables["brokers-table"])
    assert [_actor_id(r[0]) for r in brokers] == [b["id"] for b in api["brokers"]]
    assert [_rounded(b["betweenness"], 4) for b in api["brokers"]] == [
        _number(r[1][0]) for r in brokers]


@pytest.mark.parametrize(("kind", "group", "flt"), CASES, ids=IDS)
def test_evolution_rows_agree(client, cli, kind, group, flt):
    plural = "clusters" if kind == "cluster" else "countries"
    api = _api(client, f"/{plural}/{group}/evolution", flt)
    from_cli = cli("evolution", *_scope(kind, group), *_flags(flt))
    assert api == from_cli
    if kind != "cluster":
        return
    assert api["years"], "the demo's projects are dated"
    # one definition of the project mix and the triple helix: the last cumulative year
    # covers every (dated) project, so it equals the synergy figures
    synergy = _api(client, f"/{plural}/{group}/synergy", flt)
    last = [y for y in api["years"] if y["n_edges"] is not None][-1]
    assert last["share_company_research"] == synergy["project_mix"]["share_company_research"]
    helix = synergy["triple_helix"]
    assert last["triple_helix_T"] == (helix["T"] if helix else None)
    page = _parse(_page(client, kind, group, flt, tab="evolution"))
    rows = _body(page.tables["evolution-table"])
    assert [[y["year"], _rounded(y["density"], 3), y["n_edges"], y["ties_gained"],
             y["n_nodes"], y["members_joined"], y["newcomers"]] for y in api["years"]] == [
        [_number(c[0]) for c in r[:7]] for r in rows]


@pytest.mark.parametrize(("kind", "group", "flt"),
                         [c for c in CASES if c[0] == "cluster"],
                         ids=[i for i, c in zip(IDS, CASES, strict=True) if c[0] == "cluster"])
def test_suggested_ties_agree(client, cli, kind, group, flt):
    api = _api(client, f"/clusters/{group}/links", flt)
    from_cli = cli("links", "--cluster", group, *_flags(flt), "--format", "json")
    assert api["items"] == from_cli["items"]
    page = _parse(_page(client, kind, group, flt, tab="links"))
    rows = _body(page.tables.get("links-table", []))
    assert [(x["rank"], x["u"]["id"], x["v"]["id"], _rounded(x["score"], 2))
            for x in api["items"]] == [
        (int(_number(r[0][0])), _actor_id(r[1]), _actor_id(r[2]), _number(r[3][0]))
        for r in rows]
    network = _api(client, f"/clusters/{group}/network", flt, suggest="1")
    dashed = {(e["from"], e["to"]) for e in network["network"]["edges"] if e.get("suggested")}
    assert dashed == {tuple(sorted((x["u"]["id"], x["v"]["id"]))) for x in api["items"][:20]}


def test_a_filter_changes_the_figures(client):
    """The filter is really applied (not silently ignored) by every question."""
    plain = _api(client, "/clusters/mnc/metrics", {}, null_runs="0")
    kept = _api(client, "/clusters/mnc/metrics", DEMO_FILTER, null_runs="0")
    assert kept["headline"]["nodes"] < plain["headline"]["nodes"]
    assert kept["headline"]["edges"] < plain["headline"]["edges"]
    evolution = _api(client, "/clusters/mnc/evolution", DEMO_FILTER)
    assert {y["year"] for y in evolution["years"] if y.get("n_edges") is not None} <= {2012,
                                                                                       2013}
