"""In-memory postings of stored lexical rows, ranked by BM25 as FTS5 ranks them (no Django).

    build(ids, rows, weights=)    → Postings: each term's rows and weighted term
                                    frequencies, every row's length in terms
    Builder(weights=)             the same from rows added one by one (.add(id,
                                  fields), then .postings())
    Statistics.of(parts)          what idf and length normalisation read: rows,
                                    terms in all, rows holding each term
    scored(parts, terms=, statistics=)
                                  → Scored: every row of several Postings (a base
                                  and its delta) holding any of the plain terms,
                                  with its score; .best(count, require_all=,
                                  allowed=) → [(id, score)], scores
                                  higher-is-better, ties by ascending id

Why: FTS5 and PostgreSQL full-text search score every match of a query before
they return its best few, so a query of common words ("system based") or a long
query's some-words match costs tens of milliseconds per hundred thousand rows in
the database. Here a query's terms are scored with numpy over their posting
arrays — one gather, one arithmetic pass and one scatter per term — and the best
`count` are picked by partition, a few milliseconds at 100,000 listings.

The score is FTS5's bm25() exactly (fts5_aux.c), with its constants, its field
weights and its statistics:

    score(row) = Σ over the query's terms t, in query order:
                 idf(t) · f·(K1 + 1) / (f + K1·(1 − B + B·D / avgdl))
    f      = Σ over fields of weight(field) · occurrences of t in the field
    D      = the row's length in terms (all fields), avgdl = terms in all / rows
    idf(t) = ln((rows − n_t + 0.5) / (n_t + 0.5)), or 1e-6 where that is ≤ 0,
             n_t = the rows holding t

computed in float64 in the same order of operations, so a ranking equals FTS5's
over the same rows (tests compare them). A row's terms are its fields' stored
terms, split at spaces (text.py's terms hold no spaces or punctuation, so FTS5's
unicode61 tokenizer cuts them the same way).

Several Postings rank as one: a delta built from rows changed since the base was
built shadows those rows in the base (`hiding`). Statistics count what is not
hidden — rows, terms, rows holding a term (their hidden rows subtracted as the
query's postings are read) — so the scores stay FTS5's over the rows as they are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

# FTS5's bm25() constants.
K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6
BUILD_CHUNK = 2_000


@dataclass(frozen=True, eq=False)
class Postings:
    """Rows' terms as postings. Build with build().

    ids        int64: the row ids, position r being row r (in the order added)
    lengths    float64: each row's length in terms, over every field
    terms      term → its number t; rows_of[starts[t]:starts[t+1]] are the
               positions of the rows holding it (ascending), freqs the same
               slice's weighted frequencies (float32: sums of the weights 3, 2,
               1.5 and 1, exact)
    hidden     bool per row: shadowed by a newer copy of the row elsewhere, or None
    rows_shown, tokens_shown   the rows not hidden, and their terms in all
    """

    ids: np.ndarray
    lengths: np.ndarray
    terms: dict[str, int]
    starts: np.ndarray
    rows_of: np.ndarray
    freqs: np.ndarray
    hidden: np.ndarray | None = None
    rows_shown: int = 0
    tokens_shown: float = 0.0

    def __len__(self) -> int:
        return len(self.ids)

    def holding(self, term: str) -> int:
        """How many rows not hidden hold `term`."""
        number = self.terms.get(term)
        if number is None:
            return 0
        rows = self.rows_of[self.starts[number] : self.starts[number + 1]]
        return len(rows) - (0 if self.hidden is None else int(np.count_nonzero(self.hidden[rows])))

    def hiding(self, ids: Iterable[int]) -> Postings:
        """These postings with the rows of `ids` shadowed (ids not held are ignored)."""
        wanted = np.fromiter(ids, dtype=np.int64)
        if not len(wanted):
            return self
        hidden = np.isin(self.ids, wanted)
        return Postings(
            self.ids, self.lengths, self.terms, self.starts, self.rows_of, self.freqs, hidden,
            rows_shown=len(self.ids) - int(np.count_nonzero(hidden)),
            tokens_shown=float(self.lengths[~hidden].sum()),
        )  # fmt: skip


@dataclass(frozen=True)
class Statistics:
    """The collection statistics of one or more Postings taken as one (their rows
    not hidden)."""

    rows: int
    tokens: float
    parts: tuple[Postings, ...] = field(default=())

    @staticmethod
    def of(parts: Sequence[Postings]) -> Statistics:
        return Statistics(
            rows=sum(part.rows_shown for part in parts),
            tokens=sum(part.tokens_shown for part in parts),
            parts=tuple(parts),
        )

    @property
    def average_length(self) -> float:
        return self.tokens / self.rows if self.rows else 0.0

    def idf(self, term: str) -> float:
        holding = sum(part.holding(term) for part in self.parts)
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


class Builder:
    """Postings built from rows added one by one (`add(id, fields)`, then
    `postings()`), so that a caller streaming rows from the database never holds
    all their texts at once. Ids must be distinct.

    Rows are taken BUILD_CHUNK at a time: their terms are numbered (a dictionary
    lookup each, in C: map over a defaultdict) and the weighted frequency of each
    (term, row) summed by numpy; the chunks' postings are finally ordered by term,
    stably, so each term's rows stay in the order they were added. A posting takes
    8 bytes."""

    def __init__(self, *, weights: Sequence[float]) -> None:
        self._weights = np.asarray(weights, dtype=np.float64)
        self._vocabulary: defaultdict[str, int] = defaultdict()
        self._vocabulary.default_factory = self._vocabulary.__len__  # a new term takes the next number
        self._ids: list[int] = []
        self._pending: list[Sequence[str]] = []
        self._lengths: list[np.ndarray] = []
        self._terms: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []
        self._freqs: list[np.ndarray] = []

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
        positions = np.repeat(np.arange(first, first + len(self._pending), dtype=np.int64), per_row)
        token_weights = np.repeat(np.tile(self._weights, len(self._pending)), per_field)
        span = np.int64(1) << 31  # above any row position
        keys, inverse = np.unique(numbers * span + positions, return_inverse=True)  # by term, then row
        self._lengths.append(per_row.astype(np.float64))
        self._terms.append((keys >> 31).astype(np.int32))
        self._rows.append((keys & (span - 1)).astype(np.int32))
        self._freqs.append(np.bincount(inverse.reshape(-1), weights=token_weights).astype(np.float32))
        self._pending = []

    def postings(self) -> Postings:
        self._flush()
        ids = np.array(self._ids, dtype=np.int64)
        if len(np.unique(ids)) != len(ids):
            raise ValueError("ids must be distinct")
        terms = dict(self._vocabulary)
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0)
        numbers = np.concatenate(self._terms) if self._terms else np.zeros(0, np.int32)
        by_term = np.argsort(numbers, kind="stable")  # stable: the chunks are in the order added
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(numbers, minlength=len(terms)), out=starts[1:])
        return Postings(
            ids=ids,
            lengths=lengths,
            terms=terms,
            starts=starts,
            rows_of=(np.concatenate(self._rows) if self._rows else np.zeros(0, np.int32))[by_term],
            freqs=(np.concatenate(self._freqs) if self._freqs else np.zeros(0, np.float32))[by_term],
            rows_shown=len(ids),
            tokens_shown=float(lengths.sum()),
        )


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

    def plus(self, ids: np.ndarray, scores: np.ndarray) -> Scored:
        """These scores and those of one more query part held by the rows `ids` (a
        part scored elsewhere, such as phrases by the database), added row by row:
        BM25 is a sum over a query's parts."""
        every, where = np.unique(np.concatenate([self.ids, ids]), return_inverse=True)
        where = where.reshape(-1)
        return Scored(
            ids=every,
            scores=np.bincount(where, weights=np.concatenate([self.scores, scores]), minlength=len(every)),
            held=np.bincount(where, weights=np.concatenate([self.held, np.ones(len(ids))]), minlength=len(every)),
            terms=self.terms + 1,
        )


def scored(parts: Sequence[Postings], *, terms: Sequence[str], statistics: Statistics) -> Scored:
    """The scores of `terms` (plain terms, each once, in query order) over the rows
    of `parts` not hidden."""
    if statistics.tokens <= 0:  # no row shown holds any term
        return Scored(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int32), len(terms))
    weighted = [(term, statistics.idf(term)) for term in terms]  # once for every part
    found = [_scored(part, weighted, statistics.average_length) for part in parts]
    return Scored(
        ids=np.concatenate([ids for ids, _, _ in found]),
        scores=np.concatenate([scores for _, scores, _ in found]),
        held=np.concatenate([held for _, _, held in found]),
        terms=len(terms),
    )


def _scored(
    part: Postings, weighted: Sequence[tuple[str, float]], average: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ids, scores, terms held) of the rows of one Postings not hidden holding any
    of the terms, each given with its idf."""
    scores = np.zeros(len(part))
    held = np.zeros(len(part), dtype=np.int32)
    for term, idf in weighted:
        number = part.terms.get(term)
        if number is None:
            continue
        begin, end = part.starts[number], part.starts[number + 1]
        rows, freqs = part.rows_of[begin:end], part.freqs[begin:end].astype(np.float64)
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
