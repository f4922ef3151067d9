"""Highlighted snippets: query words marked where the index would match them.

No database: the core is pure. `marked(segments)` lists the highlighted stretches.
"""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.discovery.snippets import ELLIPSIS, highlight, hits, snippet
from conceptcloud.discovery.text import analyse, analyse_query


def marked(segments) -> list[str]:
    return [text for text, on in segments if on]


def joined(segments) -> str:
    return "".join(text for text, _ in segments)


def words(query: str):
    return analyse_query(query)


# ---------------------------------------------------------------- English


def test_english_stemming_marks_inflections_of_the_query_word():
    text = "Batteries, a battery and battery-powered drones."
    assert marked(highlight(text, words("battery"))) == ["Batteries", "battery", "battery"]


def test_a_query_in_another_inflection_marks_the_listing_word():
    assert marked(highlight("We licensed the licensing model.", words("licence"))) == ["licensed", "licensing"]


def test_british_and_american_spellings_mark_each_other():
    text = "Carbon fibre for the organisation's colour sensor"
    assert marked(highlight(text, words("fiber organization color"))) == ["fibre", "organisation's", "colour"]
    assert marked(highlight("carbon fiber", words("fibre"))) == ["fiber"]


def test_case_and_full_width_letters_are_marked_in_their_original_form():
    assert marked(highlight("ＢＡＴＴＥＲＹ and BATTERY", words("battery"))) == ["ＢＡＴＴＥＲＹ", "BATTERY"]


def test_stop_words_in_the_query_mark_nothing():
    assert marked(highlight("the battery of the car", words("the battery"))) == ["battery"]


def test_a_hyphenated_query_marks_the_word_written_apart_or_hyphenated():
    assert marked(highlight("reached TRL 6 and TRL-6", words("TRL-6"))) == ["TRL 6", "TRL-6"]
    assert marked(highlight("a non-toxic glue", words("toxic"))) == ["toxic"]


def test_a_word_that_does_not_occur_marks_nothing_and_keeps_the_text():
    text = "A gear and a bearing in one unit."
    assert highlight(text, words("battery")) == [(text, False)]


# ---------------------------------------------------------------- Japanese


def test_a_japanese_word_is_marked_inside_a_compound_where_the_index_finds_it():
    assert highlight("全固体電池を作る", words("電池")) == [("全固体", False), ("電池", True), ("を作る", False)]
    assert marked(highlight("小水力発電機を設置した", words("発電"))) == ["発電"]
    assert marked(highlight("竹由来セルロースナノファイバーの製造", words("ナノファイバー"))) == ["ナノファイバー"]


def test_a_japanese_compound_query_marks_all_its_parts_at_once():
    assert marked(highlight("小水力発電機を設置した", words("発電機"))) == ["発電機"]
    assert marked(highlight("雪室の冷熱でデータ・センターを冷やす", words("データセンター"))) == ["データ・センター"]


def test_inflected_japanese_and_half_width_katakana_are_marked_as_written():
    assert marked(highlight("部品を作りました", words("作る"))) == ["作り"]
    assert marked(highlight("ﾊﾞｯﾃﾘｰの交換", words("バッテリー"))) == ["ﾊﾞｯﾃﾘｰ"]


def test_a_japanese_word_the_index_does_not_find_is_not_marked():
    # The dictionary cuts 小水力 as 小水 力, so the index does not find 水力 in it.
    assert marked(highlight("小水力発電機", words("水力"))) == []
    assert marked(highlight("小水力発電機で村の電気をまかなう", words("風力"))) == []


def test_mixed_english_and_japanese_queries_mark_both():
    text = "PLA を 3D プリンターで成形する"
    assert marked(highlight(text, words("プリンター pla"))) == ["PLA", "プリンター"]


# ---------------------------------------------------------------- hits


def test_hits_name_which_query_word_occurs_where():
    text = "battery 電池 battery"
    assert hits(text, words("電池 battery")) == [(0, 7, 1), (8, 10, 0), (11, 18, 1)]


def test_overlapping_hits_merge_into_one_marked_stretch():
    # 発電機 and 発電 both match: one mark, not two.
    assert highlight("発電機", words("発電機 発電")) == [("発電機", True)]


def test_no_words_or_no_text_give_no_hits():
    assert hits("battery", []) == []
    assert hits("", words("battery")) == []
    assert highlight("", words("battery")) == []


# ---------------------------------------------------------------- snippets

FILLER = " ".join(["Lorem ipsum dolor sit amet."] * 40)


def test_a_snippet_is_a_window_around_the_hits_cut_at_word_boundaries():
    text = f"{FILLER} The solid-state battery lasts. {FILLER}"
    segments = snippet(text, words("battery"), width=120)
    assert segments[0] == (ELLIPSIS, False) and segments[-1] == (ELLIPSIS, False)
    assert marked(segments) == ["battery"]
    body = joined(segments[1:-1])
    assert len(body) <= 120
    assert body in " ".join(text.split())
    # Cut at word boundaries: the window starts and ends with whole words.
    assert body.split()[0] in {"Lorem", "ipsum", "dolor", "sit", "amet.", "The"}
    assert body.split()[-1] in {"Lorem", "ipsum", "dolor", "sit", "amet.", "lasts."}


def test_a_snippet_prefers_the_window_holding_the_most_distinct_query_words():
    text = f"battery here. {FILLER} battery and solar together. {FILLER}"
    segments = snippet(text, words("battery solar"), width=100)
    assert marked(segments) == ["battery", "solar"]


def test_a_snippet_without_hits_is_the_start_of_the_text():
    segments = snippet(FILLER, words("battery"), width=60)
    assert segments[-1] == (ELLIPSIS, False)
    assert joined(segments[:-1]) == "Lorem ipsum dolor sit amet. Lorem ipsum dolor sit amet."
    assert not marked(segments)


def test_a_short_text_comes_whole_in_its_snippet():
    assert snippet("A solid  battery.\n", words("battery")) == [("A solid ", False), ("battery", True), (".", False)]


def test_a_japanese_snippet_is_cut_after_punctuation_and_marks_the_word_in_the_compound():
    text = "これは長い説明文です。" * 30 + "全固体電池の技術。" + "別の話題です。" * 30
    segments = snippet(text, words("電池"), width=60)
    assert marked(segments) == ["電池"]
    body = joined(segments[1:-1])
    assert body.startswith("これは") and body.endswith("。")
    assert "全固体電池の技術。" in body


def test_a_text_full_of_the_query_word_gives_a_snippet_of_the_right_width():
    text = "battery " * 5000
    segments = snippet(text, words("battery"), width=100)
    assert len(joined(segments[:-1])) <= 100
    assert marked(segments) and set(marked(segments)) == {"battery"}
    assert segments[-1] == (ELLIPSIS, False)


def test_a_snippet_never_cuts_through_a_marked_word():
    text = "電池" * 300
    for width in (99, 100, 101):
        segments = snippet(text, words("電池"), width=width)
        assert marked(segments) and all(re.fullmatch("(電池)+", part) for part in marked(segments))


def test_snippets_hold_no_html_and_leave_escaping_to_the_template():
    text = "<script>alert(1)</script> battery & <b>bold</b>"
    segments = snippet(text, words("battery"))
    assert joined(segments) == text
    assert "&amp;" not in joined(segments)
    assert html.escape(joined(segments)) != joined(segments)


# ---------------------------------------------------------------- properties

mixed_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list("竹発電機小水力のをはですナノファイバーセルロースｶﾀﾅＡ１ー・、。 -'’ battery")),
        st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    ),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(mixed_text, mixed_text)
def test_highlight_covers_the_whole_text_in_order(text, query):
    segments = highlight(text, words(query))
    assert joined(segments) == text
    assert all(part for part, _ in segments)
    # Neighbouring segments alternate: marks merge, plain text merges.
    assert all(a[1] != b[1] for a, b in zip(segments, segments[1:], strict=False))


@settings(max_examples=200, deadline=None)
@given(mixed_text)
def test_every_word_of_a_text_is_marked_somewhere_in_it(text):
    query = words(text)
    if analyse(text):
        assert {index for _, _, index in hits(text, query)} == set(range(len(query)))


@settings(max_examples=200, deadline=None)
@given(mixed_text, mixed_text, st.integers(min_value=20, max_value=400))
def test_a_snippet_is_a_piece_of_the_text_about_width_long(text, query, width):
    segments = snippet(text, words(query), width=width)
    body = joined(segment for segment in segments if segment != (ELLIPSIS, False))
    # Never more than `width`, but for a marked word the window was widened not to cut.
    assert len(body) <= width + max((end - start for start, end, _ in hits(text, words(query))), default=0)
    assert body in " ".join(text.split()) or body.replace(ELLIPSIS, "") in " ".join(text.split())
