"""Near-duplicate detection by MinHash over word shingles (no Django).

    signature(terms)           → MinHash signature bytes of a text's analysed terms
    similarity(a, b)           estimated Jaccard similarity of two signatures
    jaccard(terms_a, terms_b)  exact Jaccard similarity of two texts' shingle sets
    build(ids, signatures)     → SignatureIndex: banded LSH over stored signatures
    index.near(signature, threshold=, exclude=)   → [Near(id, similarity)], best first
    SHINGLE, PERMUTATIONS, NEAR_DUPLICATE, BANDS, ROWS, MIN_TERMS

A text's shingles are its runs of SHINGLE consecutive analysed terms
(text.analyse: the same terms in English and Japanese), hashed by datasketch's
MinHash with PERMUTATIONS permutations (fixed seed, so signatures stored in the
database stay comparable across processes and releases). A text shorter than
SHINGLE terms is one shingle of all its terms; an empty text has no signature (b"").

Near-duplicates. Two texts are near-duplicates from NEAR_DUPLICATE = 0.7 Jaccard
similarity of their shingle sets. Changing one word of a text changes up to
SHINGLE shingles, so a 60-term teaser keeps J ≥ 0.7 through about three edited
words (J = (57 - 3k) / (57 + 3k) for k scattered edits), a light edit. Among
the 1,564 NASA listings of the demo data (title, keywords, summary), the 14
pairs at 0.7 or more are each one program listed twice in two versions; the
pairs between 0.4 and 0.7 are siblings (a tool and a related tool of the same
family, or one invention described twice in other words), which the list of
similar assets shows anyway. Texts of fewer than MIN_TERMS terms (a title alone)
are not judged: short phrases repeat by chance.

The index. Candidates are found by locality-sensitive hashing as in datasketch's
MinHashLSH: the PERMUTATIONS values are cut into BANDS bands of ROWS values, and
two signatures are candidates when any band is equal, which happens with
probability 1 - (1 - J^ROWS)^BANDS: 0.9998 at J = 0.7, 0.87 at 0.5, 0.23 at 0.3.
Every candidate's similarity is then estimated from the whole signatures, so the
bands only decide what is compared. The band tables are numpy arrays (one sorted
column of 64-bit band keys per band, searched by bisection) rather than
MinHashLSH's Python dictionaries: for 100,000 signatures built in 2-3 s and
held in about 90 MB (half of it the signatures), where MinHashLSH takes some 9 s
and 150 MB for 20,000; a query takes well under a millisecond.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import NamedTuple

import numpy as np
from datasketch import MinHash

SHINGLE = 3
PERMUTATIONS = 128
SEED = 1
NEAR_DUPLICATE = 0.7
MIN_TERMS = 8
BANDS = 32
ROWS = PERMUTATIONS // BANDS
_STORED = np.dtype("<u4")
# Odd 64-bit multipliers: a band's key is the wrapping sum of its values times these.
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5][:ROWS], dtype=np.uint64
)


def _shingles(terms: Sequence[str]) -> set[bytes]:
    if len(terms) <= SHINGLE:
        return {" ".join(terms).encode()} if terms else set()
    return {" ".join(terms[i : i + SHINGLE]).encode() for i in range(len(terms) - SHINGLE + 1)}


@functools.cache
def _scheme() -> tuple[str, np.ndarray]:
    """The seeded hashing scheme and its permutations, drawn once (datasketch
    draws them again for every MinHash, a third of a signature's time)."""
    template = MinHash(num_perm=PERMUTATIONS, seed=SEED)
    template.permutations.flags.writeable = False
    return template.scheme, template.permutations


def signature(terms: Sequence[str]) -> bytes:
    """The stored form of the terms' MinHash: PERMUTATIONS uint32, little-endian; b"" when empty."""
    shingles = _shingles(terms)
    if not shingles:
        return b""
    scheme, permutations = _scheme()
    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED, permutations=permutations, scheme=scheme)
    minhash.update_batch(sorted(shingles))
    return minhash.hashvalues.astype(_STORED).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures (0.0 if either is empty)."""
    if not a or not b:
        return 0.0
    left = np.frombuffer(a, dtype=_STORED)
    right = np.frombuffer(b, dtype=_STORED)
    if left.shape != right.shape:
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(left == right)) / len(left)


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """Exact Jaccard similarity of two term sequences' shingle sets (0.0 if either is empty)."""
    left, right = _shingles(a), _shingles(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


class Near(NamedTuple):
    id: int
    similarity: float


def _matrix(signatures: Sequence[bytes]) -> np.ndarray:
    if any(len(blob) != PERMUTATIONS * _STORED.itemsize for blob in signatures):
        raise ValueError(f"a signature is not {PERMUTATIONS} uint32 values")
    if not signatures:
        return np.zeros((0, PERMUTATIONS), dtype=np.uint32)
    return np.frombuffer(b"".join(signatures), dtype=_STORED).astype(np.uint32).reshape(len(signatures), PERMUTATIONS)


def _band_keys(matrix: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64 keys: each band's ROWS values mixed into one number."""
    bands = matrix.reshape(len(matrix), BANDS, ROWS).astype(np.uint64)
    return (bands * _MIX).sum(axis=2, dtype=np.uint64)


class SignatureIndex:
    """Signatures of ids, searchable for near-duplicates (see the module map).

    Immutable once built; threads may share it. Empty signatures are left out.
    """

    def __init__(self, ids: Sequence[int], signatures: Sequence[bytes]) -> None:
        if len(ids) != len(signatures):
            raise ValueError("ids and signatures differ in length")
        kept = [(int(pk), blob) for pk, blob in zip(ids, signatures, strict=True) if blob]
        if len({pk for pk, _blob in kept}) != len(kept):
            raise ValueError("repeated id")
        self._ids = np.array([pk for pk, _blob in kept], dtype=np.int64)
        self._matrix = _matrix([blob for _pk, blob in kept])
        keys = _band_keys(self._matrix)
        self._order = np.argsort(keys, axis=0, kind="stable").astype(np.int32)
        self._keys = np.take_along_axis(keys, self._order, axis=0)

    def __len__(self) -> int:
        return len(self._ids)

    def near(
        self, query: bytes, *, threshold: float = NEAR_DUPLICATE, exclude: Collection[int] = ()
    ) -> list[Near]:
        """The ids whose signature's estimated Jaccard similarity to `query` is at
        least `threshold`, best first (ties by id); none for an empty query."""
        if not query or not len(self._ids):
            return []
        vector = _matrix([query])
        keys = _band_keys(vector)[0]
        rows: set[int] = set()
        for band in range(BANDS):
            column = self._keys[:, band]
            low = np.searchsorted(column, keys[band], side="left")
            high = np.searchsorted(column, keys[band], side="right")
            if high > low:
                rows.update(self._order[low:high, band].tolist())
        if not rows:
            return []
        candidates = np.fromiter(rows, dtype=np.int64, count=len(rows))
        scores = np.count_nonzero(self._matrix[candidates] == vector[0], axis=1) / PERMUTATIONS
        found = [
            Near(int(self._ids[row]), float(score))
            for row, score in zip(candidates, scores, strict=True)
            if score >= threshold and int(self._ids[row]) not in exclude
        ]
        found.sort(key=lambda near: (-near.similarity, near.id))
        return found


def build(ids: Sequence[int], signatures: Sequence[bytes]) -> SignatureIndex:
    """A SignatureIndex of `signatures` (stored form), signatures[i] being ids[i]'s.
    Raises ValueError on mismatched lengths, a repeated id or a malformed signature."""
    return SignatureIndex(ids, signatures)
