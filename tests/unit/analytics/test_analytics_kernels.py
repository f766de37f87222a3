"""The null model's rewiring (service.analytics._kernels.rewire_simple)."""

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from service.analytics._kernels import rewire_simple


def _edges(G):
    return np.array(sorted((min(a, b), max(a, b)) for a, b in G.edges), dtype=np.int64)


@pytest.mark.parametrize("seed", range(5))
def test_rewiring_keeps_degrees_and_a_simple_graph(seed):
    # a hub, a clique, pendants: swaps near the hub are often refused (double ties)
    G = nx.barabasi_albert_graph(300, 3, seed=seed)
    G.add_edges_from((0, v) for v in range(200, 300))
    edges = _edges(G)
    before = edges.copy()
    out, swapped = rewire_simple(edges, 300, 20 * len(edges), seed)
    assert np.array_equal(edges, before)  # the input is not changed
    assert out.shape == edges.shape and swapped > 0
    assert np.array_equal(np.bincount(out.ravel(), minlength=300),
                          np.bincount(edges.ravel(), minlength=300))
    assert np.all(out[:, 0] != out[:, 1])  # no loop
    keys = {(min(a, b), max(a, b)) for a, b in out.tolist()}
    assert len(keys) == len(out)  # no double tie
    assert keys != {tuple(e) for e in edges.tolist()}


def test_rewiring_is_seeded():
    edges = _edges(nx.karate_club_graph())
    a = rewire_simple(edges, 34, 500, 7)[0]
    b = rewire_simple(edges, 34, 500, 7)[0]
    c = rewire_simple(edges, 34, 500, 8)[0]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_no_swap_possible_leaves_the_graph_as_it_is():
    # a triangle: every swap gives a loop or a double tie; one tie: nothing to swap
    tri = np.array([[0, 1], [0, 2], [1, 2]])
    out, swapped = rewire_simple(tri, 3, 100, 0)
    assert swapped == 0 and np.array_equal(out, tri)
    one = np.array([[0, 1]])
    assert rewire_simple(one, 2, 100, 0)[1] == 0
    assert rewire_simple(np.zeros((0, 2)), 0, 100, 0)[0].shape == (0, 2)


def test_rewired_graphs_match_igraphs_rewire_in_distribution():
    # the same swaps as igraph's rewire(allowed_edge_types="simple"): over many runs the
    # mean clustering and assortativity of the rewired karate club agree with igraph's
    G = nx.karate_club_graph()
    edges = _edges(G)
    g = ig.Graph(n=34, edges=edges.tolist())
    ours, theirs = [], []
    ig_rng = np.random.default_rng(0)
    import random

    for run in range(300):
        out, _ = rewire_simple(edges, 34, 10 * len(edges), run)
        h = ig.Graph(n=34, edges=out.tolist())
        ours.append((h.transitivity_avglocal_undirected(mode="zero"),
                     h.assortativity_degree(directed=False)))
        ig.set_random_number_generator(random.Random(int(ig_rng.integers(2**31))))
        try:
            k = g.copy()
            k.rewire(n=10 * len(edges), allowed_edge_types="simple")
        finally:
            ig.set_random_number_generator(random)
        theirs.append((k.transitivity_avglocal_undirected(mode="zero"),
                       k.assortativity_degree(directed=False)))
    ours, theirs = np.array(ours), np.array(theirs)
    # standard error of a difference of two means over 300 runs each, times 4
    se = np.sqrt(ours.var(axis=0) / 300 + theirs.var(axis=0) / 300)
    assert np.all(np.abs(ours.mean(axis=0) - theirs.mean(axis=0)) < 4 * se)
    # and both far from the observed club (clustering 0.57): the null model does something
    assert ours[:, 0].mean() < 0.4
