"""Trade: purchase contracts between a buyer and a seller, and the transfer of title.

Transaction types: ``contract.propose``, ``contract.accept``, ``title.transfer``
(docs/transactions/trade.md).

A lot has exactly one owner (invariant 1); ``title.transfer`` is the only way an owner
hands a lot on, so selling a lot twice fails on the second attempt with
``TITLE_NOT_OWNER`` (S-02), whatever the order the transfers arrive in. Title history is
written through :func:`steeltrace.core.contracts._lotrules.change_title`.

Prices are commercially sensitive. They live in exactly one field of the contract record
(``price``) so that a later step can replace it with a salted hash
(``price_commitment``) without touching any rule here; API reads redact it for
non-parties. Nothing in this module reads the price.

Left to others: what a lot is made of (lots), physical custody (logistics), pledges
(finance, whose ``lot.pledge`` this module only respects).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from steeltrace.core import roles, schema
from steeltrace.core.contracts import _lotrules as lr
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

TRADING_ROLES = frozenset({roles.TRADER, roles.BUYER, roles.MILL, roles.PROCESSOR})
# A bank owns lots after enforcing a pledge and must be able to sell them on.
OWNER_ROLES = TRADING_ROLES | {roles.BANK}

INCOTERMS_2020 = ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF")


def _mm(value: Any, path: str) -> float | int:
    return schema.number(value, path, 0.0, 1e6)


_SPEC = schema.obj(
    {
        "grade": schema.text,
        "form": schema.ident,
        "hs": lr.hs_code,
        "dimensions": schema.mapping(schema.ident, _mm, 20),
    },
    {"tolerances": schema.mapping(schema.ident, _mm, 20)},
)
_PRICE = schema.obj(
    {"amount": lr.amount, "currency": schema.currency, "per": schema.one_of("t", "kg", "lot")}
)
_DELIVERY = schema.obj({"place": lr.locode, "window_start": schema.date, "window_end": schema.date})


def contract_key(contract_id: str) -> str:
    return f"contract/{contract_id}"


def _load_contract(state: StateView, contract_id: str) -> dict[str, Any]:
    record = state.get(contract_key(contract_id))
    if record is None:
        raise Rejected("CONTRACT_UNKNOWN", f"contract {contract_id!r} does not exist")
    return dict(record)


def _quantity_limit_kg(record: dict[str, Any]) -> Decimal:
    tolerance = Decimal(str(record["tolerance_pct"]))
    return Decimal(record["quantity_kg"]) * (100 + tolerance) / 100


@contract("contract.propose", roles=TRADING_ROLES, summary="propose a purchase contract")
def propose(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """Record a contract proposed by one of its two parties.

    1. shape: every field checked, unknown fields rejected;
    2. the id is new (``CONTRACT_EXISTS``);
    3. buyer and seller are distinct active members (``CONTRACT_SAME_PARTY``,
       ``CONTRACT_PARTY_UNKNOWN``) and the signer is one of them (``CONTRACT_NOT_PARTY``);
    4. the delivery window does not end before it starts (``CONTRACT_WINDOW_INVALID``).
    """
    p = schema.fields(
        payload,
        {
            "contract_id": schema.ident,
            "buyer": schema.ident,
            "seller": schema.ident,
            "spec": _SPEC,
            "quantity_kg": schema.kg,
            "tolerance_pct": lambda v, path: schema.number(v, path, 0.0, 100.0),
            "price": _PRICE,
            "incoterm": schema.one_of(*INCOTERMS_2020),
            "delivery": _DELIVERY,
        },
        {"payment_terms": schema.text},
    )
    if state.get(contract_key(p["contract_id"])) is not None:
        raise Rejected("CONTRACT_EXISTS", f"contract {p['contract_id']!r} already exists")
    if p["buyer"] == p["seller"]:
        raise Rejected("CONTRACT_SAME_PARTY", "buyer and seller must be different organisations")
    if ctx.signer_org not in (p["buyer"], p["seller"]):
        raise Rejected(
            "CONTRACT_NOT_PARTY",
            f"{ctx.signer_org} is neither the buyer nor the seller of the contract",
        )
    for party in ("buyer", "seller"):
        lr.active_org(state, p[party], "CONTRACT_PARTY_UNKNOWN", party)
    delivery = p["delivery"]
    if delivery["window_end"] < delivery["window_start"]:
        raise Rejected("CONTRACT_WINDOW_INVALID", "delivery.window_end is before window_start")
    record = {
        "id": p["contract_id"],
        "buyer": p["buyer"],
        "seller": p["seller"],
        "proposer": ctx.signer_org,
        "spec": p["spec"],
        "quantity_kg": p["quantity_kg"],
        "tolerance_pct": p["tolerance_pct"],
        "price": p["price"],  # the one sensitive field; see the module docstring
        "incoterm": p["incoterm"],
        "delivery": delivery,
        "payment_terms": p.get("payment_terms"),
        "status": "proposed",
        "proposed_at": lr.now(ctx),
        "accepted_at": None,
        "transferred_kg": 0,
        "lots": [],
    }
    return {contract_key(p["contract_id"]): lr.stamp(record, ctx)}


@contract("contract.accept", roles=TRADING_ROLES, summary="accept a proposed contract")
def accept(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The other party accepts: only the party that did not propose may
    (``CONTRACT_NOT_COUNTERPARTY``), and only once (``CONTRACT_NOT_PROPOSED``)."""
    p = schema.fields(payload, {"contract_id": schema.ident})
    record = _load_contract(state, p["contract_id"])
    counterparty = record["seller"] if record["proposer"] == record["buyer"] else record["buyer"]
    if ctx.signer_org != counterparty:
        raise Rejected(
            "CONTRACT_NOT_COUNTERPARTY",
            f"only {counterparty}, the party that did not propose, may accept this contract",
        )
    if record["status"] != "proposed":
        raise Rejected("CONTRACT_NOT_PROPOSED", f"contract is {record['status']}, not proposed")
    record["status"] = "accepted"
    record["accepted_at"] = lr.now(ctx)
    return {contract_key(record["id"]): lr.stamp(record, ctx)}


@contract("title.transfer", roles=OWNER_ROLES, summary="transfer the title of lots")
def transfer(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """Hand the title of one or more lots to another organisation.

    1. the recipient is another active member (``TITLE_RECIPIENT_UNKNOWN``,
       ``TITLE_SAME_OWNER``);
    2. under a contract: it is accepted, the signer is its seller and ``to`` its buyer,
       and the transfers stay within quantity plus tolerance;
    3. per lot: it exists, the signer owns it (``TITLE_NOT_OWNER``, S-02), it is active
       (``LOT_NOT_ACTIVE``, S-09), it is not pledged (``LOT_PLEDGED``, S-03) nor offered
       as collateral (``LOT_PLEDGE_OFFERED``: the pledgor withdraws the offer first, so a
       stale offer can never block the buyer's own financing);
    4. a lot under a warehouse receipt moves only with every lot of that receipt, and the
       receipt's holder moves with the title (the receipt is a document of title).
    """
    p = schema.fields(
        payload,
        {"lots": lr.lot_ids, "to": schema.ident},
        {"contract_id": schema.ident},
    )
    to = p["to"]
    lots = lr.load_lots(state, p["lots"])
    for lot in lots:
        lr.require_owner(lot, ctx.signer_org, "TITLE_NOT_OWNER")
    if to == ctx.signer_org:
        raise Rejected("TITLE_SAME_OWNER", "a lot cannot be transferred to its own owner")
    lr.active_org(state, to, "TITLE_RECIPIENT_UNKNOWN", "recipient")
    for lot in lots:
        lr.require_active(lot)
        lr.require_unpledged(state, lot, ctx)
        lr.require_no_pledge_offer(state, lot)
    writes: WriteSet = {}
    writes.update(_move_receipts(state, lots, p["lots"], to, ctx))
    contract_id = p.get("contract_id")
    if contract_id is not None:
        writes.update(_apply_to_contract(state, ctx, contract_id, lots, to))
    for lot in lots:
        writes.update(lr.change_title(lot, to, ctx, via="title.transfer", contract_id=contract_id))
    return writes


def _move_receipts(
    state: StateView, lots: list[dict[str, Any]], moving: list[str], to: str, ctx: TxContext
) -> WriteSet:
    writes: WriteSet = {}
    moving_set = set(moving)
    for receipt_id in sorted({lot["receipt"] for lot in lots if lot.get("receipt")}):
        receipt = state.get(f"receipt/{receipt_id}")
        if receipt is None:
            continue  # a dangling id: nothing to move
        missing = sorted(set(receipt["lots"]) - moving_set)
        if missing:
            raise Rejected(
                "LOT_UNDER_RECEIPT",
                f"warehouse receipt {receipt_id!r} also covers {', '.join(missing)}; "
                "transfer all its lots together or surrender the receipt first",
            )
        updated = dict(receipt)
        updated["holder"] = to
        writes[f"receipt/{receipt_id}"] = lr.stamp(updated, ctx)
    return writes


def _apply_to_contract(
    state: StateView, ctx: TxContext, contract_id: str, lots: list[dict[str, Any]], to: str
) -> WriteSet:
    record = _load_contract(state, contract_id)
    if record["status"] != "accepted":
        raise Rejected(
            "CONTRACT_NOT_ACCEPTED", f"contract {contract_id!r} is {record['status']}, not accepted"
        )
    if record["seller"] != ctx.signer_org or record["buyer"] != to:
        raise Rejected(
            "CONTRACT_PARTIES_MISMATCH",
            f"contract {contract_id!r} is from {record['seller']} to {record['buyer']}, "
            f"not from {ctx.signer_org} to {to}",
        )
    kg = sum(int(lot.get("remaining_kg") or 0) for lot in lots)
    total = int(record.get("transferred_kg") or 0) + kg
    if total > _quantity_limit_kg(record):
        raise Rejected(
            "CONTRACT_QUANTITY_EXCEEDED",
            f"{total} kg would exceed the contract's {record['quantity_kg']} kg "
            f"plus {record['tolerance_pct']} % tolerance",
        )
    record["transferred_kg"] = total
    record["lots"] = [*record.get("lots", []), *(lot["id"] for lot in lots)]
    return {contract_key(contract_id): lr.stamp(record, ctx)}
