import networkx as nx
import pytest

from service.analytics import cohesion as K


def _graphs():
    D = nx.disjoint_union_all([nx.karate_club_graph(), nx.path_graph(4), nx.empty_graph(2)])
    return [nx.karate_club_graph(), nx.florentine_families_graph(), nx.les_miserables_graph(), D]


@pytest.mark.parametrize("G", _graphs())
def test_figures_match_networkx(G):
    s = K.cohesion_summary(G)
    assert s["density"] == pytest.approx(nx.density(G))
    assert s["average_degree"] == pytest.approx(2 * G.number_of_edges() / len(G))
    comps = sorted((len(c) for c in nx.connected_components(G)), reverse=True)
    assert s["n_components"] == len(comps)
    assert s["largest_size"] == comps[0]
    assert s["largest_share"] == pytest.approx(comps[0] / len(G))
    assert s["n_isolates"] == nx.number_of_isolates(G)
    assert s["average_clustering"] == pytest.approx(nx.average_clustering(G))
    assert s["transitivity"] == pytest.approx(nx.transitivity(G))
    giant = G.subgraph(max(nx.connected_components(G), key=len))
    assert s["average_path_length"] == pytest.approx(nx.average_shortest_path_length(giant))
    assert s["diameter"] == nx.diameter(giant)
    assert s["max_core"] == max(nx.core_number(G).values())
    n = len(G)
    reach = sum(c * (c - 1) for c in comps)
    assert s["fragmentation"] == pytest.approx(1 - reach / (n * (n - 1)))


def test_hand_computed_small_graph():
    # triangle 0-1-2, pendant 3 on 2, isolated 4
    G = nx.Graph([(0, 1), (1, 2), (0, 2), (2, 3)])
    G.add_node(4)
    s = K.cohesion_summary(G)
    assert s["density"] == pytest.approx(4 / 10)
    assert s["average_degree"] == pytest.approx(8 / 5)
    assert (s["n_components"], s["largest_size"], s["n_isolates"]) == (2, 4, 1)
    assert s["largest_share"] == pytest.approx(0.8)
    # reachable ordered pairs: 4*3 = 12 of 20
    assert s["fragmentation"] == pytest.approx(1 - 12 / 20)
    assert s["average_clustering"] == pytest.approx((1 + 1 + 1 / 3 + 0 + 0) / 5)
    assert s["transitivity"] == pytest.approx(3 / 5)
    # distances in {0,1,2,3}: 01=1 02=1 03=2 12=1 13=2 23=1 -> 8/6
    assert s["average_path_length"] == pytest.approx(8 / 6)
    assert s["diameter"] == 2
    assert s["max_core"] == 2
    # degrees 2,2,3,1,0 ; max 3: (1+1+0+2+3)/(4*3)
    assert s["degree_centralization"] == pytest.approx(7 / 12)


def test_edge_cases():
    s = K.cohesion_summary(nx.Graph())
    assert s["density"] == 0 and s["n_components"] == 0 and s["diameter"] is None
    s = K.cohesion_summary(nx.empty_graph(3))
    assert s["fragmentation"] == 1.0 and s["average_path_length"] == 0.0
    assert K.cohesion_summary(nx.path_graph(5), paths=False)["diameter"] is None
    assert K.degree_centralization(nx.star_graph(5)) == 1.0
    assert K.degree_centralization(nx.complete_graph(5)) == 0.0
    with pytest.raises(nx.NetworkXNotImplemented):
        K.density(nx.DiGraph())


def test_null_model_seeded_and_sane():
    G = nx.karate_club_graph()
    a = K.null_model(G, runs=8, seed=3)
    b = K.null_model(G, runs=8, seed=3)
    assert repr(a) == repr(b)
    c = K.null_model(G, runs=8, seed=4)
    assert repr(a) != repr(c)
    # karate is more locally clustered than its degree-preserving null model
    assert a["average_clustering"]["z"] > 2 and a["average_clustering"]["percentile"] == 100.0
    cave = K.null_model(nx.connected_caveman_graph(6, 5), runs=8, seed=0)
    assert cave["transitivity"]["z"] > 5 and cave["transitivity"]["percentile"] == 100.0
    assert a["transitivity"]["observed"] == pytest.approx(nx.transitivity(G))
    assert a["max_core"]["observed"] == max(nx.core_number(G).values())
    for f in K.NULL_FIGURES:
        r = a[f]
        assert r["null_std"] is not None and r["null_mean"] is not None
        assert 0 <= r["percentile"] <= 100
    assert a["_meta"] == {"runs": 8, "seed": 3, "swaps_per_edge": 10}


def test_null_model_preserves_degrees_and_does_not_touch_global_random():
    import random

    import igraph as ig

    from service.analytics._graph import igraph_rng, igraph_view

    G = nx.les_miserables_graph()
    g, _ = igraph_view(G)
    random.seed(123)
    expected_next = random.random()
    random.seed(123)
    h = g.copy()
    with igraph_rng(9):
        h.rewire(n=10 * g.ecount(), allowed_edge_types="simple")
    assert sorted(h.degree()) == sorted(g.degree())
    assert h.get_edgelist() != g.get_edgelist()
    assert not h.has_multiple() and not any(h.is_loop())
    assert random.random() == expected_next  # global state untouched
    # after the context igraph uses the random module again
    random.seed(5)
    x = ig.Graph.Erdos_Renyi(n=30, m=40).get_edgelist()
    random.seed(5)
    assert ig.Graph.Erdos_Renyi(n=30, m=40).get_edgelist() == x


def test_null_model_unknown_figure():
    with pytest.raises(ValueError, match="unknown"):
        K.null_model(nx.path_graph(4), runs=2, figures=["foo"])


def test_null_model_diameter_and_degenerate_graphs():
    r = K.null_model(nx.florentine_families_graph(), runs=4, seed=0, figures=["diameter"])
    assert r["diameter"]["observed"] == nx.diameter(nx.florentine_families_graph())
    # a complete graph cannot be rewired: null distribution is degenerate (std 0 -> z None)
    c = K.null_model(nx.complete_graph(5), runs=3, figures=["transitivity"])
    assert c["transitivity"]["null_std"] == 0.0 and c["transitivity"]["z"] is None
    assert c["transitivity"]["percentile"] == 100.0


def test_null_model_transitivity_from_the_shared_triangle_count(monkeypatch):
    # the path taken above SHARED_TRIANGLES_MIN_TIES ties, forced on a small graph
    monkeypatch.setattr(K, "SHARED_TRIANGLES_MIN_TIES", 0)
    G = nx.powerlaw_cluster_graph(400, 3, 0.4, seed=5)
    res = K.null_model(G, runs=3, seed=1, figures=["average_clustering", "transitivity"])
    assert res["transitivity"]["observed"] == pytest.approx(nx.transitivity(G), rel=1e-12)
    assert res["average_clustering"]["observed"] == pytest.approx(nx.average_clustering(G))
    assert 0 < res["transitivity"]["null_mean"] < res["transitivity"]["observed"]


def test_the_pivot_path_length_of_a_component_is_its_mean_distance_from_the_pivots():
    """Checked against networkx's breadth-first distances: with every vertex a pivot it is
    the component's exact average path length; with fewer, the mean over some of its
    vertices' own mean distances (the pivots), within their range."""
    import igraph as ig

    big = nx.connected_watts_strogatz_graph(120, 4, 0.2, seed=3)
    other = nx.relabel_nodes(nx.path_graph(7), {i: 200 + i for i in range(7)})
    G = nx.union(big, other)
    nodes = sorted(G)
    index = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in G.edges()])
    members = [index[v] for v in sorted(big)]
    exact = nx.average_shortest_path_length(big)
    assert K._sampled_path_length(g, 500, 0, members) == pytest.approx(exact, rel=1e-12)
    own = {v: sum(nx.single_source_shortest_path_length(big, v).values()) / 119
           for v in big}
    estimate = K._sampled_path_length(g, 10, 1, members)
    assert min(own.values()) <= estimate <= max(own.values())
    small = [index[v] for v in sorted(other)]
    assert K._sampled_path_length(g, 50, 0, small) == pytest.approx(
        nx.average_shortest_path_length(nx.path_graph(7)), rel=1e-12)
