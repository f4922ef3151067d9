"""The one write path into the creative history.

Every service that changes state calls `entry_append` inside its own
`transaction.atomic()` block, so the change and its entry commit or roll back
together.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conceptcloud.history.canonical import canonical_bytes, commitment, leaf_hash, new_salt
from conceptcloud.history.merkle import node_hash
from conceptcloud.history.models import CommitmentSalt, Entry, LogHead, SubtreeHash


def entry_append(
    *,
    actor,
    type: str,
    subject: str,
    payload: dict[str, Any],
    confidential: dict[str, Any] | None = None,
) -> Entry:
    """Append one entry; must run inside the caller's transaction.

    `confidential` content is never stored in the entry: the payload gets its
    salted commitment under "commitment", and the salt is kept for the owner.
    The log head row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite
    serialises writers) so sequence numbers have no gaps and no duplicates.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entry_append must run inside the caller's transaction")
    head, _ = LogHead.objects.select_for_update().get_or_create(id=1)
    payload = dict(payload)
    salt = None
    if confidential is not None:
        salt = new_salt()
        payload["commitment"] = {"alg": "sha256-salted-jcs", "value": commitment(confidential, salt)}
    now = timezone.now()
    document = {
        "seq": head.size,
        "time": now.isoformat().replace("+00:00", "Z"),
        "actor": actor.username if actor is not None else None,
        "type": type,
        "subject": subject,
        "payload": payload,
    }
    data = canonical_bytes(document)
    entry = Entry.objects.create(
        seq=head.size,
        created_at=now,
        actor=actor,
        type=type,
        subject=subject,
        payload=payload,
        canonical=data,
        leaf_hash=leaf_hash(data),
    )
    if salt is not None:
        CommitmentSalt.objects.create(entry=entry, salt=salt)
    _subtrees_append(index=head.size, leaf=entry.leaf_hash)
    head.size += 1
    head.save(update_fields=["size"])
    return entry


def _subtrees_append(*, index: int, leaf: bytes) -> None:
    """Store leaf `index` as (0, index) and every subtree it completes.

    Leaf i completes one subtree per trailing 1 bit of i (a carry in binary
    addition): at level l the new node is (l + 1, i >> (l + 1)), from its left
    sibling (l, (i >> l) - 1) and the node just made. The left siblings are
    read in one query; on average fewer than one exists per append.
    """
    carries = (index ^ (index + 1)).bit_length() - 1  # trailing 1 bits of index
    lefts = {}
    if carries:
        query = Q()
        for level in range(carries):
            query |= Q(level=level, index=(index >> level) - 1)
        lefts = {(row.level, row.index): bytes(row.hash) for row in SubtreeHash.objects.filter(query)}
    rows = [SubtreeHash(level=0, index=index, hash=leaf)]
    value = leaf
    for level in range(carries):
        value = node_hash(lefts[(level, (index >> level) - 1)], value)
        rows.append(SubtreeHash(level=level + 1, index=index >> (level + 1), hash=value))
    SubtreeHash.objects.bulk_create(rows)
