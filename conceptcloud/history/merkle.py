"""The Merkle tree of the creative history, exactly as RFC 9162 §2.1 defines it.

Pure: imports nothing from Django, only hashlib. Hashes are 32-byte SHA-256
digests; "MTH" below is RFC 9162's Merkle Tree Hash.

- Hashing (§2.1.1): `leaf_hash` (SHA-256(0x00 || entry), the same function as
  `canonical.leaf_hash`), `node_hash` (SHA-256(0x01 || left || right)) and
  `EMPTY_ROOT` (SHA-256 of nothing, the root of the empty tree).
- `root(leaf_hashes)`: the MTH straight from the list of leaf hashes; the
  reference that everything else is checked against, and all that recomputing
  the whole log from its stored entries needs.
- Stored subtrees: a log never rebuilds its tree to answer a proof. It keeps
  the hash of every *complete aligned subtree* — leaves [i·2^level,
  (i+1)·2^level) once all of them exist — keyed by (level, i). `SubtreeHashes`
  is the one-method protocol for reading them; `CompactTree` is the in-memory
  store, and the database store keeps the same (level, index) → hash rows.
  `range_hash` combines O(log n) stored subtrees into the MTH of any range
  that is a node of the MTH structure, including the root of any tree size.
- Proofs (§2.1.3.1 PATH, §2.1.4.1 PROOF/SUBPROOF): `inclusion_proof` and
  `consistency_proof` follow the RFC's recursion top-down, taking every hash
  from the store with O(log n) lookups. They raise ValueError on impossible
  arguments, since the caller (the log itself) chose them.
- Verifiers (§2.1.3.2 and §2.1.4.2): `verify_inclusion` and
  `verify_consistency` are the RFC's bit-shifting algorithms. They take
  untrusted input (a receipt, a witness's request) and answer False for
  anything malformed instead of raising. A proof binds the leaf and its index
  (or the old tree) to the root, but not the tree size: as in RFC 9162, the
  size is authenticated together with the root by the signed checkpoint, so
  always take both from the same checkpoint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size >= 2): where MTH splits."""
    return 1 << ((size - 1).bit_length() - 1)


def _is_power_of_two(size: int) -> bool:
    return size > 0 and size & (size - 1) == 0


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (already `leaf_hash`ed entries), by the RFC's recursion."""
    if not leaf_hashes:
        return EMPTY_ROOT
    if len(leaf_hashes) == 1:
        return leaf_hashes[0]
    k = _split(len(leaf_hashes))
    return node_hash(root(leaf_hashes[:k]), root(leaf_hashes[k:]))


class SubtreeHashes(Protocol):
    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves[start:end], for a complete aligned subtree only.

        That is: size = end - start is a power of two, start % size == 0 and
        end does not exceed the number of leaves. Such a subtree is the node
        at level log2(size), index start // size. Which subtrees the functions
        below ask for depends only on the sizes and the index, never on hash
        values, so a store may record the requests of a dry run and then
        fetch them all at once.
        """
        ...


class CompactTree:
    """An append-only tree in memory that keeps every complete aligned subtree hash.

    `nodes[(level, index)]` is the MTH of leaves [index·2^level,
    (index+1)·2^level); level 0 holds the leaf hashes. Appending leaf n stores
    (0, n) and then, like a carry in binary addition, every subtree that leaf
    completes. The database store keeps exactly these rows, written in the
    same transaction as the entry, so both answer `subtree` the same way.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0
        for leaf in leaf_hashes:
            self.append(leaf)

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash (not the entry: hash it with `leaf_hash` first)."""
        level, index, value = 0, self.size, leaf
        self.nodes[(level, index)] = value
        while index % 2 == 1:
            value = node_hash(self.nodes[(level, index - 1)], value)
            level, index = level + 1, index // 2
            self.nodes[(level, index)] = value
        self.size += 1

    def subtree(self, start: int, end: int) -> bytes:
        size = end - start
        if not (_is_power_of_two(size) and start >= 0 and start % size == 0 and end <= self.size):
            raise ValueError(f"[{start}, {end}) is not a complete aligned subtree of a tree of {self.size}")
        return self.nodes[(size.bit_length() - 1, start // size)]

    def root(self) -> bytes:
        return range_hash(0, self.size, self)


def range_hash(start: int, end: int, store: SubtreeHashes) -> bytes:
    """MTH of leaves[start:end] from at most ⌈log2⌉ + 1 stored subtrees.

    The range must be a node of the MTH structure of some tree: start is a
    multiple of the largest power of two not above its size (every [0, n)
    qualifies, and so does every range the proof recursions visit). MTH takes
    the largest power of two k < size as its left half, so the range
    decomposes left to right into complete aligned subtrees of strictly
    decreasing size (the binary digits of the size), folded from the right:
    node_hash(subtree(start, start+k), range_hash(start+k, end)).
    """
    size = end - start
    if start < 0 or size < 0:
        raise ValueError(f"[{start}, {end}) is not a range of leaves")
    if size == 0:
        return EMPTY_ROOT
    if start % (1 << (size.bit_length() - 1)) != 0:
        raise ValueError(f"[{start}, {end}) is not a node of a Merkle tree")
    lefts = []
    while not _is_power_of_two(end - start):
        k = _split(end - start)
        lefts.append(store.subtree(start, start + k))
        start += k
    value = store.subtree(start, end)
    for left in reversed(lefts):
        value = node_hash(left, value)
    return value


def inclusion_proof(index: int, size: int, store: SubtreeHashes) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1: sibling hashes, leaf's sibling first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    siblings = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            siblings.append(range_hash(mid, end, store))
            end = mid
        else:
            siblings.append(store.subtree(start, mid))
            start = mid
    siblings.reverse()
    return siblings


def consistency_proof(m: int, n: int, store: SubtreeHashes) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1, via SUBPROOF.

    The RFC defines proofs for 0 < m < n. Here m == n gives the empty proof
    (SUBPROOF(m, D[m], true) = {}), and m == 0 gives the empty proof too:
    every tree extends the empty tree, so there is nothing to prove.
    """
    if not 0 <= m <= n:
        raise ValueError(f"a tree of {m} cannot be a prefix of a tree of {n}")
    if m == 0 or m == n:
        return []
    siblings = []
    start, end = 0, n
    whole = True  # SUBPROOF's b: the old tree is still the whole current subtree
    while end != m:
        mid = start + _split(end - start)
        if m <= mid:
            siblings.append(range_hash(mid, end, store))
            end = mid
        else:
            siblings.append(store.subtree(start, mid))
            start = mid
            whole = False
    # SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's last subtree opens the proof.
    proof = [] if whole else [range_hash(start, end, store)]
    return proof + siblings[::-1]


def _as_hash(value: object) -> bytes | None:
    if isinstance(value, (bytes, bytearray, memoryview)):
        digest = bytes(value)
        if len(digest) == HASH_SIZE:
            return digest
    return None


def _as_size(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _as_proof(proof: object) -> list[bytes] | None:
    if isinstance(proof, (str, bytes, bytearray, memoryview)):
        return None
    try:
        items = list(proof)  # type: ignore[call-overload]
    except TypeError:
        return None
    hashes = []
    for item in items:
        digest = _as_hash(item)
        if digest is None:
            return None
        hashes.append(digest)
    return hashes


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show `leaf_hash` at `index` in the tree of `size` with `root`?"""
    leaf, expected, path = _as_hash(leaf_hash), _as_hash(root), _as_proof(proof)
    fn, tree_size = _as_size(index), _as_size(size)
    if leaf is None or expected is None or path is None or fn is None or tree_size is None:
        return False
    if fn >= tree_size:
        return False
    sn = tree_size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected


def verify_consistency(m: int, n: int, proof: Sequence[bytes], old_root: bytes, new_root: bytes) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show the tree of m leaves (`old_root`) is a prefix of n (`new_root`)?

    Outside the RFC's 0 < m < n: m == n holds iff the proof is empty and the
    roots are equal; m == 0 holds iff the proof is empty and `old_root` is
    `EMPTY_ROOT`, the only root a tree of no leaves has (every tree extends it).
    """
    first, second, path = _as_size(m), _as_size(n), _as_proof(proof)
    first_hash, second_hash = _as_hash(old_root), _as_hash(new_root)
    if first is None or second is None or path is None or first_hash is None or second_hash is None:
        return False
    if first > second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if first == 0:
        return not path and first_hash == EMPTY_ROOT
    if not path:
        return False
    if _is_power_of_two(first):
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0
