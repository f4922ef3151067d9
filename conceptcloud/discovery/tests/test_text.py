"""Text analysis: Japanese by SudachiPy, English by Snowball, and index and query agreeing.

No database: the core is pure. A "listing contains a query" below means what a
backend will ask: every query word's parts stand consecutively among the
listing's index terms (a phrase query over the analysed terms).
"""

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conceptcloud.discovery.text import STOP_WORDS, Word, _fold_by_cluster, _fold_mapped, analyse, analyse_query, word_spans
from conceptcloud.registry.demo.content import DEMO_ASSETS


def holds(terms: list[str], word: Word) -> bool:
    n = len(word.parts)
    return any(tuple(terms[i : i + n]) == word.parts for i in range(len(terms) - n + 1))


def finds(query: str, listing: str) -> bool:
    terms = analyse(listing)
    words = analyse_query(query)
    return bool(words) and all(holds(terms, word) for word in words)


def demo_listing(reference: str) -> str:
    data = next(asset.data for asset in DEMO_ASSETS if asset.data.reference == reference)
    return "\n".join([data.title, data.summary, data.details, *data.keywords])


# ---------------------------------------------------------------- Japanese


def test_words_inside_japanese_compounds_come_out_as_terms():
    terms = analyse("小水力発電機を設置した")
    assert "発電機" in terms
    assert "発電" in terms
    assert terms[terms.index("発電機") : terms.index("発電機") + 3] == ["発電機", "発電", "機"]


def test_japanese_queries_find_a_japanese_listing_by_words_inside_its_compounds():
    listing = demo_listing("DEMO-TLO-001")  # 竹由来セルロースナノファイバーの低エネルギー製造法
    assert finds("セルロースナノファイバー", listing)
    assert finds("ナノファイバー", listing)
    assert finds("竹 ナノファイバー", listing)
    assert finds("湿式粉砕", listing)
    assert not finds("カーボンナノチューブ", listing)
    assert finds("発電", "小水力発電機で村の電気をまかなう")
    assert not finds("風力", "小水力発電機で村の電気をまかなう")


def test_a_compound_query_finds_the_compound_written_apart():
    assert finds("データセンター", "雪室の冷熱でデータ・センターを冷やす")
    assert finds("データセンター", "データ センターの冷房")


def test_an_unknown_katakana_compound_splits_into_the_fewest_dictionary_nouns():
    [word] = analyse_query("セルロースナノファイバー")
    assert word == Word("セルロースナノファイバー", ("セルロース", "ナノ", "ファイバー"))
    [word] = analyse_query("カーボンナノチューブ")
    assert word.parts == ("カーボン", "ナノ", "チューブ")


def test_known_katakana_words_are_never_split():
    for known in ("ライセンス", "アルゴリズム", "エンジニアリング"):
        assert analyse(known) == [known]
    assert not finds("センス", "ライセンス")


def test_katakana_pieces_keep_their_katakana_spelling():
    # ゲン alone normalises to the kanji 験; inside a loanword it is not that word.
    [word] = analyse_query("グリーンハイドロゲン")
    assert word.parts == ("グリーン", "ハイドロ", "ゲン")


def test_inflected_japanese_verbs_normalise_to_one_term():
    forms = ["作る", "作りました", "作った", "作らない", "作れば"]
    assert {tuple(analyse(form)) for form in forms} == {("作る",)}
    assert analyse("走っていました") == ["走る"]
    assert finds("作る", "試作品を作りました")


def test_japanese_spelling_variants_meet():
    assert analyse("サーバ") == analyse("サーバー") == analyse("ｻｰﾊﾞｰ")


def test_particles_auxiliaries_and_punctuation_are_dropped():
    terms = analyse("竹チップを酵素で前処理してから、低圧の湿式粉砕にかけます。")
    for dropped in ("を", "で", "て", "から", "の", "に", "ます", "、", "。", "為る"):
        assert dropped not in terms
    assert {"竹", "チップ", "酵素", "前処理", "低圧", "湿式", "粉砕"} <= set(terms)


def test_grammatical_verbs_and_adjectives_are_dropped():
    assert analyse("することがあります。していない。なる。") == ["こと"]


# ---------------------------------------------------------------- English


def test_english_stemming_gives_inflections_one_term():
    assert {tuple(analyse(w)) for w in ("licensing", "licensed", "licences", "licence", "licenses")} == {("licens",)}
    assert analyse("running runs run") == ["run", "run", "run"]
    assert finds("licensed sensors", "We license this sensor technology.")


def test_british_and_american_spellings_meet():
    pairs = [
        ("organisation", "organization"),
        ("organised", "organized"),
        ("analyse", "analyze"),
        ("colour", "color"),
        ("behaviours", "behaviors"),
        ("centre", "center"),
        ("fibres", "fibers"),
        ("litre", "liter"),
        ("catalogue", "catalog"),
        ("defence", "defense"),
        ("aluminium", "aluminum"),
        ("sulphur", "sulfur"),
        ("programme", "program"),
        ("haemoglobin", "hemoglobin"),
        ("paediatric", "pediatric"),
        ("fulfilment", "fulfillment"),
        ("practised", "practiced"),
        ("dialogues", "dialogs"),
        ("manoeuvre", "maneuver"),
        ("manoeuvred", "maneuvered"),
        ("manoeuvring", "maneuvering"),
        ("centred", "centered"),
        ("calibres", "calibers"),
        ("leukaemia", "leukemia"),
        ("anaesthesia", "anesthesia"),
        ("oestrogen", "estrogen"),
        ("foetal", "fetal"),
        ("caesium", "cesium"),
        ("diarrhoea", "diarrhea"),
        ("tyres", "tires"),
        ("grey", "gray"),
        ("mould", "mold"),
        ("plough", "plow"),
        ("artefacts", "artifacts"),
        ("sceptical", "skeptical"),
        ("judgement", "judgment"),
        ("skilful", "skillful"),
        ("electrolyse", "electrolyze"),
        ("theatres", "theaters"),
    ]
    for british, american in pairs:
        assert analyse(british) == analyse(american), (british, american)


def test_english_stop_words_are_dropped():
    assert analyse("The state of the art and what it's for") == ["state", "art"]
    assert analyse("don't") == []
    assert "the" in STOP_WORDS


def test_possessives_and_accents_go():
    assert analyse("NASA's") == analyse("NASA") == ["nasa"]
    assert analyse("café") == analyse("cafe") == analyse("CAFE\u0301") == ["cafe"]
    assert analyse("Zürich") == ["zurich"]


def test_codes_of_letters_and_digits_stay_whole():
    assert analyse("3D CO2 5G") == ["3d", "co2", "5g"]
    assert analyse("TRL-6") == ["trl6", "trl", "6"]
    assert finds("TRL-6", "reached TRL 6 in 2024")
    assert finds("TRL 6", "a TRL-6 prototype")
    assert finds("TRL6", "a TRL-6 prototype")


def test_hyphenated_words_are_found_joined_apart_or_hyphenated():
    listing = "A non-toxic coating"
    assert finds("non-toxic", listing)
    assert finds("nontoxic", listing)
    assert finds("non toxic", listing)


# ---------------------------------------------------------------- folding and mixing


def test_case_and_width_fold():
    assert analyse("ＡＢＣ１２３") == analyse("ABC123") == analyse("abc123") == ["abc123"]
    assert analyse("ｶﾀｶﾅ") == analyse("カタカナ")
    assert analyse("ﬁbre") == analyse("FIBER")
    assert analyse("STRASSE") == analyse("straße")


def test_mixed_japanese_and_english_text_is_analysed_run_by_run():
    terms = analyse("3D プリンターで PLA を成形しました (TRL-4)")
    assert terms == ["3d", "プリンター", "pla", "成型", "trl4", "trl", "4"]
    listing = demo_listing("DEMO-TLO-001")
    assert finds("CNF", listing)
    assert finds("cnf 竹", listing)


def test_empty_and_symbol_only_text_gives_no_terms():
    for text in ("", "   \n\t", "!!! ... ？？ 、。「」", "→★♪ ©®", "_-_", "\u3099\u0301"):
        assert analyse(text) == []
        assert analyse_query(text) == []


def test_query_words_are_distinct_and_in_order():
    words = analyse_query("竹 bamboo 竹 Bamboos")
    assert [word.whole for word in words] == ["竹", "bamboo"]


def test_very_long_input_is_analysed_whole():
    # Sudachi refuses more than 49,149 bytes at once; the run is cut into pieces.
    sentence = "放置竹林の竹を原料にセルロースナノファイバーを製造する。"
    japanese = sentence * 4_000  # 112,000 characters
    terms = analyse(japanese)
    assert terms.count("竹") == 4_000
    assert terms.count("ナノ") == 4_000
    assert "".join(analyse("竹" * 30_000)) == "竹" * 30_000  # no sentence end or space to cut at
    assert set(analyse("ア" * 100_000)) == {"ア" * 4_000}  # unknown katakana, cut, too long to split
    english = "Licensed gear bearings. " * 20_000
    assert analyse(english).count("licens") == 20_000


def test_threads_analyse_at_once_and_agree_with_one_thread():
    texts = [demo_listing(asset.data.reference) for asset in DEMO_ASSETS] * 8
    expected = [analyse(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(analyse, texts)) == expected


# ---------------------------------------------------------------- properties

TERM = re.compile(r"[^\W_]+")
mixed_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list("竹発電機小水力のをはですナノファイバーセルロースｶﾀﾅＡ１ー・、。 -'’")),
        st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_terms_are_non_empty_nfkc_normal_case_folded_letters_and_digits(text):
    for term in analyse(text):
        assert term
        assert unicodedata.is_normalized("NFKC", term)
        # Folded: case folding then NFKC leaves it as it is (for a few characters,
        # such as Greek ῶ, casefold() alone decomposes what NFKC composes again).
        assert unicodedata.normalize("NFKC", term.casefold()) == term
        assert TERM.fullmatch(term), term


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_every_text_contains_its_own_query_words(text):
    terms = analyse(text)
    for word in analyse_query(text):
        assert word.parts
        assert holds(terms, word)


@settings(max_examples=200, deadline=None)
@given(mixed_text)
def test_folding_does_not_change_the_terms(text):
    assert analyse(unicodedata.normalize("NFKC", text)) == analyse(text)


@pytest.mark.parametrize("word", ["竹", "bamboo", "発電機", "TRL-6"])
def test_a_word_is_found_in_a_listing_that_repeats_it(word):
    assert finds(word, f"{word} {word}")


# ---------------------------------------------------------------- word spans


def spans_read(text: str) -> list[tuple[str, str, list[str]]]:
    return [(span.word.whole, text[span.start : span.end], [text[a:b] for a, b in span.parts]) for span in word_spans(text)]


def test_word_spans_place_each_word_and_its_parts_in_the_text_as_given():
    text = "Ｎｏｎ-toxic BATTERIES: 全固体電池と小水力発電機、ｾﾙﾛｰｽﾅﾉﾌｧｲﾊﾞｰ"
    assert spans_read(text) == [
        ("nontox", "Ｎｏｎ-toxic", ["Ｎｏｎ", "toxic"]),
        ("batteri", "BATTERIES", ["BATTERIES"]),
        ("全", "全", ["全"]),
        ("固体", "固体", ["固体"]),
        ("電池", "電池", ["電池"]),
        ("小水", "小水", ["小水"]),
        ("力", "力", ["力"]),
        ("発電機", "発電機", ["発電", "機"]),
        ("セルロースナノファイバー", "ｾﾙﾛｰｽﾅﾉﾌｧｲﾊﾞｰ", ["ｾﾙﾛｰｽ", "ﾅﾉ", "ﾌｧｲﾊﾞｰ"]),
    ]


def test_word_spans_keep_places_where_folding_changes_lengths():
    text = "ﬁbre straße e\u0301te\u0301 ﾊﾞｯﾃﾘｰ"
    assert [(whole, surface) for whole, surface, _ in spans_read(text)] == [
        ("fiber", "ﬁbre"),
        ("strass", "straße"),
        ("ete", "e\u0301te\u0301"),
        ("バッテリー", "ﾊﾞｯﾃﾘｰ"),
    ]


def test_word_spans_of_a_text_longer_than_one_sudachi_chunk_keep_their_places():
    text = "前置き。" * 1500 + "全固体電池"
    last = word_spans(text)[-1]
    assert (last.word.whole, text[last.start : last.end]) == ("電池", "電池")


def test_word_spans_give_the_words_of_the_demo_listings_exactly_as_analyse():
    for asset in DEMO_ASSETS:
        for text in (asset.data.title, asset.data.summary, asset.data.details):
            assert [term for span in word_spans(text) for term in span.word.terms] == analyse(text)


realistic_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x24F),
        st.sampled_from(list("竹発電機小水力のをはですナノファイバーセルロースｶﾀﾅﾊﾞＡ１ー・、。 -'’ﬁß")),
        st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
        # Half- and full-width forms, without the half-width Hangul letters (FFA0-FFDC):
        # NFKC composes those across characters, where word_spans' folding keeps
        # each character apart (its documented limit), e.g. ﾱￚ → 므 or ᄆ + ᅳ.
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFF9F),
        st.characters(min_codepoint=0xFFE0, max_codepoint=0xFFEF),
    ),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(realistic_text)
def test_word_spans_give_the_terms_of_analyse(text):
    assert [term for span in word_spans(text) for term in span.word.terms] == analyse(text)


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_word_spans_lie_in_order_inside_the_text(text):
    previous = 0
    for span in word_spans(text):
        assert previous <= span.start < span.end <= len(text)
        assert len(span.parts) == len(span.word.parts)
        for start, end in span.parts:
            assert span.start <= start < end <= span.end
        previous = span.start


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        mixed_text,
        realistic_text,
        st.text(alphabet=st.characters(max_codepoint=0x2FFFF), max_size=60),
        st.text(alphabet=st.sampled_from(list("aeAΣσςİßﬁ\u0301\u0308\u3099\u1161ｶﾞﾟ ῶΩ−–’é")), max_size=40),
    )
)
def test_folding_character_for_character_maps_as_folding_cluster_by_cluster(text):
    assert _fold_mapped(text) == _fold_by_cluster(text)
