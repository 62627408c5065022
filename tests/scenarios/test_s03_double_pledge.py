"""S-03: the same goods pledged to two banks (sequentially, and in one block), a pledged
lot moved; after release a new pledge succeeds. Also through a warehouse receipt."""

from __future__ import annotations

from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import (
    _coil,
    at,
    ok,
    one_block,
    refused_everywhere,
    root_with_only,
    verdicts,
)


def pledge(pid: str, bank: str, lots: list[str]) -> dict[str, object]:
    return {
        "pledge_id": pid,
        "bank": bank,
        "lots": lots,
        "amount": {"amount": "15000.00", "currency": "USD"},
    }


def test_s03_double_pledge_sequential(world: Node) -> None:
    ok(world, "mill-us", "pledge.create", pledge("PL-1", "bank-1", ["US-HRC-1"]))
    # already reserved by the offer, before the bank accepts
    second = pledge("PL-2", "bank-2", ["US-HRC-1"])
    refused_everywhere(world, "PLEDGE_EXISTS", "mill-us", "pledge.create", second)
    ok(world, "bank-1", "pledge.accept", {"pledge_id": "PL-1"})
    assert world.get("lot/US-HRC-1")["pledge"] == "PL-1"
    refused_everywhere(world, "PLEDGE_EXISTS", "mill-us", "pledge.create", second)
    # the same bank twice is no better
    again = pledge("PL-3", "bank-1", ["US-HRC-1", "US-HRC-2"])
    refused_everywhere(world, "PLEDGE_EXISTS", "mill-us", "pledge.create", again)
    assert world.get("lot/US-HRC-2")["pledge"] is None
    check_invariants(world)


def test_s03_double_pledge_concurrent(world: Node) -> None:
    txs = [
        world.sign_as("mill-kr", "pledge.create", pledge("PL-A", "bank-1", ["KR-HRC-2"])),
        world.sign_as("mill-kr", "pledge.create", pledge("PL-B", "bank-2", ["KR-HRC-2"])),
    ]
    for t in txs:
        world.precheck(t)
    block, before = one_block(world, txs)
    assert verdicts(block) == [("valid", None), ("invalid", "PLEDGE_EXISTS")]
    assert world.get("pledge/PL-B") is None
    assert world.state_root() == root_with_only(before, block, world, [txs[0].tx_id])
    # two banks accepting in one block: only the pledge's bank may accept
    acc = [
        world.sign_as("bank-2", "pledge.accept", {"pledge_id": "PL-A"}),
        world.sign_as("bank-1", "pledge.accept", {"pledge_id": "PL-A"}),
        world.sign_as("bank-1", "pledge.accept", {"pledge_id": "PL-A"}),
    ]
    block, before = one_block(world, acc)
    assert verdicts(block) == [
        ("invalid", "PLEDGE_NOT_BANK"),
        ("valid", None),
        ("invalid", "PLEDGE_NOT_OFFERED"),
    ]
    assert world.state_root() == root_with_only(before, block, world, [acc[1].tx_id])
    assert world.get("pledge/PL-A")["status"] == "active"
    check_invariants(world)


def test_s03_pledged_lot_cannot_move(world: Node) -> None:
    ok(world, "mill-ca", "pledge.create", pledge("PL-1", "bank-1", ["CA-HRC-1"]))
    ok(world, "bank-1", "pledge.accept", {"pledge_id": "PL-1"})
    refused_everywhere(
        world, "LOT_PLEDGED", "mill-ca", "title.transfer", {"lots": ["CA-HRC-1"], "to": "svc-ca"}
    )
    refused_everywhere(
        world,
        "LOT_PLEDGED",
        "mill-ca",
        "custody.handover",
        {"handover_id": "HO-P", "lots": ["CA-HRC-1"], "to": "carrier-sea", "place": "CAVAN"},
    )
    refused_everywhere(
        world,
        "LOT_PLEDGED",
        "carrier-sea",
        "shipment.create",
        {
            "shipment_id": "SHP-P",
            "carrier": "carrier-sea",
            "mode": "sea",
            "bl_number": "PBLU-P1",
            "port_of_loading": "CAVAN",
            "port_of_discharge": "CNSGH",
            "lots": ["CA-HRC-1"],
        },
    )
    refused_everywhere(
        world,
        "LOT_PLEDGED",
        "mill-ca",
        "lot.transform",
        {
            "id": "CA-CUT-P",
            "facility": "ca-hamilton",
            "process": "hot-rolling",
            "inputs": [{"lot": "CA-HRC-1", "kg": 29_400}],
            "outputs": [_coil("CA-P-1", 29_000)],
            "at": at(world),
        },
    )
    refused_everywhere(
        world, "LOT_PLEDGED", "mill-ca", "lot.scrap", {"lot": "CA-HRC-1", "reason": "gone"}
    )
    lot = world.get("lot/CA-HRC-1")
    assert (lot["owner"], lot["custodian"], lot["state"]) == ("mill-ca", "mill-ca", "active")
    # the bank may release; then the owner pledges to another bank
    refused_everywhere(world, "PLEDGE_NOT_BANK", "bank-2", "pledge.release", {"pledge_id": "PL-1"})
    ok(world, "bank-1", "pledge.release", {"pledge_id": "PL-1", "reason": "loan repaid"})
    refused_everywhere(world, "PLEDGE_CLOSED", "bank-1", "pledge.release", {"pledge_id": "PL-1"})
    assert world.get("lot/CA-HRC-1")["pledge"] is None
    ok(world, "mill-ca", "pledge.create", pledge("PL-2", "bank-2", ["CA-HRC-1"]))
    ok(world, "bank-2", "pledge.accept", {"pledge_id": "PL-2"})
    assert world.get("lot/CA-HRC-1")["pledge"] == "PL-2"
    # enforcement is the one way a pledged lot changes hands, and only with the bank
    ok(world, "bank-2", "pledge.enforce", {"pledge_id": "PL-2", "to": "trader-sg"})
    lot = world.get("lot/CA-HRC-1")
    assert lot["owner"] == "trader-sg" and lot["pledge"] is None
    assert world.get(f"title/CA-HRC-1/{lot['title_seq']}")["via"] == "pledge.enforce"
    check_invariants(world)


def test_s03_double_pledge_through_a_warehouse_receipt(world: Node) -> None:
    ok(
        world,
        "mill-us",
        "custody.handover",
        {"handover_id": "HO-US-1", "lots": ["US-HRC-2"], "to": "wh-ca", "place": "CAVAN"},
    )
    ok(world, "wh-ca", "custody.accept", {"handover_id": "HO-US-1"})
    ok(
        world,
        "wh-ca",
        "receipt.issue",
        {"receipt_id": "WR-1", "lots": ["US-HRC-2"], "to": "mill-us", "place": "CAVAN"},
    )
    by_receipt = {"pledge_id": "PL-R1", "bank": "bank-1", "receipt_id": "WR-1"}
    ok(world, "mill-us", "pledge.create", by_receipt)
    ok(world, "bank-1", "pledge.accept", {"pledge_id": "PL-R1"})
    refused_everywhere(
        world,
        "PLEDGE_EXISTS",
        "mill-us",
        "pledge.create",
        {"pledge_id": "PL-R2", "bank": "bank-2", "receipt_id": "WR-1"},
    )
    # the receipt's lot, named directly, is no second claim either
    refused_everywhere(
        world,
        "LOT_UNDER_RECEIPT",
        "mill-us",
        "pledge.create",
        pledge("PL-R3", "bank-2", ["US-HRC-2"]),
    )
    refused_everywhere(
        world, "RECEIPT_PLEDGED", "mill-us", "receipt.surrender", {"receipt_id": "WR-1"}
    )
    ok(world, "bank-1", "pledge.release", {"pledge_id": "PL-R1"})
    ok(
        world,
        "mill-us",
        "pledge.create",
        {"pledge_id": "PL-R4", "bank": "bank-2", "receipt_id": "WR-1"},
    )
    ok(world, "bank-2", "pledge.accept", {"pledge_id": "PL-R4"})
    assert world.get("receipt/WR-1")["pledge"] == "PL-R4"
    check_invariants(world)


def test_s03_accept_and_sale_in_one_block(world: Node) -> None:
    """The bank's acceptance and the owner's sale race in one block: whichever is first
    wins, the other is invalid, and the lot never changes hands while pledged."""
    ok(world, "mill-us", "pledge.create", pledge("PL-1", "bank-1", ["US-HRC-1"]))
    txs = [
        world.sign_as("bank-1", "pledge.accept", {"pledge_id": "PL-1"}),
        world.sign_as("mill-us", "title.transfer", {"lots": ["US-HRC-1"], "to": "svc-ca"}),
    ]
    block, before = one_block(world, txs)
    assert verdicts(block) == [("valid", None), ("invalid", "LOT_PLEDGED")]
    assert world.state_root() == root_with_only(before, block, world, [txs[0].tx_id])
    assert world.get("lot/US-HRC-1")["owner"] == "mill-us"

    # While an offer is open the owner cannot sell; it withdraws the offer first, and the
    # bank's acceptance ordered after the withdrawal loses.
    ok(world, "mill-kr", "pledge.create", pledge("PL-2", "bank-1", ["KR-HRC-1"]))
    sale = {"lots": ["KR-HRC-1"], "to": "svc-ca"}
    txs = [
        world.sign_as("mill-kr", "title.transfer", sale),
        world.sign_as("mill-kr", "pledge.withdraw", {"pledge_id": "PL-2"}),
        world.sign_as("bank-1", "pledge.accept", {"pledge_id": "PL-2"}),
        world.sign_as("mill-kr", "title.transfer", sale),
    ]
    block, before = one_block(world, txs)
    assert verdicts(block) == [
        ("invalid", "LOT_PLEDGE_OFFERED"),
        ("valid", None),
        ("invalid", "PLEDGE_NOT_OFFERED"),
        ("valid", None),
    ]
    assert world.state_root() == root_with_only(before, block, world, [txs[1].tx_id, txs[3].tx_id])
    lot = world.get("lot/KR-HRC-1")
    assert (lot["owner"], lot["pledge"]) == ("svc-ca", None)
    assert world.get("pledge/PL-2")["status"] == "withdrawn"
    check_invariants(world)


def test_s03_pledged_lot_in_a_carriers_hands_does_not_sail(world: Node) -> None:
    ok(
        world,
        "carrier-sea",
        "shipment.create",
        {
            "shipment_id": "SHP-1",
            "carrier": "carrier-sea",
            "mode": "sea",
            "bl_number": "PBLU-1",
            "port_of_loading": "CNSGH",
            "port_of_discharge": "VNSGN",
            "lots": ["CN-HRC-1"],
        },
    )
    ok(
        world,
        "mill-cn",
        "custody.handover",
        {"handover_id": "HO-1", "lots": ["CN-HRC-1"], "to": "carrier-sea", "place": "CNSGH"},
    )
    ok(world, "mill-cn", "pledge.create", pledge("PL-1", "bank-2", ["CN-HRC-1"]))
    ok(world, "bank-2", "pledge.accept", {"pledge_id": "PL-1"})
    refused_everywhere(
        world, "LOT_PLEDGED", "carrier-sea", "custody.accept", {"handover_id": "HO-1"}
    )
    depart = {"shipment_id": "SHP-1", "at": at(world), "place": "CNSGH"}
    refused_everywhere(world, "LOT_PLEDGED", "carrier-sea", "shipment.depart", depart)
    assert world.get("lot/CN-HRC-1")["custodian"] == "mill-cn"
    check_invariants(world)
