"""The animator's back-test on small dated graphs, checked against hits computed by hand,
and the learnt recommender's independence from the test years (no leakage)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp

from service.analytics import link_protocol as lp


def _data(projects):
    """projects: list of (project id, year, members[, legal basis])."""
    actors = sorted({m for p in projects for m in p[2]})
    parts = [{"actor_id": m, "project_id": p[0], "start_year": p[1]}
             for p in projects for m in p[2]]
    attrs = {p[0]: {"legal_basis": p[3] if len(p) > 3 else None} for p in projects}
    return lp.dated_data([{"id": a, "country": "FR"} for a in actors], parts, attrs)


# Training (≤ 2016): p1 = {a, b, c}, p2 = {c, d}, p3 = {d, e}
#   ties a-b, a-c, b-c, c-d, d-e; degrees a 2, b 2, c 3, d 2, e 1.
# Test (2017): p4 = {a, d}, p5 = {b, e}, p6 = {a, f}; f is absent from training, so the
#   new partners are a-d and b-e, and the evaluated organisations a, b, d, e.
SMALL = [("p1", 2015, "abc"), ("p2", 2015, "cd"), ("p3", 2016, "de"),
         ("p4", 2017, "ad"), ("p5", 2017, "be"), ("p6", 2017, "af")]


def test_protocol_small_graph_by_hand():
    r = lp.evaluate_protocol(_data(SMALL), train_until=2016, test_years=1, k=10)
    assert r["n_evaluated"] == 4 and r["n_new_ties"] == 2
    assert r["n_train_actors"] == 5 and r["n_train_ties"] == 5
    m = r["methods"]
    # Common neighbours suggest only partners of partners:
    #   a -> {d} (c shared): hit;   d -> {a, b}: hit a;
    #   b -> {d}: miss (new: e);    e -> {c}: miss (new: b)
    # precision@10 = (1 + 1 + 0 + 0) / 10 / 4 = 0.05, recall = (1 + 1) / 4 = 0.5,
    # hit rate = 2 / 4.
    cn = m["common_neighbors"]
    assert (cn["precision_at_k"], cn["recall_at_k"], cn["hit_rate"]) == pytest.approx(
        (0.05, 0.5, 0.5))
    assert m["adamic_adar"]["precision_at_k"] == pytest.approx(0.05)
    # Preferential attachment ranks every non-partner: with k = 10 each of the four gets
    # its new partner: precision 0.1, recall 1, hit rate 1.
    pa = m["preferential_attachment"]
    assert (pa["precision_at_k"], pa["recall_at_k"], pa["hit_rate"]) == pytest.approx(
        (0.1, 1.0, 1.0))


def test_protocol_small_graph_top_1_by_hand():
    r = lp.evaluate_protocol(_data(SMALL), train_until=2016, test_years=1, k=1)
    m = r["methods"]
    # k = 1. Common neighbours: a -> d hit; d -> a or b tie (1 each), lower row a: hit;
    # b -> d miss; e -> c miss: precision 2/4, recall (1 + 1)/4, hit rate 2/4.
    assert m["common_neighbors"]["precision_at_k"] == pytest.approx(0.5)
    assert m["common_neighbors"]["recall_at_k"] == pytest.approx(0.5)
    # Preferential attachment: a -> d (2 > e's 1) hit; d -> a (tie with b) hit;
    # b -> d (2 > 1) miss; e -> c (3) miss.
    assert m["preferential_attachment"]["precision_at_k"] == pytest.approx(0.5)
    # Jaccard a-d = 1/3, d-a = 1/3, d-b = 1/3 (tie, a first), b-d = 1/3, e-c = 1/3.
    assert m["jaccard"]["hit_rate"] == pytest.approx(0.5)


def test_protocol_rejects_bad_years():
    data = _data(SMALL)
    with pytest.raises(ValueError):
        lp.evaluate_protocol(data, train_until=2000)
    with pytest.raises(ValueError):
        lp.evaluate_protocol(data, test_years=0)
    with pytest.raises(ValueError):
        lp.evaluate_protocol(_data([("p", 2015, "ab")]))


@pytest.mark.parametrize("entries", [400, 60, 20])  # long rows partitioned, short kept
def test_topk_matches_a_plain_python_version(entries):
    rng = np.random.default_rng(3)
    ri = rng.integers(0, 20, entries)
    ci = rng.integers(0, 50, entries)
    keys = np.unique(ri * 50 + ci)
    ri, ci = keys // 50, keys % 50
    shuffle = rng.permutation(ri.size)  # callers may give a row's columns in any order
    ri, ci = ri[shuffle], ci[shuffle]
    score = rng.integers(0, 5, ri.size).astype(float)
    kept = set(lp.sparse_topk(ri, ci, score, 3).tolist())
    for r in range(20):
        row = sorted((-score[i], ci[i], i) for i in range(ri.size) if ri[i] == r)
        assert {i for _, _, i in row[:3]} == {i for i in kept if ri[i] == r}


@pytest.mark.parametrize("infinite", [False, True])  # partitioned per row; sorted
def test_topk_many_ties_and_row_orders(infinite):
    rng = np.random.default_rng(4)
    for _ in range(200):
        m, n, k = int(rng.integers(1, 8)), int(rng.integers(1, 15)), int(rng.integers(1, 6))
        keys = np.unique(rng.integers(0, m * n, int(rng.integers(1, m * n + 1))))
        ri, ci = keys // n, keys % n
        if rng.random() < 0.5:  # rows in any order, or in row order as products give
            shuffle = rng.permutation(ri.size)
            ri, ci = ri[shuffle], ci[shuffle]
        score = rng.integers(0, 3, ri.size).astype(float)  # many equal scores
        if infinite:
            score[rng.random(ri.size) < 0.3] = -np.inf
        kept = lp.sparse_topk(ri, ci, score, k)
        assert list(kept) == sorted(set(kept.tolist()))
        for r in range(m):
            row = sorted((-score[i], ci[i], i) for i in range(ri.size) if ri[i] == r)
            assert {i for _, _, i in row[:k]} == {i for i in kept.tolist() if ri[i] == r}


@pytest.mark.parametrize("sort_first", [False, True])
def test_lookup_reads_a_dense_block_or_sorted_keys_alike(sort_first):
    rng = np.random.default_rng(5)
    for _ in range(50):
        m, n = int(rng.integers(1, 10)), int(rng.integers(1, 30))
        dense = np.where(rng.random((m, n)) < rng.random(), rng.integers(1, 9, (m, n)), 0)
        P = sp.csr_array(dense.astype(float))
        if not sort_first:  # a product's columns come in no particular order
            for r in range(m):
                a, b = P.indptr[r], P.indptr[r + 1]
                flip = rng.permutation(b - a) + a
                P.indices[a:b], P.data[a:b] = P.indices[flip], P.data[flip]
            P.has_sorted_indices = False
        ri, ci = rng.integers(0, m, 40), rng.integers(0, n, 40)
        assert lp.lookup(P, ri, ci).tolist() == dense[ri, ci].astype(float).tolist()


def _random_history(seed, future_seed):
    """A network of 60 organisations, projects 2010-2016, and a future (2017-2019)
    drawn from ``future_seed``."""
    rng = random.Random(seed)
    orgs = [f"o{i:02d}" for i in range(60)]
    projects = []
    for j in range(120):
        year = 2010 + j % 7
        members = rng.sample(orgs[: 20 + 40 * (j % 3 != 0)], rng.randint(2, 6))
        projects.append((f"p{j}", year, members, rng.choice(["ERC", "LEIT", "SC1;LEIT"])))
    frng = random.Random(future_seed)
    for j in range(frng.randint(30, 60)):
        projects.append((f"f{j}", 2017 + j % 3, frng.sample(orgs, frng.randint(2, 8)),
                         frng.choice(["SC2", "LEIT", "NEW-PART"])))
    return orgs, projects


def _dated(orgs, projects):
    parts = [{"actor_id": m, "project_id": p[0], "start_year": p[1]}
             for p in projects for m in p[2]]
    return lp.dated_data([{"id": o, "country": "FR" if int(o[1:]) % 2 else "MA"}
                          for o in orgs], parts,
                         {p[0]: {"legal_basis": p[3]} for p in projects})


def test_no_leakage_future_years_change_nothing_in_training():
    orgs, base = _random_history(1, future_seed=10)
    _, other = _random_history(1, future_seed=99)
    a, b = _dated(orgs, base), _dated(orgs, other)
    assert a.B.shape[1] != b.B.shape[1]  # the futures really differ
    ma, mb = lp.fit_model(a, 2016, seed=0), lp.fit_model(b, 2016, seed=0)
    assert ma is not None
    lr_a, lr_b = ma.pipeline[-1], mb.pipeline[-1]
    assert np.array_equal(lr_a.coef_, lr_b.coef_)
    assert np.array_equal(lr_a.intercept_, lr_b.intercept_)
    assert ma.choice == mb.choice and ma.validation == mb.validation  # selection too
    ca, cb = lp.FeatureContext(a, 2016), lp.FeatureContext(b, 2016)
    rows = np.arange(len(orgs))
    ri_a, ci_a = ca.candidates(rows)
    ri_b, ci_b = cb.candidates(rows)
    assert np.array_equal(ri_a, ri_b) and np.array_equal(ci_a, ci_b)
    Xa, Xb = ca.features(rows, ri_a, ci_a), cb.features(rows, ri_b, ci_b)
    assert np.allclose(Xa, Xb)
    sa = lp.model_scores(ca, ma, rows)
    sb = lp.model_scores(cb, mb, rows)
    assert all(np.array_equal(x, y) for x, y in zip(sa, sb, strict=True))
    # ... while the future does change what is measured
    ra = lp.evaluate_protocol(a, train_until=2016, test_years=3)
    rb = lp.evaluate_protocol(b, train_until=2016, test_years=3)
    assert ra["n_new_ties"] != rb["n_new_ties"]


def test_model_is_seeded_and_beats_random_on_a_history():
    orgs, projects = _random_history(2, future_seed=5)
    data = _dated(orgs, projects)
    r1 = lp.evaluate_protocol(data, train_until=2016, test_years=3, seed=0)
    r2 = lp.evaluate_protocol(data, train_until=2016, test_years=3, seed=0)
    strip = lambda r: {k: {m: v for m, v in d.items() if m != "seconds"}  # noqa: E731
                       for k, d in r["methods"].items()}
    assert strip(r1) == strip(r2)
    assert r1["model"] is not None
    assert (r1["methods"]["recommender"]["precision_at_k"]
            > r1["methods"]["random"]["precision_at_k"])


# Fitting split of fit_model(..., 2016): ties ≤ 2015 a-b, a-c, b-c, c-d, c-e, d-e; new
# ties of 2016: b-d, a-d. Evaluated: a (new d), b (new d), d (new a, b).
# Common neighbours: a -> d, e (1 each: c): hit d; b -> d, e: hit d; d -> a, b: 2 hits.
# Precision@10 = (1 + 1 + 2) / 10 / 3; weighted Adamic-Adar ranks the same pairs.
SELECT = [("p1", 2015, "abc"), ("p2", 2015, "cde"), ("p3", 2016, "bd"), ("p4", 2016, "ad")]


def test_selection_validates_on_the_fitting_split_by_hand():
    m = lp.fit_model(_data(SELECT), 2016)
    assert m.validation["organisations"] == 3
    assert m.validation["common_neighbors"] == pytest.approx(0.4 / 3)
    assert m.validation["weighted_adamic_adar"] == pytest.approx(0.4 / 3)
    # 3 organisations are too few to trust a model: the deterministic fallback ranks
    assert m.choice == "weighted_adamic_adar"
    assert lp.fit_model(_data(SELECT), 2016, validate_rows=0).choice == "model"


def test_selection_picks_the_best_and_the_recommender_follows_it(monkeypatch):
    monkeypatch.setattr(lp, "MIN_VALIDATION", 0)
    orgs, projects = _random_history(2, future_seed=5)
    data = _dated(orgs, projects)
    m = lp.fit_model(data, 2016)
    v = m.validation
    best = max(("weighted_adamic_adar", "common_neighbors"), key=lambda n: v[n])
    assert m.choice == (best if v[best] > v["model"] else "model")
    # force each choice: the recommender then ranks exactly as that index
    ctx = lp.FeatureContext(data, 2016)
    rows = np.flatnonzero(ctx.present)
    for name in ("weighted_adamic_adar", "common_neighbors"):
        m.choice = name
        got = lp.model_scores(ctx, m, rows)
        want = ctx.baseline(name, rows, 10)
        assert all(np.array_equal(x, y) for x, y in zip(got, want, strict=True))
