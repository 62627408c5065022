"""Finance: warehouse receipts and pledges of lots or receipts to a bank.

Transaction types: ``receipt.issue``, ``receipt.surrender``, ``pledge.create``,
``pledge.accept``, ``pledge.release``, ``pledge.enforce``
(docs/transactions/finance.md).

Invariant 2: at most one pledge per lot or receipt, and a pledged lot moves only with the
bank. The same goods pledged to several banks (Shanghai 2012-2014, Qingdao 2014) is made
impossible at the *offer*: a pledge that is offered reserves its collateral through
``idx/pledge-lot/{lot}`` and ``receipt.pledge``, so a second offer fails with
``PLEDGE_EXISTS`` before any bank could accept it. ``lot.pledge`` is set only while a
pledge is active; the other contracts (trade, logistics, transformation) refuse a lot
whose ``lot.pledge`` is set.

A pledge of a receipt covers every lot of the receipt: on acceptance each lot's
``lot.pledge`` is set too, so the guards elsewhere need not know about receipts.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import roles, schema
from steeltrace.core.contracts import _lotrules as lr
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

PLEDGOR_ROLES = frozenset({roles.TRADER, roles.BUYER, roles.MILL, roles.PROCESSOR})
HOLDER_ROLES = PLEDGOR_ROLES | {roles.BANK}
OPEN = ("offered", "active")


def receipt_key(receipt_id: str) -> str:
    return f"receipt/{receipt_id}"


def pledge_key(pledge_id: str) -> str:
    return f"pledge/{pledge_id}"


def _lot_reservation_key(lot_id: str) -> str:
    return f"idx/pledge-lot/{lot_id}"


def _load(state: StateView, key: str, code: str, what: str) -> dict[str, Any]:
    record = state.get(key)
    if record is None:
        raise Rejected(code, f"{what} does not exist")
    return dict(record)


# ---------------------------------------------------------------- receipts


@contract("receipt.issue", roles={roles.WAREHOUSE}, summary="issue a warehouse receipt")
def issue_receipt(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """A warehouse issues a receipt for lots it holds, to their owner.

    1. the id is new (``RECEIPT_EXISTS``); ``to`` is an active member
       (``RECEIPT_HOLDER_UNKNOWN``);
    2. per lot: exists, active, held by the signer (``RECEIPT_NOT_CUSTODIAN``), owned by
       ``to`` (``RECEIPT_NOT_OWNER``), not already under a receipt
       (``LOT_UNDER_RECEIPT``), not pledged or reserved for a pledge (``LOT_PLEDGED``,
       ``PLEDGE_EXISTS``): a receipt must not become a second claim on pledged goods.
    """
    p = schema.fields(
        payload,
        {"receipt_id": schema.ident, "lots": lr.lot_ids, "to": schema.ident},
        {"place": lr.locode},
    )
    if state.get(receipt_key(p["receipt_id"])) is not None:
        raise Rejected("RECEIPT_EXISTS", f"receipt {p['receipt_id']!r} already exists")
    lr.active_org(state, p["to"], "RECEIPT_HOLDER_UNKNOWN", "holder")
    writes: WriteSet = {}
    for lot in lr.load_lots(state, p["lots"]):
        lr.require_active(lot)
        lr.require_custodian(lot, ctx.signer_org, "RECEIPT_NOT_CUSTODIAN")
        lr.require_owner(lot, p["to"], "RECEIPT_NOT_OWNER")
        lr.require_no_receipt(lot)
        lr.require_unpledged(state, lot, ctx)
        _require_unreserved(state, lot["id"])
        lot["receipt"] = p["receipt_id"]
        writes[lr.lot_key(lot["id"])] = lr.stamp(lot, ctx)
    record = {
        "id": p["receipt_id"],
        "warehouse": ctx.signer_org,
        "holder": p["to"],
        "lots": p["lots"],
        "place": p.get("place"),
        "status": "issued",
        "pledge": None,
        "issued_at": lr.now(ctx),
        "surrendered_at": None,
    }
    writes[receipt_key(p["receipt_id"])] = lr.stamp(record, ctx)
    return writes


@contract("receipt.surrender", roles=HOLDER_ROLES, summary="surrender a warehouse receipt")
def surrender_receipt(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The holder hands the receipt back so the goods can leave the warehouse: only the
    holder (``RECEIPT_NOT_HOLDER``), only an issued receipt (``RECEIPT_NOT_ISSUED``), never
    while it is pledged or offered as collateral (``RECEIPT_PLEDGED``)."""
    p = schema.fields(payload, {"receipt_id": schema.ident})
    receipt = _load(
        state, receipt_key(p["receipt_id"]), "RECEIPT_UNKNOWN", f"receipt {p['receipt_id']!r}"
    )
    if receipt["holder"] != ctx.signer_org:
        raise Rejected("RECEIPT_NOT_HOLDER", f"receipt is held by {receipt['holder']}")
    if receipt["status"] != "issued":
        raise Rejected("RECEIPT_NOT_ISSUED", f"receipt is {receipt['status']}")
    if receipt.get("pledge"):
        raise Rejected("RECEIPT_PLEDGED", f"receipt is collateral for pledge {receipt['pledge']!r}")
    writes: WriteSet = {}
    for lot in lr.load_lots(state, receipt["lots"]):
        if lot.get("receipt") == receipt["id"]:
            lot["receipt"] = None
            writes[lr.lot_key(lot["id"])] = lr.stamp(lot, ctx)
    receipt["status"] = "surrendered"
    receipt["surrendered_at"] = lr.now(ctx)
    writes[receipt_key(receipt["id"])] = lr.stamp(receipt, ctx)
    return writes


# ---------------------------------------------------------------- pledges


def _require_unreserved(state: StateView, lot_id: str) -> None:
    reservation = state.get(_lot_reservation_key(lot_id))
    if reservation is not None:
        raise Rejected(
            "PLEDGE_EXISTS",
            f"lot {lot_id!r} is already collateral for pledge {reservation['pledge']!r}",
        )


def _check_collateral(
    state: StateView, ctx: TxContext, lots: list[dict[str, Any]], pledgor: str
) -> None:
    for lot in lots:
        lr.require_active(lot)
        lr.require_owner(lot, pledgor, "PLEDGE_NOT_OWNER")
        if lot.get("pledge"):
            raise Rejected(
                "PLEDGE_EXISTS", f"lot {lot['id']!r} is already pledged ({lot['pledge']!r})"
            )


@contract("pledge.create", roles=PLEDGOR_ROLES, summary="offer lots or a receipt as collateral")
def create_pledge(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The owner of lots (or holder of a receipt) offers them to a bank.

    1. exactly one of ``lots`` and ``receipt_id`` (``PLEDGE_COLLATERAL_INVALID``);
    2. the id is new (``PLEDGE_ID_EXISTS``); the bank is an active member with the bank
       role (``PLEDGE_BANK_UNKNOWN``, ``PLEDGE_NOT_A_BANK``);
    3. a receipt exists, is issued, is held by the signer and not already collateral
       (``RECEIPT_UNKNOWN``, ``RECEIPT_NOT_ISSUED``, ``PLEDGE_NOT_HOLDER``,
       ``PLEDGE_EXISTS``); lots named directly are not under a receipt
       (``LOT_UNDER_RECEIPT``: pledge the receipt instead);
    4. per lot: active (S-09), owned by the signer (``PLEDGE_NOT_OWNER``), neither pledged
       nor offered in another pledge (``PLEDGE_EXISTS``, S-03).
    """
    p = schema.fields(
        payload,
        {"pledge_id": schema.ident, "bank": schema.ident},
        {
            "lots": lr.lot_ids,
            "receipt_id": schema.ident,
            "amount": lr.money,
            "maturity": schema.date,
        },
    )
    if ("lots" in p) == ("receipt_id" in p):
        raise Rejected(
            "PLEDGE_COLLATERAL_INVALID", "name exactly one of lots and receipt_id as collateral"
        )
    if state.get(pledge_key(p["pledge_id"])) is not None:
        raise Rejected("PLEDGE_ID_EXISTS", f"pledge {p['pledge_id']!r} already exists")
    bank = lr.active_org(state, p["bank"], "PLEDGE_BANK_UNKNOWN", "bank")
    if not lr.has_role(bank, roles.BANK):
        raise Rejected("PLEDGE_NOT_A_BANK", f"{p['bank']} does not hold the bank role")

    writes: WriteSet = {}
    receipt_id = p.get("receipt_id")
    if receipt_id is not None:
        receipt = _load(
            state, receipt_key(receipt_id), "RECEIPT_UNKNOWN", f"receipt {receipt_id!r}"
        )
        if receipt["status"] != "issued":
            raise Rejected("RECEIPT_NOT_ISSUED", f"receipt is {receipt['status']}")
        if receipt["holder"] != ctx.signer_org:
            raise Rejected("PLEDGE_NOT_HOLDER", f"receipt is held by {receipt['holder']}")
        if receipt.get("pledge"):
            raise Rejected(
                "PLEDGE_EXISTS", f"receipt is already collateral for {receipt['pledge']!r}"
            )
        lot_ids = list(receipt["lots"])
        lots = lr.load_lots(state, lot_ids)
        receipt["pledge"] = p["pledge_id"]
        writes[receipt_key(receipt_id)] = lr.stamp(receipt, ctx)
    else:
        lot_ids = list(p["lots"])
        lots = lr.load_lots(state, lot_ids)
        for lot in lots:
            lr.require_no_receipt(lot)
    _check_collateral(state, ctx, lots, ctx.signer_org)
    for lot_id in lot_ids:
        _require_unreserved(state, lot_id)
        writes[_lot_reservation_key(lot_id)] = {"lot": lot_id, "pledge": p["pledge_id"]}
    record = {
        "id": p["pledge_id"],
        "pledgor": ctx.signer_org,
        "bank": p["bank"],
        "lots": lot_ids,
        "receipt": receipt_id,
        "amount": p.get("amount"),
        "maturity": p.get("maturity"),
        "status": "offered",
        "offered_at": lr.now(ctx),
        "accepted_at": None,
        "closed_at": None,
        "enforced_to": None,
        "reason": None,
    }
    writes[pledge_key(p["pledge_id"])] = lr.stamp(record, ctx)
    return writes


def _load_pledge(state: StateView, ctx: TxContext, pledge_id: str) -> dict[str, Any]:
    pledge = _load(state, pledge_key(pledge_id), "PLEDGE_UNKNOWN", f"pledge {pledge_id!r}")
    if pledge["bank"] != ctx.signer_org:
        raise Rejected("PLEDGE_NOT_BANK", f"only the bank {pledge['bank']} may act on this pledge")
    return pledge


@contract("pledge.accept", roles={roles.BANK}, summary="accept an offered pledge")
def accept_pledge(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The bank accepts: only its bank (``PLEDGE_NOT_BANK``), only an offered pledge
    (``PLEDGE_NOT_OFFERED``), and only if the collateral is still the pledgor's and
    active (``PLEDGE_NOT_OWNER``, ``LOT_NOT_ACTIVE``). Sets ``lot.pledge`` on every lot."""
    p = schema.fields(payload, {"pledge_id": schema.ident})
    pledge = _load_pledge(state, ctx, p["pledge_id"])
    if pledge["status"] != "offered":
        raise Rejected("PLEDGE_NOT_OFFERED", f"pledge is {pledge['status']}, not offered")
    writes: WriteSet = {}
    lots = lr.load_lots(state, pledge["lots"])
    _check_collateral(state, ctx, lots, pledge["pledgor"])
    for lot in lots:
        lot["pledge"] = pledge["id"]
        writes[lr.lot_key(lot["id"])] = lr.stamp(lot, ctx)
    pledge["status"] = "active"
    pledge["accepted_at"] = lr.now(ctx)
    writes[pledge_key(pledge["id"])] = lr.stamp(pledge, ctx)
    return writes


def _close(
    state: StateView, ctx: TxContext, pledge: dict[str, Any], status: str, reason: str | None
) -> WriteSet:
    """Free the collateral: clear ``lot.pledge``, the reservations and ``receipt.pledge``."""
    writes: WriteSet = {}
    for lot_id in pledge["lots"]:
        reservation = state.get(_lot_reservation_key(lot_id))
        if reservation is not None and reservation.get("pledge") == pledge["id"]:
            writes[_lot_reservation_key(lot_id)] = None
        lot = state.get(lr.lot_key(lot_id))
        if lot is not None and lot.get("pledge") == pledge["id"]:
            updated = dict(lot)
            updated["pledge"] = None
            writes[lr.lot_key(lot_id)] = lr.stamp(updated, ctx)
    if pledge.get("receipt"):
        receipt = state.get(receipt_key(pledge["receipt"]))
        if receipt is not None and receipt.get("pledge") == pledge["id"]:
            updated_receipt = dict(receipt)
            updated_receipt["pledge"] = None
            writes[receipt_key(pledge["receipt"])] = lr.stamp(updated_receipt, ctx)
    pledge["status"] = status
    pledge["closed_at"] = lr.now(ctx)
    pledge["reason"] = reason
    writes[pledge_key(pledge["id"])] = lr.stamp(pledge, ctx)
    return writes


@contract("pledge.release", roles={roles.BANK}, summary="release a pledge (repaid or declined)")
def release_pledge(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The bank releases an active pledge on repayment, or declines an offered one
    (``PLEDGE_CLOSED`` once released or enforced). The collateral is free again."""
    p = schema.fields(payload, {"pledge_id": schema.ident}, {"reason": schema.text})
    pledge = _load_pledge(state, ctx, p["pledge_id"])
    if pledge["status"] not in OPEN:
        raise Rejected("PLEDGE_CLOSED", f"pledge is already {pledge['status']}")
    return _close(state, ctx, pledge, "released", p.get("reason"))


@contract(
    "pledge.withdraw", roles=PLEDGOR_ROLES, summary="withdraw a pledge offer not yet accepted"
)
def withdraw_pledge(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The pledgor takes back an offer the bank has not accepted (``PLEDGE_NOT_PLEDGOR``,
    ``PLEDGE_NOT_OFFERED``): the collateral is free again, for a sale or another bank."""
    p = schema.fields(payload, {"pledge_id": schema.ident}, {"reason": schema.text})
    pledge = _load(
        state, pledge_key(p["pledge_id"]), "PLEDGE_UNKNOWN", f"pledge {p['pledge_id']!r}"
    )
    if pledge["pledgor"] != ctx.signer_org:
        raise Rejected(
            "PLEDGE_NOT_PLEDGOR", f"only the pledgor {pledge['pledgor']} may withdraw this offer"
        )
    if pledge["status"] != "offered":
        raise Rejected(
            "PLEDGE_NOT_OFFERED",
            f"pledge is {pledge['status']}; only an offer not yet accepted can be withdrawn",
        )
    return _close(state, ctx, pledge, "withdrawn", p.get("reason"))


@contract("pledge.enforce", roles={roles.BANK}, summary="enforce a pledge on default")
def enforce_pledge(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """On default the bank takes the title, or gives it to a buyer it names (``to``).

    Only an active pledge (``PLEDGE_NOT_ACTIVE``); ``to`` an active member
    (``PLEDGE_RECIPIENT_UNKNOWN``); every lot still active. The title moves through the
    shared title history (``via: pledge.enforce``); a receipt's holder moves with it.
    """
    p = schema.fields(
        payload, {"pledge_id": schema.ident}, {"to": schema.ident, "reason": schema.text}
    )
    pledge = _load_pledge(state, ctx, p["pledge_id"])
    if pledge["status"] != "active":
        raise Rejected("PLEDGE_NOT_ACTIVE", f"pledge is {pledge['status']}, not active")
    to = p.get("to", ctx.signer_org)
    lr.active_org(state, to, "PLEDGE_RECIPIENT_UNKNOWN", "recipient")
    lots = lr.load_lots(state, pledge["lots"])
    for lot in lots:
        lr.require_active(lot)
        lr.require_unpledged(state, lot, ctx, bank_may_act=True)
    writes = _close(state, ctx, pledge, "enforced", p.get("reason"))
    for lot in lots:
        unpledged = dict(lot)
        unpledged["pledge"] = None
        writes.update(
            lr.change_title(unpledged, to, ctx, via="pledge.enforce", pledge_id=pledge["id"])
        )
    if pledge.get("receipt"):
        receipt = dict(
            writes.get(receipt_key(pledge["receipt"]))
            or state.get(receipt_key(pledge["receipt"]))
            or {}
        )
        if receipt:
            receipt["holder"] = to
            writes[receipt_key(pledge["receipt"])] = lr.stamp(receipt, ctx)
    pledge_record = dict(writes[pledge_key(pledge["id"])])
    pledge_record["enforced_to"] = to
    writes[pledge_key(pledge["id"])] = pledge_record
    return writes
