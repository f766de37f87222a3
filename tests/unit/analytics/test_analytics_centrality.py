import networkx as nx
import numpy as np
import pytest

from service.analytics import centrality as C

NAMED = {
    "karate": nx.karate_club_graph,
    "florentine": nx.florentine_families_graph,
    "les_mis": nx.les_miserables_graph,
    "davis_women": lambda: nx.bipartite.weighted_projected_graph(
        nx.davis_southern_women_graph(), nx.davis_southern_women_graph().graph["top"]
    ),
}


def _disconnected():
    G = nx.disjoint_union_all(
        [nx.karate_club_graph(), nx.path_graph(5), nx.complete_graph(4), nx.empty_graph(3)]
    )
    G.add_edge(100, 101)
    return G


def _close(a: dict, b: dict, tol=1e-9):
    assert a.keys() == b.keys()
    for v in a:
        assert a[v] == pytest.approx(b[v], abs=tol), v


def test_degree_and_strength_hand():
    G = nx.Graph()
    G.add_edge("a", "b", weight=2)
    G.add_edge("a", "c", weight=1, newman=0.5)
    G.add_node("d")
    assert C.degree(G) == {"a": 2, "b": 1, "c": 1, "d": 0}
    assert C.strength(G) == {"a": 3.0, "b": 2.0, "c": 1.0, "d": 0.0}
    # missing attribute counts 1
    assert C.strength(G, "newman") == {"a": 1.5, "b": 1.0, "c": 0.5, "d": 0.0}


def test_rejects_directed_and_multigraph():
    for bad in (nx.DiGraph([(0, 1)]), nx.MultiGraph([(0, 1)])):
        with pytest.raises(nx.NetworkXNotImplemented):
            C.betweenness(bad)
        with pytest.raises(nx.NetworkXNotImplemented):
            C.degree(bad)


@pytest.mark.parametrize("name", list(NAMED))
def test_exact_betweenness_equals_networkx(name):
    G = NAMED[name]()
    _close(C.betweenness(G), nx.betweenness_centrality(G))
    _close(
        C.betweenness(G, normalized=False), nx.betweenness_centrality(G, normalized=False)
    )


def test_weighted_betweenness_equals_networkx():
    G = nx.les_miserables_graph()  # weight = co-occurrences, used as distance here
    _close(C.betweenness(G, weight="weight"), nx.betweenness_centrality(G, weight="weight"))


def test_betweenness_disconnected_and_small():
    G = _disconnected()
    _close(C.betweenness(G), nx.betweenness_centrality(G))
    assert C.betweenness(nx.Graph()) == {}
    assert C.betweenness(nx.path_graph(2)) == {0: 0.0, 1: 0.0}
    # hand: star centre lies on all 3 pairs of leaves, normalised by 3 pairs
    assert C.betweenness(nx.star_graph(3))[0] == 1.0


def test_betweenness_k_ge_n_is_exact():
    G = nx.karate_club_graph()
    r = C.betweenness_info(G, k=G.number_of_nodes())
    assert not r.approximate and r.k == 34 and r.seed is None
    _close(r.values, nx.betweenness_centrality(G))


def test_sampled_betweenness_matches_independent_estimator():
    G = nx.les_miserables_graph()
    n = G.number_of_nodes()
    r = C.betweenness_info(G, k=20, seed=3)
    assert r.approximate and r.k == 20 and r.seed == 3 and len(r.sources) == 20
    # independent: networkx subset betweenness from the same sources, rescaled by n/k and
    # normalised by (n-1)(n-2)/2 pairs (networkx halves undirected subset values).
    ref = nx.betweenness_centrality_subset(G, sources=r.sources, targets=list(G), normalized=False)
    scale = (n / 20) * 2 / ((n - 1) * (n - 2))
    _close(r.values, {v: x * scale for v, x in ref.items()})


def test_sampled_betweenness_is_seeded_and_reproducible():
    G = nx.les_miserables_graph()
    a = C.betweenness_info(G, k=10, seed=5)
    b = C.betweenness_info(G, k=10, seed=5)
    c = C.betweenness_info(G, k=10, seed=6)
    assert repr(sorted(a.values.items())) == repr(sorted(b.values.items()))
    assert a.sources == b.sources and a.sources != c.sources


def test_sampled_estimate_is_close_on_average():
    G = nx.karate_club_graph()
    exact = np.array(list(nx.betweenness_centrality(G).values()))
    est = np.mean(
        [list(C.betweenness(G, k=17, seed=s).values()) for s in range(40)], axis=0
    )
    assert np.abs(est - exact).max() < 0.05  # unbiased estimator


def test_auto_k(monkeypatch):
    G = nx.karate_club_graph()
    assert C.betweenness_info(G, k="auto").approximate is False
    monkeypatch.setattr(C, "EXACT_BETWEENNESS_MAX_NODES", 10)
    monkeypatch.setattr(C, "AUTO_BETWEENNESS_SAMPLES", 8)
    r = C.betweenness_info(G, k="auto")
    assert r.approximate and r.k == 8
    with pytest.raises(ValueError):
        C.betweenness_info(G, k="many")
    with pytest.raises(ValueError):
        C.betweenness_info(G, k=0)


@pytest.mark.parametrize("name", ["karate", "florentine", "les_mis"])
def test_closeness_harmonic_match_networkx(name):
    G = NAMED[name]()
    _close(C.closeness(G), nx.closeness_centrality(G))
    _close(C.harmonic(G), nx.harmonic_centrality(G))


def test_closeness_harmonic_disconnected_and_weighted():
    G = _disconnected()
    _close(C.closeness(G), nx.closeness_centrality(G))
    _close(C.harmonic(G), nx.harmonic_centrality(G))
    L = nx.les_miserables_graph()
    _close(C.closeness(L, weight="weight"), nx.closeness_centrality(L, distance="weight"))
    _close(C.harmonic(L, weight="weight"), nx.harmonic_centrality(L, distance="weight"))
    n = G.number_of_nodes()
    h = nx.harmonic_centrality(G)
    _close(C.harmonic(G, normalized=True), {v: x / (n - 1) for v, x in h.items()})


@pytest.mark.parametrize("name", ["karate", "florentine", "les_mis", "davis_women"])
def test_eigenvector_connected_matches_networkx(name):
    G = NAMED[name]()
    _close(C.eigenvector(G), nx.eigenvector_centrality_numpy(G), tol=1e-6)
    _close(
        C.eigenvector(G, weight="weight"),
        nx.eigenvector_centrality_numpy(G, weight="weight"),
        tol=1e-6,
    )


def test_eigenvector_per_component():
    G = _disconnected()
    ev = C.eigenvector(G)
    n = G.number_of_nodes()
    n_isolates = nx.number_of_isolates(G)
    assert sum(x * x for x in ev.values()) == pytest.approx((n - n_isolates) / n)
    for comp in nx.connected_components(G):
        H = G.subgraph(comp)
        if len(comp) == 1:
            assert ev[next(iter(comp))] == 0.0
            continue
        ref = nx.eigenvector_centrality(H, max_iter=10000, tol=1e-12)
        f = np.sqrt(len(comp) / n)
        _close({v: ev[v] for v in comp}, {v: x * f for v, x in ref.items()}, tol=1e-6)


@pytest.mark.parametrize("name", ["karate", "florentine", "les_mis"])
def test_pagerank_matches_networkx(name):
    G = NAMED[name]()
    ref = nx.pagerank(G, weight=None, tol=1e-10, max_iter=1000)
    _close(C.pagerank(G, weight=None), ref, tol=1e-7)
    _close(C.pagerank(G), nx.pagerank(G, tol=1e-10, max_iter=1000), tol=1e-7)
    D = _disconnected()
    ref = nx.pagerank(D, weight=None, tol=1e-10, max_iter=1000)
    _close(C.pagerank(D, weight=None), ref, tol=1e-7)


def test_rank_and_percentile_hand():
    vals = {"a": 5.0, "b": 3.0, "c": 5.0, "d": 1.0, "e": 3.0}
    rp = C.rank_and_percentile(vals)
    assert {v: x["rank"] for v, x in rp.items()} == {"a": 1, "b": 3, "c": 1, "d": 5, "e": 3}
    assert rp["d"]["percentile"] == 20.0 and rp["a"]["percentile"] == 100.0
    assert rp["b"]["percentile"] == 60.0
    sub = C.rank_and_percentile(vals, subset=["b", "d", "zz"])
    assert sub == {"b": {"rank": 1, "percentile": 100.0}, "d": {"rank": 2, "percentile": 50.0}}


def test_centrality_table():
    G = nx.karate_club_graph()
    rows = C.centrality_table(G, subset=[0, 1, 2, 33])
    assert [r["id"] for r in rows] == list(G)
    bc = nx.betweenness_centrality(G)
    for r in rows:
        v = r["id"]
        assert r["degree"] == G.degree(v)
        assert r["strength"] == G.degree(v, weight="weight")
        assert r["betweenness"] == pytest.approx(bc[v])
        # rank = 1 + number of nodes strictly higher (ties share the lowest rank)
        assert r["degree_rank"] == 1 + sum(G.degree(u) > G.degree(v) for u in G)
        assert r["betweenness_rank"] == 1 + sum(bc[u] > bc[v] + 1e-12 for u in G)
        assert r["betweenness_approximate"] is False
    by_id = {r["id"]: r for r in rows}
    assert by_id[33]["degree_subset_rank"] == 1 and by_id[0]["degree_subset_rank"] == 2
    assert by_id[5]["degree_subset_rank"] is None
    # leaves of the karate club with degree 1: node 11 only
    assert by_id[11]["degree_rank"] == 34


def test_centrality_table_all_metrics_and_unknown():
    G = nx.florentine_families_graph()
    rows = C.centrality_table(G, metrics=C._TABLE_METRICS, weight="weight")
    assert set(rows[0]) >= {f"{m}_rank" for m in C._TABLE_METRICS}
    with pytest.raises(ValueError, match="unknown"):
        C.centrality_table(G, metrics=["foo"])


def test_igraph_cache_invalidated_by_version():
    from service.analytics._graph import bump_version

    G = nx.path_graph(4)
    G.graph["version"] = 1
    assert C.betweenness(G)[1] == pytest.approx(2 / 3)
    G.add_node(99)  # node count changes -> cache key changes
    _close(C.betweenness(G), nx.betweenness_centrality(G))
    G.add_edge(0, 3)  # same node count: the caller must bump the version
    bump_version(G)
    _close(C.betweenness(G), nx.betweenness_centrality(G))
    H = nx.path_graph(4)  # no version: never cached
    C.betweenness(H)
    H.add_edge(0, 3)
    _close(C.betweenness(H), nx.betweenness_centrality(H))


def test_cache_not_shared_with_copies():
    G = nx.path_graph(5)
    G.graph["version"] = 7
    C.betweenness(G)
    H = G.copy()
    H.add_edge(0, 4)  # same version, same node count, different graph object
    _close(C.betweenness(H), nx.betweenness_centrality(H))
    _close(C.betweenness(G), nx.betweenness_centrality(G))
    S = G.subgraph([0, 1, 2])
    _close(C.betweenness(S), nx.betweenness_centrality(S))
