import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from conceptcloud.history.checkpoint import (
    CheckpointError,
    checkpoint_text,
    checkpoint_verify,
    key_hash,
    note_sign,
    public_key_bytes,
    verifier_key,
    verifier_key_parse,
)

ORIGIN = "example.test/log"
ROOT = hashlib.sha256(b"root").digest()


@pytest.fixture
def signer():
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def test_a_checkpoint_is_origin_size_and_base64_root_each_on_a_line():
    assert checkpoint_text(ORIGIN, 42, ROOT) == f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}\n"


def test_the_key_hash_and_verifier_key_follow_the_signed_note_spec(signer):
    public = public_key_bytes(signer)
    expected_hash = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
    assert key_hash(ORIGIN, public) == expected_hash
    key = verifier_key(ORIGIN, public)
    encoded = base64.b64encode(b"\x01" + public).decode()
    assert key == f"{ORIGIN}+{expected_hash.hex()}+{encoded}"
    assert verifier_key_parse(key) == (ORIGIN, expected_hash, public)


def test_a_signed_note_parses_and_verifies(signer):
    note = note_sign(checkpoint_text(ORIGIN, 7, ROOT), ORIGIN, signer)
    text, signature = note.split("\n\n")
    assert signature.startswith(f"\u2014 {ORIGIN} ") and signature.endswith("\n")
    blob = base64.b64decode(signature.split(" ")[2])
    assert blob[:4] == key_hash(ORIGIN, public_key_bytes(signer)) and len(blob) == 68
    checkpoint = checkpoint_verify(note, verifier_key(ORIGIN, public_key_bytes(signer)))
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, 7, ROOT)


def test_a_changed_character_anywhere_in_the_note_fails(signer):
    note = note_sign(checkpoint_text(ORIGIN, 7, ROOT), ORIGIN, signer)
    key = verifier_key(ORIGIN, public_key_bytes(signer))
    for position, character in enumerate(note):
        changed = note[:position] + chr(ord(character) ^ 1) + note[position + 1 :]
        with pytest.raises(CheckpointError):
            checkpoint_verify(changed, key)


def test_a_note_signed_by_another_key_fails(signer):
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    note = note_sign(checkpoint_text(ORIGIN, 7, ROOT), ORIGIN, other)
    with pytest.raises(CheckpointError, match="not signed by the key"):
        checkpoint_verify(note, verifier_key(ORIGIN, public_key_bytes(signer)))


def test_a_cosignature_by_another_key_is_ignored(signer):
    text = checkpoint_text(ORIGIN, 7, ROOT)
    witness = note_sign(text, "witness.test", Ed25519PrivateKey.from_private_bytes(bytes(32))).split("\n\n")[1]
    note = note_sign(text, ORIGIN, signer) + witness
    assert checkpoint_verify(note, verifier_key(ORIGIN, public_key_bytes(signer))).size == 7
