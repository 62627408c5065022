"""Trade: contracts between buyer and seller, and title transfer (S-02, S-03, S-09)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from steeltrace.core.state import Overlay
from steeltrace.errors import Rejected
from tests.support.harness import Harness
from tests.unit.contracts.world import cast_lot, world


def proposal(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "contract_id": "PO-1",
        "buyer": "buyer",
        "seller": "trader",
        "spec": {
            "grade": "S355JR",
            "form": "coil",
            "hs": "7208.39",
            "dimensions": {"thickness_mm": 3, "width_mm": 1500},
            "tolerances": {"thickness_mm": 0.2},
        },
        "quantity_kg": 40_000,
        "tolerance_pct": 5,
        "price": {"amount": "612.50", "currency": "USD", "per": "t"},
        "incoterm": "CIF",
        "delivery": {"place": "CAVAN", "window_start": "2026-04-01", "window_end": "2026-04-30"},
    }
    p.update(over)
    return p


@pytest.fixture
def h() -> Harness:
    h = world()
    cast_lot(h, "L1", "trader")
    cast_lot(h, "L2", "trader")
    return h


def accepted(h: Harness, **over: Any) -> None:
    h.run("buyer", "contract.propose", proposal(**over))
    h.run("trader", "contract.accept", {"contract_id": over.get("contract_id", "PO-1")})


# ---------------------------------------------------------------- contract.propose


def test_propose_records_contract_with_price_in_one_field(h: Harness) -> None:
    h.run("buyer", "contract.propose", proposal(payment_terms="30 days after B/L"))
    c = h.get("contract/PO-1")
    assert c["status"] == "proposed"
    assert c["proposer"] == "buyer"
    assert c["price"] == {"amount": "612.50", "currency": "USD", "per": "t"}
    assert c["spec"]["hs"] == "720839"  # normalised
    assert c["transferred_kg"] == 0
    assert c["height"] == h.height


def test_propose_by_seller_is_allowed(h: Harness) -> None:
    h.run("trader", "contract.propose", proposal())
    assert h.get("contract/PO-1")["proposer"] == "trader"


@pytest.mark.parametrize(
    "incoterm", ["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
)
def test_propose_accepts_every_incoterm_2020(h: Harness, incoterm: str) -> None:
    h.run("buyer", "contract.propose", proposal(incoterm=incoterm))


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"verified": True}, "PAYLOAD_UNKNOWN_FIELD"),
        ({"incoterm": "DAT"}, "PAYLOAD_INVALID"),  # Incoterms 2010, gone in 2020
        ({"quantity_kg": 40_000.0}, "MASS_NOT_INTEGER"),
        ({"quantity_kg": 0}, "PAYLOAD_INVALID"),
        ({"tolerance_pct": 150}, "PAYLOAD_INVALID"),
        ({"price": {"amount": 612.5, "currency": "USD", "per": "t"}}, "AMOUNT_INVALID"),
        ({"price": {"amount": "612,50", "currency": "USD", "per": "t"}}, "AMOUNT_INVALID"),
        ({"price": {"amount": "0.00", "currency": "USD", "per": "t"}}, "AMOUNT_INVALID"),
        ({"price": {"amount": "1", "currency": "XXY", "per": "t"}}, "CURRENCY_UNKNOWN"),
        ({"price": {"amount": "1", "currency": "USD", "per": "tonne"}}, "PAYLOAD_INVALID"),
        ({"price": {"amount": "1", "currency": "USD"}}, "PAYLOAD_MISSING_FIELD"),
        (
            {
                "delivery": {
                    "place": "XXZZZ",
                    "window_start": "2026-04-01",
                    "window_end": "2026-04-30",
                }
            },
            "LOCODE_UNKNOWN",
        ),
        (
            {
                "delivery": {
                    "place": "CAVAN",
                    "window_start": "2026-02-30",
                    "window_end": "2026-04-30",
                }
            },
            "PAYLOAD_INVALID",
        ),
        (
            {"spec": {"grade": "S355JR", "form": "coil", "hs": "7299", "dimensions": {}}},
            "HS_UNKNOWN",
        ),
        (
            {
                "spec": {
                    "grade": "S355JR",
                    "form": "coil",
                    "hs": "7208",
                    "dimensions": {},
                    "colour": "blue",
                }
            },
            "PAYLOAD_UNKNOWN_FIELD",
        ),
        ({"contract_id": "PO\u200b1"}, "IDENT_NOT_ASCII"),
    ],
)
def test_propose_rejects_bad_payload(h: Harness, over: dict[str, Any], code: str) -> None:
    h.reject(code, "buyer", "contract.propose", proposal(**over))


def test_propose_rejects_missing_field(h: Harness) -> None:
    p = proposal()
    del p["incoterm"]
    h.reject("PAYLOAD_MISSING_FIELD", "buyer", "contract.propose", p)


def test_propose_rejects_existing_id(h: Harness) -> None:
    h.run("buyer", "contract.propose", proposal())
    h.reject("CONTRACT_EXISTS", "buyer", "contract.propose", proposal())


def test_propose_rejects_same_party(h: Harness) -> None:
    h.reject("CONTRACT_SAME_PARTY", "buyer", "contract.propose", proposal(seller="buyer"))


def test_propose_rejects_signer_not_a_party(h: Harness) -> None:
    h.reject("CONTRACT_NOT_PARTY", "millcn", "contract.propose", proposal())


def test_propose_rejects_unknown_party(h: Harness) -> None:
    h.reject("CONTRACT_PARTY_UNKNOWN", "buyer", "contract.propose", proposal(seller="ghost"))


def test_propose_rejects_window_ending_before_start(h: Harness) -> None:
    delivery = {"place": "CAVAN", "window_start": "2026-04-30", "window_end": "2026-04-01"}
    h.reject("CONTRACT_WINDOW_INVALID", "buyer", "contract.propose", proposal(delivery=delivery))


def test_propose_rejects_role_not_permitted(h: Harness) -> None:
    h.reject("ROLE_NOT_PERMITTED", "carrier", "contract.propose", proposal(buyer="carrier"))


# ---------------------------------------------------------------- contract.accept


def test_accept_by_counterparty(h: Harness) -> None:
    accepted(h)
    c = h.get("contract/PO-1")
    assert c["status"] == "accepted"
    assert c["accepted_at"] == "2026-03-01T08:00:00Z"


def test_accept_rejects_proposer(h: Harness) -> None:
    h.run("buyer", "contract.propose", proposal())
    h.reject("CONTRACT_NOT_COUNTERPARTY", "buyer", "contract.accept", {"contract_id": "PO-1"})


def test_accept_rejects_third_party(h: Harness) -> None:
    h.run("buyer", "contract.propose", proposal())
    h.reject("CONTRACT_NOT_COUNTERPARTY", "millcn", "contract.accept", {"contract_id": "PO-1"})


def test_accept_rejects_second_acceptance(h: Harness) -> None:
    accepted(h)
    h.reject("CONTRACT_NOT_PROPOSED", "trader", "contract.accept", {"contract_id": "PO-1"})


def test_accept_rejects_unknown_contract(h: Harness) -> None:
    h.reject("CONTRACT_UNKNOWN", "trader", "contract.accept", {"contract_id": "PO-9"})


def test_accept_rejects_unknown_field(h: Harness) -> None:
    h.run("buyer", "contract.propose", proposal())
    h.reject(
        "PAYLOAD_UNKNOWN_FIELD", "trader", "contract.accept", {"contract_id": "PO-1", "price": "1"}
    )


# ---------------------------------------------------------------- title.transfer


def test_transfer_moves_title_not_custody_and_keeps_history(h: Harness) -> None:
    h.state.apply({"lot/L1": {**h.get("lot/L1"), "custodian": "wh"}})
    h.run("trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})
    lot = h.get("lot/L1")
    assert lot["owner"] == "buyer"
    assert lot["custodian"] == "wh"
    assert lot["title_seq"] == 1
    h.tick()
    h.run("buyer", "title.transfer", {"lots": ["L1"], "to": "buyer2"})
    first, second = h.get("title/L1/1"), h.get("title/L1/2")
    assert (first["from"], first["to"], first["via"]) == ("trader", "buyer", "title.transfer")
    assert (second["from"], second["to"]) == ("buyer", "buyer2")
    assert second["height"] == first["height"] + 1
    assert h.get("lot/L1")["title_seq"] == 2


def test_transfer_under_accepted_contract_counts_quantity(h: Harness) -> None:
    accepted(h)
    h.run("trader", "title.transfer", {"lots": ["L1", "L2"], "to": "buyer", "contract_id": "PO-1"})
    c = h.get("contract/PO-1")
    assert c["transferred_kg"] == 40_000
    assert c["lots"] == ["L1", "L2"]
    assert h.get("title/L2/1")["contract"] == "PO-1"


def test_transfer_rejects_quantity_beyond_tolerance(h: Harness) -> None:
    accepted(h, quantity_kg=30_000, tolerance_pct=5)
    h.reject(
        "CONTRACT_QUANTITY_EXCEEDED",
        "trader",
        "title.transfer",
        {"lots": ["L1", "L2"], "to": "buyer", "contract_id": "PO-1"},
    )


def test_transfer_rejects_contract_not_accepted(h: Harness) -> None:
    h.run("buyer", "contract.propose", proposal())
    h.reject(
        "CONTRACT_NOT_ACCEPTED",
        "trader",
        "title.transfer",
        {"lots": ["L1"], "to": "buyer", "contract_id": "PO-1"},
    )


def test_transfer_rejects_contract_of_other_parties(h: Harness) -> None:
    accepted(h)
    h.reject(
        "CONTRACT_PARTIES_MISMATCH",
        "trader",
        "title.transfer",
        {"lots": ["L1"], "to": "buyer2", "contract_id": "PO-1"},
    )


def test_transfer_rejects_unknown_contract(h: Harness) -> None:
    h.reject(
        "CONTRACT_UNKNOWN",
        "trader",
        "title.transfer",
        {"lots": ["L1"], "to": "buyer", "contract_id": "PO-9"},
    )


def test_s02_double_sale_sequential(h: Harness) -> None:
    h.run("trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})
    h.reject("TITLE_NOT_OWNER", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer2"})
    assert h.get("lot/L1")["owner"] == "buyer"
    assert h.get("title/L1/2") is None


def test_s02_double_sale_concurrent(h: Harness) -> None:
    """20 transfers of the same lot by its owner to 20 buyers, all signed against the same
    state and applied in block order: exactly one is valid."""
    for i in range(20):
        h.org(f"b{i:02d}", "CA", "buyer")
    block = Overlay(h.state)
    outcomes: list[str] = []
    for i in range(20):
        try:
            writes = _execute(
                h, block, "trader", "title.transfer", {"lots": ["L1"], "to": f"b{i:02d}"}
            )
        except Rejected as e:
            outcomes.append(e.code)
        else:
            block.apply(writes)
            outcomes.append("ok")
    assert outcomes.count("ok") == 1
    assert outcomes[0] == "ok"
    assert set(outcomes[1:]) == {"TITLE_NOT_OWNER"}
    h.state.apply(block.writes)
    assert h.get("lot/L1")["owner"] == "b00"
    assert h.get("lot/L1")["title_seq"] == 1


def _execute(
    h: Harness, view: Overlay, signer: str, tx_type: str, payload: dict[str, Any]
) -> dict[str, Any]:
    from steeltrace.core.execution import context_for, execute

    ctx = context_for(
        view,
        tx_id=f"{id(payload):064x}",
        tx_type=tx_type,
        signer_org=signer,
        signer_key="k1",
        height=h.height,
        block_time=h.now,
        created_at=h.now,
        chain_id="test-chain",
    )
    return execute(view, ctx, copy.deepcopy(payload))


def test_s02_transfer_by_non_owner(h: Harness) -> None:
    h.reject("TITLE_NOT_OWNER", "buyer", "title.transfer", {"lots": ["L1"], "to": "buyer2"})


def test_s02_one_bad_lot_rejects_the_whole_transfer(h: Harness) -> None:
    cast_lot(h, "L3", "buyer")
    h.reject("TITLE_NOT_OWNER", "trader", "title.transfer", {"lots": ["L1", "L3"], "to": "buyer2"})
    assert h.get("lot/L1")["owner"] == "trader"


@pytest.mark.parametrize("state", ["consumed", "exported", "scrapped"])
def test_s09_sale_of_inactive_lot(h: Harness, state: str) -> None:
    cast_lot(h, "L9", "trader", state=state)
    h.reject("LOT_NOT_ACTIVE", "trader", "title.transfer", {"lots": ["L9"], "to": "buyer"})


def test_s03_pledged_lot_cannot_be_sold(h: Harness) -> None:
    h.run("trader", "pledge.create", {"pledge_id": "P1", "bank": "bank1", "lots": ["L1"]})
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})
    h.reject("LOT_PLEDGED", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})
    h.run("bank1", "pledge.release", {"pledge_id": "P1"})
    h.run("trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})


def test_transfer_rejects_unknown_lot(h: Harness) -> None:
    h.reject("LOT_UNKNOWN", "trader", "title.transfer", {"lots": ["L404"], "to": "buyer"})


def test_transfer_rejects_transfer_to_self(h: Harness) -> None:
    h.reject("TITLE_SAME_OWNER", "trader", "title.transfer", {"lots": ["L1"], "to": "trader"})


def test_transfer_rejects_unknown_recipient(h: Harness) -> None:
    h.reject("TITLE_RECIPIENT_UNKNOWN", "trader", "title.transfer", {"lots": ["L1"], "to": "ghost"})


def test_transfer_rejects_suspended_recipient(h: Harness) -> None:
    h.state.apply({"org/buyer": {**h.get("org/buyer"), "status": "suspended"}})
    h.reject("TITLE_RECIPIENT_UNKNOWN", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"lots": [], "to": "buyer"}, "PAYLOAD_INVALID"),
        ({"lots": ["L1", "L1"], "to": "buyer"}, "PAYLOAD_INVALID"),
        ({"lots": ["L1"]}, "PAYLOAD_MISSING_FIELD"),
        ({"lots": ["L1"], "to": "buyer", "price": "1"}, "PAYLOAD_UNKNOWN_FIELD"),
    ],
)
def test_transfer_rejects_bad_payload(h: Harness, payload: dict[str, Any], code: str) -> None:
    h.reject(code, "trader", "title.transfer", payload)


def test_transfer_rejects_role_not_permitted(h: Harness) -> None:
    cast_lot(h, "LW", "wh")
    h.reject("ROLE_NOT_PERMITTED", "wh", "title.transfer", {"lots": ["LW"], "to": "buyer"})


def test_transfer_of_lot_under_receipt_moves_the_receipt(h: Harness) -> None:
    h.state.apply(
        {
            "lot/L1": {**h.get("lot/L1"), "custodian": "wh"},
            "lot/L2": {**h.get("lot/L2"), "custodian": "wh"},
        }
    )
    h.run("wh", "receipt.issue", {"receipt_id": "R1", "lots": ["L1", "L2"], "to": "trader"})
    h.reject("LOT_UNDER_RECEIPT", "trader", "title.transfer", {"lots": ["L1"], "to": "buyer"})
    h.run("trader", "title.transfer", {"lots": ["L1", "L2"], "to": "buyer"})
    assert h.get("receipt/R1")["holder"] == "buyer"
