"""Finance: warehouse receipts and pledges (S-03, S-09, invariant 2)."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.core.execution import context_for, execute
from steeltrace.core.state import Overlay
from steeltrace.errors import Rejected
from tests.support.harness import Harness
from tests.unit.contracts.world import cast_lot, world


@pytest.fixture
def h() -> Harness:
    h = world()
    cast_lot(h, "L1", "trader", custodian="wh")
    cast_lot(h, "L2", "trader", custodian="wh")
    cast_lot(h, "L3", "buyer", custodian="wh")
    return h


def receipt(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"receipt_id": "R1", "lots": ["L1", "L2"], "to": "trader"}
    p.update(over)
    return p


def offer(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"pledge_id": "P1", "bank": "bank1", "lots": ["L1"]}
    p.update(over)
    return p


def active(h: Harness, **over: Any) -> None:
    h.run("trader", "pledge.create", offer(**over))
    h.run(over.get("bank", "bank1"), "pledge.accept", {"pledge_id": over.get("pledge_id", "P1")})


# ---------------------------------------------------------------- receipts


def test_receipt_issue_to_owner(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt(place="CAVAN"))
    r = h.get("receipt/R1")
    assert (r["warehouse"], r["holder"], r["status"], r["pledge"]) == (
        "wh",
        "trader",
        "issued",
        None,
    )
    assert h.get("lot/L1")["receipt"] == "R1"


def test_receipt_rejects_existing_id(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt(lots=["L1"]))
    h.reject("RECEIPT_EXISTS", "wh", "receipt.issue", receipt(lots=["L2"]))


def test_receipt_rejects_unknown_holder(h: Harness) -> None:
    h.reject("RECEIPT_HOLDER_UNKNOWN", "wh", "receipt.issue", receipt(to="ghost"))


def test_receipt_rejects_unknown_lot(h: Harness) -> None:
    h.reject("LOT_UNKNOWN", "wh", "receipt.issue", receipt(lots=["L404"]))


def test_s09_receipt_rejects_inactive_lot(h: Harness) -> None:
    cast_lot(h, "L9", "trader", custodian="wh", state="consumed")
    h.reject("LOT_NOT_ACTIVE", "wh", "receipt.issue", receipt(lots=["L9"]))


def test_receipt_rejects_warehouse_not_custodian(h: Harness) -> None:
    cast_lot(h, "L8", "trader", custodian="carrier")
    h.reject("RECEIPT_NOT_CUSTODIAN", "wh", "receipt.issue", receipt(lots=["L8"]))


def test_receipt_rejects_holder_not_owner(h: Harness) -> None:
    h.reject("RECEIPT_NOT_OWNER", "wh", "receipt.issue", receipt(lots=["L1", "L3"]))


def test_receipt_rejects_second_receipt_for_a_lot(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.reject("LOT_UNDER_RECEIPT", "wh", "receipt.issue", receipt(receipt_id="R2", lots=["L2"]))


def test_s03_receipt_rejects_pledged_lot(h: Harness) -> None:
    active(h)
    h.reject("LOT_PLEDGED", "wh", "receipt.issue", receipt(lots=["L1"]))


def test_s03_receipt_rejects_lot_offered_in_a_pledge(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("PLEDGE_EXISTS", "wh", "receipt.issue", receipt(lots=["L1"]))


def test_receipt_rejects_role_not_permitted(h: Harness) -> None:
    h.reject("ROLE_NOT_PERMITTED", "trader", "receipt.issue", receipt())


def test_receipt_rejects_unknown_field(h: Harness) -> None:
    h.reject("PAYLOAD_UNKNOWN_FIELD", "wh", "receipt.issue", receipt(negotiable=True))


def test_receipt_surrender_frees_the_lots(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "receipt.surrender", {"receipt_id": "R1"})
    assert h.get("receipt/R1")["status"] == "surrendered"
    assert h.get("lot/L1")["receipt"] is None
    h.run("trader", "pledge.create", offer())  # directly, now the receipt is gone


def test_surrender_rejects_unknown(h: Harness) -> None:
    h.reject("RECEIPT_UNKNOWN", "trader", "receipt.surrender", {"receipt_id": "R9"})


def test_surrender_rejects_non_holder(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.reject("RECEIPT_NOT_HOLDER", "buyer", "receipt.surrender", {"receipt_id": "R1"})


def test_surrender_rejects_twice(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "receipt.surrender", {"receipt_id": "R1"})
    h.reject("RECEIPT_NOT_ISSUED", "trader", "receipt.surrender", {"receipt_id": "R1"})


def test_s03_surrender_rejects_pledged_receipt(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "pledge.create", {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R1"})
    h.reject("RECEIPT_PLEDGED", "trader", "receipt.surrender", {"receipt_id": "R1"})


# ---------------------------------------------------------------- pledge lifecycle


def test_pledge_offer_accept_release(h: Harness) -> None:
    h.run(
        "trader",
        "pledge.create",
        offer(amount={"amount": "250000.00", "currency": "CAD"}, maturity="2026-09-30"),
    )
    p = h.get("pledge/P1")
    assert (p["status"], p["pledgor"], p["bank"]) == ("offered", "trader", "bank1")
    assert h.get("lot/L1")["pledge"] is None  # only an active pledge marks the lot
    assert h.get("idx/pledge-lot/L1") == {"lot": "L1", "pledge": "P1"}
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})
    assert h.get("pledge/P1")["status"] == "active"
    assert h.get("lot/L1")["pledge"] == "P1"
    h.run("bank1", "pledge.release", {"pledge_id": "P1", "reason": "repaid"})
    assert h.get("pledge/P1")["status"] == "released"
    assert h.get("lot/L1")["pledge"] is None
    assert h.get("idx/pledge-lot/L1") is None


def test_s03_double_pledge(h: Harness) -> None:
    active(h)
    h.reject("PLEDGE_EXISTS", "trader", "pledge.create", offer(pledge_id="P2", bank="bank2"))


def test_s03_double_pledge_while_first_only_offered(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("PLEDGE_EXISTS", "trader", "pledge.create", offer(pledge_id="P2", bank="bank2"))


def test_s03_double_pledge_concurrent(h: Harness) -> None:
    """Two pledges of the same lot to two banks in one block: the second is rejected."""
    block = Overlay(h.state)
    outcomes = []
    for n, bank in enumerate(["bank1", "bank2"]):
        ctx = context_for(
            block,
            tx_id=f"{n + 100:064x}",
            tx_type="pledge.create",
            signer_org="trader",
            signer_key="k1",
            height=h.height,
            block_time=h.now,
            created_at=h.now,
            chain_id="test-chain",
        )
        try:
            block.apply(execute(block, ctx, offer(pledge_id=f"P-{bank}", bank=bank)))
            outcomes.append("ok")
        except Rejected as e:
            outcomes.append(e.code)
    assert outcomes == ["ok", "PLEDGE_EXISTS"]
    h.state.apply(block.writes)
    assert h.get("pledge/P-bank2") is None
    h.run("bank1", "pledge.accept", {"pledge_id": "P-bank1"})


def test_s03_new_pledge_after_release(h: Harness) -> None:
    active(h)
    h.run("bank1", "pledge.release", {"pledge_id": "P1"})
    active(h, pledge_id="P2", bank="bank2")
    assert h.get("lot/L1")["pledge"] == "P2"


def test_s03_same_goods_by_receipt_and_directly(h: Harness) -> None:
    """Qingdao 2014: the receipt pledged to one bank, the goods to another."""
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "pledge.create", {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R1"})
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})
    assert h.get("lot/L1")["pledge"] == "P1" and h.get("lot/L2")["pledge"] == "P1"
    h.reject(
        "LOT_UNDER_RECEIPT",
        "trader",
        "pledge.create",
        offer(pledge_id="P2", bank="bank2", lots=["L1"]),
    )
    h.reject(
        "PLEDGE_EXISTS",
        "trader",
        "pledge.create",
        {"pledge_id": "P2", "bank": "bank2", "receipt_id": "R1"},
    )
    h.reject("LOT_UNDER_RECEIPT", "wh", "receipt.issue", receipt(receipt_id="R2", lots=["L1"]))


def test_s03_pledged_lot_cannot_be_moved(h: Harness) -> None:
    active(h)
    h.reject(
        "LOT_PLEDGED",
        "wh",
        "custody.handover",
        {"handover_id": "HO", "lots": ["L1"], "to": "carrier"},
    )
    h.reject(
        "LOT_PLEDGED",
        "carrier",
        "shipment.create",
        {
            "shipment_id": "S1",
            "carrier": "carrier",
            "mode": "sea",
            "bl_number": "B1",
            "port_of_loading": "CAVAN",
            "port_of_discharge": "CNSGH",
            "lots": ["L1"],
        },
    )
    h.reject("LOT_PLEDGED", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})


@pytest.mark.parametrize("state", ["consumed", "exported", "scrapped"])
def test_s09_pledge_of_inactive_lot(h: Harness, state: str) -> None:
    cast_lot(h, "L9", "trader", state=state)
    h.reject("LOT_NOT_ACTIVE", "trader", "pledge.create", offer(lots=["L9"]))


def test_pledge_of_receipt_by_holder(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "pledge.create", {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R1"})
    assert h.get("receipt/R1")["pledge"] == "P1"
    assert h.get("pledge/P1")["lots"] == ["L1", "L2"]
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})
    h.run("bank1", "pledge.release", {"pledge_id": "P1"})
    assert h.get("receipt/R1")["pledge"] is None
    assert h.get("lot/L2")["pledge"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"pledge_id": "P1", "bank": "bank1"},
        {"pledge_id": "P1", "bank": "bank1", "lots": ["L1"], "receipt_id": "R1"},
    ],
)
def test_pledge_rejects_collateral_not_exactly_one(h: Harness, payload: dict[str, Any]) -> None:
    h.reject("PLEDGE_COLLATERAL_INVALID", "trader", "pledge.create", payload)


def test_pledge_rejects_existing_id(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("PLEDGE_ID_EXISTS", "trader", "pledge.create", offer(lots=["L2"]))


def test_pledge_rejects_unknown_bank(h: Harness) -> None:
    h.reject("PLEDGE_BANK_UNKNOWN", "trader", "pledge.create", offer(bank="ghost"))


def test_pledge_rejects_org_without_bank_role(h: Harness) -> None:
    h.reject("PLEDGE_NOT_A_BANK", "trader", "pledge.create", offer(bank="buyer"))


def test_pledge_rejects_unknown_receipt(h: Harness) -> None:
    h.reject(
        "RECEIPT_UNKNOWN",
        "trader",
        "pledge.create",
        {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R9"},
    )


def test_pledge_rejects_surrendered_receipt(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "receipt.surrender", {"receipt_id": "R1"})
    h.reject(
        "RECEIPT_NOT_ISSUED",
        "trader",
        "pledge.create",
        {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R1"},
    )


def test_pledge_rejects_receipt_of_another_holder(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt(lots=["L3"], to="buyer"))
    h.reject(
        "PLEDGE_NOT_HOLDER",
        "trader",
        "pledge.create",
        {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R1"},
    )


def test_pledge_rejects_lots_of_another_owner(h: Harness) -> None:
    h.reject("PLEDGE_NOT_OWNER", "trader", "pledge.create", offer(lots=["L3"]))


def test_pledge_rejects_unknown_lot(h: Harness) -> None:
    h.reject("LOT_UNKNOWN", "trader", "pledge.create", offer(lots=["L404"]))


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"amount": {"amount": "-5", "currency": "CAD"}}, "AMOUNT_INVALID"),
        ({"amount": {"amount": "5", "currency": "CAX"}}, "CURRENCY_UNKNOWN"),
        ({"maturity": "2026-13-01"}, "PAYLOAD_INVALID"),
        ({"status": "active"}, "PAYLOAD_UNKNOWN_FIELD"),
    ],
)
def test_pledge_rejects_bad_payload(h: Harness, over: dict[str, Any], code: str) -> None:
    h.reject(code, "trader", "pledge.create", offer(**over))


def test_pledge_rejects_role_not_permitted(h: Harness) -> None:
    cast_lot(h, "LB", "bank1")
    h.reject("ROLE_NOT_PERMITTED", "bank1", "pledge.create", offer(bank="bank2", lots=["LB"]))


def test_accept_rejects_unknown(h: Harness) -> None:
    h.reject("PLEDGE_UNKNOWN", "bank1", "pledge.accept", {"pledge_id": "P9"})


def test_accept_rejects_another_bank(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("PLEDGE_NOT_BANK", "bank2", "pledge.accept", {"pledge_id": "P1"})


def test_accept_rejects_twice(h: Harness) -> None:
    active(h)
    h.reject("PLEDGE_NOT_OFFERED", "bank1", "pledge.accept", {"pledge_id": "P1"})


def test_offered_collateral_cannot_be_sold_until_the_offer_is_withdrawn(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("LOT_PLEDGE_OFFERED", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})
    h.reject("PLEDGE_NOT_PLEDGOR", "buyer", "pledge.withdraw", {"pledge_id": "P1"})
    h.run("trader", "pledge.withdraw", {"pledge_id": "P1", "reason": "selling instead"})
    assert h.get("pledge/P1")["status"] == "withdrawn"
    assert h.get("idx/pledge-lot/L1") is None
    h.reject("PLEDGE_NOT_OFFERED", "trader", "pledge.withdraw", {"pledge_id": "P1"})
    h.reject("PLEDGE_NOT_OFFERED", "bank1", "pledge.accept", {"pledge_id": "P1"})
    h.run("trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})


def test_accept_rejects_collateral_no_longer_the_pledgors(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.state.apply({"lot/L1": {**h.get("lot/L1"), "owner": "buyer"}})  # e.g. enforced elsewhere
    h.reject("PLEDGE_NOT_OWNER", "bank1", "pledge.accept", {"pledge_id": "P1"})


def test_withdraw_rejects_an_accepted_pledge(h: Harness) -> None:
    active(h)
    h.reject("PLEDGE_NOT_OFFERED", "trader", "pledge.withdraw", {"pledge_id": "P1"})
    h.reject("PLEDGE_UNKNOWN", "trader", "pledge.withdraw", {"pledge_id": "P9"})


def test_s09_accept_rejects_collateral_consumed_since_the_offer(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.state.apply({"lot/L1": {**h.get("lot/L1"), "state": "consumed"}})
    h.reject("LOT_NOT_ACTIVE", "bank1", "pledge.accept", {"pledge_id": "P1"})


def test_accept_rejects_role_not_permitted(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("ROLE_NOT_PERMITTED", "trader", "pledge.accept", {"pledge_id": "P1"})


def test_release_of_an_offer_declines_it(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.run("bank1", "pledge.release", {"pledge_id": "P1", "reason": "declined"})
    assert h.get("pledge/P1")["status"] == "released"
    active(h, pledge_id="P2", bank="bank2")


def test_release_rejects_closed(h: Harness) -> None:
    active(h)
    h.run("bank1", "pledge.release", {"pledge_id": "P1"})
    h.reject("PLEDGE_CLOSED", "bank1", "pledge.release", {"pledge_id": "P1"})


def test_release_rejects_another_bank(h: Harness) -> None:
    active(h)
    h.reject("PLEDGE_NOT_BANK", "bank2", "pledge.release", {"pledge_id": "P1"})


def test_release_rejects_unknown(h: Harness) -> None:
    h.reject("PLEDGE_UNKNOWN", "bank1", "pledge.release", {"pledge_id": "P9"})


def test_release_rejects_the_owner(h: Harness) -> None:
    active(h)
    h.reject("ROLE_NOT_PERMITTED", "trader", "pledge.release", {"pledge_id": "P1"})


# ---------------------------------------------------------------- enforcement


def test_enforce_gives_title_to_the_bank(h: Harness) -> None:
    active(h)
    h.tick()
    h.run("bank1", "pledge.enforce", {"pledge_id": "P1", "reason": "default on loan 77"})
    lot = h.get("lot/L1")
    assert (lot["owner"], lot["pledge"], lot["custodian"]) == ("bank1", None, "wh")
    p = h.get("pledge/P1")
    assert (p["status"], p["enforced_to"]) == ("enforced", "bank1")
    entry = h.get("title/L1/1")
    assert (entry["from"], entry["to"], entry["via"], entry["pledge"]) == (
        "trader",
        "bank1",
        "pledge.enforce",
        "P1",
    )
    assert h.get("idx/pledge-lot/L1") is None
    h.run("bank1", "title.transfer", {"lots": ["L1"], "to": "buyer"})  # the bank sells on


def test_enforce_to_a_named_buyer_moves_the_receipt(h: Harness) -> None:
    h.run("wh", "receipt.issue", receipt())
    h.run("trader", "pledge.create", {"pledge_id": "P1", "bank": "bank1", "receipt_id": "R1"})
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})
    h.run("bank1", "pledge.enforce", {"pledge_id": "P1", "to": "buyer2"})
    assert h.get("lot/L1")["owner"] == "buyer2" and h.get("lot/L2")["owner"] == "buyer2"
    r = h.get("receipt/R1")
    assert (r["holder"], r["pledge"]) == ("buyer2", None)


def test_enforce_rejects_offered_or_released(h: Harness) -> None:
    h.run("trader", "pledge.create", offer())
    h.reject("PLEDGE_NOT_ACTIVE", "bank1", "pledge.enforce", {"pledge_id": "P1"})
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})
    h.run("bank1", "pledge.release", {"pledge_id": "P1"})
    h.reject("PLEDGE_NOT_ACTIVE", "bank1", "pledge.enforce", {"pledge_id": "P1"})


def test_enforce_rejects_unknown_recipient(h: Harness) -> None:
    active(h)
    h.reject(
        "PLEDGE_RECIPIENT_UNKNOWN", "bank1", "pledge.enforce", {"pledge_id": "P1", "to": "ghost"}
    )


def test_enforce_rejects_another_bank(h: Harness) -> None:
    active(h)
    h.reject("PLEDGE_NOT_BANK", "bank2", "pledge.enforce", {"pledge_id": "P1"})


def test_s09_enforce_rejects_inactive_collateral(h: Harness) -> None:
    active(h)
    h.state.apply({"lot/L1": {**h.get("lot/L1"), "state": "scrapped"}})
    h.reject("LOT_NOT_ACTIVE", "bank1", "pledge.enforce", {"pledge_id": "P1"})


def test_enforce_rejects_unknown_field(h: Harness) -> None:
    active(h)
    h.reject("PAYLOAD_UNKNOWN_FIELD", "bank1", "pledge.enforce", {"pledge_id": "P1", "price": "1"})


def test_s03_pledged_lot_cannot_be_transformed() -> None:
    """Through the real lot contracts: the transformation refuses a pledged input."""
    from tests.unit.contracts import steel_chain as sc

    h = sc.chain()
    h.org("bank-ca", "CA", "bank")
    heat_id = sc.heat(h, "mill-ca", "CA-1", "ca-works")
    sc.cast(h, "mill-ca", heat_id, ("SLAB-1", 100_000))
    h.run("mill-ca", "pledge.create", {"pledge_id": "P1", "bank": "bank-ca", "lots": ["SLAB-1"]})
    h.run("bank-ca", "pledge.accept", {"pledge_id": "P1"})
    h.tick()
    payload = sc.transform_payload(
        "T1", "ca-works", "hot-rolling", [("SLAB-1", 100_000)], [("HRC-1", 98_000)]
    )
    payload["at"] = h.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    h.reject("LOT_PLEDGED", "mill-ca", "lot.transform", payload)
    h.run("bank-ca", "pledge.release", {"pledge_id": "P1"})
    h.run("mill-ca", "lot.transform", payload)
    assert h.get("lot/SLAB-1")["state"] == "consumed"
    h.reject(
        "LOT_NOT_ACTIVE",
        "mill-ca",
        "pledge.create",
        {"pledge_id": "P2", "bank": "bank-ca", "lots": ["SLAB-1"]},
    )
