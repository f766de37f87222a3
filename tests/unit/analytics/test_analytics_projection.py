import random

import networkx as nx
import pytest
from networkx.algorithms import bipartite

from service.analytics.projection import co_participation_graph, incidence_matrix


def _from_bipartite(B, top):
    actors = [{"id": a, **B.nodes[a]} for a in top]
    parts = [(a, p) for a in top for p in B[a]]
    return actors, parts


def _assert_same_projection(G, B, top):
    W = bipartite.weighted_projected_graph(B, top)
    C = bipartite.collaboration_weighted_projected_graph(B, top)
    assert set(G.nodes) == set(W.nodes)
    assert {frozenset(e) for e in G.edges} == {frozenset(e) for e in W.edges}
    for u, v, d in G.edges(data=True):
        assert d["weight"] == W[u][v]["weight"]
        assert d["newman"] == pytest.approx(C[u][v]["weight"], rel=1e-12)
        assert d["projects"] == sorted(set(B[u]) & set(B[v]))


def test_hand_computed_small_case():
    actors = [{"id": x} for x in "abcde"]
    parts = [("a", 1), ("b", 1), ("c", 1), ("a", 2), ("b", 2), ("d", 3), ("a", 1)]
    G = co_participation_graph(actors, parts)
    # p1 = {a,b,c} (n=3), p2 = {a,b} (n=2), p3 = {d} (n=1), e has no project
    assert set(G.edges) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert G["a"]["b"] == {"weight": 2, "newman": 0.5 + 1.0, "projects": [1, 2]}
    assert G["a"]["c"] == {"weight": 1, "newman": 0.5, "projects": [1]}
    assert G.degree("d") == 0 and G.degree("e") == 0
    assert G.graph["participants"] == {1: 3, 2: 2, 3: 1}


def test_attributes_copied_and_isolates_kept():
    actors = [{"id": "x", "name": "X corp", "kind": "sme", "clusters": ["c1"]}, {"id": "y"}]
    G = co_participation_graph(actors, [])
    assert G.nodes["x"] == {"name": "X corp", "kind": "sme", "clusters": ["c1"]}
    assert G.number_of_nodes() == 2 and G.number_of_edges() == 0


def test_unknown_actor_raises():
    with pytest.raises(ValueError, match="not actors"):
        co_participation_graph([{"id": "a"}], [("a", "p"), ("zz", "p")])


def test_duplicate_actor_and_missing_id_raise():
    with pytest.raises(ValueError, match="duplicated"):
        co_participation_graph([{"id": "a"}, {"id": "a"}], [])
    with pytest.raises(ValueError, match="id"):
        co_participation_graph([{"name": "a"}], [])


def test_davis_southern_women_matches_networkx():
    B = nx.davis_southern_women_graph()
    women = B.graph["top"]
    actors, parts = _from_bipartite(B, women)
    G = co_participation_graph(actors, parts)
    _assert_same_projection(G, B, women)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bipartite_matches_networkx(seed):
    B = bipartite.random_graph(40, 25, 0.12, seed=seed)
    top = [v for v, d in B.nodes(data=True) if d["bipartite"] == 0]
    # add duplicated participations: they must count once
    actors, parts = _from_bipartite(B, top)
    rng = random.Random(seed)
    parts = parts + rng.sample(parts, k=min(10, len(parts)))
    rng.shuffle(parts)
    G = co_participation_graph(actors, parts)
    _assert_same_projection(G, B, top)


def test_keep_projects_false_and_projects_attribute():
    B = nx.davis_southern_women_graph()
    women = B.graph["top"]
    actors, parts = _from_bipartite(B, women)
    G = co_participation_graph(actors, parts, keep_projects=False, projects={"E1": {"y": 1}})
    assert all("projects" not in d for _, _, d in G.edges(data=True))
    assert G.graph["projects"] == {"E1": {"y": 1}}
    _W = bipartite.weighted_projected_graph(B, women)
    assert G.number_of_edges() == _W.number_of_edges()


def test_incidence_matrix_shape_and_dedup():
    Bm, projects = incidence_matrix(["a", "b", "c"], [("a", "q"), ("a", "p"), ("a", "p")])
    assert projects == ["p", "q"]
    assert Bm.toarray().tolist() == [[1, 1], [0, 0], [0, 0]]


def test_deterministic():
    B = bipartite.random_graph(30, 20, 0.2, seed=7)
    top = [v for v, d in B.nodes(data=True) if d["bipartite"] == 0]
    actors, parts = _from_bipartite(B, top)
    G1 = co_participation_graph(actors, parts)
    G2 = co_participation_graph(actors, list(reversed(parts)))
    assert list(G1.edges(data=True)) == list(G2.edges(data=True))


def test_seeded_views_agree_with_fresh_conversion():
    from service.analytics import centrality as C

    B = bipartite.random_graph(60, 30, 0.1, seed=11)
    top = [v for v, d in B.nodes(data=True) if d["bipartite"] == 0]
    actors, parts = _from_bipartite(B, top)
    G = co_participation_graph(actors, parts)
    for u, v, d in G.edges(data=True):
        d["other"] = (u * 7 + v) % 5 + 1  # attribute not seeded by the projection
    fresh = nx.Graph(G)  # no version -> converted from scratch
    for w in (None, "weight", "newman", "other"):
        a, b = C.pagerank(G, weight=w), C.pagerank(fresh, weight=w)
        assert a == pytest.approx(b)
        assert C.betweenness(G, weight=w) == pytest.approx(C.betweenness(fresh, weight=w))
    assert C.eigenvector(G, weight="newman") == pytest.approx(
        C.eigenvector(fresh, weight="newman"))


def test_projection_seeds_conversion_cache(monkeypatch):
    from service.analytics import _graph
    from service.analytics import centrality as C

    B = nx.davis_southern_women_graph()
    women = B.graph["top"]
    G = co_participation_graph(*_from_bipartite(B, women))

    def boom(*a, **k):  # any adjacency-based rebuild would call np.fromiter
        raise AssertionError("view rebuilt instead of using the seeded cache")

    monkeypatch.setattr(_graph.np, "fromiter", boom)
    for w in (None, "weight", "newman"):
        _graph.graph_view(G, w)
    C.pagerank(G, weight="newman")
    C.pagerank(G, weight=None)


@pytest.mark.parametrize("keep_projects", [True, False])
def test_adjacency_is_filled_like_networkx_add_edge_in_row_order(keep_projects):
    """The bulk fill gives every node its neighbours in the order (and with the shared
    attribute dicts) that networkx's own add_edge, one tie at a time in (row, col) order,
    gives: traversals, hence every figure, are the same to the last bit."""
    B = bipartite.random_graph(80, 40, 0.08, seed=5)
    top = [v for v, d in B.nodes(data=True) if d["bipartite"] == 0]
    actors, parts = _from_bipartite(B, top)
    G = co_participation_graph(actors, parts, keep_projects=keep_projects)
    index = {a["id"]: i for i, a in enumerate(actors)}
    ref = nx.Graph()
    ref.add_nodes_from(a["id"] for a in actors)
    ties = sorted((tuple(sorted((u, v), key=index.__getitem__)) for u, v in G.edges()),
                  key=lambda e: (index[e[0]], index[e[1]]))
    for u, v in ties:
        ref.add_edge(u, v, **G[u][v])
    assert list(G) == list(ref)
    for u in G:
        assert list(G[u]) == list(ref[u])
        assert list(G[u]) == sorted(G[u], key=index.__getitem__)
        for v in G[u]:
            assert G[u][v] is G[v][u]  # one dict per tie, as networkx shares it
