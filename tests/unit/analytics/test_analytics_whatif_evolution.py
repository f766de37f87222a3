import networkx as nx
import pytest

from service.analytics import co_participation_graph
from service.analytics.evolution import evolution, period_graph, periods
from service.analytics.whatif import apply_changes, what_if


def _eco():
    actors = [
        {"id": "a", "kind": "sme"}, {"id": "b", "kind": "university"},
        {"id": "c", "kind": "sme"}, {"id": "d", "kind": "training_centre"},
        {"id": "e", "kind": "company"},
    ]
    parts = [("a", "p1"), ("b", "p1"), ("c", "p1"), ("a", "p2"), ("b", "p2"), ("d", "p3"),
             ("e", "p3")]
    return co_participation_graph(actors, parts)


def test_apply_changes_does_not_touch_input():
    G = _eco()
    before = nx.to_dict_of_dicts(G)
    H, inv = apply_changes(G, [{"op": "add_tie", "u": "c", "v": "d"},
                               {"op": "remove_tie", "u": "a", "v": "c"}])
    assert nx.to_dict_of_dicts(G) == before
    assert H.has_edge("c", "d") and not H.has_edge("a", "c")
    assert inv == {"a", "c", "d"}
    assert H.graph["version"] != G.graph["version"]


def test_add_and_remove_project_newman_weights():
    G = _eco()
    H, inv = apply_changes(G, [{"op": "add_project", "id": "p4", "participants": ["a", "d", "e"]}])
    assert inv == {"a", "d", "e"}
    assert H["d"]["e"]["weight"] == 2 and H["d"]["e"]["newman"] == pytest.approx(1 + 0.5)
    assert H["a"]["d"] == {"weight": 1, "newman": 0.5, "projects": ["p4"]}
    # the same as rebuilding the projection with the project included
    actors = [{"id": v, **G.nodes[v]} for v in G]
    parts = [("a", "p1"), ("b", "p1"), ("c", "p1"), ("a", "p2"), ("b", "p2"), ("d", "p3"),
             ("e", "p3"), ("a", "p4"), ("d", "p4"), ("e", "p4")]
    R = co_participation_graph(actors, parts)
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in R.edges}
    for u, v, d in R.edges(data=True):
        assert H[u][v]["weight"] == d["weight"]
        assert H[u][v]["newman"] == pytest.approx(d["newman"])
        assert H[u][v]["projects"] == d["projects"]
    # removing p1 leaves a-b tied through p2 only, and drops a-c, b-c
    H2, inv2 = apply_changes(G, [{"op": "remove_project", "id": "p1"}])
    assert H2["a"]["b"] == {"weight": 1, "newman": pytest.approx(1.0), "projects": ["p2"]}
    assert not H2.has_edge("a", "c") and not H2.has_edge("b", "c")
    assert inv2 == {"a", "b", "c"} and "p1" not in H2.graph["participants"]
    with pytest.raises(ValueError):
        apply_changes(G, [{"op": "remove_project", "id": "nope"}])


def test_actor_changes_and_errors():
    G = _eco()
    H, inv = apply_changes(G, [{"op": "add_actor", "actor": {"id": "z", "kind": "sme"},
                                "partners": ["a", "e"]}])
    assert H.nodes["z"] == {"kind": "sme"} and set(H["z"]) == {"a", "e"}
    assert inv == {"z", "a", "e"}
    H, inv = apply_changes(G, [{"op": "remove_actor", "id": "b"}])
    assert "b" not in H and inv == {"a", "c"}
    with pytest.raises(nx.NodeNotFound):
        apply_changes(G, [{"op": "add_tie", "u": "a", "v": "zz"}])
    with pytest.raises(nx.NetworkXError):
        apply_changes(G, [{"op": "remove_tie", "u": "a", "v": "e"}])
    with pytest.raises(ValueError, match="unknown op"):
        apply_changes(G, [{"op": "explode"}])


def test_what_if_bridge_tie_hand():
    G = _eco()  # components {a,b,c} and {d,e}
    r = what_if(G, [{"op": "add_tie", "u": "c", "v": "d"}])
    b, a, d = r["before"], r["after"], r["delta"]
    assert (b["n_components"], a["n_components"], d["n_components"]) == (2, 1, -1)
    assert b["density"] == pytest.approx(4 / 10) and a["density"] == pytest.approx(5 / 10)
    assert a["largest_share"] == 1.0 and b["largest_share"] == pytest.approx(0.6)
    # before: largest component is a triangle -> 1; after: path lengths of a-b-c-d-e + chords
    H = G.copy()
    H.add_edge("c", "d")
    assert a["average_path_length"] == pytest.approx(nx.average_shortest_path_length(H))
    assert b["average_path_length"] == pytest.approx(1.0)
    # E-I by kind: before ties a-b (ext), a-c (int), b-c (ext), d-e (ext): (3-1)/4
    assert b["ei_index"] == pytest.approx(0.5)
    assert a["ei_index"] == pytest.approx((4 - 1) / 5)  # c-d sme/training: external
    assert b["modularity_fixed_partition"] == pytest.approx(
        nx.community.modularity(G, [{"a", "b", "c"}, {"d", "e"}], weight="weight"))
    assert a["modularity_fixed_partition"] == pytest.approx(
        nx.community.modularity(H, [{"a", "b", "c"}, {"d", "e"}], weight="weight"))
    c = r["actors"]["c"]
    assert c["before"]["degree"] == 2 and c["after"]["degree"] == 3
    assert c["after"]["betweenness"] == pytest.approx(nx.betweenness_centrality(H)["c"])
    assert c["delta"]["degree"] == 1


def test_what_if_new_actor_has_no_before():
    G = _eco()
    r = what_if(G, [{"op": "add_actor", "actor": {"id": "z", "kind": "sme"}, "partners": ["a"]}],
                paths=False)
    assert r["actors"]["z"]["before"] == {} and r["actors"]["z"]["after"]["degree"] == 1
    assert r["after"]["average_path_length"] is None and r["delta"]["n_nodes"] == 1


def test_periods_and_period_graph():
    assert periods([]) == []
    assert periods([2020, 2018], window=3)[0] == (2018, 2016, 2018)
    with pytest.raises(ValueError):
        periods([2020], window=0)
    G = period_graph([{"id": "a"}, {"id": "b"}], [("a", 1, 2000), ("b", 1, 2001)], 2000, 2000)
    assert list(G) == ["a"]


def _timeline():
    acts = [{"id": x, "kind": k} for x, k in
            [("a", "sme"), ("b", "university"), ("c", "company"), ("d", "public_agency"),
             ("e", "training_centre")]]
    parts = [
        ("a", 1, 2018), ("b", 1, 2018),
        ("b", 2, 2019), ("c", 2, 2019), ("d", 2, 2019),
        ("c", 3, 2021), ("e", 3, 2021),
    ]
    return acts, parts


def test_evolution_cumulative_hand():
    acts, parts = _timeline()
    ev = evolution(acts, parts)
    assert [r["year"] for r in ev] == [2018, 2019, 2020, 2021]
    assert [r["n_nodes"] for r in ev] == [2, 4, 4, 5]
    assert [r["n_edges"] for r in ev] == [1, 4, 4, 5]
    assert [r["ties_gained"] for r in ev] == [1, 3, 0, 1]
    assert [r["ties_lost"] for r in ev] == [0, 0, 0, 0]
    assert [r["newcomers"] for r in ev] == [2, 2, 0, 1]
    # a last active 2018 -> leaves in 2019; b, d last active 2019 -> leave in 2020
    assert [r["leaver_ids"] for r in ev] == [[], ["a"], ["b", "d"], []]
    # 2019 cumulative: projects 1 (sme+univ) and 2 (univ+company+public agency)
    assert ev[1]["share_company_research"] == 1.0
    assert ev[3]["share_company_training"] == pytest.approx(1 / 3)
    assert ev[0]["density"] == 1.0


def test_evolution_window_hand():
    acts, parts = _timeline()
    ev = evolution(acts, parts, window=1, paths=True)
    assert [r["n_edges"] for r in ev] == [1, 3, 0, 1]
    assert [r["ties_lost"] for r in ev] == [0, 1, 3, 0]
    assert [r["ties_gained"] for r in ev] == [1, 3, 0, 1]
    assert ev[2]["n_nodes"] == 0 and ev[2]["triple_helix_T"] is None
    assert ev[1]["diameter"] == 1
    # E-I 2019: b(univ)-c(company), b-d(public), c-d: all external
    assert ev[1]["ei_index"] == 1.0
