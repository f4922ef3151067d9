"""The creative history's public log API (tag "History"), under /api/v1/log/.

    GET log/checkpoint                       the newest signed checkpoint (text/plain; ?format=json)
    GET log/checkpoints?after=               every stored checkpoint of a larger tree, paginated
    GET log/key                              the log's verifier key
    GET log/proofs/inclusion?seq=&size=      RFC 9162 inclusion proof
    GET log/proofs/consistency?first=&second=  RFC 9162 consistency proof

Entries and receipts follow the registry's visibility rule (who may see an
entry's subject), so their endpoints live in registry/log_api.py. Everything
here is public: hashes, sizes and signed notes. A checkpoint is handed out
only through `checkpoint_publish`, which stores it, so a witness can fetch
every one ever given to anyone (`log/checkpoints`) and ask for consistency
proofs between them.
"""

from __future__ import annotations

import base64
from typing import Literal

from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from conceptcloud.core.api import problems
from conceptcloud.core.pagination import Page, PageParams, paginate
from conceptcloud.history import selectors
from conceptcloud.history.checkpoints import checkpoint_publish
from conceptcloud.history.keys import log_public_key, log_verifier_key
from conceptcloud.history.models import Checkpoint

router = Router(tags=["History"])


class CheckpointOut(Schema):
    origin: str
    tree_size: int
    root_hash: str = Field(description="Base64 SHA-256 root hash (RFC 9162).")
    note: str = Field(description="The signed note (C2SP tlog-checkpoint).")
    created_at: datetime = Field(description="When the platform first signed this tree size.")


class KeyOut(Schema):
    verifier_key: str = Field(description="C2SP signed-note verifier key: <origin>+<key hash>+<base64 key>.")
    public_key: str = Field(description="The raw Ed25519 public key, base64.")
    origin: str


class InclusionProofOut(Schema):
    leaf_index: int
    tree_size: int
    leaf_hash: str = Field(description="Hex RFC 9162 leaf hash of the entry.")
    inclusion_proof: list[str] = Field(description="Hex hashes, the leaf's sibling first.")


class ConsistencyProofOut(Schema):
    first: int
    second: int
    consistency_proof: list[str]


def _checkpoint_out(checkpoint: Checkpoint) -> dict:
    return {"origin": checkpoint.note.split("\n", 1)[0], "tree_size": checkpoint.size,
            "root_hash": base64.b64encode(bytes(checkpoint.root_hash)).decode(), "note": checkpoint.note,
            "created_at": checkpoint.created_at}


@router.get("/log/checkpoint", response={200: CheckpointOut, **problems(401, 422)}, summary="The signed checkpoint")
def log_checkpoint(request, format: Literal["note", "json"] = "note"):
    """The newest checkpoint as a C2SP signed note (text/plain), or with `?format=json` as JSON.

    If the log grew since the newest stored checkpoint, one of the current tree is signed and stored first."""
    checkpoint = checkpoint_publish()
    if format == "note":
        return HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")
    return _checkpoint_out(checkpoint)


@router.get(
    "/log/checkpoints", response={200: Page[CheckpointOut], **problems(401, 422)}, summary="Stored checkpoints"
)
def log_checkpoints(request, paging: Query[PageParams], after: int = -1):
    """Every checkpoint the log has handed out, smallest tree first; with `after`, those of more than
    `after` entries (a witness gives the size it last saw)."""
    return paginate(request, selectors.checkpoints_after(size=after), paging, shape=_checkpoint_out)


@router.get("/log/key", response={200: KeyOut, **problems(401)}, summary="The log's public key")
def log_key(request):
    """The key the checkpoints are signed with (also at /.well-known/conceptcloud-log-key)."""
    return {"verifier_key": log_verifier_key(), "public_key": base64.b64encode(log_public_key()).decode(),
            "origin": settings.CC_LOG_ORIGIN}


@router.get("/log/proofs/inclusion", response={200: InclusionProofOut, **problems(401, 404, 422)}, summary="Inclusion proof")
def log_inclusion_proof(request, seq: int, size: int | None = None):
    """Proof that entry `seq` is in the tree of `size` entries (default: the current tree)."""
    return selectors.inclusion_proof_get(seq=seq, size=size)


@router.get(
    "/log/proofs/consistency", response={200: ConsistencyProofOut, **problems(401, 422)}, summary="Consistency proof"
)
def log_consistency_proof(request, first: int, second: int | None = None):
    """Proof that the tree of `first` entries is a prefix of the tree of `second` (default: the current tree)."""
    return selectors.consistency_proof_get(first=first, second=second)
