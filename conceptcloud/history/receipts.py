"""Receipts: one entry, its inclusion proof and a signed checkpoint. Pure: no Django.

A receipt is a JSON object:

    format           "conceptcloud-receipt/1"
    entry            the entry's canonical JSON (RFC 8785), exactly the hashed bytes
    leaf_index       its position in the log (its sequence number)
    tree_size        the size of the tree the proof and the checkpoint are for
    inclusion_proof  RFC 9162 inclusion proof, hex hashes, the leaf's sibling first
    checkpoint       the log's signed checkpoint note of that tree (C2SP)
    public_key       the log's verifier key string
    commitment       (managers' receipts of confidential entries only) {salt: hex,
                     content: the committed JSON}: it opens the entry's commitment;
                     the content is left out when it can no longer be re-created

`verify_receipt` checks all of it offline and lists every problem it finds;
`conceptcloud verify` imports only this module and the pure ones it uses.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from conceptcloud.history.canonical import canonical_bytes, leaf_hash
from conceptcloud.history.checkpoint import Checkpoint, CheckpointError, checkpoint_verify
from conceptcloud.history.merkle import verify_inclusion

FORMAT = "conceptcloud-receipt/1"


def receipt_document(
    *,
    entry: bytes,
    leaf_index: int,
    tree_size: int,
    proof: list[bytes],
    checkpoint: str,
    public_key: str,
    commitment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    receipt: dict[str, Any] = {
        "format": FORMAT,
        "entry": entry.decode("utf-8"),
        "leaf_index": leaf_index,
        "tree_size": tree_size,
        "inclusion_proof": [node.hex() for node in proof],
        "checkpoint": checkpoint,
        "public_key": public_key,
    }
    if commitment is not None:
        receipt["commitment"] = commitment
    return receipt


def _hashes(values: Any) -> list[bytes] | None:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    try:
        return [bytes.fromhex(v) for v in values]
    except ValueError:
        return None


def _commitment_problems(commitment: Any, document: dict[str, Any]) -> list[str]:
    if not isinstance(commitment, dict) or not isinstance(commitment.get("salt"), str):
        return ["the commitment opening needs a hex salt"]
    try:
        salt = bytes.fromhex(commitment["salt"])
    except ValueError:
        return ["the commitment salt is not hex"]
    stated = (document.get("payload") or {}).get("commitment") if isinstance(document.get("payload"), dict) else None
    if not isinstance(stated, dict) or "value" not in stated:
        return ["the entry holds no commitment to open"]
    if "content" not in commitment:
        return []  # the salt alone: the owner supplies the content to check later
    if hashlib.sha256(salt + canonical_bytes(commitment["content"])).hexdigest() != stated["value"]:
        return ["the salt and content do not match the entry's commitment"]
    return []


def verify_receipt(receipt: Any, *, key: str | None = None) -> list[str]:
    """Every problem of a receipt; an empty list means it is valid.

    `key` pins the log's verifier key (as published at
    /.well-known/conceptcloud-log-key); without it the receipt's own key is used,
    which proves the receipt is consistent but not who signed it.
    """
    if not isinstance(receipt, dict):
        return ["a receipt is a JSON object"]
    problems = []
    if receipt.get("format") != FORMAT:
        problems.append(f"the format is not {FORMAT}")
    entry, index, size = receipt.get("entry"), receipt.get("leaf_index"), receipt.get("tree_size")
    document: dict[str, Any] = {}
    if not isinstance(entry, str):
        problems.append("the entry is missing")
    else:
        try:
            parsed = json.loads(entry)
        except ValueError:
            problems.append("the entry is not JSON")
        else:
            if not isinstance(parsed, dict):
                problems.append("the entry is not a JSON object")
            else:
                document = parsed
                if canonical_bytes(parsed) != entry.encode("utf-8"):
                    problems.append("the entry is not in canonical form (RFC 8785)")
                if parsed.get("seq") != index:
                    problems.append("the entry's sequence number is not its leaf index")
    if not isinstance(index, int) or isinstance(index, bool) or not isinstance(size, int) or isinstance(size, bool):
        problems.append("the leaf index and tree size must be whole numbers")
    proof = _hashes(receipt.get("inclusion_proof"))
    if proof is None:
        problems.append("the inclusion proof is not a list of hex hashes")
    checkpoint: Checkpoint | None = None
    public_key = receipt.get("public_key")
    if key is not None and public_key != key:
        problems.append("the receipt's public key is not the expected key")
    if not isinstance(receipt.get("checkpoint"), str) or not isinstance(public_key, str):
        problems.append("the checkpoint or the public key is missing")
    else:
        try:
            checkpoint = checkpoint_verify(receipt["checkpoint"], key or public_key)
        except CheckpointError as error:
            problems.append(f"checkpoint: {error}")
    if checkpoint is not None and checkpoint.size != size:
        problems.append(f"the proof is for a tree of {size}, the checkpoint for a tree of {checkpoint.size}")
    if checkpoint is not None and isinstance(entry, str) and proof is not None:
        if not verify_inclusion(leaf_hash(entry.encode("utf-8")), index, size, proof, checkpoint.root):
            problems.append("the inclusion proof does not lead from the entry to the checkpoint's root")
    if "commitment" in receipt:
        problems.extend(_commitment_problems(receipt["commitment"], document))
    return problems


def receipt_summary(receipt: dict[str, Any]) -> str:
    """One line about a receipt that `verify_receipt` found valid."""
    document = json.loads(receipt["entry"])
    checkpoint = receipt["checkpoint"].split("\n", 1)[0]
    line = (
        f"valid: entry {document['seq']} ({document.get('type')} about {document.get('subject')}) "
        f"at {document.get('time')} in a tree of {receipt['tree_size']} entries signed by {checkpoint}"
    )
    if "content" in receipt.get("commitment", {}):
        line += "; the commitment opens to the enclosed content"
    return line
