import math
import random
from itertools import permutations

import networkx as nx
import pytest

from service.analytics import brokerage as B

KINDS = ["sme", "university", "research_lab", "training_centre"]


def _graphs():
    D = nx.disjoint_union(nx.karate_club_graph(), nx.path_graph(3))
    D.add_node("iso")
    return {
        "karate": nx.karate_club_graph(),
        "les_mis": nx.les_miserables_graph(),
        "florentine": nx.florentine_families_graph(),
        "disconnected": D,
    }


def _cmp_nan(ours, ref):
    assert ours.keys() == ref.keys()
    for v, x in ref.items():
        if isinstance(x, float) and math.isnan(x):
            assert ours[v] is None
        else:
            assert ours[v] == pytest.approx(x), v


@pytest.mark.parametrize("name", list(_graphs()))
def test_constraint_and_effective_size_match_networkx(name):
    G = _graphs()[name]
    _cmp_nan(B.constraint(G), nx.constraint(G))
    _cmp_nan(B.effective_size(G), nx.effective_size(G))
    if name in ("karate", "les_mis"):
        _cmp_nan(B.constraint(G, weight="weight"), nx.constraint(G, weight="weight"))
        # networkx 3.6's vectorised weighted effective_size (nodes=None) normalises m_jq by
        # the max of the wrong row; its per-node loop (nodes given) follows Burt's formula
        ref = nx.effective_size(G, nodes=list(G), weight="weight")
        _cmp_nan(B.effective_size(G, weight="weight"), ref)


def test_weighted_effective_size_hand():
    # triangle w01=2, w02=1, w12=3; node 1: p_10=2/5, p_12=3/5,
    # m_02 = 1/max(2,1) = 1/2, m_20 = 1/max(1,3) = 1/3
    # e_1 = (1 - 3/5*1/2) + (1 - 2/5*1/3)
    G = nx.Graph([(0, 1, {"weight": 2}), (0, 2, {"weight": 1}), (1, 2, {"weight": 3})])
    assert B.effective_size(G, weight="weight")[1] == pytest.approx(0.7 + (1 - 2 / 15))


def test_structural_holes_hand():
    # triangle a-b-c plus pendant d on a
    G = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")])
    es = B.effective_size(G)
    # a: d=3, ties among partners t=1 -> 3 - 2/3
    assert es["a"] == pytest.approx(3 - 2 / 3)
    assert es["d"] == pytest.approx(1.0)
    c = B.constraint(G)
    # b: p_ba = p_bc = 1/2; j=a: indirect via c: p_bc * p_ca = 1/2 * 1/2
    # j=c: indirect via a: p_ba * p_ac = 1/2 * 1/3 (a has three partners)
    assert c["b"] == pytest.approx((0.5 + 0.25) ** 2 + (0.5 + 1 / 6) ** 2)


def _roles_bruteforce(G, attr):
    out = {v: dict.fromkeys(B.ROLES, 0) for v in G}
    for v in G:
        for a, c in permutations(G[v], 2):
            if G.has_edge(a, c):
                continue
            ga, gv, gc = G.nodes[a][attr], G.nodes[v][attr], G.nodes[c][attr]
            if ga == gv == gc:
                r = "coordinator"
            elif ga == gc:
                r = "itinerant"
            elif ga == gv:
                r = "representative"
            elif gv == gc:
                r = "gatekeeper"
            else:
                r = "liaison"
            out[v][r] += 1
    for v in out:
        out[v]["total"] = sum(out[v].values())
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_brokerage_roles_match_bruteforce(seed):
    rng = random.Random(seed)
    for G in (nx.karate_club_graph(), nx.les_miserables_graph(), nx.gnp_random_graph(40, 0.15,
                                                                                        seed=seed)):
        nx.set_node_attributes(G, {v: rng.choice(KINDS) for v in G}, "kind")
        assert B.brokerage_roles(G) == _roles_bruteforce(G, "kind")


def test_brokerage_roles_hand():
    # v (university) between a (sme), c (sme), d (university), e (training); a-c tied
    G = nx.Graph([("v", "a"), ("v", "c"), ("v", "d"), ("v", "e"), ("a", "c")])
    kinds = {"v": "university", "a": "sme", "c": "sme", "d": "university", "e": "training"}
    nx.set_node_attributes(G, kinds, "kind")
    r = B.brokerage_roles(G)["v"]
    # unordered open pairs: a-d, c-d (sme/univ: representative+gatekeeper),
    # a-e, c-e (liaison), d-e (representative+gatekeeper); a-c is closed
    assert r == {"coordinator": 0, "itinerant": 0, "representative": 3, "gatekeeper": 3,
                 "liaison": 4, "total": 10}
    assert B.brokerage_roles(G)["a"]["total"] == 0


def test_articulation_points_and_bridges_match_networkx():
    for G in _graphs().values():
        assert set(B.articulation_points(G)) == set(nx.articulation_points(G))
        ours = {frozenset(e) for e in B.bridges(G)}
        assert ours == {frozenset(e) for e in nx.bridges(G)}
    assert B.articulation_points(nx.Graph()) == [] and B.bridges(nx.Graph()) == []


def _random_weighted(seed, n=40, p=0.2):
    rng = random.Random(seed)
    G = nx.gnp_random_graph(n, p, seed=seed)
    for a, b in G.edges:
        G[a][b]["weight"] = rng.choice([1, 1, 2, 3, 0.5])
    hub = n  # one actor tied to most others, as the H2020 hubs are
    G.add_edges_from((hub, v, {"weight": rng.choice([1, 4])}) for v in range(n)
                     if rng.random() < 0.8)
    G.add_node("iso")
    return G


@pytest.mark.parametrize("seed", range(6))
def test_constraint_and_effective_size_match_networkx_on_random_graphs(seed):
    # graphs with a hub, weights, and an isolate: every actor's value against networkx
    G = _random_weighted(seed)
    _cmp_nan(B.constraint(G), nx.constraint(G))
    _cmp_nan(B.constraint(G, weight="weight"), nx.constraint(G, weight="weight"))
    _cmp_nan(B.effective_size(G), nx.effective_size(G))
    ref = nx.effective_size(G, nodes=list(G), weight="weight")
    _cmp_nan(B.effective_size(G, weight="weight"), ref)


def test_actors_without_ties_have_no_constraint_nor_effective_size():
    G = nx.empty_graph(3)
    assert B.constraint(G) == B.effective_size(G) == {0: None, 1: None, 2: None}
    assert B.constraint(nx.Graph()) == B.effective_size(nx.Graph()) == {}


def test_constraint_with_a_tie_of_zero_weight_by_hand():
    # a-b weighs 0: a invests everything in c; b invests everything in c
    # a: p_ac = 1, the zero tie counts for nothing: c_a = (1 + 0)^2 = 1
    # c: p_ca = p_cb = 1/2; indirect via the other: p_cb * p_ba = 1/2 * 0
    G = nx.Graph([("a", "b", {"weight": 0}), ("a", "c", {"weight": 1}),
                  ("b", "c", {"weight": 1})])
    c = B.constraint(G, weight="weight")
    assert c["a"] == pytest.approx(1.0) and c["b"] == pytest.approx(1.0)
    assert c["c"] == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(8))
def test_common_partner_sums_against_dense_definition(seed):
    # the kernel on random symmetric patterns (explicit zeros, self-ties, empty rows):
    # out(i, j) = sum over q stored in rows i and j of x(i, q) y(j, q) z(q), by dense loops
    import numpy as np
    import scipy.sparse as sp

    from service.analytics._kernels import common_partner_sums

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    pattern = rng.random((n, n)) < rng.uniform(0.05, 0.6)
    pattern = pattern | pattern.T  # symmetric, self-ties included
    empty = rng.integers(0, n)
    pattern[empty, :] = pattern[:, empty] = False
    rows, cols = np.nonzero(pattern)
    A = sp.csr_array((rng.choice([0.0, 1.0, 2.5], size=rows.size), (rows, cols)),
                     shape=(n, n))  # explicit zeros stay stored
    A.sort_indices()
    x = rng.random(A.nnz)
    y = rng.random(A.nnz)
    z = rng.random(n)
    X = np.zeros((n, n))
    Y = np.zeros((n, n))
    stored = np.zeros((n, n), dtype=bool)
    r_of = np.repeat(np.arange(n), np.diff(A.indptr))
    X[r_of, A.indices] = x
    Y[r_of, A.indices] = y
    stored[r_of, A.indices] = True
    out = common_partner_sums(A, x, y, z)
    for p, (i, j) in enumerate(zip(r_of, A.indices, strict=True)):
        want = sum(X[i, q] * Y[j, q] * z[q] for q in range(n) if stored[i, q] and stored[j, q])
        assert out[p] == pytest.approx(want, abs=1e-12), (i, j)


def test_common_partner_sums_refuses_unsorted_indices():
    import numpy as np
    import scipy.sparse as sp

    from service.analytics._kernels import common_partner_sums

    A = sp.csr_array((np.ones(2), np.array([1, 0]), np.array([0, 2, 2])), shape=(2, 2))
    A.has_sorted_indices = False
    with pytest.raises(ValueError, match="sorted"):
        common_partner_sums(A, np.ones(2), np.ones(2), np.ones(2))
