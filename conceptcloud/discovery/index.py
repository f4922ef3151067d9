"""The vector indexes of this process, rebuilt from the stored vectors.

    StoredCopy             what every copy shares: refreshing, a delta, rebuilding
    asset_index_cache()    the index of AssetVector rows   ─┐ each: .search(vector, k,
    need_index_cache()     the index of NeedVector rows     │ allowed=None) → [Hit],
    person_index_cache()   the index of PersonVector rows  ─┘ .vector(id), len()
    query_vector(text)     the embedding of a query text (a small LRU cache)

The stored vectors (discovery.models) are the truth; an index is a copy in this
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
  (vectors.build: exact below 20,000 rows, HNSW above).

So a web process, a worker and the benchmark each keep their own copy, and a new
listing is found by the next query of every process without any message between
them. Searches with `allowed` return only those ids, k of them when the index
holds k allowed ids; callers still check what they show against the database's
visibility rule, since a copy may hold a row that was deleted a moment ago.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta
from collections.abc import Set as AbstractSet

import numpy as np
from django.db.models import Count, Max, Model, Sum

from conceptcloud.discovery import vectors
from conceptcloud.discovery.embeddings import DIMENSIONS, embed
from conceptcloud.discovery.models import AssetVector, NeedVector, PersonVector
from conceptcloud.discovery.vectors import Hit

DELTA_LIMIT = 2_000
SKEW = timedelta(seconds=60)
QUERY_CACHE = 256
_CHUNK = 5_000


class StoredCopy:
    """One stored column of a table (values by id) as an in-memory index, refreshed
    on use (see module). A subclass says how a stored value is read (`_decode`) and
    how an index is built of values (`_build(ids, values)`); `_snapshot()` hands it
    the base index, the delta index and the ids the delta shadows. An empty stored
    value is kept out of the indexes (not computed yet) but counts as a row."""

    column = "vector"

    def __init__(self, model: type[Model], key: str) -> None:
        self._model = model
        self._key = key
        self._lock = threading.Lock()
        self._loaded = False
        self._base = self._build([], [])
        self._base_ids: set[int] = set()  # every row of the copy, empty ones too
        self._delta: dict[int, object | None] = {}  # None: the row's value is empty
        self._delta_index = self._base
        self._newest = None

    def _decode(self, blob: bytes):
        raise NotImplementedError

    def _build(self, ids: list[int], values: list):
        raise NotImplementedError

    def _rows(self):
        return self._model.objects.all()

    def _newest_change(self):
        """The newest updated_at of the table: one step down its index."""
        return self._rows().aggregate(newest=Max("updated_at"))["newest"]

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
                changed = self._rows().filter(updated_at__gte=since).values_list(self._key, self.column)
                for pk, blob in changed.iterator(chunk_size=_CHUNK):
                    self._delta[pk] = self._decode(bytes(blob)) if blob else None
                if len(self._delta) <= DELTA_LIMIT and self._adds_up(self._base_ids | self._delta.keys()):
                    kept = {pk: value for pk, value in self._delta.items() if value is not None}
                    self._delta_index = self._build(list(kept), list(kept.values()))
                    self._newest = newest
                    return
            self._rebuild()
            self._loaded = True

    def _rebuild(self) -> None:
        ids: list[int] = []
        values: list = []
        every: set[int] = set()
        newest = None
        rows = self._rows().order_by(self._key).values_list(self._key, self.column, "updated_at")
        for pk, blob, updated in rows.iterator(chunk_size=_CHUNK):
            newest = updated if newest is None or updated > newest else newest
            every.add(pk)
            if blob:
                ids.append(pk)
                values.append(self._decode(bytes(blob)))
        self._base = self._build(ids, values)
        self._base_ids = every
        self._delta = {}
        self._delta_index = self._build([], [])
        self._newest = newest

    def _snapshot(self):
        """(base index, delta index, the ids whose base entries the delta shadows), fresh."""
        self.refresh()
        with self._lock:
            return self._base, self._delta_index, set(self._delta)

    def __len__(self) -> int:
        self.refresh()
        with self._lock:
            ids = self._base_ids | self._delta.keys()
            return len(ids) - sum(1 for value in self._delta.values() if value is None)


class VectorCache(StoredCopy):
    """Stored unit vectors as a nearest-neighbour index (vectors.build)."""

    def _decode(self, blob: bytes) -> np.ndarray:
        return vectors.unpack([blob], dimensions=DIMENSIONS)[0]

    def _build(self, ids: list[int], values: list):
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
