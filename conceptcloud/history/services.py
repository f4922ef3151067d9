"""The one write path into the creative history.

Every service that changes state calls `entry_append` inside its own
`transaction.atomic()` block, so the change and its entry commit or roll back
together.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from conceptcloud.history.canonical import canonical_bytes, commitment, leaf_hash, new_salt
from conceptcloud.history.models import CommitmentSalt, Entry, LogHead


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
    head.size += 1
    head.save(update_fields=["size"])
    return entry
