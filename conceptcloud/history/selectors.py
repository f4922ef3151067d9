"""Reads of the creative history.

    log_entries()                       every entry, oldest first
    entries_for_subject(subject=)       entries about one subject, oldest first
    log_size()                          how many entries the log holds
    entry_get(seq=)                     one entry (NotFound if absent)
    checkpoint_latest()                 the newest stored checkpoint, or None
    checkpoints_after(size=)            stored checkpoints of larger trees, smallest first
    inclusion_proof_get(seq=, size=)    RFC 9162 proof of an entry in a tree
    consistency_proof_get(first=, second=)
    entry_receipt(seq=, checkpoint=, commitment=)
                                        the receipt of an entry (see receipts.py)
    commitment_salt_get(entry=)         the salt of a confidential entry, or None
    log_audit()                         recompute everything, list the mismatches

Nothing here signs or stores a checkpoint: callers that hand one out get it
from `checkpoints.checkpoint_publish()` first.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import Q, QuerySet

from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.history import merkle
from conceptcloud.history.canonical import leaf_hash
from conceptcloud.history.checkpoint import CheckpointError, checkpoint_verify
from conceptcloud.history.keys import log_verifier_key
from conceptcloud.history.models import Checkpoint, CommitmentSalt, Entry, LogHead, SubtreeHash
from conceptcloud.history.receipts import receipt_document
from conceptcloud.history.tree import tree_consistency_proof, tree_inclusion_proof, tree_root


def log_entries() -> QuerySet[Entry]:
    """Every entry, oldest first, with its actor. Entries hold no confidential text, but
    their subjects may be hidden from a viewer: pages show them through the registry's rule."""
    return Entry.objects.select_related("actor").order_by("seq")


def entries_for_subject(*, subject: str) -> QuerySet[Entry]:
    """Entries about one subject, oldest first. Entries hold no confidential text."""
    return Entry.objects.filter(subject=subject).select_related("actor").order_by("seq")


def log_size() -> int:
    head = LogHead.objects.filter(id=1).first()
    return head.size if head is not None else 0


def entry_get(*, seq: int) -> Entry:
    try:
        return Entry.objects.get(seq=seq)
    except Entry.DoesNotExist:
        raise NotFound("No such entry.") from None


def checkpoint_latest() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def checkpoints_after(*, size: int) -> QuerySet[Checkpoint]:
    """The stored checkpoints of trees larger than `size`, smallest first (what a witness has not seen)."""
    return Checkpoint.objects.filter(size__gt=size).order_by("size")


def _tree_size(size: int | None, *, field: str, at_least: int = 0) -> int:
    current = log_size()
    if size is None:
        return current
    if not at_least <= size <= current:
        raise InvalidInput.field(field, f"The log has {current} entries: give a size from {at_least} to {current}.")
    return size


def inclusion_proof_get(*, seq: int, size: int | None = None) -> dict[str, Any]:
    """The proof that entry `seq` is in the tree of `size` (default: the current tree)."""
    entry = entry_get(seq=seq)
    size = _tree_size(size, field="size", at_least=seq + 1)
    proof = tree_inclusion_proof(index=seq, size=size)
    return {"leaf_index": seq, "tree_size": size, "leaf_hash": bytes(entry.leaf_hash).hex(),
            "inclusion_proof": [node.hex() for node in proof]}


def consistency_proof_get(*, first: int, second: int | None = None) -> dict[str, Any]:
    """The proof that the tree of `first` entries is a prefix of the tree of `second`."""
    second = _tree_size(second, field="second")
    if not 0 <= first <= second:
        raise InvalidInput.field("first", f"Give a size from 0 to {second}.")
    proof = tree_consistency_proof(first=first, second=second)
    return {"first": first, "second": second, "consistency_proof": [node.hex() for node in proof]}


def commitment_salt_get(*, entry: Entry) -> bytes | None:
    salt = CommitmentSalt.objects.filter(entry=entry).values_list("salt", flat=True).first()
    return bytes(salt) if salt is not None else None


def entry_receipt(*, seq: int, checkpoint: Checkpoint, commitment: dict[str, Any] | None = None) -> dict[str, Any]:
    """The receipt of entry `seq` against a stored checkpoint (from `checkpoint_publish()`).

    The checkpoint must cover the entry (ValueError otherwise: the caller chose
    it). `commitment` ({salt, content}) is added only by callers that have
    checked the requester may open it (the asset's managers).
    """
    entry = entry_get(seq=seq)
    if seq >= checkpoint.size:
        raise ValueError(f"the checkpoint of {checkpoint.size} entries does not cover entry {seq}")
    return receipt_document(
        entry=bytes(entry.canonical),
        leaf_index=seq,
        tree_size=checkpoint.size,
        proof=tree_inclusion_proof(index=seq, size=checkpoint.size),
        checkpoint=checkpoint.note,
        public_key=log_verifier_key(),
        commitment=commitment,
    )


# The audit reads this many entries per round, with the subtree hashes and
# checkpoints they complete: memory stays flat however long the log is.
AUDIT_CHUNK = 4096
# Problems spelled out; past this a tampered log is tampered enough to say "and N more".
AUDIT_PROBLEMS = 100


class _Findings:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.more = 0

    def add(self, line: str) -> None:
        if len(self.lines) < AUDIT_PROBLEMS:
            self.lines.append(line)
        else:
            self.more += 1

    def result(self) -> list[str]:
        return self.lines + ([f"... and {self.more} more problems"] if self.more else [])


def _stored_subtrees(start: int, end: int) -> dict[tuple[int, int], bytes]:
    """The stored subtree hashes that leaves [start, end) complete, by (level, index).

    Node (level, i) is completed by its last leaf (i + 1)·2^level − 1, which is
    in [start, end) exactly when start >> level <= i < end >> level.
    """
    query = Q()
    for level in range(end.bit_length() + 1):
        if start >> level < end >> level:
            query |= Q(level=level, index__gte=start >> level, index__lt=end >> level)
    rows = SubtreeHash.objects.filter(query).values_list("level", "index", "hash")
    return {(level, index): bytes(value) for level, index, value in rows}


def _entries_of(level: int, index: int) -> str:
    first = index << level
    last = first + (1 << level) - 1
    return f"entry {first}: the stored subtree hash at level {level}, index {index} (entries {first} to {last})"


def _subtree_check(found: _Findings, stored: dict, level: int, index: int, value: bytes, below_clean: bool) -> bool:
    """Whether stored (level, index) holds the recomputed `value` and everything below it matched.

    A mismatch is reported only where everything below matched: above a wrong
    leaf every ancestor differs too, and that is the same one change.
    """
    held = stored.get((level, index))
    if held == value:
        return below_clean
    if below_clean:
        found.add(f"{_entries_of(level, index)} " + ("is missing" if held is None else "does not match the entries"))
    return False


def _edge_root(edge: list[tuple[int, bytes, bool]]) -> bytes:
    """MTH of the tree whose right edge (largest subtree first) is `edge`: folded from the right."""
    if not edge:
        return merkle.EMPTY_ROOT
    value = edge[-1][1]
    for _level, left, _clean in reversed(edge[:-1]):
        value = merkle.node_hash(left, value)
    return value


def _note_states(note: str, size: int, root: bytes) -> bool:
    """Whether a signed note's text says `size` entries with root `root` (its origin line aside)."""
    lines = note.split("\n")
    return len(lines) > 3 and lines[1] == str(size) and lines[2] == base64.b64encode(root).decode()


def log_audit() -> list[str]:
    """Recompute every leaf hash and the whole tree from the stored entry bytes.

    One pass over the entries in order, AUDIT_CHUNK at a time together with
    the subtree hashes and checkpoints they complete; of the recomputed tree
    only its right edge is kept (one subtree per set bit of its size, as
    `merkle.CompactTree` folds them), so memory does not grow with the log.
    Lists, in the order found (so the first entry that does not match comes
    first):

    - entries whose stored bytes no longer give their stored leaf hash;
    - stored subtree hashes (level 0: the leaves) that differ from the
      recomputed ones or are missing, only the lowest on each path;
    - stored checkpoints whose root is not the recomputed root of their size,
      naming the entries since the last checkpoint that matched, or whose note
      does not state their size and root; checkpoints of more entries than
      are stored;
    - a log head that disagrees with the stored entries, subtree hashes that
      cover no entries, a root read from the stored subtrees that is not the
      recomputed one, and a latest stored checkpoint whose signature does not
      verify with the log's key.

    Empty means the log is intact and agrees with every checkpoint it handed out.
    """
    found = _Findings()
    edge: list[tuple[int, bytes, bool]] = []  # (level, hash, every stored hash below matched)
    size = 0
    matched_at = 0  # the size of the last checkpoint that matched the entries

    def checkpoint_check(at: int, root: bytes, note: str) -> None:
        nonlocal matched_at
        if not _note_states(note, at, root):
            found.add(f"the checkpoint of {at} entries: its signed note does not state its size and root")
        if _edge_root(edge) == root:
            matched_at = at
        else:
            found.add(
                f"the checkpoint of {at} entries: its root is not the root of the stored entries; the checkpoint "
                f"of {matched_at} entries matches, so one of entries {matched_at} to {at - 1} is not what was signed"
            )

    for root, note in Checkpoint.objects.filter(size=0).values_list("root_hash", "note"):
        checkpoint_check(0, bytes(root), note)
    gap = False
    while not gap:
        start, end = size, size + AUDIT_CHUNK
        chunk = Entry.objects.filter(seq__gte=start, seq__lt=end).order_by("seq")
        rows = list(chunk.values_list("seq", "canonical", "leaf_hash"))
        if not rows:
            break
        stored = _stored_subtrees(start, end)
        checkpoints = Checkpoint.objects.filter(size__gt=start, size__lte=end)
        signed = {at: (bytes(root), note) for at, root, note in checkpoints.values_list("size", "root_hash", "note")}
        for seq, data, stored_leaf in rows:
            if seq != size:
                found.add(f"entry {size}: missing (the next stored entry is {seq})")
                gap = True
                break
            leaf = leaf_hash(bytes(data))
            leaf_ok = leaf == bytes(stored_leaf)
            if not leaf_ok:
                found.add(f"entry {seq}: its stored bytes do not match its leaf hash")
            level, index, value = 0, seq, leaf
            clean = _subtree_check(found, stored, 0, seq, leaf, leaf_ok)
            while edge and edge[-1][0] == level:  # the carries of appending leaf seq
                _level, left, left_clean = edge.pop()
                value = merkle.node_hash(left, value)
                level, index = level + 1, index >> 1
                clean = _subtree_check(found, stored, level, index, value, left_clean and clean)
            edge.append((level, value, clean))
            size += 1
            if size in signed:
                checkpoint_check(size, *signed[size])
        if len(rows) < AUDIT_CHUNK:
            break
    head = log_size()
    if head != size:
        found.add(f"the log head says {head} entries, {size} are stored in a row")
    beyond = Checkpoint.objects.filter(size__gt=size)
    if count := beyond.count():
        first = beyond.order_by("size").values_list("size", flat=True).first()
        found.add(f"checkpoints of more entries than the {size} stored in a row: {count} (the first of {first})")
    if gap:
        return found.result()  # the subtrees past the gap are its consequence, not news
    uncovered = Q(level__gt=size.bit_length())
    for level in range(size.bit_length() + 1):
        uncovered |= Q(level=level, index__gte=size >> level)
    stray = SubtreeHash.objects.filter(uncovered)
    if count := stray.count():
        level, index = stray.order_by("level", "index").values_list("level", "index").first()
        found.add(f"stored subtree hashes that cover no entries: {count} (the first at level {level}, index {index})")
    if found.lines:
        return found.result()
    recomputed = _edge_root(edge)
    if tree_root(size=size) != recomputed:
        found.add("the root from the stored subtree hashes does not match the root of the entries")
    latest = checkpoint_latest()
    if latest is not None:
        try:
            checkpoint_verify(latest.note, log_verifier_key())
        except CheckpointError as error:
            found.add(f"the latest checkpoint, of {latest.size} entries, does not verify: {error}")
    return found.result()
