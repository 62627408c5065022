"""Validation of transactions and execution of blocks, the same on every peer.

For each transaction, in block order (docs/protocol.md, "Validation"):

1. ``chain_id`` is this chain's                               -> TX_WRONG_CHAIN
2. its id was never seen before (committed or earlier in block) -> TX_DUPLICATE
3. ``created_at`` lies within the window around the block time  -> TX_BACKDATED / TX_FUTURE
4. the signer organisation is a member and active               -> SIGNER_UNKNOWN / SIGNER_SUSPENDED
5. the key exists, belongs to it and is valid at this height
                                          -> KEY_UNKNOWN / KEY_REVOKED / KEY_NOT_YET_VALID
6. the signature verifies                                       -> TX_BAD_SIGNATURE
7. the contract accepts it (role, then rules)                   -> the contract's code

A rejection is deterministic and is recorded in the block with its code; it changes no
state. Any other exception is a local fault and propagates: it never marks a
transaction invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from steeltrace.core import crypto
from steeltrace.core.execution import context_for, execute
from steeltrace.core.ledger.block import TxResult
from steeltrace.core.ledger.transaction import Transaction
from steeltrace.core.membership.genesis import key_valid_at
from steeltrace.core.state import Overlay, StateView, WriteSet
from steeltrace.errors import Rejected

SigCheck = Callable[[Transaction, bytes], bool]


def signer_public_key(state: StateView, tx: Transaction, height: int) -> bytes:
    """Steps 4-5: the key that must have signed ``tx`` at ``height``."""
    org = state.get(f"org/{tx.signer_org}")
    if org is None:
        raise Rejected("SIGNER_UNKNOWN", f"organisation {tx.signer_org!r} is not a member")
    if org.get("status") != "active":
        raise Rejected("SIGNER_SUSPENDED", f"organisation {tx.signer_org!r} is suspended")
    rec = state.get(f"key/{tx.signer_org}/{tx.signer_key}")
    if rec is None:
        raise Rejected("KEY_UNKNOWN", f"{tx.signer_org} has no key {tx.signer_key}")
    if not key_valid_at(rec, height):
        if rec["valid_from"] > height:
            raise Rejected(
                "KEY_NOT_YET_VALID", f"key {tx.signer_key} is valid from height {rec['valid_from']}"
            )
        raise Rejected(
            "KEY_REVOKED",
            f"key {tx.signer_key} of {tx.signer_org} was revoked from height {rec['revoked_from']}",
        )
    return bytes.fromhex(rec["public_key"])


def check_window(tx: Transaction, block_time: datetime, window_seconds: int) -> None:
    created = tx.created_at_dt
    window = timedelta(seconds=window_seconds)
    if created < block_time - window:
        raise Rejected(
            "TX_BACKDATED",
            f"created_at {tx.created_at} is more than {window_seconds}s before block time",
        )
    if created > block_time + window:
        raise Rejected(
            "TX_FUTURE",
            f"created_at {tx.created_at} is more than {window_seconds}s after block time",
        )


def validate_tx(
    state: StateView,
    tx: Transaction,
    *,
    chain_id: str,
    height: int,
    block_time: datetime,
    window_seconds: int,
    is_duplicate: Callable[[str], bool],
    signature_ok: bool | None = None,
    key_state: StateView | None = None,
) -> WriteSet:
    """Steps 1-7 for one transaction; returns its write set or raises Rejected.

    ``key_state`` is the state at the start of the block (keys change only between
    blocks); ``signature_ok`` is a verdict computed in a batch, or None to verify here.
    """
    if tx.chain_id != chain_id:
        raise Rejected(
            "TX_WRONG_CHAIN", f"transaction is for chain {tx.chain_id!r}, not {chain_id!r}"
        )
    if is_duplicate(tx.tx_id):
        raise Rejected("TX_DUPLICATE", f"transaction {tx.tx_id} was already submitted (replay)")
    check_window(tx, block_time, window_seconds)
    if signature_ok is None:
        ok = tx.verify_signature(signer_public_key(key_state or state, tx, height))
    else:
        ok = signature_ok  # key resolved and checked at this height by the batch pass
    if not ok:
        raise Rejected("TX_BAD_SIGNATURE", "the signature does not verify with the signer's key")
    ctx = context_for(
        state,
        tx_id=tx.tx_id,
        tx_type=tx.type,
        signer_org=tx.signer_org,
        signer_key=tx.signer_key,
        height=height,
        block_time=block_time,
        created_at=tx.created_at_dt,
        chain_id=chain_id,
    )
    return execute(state, ctx, tx.payload)


@dataclass
class BlockExecution:
    results: list[TxResult]
    writes: WriteSet = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


def batch_signature_verdicts(
    state: StateView, txs: list[Transaction], height: int, known_good: Callable[[Transaction], bool]
) -> list[bool | None]:
    """Verify the block's signatures on every core before sequential execution.

    Returns None for a transaction whose key cannot be resolved (the sequential pass
    reports why) and skips ones ``known_good`` vouches for (verified by this very node
    at submission, over the same bytes with the same key).
    """
    verdicts: list[bool | None] = [None] * len(txs)
    todo: list[tuple[int, tuple[bytes, bytes, bytes, bytes]]] = []
    for i, tx in enumerate(txs):
        try:
            pk = signer_public_key(state, tx, height)
        except Rejected:
            continue
        if known_good(tx):
            verdicts[i] = True
        else:
            todo.append((i, (pk, crypto.TX_TAG, tx.body_bytes, tx.signature)))
    for (i, _), ok in zip(todo, crypto.verify_many([t for _, t in todo]), strict=True):
        verdicts[i] = ok
    return verdicts


def execute_block(
    base: StateView,
    txs: list[Transaction],
    *,
    chain_id: str,
    height: int,
    block_time: datetime,
    window_seconds: int,
    is_committed: Callable[[str], bool],
    known_good: Callable[[Transaction], bool] = lambda tx: False,
) -> BlockExecution:
    """Execute a block's transactions in order over ``base``; pure given its inputs."""
    overlay = Overlay(base)
    seen: set[str] = set()
    verdicts = batch_signature_verdicts(base, txs, height, known_good)
    out = BlockExecution(results=[])
    for tx, verdict in zip(txs, verdicts, strict=True):
        try:
            writes = validate_tx(
                overlay,
                tx,
                chain_id=chain_id,
                height=height,
                block_time=block_time,
                window_seconds=window_seconds,
                is_duplicate=lambda tid: tid in seen or is_committed(tid),
                signature_ok=verdict,
                key_state=base,
            )
        except Rejected as e:
            out.results.append(TxResult(tx.tx_id, "invalid", e.code, e.message))
        else:
            overlay.apply(writes)
            out.results.append(TxResult(tx.tx_id, "valid", None, None))
        seen.add(tx.tx_id)
    out.writes = overlay.writes
    return out
