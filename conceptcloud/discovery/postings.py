"""In-memory postings of stored lexical rows, ranked by BM25 as FTS5 ranks them (no Django).

    build(ids, rows, weights=)    → Postings: each term's rows, weighted term
                                    frequencies and places, every row's length
    Builder(weights=)             the same from rows added one by one (.add(id,
                                  fields), then .postings())
    Postings.occurrences(phrase)  the rows holding a phrase (terms in a row in
                                  one field) and its weighted frequency in each
    Statistics.of(parts)          what idf and length normalisation read: rows
                                    and terms in all
    scored(parts, phrases=, statistics=)
                                  → Scored: every row of several Postings (a base
                                  and its delta) holding any of the phrases,
                                  with its score; .best(count, require_all=,
                                  allowed=) → [(id, score)], scores
                                  higher-is-better, ties by ascending id

Why: FTS5 and PostgreSQL full-text search score every match of a query before
they return its best few, so a query of common words ("system based"), a common
phrase ("real-time") or a long query's some-words match costs tens of
milliseconds per hundred thousand rows in the database. Here a query's terms are
scored with numpy over their posting arrays — one gather, one arithmetic pass and
one scatter per term — and the best `count` are picked by partition, a few
milliseconds at 100,000 listings. A phrase's instances are found from its terms'
places: every occurrence of its rarest term, the others looked up (binary
search) at the places next to it.

The score is FTS5's bm25() exactly (fts5_aux.c), with its constants, its field
weights and its statistics:

    score(row) = Σ over the query's phrases p, in query order:
                 idf(p) · f·(K1 + 1) / (f + K1·(1 − B + B·D / avgdl))
    f      = Σ over p's instances in the row of the weight of its field
    D      = the row's length in terms (all fields), avgdl = terms in all / rows
    idf(p) = ln((rows − n_p + 0.5) / (n_p + 0.5)), or 1e-6 where that is ≤ 0,
             n_p = the rows holding p

computed in float64 in the same order of operations, so a ranking equals FTS5's
over the same rows (tests compare them). A row's terms are its fields' stored
terms, split at spaces (text.py's terms hold no spaces or punctuation, so FTS5's
unicode61 tokenizer cuts them the same way, at the same offsets).

Several Postings rank as one: a delta built from rows changed since the base was
built shadows those rows in the base (`hiding`). Statistics count what is not
hidden — rows, terms, rows holding a phrase (their hidden rows subtracted as the
query's postings are read) — so the scores stay FTS5's over the rows as they are.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

# FTS5's bm25() constants.
K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6
BUILD_CHUNK = 2_000
# A place: the field's index above FIELD_SHIFT bits, the offset in the field below
# (no stored field holds 2**28 terms).
FIELD_SHIFT = 28
FIELD_MASK = 0xF


@dataclass(frozen=True, eq=False)
class Postings:
    """Rows' terms as postings. Build with build().

    ids        int64: the row ids, position r being row r (in the order added)
    lengths    float64: each row's length in terms, over every field
    terms      term → its number t; rows_of[starts[t]:starts[t+1]] are the
               positions of the rows holding it (ascending), freqs the same
               slice's weighted frequencies (float32: sums of the weights 3, 2,
               1.5 and 1, exact)
    counts     each posting's occurrences (unsigned)
    places     uint32: each occurrence's place, field << FIELD_SHIFT | its offset
               in the field (FTS5's token offset), a posting's ascending, in the
               order of the postings; term t's are
               places[place_starts[t]:place_starts[t+1]]
    hidden     bool per row: shadowed by a newer copy of the row elsewhere, or None
    rows_shown, tokens_shown   the rows not hidden, and their terms in all
    """

    ids: np.ndarray
    lengths: np.ndarray
    terms: dict[str, int]
    starts: np.ndarray
    rows_of: np.ndarray
    freqs: np.ndarray
    counts: np.ndarray
    places: np.ndarray
    place_starts: np.ndarray
    weights: np.ndarray
    hidden: np.ndarray | None = None
    rows_shown: int = 0
    tokens_shown: float = 0.0

    def __len__(self) -> int:
        return len(self.ids)

    def shown(self, rows: np.ndarray) -> int:
        """How many of these row positions are not hidden."""
        return len(rows) - (0 if self.hidden is None else int(np.count_nonzero(self.hidden[rows])))

    def occurrences(self, phrase: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, ascending; weighted frequencies, float64) of the rows
        holding `phrase` — its terms one after another in one field — hidden ones
        too. A frequency is the sum of the weights of the fields of the phrase's
        instances (overlapping ones each count, as in FTS5)."""
        numbers = [self.terms.get(term) for term in phrase]
        if any(number is None for number in numbers):
            return np.zeros(0, np.int32), np.zeros(0)
        if len(numbers) == 1:
            begin, end = self.starts[numbers[0]], self.starts[numbers[0] + 1]
            return self.rows_of[begin:end], self.freqs[begin:end].astype(np.float64)
        # Instances as row << 32 | place, ascending. Every instance holds its rarest
        # term at its place + that term's index; the other terms are looked up there
        # (each term held has an occurrence, so `found` is never empty).
        places = [self._places(number) for number in numbers]
        anchor = min(range(len(places)), key=lambda index: len(places[index]))
        starts = places[anchor] - anchor
        for index, found in enumerate(places):
            if index != anchor:
                wanted = starts + index
                starts = starts[found[np.minimum(np.searchsorted(found, wanted), len(found) - 1)] == wanted]
        rows = (starts >> 32).astype(np.int32)
        weights = self.weights[(starts >> FIELD_SHIFT) & FIELD_MASK]
        first = _firsts(rows)
        return rows[first], np.add.reduceat(weights, first) if len(first) else np.zeros(0)

    def _places(self, number: int) -> np.ndarray:
        """Every occurrence of term `number` as row << 32 | its place, ascending."""
        begin, end = self.starts[number], self.starts[number + 1]
        rows = np.repeat(self.rows_of[begin:end].astype(np.int64), self.counts[begin:end])
        return (rows << 32) | self.places[self.place_starts[number] : self.place_starts[number + 1]]

    def hiding(self, ids: Iterable[int]) -> Postings:
        """These postings with the rows of `ids` shadowed (ids not held are ignored)."""
        wanted = np.fromiter(ids, dtype=np.int64)
        if not len(wanted):
            return self
        hidden = np.isin(self.ids, wanted)
        return dataclasses.replace(
            self,
            hidden=hidden,
            rows_shown=len(self.ids) - int(np.count_nonzero(hidden)),
            tokens_shown=float(self.lengths[~hidden].sum()),
        )


@dataclass(frozen=True)
class Statistics:
    """The collection statistics of one or more Postings taken as one (their rows
    not hidden)."""

    rows: int
    tokens: float

    @staticmethod
    def of(parts: Sequence[Postings]) -> Statistics:
        return Statistics(
            rows=sum(part.rows_shown for part in parts),
            tokens=sum(part.tokens_shown for part in parts),
        )

    @property
    def average_length(self) -> float:
        return self.tokens / self.rows if self.rows else 0.0

    def idf(self, holding: int) -> float:
        """The idf of a phrase that `holding` rows hold."""
        idf = math.log((self.rows - holding + 0.5) / (holding + 0.5))
        return idf if idf > 0.0 else IDF_FLOOR


def build(ids: Sequence[int], rows: Sequence[Sequence[str]], *, weights: Sequence[float]) -> Postings:
    """Postings of rows: rows[i] is the stored text of each field (terms joined by
    single spaces) of the row with id ids[i], in the order of `weights`."""
    if len(ids) != len(rows):
        raise ValueError(f"{len(ids)} ids for {len(rows)} rows")
    builder = Builder(weights=weights)
    for pk, fields in zip(ids, rows, strict=True):
        builder.add(pk, fields)
    return builder.postings()


@dataclass(frozen=True, eq=False)
class _Chunk:
    """One chunk's postings, ordered by term then row: their terms, rows, weighted
    frequencies and occurrence counts, and the occurrences' places (by posting)."""

    terms: np.ndarray
    rows: np.ndarray
    freqs: np.ndarray
    counts: np.ndarray
    places: np.ndarray


class Builder:
    """Postings built from rows added one by one (`add(id, fields)`, then
    `postings()`), so that a caller streaming rows from the database never holds
    all their texts at once. Ids must be distinct.

    Rows are taken BUILD_CHUNK at a time: their terms are numbered (a dictionary
    lookup each, in C: map over a defaultdict), the occurrences ordered by term and
    row (stably, so each posting's places stay ascending) and each posting's
    weighted frequency summed by numpy. postings() then counts each term's postings
    and places over the chunks and moves each chunk's into place (a term's rows
    stay in the order they were added), freeing the chunk: the arrays are built
    once, with no sort or index over all of them. A posting takes 9 to 12 bytes,
    an occurrence 4."""

    def __init__(self, *, weights: Sequence[float]) -> None:
        if len(weights) > FIELD_MASK + 1:
            raise ValueError(f"at most {FIELD_MASK + 1} fields")
        self._weights = np.asarray(weights, dtype=np.float64)
        self._vocabulary: defaultdict[str, int] = defaultdict()
        self._vocabulary.default_factory = self._vocabulary.__len__  # a new term takes the next number
        self._ids: list[int] = []
        self._pending: list[Sequence[str]] = []
        self._lengths: list[np.ndarray] = []
        self._chunks: list[_Chunk] = []

    def add(self, pk: int, fields: Sequence[str]) -> None:
        if len(fields) != len(self._weights):
            raise ValueError(f"a row of {len(fields)} fields for {len(self._weights)} weights")
        self._ids.append(pk)
        self._pending.append(fields)
        if len(self._pending) == BUILD_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        first = len(self._ids) - len(self._pending)
        tokens: list[str] = []
        counts: list[int] = []
        for fields in self._pending:
            for text in fields:
                split = text.split()
                tokens += split
                counts.append(len(split))
        numbers = np.fromiter(map(self._vocabulary.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        per_field = np.array(counts, dtype=np.int64)
        per_row = per_field.reshape(len(self._pending), -1).sum(axis=1)
        rows = np.repeat(np.arange(first, first + len(self._pending), dtype=np.int64), per_row)
        fields = np.tile(np.arange(len(self._weights), dtype=np.int64), len(self._pending))
        offsets = np.arange(len(tokens), dtype=np.int64) - np.repeat(np.cumsum(per_field) - per_field, per_field)
        if len(per_field) and per_field.max() > 1 << FIELD_SHIFT:
            raise ValueError(f"a field of more than {1 << FIELD_SHIFT:,} terms")
        places = (np.repeat(fields, per_field) << FIELD_SHIFT) | offsets
        keys = numbers * (np.int64(1) << 31) + rows  # rows are below 2**31
        order = np.argsort(keys, kind="stable")  # by term, then row, then place
        keys = keys[order]
        begins = _firsts(keys)
        weights = np.repeat(np.tile(self._weights, len(self._pending)), per_field)[order]
        self._lengths.append(per_row.astype(np.float64))
        self._chunks.append(
            _Chunk(
                terms=(keys[begins] >> 31).astype(np.int32),
                rows=(keys[begins] & ((np.int64(1) << 31) - 1)).astype(np.int32),
                freqs=np.add.reduceat(weights, begins).astype(np.float32) if len(begins) else np.zeros(0, np.float32),
                counts=np.diff(np.r_[begins, len(keys)]).astype(np.int32),
                places=places[order].astype(np.uint32),
            )
        )
        self._pending = []

    def postings(self) -> Postings:
        self._flush()
        ids = np.array(self._ids, dtype=np.int64)
        if len(np.unique(ids)) != len(ids):
            raise ValueError("ids must be distinct")
        terms = dict(self._vocabulary)
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0)
        # Each term's postings and places over every chunk, hence where each starts.
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        place_starts = np.zeros(len(terms) + 1, dtype=np.int64)
        largest = 0
        for chunk in self._chunks:
            starts[1:] += np.bincount(chunk.terms, minlength=len(terms))
            place_starts[1:] += np.bincount(chunk.terms, weights=chunk.counts, minlength=len(terms)).astype(np.int64)
            largest = max(largest, int(chunk.counts.max(initial=0)))
        np.cumsum(starts, out=starts)
        np.cumsum(place_starts, out=place_starts)
        rows_of = np.empty(starts[-1], dtype=np.int32)
        freqs = np.empty(starts[-1], dtype=np.float32)
        counts = np.empty(starts[-1], dtype=np.min_scalar_type(largest))
        places = np.empty(place_starts[-1], dtype=np.uint32)
        next_posting, next_place = starts[:-1].copy(), place_starts[:-1].copy()
        while self._chunks:  # in the order added, each freed once moved
            chunk = self._chunks.pop(0)
            group = _firsts(chunk.terms)  # a term's postings in the chunk: one group
            sizes = np.diff(np.r_[group, len(chunk.terms)])
            held = chunk.terms[group]
            where = np.repeat(next_posting[held] - group, sizes) + np.arange(len(chunk.terms))
            rows_of[where], freqs[where], counts[where] = chunk.rows, chunk.freqs, chunk.counts
            # A group's places are contiguous in the chunk, and go to its term's next ones.
            place_groups = np.add.reduceat(chunk.counts.astype(np.int64), group) if len(group) else group
            first_places = np.r_[0, np.cumsum(place_groups)[:-1]] if len(group) else group
            where = np.repeat(next_place[held] - first_places, place_groups) + np.arange(len(chunk.places))
            places[where] = chunk.places
            next_posting[held] += sizes
            next_place[held] += place_groups
        return Postings(
            ids=ids,
            lengths=lengths,
            terms=terms,
            starts=starts,
            rows_of=rows_of,
            freqs=freqs,
            counts=counts,
            places=places,
            place_starts=place_starts,
            weights=self._weights,
            rows_shown=len(ids),
            tokens_shown=float(lengths.sum()),
        )


def _firsts(values: np.ndarray) -> np.ndarray:
    """The indexes where a run of equal values begins."""
    if not len(values):
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


@dataclass(frozen=True, eq=False)
class Scored:
    """One query's scores: every row shown that holds any of its terms (`ids`), its
    score and how many of the terms it holds (`held`). `best()` ranks them."""

    ids: np.ndarray
    scores: np.ndarray
    held: np.ndarray
    terms: int

    def best(self, count: int, *, require_all: bool, allowed: Collection[int] | None = None) -> list[tuple[int, float]]:
        """The best `count` (id, score): with `require_all` of the rows holding every
        term, else of all; only ids in `allowed` when given. Best first; equal scores
        by ascending id."""
        if count <= 0:
            return []
        keep = self.held == self.terms if require_all else np.ones(len(self.ids), dtype=bool)
        if allowed is not None:
            keep &= np.isin(self.ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
        return _best(self.ids[keep], self.scores[keep], count)


def scored(parts: Sequence[Postings], *, phrases: Sequence[Sequence[str]], statistics: Statistics) -> Scored:
    """The scores of `phrases` (each a term or several in a row; each once, in
    query order) over the rows of `parts` not hidden."""
    if statistics.tokens <= 0:  # no row shown holds any term
        return Scored(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int32), len(phrases))
    found = [[part.occurrences(phrase) for part in parts] for phrase in phrases]
    idfs = [  # a phrase's rows counted over every part, so once for all of them
        statistics.idf(sum(part.shown(rows) for part, (rows, _) in zip(parts, each, strict=True))) for each in found
    ]
    results = [
        _scored(part, [(each[index], idf) for each, idf in zip(found, idfs, strict=True)], statistics.average_length)
        for index, part in enumerate(parts)
    ]
    return Scored(
        ids=np.concatenate([ids for ids, _, _ in results]),
        scores=np.concatenate([scores for _, scores, _ in results]),
        held=np.concatenate([held for _, _, held in results]),
        terms=len(phrases),
    )


def _scored(
    part: Postings, weighted: Sequence[tuple[tuple[np.ndarray, np.ndarray], float]], average: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, scores, phrases held) of the rows of one Postings not hidden holding
    any of the phrases, each given as its occurrences there and its idf."""
    scores = np.zeros(len(part))
    held = np.zeros(len(part), dtype=np.int32)
    for (rows, freqs), idf in weighted:
        # As fts5_aux.c: K1 * (1 - B + B * D / avgdl), then idf * (f * (K1 + 1) / (f + that)).
        norm = K1 * (1 - B + B * part.lengths[rows] / average)
        scores[rows] += idf * ((freqs * (K1 + 1.0)) / (freqs + norm))
        held[rows] += 1
    matching = held > 0
    if part.hidden is not None:
        matching &= ~part.hidden
    rows = np.flatnonzero(matching)
    return part.ids[rows], scores[rows], held[rows]


def _best(ids: np.ndarray, scores: np.ndarray, count: int) -> list[tuple[int, float]]:
    """The `count` best (id, score): score descending, then id ascending."""
    if len(scores) > count:
        kth = np.partition(scores, len(scores) - count)[len(scores) - count]
        keep = np.flatnonzero(scores >= kth)  # ties at the cut stay in, for the id order
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:count]
    return [(int(ids[i]), float(scores[i])) for i in order]
