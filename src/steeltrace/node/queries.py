"""Read-side views of the ledger: blocks, transactions and proofs as the CLI, the API
and the dashboard print them, and the trace of a lot.

``trace_lot`` is what `steeltrace trace` and the API's /trace print: the lot, its
genealogy (ancestors and edges), its heats, melt-and-pour shares, origin and the
origin engine's step-by-step explanation.
"""

from __future__ import annotations

from typing import Any

import orjson

from steeltrace.adapters.storage.sqlite import SqliteStore
from steeltrace.core.ledger import merkle
from steeltrace.core.origin.genealogy import DEFAULT_LIMIT, ancestors
from steeltrace.core.origin.report import report_from
from steeltrace.core.state import StateView
from steeltrace.errors import NotFound


def trace_lot(
    state: StateView,
    lot_id: str,
    *,
    reference_country: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    lot = state.get(f"lot/{lot_id}")
    if lot is None:
        raise NotFound("LOT_UNKNOWN", f"lot {lot_id!r} does not exist")
    genealogy = ancestors(state, lot_id, limit)
    report = report_from(state, genealogy, reference_country=reference_country)
    return {**report, "lot": lot, "genealogy": genealogy.to_dict()}


def block_view(store: SqliteStore, height: int) -> dict[str, Any] | None:
    b = store.load_block(height)
    if b is None:
        return None
    return {
        "header": b.header,
        "block_hash": b.block_hash,
        "signature": b.signature.hex(),
        "transactions": [
            {
                "tx_id": t.tx_id,
                "index": i,
                "type": t.type,
                "signer": t.signer_org,
                "created_at": t.created_at,
                "status": r.status,
                "code": r.code,
                "message": r.message,
            }
            for i, (t, r) in enumerate(zip(b.transactions, b.results, strict=True))
        ],
    }


def tx_view(store: SqliteStore, tx_id: str) -> dict[str, Any] | None:
    row = store.tx_row(tx_id)
    if row is None:
        return None
    return {
        "tx_id": tx_id,
        "tx": orjson.loads(row["leaf"]),
        "block_height": row["height"],
        "index": row["index"],
        "type": row["type"],
        "signer": row["signer"],
        "status": row["status"],
        "code": row["code"],
        "message": row["message"],
    }


def proof_view(store: SqliteStore, tx_id: str) -> dict[str, Any] | None:
    row = store.tx_row(tx_id)
    if row is None:
        return None
    b = store.load_block(row["height"])
    assert b is not None
    hashes = [merkle.leaf_hash(t.leaf_bytes) for t in b.transactions]
    idx = row["index"]
    return {
        "tx_id": tx_id,
        "block_height": b.height,
        "leaf_index": idx,
        "tree_size": len(hashes),
        "leaf_hash": hashes[idx].hex(),
        "audit_path": [h.hex() for h in merkle.inclusion_proof(idx, hashes)],
        "root": b.header["tx_root"],
        "block_hash": b.block_hash,
        "status": row["status"],
    }


def proof_bundle(store: SqliteStore, tx_id: str) -> dict[str, Any] | None:
    """A transaction with everything needed to check it offline (core/ledger/bundle.py)."""
    row = store.tx_row(tx_id)
    if row is None:
        return None
    b = store.load_block(row["height"])
    assert b is not None
    config = store.get("config") or {}
    orderer = next(o for o in config["orderers"] if o["id"] == b.header["orderer"])
    return {
        "tx": orjson.loads(row["leaf"]),
        "proof": proof_view(store, tx_id),
        "header": b.header,
        "signature": b.signature.hex(),
        "orderer": {"id": orderer["id"], "public_key": orderer["public_key"]},
        "results": [[r.tx_id, r.status, r.code] for r in b.results],
    }
