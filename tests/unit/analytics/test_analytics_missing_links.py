import math
import random

import networkx as nx
import numpy as np
import pytest

from service.analytics import link_backtest as B
from service.analytics import missing_links as L


def _kinded_karate():
    G = nx.karate_club_graph()
    G.graph["version"] = 1
    rng = random.Random(0)
    kinds = ["sme", "university", "training_centre", "company", "research_lab"]
    for v in G:
        G.nodes[v]["kind"] = rng.choice(kinds)
        G.nodes[v]["name"] = f"N{v}"
        G.nodes[v]["clusters"] = ["A"] if v < 17 else ["B", "A"] if v % 5 == 0 else ["B"]
        G.nodes[v]["niche"] = "x" if v % 3 == 0 else "y"
    return G


def test_pair_scores_match_networkx():
    G = nx.les_miserables_graph()
    non = list(nx.non_edges(G))[:400]
    s = L.pair_scores(G, non)
    ref = {
        "jaccard": nx.jaccard_coefficient(G, non),
        "adamic_adar": nx.adamic_adar_index(G, non),
        "resource_allocation": nx.resource_allocation_index(G, non),
        "preferential_attachment": nx.preferential_attachment(G, non),
    }
    for name, it in ref.items():
        expected = [x for _, _, x in it]
        assert s[name] == pytest.approx(expected), name
    assert s["common_neighbors"].tolist() == [len(list(nx.common_neighbors(G, u, v)))
                                              for u, v in non]


def test_recommend_scores_match_networkx_and_candidates_are_distance_2():
    G = _kinded_karate()
    for actor in (0, 33, 11, 26):
        recs = L.recommend(G, actor, top=1000, complementarity=None, explain=False)
        dist = nx.single_source_shortest_path_length(G, actor)
        assert {r["id"] for r in recs} == {v for v, d in dist.items() if d == 2}
        for r in recs:
            v = r["id"]
            cn = len(list(nx.common_neighbors(G, actor, v)))
            assert r["common_neighbors"] == cn
            assert r["jaccard"] == pytest.approx(next(nx.jaccard_coefficient(G, [(actor, v)]))[2])
            assert r["adamic_adar"] == pytest.approx(next(nx.adamic_adar_index(G, [(actor, v)]))[2])
            assert r["resource_allocation"] == pytest.approx(
                next(nx.resource_allocation_index(G, [(actor, v)]))[2])
            assert r["preferential_attachment"] == G.degree(actor) * G.degree(v)
        scores = [r["score"] for r in recs]
        assert scores == sorted(scores, reverse=True)


def test_fallback_ranks_by_weighted_adamic_adar():
    G = _kinded_karate()
    rng = random.Random(4)
    for a, b in G.edges:
        G[a][b]["weight"] = rng.randint(1, 4)
    for actor in (0, 33):
        recs = L.recommend(G, actor, top=1000, complementarity=None, explain=False)
        assert all(r["ranking"] == "weighted_adamic_adar" for r in recs)
        # independent computation: sum over shared partners w of
        # log(1 + w_uw) log(1 + w_wv) / log(deg w)
        for r in recs:
            v = r["id"]
            s = sum(math.log1p(G[actor][w]["weight"]) * math.log1p(G[w][v]["weight"])
                    / math.log(G.degree(w)) for w in nx.common_neighbors(G, actor, v))
            assert r["score"] == pytest.approx(s / (1 + s))
        keys = [(-r["score"], r["id"]) for r in recs]
        assert keys == sorted(keys)


def test_distance_3_and_same_attribute_candidates():
    G = nx.path_graph(6)  # 0-1-2-3-4-5
    nx.set_node_attributes(G, {v: ("x" if v in (0, 5) else "y") for v in G}, "niche")
    r2 = L.recommend(G, 0, complementarity=None, explain=False)
    assert [r["id"] for r in r2] == [2]
    r3 = L.recommend(G, 0, max_distance=3, complementarity=None, explain=False)
    assert {(r["id"], r["distance"]) for r in r3} == {(2, 2), (3, 3)}
    assert r3[0]["id"] == 2
    ra = L.recommend(G, 0, same_attributes=("niche",), complementarity=None, explain=False)
    assert {r["id"] for r in ra} == {2, 5}
    assert next(r for r in ra if r["id"] == 5)["distance"] is None
    with pytest.raises(ValueError):
        L.recommend(G, 0, max_distance=4)
    with pytest.raises(nx.NodeNotFound):
        L.recommend(G, "nope")
    assert L.recommend(nx.empty_graph(3), 0) == []


def test_complementary_kinds_are_a_reason_not_a_boost():
    # u (sme) has two symmetric distance-2 candidates: a university and another sme
    G = nx.Graph([("u", "m"), ("m", "r"), ("m", "s")])
    nx.set_node_attributes(G, {"u": "sme", "m": "public_body", "r": "university",
                               "s": "sme"}, "kind")
    nx.set_node_attributes(G, {"u": "Rabat", "m": "Rabat", "r": "Rabat", "s": "Fes"},
                           "region_id")
    recs = L.recommend(G, "u")
    assert [r["id"] for r in recs] == ["r", "s"]  # equal scores: node order
    assert recs[0]["score"] == recs[1]["score"]
    assert recs[0]["complementary"] and not recs[1]["complementary"]
    assert recs[0]["reasons"] == ["1 shared partner: m",
                                  "complementary kinds (sme and university)",
                                  "same region (Rabat)"]
    assert recs[1]["reasons"] == ["1 shared partner: m"]
    assert recs[0]["why"] == "; ".join(recs[0]["reasons"])


def _apl_connected_pairs(H):
    """Mean shortest-path length over connected unordered pairs (independent of igraph)."""
    tot = cnt = 0
    for x, dists in nx.all_pairs_shortest_path_length(H):
        for y, d in dists.items():
            if x < y:
                tot += d
                cnt += 1
    return tot / cnt if cnt else None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_path_effect_on_random_clusters(seed):
    # sparse random graphs: several components, both bridge and shortcut cases
    G = nx.gnp_random_graph(60, 0.04, seed=seed)
    nx.set_node_attributes(G, ["K"], "clusters")
    G.graph["version"] = seed + 100
    checked = 0
    for actor in (0, 1, 2, 3, 4):
        for r in L.recommend(G, actor, top=10, max_distance=3, same_attributes=("clusters",),
                             complementarity=None, explain_paths=True):
            eff = r["cluster_effects"][0]
            H = G.copy()
            assert eff["average_path_before"] == pytest.approx(_apl_connected_pairs(H))
            H.add_edge(actor, r["id"])
            assert eff["average_path_after"] == pytest.approx(_apl_connected_pairs(H))
            checked += 1
    assert checked > 20


def test_explanations():
    G = _kinded_karate()
    louv = {v: 0 if v < 17 else 1 for v in G}
    recs = L.recommend(G, 0, top=10, communities=louv, explain_paths=True)
    for r in recs:
        v = r["id"]
        shared = sorted(nx.common_neighbors(G, 0, v), key=lambda w: (G.degree(w), w))
        assert r["n_shared_partners"] == len(shared)
        assert r["shared_partners"] == [f"N{w}" for w in shared[:5]]
        assert r["communities"] == (louv[0], louv[v])
        assert r["bridges_communities"] == (louv[0] != louv[v])
        assert r["shared_clusters"] == sorted({"A"} & set(G.nodes[v]["clusters"]))
        for eff in r["cluster_effects"]:
            members = [x for x in G if eff["cluster"] in G.nodes[x]["clusters"]]
            H = G.subgraph(members).copy()
            assert eff["size"] == len(members)
            assert eff["density_before"] == pytest.approx(nx.density(H))
            assert eff["components_before"] == nx.number_connected_components(H)
            assert eff["average_path_before"] == pytest.approx(_apl_connected_pairs(H))
            H.add_edge(0, v)
            assert eff["density_after"] == pytest.approx(nx.density(H))
            assert eff["components_after"] == nx.number_connected_components(H)
            assert eff["average_path_after"] == pytest.approx(_apl_connected_pairs(H))


def test_cluster_effect_merges_components():
    G = nx.Graph([("a", "h"), ("h", "b")])
    nx.set_node_attributes(G, {"a": ["C"], "b": ["C"], "h": ["D"]}, "clusters")
    r = L.recommend(G, "a", complementarity=None)[0]
    assert r["id"] == "b" and r["shared_clusters"] == ["C"] and r["bridges_clusters"] == []
    eff = r["cluster_effects"][0]
    assert (eff["components_before"], eff["components_after"]) == (2, 1)
    assert (eff["density_before"], eff["density_after"]) == (0.0, 1.0)
    assert r["shared_partners"] == ["h"]


def test_recommend_deterministic():
    G = _kinded_karate()
    a = L.recommend(G, 5, top=20)
    b = L.recommend(G, 5, top=20)
    assert repr(a) == repr(b)


def _edges_with_years(seed=0):
    # growing network: early ties closed into triangles later
    rng = random.Random(seed)
    G = nx.connected_caveman_graph(8, 6)
    edges = list(G.edges)
    rng.shuffle(edges)
    out = []
    for i, (u, v) in enumerate(edges):
        out.append((u, v, 2018 if i < int(0.8 * len(edges)) else 2019))
    return out


def test_evaluate_link_prediction_structure_and_sanity():
    edges = _edges_with_years()
    r = B.evaluate_link_prediction(edges, k=10, seed=1)
    assert r["test_year"] == 2019 and r["pool"] == "all_pairs"
    n = r["n_train_nodes"]
    assert r["pool_size"] == n * (n - 1) // 2 - r["n_train_edges"]
    assert r["positives_in_pool"] == r["n_positive"]
    assert r["random_expected_precision"] == pytest.approx(r["n_positive"] / r["pool_size"])
    m = r["methods"]
    # triangle closure is highly predictable in a caveman graph
    assert m["common_neighbors"]["precision_at_k"] > 5 * r["random_expected_precision"]
    assert m["resource_allocation"]["auc"] > 0.9
    assert m["combined"]["auc"] > 0.8  # PA (uninformative here) dilutes the mean
    assert 0.3 < m["random"]["auc"] < 0.7
    assert repr(B.evaluate_link_prediction(edges, k=10, seed=1)) == repr(r)


def test_evaluate_link_prediction_hand():
    # train: path 0-1-2-3 (2019); test: 0-2 (2020) and 1-3 (2020)
    edges = [(0, 1, 2019), (1, 2, 2019), (2, 3, 2019), (0, 2, 2020), (1, 3, 2020), (1, 0, 2020)]
    r = B.evaluate_link_prediction(edges, k=2)
    assert r["n_train_edges"] == 3 and r["n_positive"] == 2  # 1-0 repeats an old tie
    # pool: non-tied pairs 0-2, 1-3, 0-3; CN = 1, 1, 0 -> top-2 are both positives
    assert r["pool_size"] == 3
    assert r["methods"]["common_neighbors"]["precision_at_k"] == 1.0
    # PA: 0-2 -> 1*2, 1-3 -> 2*1, 0-3 -> 1 ; top-2 are the positives as well
    assert r["methods"]["preferential_attachment"]["precision_at_k"] == 1.0
    assert r["methods"]["common_neighbors"]["auc"] == 1.0  # only negative is 0-3 (CN 0)
    # random expected precision = 2 positives / 3 pool pairs
    assert r["methods"]["common_neighbors"]["lift_vs_random"] == pytest.approx(1.5)
    assert r["methods"]["common_neighbors"]["lift_vs_preferential_attachment"] == 1.0
    with pytest.raises(ValueError):
        B.evaluate_link_prediction([])


def test_evaluate_distance2_pool():
    edges = _edges_with_years()
    r = B.evaluate_link_prediction(edges, k=10, max_pool_nodes=5)
    assert r["pool"] == "distance_2"
    train = nx.Graph([(u, v) for u, v, y in edges if y < 2019])
    expected = sum(
        1 for u, v in nx.non_edges(train) if any(True for _ in nx.common_neighbors(train, u, v))
    )
    assert r["pool_size"] == expected
    m = r["methods"]
    assert m["resource_allocation"]["auc"] > 0.8 and m["combined"]["auc"] > 0.7
    assert 0.3 < m["random"]["auc"] < 0.7
    assert repr(B.evaluate_link_prediction(edges, k=10, max_pool_nodes=5)) == repr(r)


def test_combine_scores_ties():
    out = L.combine_scores({s: np.zeros(4) for s in L.SCORES})
    assert np.allclose(out, 2.5 / 4)
    assert math.isclose(L.combine_scores({s: np.arange(3.0) for s in L.SCORES})[2], 1.0)


@pytest.mark.parametrize("dense", [True, False])
def test_matrix_scores_match_networkx(dense):
    from service.analytics._graph import csr_view

    G = nx.les_miserables_graph()
    A, view = csr_view(G)
    A = (A != 0).astype(float)
    non = list(nx.non_edges(G))[:300]
    pi = np.array([view.index[u] for u, _ in non])
    pj = np.array([view.index[v] for _, v in non])
    s = L._matrix_scores(A, pi, pj, dense=dense)
    assert s["jaccard"] == pytest.approx([x for *_, x in nx.jaccard_coefficient(G, non)])
    assert s["adamic_adar"] == pytest.approx([x for *_, x in nx.adamic_adar_index(G, non)])
    assert s["resource_allocation"] == pytest.approx(
        [x for *_, x in nx.resource_allocation_index(G, non)])
    assert s["preferential_attachment"] == pytest.approx(
        [x for *_, x in nx.preferential_attachment(G, non)])
