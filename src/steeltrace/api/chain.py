"""Reads of the chain: blocks, transactions, their status and Merkle proofs, and the
live stream of committed blocks (server-sent events).

Blocks list newest first; the cursor is the height of the last block on the page. A
transaction of a private kind (declarations, pledges) is a 404 to a caller who may not
see its record, and a contract proposal's price is withheld from non-parties
(:mod:`steeltrace.api.visibility`). Status and proof carry no payload, so they are open
to every authenticated caller.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from steeltrace.api import visibility
from steeltrace.api.auth import Principal, principal
from steeltrace.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from steeltrace.errors import InvalidInput, NotFound

router = APIRouter(prefix="/v1", tags=["chain"])

_TX_ID_PATTERN = r"^[0-9a-f]{64}$"
POLL_SECONDS = 0.1


def _node(request: Request) -> Any:
    return request.app.state.node


def _summary(block: dict[str, Any]) -> dict[str, Any]:
    header = block["header"]
    return {
        "height": header["height"],
        "block_hash": block["block_hash"],
        "time": header["time"],
        "tx_count": header["tx_count"],
        "state_root": header["state_root"],
    }


@router.get("/blocks", summary="Blocks, newest first (cursor-paginated)")
def blocks(
    request: Request,
    who: Principal = Depends(principal),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(None, max_length=64),
) -> dict[str, Any]:
    node = _node(request)
    top = node.height()
    if cursor:
        text = decode_cursor(cursor, "")
        if not text.isdigit():
            raise InvalidInput("CURSOR_INVALID", "the cursor is not one this API handed out")
        top = min(top, int(text) - 1)
    items: list[dict[str, Any]] = []
    h = top
    while h >= 0 and len(items) < limit:
        block = node.block(h)
        if block is not None:
            items.append(_summary(block))
        h -= 1
    next_cursor = encode_cursor(str(h + 1)) if h >= 0 else None
    return {"items": items, "next_cursor": next_cursor}


@router.get("/blocks/{height}", summary="One block: header, signature, transaction results")
def block(height: int, request: Request, who: Principal = Depends(principal)) -> dict[str, Any]:
    node = _node(request)
    found = node.block(height) if 0 <= height <= node.height() else None
    if found is None:
        raise NotFound("BLOCK_NOT_FOUND", f"no block at height {height}")
    return dict(found)


def _tx_id(tx_id: str) -> str:
    if len(tx_id) != 64 or any(c not in "0123456789abcdef" for c in tx_id):
        raise NotFound("TX_NOT_FOUND", "a transaction id is 64 lowercase hex characters")
    return tx_id


@router.get("/transactions/{tx_id}", summary="One committed transaction with its envelope")
def transaction(tx_id: str, request: Request, who: Principal = Depends(principal)) -> Any:
    node = _node(request)
    found = node.tx(_tx_id(tx_id))
    if found is None:
        raise NotFound("TX_NOT_FOUND", f"no committed transaction {tx_id}")
    envelope = found.get("tx")
    if isinstance(envelope, dict):
        shown = visibility.envelope_view(who, node, envelope)
        if shown is not None and shown.get("redacted"):
            # A private record's transaction: as absent as the record itself (I-18).
            raise NotFound("TX_NOT_FOUND", f"no committed transaction {tx_id}")
        found = {**found, "tx": shown}
    return found


@router.get("/transactions/{tx_id}/status", summary="pending, valid or invalid (with code)")
def transaction_status(
    tx_id: str, request: Request, who: Principal = Depends(principal)
) -> dict[str, Any]:
    found = _node(request).status(_tx_id(tx_id))
    if found is None:
        raise NotFound("TX_NOT_FOUND", f"the node knows no transaction {tx_id}")
    return dict(found)


@router.get("/transactions/{tx_id}/proof", summary="Merkle inclusion proof (RFC 9162)")
def transaction_proof(
    tx_id: str, request: Request, who: Principal = Depends(principal)
) -> dict[str, Any]:
    found = _node(request).proof(_tx_id(tx_id))
    if found is None:
        raise NotFound("TX_NOT_FOUND", f"no committed transaction {tx_id}")
    return dict(found)


def _event(block_event: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(
        data=json.dumps(block_event, separators=(",", ":"), sort_keys=True),
        event="block",
        id=str(block_event["height"]),
    )


def _event_of_block(block: dict[str, Any]) -> dict[str, Any]:
    header = block["header"]
    return {
        "height": header["height"],
        "block_hash": block["block_hash"],
        "time": header["time"],
        "txs": [
            {k: t.get(k) for k in ("tx_id", "type", "status", "code", "signer")}
            for t in block["transactions"]
        ],
    }


@router.get(
    "/events",
    summary="Server-sent events: one 'block' event per committed block",
    response_class=EventSourceResponse,
)
async def events(
    request: Request,
    who: Principal = Depends(principal),
    since: int | None = Query(
        None, ge=-1, description="replay committed blocks after this height first"
    ),
    max_events: int | None = Query(
        None, ge=1, le=100_000, description="end the stream after this many events"
    ),
) -> EventSourceResponse:
    """Each event: ``event: block``, ``id: <height>``, ``data:`` the block's summary
    (``height``, ``block_hash``, ``time``, ``txs`` with ``tx_id``, ``type``,
    ``status``, ``code``, ``signer``). ``Last-Event-ID`` resumes after that height."""
    node = _node(request)
    last_id = request.headers.get("last-event-id")
    if since is None and last_id is not None and last_id.isdigit():
        since = int(last_id)
    return EventSourceResponse(_stream(node, since, max_events), ping=15)


async def _stream(
    node: Any, since: int | None, max_events: int | None
) -> AsyncIterator[ServerSentEvent]:
    """Blocks after ``since`` from the store, then live ones; the client's disconnect
    cancels this generator (sse-starlette), which closes the subscription."""
    sent = 0
    last = -1
    sub = node.subscribe()
    try:
        if since is not None:
            # Subscribed before reading the history, so no block falls in between.
            for height in range(since + 1, node.height() + 1):
                found = await anyio.to_thread.run_sync(node.block, height)
                if found is None:
                    continue
                yield _event(_event_of_block(found))
                last, sent = height, sent + 1
                if max_events is not None and sent >= max_events:
                    return
        while True:
            # A non-blocking take and a sleep: an open stream must not hold a worker
            # thread, or a few dashboards would starve every other request.
            item = sub.get(0)
            if item is None:
                await anyio.sleep(POLL_SECONDS)
                continue
            if item["height"] <= last:
                continue
            yield _event(item)
            last, sent = item["height"], sent + 1
            if max_events is not None and sent >= max_events:
                return
    finally:
        sub.close()
