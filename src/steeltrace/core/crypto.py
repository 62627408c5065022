"""Hashing and Ed25519 signatures with domain separation.

Every signature is over ``tag || 0x00 || message`` where ``tag`` names the kind of
object signed (:data:`TX_TAG`, :data:`BLOCK_TAG`, :data:`CHECKPOINT_TAG`). A
transaction signature therefore never verifies as a block or checkpoint signature, even
over the same bytes. The library is PyNaCl (libsodium); its verdicts on the edge cases
of tests/conformance/cctv are pinned in a fixture, because every peer must agree.

Verification of many signatures runs on a thread pool: PyNaCl's C calls release the
GIL, so both cores work.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import nacl.bindings
import nacl.exceptions
import nacl.signing

TX_TAG = b"steeltrace:tx:v1"
BLOCK_TAG = b"steeltrace:block:v1"
CHECKPOINT_TAG = b"steeltrace:checkpoint:v1"
ALL_TAGS = (TX_TAG, BLOCK_TAG, CHECKPOINT_TAG)

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tagged(tag: bytes, message: bytes) -> bytes:
    if tag not in ALL_TAGS:
        raise ValueError(f"unknown signature domain {tag!r}")
    return tag + b"\x00" + message


class SigningKey:
    """An Ed25519 private key. Only the node's key store and tests hold these."""

    __slots__ = ("_key",)

    def __init__(self, seed: bytes) -> None:
        self._key = nacl.signing.SigningKey(seed)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(os.urandom(32))

    @property
    def seed(self) -> bytes:
        return bytes(self._key)

    @property
    def public_key(self) -> bytes:
        return bytes(self._key.verify_key)

    @property
    def public_key_hex(self) -> str:
        return self.public_key.hex()

    def sign(self, tag: bytes, message: bytes) -> bytes:
        return self._key.sign(tagged(tag, message)).signature

    def sign_raw(self, message: bytes) -> bytes:
        return self._key.sign(message).signature


def _as_bytes(value: bytes) -> bytes:
    # The C binding takes only ``bytes``; a bytearray or memoryview (a received buffer)
    # would raise TypeError instead of giving a verdict. memoryview() rather than bytes()
    # so that an int is refused instead of turning into a zero-filled buffer.
    return value if type(value) is bytes else memoryview(value).tobytes()


def verify_raw(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Plain Ed25519 verification (RFC 8032) as libsodium decides it.

    Any bytes-like input is accepted; a key or signature of the wrong length is simply
    invalid (``False``), never an exception. The verdicts on the CCTV edge cases are
    pinned in tests/conformance/fixtures/cctv_verdicts.json.
    """
    public_key, message, signature = _as_bytes(public_key), _as_bytes(message), _as_bytes(signature)
    if len(public_key) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_key)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False
    return True


def verify(public_key: bytes, tag: bytes, message: bytes, signature: bytes) -> bool:
    return verify_raw(public_key, tagged(tag, message), signature)


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(
                max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="verify"
            )
        return _POOL


def verify_many(items: Sequence[tuple[bytes, bytes, bytes, bytes]], chunk: int = 64) -> list[bool]:
    """Verify ``(public_key, tag, message, signature)`` items on every core."""
    if len(items) < 2 * chunk:
        return [verify(*it) for it in items]

    def run(part: Sequence[tuple[bytes, bytes, bytes, bytes]]) -> list[bool]:
        return [verify(*it) for it in part]

    parts = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    out: list[bool] = []
    for res in _pool().map(run, parts):
        out.extend(res)
    return out


def key_id(public_key: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return sha256_hex(public_key)[:16]
