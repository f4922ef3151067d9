"""The log's entries and receipts (tag "History"), under /api/v1/log/.

    GET log/entries?subject=&page=&page_size=    the log, oldest first, visibility-safe
    GET log/entries/{seq}/receipt                an entry's receipt (404 when hidden)

They live above the history app because only the registry knows who may see
an entry's subject (registry/history.py): an entry about a subject the caller
may not see is listed redacted (seq, time, leaf hash) and has no receipt for
them, and only an asset's managers get the opening of its commitment. The
rest of the log API (checkpoints, key, proofs) is in history/api.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Query, Router, Schema

from conceptcloud.core.api import problems
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.registry import history

router = Router(tags=["History"])


class EntryOut(Schema):
    seq: int = Field(description="The entry's sequence number: its leaf index in the tree.")
    time: datetime
    leaf_hash: str = Field(description="Hex RFC 9162 leaf hash, SHA-256(0x00 || entry).")
    redacted: bool = Field(description="True when you may not see the entry's subject: only seq, time and leaf_hash.")
    actor: str | None = Field(None, description="Username of who acted (null when redacted or done by the platform).")
    type: str | None = None
    subject: str | None = Field(None, description='What the entry is about, e.g. "asset:12", "user:alice".')
    payload: dict[str, Any] | None = None
    entry: str | None = Field(None, description="The entry's canonical JSON (RFC 8785): the bytes the leaf hash is of.")


@router.get("/log/entries", response={200: Page[EntryOut], **problems(401, 422)}, summary="Log entries")
def log_entries(request, paging: Query[PageParams], subject: str = ""):
    """Every entry, oldest first, gap-free; entries about a subject you may not see are redacted to their
    seq, time and leaf hash. With `subject` (e.g. `asset:12`), only its entries — none when you may not see it."""
    return paginate(request, history.entries_for_user(user=request.auth, subject=subject), paging)


@router.get("/log/entries/{int:seq}/receipt", response={200: dict[str, Any], **problems(401, 404)},
            summary="Receipt of an entry")
def log_entry_receipt(request, seq: int):
    """The entry, its inclusion proof and the newest signed checkpoint (format `conceptcloud-receipt/1`);
    check it offline with `conceptcloud verify`. 404 for an entry about something you may not see."""
    checkpoint = checkpoint_publish()
    return history.entry_receipt_for_user(seq=seq, user=request.auth, checkpoint=checkpoint)
