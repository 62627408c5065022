"""``steeltrace verify``: re-check a stored chain from genesis, trusting nothing stored.

1. Block 0: the stored genesis configuration rebuilds a state whose root is block 0's
   ``state_root``; its header is signed by a configured orderer.
2. Every later block: :func:`steeltrace.core.ledger.chain.check_block` (link, orderer
   signature, tx_root, full re-execution with every signature verified again, verdicts,
   state root), and the stored block hash equals the recomputed one.
3. The stored state equals the replayed state entry for entry, the stored accumulator
   equals the replayed one, and the stored height is the last block's.

The first failure is reported with the height of the first bad block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from steeltrace.adapters.storage.sqlite import SqliteStore
from steeltrace.core.ledger.block import verify_header_signature
from steeltrace.core.ledger.chain import check_block, fail
from steeltrace.core.membership.genesis import genesis_writes
from steeltrace.core.state import MemoryState
from steeltrace.errors import IntegrityError, SteeltraceError


@dataclass
class VerifyReport:
    ok: bool
    height: int
    blocks: int
    transactions: int
    state_root: str | None
    first_bad_block: int | None = None
    code: str | None = None
    message: str | None = None
    checks: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "height": self.height,
            "blocks": self.blocks,
            "transactions": self.transactions,
            "state_root": self.state_root,
            "first_bad_block": self.first_bad_block,
            "code": self.code,
            "message": self.message,
            "checks": self.checks,
        }


def verify_store(store: SqliteStore) -> VerifyReport:
    report = VerifyReport(ok=False, height=-1, blocks=0, transactions=0, state_root=None)
    try:
        _verify(store, report)
        report.ok = True
    except SteeltraceError as e:
        report.code = e.code
        report.message = e.message
        report.first_bad_block = e.detail.get("height")
    except Exception as e:  # corrupt bytes can break decoding anywhere: still a verdict
        report.code = "STORE_CORRUPT"
        report.message = f"{type(e).__name__}: {e}"
        report.first_bad_block = report.blocks
    return report


def _verify(store: SqliteStore, report: VerifyReport) -> None:
    raw_genesis = store.meta("genesis")
    if raw_genesis is None:
        raise fail("GENESIS_MISSING", 0, "no genesis configuration is stored")
    config_full = orjson.loads(raw_genesis)
    state = MemoryState()
    state.apply(genesis_writes(config_full))
    config = state.get("config")
    assert config is not None
    block0 = store.load_block(0)
    if block0 is None:
        raise fail("GENESIS_MISSING", 0, "no block 0")
    orderer = next((o for o in config["orderers"] if o["id"] == block0.header.get("orderer")), None)
    if orderer is None or not verify_header_signature(
        bytes.fromhex(orderer["public_key"]), block0.header, block0.signature
    ):
        raise fail("BLOCK_BAD_SIGNATURE", 0, "genesis header signature does not verify")
    if block0.header.get("state_root") != state.root() or block0.header.get("height") != 0:
        raise fail("STATE_ROOT_MISMATCH", 0, "genesis state does not match block 0")
    if store.block_hash(0) != block0.block_hash:
        raise fail("BLOCK_HASH_MISMATCH", 0, "stored block hash differs from the header's hash")
    report.checks.append("genesis")
    prev = block0.header
    seen: set[str] = set()
    report.blocks = 1
    height = 0
    for block in store.iter_blocks(1):
        height = block.height
        if store.block_hash(height) != block.block_hash:
            raise fail("BLOCK_HASH_MISMATCH", height, "stored block hash differs from the header's")
        checked = check_block(block, prev, config, state, state.acc.copy(), lambda t: t in seen)
        state.apply(checked.execution.writes)
        for tx in block.transactions:
            seen.add(tx.tx_id)
        report.transactions += len(block.transactions)
        report.blocks += 1
        prev = block.header
    report.checks.append("blocks: links, signatures, tx roots, re-execution, state roots")
    stored_height = store.height()
    if stored_height != height:
        raise fail("HEIGHT_MISMATCH", height, f"stored height is {stored_height}")
    stored = dict(store.iter_state())
    replayed = dict(state.items())
    if stored != replayed:
        diff = sorted(set(stored) ^ set(replayed)) or sorted(
            k for k in stored if stored[k] != replayed.get(k)
        )
        raise IntegrityError(
            "STATE_MISMATCH",
            f"stored state differs from the replay of blocks 0..{height} at key {diff[0]!r}",
            height=height,
        )
    if store.state_accumulator() != state.acc.to_bytes():
        raise fail("STATE_ROOT_MISMATCH", height, "stored accumulator differs from the replay")
    report.checks.append("state equals replay")
    report.height = height
    report.state_root = state.root()
