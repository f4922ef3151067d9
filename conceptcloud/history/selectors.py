"""Reads of the creative history.

    entries_for_subject(subject=)       entries about one subject, oldest first
    log_size()                          how many entries the log holds
    entry_get(seq=)                     one entry (NotFound if absent)
    checkpoint_sign(size=)              the signed checkpoint note of a tree size
    inclusion_proof_get(seq=, size=)    RFC 9162 proof of an entry in a tree
    consistency_proof_get(first=, second=)
    entry_receipt(seq=, commitment=)    the receipt of an entry (see receipts.py)
    commitment_salt_get(entry=)         the salt of a confidential entry, or None
    log_audit()                         recompute everything, list the mismatches
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from conceptcloud.core.errors import InvalidInput, NotFound
from conceptcloud.history import merkle
from conceptcloud.history.canonical import leaf_hash
from conceptcloud.history.checkpoint import CheckpointError, checkpoint_text, checkpoint_verify, note_sign
from conceptcloud.history.keys import log_private_key, log_verifier_key
from conceptcloud.history.models import CommitmentSalt, Entry, LogHead, SubtreeHash
from conceptcloud.history.receipts import receipt_document
from conceptcloud.history.tree import tree_consistency_proof, tree_inclusion_proof, tree_root


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


def checkpoint_sign(*, size: int) -> str:
    """The signed note of the checkpoint of the first `size` entries."""
    text = checkpoint_text(settings.CC_LOG_ORIGIN, size, tree_root(size=size))
    return note_sign(text, settings.CC_LOG_ORIGIN, log_private_key())


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


def entry_receipt(*, seq: int, commitment: dict[str, Any] | None = None) -> dict[str, Any]:
    """The receipt of entry `seq` against the current tree.

    `commitment` ({salt, content}) is added only by callers that have checked
    the requester may open it (the asset's managers).
    """
    entry = entry_get(seq=seq)
    size = log_size()
    return receipt_document(
        entry=bytes(entry.canonical),
        leaf_index=seq,
        tree_size=size,
        proof=tree_inclusion_proof(index=seq, size=size),
        checkpoint=checkpoint_sign(size=size),
        public_key=log_verifier_key(),
        commitment=commitment,
    )


def log_audit() -> list[str]:
    """Recompute every leaf hash and the whole tree from the stored entry bytes.

    Lists, first mismatch first: entries whose bytes no longer give their leaf
    hash, stored subtree hashes that differ from the recomputed ones, and a
    root or checkpoint that disagrees. Empty means the log is intact.
    """
    problems = []
    tree = merkle.CompactTree()
    expected_seq = 0
    for seq, data, stored_leaf in Entry.objects.order_by("seq").values_list("seq", "canonical", "leaf_hash").iterator(
        chunk_size=2000
    ):
        if seq != expected_seq:
            problems.append(f"entry {expected_seq}: missing (the next stored entry is {seq})")
            break
        computed = leaf_hash(bytes(data))
        if computed != bytes(stored_leaf):
            problems.append(f"entry {seq}: its stored bytes do not match its leaf hash")
        tree.append(computed)
        expected_seq += 1
    size = log_size()
    if tree.size != size:
        problems.append(f"the log head says {size} entries, {tree.size} are stored")
    seen = 0
    for level, index, stored in SubtreeHash.objects.order_by("level", "index").values_list("level", "index", "hash").iterator(
        chunk_size=2000
    ):
        seen += 1
        expected = tree.nodes.get((level, index))
        if expected is None:
            problems.append(f"subtree ({level}, {index}) is stored but covers no entries")
        elif bytes(stored) != expected:
            first = index << level
            problems.append(
                f"entry {first}: the stored subtree hash at level {level}, index {index} "
                f"(entries {first} to {first + (1 << level) - 1}) does not match the entries"
            )
    if seen != len(tree.nodes):
        problems.append(f"{len(tree.nodes) - seen} subtree hashes are missing")
    if problems:
        return problems
    # The reference root straight from the leaves (RFC 9162's recursion), not
    # from any stored or incrementally built subtree.
    recomputed = merkle.root([tree.nodes[(0, index)] for index in range(tree.size)])
    if tree_root(size=tree.size) != recomputed:
        problems.append("the root from the stored subtree hashes does not match the root of the entries")
    try:
        checkpoint = checkpoint_verify(checkpoint_sign(size=tree.size), log_verifier_key())
    except CheckpointError as error:
        problems.append(f"the checkpoint does not verify: {error}")
    else:
        if checkpoint.root != recomputed:
            problems.append("the signed checkpoint's root does not match the root of the entries")
    return problems
