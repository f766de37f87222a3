import itertools
import math
import random

import networkx as nx
import pytest

from service.analytics import synergy as S

KINDS = ["sme", "university", "research_lab", "training_centre", "large_company",
         "public_agency"]


def _kinded(G, seed=0):
    rng = random.Random(seed)
    nx.set_node_attributes(G, {v: rng.choice(KINDS) for v in G}, "kind")
    return G


def test_project_mix_hand():
    kinds = {"s": "sme", "u": "university", "r": "research_lab", "t": "training_centre",
             "c": "company", "p": "public_agency"}
    parts = [
        ("s", 1), ("u", 1), ("t", 1),  # company + research + training
        ("c", 2), ("r", 2),  # company + research
        ("u", 3), ("t", 3),  # research + training
        ("s", 4), ("p", 4),  # company + public agency: no mix counted
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


def _ei_full_reference(G, labels, weight):
    """Every figure of ei_index, tie by tie in plain Python (the definition)."""
    ext = inn = 0
    g_e, g_i, n_e, n_i = {}, {}, {v: 0 for v in G}, {v: 0 for v in G}
    for u, v, d in G.edges(data=True):
        w = d.get(weight, 1) if weight else 1
        a, b = labels[u], labels[v]
        if a == b:
            inn += w
            g_i[a] = g_i.get(a, 0) + w
            n_i[u] += w
            n_i[v] += w
        else:
            ext += w
            g_e[a] = g_e.get(a, 0) + w
            g_e[b] = g_e.get(b, 0) + w
            n_e[u] += w
            n_e[v] += w

    def ei(e, i):
        return None if e + i == 0 else (e - i) / (e + i)

    groups = {g: ei(g_e.get(g, 0), g_i.get(g, 0)) for g in set(labels.values())}
    return ei(ext, inn), ext, inn, groups, {v: ei(n_e[v], n_i[v]) for v in G}


@pytest.mark.parametrize("seed", range(40))
def test_ei_index_matches_definition_on_random_graphs(seed):
    # weights or counts, isolates, actors without a group, and (every fourth graph)
    # self-loops, which take another way into the arrays
    rng = random.Random(seed)
    G = nx.gnm_random_graph(rng.randint(1, 40), rng.randint(0, 120), seed=seed)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = rng.choice([1, 2, 0.5, 3.25])
    if seed % 4 == 0:
        for v in rng.sample(list(G), min(3, len(G))):
            G.add_edge(v, v, weight=2.0)
    for v in G:
        if rng.random() < 0.8:
            G.nodes[v]["kind"] = rng.choice(KINDS[:3])
    labels = {v: G.nodes[v].get("kind") or "unknown" for v in G}
    for weight in (None, "weight"):
        overall, ext, inn, groups, nodes = _ei_full_reference(G, labels, weight)
        r = S.ei_index(G, weight=weight)
        assert (r["external"], r["internal"]) == (pytest.approx(ext), pytest.approx(inn))
        assert r["overall"] == (None if overall is None else pytest.approx(overall))
        assert set(r["groups"]) == set(groups)
        for g, want in groups.items():
            assert r["groups"][g] == (None if want is None else pytest.approx(want))
        assert list(r["nodes"]) == list(G)
        for v, want in nodes.items():
            assert r["nodes"][v] == (None if want is None else pytest.approx(want))
        if weight is None:  # counts are exact
            assert r["overall"] == overall and r["nodes"] == nodes


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
    assert S.DEFAULT_HELIX["training_centre"] == "academia"
    assert S.DEFAULT_HELIX["public_agency"] == "government"
    assert S.DEFAULT_HELIX["funder"] == "government"
    assert S.DEFAULT_HELIX["association"] is None and S.DEFAULT_HELIX["other"] is None
    assert "public_body" not in S.DEFAULT_HELIX and "government" not in S.DEFAULT_HELIX


#: The kinds in each cell's consortia: every project is built from actor KINDS (several
#: kinds per sphere, plus kinds outside the helix) and the spheres come from DEFAULT_HELIX,
#: so the mapping is under test too.
_MEMBERS_OF_CELL = {  # cell "uig" (academia, industry, government) -> kinds in the consortium
    "000": ["association", "other"],
    "001": ["public_agency"],
    "010": ["sme", "startup"],
    "011": ["company", "funder"],
    "100": ["university"],
    "101": ["research_lab", "public_agency", "association"],
    "110": ["training_centre", "large_company"],
    "111": ["university", "sme", "funder", "other"],
}


def test_triple_helix_hand_computed_2x2x2_table():
    # 16 projects; the 2x2x2 table (u = academia, i = industry, g = government):
    #   uig: 000  001  010  011  100  101  110  111
    #   n:     2    2    4    0    4    0    2    2
    counts = {"000": 2, "001": 2, "010": 4, "011": 0, "100": 4, "101": 0, "110": 2, "111": 2}
    # With N = 16 and H = log2 N - (1/N) sum c log2 c over the cells of a margin:
    #   H_u:  u=1: 4+0+2+2 = 8, u=0: 8                 -> 1
    #   H_i:  i=1: 4+0+2+2 = 8, i=0: 8                 -> 1
    #   H_g:  g=1: 2+0+0+2 = 4, g=0: 12                -> 2 - (3/4) log2 3
    #   H_ui: 00: 2+2, 01: 4+0, 10: 4+0, 11: 2+2 = 4,4,4,4             -> 2
    #   H_ug: 00: 2+4, 01: 2+0, 10: 4+2, 11: 0+2 = 6,2,6,2
    #         -> 4 - (6 log2 6 + 2 + 6 log2 6 + 2)/16 = 3.75 - (3/4) log2 6
    #          = 3 - (3/4) log2 3
    #   H_ig: 00: 2+4, 01: 2+0, 10: 4+2, 11: 0+2 = 6,2,6,2 -> 3 - (3/4) log2 3
    #   H_uig: cells 2,2,4,4,2,2 -> 4 - (4*2*1 + 2*4*2)/16 = 4 - 24/16 = 2.5
    #   T = H_u + H_i + H_g - H_ui - H_ug - H_ig + H_uig
    #     = 1 + 1 + (2 - .75 L) - 2 - 2 (3 - .75 L) + 2.5      (L = log2 3)
    #     = -1.5 + 0.75 L = -1.5 + 0.75 * 1.5849625007 = -0.3112781245 bits
    expected_t = -1.5 + 0.75 * math.log2(3)
    assert expected_t == pytest.approx(-0.3112781245, abs=1e-10)
    participations, kinds = [], {}
    project = 0
    for cell, n in counts.items():
        for _ in range(n):
            project += 1
            for j, kind in enumerate(_MEMBERS_OF_CELL[cell]):
                actor = f"p{project}-{j}"
                kinds[actor] = kind
                participations.append((actor, project))
    spheres = {a: S.DEFAULT_HELIX[k] for a, k in kinds.items()}
    r = S.triple_helix(participations, spheres)
    assert r["table"] == counts and r["n_projects"] == 16
    assert r["H_u"] == pytest.approx(1.0) and r["H_i"] == pytest.approx(1.0)
    assert r["H_g"] == pytest.approx(2 - 0.75 * math.log2(3))
    assert r["H_ui"] == pytest.approx(2.0)
    assert r["H_ug"] == pytest.approx(3 - 0.75 * math.log2(3))
    assert r["H_ig"] == pytest.approx(3 - 0.75 * math.log2(3))
    assert r["H_uig"] == pytest.approx(2.5)
    assert r["T"] == pytest.approx(expected_t, abs=1e-12)
    # the old mapping's words (public_body, government) matched no kind: with public
    # agencies and funders outside the helix, H_g = 0 and T = 0 whatever the consortia
    wrong = {"company": "industry", "sme": "industry", "startup": "industry",
             "large_company": "industry", "university": "academia",
             "research_lab": "academia", "training_centre": "academia",
             "public_body": "government", "government": "government"}
    old = S.triple_helix(participations, {a: wrong.get(k) for a, k in kinds.items()})
    assert old["H_g"] == 0.0 and old["T"] == 0.0
