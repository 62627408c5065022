"""Blocks: the header, its hash and the orderer's signature.

Header (RFC 8785 canonical JSON; all fields required)::

    {"chain_id", "height", "prev_hash", "time", "orderer",
     "tx_count", "tx_root", "results_hash", "state_root"}

* ``tx_root``      - RFC 6962 Merkle tree hash over the block's transactions, each leaf
  being the transaction's canonical envelope bytes (see transaction.py)
* ``results_hash`` - SHA-256 of ``JCS([[tx_id, status, code], ...])`` in block order:
  the validation verdicts, so a proof of inclusion can also prove validity
* ``state_root``   - the world-state commitment after the block (see core/state.py)
* ``block_hash``   = lowercase hex SHA-256 of ``JCS(header)``
* ``signature``    = Ed25519 over ``"steeltrace:block:v1" || 0x00 || JCS(header)`` by the
  orderer named in the header, whose key the genesis configuration lists

Height 0 is the genesis block: no transactions, ``prev_hash`` of 64 zeros, and a
``state_root`` that commits to the genesis configuration it was built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steeltrace.core import crypto
from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.ledger import merkle
from steeltrace.core.ledger.transaction import Transaction

ZERO_HASH = "0" * 64
HEADER_FIELDS = (
    "chain_id",
    "height",
    "prev_hash",
    "time",
    "orderer",
    "tx_count",
    "tx_root",
    "results_hash",
    "state_root",
)


@dataclass(frozen=True, slots=True)
class TxResult:
    tx_id: str
    status: str  # "valid" | "invalid"
    code: str | None
    message: str | None


def results_hash(results: list[TxResult]) -> str:
    return crypto.sha256_hex(canonical_bytes([[r.tx_id, r.status, r.code] for r in results]))


def tx_root(txs: list[Transaction]) -> str:
    return merkle.root_from_leaf_hashes([merkle.leaf_hash(t.leaf_bytes) for t in txs]).hex()


@dataclass(frozen=True, slots=True)
class Block:
    header: dict[str, Any]
    signature: bytes
    transactions: tuple[Transaction, ...]
    results: tuple[TxResult, ...]

    @property
    def height(self) -> int:
        return int(self.header["height"])

    @property
    def header_bytes(self) -> bytes:
        return canonical_bytes(self.header)

    @property
    def block_hash(self) -> str:
        return crypto.sha256_hex(self.header_bytes)


def header_hash(header: dict[str, Any]) -> str:
    return crypto.sha256_hex(canonical_bytes(header))


def sign_header(key: crypto.SigningKey, header: dict[str, Any]) -> bytes:
    return key.sign(crypto.BLOCK_TAG, canonical_bytes(header))


def verify_header_signature(public_key: bytes, header: dict[str, Any], signature: bytes) -> bool:
    return crypto.verify(public_key, crypto.BLOCK_TAG, canonical_bytes(header), signature)
