"""Handing out checkpoints: every checkpoint anyone received is on record.

    checkpoint_publish()    the newest stored checkpoint, after signing and
                            storing one of the current tree if the log grew

This is the one place that signs a checkpoint, and it stores what it signs,
so a checkpoint can only leave the platform (the checkpoint API, every
receipt) as a `Checkpoint` row; `conceptcloud verify --log` then holds the
entries to every one of them. It is a write kept apart from services.py
because it appends no entry: a checkpoint is a statement about the log, not
a change the log records (recording it would grow the tree it describes).
Readers (selectors) never call it; the endpoints and views that hand a
checkpoint out call it first.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from conceptcloud.history.checkpoint import checkpoint_text, note_sign
from conceptcloud.history.keys import log_private_key
from conceptcloud.history.models import Checkpoint
from conceptcloud.history.selectors import log_size
from conceptcloud.history.tree import tree_root


def checkpoint_publish() -> Checkpoint:
    """The newest stored checkpoint; first, if none covers the current tree, sign and store one.

    A tree size is signed and stored at most once (the size is the key): two
    requests publishing the same size at once insert one row (the second
    insert is ignored) and both answer it. Ed25519 signatures are
    deterministic, so they would have signed the same note anyway. The answer
    covers at least every entry committed before the call.
    """
    size = log_size()
    if not Checkpoint.objects.filter(size__gte=size).exists():
        root = tree_root(size=size)
        note = note_sign(
            checkpoint_text(settings.CC_LOG_ORIGIN, size, root), settings.CC_LOG_ORIGIN, log_private_key()
        )
        Checkpoint.objects.bulk_create(
            [Checkpoint(size=size, root_hash=root, note=note, created_at=timezone.now())], ignore_conflicts=True
        )
    return Checkpoint.objects.order_by("-size").first()
