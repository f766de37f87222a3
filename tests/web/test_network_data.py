"""Snapshot of the node and edge data handed to pyvis, on a small hand-made graph.

The expected colours, sizes and titles are computed by hand below (not from the code):

    a --2-- b --1-- c        d (isolated)
    sme    university  start-up   funder

Betweenness (networkx normalisation 2/((n-1)(n-2)) = 1/3 for n = 4): b lies on the one
shortest path a-c, so b = 1/3, the others 0. Sizes are 8 + 32 * sqrt(value / max).
"""

from __future__ import annotations

import math

import pytest

from service.usecases import Context, GroupFilter, GroupRef, NetworkView, network
from web.network import aggregate_data, category_colours, network_data

ACTORS = [
    {"id": "a", "name": "Alpha SME", "kind": "sme", "clusters": ["x"], "synthetic": True},
    {"id": "b", "name": "Beta University", "kind": "university", "clusters": ["x", "y"]},
    {"id": "c", "name": "Gamma Start-up", "kind": "startup", "clusters": ["y"]},
    {"id": "d", "name": "Delta Fund", "kind": "funder", "clusters": []},
]
# a and b share p1 and p2 (weight 2), b and c share p3 (weight 1); d has no project.
PARTICIPATIONS = [
    {"actor_id": "a", "project_id": "p1", "start_year": 2011},
    {"actor_id": "b", "project_id": "p1", "start_year": 2011},
    {"actor_id": "a", "project_id": "p2", "start_year": 2013},
    {"actor_id": "b", "project_id": "p2", "start_year": 2013},
    {"actor_id": "b", "project_id": "p3", "start_year": 2012},
    {"actor_id": "c", "project_id": "p3", "start_year": 2012},
]


class _Store:
    """Only what the network use case reads besides the records (isolates the unit)."""

    def graph_version(self) -> int:
        return 0

    def neighbourhood(self, actor_ids):
        """Every participation in the given actors' projects (a group's E-I index)."""
        projects = {p["project_id"] for p in PARTICIPATIONS if p["actor_id"] in set(actor_ids)}
        parts = [p for p in PARTICIPATIONS if p["project_id"] in projects]
        ids = {p["actor_id"] for p in parts}
        return [a for a in ACTORS if a["id"] in ids], parts


class StaticContext(Context):
    """The use-case context on the hand-made records above (no database)."""

    def __init__(self):
        super().__init__(_Store())

    def describe(self, ref):
        return {"id": ref.id, "name": ref.id}

    def records(self, ref):
        return ACTORS, PARTICIPATIONS


def _view(*, years=None, kinds=(), min_weight=1, **options):
    flt = GroupFilter(years=years, kinds=tuple(kinds), min_weight=min_weight)
    return network(StaticContext(), GroupRef("cluster", "x"), flt, NetworkView(**options))


def _data(color="kind", size="betweenness", **kw):
    view = _view(color=color, size=size)
    data = network_data(view["graph"], {"actors": view["rows"]}, color_by=color,
                        size_by=size, **kw)
    return view, {n["id"]: n for n in data["nodes"]}, data


def test_rows_hold_hand_computed_centralities():
    view, _, _ = _data()
    rows = {r["id"]: r for r in view["rows"]}
    assert rows["b"]["betweenness"] == pytest.approx(1 / 3)
    assert [rows[v]["betweenness"] for v in "acd"] == [0, 0, 0]
    assert {v: rows[v]["degree"] for v in "abcd"} == {"a": 1, "b": 2, "c": 1, "d": 0}
    assert {v: rows[v]["strength"] for v in "abcd"} == {"a": 2, "b": 3, "c": 1, "d": 0}
    assert view["headline"] == {
        "nodes": 4, "edges": 2, "density": pytest.approx(2 / 6), "isolates": 1,
        "components": 2, "projects": 3, "synthetic_actors": 1}
    assert view["betweenness"] == {"approximate": False, "k": 4}
    assert view["years"] == (2011, 2013)


def test_nodes_by_kind_and_betweenness():
    _, nodes, data = _data()
    assert {v: (n["color"], n["shape"]) for v, n in nodes.items()} == {
        "a": ("#88CCEE", "dot"),       # SME: Tol muted cyan
        "b": ("#CC6677", "square"),    # university: rose, square
        "c": ("#44AA99", "dot"),       # start-up: teal
        "d": ("#999933", "diamond"),   # funder: olive, diamond
    }
    assert {v: n["size"] for v, n in nodes.items()} == {"a": 8, "b": 40, "c": 8, "d": 8}
    assert nodes["b"]["title"] == ("Beta University\nKind: University\n"
                                   "Partners (degree): 2\nBetweenness: 0.3333 (rank 1)")
    assert nodes["a"]["title"].endswith("\nSynthetic (generated demo data)")
    assert [(e["from"], e["to"], e["value"], e["title"]) for e in data["edges"]] == [
        ("a", "b", 2, "2 shared projects"), ("b", "c", 1, "1 shared project")]
    assert [(item["key"], item["count"]) for item in data["legend"]] == [
        ("sme", 1), ("startup", 1), ("university", 1), ("funder", 1)]


def test_size_by_degree_and_pagerank():
    _, nodes, _ = _data(size="degree")
    expected_a = round(8 + 32 * math.sqrt(1 / 2), 2)  # degree 1 of max 2
    assert {v: n["size"] for v, n in nodes.items()} == {"a": expected_a, "b": 40, "c": expected_a,
                                                        "d": 8}
    _, nodes, _ = _data(size="pagerank")
    assert nodes["b"]["size"] == 40  # b has the highest PageRank
    assert "PageRank: " in nodes["b"]["title"]


def test_colour_by_community_and_cluster():
    _, nodes, data = _data(color="community")
    # Louvain puts a, b, c together (community 0, the biggest) and d alone (community 1).
    assert {v: n["color"] for v, n in nodes.items()} == {
        "a": "#CC6677", "b": "#CC6677", "c": "#CC6677", "d": "#332288"}
    assert nodes["b"]["shape"] == "square"  # shape still tells the kind
    assert [(i["label"], i["count"]) for i in data["legend"]] == [
        ("Community 1", 3), ("Community 2", 1)]
    _, nodes, data = _data(color="cluster", cluster_names={"x": "Cluster X", "y": "Cluster Y"})
    assert {v: n["color"] for v, n in nodes.items()} == {
        "a": "#CC6677", "b": "#777777", "c": "#332288", "d": "#DDDDDD"}
    assert {i["label"] for i in data["legend"]} == {"Cluster X", "Cluster Y",
                                                    "Several clusters", "No cluster"}


def test_filters_change_nodes_and_edges():
    assert _view(kinds=("sme", "university"))["headline"]["nodes"] == 2
    view = _view(years=(2012, 2013))  # p1 (2011) is out: a-b keeps one shared project
    assert {(u, v): w for u, v, w in view["graph"].edges(data="weight")} == {
        ("a", "b"): 1, ("b", "c"): 1}
    view = _view(min_weight=2)
    assert sorted(view["graph"].edges()) == [("a", "b")]


def test_suggested_ties_are_dashed_and_focus_is_marked():
    view = _view(suggest=True)
    data = network_data(view["graph"], {"actors": view["rows"]}, focus="d",
                        suggested=[{"u": "c", "v": "a", "score": 0.75}])
    suggested = [e for e in data["edges"] if e.get("suggested")]
    assert suggested == [{"from": "a", "to": "c", "dashes": True, "suggested": True,
                          "value": 1, "color": {"color": "#EE7733", "opacity": 0.9},
                          "title": "Suggested tie (score 0.75)"}]
    assert [n["id"] for n in data["nodes"] if n.get("focus")] == ["d"]


def test_aggregate_view_has_one_node_per_kind():
    view = _view()
    data = aggregate_data(view["graph"], view["rows"], by="kind")
    assert [(n["id"], n["members"], n["color"]) for n in data["nodes"]] == [
        ("group:funder", 1, "#999933"), ("group:sme", 1, "#88CCEE"),
        ("group:startup", 1, "#44AA99"), ("group:university", 1, "#CC6677")]
    assert sorted((e["from"], e["to"], e["value"]) for e in data["edges"]) == [
        ("group:sme", "group:university", 1), ("group:startup", "group:university", 1)]


def test_category_colours_order():
    assert category_colours({"big": 5, "small": 1, "(none)": 9}) == {
        "big": "#CC6677", "small": "#332288", "(none)": "#DDDDDD"}


def test_large_views_start_with_the_top_actors(monkeypatch):
    import service.usecases.topics as topics

    monkeypatch.setattr(topics, "MAX_NODES", 3)
    monkeypatch.setattr(topics, "TOP_ACTORS", 2)
    view = _view()  # 4 actors > MAX_NODES: the two of highest betweenness (b, then a)
    assert view["view"] == "top" and view["total_nodes"] == 4
    assert sorted(view["graph"]) == ["a", "b"]
    assert _view(view="full")["graph"].number_of_nodes() == 4
