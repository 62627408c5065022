"""Reads of the world state: lists (cursor-paginated) and single records, scoped.

Every route needs a token; what a caller sees is decided by
:mod:`steeltrace.api.visibility` (a hidden record is a 404, exactly as a missing one, so
its existence does not leak). The lot's trace and origin report call the origin engine
on the node itself: ``Node.get`` makes the node a read-only state view.

Identifiers may hold ``/`` (they are ``schema.ident``), so single-record routes take the
rest of the path; the ``/trace`` and ``/origin`` routes are registered first so they win.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from steeltrace.api import visibility
from steeltrace.api.auth import Principal, principal
from steeltrace.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, page
from steeltrace.core.certificates.verification import verify_certificate
from steeltrace.errors import InvalidInput, NotFound

router = APIRouter(prefix="/v1", tags=["records"])

LimitQuery = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
CursorQuery = Query(None, max_length=2048, description="next_cursor of the previous page")
TRACE_MAX_LOTS = 2_000


def _node(request: Request) -> Any:
    return request.app.state.node


def _list(request: Request, who: Principal, prefix: str, limit: int, cursor: str | None) -> Any:
    def present(key: str, value: Any) -> dict[str, Any] | None:
        shown = visibility.record_view(who, key, value)
        if shown is None:
            return None
        return shown if isinstance(shown, dict) else {"key": key, "value": shown}

    return page(_node(request), prefix, limit=limit, cursor=cursor, present=present)


def _one(request: Request, who: Principal, key: str, what: str) -> Any:
    value = _node(request).get(key)
    shown = visibility.record_view(who, key, value) if value is not None else None
    if shown is None:
        raise NotFound(f"{what.upper()}_NOT_FOUND", f"no {what} {key.split('/', 1)[1]!r}")
    return shown


def _collection(path: str, prefix: str, what: str, plural: str, *, with_get: bool = True) -> None:
    """Register ``GET /v1/{path}`` (a page) and ``GET /v1/{path}/{id}`` (one record)."""

    def list_records(
        request: Request,
        who: Principal = Depends(principal),
        limit: int = LimitQuery,
        cursor: str | None = CursorQuery,
    ) -> Any:
        return _list(request, who, prefix, limit, cursor)

    def get_record(record_id: str, request: Request, who: Principal = Depends(principal)) -> Any:
        return _one(request, who, prefix + record_id, what)

    router.add_api_route(
        f"/{path}",
        list_records,
        methods=["GET"],
        name=f"list_{path}",
        summary=f"List {plural} (cursor-paginated)",
    )
    if not with_get:
        return
    router.add_api_route(
        f"/{path}/{{record_id:path}}",
        get_record,
        methods=["GET"],
        name=f"get_{what}",
        summary=f"One {what}",
    )


@router.get("/me", summary="The caller: user, organisation, role")
def me(who: Principal = Depends(principal)) -> dict[str, Any]:
    return {**who.user.to_dict(), "organisation": who.org_record}


@router.get("/lots/{lot_id:path}/trace", summary="A lot's genealogy up to its heats (bounded)")
def lot_trace(
    lot_id: str,
    request: Request,
    who: Principal = Depends(principal),
    max_lots: int = Query(TRACE_MAX_LOTS, ge=1, le=TRACE_MAX_LOTS),
) -> dict[str, Any]:
    from steeltrace.core.origin.genealogy import ancestors

    node = _node(request)
    _one(request, who, f"lot/{lot_id}", "lot")
    result: dict[str, Any] = _jsonable(ancestors(node, lot_id, limit=max_lots))
    return result


@router.get("/lots/{lot_id:path}/origin", summary="A lot's origin report")
def lot_origin(
    lot_id: str,
    request: Request,
    who: Principal = Depends(principal),
    regime: str = Query("default", max_length=64, description="an origin regime"),
    reference_country: str | None = Query(None, pattern=r"^[A-Z]{2}$"),
) -> dict[str, Any]:
    from steeltrace.core.origin.report import origin_report
    from steeltrace.core.origin.rules import regime_names

    if regime not in regime_names():
        raise InvalidInput(
            "REGIME_UNKNOWN",
            f"unknown origin regime {regime!r}; known: {', '.join(regime_names())}",
        )
    node = _node(request)
    _one(request, who, f"lot/{lot_id}", "lot")
    report: dict[str, Any] = _jsonable(
        origin_report(node, lot_id, regime, reference_country, limit=TRACE_MAX_LOTS)
    )
    return report


@router.get("/certificates/{cert_id:path}", summary="A certificate and its verification")
def certificate(
    cert_id: str, request: Request, who: Principal = Depends(principal)
) -> dict[str, Any]:
    record = _one(request, who, f"cert/{cert_id}", "certificate")
    return {"certificate": record, "verification": verify_certificate(_node(request), cert_id)}


@router.get("/heats/{mill}/{heat_no:path}", summary="One heat of one mill")
def heat(mill: str, heat_no: str, request: Request, who: Principal = Depends(principal)) -> Any:
    return _one(request, who, f"heat/{mill}/{heat_no}", "heat")


def _jsonable(value: Any) -> Any:
    """Results of the origin engine as JSON (dataclasses with ``to_dict``, Fractions)."""
    to_dict: Callable[[], Any] | None = getattr(value, "to_dict", None)
    if to_dict is not None:
        return _jsonable(to_dict())
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


_collection("organisations", "org/", "organisation", "member organisations")
_collection("facilities", "facility/", "facility", "facilities")
_collection("lots", "lot/", "lot", "lots")
_collection("certificates", "cert/", "certificate", "certificates", with_get=False)
_collection("contracts", "contract/", "contract", "purchase contracts (price for parties only)")
_collection("shipments", "shipment/", "shipment", "shipments")
_collection("declarations", "declaration/", "declaration", "customs declarations (scoped)")
_collection("receipts", "receipt/", "receipt", "warehouse receipts")
_collection("pledges", "pledge/", "pledge", "pledges (owner and bank only)")
_collection("heats", "heat/", "heat", "heats", with_get=False)
