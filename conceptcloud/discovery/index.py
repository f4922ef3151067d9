"""The indexes of this process, rebuilt from the stored vectors and lexical rows.

    StoredCopy             what every copy shares: refreshing, a delta, rebuilding;
                           stored_columns(rows): (ids, values) of its rows
    asset_index_cache()    the index of AssetVector rows   ─┐ each: .search(vector, k,
    need_index_cache()     the index of NeedVector rows     │ allowed=None) → [Hit],
    person_index_cache()   the index of PersonVector rows  ─┘ .vector(id), len()
    PostingsCopy           LexicalDocument rows as BM25 postings (postings.py):
                           .ranking(phrases, count=, require_all=, teaser=,
                           allowed=None), .scored(phrases, teaser=); the
                           backends make the one copy
                           (backends.base.postings_copy)
    query_vector(text)     the embedding of a query text (a small LRU cache)

The stored rows (discovery.models) are the truth; an index is a copy in this
process's memory (DESIGN.md invariant 4). Before each use a cache asks the
database one cheap question — the newest change (one step down the index on
updated_at) — and when it differs from the copy's, it brings the copy up to date:

- rows changed since SKEW before the copy's newest change are read and kept in a
  small exact "delta" index that shadows the base index: their old vectors in the
  base are skipped (the look-back catches a transaction that committed after a
  later one);
- when the table's ids then do not add up to the copy's (by count and sum, an
  index-only scan: rows were deleted, or in tests rolled back) or the delta has
  grown past DELTA_LIMIT rows, the whole index is rebuilt from the table
  (vectors.build: exact below 20,000 rows, HNSW above; postings.build).

So a web process, a worker and the benchmark each keep their own copy, and a new
listing is found by the next query of every process without any message between
them. Searches with `allowed` return only those ids, k of them when the index
holds k allowed ids; callers still check what they show against the database's
visibility rule, since a copy may hold a row that was deleted a moment ago.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Model, Sum

from conceptcloud.discovery import postings, vectors
from conceptcloud.discovery.embeddings import DIMENSIONS, embed
from conceptcloud.discovery.models import AssetVector, NeedVector, PersonVector
from conceptcloud.discovery.vectors import Hit

DELTA_LIMIT = 2_000
SKEW = timedelta(seconds=60)
QUERY_CACHE = 256
SCORED_KEPT = 8
_CHUNK = 5_000


class StoredCopy:
    """Stored columns of a table (values by id) as an in-memory index, refreshed on
    use (see module). A subclass names its `columns`, says how a row's stored values
    are read (`_decode(values)`: a value, or None when the row's value is empty —
    not computed yet: kept out of the indexes but counted as a row) and how an index
    is built of values (`_build(rows)`, rows: (id, value) pairs in ascending id
    order, which a full rebuild streams from the database); `_snapshot()` hands it
    the base index, the delta index and the ids the delta shadows."""

    columns: tuple[str, ...] = ("vector",)

    def __init__(self, model: type[Model], key: str) -> None:
        self._model = model
        self._key = key
        self._lock = threading.Lock()
        self._loaded = False
        self._base = self._build(iter(()))
        self._base_ids: set[int] = set()  # every row of the copy, empty ones too
        self._delta: dict[int, object | None] = {}  # None: the row's value is empty
        self._delta_index = self._base
        self._newest = None

    def _decode(self, values: tuple):
        raise NotImplementedError

    def _build(self, rows: Iterable[tuple[int, Any]]):
        raise NotImplementedError

    def _rows(self):
        return self._model.objects.all()

    def _newest_change(self) -> datetime | None:
        """The newest updated_at of the table: one step down its index. Asked before
        every use, so the statement is written once here (the ORM would compile an
        aggregate each time, which took longer than running it)."""
        table = connection.ops.quote_name(self._model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(updated_at) FROM {table}")
            newest = cursor.fetchone()[0]
        if isinstance(newest, str):  # SQLite keeps datetimes as text, in UTC
            newest = datetime.fromisoformat(newest).replace(tzinfo=UTC)
        return newest

    def _adds_up(self, ids: set[int]) -> bool:
        """Whether the table holds exactly these ids (by count and sum: an index-only scan)."""
        row = self._rows().aggregate(n=Count(self._key), total=Sum(self._key))
        return (row["n"], row["total"] or 0) == (len(ids), sum(ids))

    def refresh(self) -> None:
        with self._lock:
            newest = self._newest_change()
            if self._loaded and newest == self._newest:
                return
            if self._loaded and newest is not None and self._newest is not None:
                # Rows written in a transaction that committed after a later one
                # carry an older updated_at: look back SKEW before the copy's newest.
                since = self._newest - SKEW
                changed = self._rows().filter(updated_at__gte=since).values_list(self._key, *self.columns)
                for pk, *values in changed.iterator(chunk_size=_CHUNK):
                    self._delta[pk] = self._decode(tuple(values))
                if len(self._delta) <= DELTA_LIMIT and self._adds_up(self._base_ids | self._delta.keys()):
                    kept = {pk: value for pk, value in self._delta.items() if value is not None}
                    self._delta_index = self._build(sorted(kept.items()))
                    self._newest = newest
                    return
            self._rebuild()
            self._loaded = True

    def _rebuild(self) -> None:
        every: set[int] = set()
        newest = None

        def stored() -> Iterator[tuple[int, Any]]:
            nonlocal newest
            rows = self._rows().order_by(self._key).values_list(self._key, "updated_at", *self.columns)
            for pk, updated, *values in rows.iterator(chunk_size=_CHUNK):
                newest = updated if newest is None or updated > newest else newest
                every.add(pk)
                value = self._decode(tuple(values))
                if value is not None:
                    yield pk, value

        self._base = self._build(stored())
        self._base_ids = every
        self._delta = {}
        self._delta_index = self._build(iter(()))
        self._newest = newest

    def _snapshot(self):
        """(base index, delta index, the ids whose base entries the delta shadows), fresh."""
        self.refresh()
        with self._lock:
            return self._base, self._delta_index, set(self._delta)

    @property
    def loaded(self) -> bool:
        """Whether this process has built the copy yet (its first use builds it)."""
        return self._loaded

    def __len__(self) -> int:
        self.refresh()
        with self._lock:
            ids = self._base_ids | self._delta.keys()
            return len(ids) - sum(1 for value in self._delta.values() if value is None)


def stored_columns(rows: Iterable[tuple[int, Any]]) -> tuple[list[int], list]:
    """(ids, values) of (id, value) pairs."""
    ids: list[int] = []
    values: list = []
    for pk, value in rows:
        ids.append(pk)
        values.append(value)
    return ids, values


class VectorCache(StoredCopy):
    """Stored unit vectors as a nearest-neighbour index (vectors.build)."""

    def _decode(self, values: tuple) -> np.ndarray | None:
        (blob,) = values
        return vectors.unpack([bytes(blob)], dimensions=DIMENSIONS)[0] if blob else None

    def _build(self, rows: Iterable[tuple[int, np.ndarray]]):
        ids, values = stored_columns(rows)
        return vectors.build(ids, np.array(values) if values else np.zeros((0, DIMENSIONS), np.float32))

    def search(self, query: np.ndarray, k: int, allowed: AbstractSet[int] | None = None) -> list[Hit]:
        """The k nearest stored vectors to `query` (cosine, best first; ties by id)."""
        base, delta, shadowed = self._snapshot()
        if k <= 0:
            return []
        if allowed is not None:
            hits = base.search(query, k, allowed=set(allowed) - shadowed) if shadowed else base.search(query, k, allowed)
        else:
            hits = [hit for hit in base.search(query, k + len(shadowed)) if hit.id not in shadowed]
        hits += delta.search(query, k, allowed)
        hits.sort(key=lambda hit: (-hit.score, hit.id))
        return hits[:k]

    def vector(self, pk: int) -> np.ndarray | None:
        """The stored vector of one row, or None."""
        base, _delta, shadowed = self._snapshot()
        with self._lock:
            if pk in shadowed:
                return self._delta.get(pk)
        return base.vector(pk)


@dataclass(frozen=True, eq=False)
class LexicalPostings:
    """The postings of one build: `whole` of every row's fields, `teaser` of the
    restricted rows' teaser fields (the backends' two indexes)."""

    whole: postings.Postings
    teaser: postings.Postings


class PostingsCopy(StoredCopy):
    """Stored lexical rows (discovery.models.LexicalDocument) as BM25 postings
    (postings.py): `fields` of every row weighted by `weights`, and apart the
    `teaser_fields` of the rows marked restricted. The lexical backends make the one
    copy of a process (backends.base.postings_copy) with their fields."""

    def __init__(
        self,
        model: type[Model],
        key: str,
        *,
        fields: Sequence[str],
        teaser_fields: Sequence[str],
        weights: Mapping[str, float],
    ) -> None:
        self.columns = (*fields, "restricted")
        self._fields = tuple(fields)
        self._teaser = tuple(fields.index(name) for name in teaser_fields)
        self._weights = tuple(weights[name] for name in fields)
        self._teaser_weights = tuple(weights[name] for name in teaser_fields)
        self._hiding: tuple[object, object, dict[str, list[postings.Postings]]] | None = None
        self._kept_scores: OrderedDict[tuple, tuple[list[postings.Postings], postings.Scored]] = OrderedDict()
        super().__init__(model, key)

    def _decode(self, values: tuple) -> tuple:
        return values

    def _build(self, rows: Iterable[tuple[int, tuple]]) -> LexicalPostings:
        width = len(self._fields)
        whole = postings.Builder(weights=self._weights)
        teaser = postings.Builder(weights=self._teaser_weights)
        for pk, value in rows:
            whole.add(pk, value[:width])
            if value[width]:  # restricted
                teaser.add(pk, tuple(value[i] for i in self._teaser))
        return LexicalPostings(whole=whole.postings(), teaser=teaser.postings())

    def ranking(
        self,
        phrases: Sequence[tuple[str, ...]],
        *,
        count: int,
        require_all: bool,
        teaser: bool,
        allowed: AbstractSet[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The best `count` (asset id, score) of the teaser postings or the whole ones
        for `phrases` (each a term or several in a row: postings.scored(...).best(...)),
        only ids in `allowed` when given. The last SCORED_KEPT queries' scores are
        kept for the copy as it is: a search asks for its rows holding all words and
        then some, and may ask again deeper, all from one scoring."""
        if count <= 0 or not phrases:
            return []
        return self.scored(phrases, teaser=teaser).best(count, require_all=require_all, allowed=allowed)

    def scored(self, phrases: Sequence[tuple[str, ...]], *, teaser: bool) -> postings.Scored:
        """The scores of `phrases` over the teaser postings or the whole ones."""
        phrases = tuple(tuple(phrase) for phrase in phrases)
        parts = self._parts()["teaser" if teaser else "whole"]
        key = (phrases, teaser, id(parts))
        with self._lock:
            if key in self._kept_scores:
                self._kept_scores.move_to_end(key)
                return self._kept_scores[key][1]
        found = postings.scored(parts, phrases=phrases, statistics=postings.Statistics.of(parts))
        with self._lock:
            self._kept_scores[key] = (parts, found)  # the parts kept alive: their id stays theirs
            while len(self._kept_scores) > SCORED_KEPT:
                self._kept_scores.popitem(last=False)
        return found

    def _parts(self) -> dict[str, list[postings.Postings]]:
        """Each kind's [base with the delta's rows hidden, delta], kept until either changes."""
        base, delta, shadowed = self._snapshot()
        with self._lock:
            if self._hiding is None or self._hiding[0] is not base or self._hiding[1] is not delta:
                parts = {
                    kind: [getattr(base, kind).hiding(shadowed), getattr(delta, kind)] for kind in ("whole", "teaser")
                }
                self._hiding = (base, delta, parts)
            return self._hiding[2]


_assets = VectorCache(AssetVector, "asset_id")
_needs = VectorCache(NeedVector, "need_id")
_people = VectorCache(PersonVector, "user_id")


def asset_index_cache() -> VectorCache:
    return _assets


def need_index_cache() -> VectorCache:
    return _needs


def person_index_cache() -> VectorCache:
    return _people


_queries: OrderedDict[str, np.ndarray] = OrderedDict()
_queries_lock = threading.Lock()


def query_vector(text: str) -> np.ndarray:
    """The embedding of a query text; the last QUERY_CACHE queries are kept."""
    with _queries_lock:
        if text in _queries:
            _queries.move_to_end(text)
            return _queries[text]
    vector = embed([text])[0]
    with _queries_lock:
        _queries[text] = vector
        while len(_queries) > QUERY_CACHE:
            _queries.popitem(last=False)
    return vector
