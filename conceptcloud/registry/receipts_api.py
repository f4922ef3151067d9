"""The receipt endpoint (tag "History"): GET /api/v1/log/entries/{seq}/receipt.

It lives above the history app because a receipt may carry the opening of a
confidential asset's commitment, and only the registry knows who manages an
asset. Anyone may fetch a receipt (entries hold no confidential text); the
salt and content go only to the asset's managers.
"""

from __future__ import annotations

from typing import Any

from ninja import Router

from conceptcloud.core.api import problems
from conceptcloud.history import selectors as history_selectors
from conceptcloud.registry import selectors

router = Router(tags=["History"])


@router.get("/log/entries/{int:seq}/receipt", response={200: dict[str, Any], **problems(401, 404)},
            summary="Receipt of an entry")
def log_entry_receipt(request, seq: int):
    """The entry, its inclusion proof and the signed checkpoint of the current tree
    (format `conceptcloud-receipt/1`); check it offline with `conceptcloud verify`."""
    opening = selectors.entry_commitment_for_user(seq=seq, user=request.auth)
    return history_selectors.entry_receipt(seq=seq, commitment=opening)
