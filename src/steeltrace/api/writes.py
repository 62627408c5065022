"""The write endpoints: a client-signed envelope, or a payload the node signs.

* ``POST /v1/transactions``  body = a signed envelope (docs/protocol: ``chain_id``,
  ``type``, ``payload``, ``signer``, ``nonce``, ``created_at``, ``signature``), passed to
  ``node.submit`` as it is; its ``signer.org`` must be the token's organisation.
* ``POST /v1/tx/{type}``     body = the payload; the node signs it with the key it holds
  for the token's organisation (embedded mode).

Either way, in this order: token (401), body limit (413), Idempotency-Key replay,
strict JSON (400), authorisation of the user's role for the type (403), the node's
pre-check (400/409/422), then by default a wait for the commit (docs/api.md, "Why wait
for the commit"): 201 when the transaction is in a block as valid, 409 or 422 with the
ledger's code when the block recorded it invalid, 202 with ``Location`` when the wait
timed out or ``?wait=false`` was asked for.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from steeltrace.api import body
from steeltrace.api.auth import Principal, authorise_write, principal
from steeltrace.api.idempotency import IdempotencyStore, StoredAnswer, fingerprint, validate_key
from steeltrace.api.problems import from_error, problem
from steeltrace.core.ledger.transaction import from_envelope
from steeltrace.errors import Forbidden, SteeltraceError

router = APIRouter(prefix="/v1", tags=["transactions"])

MAX_WAIT_SECONDS = 60.0
# Codes of payload-shape checks (steeltrace.core.schema): recorded invalid, they answer
# 422 like the pre-check's InvalidPayload; every other recorded rejection is a 409.
PAYLOAD_CODES = frozenset(
    {
        "COUNTRY_UNKNOWN",
        "CURRENCY_UNKNOWN",
        "IDENT_NOT_ASCII",
        "MASS_NOT_INTEGER",
        "PAYLOAD_INVALID",
        "PAYLOAD_MISSING_FIELD",
        "PAYLOAD_UNKNOWN_FIELD",
        "TEXT_FORBIDDEN_CHAR",
    }
)
REPLAY_HEADER = "Idempotent-Replayed"

_JSON_BODY = {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "committed in a block as valid"},
    202: {"description": "accepted for ordering; poll the Location for the final status"},
    400: {"description": "malformed JSON or envelope (problem details)"},
    401: {"description": "no or bad token"},
    403: {"description": "wrong organisation or role"},
    409: {"description": "rejected by a ledger rule (pre-check or recorded in the block)"},
    413: {"description": "body over the limit"},
    422: {"description": "payload of the wrong shape, or Idempotency-Key reused"},
}


def status_url(tx_id: str) -> str:
    return f"/v1/transactions/{tx_id}/status"


def _pending(tx_id: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"tx_id": tx_id, "status": "pending", "detail": detail, "status_url": status_url(tx_id)},
        status_code=202,
        headers={"Location": status_url(tx_id)},
    )


def answer_for(tx_id: str, result: dict[str, Any], instance: str) -> Response:
    """The HTTP answer for a final status from ``node.wait``."""
    if result.get("status") == "valid":
        return JSONResponse(
            {**result, "tx_id": tx_id, "status_url": status_url(tx_id)},
            status_code=201,
            headers={"Location": f"/v1/transactions/{tx_id}"},
        )
    code = str(result.get("code") or "REJECTED")
    status = 422 if result.get("kind") == "invalid_payload" or code in PAYLOAD_CODES else 409
    return problem(
        status,
        code,
        str(result.get("message") or "the ledger recorded this transaction as invalid"),
        instance,
        headers={"Location": f"/v1/transactions/{tx_id}"},
        tx_id=tx_id,
        tx_status="invalid",
        height=result.get("height"),
        index=result.get("index"),
    )


async def await_commit(node: Any, tx_id: str, timeout: float) -> dict[str, Any] | None:
    """The final status of ``tx_id`` once committed, or None after ``timeout`` seconds.

    The node calls back from its producer thread when the block commits
    (``notify_on_commit``), so a waiting writer holds no worker thread and adds no
    polling delay; a burst of waiting writers cannot starve the reads.
    """
    loop = asyncio.get_running_loop()
    committed = asyncio.Event()
    node.notify_on_commit(tx_id, lambda: loop.call_soon_threadsafe(committed.set))
    with anyio.move_on_after(timeout):
        await committed.wait()
    result = node.status(tx_id)
    if result is not None and result.get("status") in ("valid", "invalid"):
        return dict(result)
    return None


async def _submit(request: Request, who: Principal, raw: bytes, tx_type: str | None) -> str:
    node = request.app.state.node
    limit: int = request.app.state.body_limit
    if tx_type is None:
        envelope = body.parse_object(raw, limit, "the envelope")
        tx = from_envelope(envelope)
        authorise_write(who, tx.type, tx.signer_org)
        return str(await run_in_threadpool(node.submit, envelope))
    payload = body.parse_object(raw, limit, "the payload")
    authorise_write(who, tx_type)
    if who.org not in node.held_orgs():
        raise Forbidden(
            "ORG_KEY_NOT_HELD",
            f"this node does not hold a signing key for {who.org}; sign the transaction "
            "yourself and POST the envelope to /v1/transactions",
        )
    return str(await run_in_threadpool(node.submit_as, who.org, tx_type, payload))


async def _process(
    request: Request, who: Principal, raw: bytes, tx_type: str | None, wait: bool, timeout: float
) -> Response:
    instance = request.url.path
    try:
        body.check_content_type(request)
        tx_id = await _submit(request, who, raw, tx_type)
        if not wait:
            return _pending(tx_id, "accepted for ordering; not waited for")
        result = await await_commit(request.app.state.node, tx_id, timeout)
    except SteeltraceError as e:
        return from_error(e, instance)
    if result is None or result.get("status") not in ("valid", "invalid"):
        return _pending(tx_id, f"not committed within {timeout:g} s; poll the status URL")
    return answer_for(tx_id, result, instance)


def _stored(response: Response) -> StoredAnswer:
    headers = {
        k: v for k, v in response.headers.items() if k.lower() in ("content-type", "location")
    }
    return StoredAnswer(response.status_code, headers, bytes(response.body))


def _replay(answer: StoredAnswer) -> Response:
    return Response(
        answer.body,
        status_code=answer.status,
        headers={**answer.headers, REPLAY_HEADER: "true"},
    )


async def _write(
    request: Request, who: Principal, tx_type: str | None, wait: bool, timeout: float
) -> Response:
    limit: int = request.app.state.body_limit
    raw = await body.read_limited(request, limit)
    key = request.headers.get("idempotency-key")
    if key is None:
        return await _process(request, who, raw, tx_type, wait, timeout)
    validate_key(key)
    store: IdempotencyStore = request.app.state.idempotency
    fp = fingerprint(request.method, request.url.path, raw)
    earlier = await run_in_threadpool(store.claim, who.user.id, key, fp)
    if earlier is not None:
        return _replay(earlier)
    try:
        response = await _process(request, who, raw, tx_type, wait, timeout)
    except BaseException:
        store.release(who.user.id, key)
        raise
    await run_in_threadpool(store.finish, who.user.id, key, _stored(response))
    return response


WaitQuery = Query(True, description="wait for the commit (201) instead of answering 202")
TimeoutQuery = Query(10.0, gt=0, le=MAX_WAIT_SECONDS, description="seconds to wait for the commit")


@router.post(
    "/transactions",
    status_code=201,
    summary="Submit a client-signed transaction envelope",
    openapi_extra={"requestBody": _JSON_BODY},
    responses=_WRITE_RESPONSES,
)
async def submit_envelope(
    request: Request,
    who: Principal = Depends(principal),
    wait: bool = WaitQuery,
    timeout: float = TimeoutQuery,
) -> Response:
    return await _write(request, who, None, wait, timeout)


@router.post(
    "/tx/{tx_type}",
    status_code=201,
    summary="Submit a payload; the node signs it for the token's organisation",
    openapi_extra={"requestBody": _JSON_BODY},
    responses=_WRITE_RESPONSES,
)
async def submit_payload(
    request: Request,
    tx_type: str,
    who: Principal = Depends(principal),
    wait: bool = WaitQuery,
    timeout: float = TimeoutQuery,
) -> Response:
    return await _write(request, who, tx_type, wait, timeout)
