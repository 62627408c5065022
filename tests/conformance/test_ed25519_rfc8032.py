"""RFC 8032 Ed25519 vectors: section 7.1 and the 1,024 SUPERCOP ``sign.input`` lines.

For each vector our :class:`~steeltrace.core.crypto.SigningKey` derives the public key
from the 32-byte secret (seed), reproduces the deterministic signature byte for byte,
and :func:`~steeltrace.core.crypto.verify_raw` accepts it. The section 7.3 Ed25519ph
vector is a different scheme (prehashed): plain Ed25519 must not produce its signature.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from steeltrace.core.crypto import SigningKey, verify_raw
from tests.conformance import conformance_root

FOLDER = conformance_root() / "rfc8032-ed25519"
SECTION_7_1: dict[str, Any] = json.loads((FOLDER / "rfc8032_section7.1_ed25519.json").read_text())
SIGN_INPUT = (FOLDER / "sign.input").read_text(encoding="ascii").splitlines()


def _check(seed: bytes, public_key: bytes, message: bytes, signature: bytes) -> None:
    key = SigningKey(seed)
    assert key.public_key == public_key
    assert key.sign_raw(message) == signature
    assert verify_raw(public_key, message, signature)
    if message:
        assert not verify_raw(public_key, message[:-1], signature)
    assert not verify_raw(public_key, message + b"\x00", signature)


@pytest.mark.parametrize("vector", SECTION_7_1["vectors"], ids=lambda v: v["name"])
def test_section_7_1(vector: dict[str, Any]) -> None:
    _check(
        bytes.fromhex(vector["secretKey"]),
        bytes.fromhex(vector["publicKey"]),
        bytes.fromhex(vector["message"]),
        bytes.fromhex(vector["signature"]),
    )


def test_section_7_1_holds_the_five_rfc_vectors() -> None:
    names = [v["name"] for v in SECTION_7_1["vectors"]]
    assert names == ["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"]


@pytest.mark.parametrize("vector", SECTION_7_1["ed25519ph"], ids=lambda v: v["name"])
def test_plain_ed25519_is_not_ed25519ph(vector: dict[str, Any]) -> None:
    key = SigningKey(bytes.fromhex(vector["secretKey"]))
    message, prehashed = bytes.fromhex(vector["message"]), bytes.fromhex(vector["signature"])
    assert key.public_key == bytes.fromhex(vector["publicKey"])
    assert key.sign_raw(message) != prehashed
    assert not verify_raw(key.public_key, message, prehashed)


def test_supercop_sign_input_all_1024_lines() -> None:
    assert len(SIGN_INPUT) == 1024
    failures: list[str] = []
    for number, line in enumerate(SIGN_INPUT, start=1):
        # "sk(seed || pk):pk:msg:sig || msg:" in hex
        secret_hex, pk_hex, msg_hex, signed_hex, rest = line.split(":")
        assert rest == "", f"line {number}: unexpected trailing field"
        secret, public_key = bytes.fromhex(secret_hex), bytes.fromhex(pk_hex)
        message, signed = bytes.fromhex(msg_hex), bytes.fromhex(signed_hex)
        assert secret[32:] == public_key and signed[64:] == message, f"line {number}: malformed"
        try:
            _check(secret[:32], public_key, message, signed[:64])
        except AssertionError:
            failures.append(f"line {number}")
    assert not failures, f"{len(failures)} SUPERCOP lines fail: {failures[:10]}"
