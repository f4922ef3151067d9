"""The platform's log signing key: Ed25519, generated once into the data folder.

The key file (DATA_DIR / "log_key.ed25519", PKCS #8 PEM, mode 0600) is written
under a temporary name and linked into place, so two processes starting at
once agree on one key and neither reads a half-written file.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings

from conceptcloud.history.checkpoint import public_key_bytes, verifier_key

KEY_FILE = "log_key.ed25519"


def _key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


@functools.cache
def _load(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        temporary = path.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(temporary, path)  # fails if another process linked its key first
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 private key")
    return key


def log_private_key() -> Ed25519PrivateKey:
    return _load(_key_path())


def log_public_key() -> bytes:
    return public_key_bytes(log_private_key())


def log_verifier_key() -> str:
    return verifier_key(settings.CC_LOG_ORIGIN, log_public_key())
