"""Canonical entry bytes and commitments. Pure: imports nothing from Django.

An entry is serialised with RFC 8785 (JSON Canonicalization Scheme), so the same
entry always yields the same bytes, and its leaf hash is SHA-256(0x00 || bytes),
the RFC 9162 leaf hash. Confidential content enters an entry only as a
commitment: SHA-256(salt || canonical(content)), with a random 32-byte salt that
only the owner keeps.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import rfc8785


def canonical_bytes(document: Any) -> bytes:
    return rfc8785.dumps(document)


def leaf_hash(entry_bytes: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def new_salt() -> bytes:
    return secrets.token_bytes(32)


def commitment(content: Any, salt: bytes) -> str:
    """Hex SHA-256 over the salt followed by the canonical bytes of the content."""
    return hashlib.sha256(salt + canonical_bytes(content)).hexdigest()
