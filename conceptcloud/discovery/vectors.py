"""The vector index: nearest neighbours among stored unit vectors (no Django).

    build(ids, matrix, approximate_from=)   → ExactIndex, or ApproximateIndex from
                                             APPROXIMATE_FROM vectors on
    index.search(query, k, allowed=None)    → [Hit(id, score)], best first
    index.vector(id)                        → the stored vector of id, or None
    len(index)
    pack(vector) / unpack(blobs, dimensions=)   the stored form of a vector

The index is never the source of truth: it is rebuilt from the embeddings stored
in the database (pack() is their column's bytes) whenever the process needs it.

Both kinds answer alike. score = dot product of the query and the stored vector
(the cosine similarity, vectors being of unit length); best first, equal scores
by ascending id; at most k hits; with `allowed`, only ids in it, and k of them
whenever the index holds k allowed ids (the viewer's visibility rule is applied
before ranking, never by dropping hits after it).

ExactIndex multiplies the query by the whole matrix (float32, sorted by id): one
memory-bound pass, under 2 ms below APPROXIMATE_FROM = 20,000 vectors and 6-7 ms
at 100,000 on this project's 2-core machine (10-14 ms with a large allowed set).

ApproximateIndex adds an HNSW graph from usearch (Unum; half-precision copy of
the vectors in the graph, connectivity 16, expansion 128 when adding and 64 when
searching). It takes the graph's EXPANSION_SEARCH best candidates and ranks them
again by their exact float32 scores, so both kinds report the same scores. With
`allowed`, it asks the graph for enough candidates to expect 2·k allowed among
them (k · 2 · size / |allowed|); when that would be more than OVERFETCH_LIMIT, or
fewer than k allowed turn up, it searches the allowed rows exactly instead,
which is cheap precisely when they are few.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import NamedTuple

import numpy as np
from usearch.index import Index

APPROXIMATE_FROM = 20_000
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 64
OVERFETCH_LIMIT = 512

_STORED = np.dtype("<f4")


class Hit(NamedTuple):
    id: int
    score: float


def pack(vector: np.ndarray) -> bytes:
    """The stored form of one vector: its float32 values, little-endian."""
    vector = np.asarray(vector)
    if vector.ndim != 1:
        raise ValueError("pack() takes one vector")
    return vector.astype(_STORED).tobytes()


def unpack(blobs: Sequence[bytes], *, dimensions: int) -> np.ndarray:
    """The matrix (len(blobs), dimensions) of float32 rows from packed vectors."""
    if any(len(blob) != dimensions * _STORED.itemsize for blob in blobs):
        raise ValueError(f"a stored vector is not {dimensions} float32 values")
    return np.frombuffer(b"".join(blobs), dtype=_STORED).astype(np.float32).reshape(len(blobs), dimensions)


def build(ids: Sequence[int] | np.ndarray, matrix: np.ndarray, *, approximate_from: int = APPROXIMATE_FROM):
    """An index over rows of matrix, row i being the vector of ids[i].

    ids: distinct non-negative integers (database keys). matrix: (len(ids), d), finite;
    rows should be of unit length for scores to be cosines. Fewer than
    approximate_from rows → ExactIndex, else ApproximateIndex. Raises ValueError on
    mismatched lengths, repeated or negative ids, or non-finite values.
    """
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(ids):
        raise ValueError(f"{len(ids)} ids for a matrix of shape {matrix.shape}")
    if len(ids) and ids.min() < 0:
        raise ValueError("ids must be non-negative")
    order = np.argsort(ids, kind="stable")
    ids, matrix = ids[order], np.ascontiguousarray(matrix[order])
    if len(ids) > 1 and (ids[1:] == ids[:-1]).any():
        raise ValueError("ids must be distinct")
    if not np.isfinite(matrix).all():
        raise ValueError("vectors must be finite")
    if len(ids) < approximate_from:
        return ExactIndex(ids, matrix)
    return ApproximateIndex(ids, matrix)


class ExactIndex:
    """Exhaustive search: exact top k. Build with build()."""

    def __init__(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        self._ids = ids  # ascending
        self._matrix = matrix  # row i is the vector of _ids[i]

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def dimensions(self) -> int:
        return self._matrix.shape[1]

    def search(self, query: np.ndarray, k: int, allowed: AbstractSet[int] | None = None) -> list[Hit]:
        """The k best hits for query (a vector of self.dimensions values), only ids in
        allowed when it is given. Raises ValueError on a query of another shape."""
        query = self._query(query)
        if k <= 0 or not len(self):
            return []
        if allowed is None:
            return _top(self._ids, self._matrix @ query, k)
        rows = self._rows(allowed)
        if len(rows) * 4 < len(self):  # few rows: multiply only those
            return _top(self._ids[rows], self._matrix[rows] @ query, k)
        return _top(self._ids[rows], (self._matrix @ query)[rows], k)

    def vector(self, pk: int) -> np.ndarray | None:
        """The stored vector of id `pk`, or None when the index does not hold it."""
        row = int(np.searchsorted(self._ids, pk))
        if row < len(self._ids) and self._ids[row] == pk:
            return self._matrix[row]
        return None

    def _query(self, query: np.ndarray) -> np.ndarray:
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape != (self.dimensions,):
            raise ValueError(f"the query has {query.size} values; the index {self.dimensions}")
        return query

    def _rows(self, allowed: AbstractSet[int]) -> np.ndarray:
        """Ascending row numbers of the allowed ids that the index holds."""
        wanted = np.fromiter(allowed, dtype=np.int64, count=len(allowed))
        highest = int(self._ids[-1])
        if highest > 8 * len(self._ids) + 1024:  # sparse ids: a mask over 0..highest would be too big
            return _matching(self._ids, wanted)
        mask = np.zeros(highest + 1, dtype=bool)
        mask[wanted[(wanted >= 0) & (wanted <= highest)]] = True
        return np.flatnonzero(mask[self._ids])


class ApproximateIndex(ExactIndex):
    """HNSW search (usearch) with exact re-scoring; exact search over the allowed rows
    when they are too few for the graph to find. Build with build()."""

    def __init__(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        super().__init__(ids, matrix)
        self._graph = Index(
            ndim=matrix.shape[1],
            metric="ip",
            dtype="f16",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
        self._graph.add(ids.astype(np.uint64), matrix)

    def search(self, query: np.ndarray, k: int, allowed: AbstractSet[int] | None = None) -> list[Hit]:
        query = self._query(query)
        if k <= 0 or not len(self):
            return []
        if allowed is None:
            return self._candidates(query, max(k, EXPANSION_SEARCH), k, allowed)
        if not allowed:
            return []
        fetch = max(EXPANSION_SEARCH, math.ceil(2 * k * len(self) / len(allowed)))
        if fetch <= OVERFETCH_LIMIT:
            hits = self._candidates(query, fetch, k, allowed)
            if len(hits) == k:
                return hits
        return super().search(query, k, allowed)

    def _candidates(self, query: np.ndarray, count: int, k: int, allowed: AbstractSet[int] | None) -> list[Hit]:
        keys = self._graph.search(query, count, threads=1).keys.astype(np.int64)
        if allowed is not None:
            keys = keys[[int(key) in allowed for key in keys]] if len(keys) else keys
        rows = _matching(self._ids, keys)
        return _top(self._ids[rows], self._matrix[rows] @ query, k)


def _matching(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Ascending row numbers in sorted_ids of the values of wanted found there."""
    rows = np.searchsorted(sorted_ids, wanted)
    found = rows < len(sorted_ids)
    rows, wanted = rows[found], wanted[found]
    return np.sort(rows[sorted_ids[rows] == wanted])


def _top(ids: np.ndarray, scores: np.ndarray, k: int) -> list[Hit]:
    """The k best (id, score), by score descending then id ascending."""
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = np.flatnonzero(scores >= kth)  # ties at the cut stay in, for the id order
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))[:k]
    return [Hit(int(ids[i]), float(scores[i])) for i in order]
