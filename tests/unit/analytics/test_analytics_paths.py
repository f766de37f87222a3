"""The approximation policy: each estimate lies within the bound it states, on graphs small
enough for the exact value (networkx), and the exact paths stay exact below the threshold."""

from __future__ import annotations

import networkx as nx
import pytest

from service.analytics import paths
from service.analytics.paths import (
    average_path_length_info,
    closeness_info,
    diameter_ifub,
    harmonic_info,
)


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    """A small-world network of 800 actors plus a small component and an isolate."""
    G = nx.connected_watts_strogatz_graph(800, 6, 0.08, seed=3)
    G.add_edges_from([(800, 801), (801, 802), (802, 803)])
    G.add_node(804)
    G.graph["version"] = 1
    return G


def test_exact_below_the_threshold_matches_networkx(graph):
    values, how = harmonic_info(graph)  # "auto": 805 actors <= 5,000
    assert how.exact and how.error is None
    expected = nx.harmonic_centrality(graph)
    assert all(values[v] == pytest.approx(expected[v], abs=1e-9) for v in graph)
    close, how = closeness_info(graph)
    assert how.exact
    expected = nx.closeness_centrality(graph)
    assert all(close[v] == pytest.approx(expected[v], abs=1e-9) for v in graph)


def test_auto_switches_above_the_threshold(graph, monkeypatch):
    monkeypatch.setattr(paths, "EXACT_PATHS_MAX_NODES", 500)
    monkeypatch.setattr(paths, "AUTO_PATH_SAMPLES", 100)
    _, how = harmonic_info(graph)
    assert not how.exact and how.sample == 100 and how.seed == 0
    assert "Hoeffding" in how.bound and how.error > 0


def test_sampled_harmonic_within_its_bound(graph):
    n = graph.number_of_nodes()
    values, how = harmonic_info(graph, k=150, seed=7)
    exact = nx.harmonic_centrality(graph)
    worst = max(abs(values[v] - exact[v]) / (n - 1) for v in graph)
    assert not how.exact and how.sample == 150
    assert worst <= how.error
    assert values == harmonic_info(graph, k=150, seed=7)[0]  # seeded: reproducible


def test_sampled_closeness_within_its_bound(graph):
    n = graph.number_of_nodes()
    values, how = closeness_info(graph, k=120, seed=1)
    exact = nx.closeness_centrality(graph)
    giant = max(nx.connected_components(graph), key=len)
    r = len(giant)
    for v in giant:  # the bound is on each actor's mean distance to its component
        estimated = ((r - 1) / (n - 1)) / values[v]
        true = ((r - 1) / (n - 1)) / exact[v]
        assert abs(estimated - true) <= how.error
    for v in set(graph) - giant:  # other components: exact
        assert values[v] == pytest.approx(exact[v], abs=1e-12)


def test_sampled_average_path_length_interval_holds_the_exact_value(graph):
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    exact = nx.average_shortest_path_length(giant)
    value, how, (low, high) = average_path_length_info(graph, k=200, seed=0)
    assert not how.exact and how.sample == 200
    assert low <= exact <= high
    assert high - low == pytest.approx(2 * how.error)
    assert average_path_length_info(graph)[0] == pytest.approx(exact)


@pytest.mark.parametrize("G", [
    nx.path_graph(9), nx.cycle_graph(10), nx.star_graph(6), nx.grid_2d_graph(7, 5),
    nx.barbell_graph(6, 4), nx.balanced_tree(3, 4), nx.karate_club_graph(),
    nx.connected_watts_strogatz_graph(600, 4, 0.02, seed=5),
    nx.random_labeled_tree(300, seed=2),
], ids=["path", "cycle", "star", "grid", "barbell", "tree", "karate", "small-world",
        "random-tree"])
def test_ifub_diameter_is_exact(G):
    G = nx.convert_node_labels_to_integers(G)
    assert diameter_ifub(G) == nx.diameter(G)


def test_diameter_of_the_largest_component(graph):
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    assert diameter_ifub(graph) == nx.diameter(giant)
    assert diameter_ifub(nx.empty_graph(3)) == 0


def test_one_pivot_search_serves_closeness_harmonic_and_path_length(graph, monkeypatch):
    G = graph.copy()
    G.graph["version"] = 99  # a fresh cache
    calls = []
    original = paths._distance_rows

    def counting(*args, **kwargs):
        calls.append(args[2].size)
        yield from original(*args, **kwargs)

    monkeypatch.setattr(paths, "_distance_rows", counting)
    _, close_how = closeness_info(G, k=90, seed=4)
    _, harm_how = harmonic_info(G, k=90, seed=4)
    _, path_how, _ = average_path_length_info(G, k=90, seed=4)
    assert calls == [90]  # one search of 90 pivots, in one chunk, for all three
    assert close_how.sample == harm_how.sample == path_how.sample == 90


def test_shared_pivot_harmonic_within_its_bound_and_exact_outside(graph):
    n = graph.number_of_nodes()
    values, how = harmonic_info(graph, k=120, seed=11)
    exact = nx.harmonic_centrality(graph)
    giant = max(nx.connected_components(graph), key=len)
    assert max(abs(values[v] - exact[v]) / (n - 1) for v in giant) <= how.error
    for v in set(graph) - giant:  # the small component and the isolate: exact
        assert values[v] == pytest.approx(exact[v], abs=1e-12)
    assert "largest component" in how.method


def test_pivot_path_length_with_every_node_a_pivot_is_exact():
    import igraph as ig

    from service.analytics.cohesion import _sampled_path_length

    g = ig.Graph.Lattice([6, 4], circular=False)
    G = nx.grid_2d_graph(6, 4)
    assert _sampled_path_length(g, 24, 0) == pytest.approx(nx.average_shortest_path_length(G))


def test_null_model_with_pivot_path_lengths_says_so(graph):
    from service.analytics.cohesion import null_model

    res = null_model(graph, runs=3, seed=2, figures=["average_path_length"], path_samples=40)
    assert res["_meta"]["path_samples"] == 40
    giant = graph.subgraph(max(nx.connected_components(graph), key=len))
    exact = nx.average_shortest_path_length(giant)
    # the observed value uses the same 40-pivot estimator: close to the exact one
    assert abs(res["average_path_length"]["observed"] - exact) < 0.1 * exact
    # rewiring a small world shortens its paths
    assert res["average_path_length"]["null_mean"] < res["average_path_length"]["observed"]


def test_sampled_path_length_within_a_component_equals_the_copied_component():
    """Searching the largest component inside the whole graph gives the same pivots and
    the same estimate, bit for bit, as on the component copied out (igraph's giant())."""
    import random

    import igraph as ig

    from service.analytics.cohesion import _sampled_path_length

    random.seed(5)  # igraph draws from Python's generator
    g = ig.Graph.Erdos_Renyi(n=400, m=520)
    comps = g.connected_components()
    largest = comps.sizes().index(max(comps.sizes()))
    members = [v for v, c in enumerate(comps.membership) if c == largest]
    assert 50 < len(members) < 400  # disconnected: a real restriction
    for seed in (0, 1, 7):
        assert _sampled_path_length(g, 30, seed, members) == \
            _sampled_path_length(comps.giant(), 30, seed)


def test_the_exact_average_path_length_after_the_closeness_is_networkx_s(graph):
    """After the exact closeness of the same graph (as the metrics compute it), the exact
    average path length is taken from it: still networkx's value, and a graph changed since
    is searched again."""
    from service.analytics._graph import _peek
    from service.analytics.centrality import closeness

    G = graph.copy()
    giant = G.subgraph(max(nx.connected_components(G), key=len))
    exact = nx.average_shortest_path_length(giant)
    before, how, ci = average_path_length_info(G, k=None)
    assert _peek(G, "igraph-closeness", None) is None and how.exact and ci is None
    closeness(G)
    assert _peek(G, "igraph-closeness", None) is not None
    after, how, ci = average_path_length_info(G, k=None)
    assert how.exact and ci is None
    assert after == pytest.approx(exact, rel=1e-12) and before == pytest.approx(exact,
                                                                               rel=1e-12)
    u, v = sorted(giant)[0], sorted(giant)[-1]
    G.remove_edges_from(list(G.edges(u)))  # changed: the kept closeness is not used
    G.add_edge(u, v)
    G.graph["version"] = G.graph.get("version", 0) + 1  # as _graph asks of in-place changes
    assert _peek(G, "igraph-closeness", None) is None
    changed = G.subgraph(max(nx.connected_components(G), key=len))
    assert average_path_length_info(G, k=None)[0] == pytest.approx(
        nx.average_shortest_path_length(changed), rel=1e-12)
