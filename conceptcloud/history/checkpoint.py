"""Signed checkpoints in the C2SP formats. Pure: no Django.

A checkpoint (c2sp.org/tlog-checkpoint) says "the log `origin` has `size`
entries with root hash `root`":

    <origin>\\n<size in decimal>\\n<base64 root hash>\\n

It travels as a signed note (c2sp.org/signed-note): the text, a blank line,
then signature lines "— <key name> <base64(key hash || signature)>\\n". The key
name is the origin; an Ed25519 key (signature type 0x01) has the key hash
SHA-256(name || "\\n" || 0x01 || public key)[:4] and signs the text bytes.
The verifier key, the one string a witness or `conceptcloud verify` needs, is
"<name>+<hex key hash>+<base64(0x01 || public key)>".

    checkpoint_text(origin, size, root)     the note text
    note_sign(text, name, private_key)      the signed note
    verifier_key(name, public_key)          the verifier key string
    verifier_key_parse(key)                 (name, key hash, public key bytes)
    checkpoint_verify(note, key)            the verified Checkpoint, or CheckpointError
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class CheckpointError(ValueError):
    """The note is malformed, or not signed by the given key."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    return f"{name}+{key_hash(name, public_key).hex()}+{base64.b64encode(ED25519 + public_key).decode()}"


def verifier_key_parse(key: str) -> tuple[str, bytes, bytes]:
    """(name, key hash, raw Ed25519 public key) of a verifier key string."""
    parts = key.strip().split("+", 2)
    if len(parts) != 3:
        raise CheckpointError("the verifier key is not <name>+<key hash>+<key>")
    name, hash_hex, encoded = parts
    try:
        hashed = bytes.fromhex(hash_hex)
        raw = _b64decode(encoded)
    except (ValueError, binascii.Error):
        raise CheckpointError("the verifier key is not hex and base64 as it should be") from None
    if len(raw) != 33 or raw[:1] != ED25519:
        raise CheckpointError("the verifier key is not an Ed25519 key")
    public_key = raw[1:]
    if not name or len(hashed) != 4 or hashed != key_hash(name, public_key):
        raise CheckpointError("the verifier key's hash does not match its name and key")
    return name, hashed, public_key


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def note_sign(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    signature = private_key.sign(text.encode())
    blob = key_hash(name, public_key_bytes(private_key)) + signature
    return f"{text}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode()}\n"


def _b64decode(text: str) -> bytes:
    """Strict base64: a second spelling of the same bytes (unused low bits set) is refused."""
    value = base64.b64decode(text, validate=True)
    if base64.b64encode(value).decode() != text:
        raise binascii.Error("not canonical base64")
    return value


def _checkpoint_parse(text: str) -> Checkpoint:
    lines = text.split("\n")[:-1]
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a size and a root hash")
    origin, size, root = lines[:3]
    if not origin:
        raise CheckpointError("the checkpoint has no origin")
    if not size.isascii() or not size.isdigit() or (size.startswith("0") and size != "0"):
        raise CheckpointError("the checkpoint's size is not a decimal number")
    try:
        root_hash = _b64decode(root)
    except binascii.Error:
        raise CheckpointError("the checkpoint's root hash is not base64") from None
    if len(root_hash) != 32:
        raise CheckpointError("the checkpoint's root hash is not 32 bytes")
    return Checkpoint(origin=origin, size=int(size), root=root_hash)


def checkpoint_verify(note: str, key: str) -> Checkpoint:
    """The checkpoint of a signed note, once a signature by `key` over it verifies."""
    name, hashed, public_key = verifier_key_parse(key)
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise CheckpointError("the note has no signature block")
    text, signatures = note[: split + 1], note[split + 2 :]
    checkpoint = _checkpoint_parse(text)
    if checkpoint.origin != name:
        raise CheckpointError(f"the checkpoint is of {checkpoint.origin!r}, the key of {name!r}")
    for line in signatures.split("\n")[:-1]:
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("a signature line does not start with an em dash")
        signer, _space, encoded = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            blob = _b64decode(encoded)
        except binascii.Error:
            raise CheckpointError("a signature is not base64") from None
        if signer != name or blob[:4] != hashed:
            continue  # a witness's cosignature, or another key's
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], text.encode())
        except InvalidSignature:
            raise CheckpointError("the checkpoint's signature does not verify with the key") from None
        return checkpoint
    raise CheckpointError("the checkpoint is not signed by the key")
