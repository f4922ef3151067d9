"""In-memory postings ranked as FTS5's bm25() ranks (postings.py), checked against FTS5 itself."""

import sqlite3

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.discovery import postings

WEIGHTS = (3.0, 2.0, 1.5, 1.0)
VOCABULARY = [f"w{n}" for n in range(12)]

fields = st.lists(st.sampled_from(VOCABULARY), max_size=9).map(" ".join)
rows = st.lists(st.tuples(fields, fields, fields, fields), min_size=1, max_size=25)
# A query: up to four phrases, each a term or two or three in a row (a small
# vocabulary, so that phrases occur, overlapping ones too).
phrase = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3).map(tuple)
queries = st.lists(phrase, min_size=1, max_size=4, unique=True)


def fts5(ids, texts):
    database = sqlite3.connect(":memory:")
    database.execute("CREATE VIRTUAL TABLE t USING fts5(a, b, c, d, tokenize='unicode61 remove_diacritics 0')")
    database.executemany("INSERT INTO t(rowid, a, b, c, d) VALUES (?, ?, ?, ?, ?)", [(i, *r) for i, r in zip(ids, texts, strict=True)])
    return database


def fts5_ranked(database, phrases, *, require_all, count):
    match = (" AND " if require_all else " OR ").join('"' + " ".join(parts) + '"' for parts in phrases)
    return database.execute(
        "SELECT rowid, -bm25(t, 3.0, 2.0, 1.5, 1.0) AS score FROM t WHERE t MATCH ? ORDER BY score DESC, rowid LIMIT ?",
        (match, count),
    ).fetchall()


def ranked(parts, phrases, *, require_all, count, allowed=None):
    phrases = [(parts,) if isinstance(parts, str) else parts for parts in phrases]  # a term: a phrase of one
    if not phrases:
        return []
    statistics = postings.Statistics.of(parts)
    return postings.scored(parts, phrases=phrases, statistics=statistics).best(
        count, require_all=require_all, allowed=allowed
    )


def assert_same(got, expected):
    assert [pk for pk, _ in got] == [pk for pk, _ in expected]
    assert [score for _, score in got] == pytest.approx([score for _, score in expected], rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(texts=rows, query=queries, require_all=st.booleans(), count=st.integers(1, 30), data=st.data())
def test_the_ranking_is_fts5_bm25_with_the_field_weights(texts, query, require_all, count, data):
    ids = data.draw(st.lists(st.integers(1, 10_000), min_size=len(texts), max_size=len(texts), unique=True))
    index = postings.build(ids, texts, weights=WEIGHTS)
    expected = fts5_ranked(fts5(ids, texts), query, require_all=require_all, count=count)
    assert_same(ranked([index], query, require_all=require_all, count=count), expected)


@settings(max_examples=100, deadline=None)
@given(texts=rows, changed=rows, query=queries, require_all=st.booleans(), data=st.data())
def test_a_delta_shadowing_its_rows_ranks_as_a_fresh_build_of_the_rows_as_they_are(
    texts, changed, query, require_all, data
):
    # Rows 1..n in the base; some of them rewritten and some new ones in the delta.
    ids = list(range(1, len(texts) + 1))
    delta_ids = data.draw(
        st.lists(st.integers(1, len(texts) + len(changed)), min_size=len(changed), max_size=len(changed), unique=True)
    )
    base = postings.build(ids, texts, weights=WEIGHTS)
    delta = postings.build(delta_ids, changed, weights=WEIGHTS)
    current = dict(zip(ids, texts, strict=True)) | dict(zip(delta_ids, changed, strict=True))
    fresh = postings.build(list(current), list(current.values()), weights=WEIGHTS)
    parts = [base.hiding(delta_ids), delta]
    for count in (1, 5, 40):
        expected = ranked([fresh], query, require_all=require_all, count=count)
        assert_same(ranked(parts, query, require_all=require_all, count=count), expected)
    assert_same(
        ranked([fresh], query, require_all=require_all, count=40),
        fts5_ranked(fts5(list(current), list(current.values())), query, require_all=require_all, count=40),
    )


def test_allowed_rows_are_the_only_ones_ranked_and_equal_scores_go_by_id():
    texts = [("solar pump", "", "", "")] * 4 + [("wind", "", "", "solar")]
    index = postings.build([40, 10, 30, 20, 50], texts, weights=WEIGHTS)
    every = ranked([index], ["solar"], require_all=True, count=10)
    assert [pk for pk, _ in every] == [10, 20, 30, 40, 50]
    assert len({score for _, score in every[:4]}) == 1 and every[4][1] < every[0][1]
    allowed = np.array([30, 50, 60])
    assert [pk for pk, _ in ranked([index], ["solar"], require_all=True, count=10, allowed=allowed)] == [30, 50]
    assert [pk for pk, _ in ranked([index], ["solar"], require_all=True, count=2)] == [10, 20]


def test_all_words_needs_every_term_and_some_words_any():
    index = postings.build([1, 2, 3], [("solar pump", "", "", ""), ("solar", "", "", ""), ("pump", "", "", "")], weights=WEIGHTS)
    assert {pk for pk, _ in ranked([index], ["solar", "pump"], require_all=True, count=10)} == {1}
    assert {pk for pk, _ in ranked([index], ["solar", "pump"], require_all=False, count=10)} == {1, 2, 3}
    assert ranked([index], ["solar", "turbine"], require_all=True, count=10) == []
    assert {pk for pk, _ in ranked([index], ["solar", "turbine"], require_all=False, count=10)} == {1, 2}
    assert ranked([index], [], require_all=False, count=10) == []
    assert ranked([index], ["solar"], require_all=False, count=0) == []


def test_an_empty_collection_ranks_nothing():
    index = postings.build([], [], weights=WEIGHTS)
    assert len(index) == 0
    assert ranked([index], ["solar"], require_all=False, count=10) == []


def test_bad_input_to_build_is_refused():
    with pytest.raises(ValueError, match="2 ids for 1 rows"):
        postings.build([1, 2], [("a", "", "", "")], weights=WEIGHTS)
    with pytest.raises(ValueError, match="distinct"):
        postings.build([1, 1], [("a", "", "", ""), ("b", "", "", "")], weights=WEIGHTS)
    with pytest.raises(ValueError, match="3 fields for 4 weights"):
        postings.build([1], [("a", "", "")], weights=WEIGHTS)
    with pytest.raises(ValueError, match="at most 16 fields"):
        postings.Builder(weights=[1.0] * 17)


def test_a_phrase_is_its_terms_one_after_another_in_one_field():
    texts = [
        ("real time sensing", "", "", ""),  # 1: in the title
        ("", "", "time real", "real time"),  # 2: reversed in the summary, in order in the details
        ("real", "time", "", ""),  # 3: across two fields: no phrase
        ("real real time time", "", "", "real time real time"),  # 4: twice in the details
        ("real x time", "", "", ""),  # 5: apart
    ]
    index = postings.build([1, 2, 3, 4, 5], texts, weights=WEIGHTS)
    rows, freqs = index.occurrences(("real", "time"))
    assert index.ids[rows].tolist() == [1, 2, 4]
    assert freqs.tolist() == [3.0, 1.0, 3.0 + 2 * 1.0]
    rows, freqs = index.occurrences(("real", "real", "time"))
    assert index.ids[rows].tolist() == [4] and freqs.tolist() == [3.0]
    assert len(index.occurrences(("real", "absent"))[0]) == 0
    assert len(index.occurrences(("time", "time", "time"))[0]) == 0
    expected = fts5_ranked(fts5([1, 2, 3, 4, 5], texts), [("real", "time")], require_all=True, count=10)
    assert_same(ranked([index], [("real", "time")], require_all=True, count=10), expected)
