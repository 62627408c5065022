"""Guards on lots and the payload checkers shared by trade, logistics, customs and finance.

This module owns the questions every "goods move" contract asks of a lot record
(``lot/{id}``, docs/state.md): does it exist, is it active (S-09), who owns it, who holds
it, is it pledged (S-03, invariant 2), is it under a warehouse receipt. It also owns the
title history (``title/{lot}/{seq}``) because a title changes in two places
(``title.transfer`` and ``pledge.enforce``) and both must write the same record.

It leaves the lot's creation, mass and genealogy to the lots and transformation
contracts, and what each transaction means to its own module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from steeltrace.core import schema
from steeltrace.core.contracts.registry import TxContext
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

MAX_LOTS = 200  # per transaction: bounds the keys one contract reads

# ---------------------------------------------------------------- payload checkers

lot_ids = schema.list_of(schema.ident, 1, MAX_LOTS, unique=True)

_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,6})?$")


def amount(value: Any, path: str) -> str:
    """A positive decimal amount as a string ("612.50"): never a float, so no rounding."""
    if not isinstance(value, str) or not _AMOUNT.match(value):
        raise schema.bad(path, 'must be a decimal string like "612.50"', "AMOUNT_INVALID")
    if not any(ch not in "0." for ch in value):
        raise schema.bad(path, "must be greater than zero", "AMOUNT_INVALID")
    return value


money = schema.obj({"amount": amount, "currency": schema.currency})


def locode(value: Any, path: str) -> str:
    """A UN/LOCODE that exists (``CNSHA``)."""
    from steeltrace.core.reference.locode import is_locode

    if not isinstance(value, str) or not is_locode(value):
        raise schema.bad(path, f"{value!r} is not a known UN/LOCODE", "LOCODE_UNKNOWN")
    return value


def hs_code(value: Any, path: str) -> str:
    """An HS 2022 heading or subheading that exists, as canonical digits ("7208.39" ->
    "720839")."""
    from steeltrace.core.reference.hs import is_hs_code, normalize

    digits = normalize(value) if isinstance(value, str) else None
    if digits is None or not is_hs_code(digits):
        raise schema.bad(path, f"{value!r} is not an HS 2022 code", "HS_UNKNOWN")
    return digits


def is_port(code: str) -> bool:
    from steeltrace.core.reference.locode import is_port as _is_port

    return bool(_is_port(code))


def locode_country(code: str) -> str:
    from steeltrace.core.reference.locode import locode_country as _country

    return str(_country(code))


def share(value: Any, path: str) -> float | int:
    """A share of a whole, 0-1."""
    return schema.number(value, path, 0.0, 1.0)


# ---------------------------------------------------------------- organisations


def active_org(state: StateView, org_id: str, code: str, what: str) -> dict[str, Any]:
    """The record of an active member organisation, or ``Rejected(code)``."""
    org = state.get(f"org/{org_id}")
    if org is None or org.get("status") != "active":
        raise Rejected(code, f"{what} {org_id!r} is not an active member organisation")
    return dict(org)


def has_role(org: dict[str, Any], role: str) -> bool:
    return role in org.get("roles", ())


# ---------------------------------------------------------------- lots


def lot_key(lot_id: str) -> str:
    return f"lot/{lot_id}"


def load_lot(state: StateView, lot_id: str) -> dict[str, Any]:
    """A copy of the lot record (safe to modify and write back)."""
    lot = state.get(lot_key(lot_id))
    if lot is None:
        raise Rejected("LOT_UNKNOWN", f"lot {lot_id!r} does not exist")
    return dict(lot)


def load_lots(state: StateView, lot_ids_: Iterable[str]) -> list[dict[str, Any]]:
    return [load_lot(state, i) for i in lot_ids_]


def require_active(lot: dict[str, Any]) -> None:
    """S-09: a consumed, exported or scrapped lot cannot be sold, pledged or transformed."""
    if lot.get("state") != "active":
        raise Rejected("LOT_NOT_ACTIVE", f"lot {lot['id']!r} is {lot.get('state')}, not active")


def require_in_commerce(lot: dict[str, Any]) -> None:
    """Goods that physically exist: active, or exported and on their way to the country of
    import (carriers still ship them and hand them over). Consumed and scrapped lots do
    not move (``LOT_NOT_ACTIVE``)."""
    if lot.get("state") not in ("active", "exported"):
        raise Rejected("LOT_NOT_ACTIVE", f"lot {lot['id']!r} is {lot.get('state')}")


def require_owner(lot: dict[str, Any], org: str, code: str = "TITLE_NOT_OWNER") -> None:
    if lot.get("owner") != org:
        raise Rejected(code, f"lot {lot['id']!r} is owned by {lot.get('owner')!r}, not {org!r}")


def require_custodian(lot: dict[str, Any], org: str, code: str) -> None:
    if lot.get("custodian") != org:
        raise Rejected(code, f"lot {lot['id']!r} is held by {lot.get('custodian')!r}, not {org!r}")


def active_pledge(state: StateView, lot: dict[str, Any]) -> dict[str, Any] | None:
    """The pledge the lot is collateral for, or None."""
    pledge_id = lot.get("pledge")
    if not pledge_id:
        return None
    pledge = state.get(f"pledge/{pledge_id}")
    # lot.pledge is set only while the pledge is active; a dangling id still counts as
    # pledged, because unpledging silently would break invariant 2.
    return dict(pledge) if pledge is not None else {"id": pledge_id, "bank": None}


def require_no_pledge_offer(state: StateView, lot: dict[str, Any]) -> None:
    """A lot offered as collateral (not yet accepted) does not change hands until the
    offer is withdrawn or declined."""
    reservation = state.get(f"idx/pledge-lot/{lot['id']}")
    if reservation is not None and not lot.get("pledge"):
        raise Rejected(
            "LOT_PLEDGE_OFFERED",
            f"lot {lot['id']!r} is offered as collateral in pledge {reservation.get('pledge')!r}; "
            "withdraw the offer (pledge.withdraw) or let the bank decline it first",
        )


def require_unpledged(
    state: StateView, lot: dict[str, Any], ctx: TxContext, *, bank_may_act: bool = False
) -> None:
    """Invariant 2: a pledged lot moves only with the bank.

    ``bank_may_act`` lets the pledge's own bank sign the move (enforcement); every other
    signer, the owner included, is rejected with ``LOT_PLEDGED``.
    """
    pledge = active_pledge(state, lot)
    if pledge is None:
        return
    if bank_may_act and pledge.get("bank") == ctx.signer_org:
        return
    raise Rejected(
        "LOT_PLEDGED",
        f"lot {lot['id']!r} is pledged to {pledge.get('bank')!r} (pledge {pledge['id']!r}); "
        "the bank must release it first",
    )


def require_no_receipt(lot: dict[str, Any]) -> None:
    if lot.get("receipt"):
        raise Rejected(
            "LOT_UNDER_RECEIPT",
            f"lot {lot['id']!r} is covered by warehouse receipt {lot['receipt']!r}; "
            "the holder must surrender it first",
        )


def stamp(record: dict[str, Any], ctx: TxContext) -> dict[str, Any]:
    """Mark a record as last changed by this transaction."""
    record["height"] = ctx.height
    record["tx_id"] = ctx.tx_id
    return record


def now(ctx: TxContext) -> str:
    return schema.format_time(ctx.block_time)


# ---------------------------------------------------------------- title history


def title_entry_key(lot_id: str, seq: int) -> str:
    return f"title/{lot_id}/{seq}"


def change_title(
    lot: dict[str, Any],
    to: str,
    ctx: TxContext,
    *,
    via: str,
    contract_id: str | None = None,
    pledge_id: str | None = None,
) -> WriteSet:
    """Move the title of ``lot`` to ``to``: the new lot record and one history entry.

    ``lot.title_seq`` counts the title changes so far (absent: none); entry ``n`` is
    stored at ``title/{lot}/{n}``, so the history is append-only and every entry is read
    without scanning.
    """
    seq = int(lot.get("title_seq") or 0) + 1
    entry = {
        "lot": lot["id"],
        "seq": seq,
        "from": lot.get("owner"),
        "to": to,
        "via": via,
        "contract": contract_id,
        "pledge": pledge_id,
        "at": now(ctx),
        "height": ctx.height,
        "tx_id": ctx.tx_id,
    }
    updated = dict(lot)
    updated["owner"] = to
    updated["title_seq"] = seq
    stamp(updated, ctx)
    return {lot_key(lot["id"]): updated, title_entry_key(lot["id"], seq): entry}
