"""The vector index: exact answers checked against brute force, the approximate index
against the exact one, and the visibility filter on both.

No database: the core is pure. "Random data" here has the structure real sentence
embeddings have (a few underlying directions plus noise); on uniformly random
384-dimensional vectors, where every point is about equally far from every other,
no graph index finds neighbours, and the benchmark reports that case separately.
"""

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.discovery import vectors
from conceptcloud.discovery.vectors import ApproximateIndex, ExactIndex, Hit, build, pack, unpack

D = 384


def unit_rows(rng: np.random.Generator, n: int, *, latent: int = 16, d: int = D) -> np.ndarray:
    basis = np.random.default_rng(99).standard_normal((latent, d)).astype(np.float32)
    x = rng.standard_normal((n, latent)).astype(np.float32) @ basis
    x += 0.1 * rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute_force(ids, matrix, query, k, allowed=None) -> list[Hit]:
    scores = [(float(np.dot(row, query)), int(i)) for i, row in zip(ids, matrix, strict=True) if allowed is None or i in allowed]
    scores.sort(key=lambda pair: (-pair[0], pair[1]))
    return [Hit(i, s) for s, i in scores[:k]]


@pytest.fixture(scope="module")
def corpus():
    rng = np.random.default_rng(7)
    matrix = unit_rows(rng, 3000)
    ids = rng.permutation(np.arange(5, 5 + 7 * 3000, 7))  # gaps, and not in order
    queries = unit_rows(rng, 60)
    return ids, matrix, queries


@pytest.fixture(scope="module")
def both(corpus):
    ids, matrix, _ = corpus
    return build(ids, matrix, approximate_from=len(ids) + 1), build(ids, matrix, approximate_from=len(ids))


def ids_of(hits: list[Hit]) -> list[int]:
    return [hit.id for hit in hits]


def assert_same_hits(hits: list[Hit], expected: list[Hit]) -> None:
    assert ids_of(hits) == ids_of(expected)
    assert [h.score for h in hits] == pytest.approx([h.score for h in expected], abs=1e-5)


def test_small_collections_get_the_exact_index_and_large_ones_the_approximate_one(both):
    exact, approximate = both
    assert type(exact) is ExactIndex
    assert type(approximate) is ApproximateIndex
    assert vectors.APPROXIMATE_FROM > 10_000  # the demo's listings are searched exactly
    assert len(exact) == len(approximate) == 3000


def test_the_exact_index_returns_the_true_top_k_with_cosine_scores(corpus, both):
    ids, matrix, queries = corpus
    exact, _ = both
    for query in queries[:10]:
        assert_same_hits(exact.search(query, 10), brute_force(ids, matrix, query, 10))


def test_the_approximate_index_agrees_with_the_exact_one_on_recall_at_ten(corpus, both):
    _, _, queries = corpus
    exact, approximate = both
    recall = np.mean([
        len(set(ids_of(approximate.search(q, 10))) & set(ids_of(exact.search(q, 10)))) / 10 for q in queries
    ])
    assert recall >= 0.95


def test_the_approximate_index_reports_exact_scores_best_first(corpus, both):
    ids, matrix, queries = corpus
    _, approximate = both
    by_id = dict(zip(ids.tolist(), matrix, strict=True))
    hits = approximate.search(queries[0], 20)
    assert len(hits) == 20
    assert [h.score for h in hits] == pytest.approx([float(np.dot(by_id[h.id], queries[0])) for h in hits], abs=1e-5)
    assert [(-h.score, h.id) for h in hits] == sorted((-h.score, h.id) for h in hits)


@pytest.mark.parametrize("share", [0.002, 0.02, 0.2, 0.9])
def test_only_allowed_ids_come_back_and_k_of_them(corpus, both, share):
    ids, matrix, queries = corpus
    rng = np.random.default_rng(int(share * 1000))
    allowed = {int(i) for i in rng.choice(ids, max(int(len(ids) * share), 1), replace=False)}
    exact, approximate = both
    recalls = []
    for query in queries[:20]:
        expected = brute_force(ids, matrix, query, 10, allowed)
        assert_same_hits(exact.search(query, 10, allowed), expected)
        hits = approximate.search(query, 10, allowed)
        assert {h.id for h in hits} <= allowed
        assert len(hits) == min(10, len(allowed))
        recalls.append(len(set(ids_of(hits)) & set(ids_of(expected))) / len(expected))
    assert np.mean(recalls) >= 0.95


def test_allowed_ids_far_from_the_query_are_still_found(corpus, both):
    # Enough allowed ids for the graph to be asked first, but none among its candidates:
    # the approximate index must fall back to searching them exactly.
    ids, matrix, queries = corpus
    exact, approximate = both
    worst = {h.id for h in exact.search(-queries[0], 300)}
    expected = brute_force(ids, matrix, queries[0], 10, worst)
    assert_same_hits(approximate.search(queries[0], 10, worst), expected)


def test_allowed_ids_the_index_does_not_hold_are_ignored(corpus, both):
    ids, _, queries = corpus
    present = {int(ids[0]), int(ids[1])}
    for index in both:
        hits = index.search(queries[0], 10, present | {1, 2, 3, 10**12})
        assert {h.id for h in hits} == present
        assert index.search(queries[0], 10, set()) == []
        assert index.search(queries[0], 10, {10**12}) == []


def test_sparse_ids_are_filtered_as_well():
    rng = np.random.default_rng(3)
    matrix = unit_rows(rng, 50)
    ids = np.arange(50) * 10**9
    index = build(ids, matrix)
    allowed = {int(i) for i in ids[::5]}
    assert_same_hits(index.search(matrix[0], 5, allowed), brute_force(ids, matrix, matrix[0], 5, allowed))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=45),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.booleans(),
)
def test_exact_search_equals_brute_force(n, k, seed, filtered):
    rng = np.random.default_rng(seed)
    matrix = unit_rows(rng, n, latent=4, d=8)
    ids = rng.choice(1000, n, replace=False)
    allowed = {int(i) for i in rng.choice(1000, 300, replace=False)} if filtered else None
    query = unit_rows(rng, 1, latent=4, d=8)[0]
    assert_same_hits(build(ids, matrix).search(query, k, allowed), brute_force(ids, matrix, query, k, allowed))


def test_equal_scores_come_in_ascending_id_order():
    matrix = np.tile(np.eye(1, 4, dtype=np.float32), (5, 1))
    index = build([40, 10, 30, 20, 50], matrix)
    assert ids_of(index.search(np.eye(1, 4)[0], 3)) == [10, 20, 30]


def test_an_empty_index_finds_nothing():
    for approximate_from in (1, vectors.APPROXIMATE_FROM):
        index = build([], np.zeros((0, D), dtype=np.float32), approximate_from=approximate_from)
        assert len(index) == 0
        assert index.search(np.ones(D), 10) == []
        assert index.search(np.ones(D), 10, {1}) == []


def test_k_of_zero_finds_nothing_and_a_large_k_finds_everything(both, corpus):
    _, _, queries = corpus
    exact, approximate = both
    assert exact.search(queries[0], 0) == approximate.search(queries[0], 0) == []
    assert len(exact.search(queries[0], 10_000)) == 3000


@pytest.mark.parametrize(
    ("ids", "matrix", "message"),
    [
        ([1, 2], np.zeros((3, D)), "2 ids for a matrix"),
        ([1, 1], np.zeros((2, D)), "distinct"),
        ([-1, 2], np.zeros((2, D)), "non-negative"),
        ([1, 2], np.full((2, D), np.nan), "finite"),
        ([1, 2], np.zeros(2), "2 ids for a matrix"),
    ],
)
def test_bad_input_is_refused(ids, matrix, message):
    with pytest.raises(ValueError, match=message):
        build(ids, matrix)


def test_a_query_of_the_wrong_size_is_refused(both):
    for index in both:
        with pytest.raises(ValueError, match="the query has 3 values; the index 384"):
            index.search(np.ones(3), 5)


def test_a_vector_survives_its_stored_form():
    rng = np.random.default_rng(1)
    matrix = unit_rows(rng, 3)
    blobs = [pack(row) for row in matrix]
    assert all(len(blob) == D * 4 for blob in blobs)
    assert blobs[0][:4] == struct.pack("<f", matrix[0, 0])
    np.testing.assert_array_equal(unpack(blobs, dimensions=D), matrix)
    assert unpack([], dimensions=D).shape == (0, D)


def test_a_stored_vector_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="not 384 float32 values"):
        unpack([b"\0" * 8], dimensions=D)
    with pytest.raises(ValueError, match="one vector"):
        pack(np.zeros((2, 2)))
