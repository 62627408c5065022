"""The transaction envelope: shape, signing bytes, id and leaf bytes.

Envelope (all fields required, no others)::

    {"chain_id": str, "type": str, "payload": {...},
     "signer": {"org": str, "key_id": str}, "nonce": hex, "created_at": RFC 3339 UTC,
     "signature": hex(64 bytes)}

* body        = the envelope without ``signature``
* signed bytes = ``"steeltrace:tx:v1" || 0x00 || JCS(body)``
* tx_id       = lowercase hex SHA-256 of ``JCS(body)`` - the hash of the signed content,
  so a re-encoded or re-signed copy of the same content is the same transaction
* leaf bytes  = ``JCS(envelope)`` (with the signature), the Merkle leaf in ``tx_root``

This module checks shape only; trust (signature, key validity, rules) is the executor's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from steeltrace.core import crypto, schema
from steeltrace.core.canonical import canonical_bytes, parse_strict
from steeltrace.errors import InvalidInput, PayloadTooLarge

MAX_TX_BYTES = 64 * 1024
_ENVELOPE_FIELDS = frozenset(
    {"chain_id", "type", "payload", "signer", "nonce", "created_at", "signature"}
)


@dataclass(frozen=True, slots=True)
class Transaction:
    chain_id: str
    type: str
    payload: dict[str, Any]
    signer_org: str
    signer_key: str
    nonce: str
    created_at: str
    signature: bytes
    body_bytes: bytes
    tx_id: str
    leaf_bytes: bytes

    @property
    def created_at_dt(self) -> datetime:
        return schema.parse_time(self.created_at)

    def envelope(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "type": self.type,
            "payload": self.payload,
            "signer": {"org": self.signer_org, "key_id": self.signer_key},
            "nonce": self.nonce,
            "created_at": self.created_at,
            "signature": self.signature.hex(),
        }

    def verify_signature(self, public_key: bytes) -> bool:
        return crypto.verify(public_key, crypto.TX_TAG, self.body_bytes, self.signature)


def _bad(code: str, message: str) -> InvalidInput:
    return InvalidInput(code, message)


def body_of(
    chain_id: str,
    tx_type: str,
    payload: dict[str, Any],
    org: str,
    key_id: str,
    nonce: str,
    created_at: str,
) -> dict[str, Any]:
    return {
        "chain_id": chain_id,
        "type": tx_type,
        "payload": payload,
        "signer": {"org": org, "key_id": key_id},
        "nonce": nonce,
        "created_at": created_at,
    }


def sign(
    key: crypto.SigningKey,
    *,
    chain_id: str,
    tx_type: str,
    payload: dict[str, Any],
    org: str,
    created_at: str,
    nonce: str | None = None,
) -> Transaction:
    """Build and sign a transaction (clients, the node's key store, tests)."""
    body = body_of(
        chain_id,
        tx_type,
        payload,
        org,
        crypto.key_id(key.public_key),
        nonce or os.urandom(16).hex(),
        created_at,
    )
    body_bytes = canonical_bytes(body)
    sig = key.sign(crypto.TX_TAG, body_bytes)
    return _build(body, body_bytes, sig)


def _build(body: dict[str, Any], body_bytes: bytes, sig: bytes) -> Transaction:
    envelope = dict(body)
    envelope["signature"] = sig.hex()
    leaf = canonical_bytes(envelope)
    if len(leaf) > MAX_TX_BYTES:
        raise PayloadTooLarge(
            "TX_TOO_LARGE", f"transaction is {len(leaf)} bytes; the limit is {MAX_TX_BYTES}"
        )
    return Transaction(
        chain_id=body["chain_id"],
        type=body["type"],
        payload=body["payload"],
        signer_org=body["signer"]["org"],
        signer_key=body["signer"]["key_id"],
        nonce=body["nonce"],
        created_at=body["created_at"],
        signature=sig,
        body_bytes=body_bytes,
        tx_id=crypto.sha256_hex(body_bytes),
        leaf_bytes=leaf,
    )


def from_envelope(envelope: Any) -> Transaction:
    """Check an envelope's shape and build the Transaction (I-08..I-14 at this layer)."""
    if not isinstance(envelope, dict):
        raise _bad("TX_MALFORMED", "a transaction must be a JSON object")
    unknown = sorted(set(envelope) - _ENVELOPE_FIELDS)
    if unknown:
        raise _bad("TX_UNKNOWN_FIELD", f"unknown envelope field {unknown[0]!r}")
    missing = sorted(_ENVELOPE_FIELDS - set(envelope))
    if missing:
        raise _bad("TX_MISSING_FIELD", f"envelope field {missing[0]!r} is required")
    try:
        schema.ident(envelope["chain_id"], "chain_id")
        schema.ident(envelope["type"], "type")
        if not isinstance(envelope["payload"], dict):
            raise _bad("TX_MALFORMED", "payload must be a JSON object")
        signer = schema.fields(
            envelope["signer"],
            {"org": schema.ident, "key_id": schema.hex_bytes(8)},
            path="signer",
        )
        nonce = envelope["nonce"]
        if not isinstance(nonce, str) or not 16 <= len(nonce) <= 64 or not _is_hex(nonce):
            raise _bad("TX_BAD_NONCE", "nonce must be 8-32 bytes as lowercase hex")
        schema.timestamp(envelope["created_at"], "created_at")
        sig_hex = envelope["signature"]
        if not isinstance(sig_hex, str) or len(sig_hex) != 128 or not _is_hex(sig_hex):
            raise _bad("TX_BAD_SIGNATURE_ENCODING", "signature must be 64 bytes as lowercase hex")
    except InvalidInput:
        raise
    except Exception as e:  # schema raises InvalidPayload (a Rejected); re-class it here
        raise _bad(getattr(e, "code", "TX_MALFORMED"), getattr(e, "message", str(e))) from e
    body = body_of(
        envelope["chain_id"],
        envelope["type"],
        envelope["payload"],
        signer["org"],
        signer["key_id"],
        nonce,
        envelope["created_at"],
    )
    body_bytes = canonical_bytes(body)
    return _build(body, body_bytes, bytes.fromhex(sig_hex))


def from_bytes(data: bytes) -> Transaction:
    """Decode a transaction from JSON bytes, strictly."""
    return from_envelope(parse_strict(data, max_bytes=MAX_TX_BYTES))


def _is_hex(s: str) -> bool:
    return all(c in "0123456789abcdef" for c in s)
