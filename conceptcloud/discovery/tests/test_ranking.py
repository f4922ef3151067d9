"""Reciprocal-rank fusion: the paper's formula on a worked example, and its invariants.

No database: the core is pure.
"""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conceptcloud.discovery.ranking import FIELD_BOOSTS, RRF_K, Fused, fuse, fuse_fields

ids = st.integers(min_value=1, max_value=60)
ranked_list = st.lists(ids, unique=True, max_size=25)
ranked_lists = st.lists(ranked_list, min_size=1, max_size=5)


def order(fused: list[Fused]) -> list[int]:
    return [f.id for f in fused]


def test_the_score_is_the_weighted_sum_of_reciprocal_ranks():
    fused = fuse([[7, 3], [3, 9]], weights=[2.0, 1.0], k=60)
    scores = {f.id: f.score for f in fused}
    assert scores == pytest.approx({7: 2 / 61, 3: 2 / 62 + 1 / 61, 9: 1 / 62})
    assert order(fused) == [3, 7, 9]
    assert fused[0].ranks == (2, 1)
    assert fused[1].ranks == (1, None)


def test_the_default_constant_is_sixty_as_in_the_paper():
    assert RRF_K == 60
    assert fuse([[5]])[0].score == pytest.approx(1 / 61)


def test_nothing_in_nothing_out():
    assert fuse([]) == []
    assert fuse([[], []]) == []


@given(ranked_list)
def test_fusion_of_one_list_is_that_list(ranked):
    assert order(fuse([ranked])) == ranked


@given(ranked_lists, st.randoms(use_true_random=False))
def test_the_order_of_equally_weighted_lists_does_not_matter(lists, rnd):
    shuffled = list(lists)
    rnd.shuffle(shuffled)
    assert [(f.id, f.score) for f in fuse(lists)] == [(f.id, f.score) for f in fuse(shuffled)]


@given(ranked_lists)
def test_every_id_appears_once_and_the_result_is_sorted_by_score_then_id(lists):
    fused = fuse(lists)
    assert sorted(order(fused)) == sorted({item for ranked in lists for item in ranked})
    keys = [(-f.score, f.id) for f in fused]
    assert keys == sorted(keys)


@given(ranked_lists)
def test_scores_match_an_exact_rational_computation_up_to_rounding(lists):
    exact = {}
    for ranked in lists:
        for rank, item in enumerate(ranked, start=1):
            exact[item] = exact.get(item, Fraction(0)) + Fraction(1, RRF_K + rank)
    for f in fuse(lists):
        assert f.score == pytest.approx(float(exact[f.id]), rel=1e-15)


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=2, max_value=5))
def test_an_id_in_several_lists_beats_one_in_a_single_list_at_the_same_rank(rank, n_lists):
    filler = list(range(1000, 1000 + rank - 1))  # puts the next id at `rank`
    everywhere, once = 500, 1  # the lone id has the smaller id, so it would win any tie
    lists = [[*filler, everywhere] for _ in range(n_lists)] + [[*filler, once]]
    fused = order(fuse(lists))
    assert fused.index(everywhere) < fused.index(once)


@given(ranked_lists, st.integers(min_value=0, max_value=5))
def test_a_better_rank_in_one_list_never_lowers_an_ids_score(lists, position):
    lists = [ranked for ranked in lists if len(ranked) >= 2]
    if not lists:
        return
    ranked = lists[position % len(lists)]
    moved = ranked[1]
    promoted = [ranked[1], ranked[0], *ranked[2:]]
    before = {f.id: f.score for f in fuse(lists)}
    after = {f.id: f.score for f in fuse([promoted if r is ranked else r for r in lists])}
    assert after[moved] > before[moved]


def test_a_repeated_id_keeps_its_best_rank():
    fused = fuse([[4, 8, 4]])
    assert [(f.id, f.ranks) for f in fused] == [(4, (1,)), (8, (2,))]


def test_equal_scores_are_ordered_by_ascending_id():
    assert order(fuse([[9, 2], [2, 9]])) == [2, 9]
    assert order(fuse([[30], [10], [20]])) == [10, 20, 30]


def test_a_heavier_list_wins_and_a_zero_weight_list_counts_for_nothing():
    assert order(fuse([[1], [2]], weights=[1.0, 1.5])) == [2, 1]
    fused = fuse([[1], [2]], weights=[1.0, 0.0])
    assert [(f.id, f.score) for f in fused] == [(1, 1 / 61), (2, 0.0)]


def test_limit_keeps_the_best():
    assert order(fuse([[5, 6, 7], [7]], limit=2)) == [7, 5]
    assert fuse([[5]], limit=0) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0]}, "1 weights for 2 lists"),
        ({"weights": [1.0, -0.5]}, "non-negative"),
        ({"weights": [1.0, math.nan]}, "finite"),
        ({"weights": [1.0, math.inf]}, "finite"),
        ({"k": -1}, "k must be"),
        ({"limit": -1}, "limit must be"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fuse([[1], [2]], **kwargs)


def test_a_title_match_outranks_a_details_match_at_the_same_rank():
    fused = fuse_fields({"details": [11], "title": [12]})
    assert order(fused) == [12, 11]
    assert fused[0].score == pytest.approx(FIELD_BOOSTS["title"] / 61)
    assert fused[0].ranks == (None, 1)


def test_field_boosts_can_be_given_and_an_unknown_field_is_refused():
    assert order(fuse_fields({"a": [1], "b": [2]}, boosts={"a": 1.0, "b": 2.0})) == [2, 1]
    with pytest.raises(ValueError, match="titel"):
        fuse_fields({"titel": [1]})


def test_the_boosts_rank_title_over_keywords_over_summary_over_details():
    assert FIELD_BOOSTS["title"] > FIELD_BOOSTS["keywords"] > FIELD_BOOSTS["summary"] > FIELD_BOOSTS["details"] > 0
