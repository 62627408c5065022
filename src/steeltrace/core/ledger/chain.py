"""Checking a block against its predecessor, the consortium and the state.

:func:`check_block` is what a peer does with a block it did not build, and what
``steeltrace verify`` does with every stored block:

1. the height follows the previous block's and ``prev_hash`` is its hash (BLOCK_BAD_LINK)
2. the chain id is this chain's (BLOCK_WRONG_CHAIN)
3. the orderer is one the configuration lists and its signature verifies
   (BLOCK_UNKNOWN_ORDERER / BLOCK_BAD_SIGNATURE)
4. the time does not go backwards (BLOCK_TIME_REGRESSION); it is never compared with a
   local clock (F-13)
5. ``tx_count`` and ``tx_root`` match the transactions (BLOCK_BAD_TX_ROOT, F-16)
6. every transaction re-executes to the recorded verdicts (BLOCK_RESULTS_MISMATCH)
7. the resulting state root equals the header's (STATE_ROOT_MISMATCH)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from steeltrace.core import schema
from steeltrace.core.ledger.block import (
    HEADER_FIELDS,
    Block,
    header_hash,
    results_hash,
    tx_root,
    verify_header_signature,
)
from steeltrace.core.ledger.executor import BlockExecution, execute_block
from steeltrace.core.ledger.transaction import Transaction
from steeltrace.core.state import StateAccumulator, WriteSet, encode_value
from steeltrace.errors import IntegrityError


class RawStateView(Protocol):
    def get(self, key: str) -> Any | None: ...

    def get_raw(self, key: str) -> bytes | None: ...


def fail(code: str, height: int, message: str) -> IntegrityError:
    return IntegrityError(code, f"block {height}: {message}", height=height)


def next_accumulator(
    acc: StateAccumulator, base: RawStateView, writes: WriteSet
) -> dict[str, bytes | None]:
    """Fold a block's net writes into ``acc``; return the raw bytes to store."""
    raw: dict[str, bytes | None] = {}
    for key in sorted(writes):
        value = writes[key]
        old = base.get_raw(key)
        if old is not None:
            acc.remove(key, old)
        if value is None:
            raw[key] = None
        else:
            new = encode_value(value)
            acc.add(key, new)
            raw[key] = new
    return raw


@dataclass
class CheckedBlock:
    execution: BlockExecution
    raw_writes: dict[str, bytes | None]
    accumulator: StateAccumulator


def check_header(block: Block, prev: dict[str, Any], config: dict[str, Any]) -> None:
    h = block.header
    height = int(h.get("height", -1))
    if sorted(h) != sorted(HEADER_FIELDS):
        raise fail("BLOCK_MALFORMED", height, "header fields are not the documented ones")
    if height != int(prev["height"]) + 1 or h["prev_hash"] != header_hash(prev):
        raise fail("BLOCK_BAD_LINK", height, "does not link to the previous block")
    if h["chain_id"] != config["chain_id"]:
        raise fail("BLOCK_WRONG_CHAIN", height, f"chain id {h['chain_id']!r}")
    orderer = next((o for o in config["orderers"] if o["id"] == h["orderer"]), None)
    if orderer is None:
        raise fail("BLOCK_UNKNOWN_ORDERER", height, f"orderer {h['orderer']!r} is not configured")
    if not verify_header_signature(bytes.fromhex(orderer["public_key"]), h, block.signature):
        raise fail("BLOCK_BAD_SIGNATURE", height, "the orderer signature does not verify")
    try:
        if schema.parse_time(h["time"]) < schema.parse_time(prev["time"]):
            raise fail("BLOCK_TIME_REGRESSION", height, "time is before the previous block's")
    except (ValueError, TypeError, AttributeError) as e:
        raise fail("BLOCK_MALFORMED", height, f"bad time: {e}") from e
    if h["tx_count"] != len(block.transactions) or h["tx_root"] != tx_root(
        list(block.transactions)
    ):
        raise fail("BLOCK_BAD_TX_ROOT", height, "tx_root does not match the transactions")


def check_block(
    block: Block,
    prev: dict[str, Any],
    config: dict[str, Any],
    base: RawStateView,
    acc: StateAccumulator,
    is_committed: Callable[[str], bool],
    known_good: Callable[[Transaction], bool] = lambda tx: False,
) -> CheckedBlock:
    """Steps 1-7; ``acc`` is the accumulator of ``base`` and is advanced in place."""
    check_header(block, prev, config)
    height = block.height
    execution = execute_block(
        base,
        list(block.transactions),
        chain_id=config["chain_id"],
        height=height,
        block_time=schema.parse_time(block.header["time"]),
        window_seconds=int(config["tx_window_seconds"]),
        is_committed=is_committed,
        known_good=known_good,
    )
    if results_hash(execution.results) != block.header["results_hash"]:
        raise fail("BLOCK_RESULTS_MISMATCH", height, "re-execution gives other verdicts")
    if block.results and [(r.status, r.code) for r in block.results] != [
        (r.status, r.code) for r in execution.results
    ]:
        raise fail("BLOCK_RESULTS_MISMATCH", height, "stored verdicts differ from re-execution")
    raw = next_accumulator(acc, base, execution.writes)
    if acc.root() != block.header["state_root"]:
        raise fail("STATE_ROOT_MISMATCH", height, "re-execution gives another state root")
    return CheckedBlock(execution, raw, acc)
