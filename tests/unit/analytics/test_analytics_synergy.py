import itertools
import math
import random

import networkx as nx
import pytest

from service.analytics import synergy as S

KINDS = ["sme", "university", "research_lab", "training_centre", "large_company", "public_body"]


def _kinded(G, seed=0):
    rng = random.Random(seed)
    nx.set_node_attributes(G, {v: rng.choice(KINDS) for v in G}, "kind")
    return G


def test_project_mix_hand():
    kinds = {"s": "sme", "u": "university", "r": "research_lab", "t": "training_centre",
             "c": "company", "p": "public_body"}
    parts = [
        ("s", 1), ("u", 1), ("t", 1),  # company + research + training
        ("c", 2), ("r", 2),  # company + research
        ("u", 3), ("t", 3),  # research + training
        ("s", 4), ("p", 4),  # company + public: no mix counted
        ("u", 5),  # single beneficiary: not collaborative
        ("c", 6), ("c", 6),  # duplicated participation: single beneficiary
    ]
    mix = S.project_mix(parts, kinds)
    assert mix["n_projects"] == 6 and mix["n_collaborative"] == 4
    assert mix["company_research"] == 2 and mix["share_company_research"] == 0.5
    assert mix["company_training"] == 1 and mix["share_company_training"] == 0.25
    assert mix["company_research_training"] == 1
    assert mix["research_training"] == 2
    assert S.project_mix([], kinds)["share_company_research"] == 0.0


def test_kind_tie_matrix_hand_and_weighted():
    G = nx.Graph()
    G.add_nodes_from([("a", {"kind": "sme"}), ("b", {"kind": "sme"}),
                      ("c", {"kind": "university"}), ("d", {})])
    G.add_edge("a", "b", weight=2)
    G.add_edge("a", "c", weight=3)
    G.add_edge("b", "c", weight=1)
    G.add_edge("c", "d", weight=5)
    r = S.kind_tie_matrix(G)
    assert r["labels"] == ["sme", "university", "unknown"]
    assert r["matrix"] == [[1, 2, 0], [2, 0, 1], [0, 1, 0]]
    rw = S.kind_tie_matrix(G, weight="weight")
    assert rw["matrix"] == [[2.0, 4.0, 0.0], [4.0, 0.0, 5.0], [0.0, 5.0, 0.0]]


def test_ei_index_hand():
    # groups: A = {1,2,3}, B = {4,5}; internal ties 1-2, 2-3, 4-5; external 3-4, 1-5
    G = nx.Graph([(1, 2), (2, 3), (4, 5), (3, 4), (1, 5)])
    G.add_node(6, kind="B")
    nx.set_node_attributes(G, {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}, "kind")
    r = S.ei_index(G)
    assert (r["external"], r["internal"]) == (2, 3)
    assert r["overall"] == pytest.approx((2 - 3) / 5)
    # group A: E = 2 (3-4, 1-5), I = 2 -> 0 ; group B: E = 2, I = 1 -> 1/3
    assert r["groups"] == {"A": 0.0, "B": pytest.approx(1 / 3)}
    assert r["nodes"][2] == -1.0 and r["nodes"][3] == 0.0 and r["nodes"][6] is None


def _ei_reference(G, attr):
    e = sum(G.nodes[u][attr] != G.nodes[v][attr] for u, v in G.edges)
    i = G.number_of_edges() - e
    return (e - i) / (e + i)


def test_ei_index_matches_reference_on_karate():
    G = nx.karate_club_graph()
    assert S.ei_index(G, "club")["overall"] == pytest.approx(_ei_reference(G, "club"))


@pytest.mark.parametrize("make", [nx.karate_club_graph, nx.les_miserables_graph,
                                  nx.florentine_families_graph])
def test_assortativity_matches_networkx(make):
    G = _kinded(make(), seed=1)
    assert S.kind_assortativity(G) == pytest.approx(
        nx.attribute_assortativity_coefficient(G, "kind")
    )
    K = nx.karate_club_graph()
    assert S.kind_assortativity(K, "club") == pytest.approx(
        nx.attribute_assortativity_coefficient(K, "club")
    )


def test_assortativity_undefined():
    G = nx.path_graph(3)
    nx.set_node_attributes(G, "sme", "kind")
    assert S.kind_assortativity(G) is None
    assert S.kind_assortativity(nx.empty_graph(3)) is None


def _T_reference(rows):
    """Interaction information by brute force over the 2x2x2 joint distribution."""
    n = len(rows)

    def H(idx):
        counts = {}
        for r in rows:
            k = tuple(r[i] for i in idx)
            counts[k] = counts.get(k, 0) + 1
        return -sum(c / n * math.log2(c / n) for c in counts.values())

    return H([0]) + H([1]) + H([2]) - H([0, 1]) - H([0, 2]) - H([1, 2]) + H([0, 1, 2])


def test_triple_helix_hand():
    sph = {"U": "academia", "I": "industry", "G": "government", "X": None}
    # four equiprobable patterns 111, 100, 010, 001: H_x = 1, H_xy = 2, H_xyz = 2 -> T = -1
    parts = [("U", 1), ("I", 1), ("G", 1), ("U", 2), ("I", 3), ("G", 4)]
    r = S.triple_helix(parts, sph)
    assert r["T"] == pytest.approx(-1.0)
    assert (r["H_u"], r["H_ui"], r["H_uig"]) == (1.0, 2.0, 2.0)
    assert r["table"]["111"] == 1 and r["table"]["000"] == 0 and r["n_projects"] == 4
    # all consortia identical -> no uncertainty, T = 0
    same = [("U", p) for p in range(5)] + [("I", p) for p in range(5)]
    assert S.triple_helix(same, sph)["T"] == 0.0
    # a project with only unclassified actors falls in cell 000
    assert S.triple_helix([("X", 9)], sph)["table"]["000"] == 1


def test_triple_helix_matches_bruteforce():
    rng = random.Random(3)
    sph = {f"a{i}": rng.choice(["academia", "industry", "government", None]) for i in range(30)}
    parts = [(f"a{rng.randrange(30)}", p) for p in range(60) for _ in range(rng.randint(1, 4))]
    r = S.triple_helix(parts, sph)
    cons = S.consortia(parts)
    rows = []
    for members in cons.values():
        present = {sph[a] for a in members}
        rows.append(tuple(int(s in present) for s in ("academia", "industry", "government")))
    assert r["T"] == pytest.approx(_T_reference(rows), abs=1e-12)
    assert sum(r["table"].values()) == len(cons)
    assert set(r["table"]) == {"".join(b) for b in itertools.product("01", repeat=3)}


def test_default_helix_mapping():
    assert S.DEFAULT_HELIX["sme"] == "industry"
    assert S.DEFAULT_HELIX["university"] == "academia"
    assert S.DEFAULT_HELIX["public_body"] == "government"
