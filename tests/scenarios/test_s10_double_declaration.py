"""S-10: the same lot in two import declarations: the second is recorded and flagged
with LOT_ALREADY_DECLARED (docs/transactions/customs.md: flag, not reject)."""

from __future__ import annotations

from typing import Any

from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import ok, one_block, verdicts


def declare(did: str, country: str = "US", port: str = "USHOU") -> dict[str, Any]:
    return {
        "declaration_id": did,
        "direction": "import",
        "declaring_country": country,
        "declarant": "trader-sg",
        "importer": "trader-sg",
        "port_of_entry": port,
        "hs": "7208.39",
        "declared_origin": "KR",
        "declared_melt_pour": ["KR"],
        "net_kg": 29_300,
        "customs_value": {"amount": "19000.00", "currency": "USD"},
        "lots": ["KR-HRC-2"],
    }


def codes(node: Node, did: str) -> list[str]:
    return [d["code"] for d in node.get(f"declaration/{did}")["discrepancies"]]


def test_s10_same_lot_in_two_import_declarations(world: Node) -> None:
    ok(world, "mill-kr", "title.transfer", {"lots": ["KR-HRC-2"], "to": "trader-sg"})
    ok(world, "trader-sg", "customs.declare", declare("US-1"))
    assert codes(world, "US-1") == []
    ok(world, "trader-sg", "customs.declare", declare("US-2"))
    assert codes(world, "US-2") == ["LOT_ALREADY_DECLARED"]
    flag = world.get("declaration/US-2")["discrepancies"][0]
    assert "US-1" in str(flag["ledger"])
    # into another country at the same time: still the same goods claimed twice
    ok(world, "trader-sg", "customs.declare", declare("CA-1", "CA", "CAVAN"))
    assert "LOT_ALREADY_DECLARED" in codes(world, "CA-1")
    idx = world.get("idx/customs-lot/import/KR-HRC-2")
    assert idx["declarations"] == ["US-1", "US-2", "CA-1"]
    # the first declaration is not rewritten by the later ones
    assert codes(world, "US-1") == []
    # the authority sees both claims and decides on each
    ok(
        world,
        "customs-us",
        "customs.decide",
        {"declaration_id": "US-1", "decision": "rejected", "reason": "documents missing"},
    )
    assert world.get("declaration/US-1")["status"] == "rejected"
    assert world.get("declaration/US-2")["status"] == "submitted"
    check_invariants(world)


def test_s10_two_declarations_in_one_block(world: Node) -> None:
    ok(world, "mill-kr", "title.transfer", {"lots": ["KR-HRC-2"], "to": "trader-sg"})
    txs = [world.sign_as("trader-sg", "customs.declare", declare(d)) for d in ("US-A", "US-B")]
    block, _ = one_block(world, txs)
    assert verdicts(block) == [("valid", None), ("valid", None)]
    assert codes(world, "US-A") == []
    assert codes(world, "US-B") == ["LOT_ALREADY_DECLARED"]
    check_invariants(world)
