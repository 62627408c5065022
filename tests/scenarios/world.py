"""The steel world the scenarios start from, and the helpers every scenario uses.

``build_base(node)`` is the first part of the demo story (src/steeltrace/demo/steel.py),
with its payload shapes: the seven facilities, one heat per mill (CA, US, CN, KR), four
30 t slabs cast from each, the mill's EN 10204 3.1 certificate on the four slabs, and two
slabs hot-rolled into coils ``{TAG}-HRC-1`` (29,400 kg) and ``{TAG}-HRC-2`` (29,300 kg).
Slabs 3 and 4 stay active; each heat has ``tonnage - 120,000`` kg left to cast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from steeltrace.core import crypto, schema
from steeltrace.core.ledger.block import Block
from steeltrace.core.ledger.executor import execute_block
from steeltrace.core.ledger.transaction import Transaction
from steeltrace.core.state import MemoryState
from steeltrace.demo.steel import FACILITIES, HEATS, _certificate, _coil, _slabs
from steeltrace.errors import InvalidInput, Rejected, SteeltraceError
from steeltrace.node.service import Node

FAC = {mill: spec[1] for mill, spec in HEATS.items()}
HEAT_NO = {mill: spec[0] for mill, spec in HEATS.items()}
CHEM = {mill: spec[4] for mill, spec in HEATS.items()}
TAG = {mill: mill.split("-")[1].upper() for mill in HEATS}

__all__ = ["CHEM", "FAC", "HEAT_NO", "TAG", "_certificate", "_coil", "_slabs"]


def at(node: Node, hours_ago: float = 0) -> str:
    return schema.format_time(node.clock() - timedelta(hours=hours_ago))


def ok(node: Node, org: str, tx_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    st = node.submit_and_wait(org, tx_type, payload)
    assert st["status"] == "valid", (org, tx_type, st)
    return st


def heat_payload(mill: str, heat_no: str | None = None, **over: Any) -> dict[str, Any]:
    no, fac, route, kg, chem, inputs, co2 = HEATS[mill]
    return {
        "heat_no": heat_no or no,
        "facility": fac,
        "route": route,
        "cast_at": over.pop("cast_at"),
        "tonnage_kg": kg,
        "chemistry": chem,
        "inputs": inputs,
        "co2_t_per_t": co2,
        "co2_method": "worldsteel methodology, scope 1+2",
        **over,
    }


def build_base(node: Node) -> None:
    for org, fac in FACILITIES:
        ok(node, org, "facility.register", fac)
    for mill in HEATS:
        heat_no, fac = HEAT_NO[mill], FAC[mill]
        ok(node, mill, "heat.register", heat_payload(mill, cast_at=at(node, 48)))
        tag = TAG[mill]
        slabs = _slabs(f"{tag}-SLAB", 4, 30_000, "S355JR")
        ok(node, mill, "lot.cast", {"heat": f"{mill}/{heat_no}", "lots": slabs})
        ok(
            node,
            mill,
            "cert.issue",
            _certificate(
                mill,
                heat_no,
                CHEM[mill],
                [{"lot": x["lot_id"], "kg": 30_000} for x in slabs],
                f"MTC-{heat_no}",
            ),
        )
        ok(
            node,
            mill,
            "lot.transform",
            {
                "id": f"{tag}-HSM-1",
                "facility": fac,
                "process": "hot-rolling",
                "inputs": [
                    {"lot": f"{tag}-SLAB-1", "kg": 30_000},
                    {"lot": f"{tag}-SLAB-2", "kg": 30_000},
                ],
                "outputs": [_coil(f"{tag}-HRC-1", 29_400), _coil(f"{tag}-HRC-2", 29_300)],
                "at": at(node),
            },
        )


# --- refusals --------------------------------------------------------------------------
def refused_precheck(
    node: Node, code: str, org: str, tx_type: str, payload: dict[str, Any]
) -> SteeltraceError:
    """Refused at submission with ``code``: nothing recorded, the state root unchanged."""
    node.flush()
    before = (node.height(), node.state_root())
    with pytest.raises((Rejected, InvalidInput)) as info:
        node.submit_as(org, tx_type, payload)
    assert info.value.code == code, f"{tx_type} by {org}: {info.value.code}: {info.value}"
    node.flush()
    assert (node.height(), node.state_root()) == before
    return info.value


def recorded_invalid(
    node: Node, code: str, org: str, tx_type: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """Passes the pre-check only if sent straight to ordering: recorded invalid, root kept."""
    tx = node.sign_as(org, tx_type, payload)
    return straight_to_ordering(node, tx, code)


def straight_to_ordering(node: Node, tx: Transaction, code: str) -> dict[str, Any]:
    node.flush()
    root = node.state_root()
    node._pending.add(tx.tx_id)
    node.ordering.broadcast(tx)
    node.flush()
    st = node.status(tx.tx_id)
    assert st is not None and st["status"] == "invalid" and st["code"] == code, st
    assert node.state_root() == root
    return st


def refused_everywhere(
    node: Node, code: str, org: str, tx_type: str, payload: dict[str, Any]
) -> None:
    """Refused by the pre-check and, sent straight to ordering, by the peer."""
    refused_precheck(node, code, org, tx_type, payload)
    recorded_invalid(node, code, org, tx_type, payload)


# --- one block of several transactions ---------------------------------------------------
def snapshot(node: Node) -> MemoryState:
    node.flush()
    return MemoryState(dict(node.store.iter_state()))


def one_block(node: Node, txs: list[Transaction]) -> tuple[Block, MemoryState]:
    """Cut one block from ``txs`` (in this order); returns it and the state before it."""
    before = snapshot(node)
    block = node.produce(txs)
    assert block.height == node.height()
    return block, before


def root_with_only(before: MemoryState, block: Block, node: Node, keep: list[str]) -> str:
    """The state root the block would give holding only the transactions ``keep``."""
    txs = [t for t in block.transactions if t.tx_id in keep]
    in_block = {t.tx_id for t in block.transactions}
    ex = execute_block(
        before,
        txs,
        chain_id=node.chain_id,
        height=block.height,
        block_time=schema.parse_time(block.header["time"]),
        window_seconds=node.window,
        is_committed=lambda tid: tid not in in_block and node.store.has_tx(tid),
    )
    assert all(r.status == "valid" for r in ex.results), ex.results
    state = MemoryState(dict(before.items()))
    state.apply(ex.writes)
    return state.root()


def verdicts(block: Block) -> list[tuple[str, str | None]]:
    return [(r.status, r.code) for r in block.results]


def sign_many(
    node: Node, org: str, tx_type: str, payloads: list[dict[str, Any]]
) -> list[Transaction]:
    return [node.sign_as(org, tx_type, p) for p in payloads]


def doc_hash(text: str) -> str:
    return crypto.sha256_hex(text.encode())


Check = Callable[[Node], None]
