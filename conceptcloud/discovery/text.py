"""Text analysis for search: a listing's or a query's text → the terms an index stores.

Pure: imports nothing from Django. The search backends, the indexing tasks and the
matching build on these two functions, so that every index and every query cut
text the same way.

    analyse(text)          index terms in reading order: each word's whole form,
                           followed by its parts when it has several
    analyse_query(text)    the words of a query (Word: whole, parts), each once
    Word                   one word: `whole` and the `parts` a listing must hold
                           consecutively among its index terms to contain it
    mostly_japanese(text)  whether a text is mostly Japanese script (the English
                           embedding model cannot read it)
    word_spans(text)       the words `analyse` reads, each with where it and its
                           parts stand in the text (WordSpan), for highlighting

How text becomes terms
1. Folding: NFKC, case folding, NFKC again — full-width ＡＢＣ１２３ → abc123,
   half-width ｶﾀｶﾅ → カタカナ, ﬁ → fi.
2. Script runs: each maximal run of Japanese characters (kana, kanji, 々 〆 ヶ ー),
   with the spaces and punctuation between them, goes to SudachiPy; every run of
   other letters and digits (Latin, Greek, Cyrillic, Hangul, numbers) is a word.
   Listings mix scripts ("3D プリンターで PLA を成形"), so the script decides, not
   a language field, and there is no language argument: a query's language is
   unknown, and index and query must be analysed alike.
3. Japanese: SudachiPy (core dictionary) in split mode C gives the long units
   (発電機, データセンター); a unit's parts are its mode-A split (発電 機, データ
   センター). A katakana run the dictionary does not know (Sudachi keeps such a
   run as one unknown word, セルロースナノファイバー) is split into the fewest
   dictionary nouns that spell it exactly (セルロース ナノ ファイバー), person
   names excepted; known katakana words are never split (ライセンス stays whole).
   Terms are Sudachi's normalised forms, so inflections and spelling variants meet
   (作りました → 作る, サーバ → サーバー). Dropped by part of speech: particles,
   auxiliary verbs, punctuation and symbols, whitespace, conjunctions,
   interjections, pronouns, adnominals (この) and the verbs and adjectives that
   mostly serve grammar (する, いる, ある, なる, できる, ない).
4. Other words: letters and digits, kept together across hyphens and apostrophes
   ("3D", "CO2", "TRL-6", "NASA's"). Possessive 's goes; accents go from Latin
   letters (café → cafe); Snowball's English stop words go; British spellings
   become American (licence → license, organisation → organization, fibre →
   fiber, colour → color) so both meet; then Snowball English stemming
   (licensing, licensed, licences → licens). A hyphenated word's whole is its
   pieces joined (TRL-6 → trl6, non-toxic → nontox), its parts the pieces.
   Scripts written with combining marks (Devanagari) break at the marks.

Every term is non-empty, NFKC-normal, case-folded, and made of letters and digits
only (no whitespace or punctuation), so any word tokenizer a backend applies to
the space-joined terms (FTS5 unicode61, PostgreSQL's simple configuration) keeps
each term whole and keeps the order.

Index and query agree by construction. `analyse` emits, for every word, its whole
then its parts (just the whole when it has one part); `analyse_query` gives the
same words. A listing contains a query word where its terms hold the word's parts
consecutively (a phrase query): wherever the listing has the whole word, and also
where the word stands inside a longer compound whose parts include it (発電 in
小水力発電機, ナノファイバー in セルロースナノファイバー) or is written apart
(データ・センター, "TRL 6"). `whole` is the most specific term, for ranking and
for the shared terms a match reason names. Sudachi segments by context, so a
word can rarely cut differently alone than inside a sentence; and a wrong
dictionary cut is not repaired (小水力 comes out as 小水 力, so 水力 is not found
inside it) — dense retrieval covers such misses.

Threads and processes: the Sudachi dictionary is loaded once per process, on first
use, from the installed sudachidict_core package (never the network). Sudachi
tokenizers and Snowball stemmers are not thread-safe, so each thread gets its own;
caches shared between threads hold immutable values only. Loading takes a few
hundredths of a second: the dictionary file is memory-mapped read-only, so the
processes of a machine share its pages.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer
from sudachipy import Dictionary, Morpheme, PosMatcher, SplitMode, Tokenizer

# Japanese script characters: 々 〆 〇 〻, hiragana and their iteration marks,
# katakana with ー ヽ ヾ (not ・, which is punctuation), kanji (unified, extension
# A, compatibility, the supplementary planes).
_JA = (
    "\u3005-\u3007\u303b\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
# A Japanese run (with the non-word characters inside it), or another word:
# letters and digits of other scripts joined by hyphens or apostrophes.
_RUNS = re.compile(rf"(?P<ja>[{_JA}]+(?:[\W_]+[{_JA}]+)*)|(?P<word>[^\W_{_JA}]+(?:[-'’‐][^\W_{_JA}]+)*)")
_HYPHENS = re.compile(r"[-‐]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]+")
_TERM = re.compile(r"[^\W_]+")
# The full-width forms of ASCII and the ideographic space, and their NFKC forms.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FULL_WIDTH_NFKC = {chr(code): unicodedata.normalize("NFKC", chr(code)) for code in (*range(0xFF01, 0xFF5F), 0x3000)}

# Sudachi refuses inputs over 49,149 bytes; 4,000 characters are at most 16,000.
_CHUNK = 4_000
_CHUNK_BREAKS = re.compile(r".*[。.!?\s]", re.DOTALL)
# Parts of a katakana run that Sudachi does not know: dictionary nouns this long.
_PIECE_MIN, _PIECE_MAX = 2, 16
# Longer unknown katakana runs are left whole (splitting costs lookups per character).
_COMPOUND_MAX = 64
# The dictionary fields the analysis reads.
_FIELDS = {"pos", "normalized_form", "split_a"}
# The analysis caches (per thread, and the shared dictionary entries) are cleared
# past this many entries (_kept).
_CACHE_LIMIT = 200_000
_UNSEEN = object()

# Parts of speech that carry grammar, not content (UniDic's first level); and the
# verbs and adjectives UniDic marks 非自立可能 (する, いる, ある, なる, できる, ない).
_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白", "接続詞", "感動詞", "代名詞", "連体詞"})
_GRAMMATICAL = frozenset({"動詞", "形容詞"})

# Snowball's English stop word list (snowballstem.org/algorithms/english/stop.txt).
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing would should could ought i'm you're he's she's
    it's we're they're i've you've we've they've i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll
    they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't shan't
    shouldn't can't cannot couldn't mustn't let's that's who's what's here's there's when's where's why's how's a
    an the and but if or because as until while of at by for with about against between into through during
    before after above below to from up down in out on off over under again further then once here there when
    where why how all any both each few more most other some such no nor not only own same so than too very
    """.split()
)

# British → American spellings, applied before stemming so both spellings of a
# word meet (Snowball stems each as it is: licence → licenc, license → licens).
# -ise/-yse: every such word maps (promise → promize too); harmless, because index
# and query map alike and no American word is spelt that way for another meaning.
_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^practis", "practic"),  # before -ise → -ize, which would take it
        (r"^(\w{3,}[^aeiouy\W])is(e|es|ed|ing|er|ers|ation|ations|able)$", r"\1iz\2"),
        (r"^(anal|paral|catal|electrol|hydrol|dial|pyrol|photol)ys(e|es|ed|ing|er|ers)$", r"\1yz\2"),
        (
            r"^(colo|behavio|favo|harbo|labo|neighbo|vapo|hono|humo|rumo|odo|flavo|armo|savo|valo|vigo|tumo|rigo"
            r"|endeavo|clamo|splendo|parlo|fervo|cando|ardo|savio|demeano)ur",
            r"\1r",
        ),
        (r"(cent|fib|met|lit|theat|calib|spect|lust|sab|somb|meag)re(s?)$", r"\1er\2"),
        (r"(cent|fib|met|lit|theat|calib|spect|lust|sab|somb|meag)red$", r"\1ered"),
        (r"(cent|fib|theat)re", r"\1er"),
        (r"(licen|defen|offen|preten)c", r"\1s"),
        (r"^(catal|anal|dial|prol|epil|monol|homol)ogue(s?)$", r"\1og\2"),
        (r"^(catal|anal|dial)ogu(ed|ing|er|ers)$", r"\1og\2"),
        (r"^manoeuvre(s?)$", r"maneuver\1"),
        (r"^manoeuvr(ed|ing)$", r"maneuver\1"),
        (r"^(h|an|leuk)aem", r"\1em"),
        (r"^(orthop|encyclop|p)aed", r"\1ed"),
        (r"^anaesth", "anesth"),
        (r"^oe(stro|soph)", r"e\1"),
        (r"^foet", "fet"),
        (r"^caesium", "cesium"),
        (r"^diarrhoea", "diarrhea"),
        (r"^aluminium", "aluminum"),
        (r"^sulph", "sulf"),
        (r"^programme(s?)$", r"program\1"),
        (r"^tyre(s?)$", r"tire\1"),
        (r"^grey", "gray"),
        (r"^mould", "mold"),
        (r"^plough", "plow"),
        (r"^artefact", "artifact"),
        (r"^scepti", "skepti"),
        (r"^judgement", "judgment"),
        (r"^(enrol|fulfil|instal)ment(s?)$", r"\1lment\2"),
        (r"^(skil|wil)ful", r"\1lful"),
    )
)
# Whether any of them applies: one search instead of one per pattern for the words
# none applies to (nearly all; a word none matches is never changed by the others).
_ANY_SPELLING = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _SPELLINGS))


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: its `whole` term and the `parts` it is made of.

    `parts` is never empty; a word that is not made of others has parts ==
    (whole,). A listing contains the word where its index terms hold `parts`
    consecutively. `terms` are the word's index terms: the whole, then the parts
    unless they are just the whole.
    """

    whole: str
    parts: tuple[str, ...]
    terms: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        terms = self.parts if self.parts == (self.whole,) else (self.whole, *self.parts)
        object.__setattr__(self, "terms", terms)


def analyse(text: str) -> list[str]:
    """The index terms of `text`, in reading order, repeats kept (for term counts).

    Never raises on any string; empty or symbol-only text gives [].
    """
    terms: list[str] = []
    for word in _words(text):
        terms.extend(word.terms)
    return terms


# A text with at least this share of its letters in Japanese script is "mostly
# Japanese": the English embedding model cannot read it (search.py, matching.py).
JAPANESE_SHARE = 0.3
_JA_CHAR = re.compile(f"[{_JA}\uff66-\uff9f]")


def mostly_japanese(text: str) -> bool:
    """Whether at least JAPANESE_SHARE of the letters and digits among the text's
    first 2,000 characters are Japanese script."""
    letters = [char for char in text[:2000] if char.isalnum()]
    return bool(letters) and sum(1 for char in letters if _JA_CHAR.match(char)) >= JAPANESE_SHARE * len(letters)


def analyse_query(text: str) -> list[Word]:
    """The words of a query, in order, each distinct word once.

    Plain text: no operators are read here (quotes, OR and minus are text). A
    listing matches a word where its index terms (from `analyse`) contain the
    word's parts consecutively; the caller decides how words combine (all, any).
    """
    return list(dict.fromkeys(_words(text)))


def _words(text: str) -> Iterator[Word]:
    seen = _state.words  # _other_word's cache, read here first: most words were seen
    for run, token in _RUNS.findall(_fold(text)):
        if run:
            yield from _japanese_words(run)
        else:
            word = seen.get(token, _UNSEEN)
            if word is _UNSEEN:
                word = _other_word(token)
            if word is not None:
                yield word


def _fold(text: str) -> str:
    """NFKC, case folding, NFKC: the text's canonical form for analysis.

    Japanese text fails NFKC's quick check mostly for its few full-width ASCII
    characters (（）：Ａ１), mapped here one by one; the full normalisation, some
    ten times slower, runs only if something else is left.
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = _FULL_WIDTH.sub(lambda match: _FULL_WIDTH_NFKC[match.group()], text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


# ---------------------------------------------------------------- state


@dataclass(frozen=True)
class _Sudachi:
    dictionary: Dictionary
    dropped: PosMatcher


_sudachi_lock = threading.Lock()
_sudachi: _Sudachi | None = None
# Known dictionary entries → their Word (None: dropped); shared, immutable values.
_entries: dict[int, Word | None] = {}


def _loaded() -> _Sudachi:
    """The process's dictionary and drop matcher, loaded once on first use."""
    global _sudachi
    if _sudachi is None:
        with _sudachi_lock:
            if _sudachi is None:
                dictionary = Dictionary(dict="core")
                dropped = dictionary.pos_matcher(
                    lambda pos: pos[0] in _DROPPED_POS or (pos[0] in _GRAMMATICAL and pos[1] == "非自立可能")
                )
                _sudachi = _Sudachi(dictionary, dropped)
    return _sudachi


class _ThreadState(threading.local):
    """Per thread: a Sudachi tokenizer, a Snowball stemmer, the caches of English
    pieces (→ term) and of whole tokens (→ Word)."""

    def __init__(self) -> None:
        self._tokenizer: Tokenizer | None = None
        self.stemmer = Stemmer.Stemmer("english")
        self.terms: dict[str, str | None] = {}
        self.words: dict[str, Word | None] = {}

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            # Only the fields used here: tokenizes about a tenth faster.
            self._tokenizer = _loaded().dictionary.tokenizer(SplitMode.C, fields=_FIELDS)
        return self._tokenizer


_state = _ThreadState()


# ---------------------------------------------------------------- other scripts


def _kept(cache: dict, key, value):
    """Store `value` under `key` in one of the analysis caches (emptied first when it
    holds _CACHE_LIMIT entries) and return it."""
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _other_word(token: str) -> Word | None:
    """A word of letters and digits (possibly hyphenated) → Word, or None if only
    stop words (cached per thread: a listing's words are mostly words seen before)."""
    cache = _state.words
    try:
        return cache[token]
    except KeyError:
        pass
    return _kept(cache, token, _new_other_word(token))


def _new_other_word(token: str) -> Word | None:
    pieces = _HYPHENS.split(token)
    if len(pieces) == 1:
        term = _english_term(token)
        return None if term is None else Word(term, (term,))
    parts = tuple(term for piece in pieces if (term := _english_term(piece)) is not None)
    whole = _english_term("".join(_plain(piece) for piece in pieces))
    if whole is None:
        return Word(parts[0], parts) if parts else None
    return Word(whole, parts or (whole,))


def _plain(piece: str) -> str:
    """A piece without its possessive 's and apostrophes, and without accents if Latin."""
    piece = piece.replace("’", "'")
    if piece.endswith("'s"):
        piece = piece[:-2]
    piece = piece.replace("'", "")
    if not piece.isascii():
        stripped = "".join(c for c in unicodedata.normalize("NFKD", piece) if not unicodedata.combining(c))
        if stripped.isascii():
            piece = stripped
    return piece


def _english_term(piece: str) -> str | None:
    """One piece → its stemmed term, or None for a stop word (cached per thread)."""
    cache = _state.terms
    try:
        return cache[piece]
    except KeyError:
        pass
    term: str | None = None
    if piece.replace("’", "'") not in STOP_WORDS:
        plain = _plain(piece)
        if plain and plain not in STOP_WORDS:
            term = _state.stemmer.stemWord(_american(plain)) or plain
    return _kept(cache, piece, term)


def _american(word: str) -> str:
    if word.isascii() and len(word) > 3 and _ANY_SPELLING.search(word):
        for pattern, replacement in _SPELLINGS:
            word = pattern.sub(replacement, word)
    return word


# ---------------------------------------------------------------- Japanese


def _japanese_words(run: str) -> Iterator[Word]:
    sudachi = _loaded()
    tokenizer = _state.tokenizer
    for chunk in _chunks(run):
        for unit in tokenizer.tokenize(chunk):
            word = _unit_word(unit, sudachi)
            if word is not None:
                yield word


def _unit_word(unit: Morpheme, sudachi: _Sudachi) -> Word | None:
    """A Sudachi long unit → its Word, or None if dropped (known entries cached)."""
    if unit.is_oov():
        return None if sudachi.dropped(unit) else _unknown_word(unit.surface())
    key = unit.word_id()
    try:
        return _entries[key]
    except KeyError:
        pass
    return _kept(_entries, key, _known_word(unit, sudachi.dropped))


def _chunks(run: str) -> Iterator[str]:
    """The run in pieces Sudachi accepts, cut after a sentence end or space where one is near."""
    while len(run) > _CHUNK:
        head = _CHUNK_BREAKS.match(run, 0, _CHUNK)
        cut = head.end() if head is not None and head.end() > _CHUNK // 2 else _CHUNK
        yield run[:cut]
        run = run[cut:]
    yield run


def _known_word(unit: Morpheme, dropped: PosMatcher) -> Word | None:
    if dropped(unit):
        return None
    whole = _clean(unit.normalized_form())
    if whole is None:
        return None
    parts = tuple(
        part
        for piece in unit.split(SplitMode.A, add_single=False)
        if not dropped(piece) and (part := _clean(piece.normalized_form())) is not None
    )
    return Word(whole, parts if len(parts) > 1 else (whole,))


def _unknown_word(surface: str) -> Word | None:
    whole = _clean(surface)
    if whole is None:
        return None
    if 2 * _PIECE_MIN <= len(whole) <= _COMPOUND_MAX and _KATAKANA.fullmatch(whole):
        return Word(whole, _katakana_parts(whole))
    return Word(whole, (whole,))


@lru_cache(maxsize=16_384)
def _katakana_parts(word: str) -> tuple[str, ...]:
    """An unknown katakana word as the fewest dictionary nouns spelling it, or (word,)."""
    cuts = _katakana_cuts(word)
    if len(cuts) < 2:
        return (word,)
    return tuple(_noun_form(word[start:end]) for start, end in zip((0, *cuts[:-1]), cuts, strict=True))


@lru_cache(maxsize=16_384)
def _katakana_cuts(word: str) -> tuple[int, ...]:
    """Where the pieces of `_katakana_parts` end in `word`: (len(word),) when it is not split."""
    n = len(word)
    # fewest[i]: (pieces, start of the last piece) for the best spelling of word[:i].
    fewest: list[tuple[int, int] | None] = [None] * (n + 1)
    fewest[0] = (0, 0)
    for end in range(_PIECE_MIN, n + 1):
        for start in range(max(0, end - _PIECE_MAX), end - _PIECE_MIN + 1):
            before = fewest[start]
            if before is None or _noun_form(word[start:end]) is None:
                continue
            if fewest[end] is None or before[0] + 1 < fewest[end][0]:
                fewest[end] = (before[0] + 1, start)
    if fewest[n] is None or fewest[n][0] < 2:
        return (n,)
    cuts: list[int] = []
    end = n
    while end > 0:
        cuts.append(end)
        end = fewest[end][1]
    return tuple(reversed(cuts))


@lru_cache(maxsize=65_536)
def _noun_form(surface: str) -> str | None:
    """The term for a dictionary noun spelt `surface` (not a person's name), or None.

    The term is the noun's normalised form where that is katakana too (サーバ →
    サーバー), else the katakana as written: inside a loanword compound ゲン is
    not 験.
    """
    for entry in _loaded().dictionary.lookup(surface):
        pos = entry.part_of_speech()
        if entry.surface() == surface and pos[0] == "名詞" and pos[2] != "人名":
            form = entry.normalized_form()
            return form if _KATAKANA.fullmatch(form) else surface
    return None


def _clean(form: str) -> str | None:
    """A Sudachi form as a term (NFKC, case-folded, letters and digits only), or None."""
    if not unicodedata.is_normalized("NFKC", form) or form.casefold() != form:
        form = _fold(form)
    return form if _TERM.fullmatch(form) else None


# ---------------------------------------------------------------- where words stand


@dataclass(frozen=True, slots=True)
class WordSpan:
    """One word of a text and where it stands: text[start:end], and parts[i] = (start, end) of word.parts[i].

    A part's span lies inside the word's; a word written apart in the text (a
    compound whose pieces are split by punctuation) still has one span per part.
    """

    word: Word
    start: int
    end: int
    parts: tuple[tuple[int, int], ...]


def word_spans(text: str) -> list[WordSpan]:
    """The words `analyse` reads in `text`, in order, with their offsets in `text` as given.

    The words are those of `analyse` (same wholes and parts, same order, so the
    same index terms), except that folding here goes one character (with its
    combining marks) at a time, to keep each folded character's place: where
    NFKC would compose characters across such a boundary (Hangul jamo, rare
    scripts' vowel signs) the words can differ from the index's.
    """
    folded, starts, ends = _fold_mapped(text)
    spans: list[WordSpan] = []

    def place(word: Word, start: int, end: int, parts: tuple[tuple[int, int], ...]) -> None:
        spans.append(
            WordSpan(
                word,
                starts[start],
                ends[end - 1],
                tuple((starts[a], ends[b - 1]) for a, b in parts),
            )
        )

    for match in _RUNS.finditer(folded):
        if match.group("ja") is not None:
            for word, start, end, parts in _japanese_spans(match.group("ja"), match.start()):
                place(word, start, end, parts)
            continue
        word = _other_word(match.group("word"))
        if word is None:
            continue
        start, end = match.span()
        pieces = [
            piece.span()
            for piece in re.finditer(r"[^-‐]+", match.group("word"))
            if _english_term(piece.group()) is not None
        ]
        if len(word.parts) == len(pieces) and len(pieces) > 1:
            parts = tuple((start + a, start + b) for a, b in pieces)
        else:
            parts = ((start, end),) * len(word.parts)
        place(word, start, end, parts)
    return spans


def _fold_mapped(text: str) -> tuple[str, list[int], list[int]]:
    """`_fold` a character at a time: (folded, starts, ends), folded[i] coming from text[starts[i]:ends[i]].

    Most texts fold character for character: ASCII, or NFKC-normal text without
    combining marks whose case folding changes no length and stays NFKC-normal
    (then each character folds alone to what it folds to in the whole). Only the
    others are read cluster by cluster (_fold_by_cluster), ten times slower.
    """
    if text.isascii():
        return text.casefold(), list(range(len(text))), list(range(1, len(text) + 1))
    if unicodedata.is_normalized("NFKC", text) and not _clusters().search(text):
        folded = text.casefold()
        if len(folded) == len(text) and unicodedata.is_normalized("NFKC", folded):
            return folded, list(range(len(text))), list(range(1, len(text) + 1))
    return _fold_by_cluster(text)


@lru_cache(maxsize=1)
def _clusters() -> re.Pattern[str]:
    """The characters that join the one before them in _fold_by_cluster: combining
    marks (every code point below U+20000 with a combining class), Hangul vowel and
    final jamo, half-width katakana (semi-)voiced sound marks."""
    marks = [code for code in range(0x300, 0x20000) if unicodedata.combining(chr(code))]
    ranges: list[tuple[int, int]] = []
    for code in marks:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    spans = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{spans}\u1160-\u11ff\uff9e\uff9f]")


def _fold_by_cluster(text: str) -> tuple[str, list[int], list[int]]:
    """_fold_mapped for any text: each character with the marks NFKC composes it with."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        # A character with the marks NFKC composes it with folds as one: combining marks,
        # Hangul vowel and final jamo, half-width katakana (semi-)voiced sound marks.
        while j < n and (unicodedata.combining(text[j]) or "\u1160" <= text[j] <= "\u11ff" or text[j] in "\uff9e\uff9f"):
            j += 1
        piece = _fold_character(text[i:j])
        pieces.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(pieces), starts, ends


@lru_cache(maxsize=65_536)
def _fold_character(cluster: str) -> str:
    return _fold(cluster)


def _japanese_spans(run: str, offset: int) -> Iterator[tuple[Word, int, int, tuple[tuple[int, int], ...]]]:
    """`_japanese_words` of `run` with offsets (from `offset`, run's place in the folded text)."""
    sudachi = _loaded()
    tokenizer = _state.tokenizer
    for chunk in _chunks(run):
        for unit in tokenizer.tokenize(chunk):
            word = _unit_word(unit, sudachi)
            if word is None:
                continue
            start, end = offset + unit.begin(), offset + unit.end()
            yield word, start, end, _japanese_part_spans(unit, word, start, end, sudachi)
        offset += len(chunk)


def _japanese_part_spans(
    unit: Morpheme, word: Word, start: int, end: int, sudachi: _Sudachi
) -> tuple[tuple[int, int], ...]:
    n = len(word.parts)
    if n > 1 and unit.is_oov():
        cuts = _katakana_cuts(word.whole)
        if len(cuts) == n and cuts[-1] == end - start:
            return tuple((start + a, start + b) for a, b in zip((0, *cuts[:-1]), cuts, strict=True))
    elif n > 1:
        base = start - unit.begin()
        pieces = tuple(
            (base + piece.begin(), base + piece.end())
            for piece in unit.split(SplitMode.A, add_single=False)
            if not sudachi.dropped(piece) and _clean(piece.normalized_form()) is not None
        )
        if len(pieces) == n:
            return pieces
    return ((start, end),) * n
