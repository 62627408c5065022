"""Logistics: shipments under a bill of lading, and custody hand-overs.

Transaction types: ``shipment.create``, ``shipment.depart``, ``shipment.arrive``,
``custody.handover``, ``custody.accept`` (docs/transactions/logistics.md).

Custody (who physically holds a lot, ``lot.custodian``) is separate from title
(``lot.owner``): nothing here changes an owner. A custody change takes two signatures:
the current custodian offers (``custody.handover``), the receiver confirms
(``custody.accept``). A pledged lot is never moved out (invariant 2): it cannot be booked
on a shipment, depart, or be handed over while ``lot.pledge`` is set.

Indexes written: ``idx/bl/{carrier}/{bl_number}`` -> shipment id, so a bill of lading
number is unique per carrier.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import roles, schema
from steeltrace.core.contracts import _lotrules as lr
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

MODES = ("sea", "rail", "road", "air", "inland-water")
HOLDER_ROLES = frozenset(
    {roles.CARRIER, roles.WAREHOUSE, roles.MILL, roles.PROCESSOR, roles.TRADER, roles.BUYER}
)


def shipment_key(shipment_id: str) -> str:
    return f"shipment/{shipment_id}"


def handover_key(handover_id: str) -> str:
    return f"handover/{handover_id}"


def _load_shipment(state: StateView, ctx: TxContext, shipment_id: str) -> dict[str, Any]:
    record = state.get(shipment_key(shipment_id))
    if record is None:
        raise Rejected("SHIPMENT_UNKNOWN", f"shipment {shipment_id!r} does not exist")
    if record["carrier"] != ctx.signer_org:
        raise Rejected(
            "SHIPMENT_NOT_CARRIER", f"only the carrier {record['carrier']} may record its events"
        )
    return dict(record)


def _port(value: str, path: str) -> str:
    if not lr.is_port(value):
        raise Rejected(
            "SHIPMENT_NOT_A_PORT", f"{path}: {value} is not a port (UN/LOCODE function 1)"
        )
    return value


def _movable(state: StateView, ctx: TxContext, lot: dict[str, Any]) -> None:
    lr.require_in_commerce(lot)
    lr.require_unpledged(state, lot, ctx)


def _require_not_in_transit(state: StateView, lot: dict[str, Any]) -> None:
    """A lot is in transit from its shipment's departure until its arrival."""
    current = lot.get("shipment")
    if not current:
        return
    other = state.get(shipment_key(current))
    if other is not None and other.get("status") == "departed":
        raise Rejected(
            "LOT_IN_SHIPMENT", f"lot {lot['id']!r} is in transit on shipment {current!r}"
        )


@contract("shipment.create", roles={roles.CARRIER}, summary="book lots on a shipment")
def create(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """A carrier books lots under a bill of lading.

    1. the carrier named is the signer (``SHIPMENT_NOT_CARRIER``);
    2. the shipment id and the carrier's bill of lading number are new
       (``SHIPMENT_EXISTS``, ``SHIPMENT_BL_EXISTS``);
    3. both ends are ports and differ (``SHIPMENT_NOT_A_PORT``, ``SHIPMENT_SAME_PORT``);
    4. every lot is active, unpledged and not in transit on another shipment
       (``LOT_NOT_ACTIVE``, ``LOT_PLEDGED``, ``LOT_IN_SHIPMENT``).

    Booking does not touch the lots: a booking is only the carrier's plan, so a carrier
    that does not hold the lots cannot tie them up. ``lot.shipment`` is set on departure.
    """
    p = schema.fields(
        payload,
        {
            "shipment_id": schema.ident,
            "carrier": schema.ident,
            "mode": schema.one_of(*MODES),
            "bl_number": schema.ident,
            "port_of_loading": lr.locode,
            "port_of_discharge": lr.locode,
            "lots": lr.lot_ids,
        },
    )
    if p["carrier"] != ctx.signer_org:
        raise Rejected(
            "SHIPMENT_NOT_CARRIER",
            f"payload names carrier {p['carrier']}, signed by {ctx.signer_org}",
        )
    if state.get(shipment_key(p["shipment_id"])) is not None:
        raise Rejected("SHIPMENT_EXISTS", f"shipment {p['shipment_id']!r} already exists")
    bl_key = f"idx/bl/{ctx.signer_org}/{p['bl_number']}"
    if state.get(bl_key) is not None:
        raise Rejected(
            "SHIPMENT_BL_EXISTS",
            f"{ctx.signer_org} already issued bill of lading {p['bl_number']!r}",
        )
    _port(p["port_of_loading"], "payload.port_of_loading")
    _port(p["port_of_discharge"], "payload.port_of_discharge")
    if p["port_of_loading"] == p["port_of_discharge"]:
        raise Rejected("SHIPMENT_SAME_PORT", "port_of_loading and port_of_discharge are the same")
    writes: WriteSet = {}
    for lot in lr.load_lots(state, p["lots"]):
        _movable(state, ctx, lot)
        _require_not_in_transit(state, lot)
    at = lr.now(ctx)
    record = {
        "id": p["shipment_id"],
        "carrier": ctx.signer_org,
        "mode": p["mode"],
        "bl_number": p["bl_number"],
        "port_of_loading": p["port_of_loading"],
        "port_of_discharge": p["port_of_discharge"],
        "lots": p["lots"],
        "status": "booked",
        "created_at": at,
        "departed_at": None,
        "arrived_at": None,
        "events": [
            {
                "event": "booked",
                "at": at,
                "place": p["port_of_loading"],
                "height": ctx.height,
                "tx_id": ctx.tx_id,
            }
        ],
    }
    writes[shipment_key(p["shipment_id"])] = lr.stamp(record, ctx)
    writes[bl_key] = {
        "carrier": ctx.signer_org,
        "bl_number": p["bl_number"],
        "shipment": p["shipment_id"],
    }
    return writes


_EVENT = {"shipment_id": schema.ident, "at": schema.timestamp, "place": lr.locode}


def _event_time(ctx: TxContext, at: str, after: str | None) -> None:
    when = schema.parse_time(at)
    if when > ctx.block_time:
        raise Rejected("SHIPMENT_TIME_IN_FUTURE", f"event time {at} is after the block time")
    if after is not None and when < schema.parse_time(after):
        raise Rejected(
            "SHIPMENT_TIME_ORDER", f"event time {at} is before the previous event {after}"
        )


def _event(record: dict[str, Any], ctx: TxContext, name: str, at: str, place: str) -> None:
    record["events"] = [
        *record["events"],
        {"event": name, "at": at, "place": place, "height": ctx.height, "tx_id": ctx.tx_id},
    ]


@contract("shipment.depart", roles={roles.CARRIER}, summary="record a shipment's departure")
def depart(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The carrier records departure from the port of loading.

    Only a booked shipment departs (``SHIPMENT_ALREADY_DEPARTED``), from its port of
    loading (``SHIPMENT_PLACE_MISMATCH``), not in the future nor before it was booked
    (``SHIPMENT_TIME_IN_FUTURE``, ``SHIPMENT_TIME_ORDER``), holding every lot
    (``SHIPMENT_NOT_CUSTODIAN``), none of them pledged, inactive or in transit on another
    shipment meanwhile. Sets ``lot.shipment``.
    """
    p = schema.fields(payload, _EVENT)
    record = _load_shipment(state, ctx, p["shipment_id"])
    if record["status"] != "booked":
        raise Rejected("SHIPMENT_ALREADY_DEPARTED", f"shipment is {record['status']}")
    if p["place"] != record["port_of_loading"]:
        raise Rejected(
            "SHIPMENT_PLACE_MISMATCH",
            f"departure from {p['place']}, but the port of loading is {record['port_of_loading']}",
        )
    _event_time(ctx, p["at"], record["created_at"])
    writes: WriteSet = {}
    for lot in lr.load_lots(state, record["lots"]):
        _movable(state, ctx, lot)
        lr.require_custodian(lot, ctx.signer_org, "SHIPMENT_NOT_CUSTODIAN")
        _require_not_in_transit(state, lot)
        lot["shipment"] = record["id"]
        writes[lr.lot_key(lot["id"])] = lr.stamp(lot, ctx)
    record["status"] = "departed"
    record["departed_at"] = p["at"]
    _event(record, ctx, "departed", p["at"], p["place"])
    writes[shipment_key(record["id"])] = lr.stamp(record, ctx)
    return writes


@contract("shipment.arrive", roles={roles.CARRIER}, summary="record a shipment's arrival")
def arrive(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The carrier records arrival at the port of discharge: only after departure
    (``SHIPMENT_NOT_DEPARTED``), at that port, not before the departure time."""
    p = schema.fields(payload, _EVENT)
    record = _load_shipment(state, ctx, p["shipment_id"])
    if record["status"] != "departed":
        raise Rejected("SHIPMENT_NOT_DEPARTED", f"shipment is {record['status']}, not departed")
    if p["place"] != record["port_of_discharge"]:
        raise Rejected(
            "SHIPMENT_PLACE_MISMATCH",
            f"arrival at {p['place']}, but the port of discharge is {record['port_of_discharge']}",
        )
    _event_time(ctx, p["at"], record["departed_at"])
    record["status"] = "arrived"
    record["arrived_at"] = p["at"]
    _event(record, ctx, "arrived", p["at"], p["place"])
    return {shipment_key(record["id"]): lr.stamp(record, ctx)}


@contract("custody.handover", roles=HOLDER_ROLES, summary="offer custody of lots to another org")
def handover(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The current custodian offers lots to ``to``; custody moves on ``custody.accept``.

    Rejected: an existing id (``HANDOVER_EXISTS``), an unknown or same receiver
    (``CUSTODY_RECIPIENT_UNKNOWN``, ``CUSTODY_SAME_ORG``), a signer that does not hold
    every lot (``CUSTODY_NOT_CUSTODIAN``), a lot inactive, pledged or under a warehouse
    receipt (``LOT_NOT_ACTIVE``, ``LOT_PLEDGED``, ``LOT_UNDER_RECEIPT``).
    """
    p = schema.fields(
        payload,
        {"handover_id": schema.ident, "lots": lr.lot_ids, "to": schema.ident},
        {"place": lr.locode},
    )
    if state.get(handover_key(p["handover_id"])) is not None:
        raise Rejected("HANDOVER_EXISTS", f"hand-over {p['handover_id']!r} already exists")
    if p["to"] == ctx.signer_org:
        raise Rejected("CUSTODY_SAME_ORG", "a lot cannot be handed over to its own custodian")
    lr.active_org(state, p["to"], "CUSTODY_RECIPIENT_UNKNOWN", "receiver")
    for lot in lr.load_lots(state, p["lots"]):
        _check_handover_lot(state, ctx, lot, ctx.signer_org)
    record = {
        "id": p["handover_id"],
        "from": ctx.signer_org,
        "to": p["to"],
        "lots": p["lots"],
        "place": p.get("place"),
        "status": "offered",
        "offered_at": lr.now(ctx),
        "accepted_at": None,
    }
    return {handover_key(p["handover_id"]): lr.stamp(record, ctx)}


def _check_handover_lot(
    state: StateView, ctx: TxContext, lot: dict[str, Any], custodian: str
) -> None:
    lr.require_custodian(lot, custodian, "CUSTODY_NOT_CUSTODIAN")
    lr.require_in_commerce(lot)
    lr.require_unpledged(state, lot, ctx)
    lr.require_no_receipt(lot)


@contract("custody.accept", roles=HOLDER_ROLES, summary="confirm receipt of handed-over lots")
def accept(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The receiver confirms; every check of the offer is made again, against the state
    now, so a stale offer (the lots moved, were pledged or consumed since) fails with the
    same codes rather than moving goods the offerer no longer holds."""
    p = schema.fields(payload, {"handover_id": schema.ident})
    record = state.get(handover_key(p["handover_id"]))
    if record is None:
        raise Rejected("HANDOVER_UNKNOWN", f"hand-over {p['handover_id']!r} does not exist")
    record = dict(record)
    if record["to"] != ctx.signer_org:
        raise Rejected(
            "CUSTODY_NOT_RECIPIENT", f"only {record['to']}, the receiver, may accept this hand-over"
        )
    if record["status"] != "offered":
        raise Rejected("HANDOVER_CLOSED", f"hand-over is {record['status']}, not offered")
    writes: WriteSet = {}
    for lot in lr.load_lots(state, record["lots"]):
        _check_handover_lot(state, ctx, lot, record["from"])
        lot["custodian"] = ctx.signer_org
        writes[lr.lot_key(lot["id"])] = lr.stamp(lot, ctx)
    record["status"] = "accepted"
    record["accepted_at"] = lr.now(ctx)
    writes[handover_key(record["id"])] = lr.stamp(record, ctx)
    return writes
