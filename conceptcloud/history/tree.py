"""The RFC 9162 tree read from the stored subtree hashes.

    StoredSubtrees        a `merkle.SubtreeHashes` store over `SubtreeHash` rows
    tree_root(size=)      MTH of the first `size` entries
    tree_inclusion_proof(index=, size=)
    tree_consistency_proof(first=, second=)

Every answer reads its O(log n) rows in one query: the merkle function runs
once against a store that only notes which subtrees it asks for, then those
rows are fetched together and the function runs again on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Q

from conceptcloud.history import merkle
from conceptcloud.history.models import SubtreeHash

T = TypeVar("T")
_PLACEHOLDER = b"\x00" * merkle.HASH_SIZE


def _key(start: int, end: int) -> tuple[int, int]:
    size = end - start
    if size <= 0 or size & (size - 1) or start % size:
        raise ValueError(f"[{start}, {end}) is not a complete aligned subtree")
    return size.bit_length() - 1, start // size


class _Recorder:
    def __init__(self) -> None:
        self.keys: set[tuple[int, int]] = set()

    def subtree(self, start: int, end: int) -> bytes:
        self.keys.add(_key(start, end))
        return _PLACEHOLDER


class StoredSubtrees:
    """Subtree hashes from the database, fetched ahead by `load`, or one by one otherwise."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}

    def load(self, keys: set[tuple[int, int]]) -> None:
        missing = keys - self.nodes.keys()
        if not missing:
            return
        query = Q()
        for level, index in missing:
            query |= Q(level=level, index=index)
        for level, index, value in SubtreeHash.objects.filter(query).values_list("level", "index", "hash"):
            self.nodes[(level, index)] = bytes(value)

    def subtree(self, start: int, end: int) -> bytes:
        key = _key(start, end)
        if key not in self.nodes:
            self.load({key})
        if key not in self.nodes:
            raise ValueError(f"[{start}, {end}) is not a stored subtree")
        return self.nodes[key]

    def run(self, compute: Callable[[merkle.SubtreeHashes], T]) -> T:
        """`compute(store)` with every subtree it needs read in one query."""
        recorder = _Recorder()
        compute(recorder)
        self.load(recorder.keys)
        return compute(self)


def tree_root(*, size: int) -> bytes:
    return StoredSubtrees().run(lambda store: merkle.range_hash(0, size, store))


def tree_inclusion_proof(*, index: int, size: int) -> list[bytes]:
    return StoredSubtrees().run(lambda store: merkle.inclusion_proof(index, size, store))


def tree_consistency_proof(*, first: int, second: int) -> list[bytes]:
    return StoredSubtrees().run(lambda store: merkle.consistency_proof(first, second, store))
