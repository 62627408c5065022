"""S-09: a consumed or scrapped lot can never be sold, pledged, transformed, shipped or
declared; an exported lot is not sold, pledged or transformed until its import clears,
while carriers still move it."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import _coil, at, ok, refused_everywhere


def attempts(node: Node, owner: str, lot: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (owner, "title.transfer", {"lots": [lot], "to": "trader-sg"}),
        (owner, "pledge.create", {"pledge_id": "PL-DEAD", "bank": "bank-1", "lots": [lot]}),
        (
            owner,
            "lot.transform",
            {
                "id": "T-DEAD",
                "facility": "ca-hamilton",
                "process": "hot-rolling",
                "inputs": [{"lot": lot, "kg": 1_000}],
                "outputs": [_coil("DEAD-1", 990)],
                "at": at(node),
            },
        ),
        (owner, "lot.scrap", {"lot": lot, "reason": "again"}),
        (
            owner,
            "custody.handover",
            {"handover_id": "HO-DEAD", "lots": [lot], "to": "carrier-sea", "place": "CAVAN"},
        ),
        (
            "carrier-sea",
            "shipment.create",
            {
                "shipment_id": "SHP-DEAD",
                "carrier": "carrier-sea",
                "mode": "sea",
                "bl_number": "DEAD-1",
                "port_of_loading": "CAVAN",
                "port_of_discharge": "CNSGH",
                "lots": [lot],
            },
        ),
        (
            owner,
            "customs.declare",
            {
                "declaration_id": "CA-EXP-DEAD",
                "direction": "export",
                "declaring_country": "CA",
                "declarant": owner,
                "importer": "trader-sg",
                "port_of_entry": "CAVAN",
                "hs": "7207.12",
                "declared_origin": "CA",
                "declared_melt_pour": ["CA"],
                "net_kg": 30_000,
                "customs_value": {"amount": "15000.00", "currency": "USD"},
                "lots": [lot],
            },
        ),
    ]


@pytest.mark.parametrize("how", ["consumed", "scrapped"])
def test_s09_inactive_lot_cannot_be_sold_or_pledged(world: Node, how: str) -> None:
    if how == "consumed":
        lot = "CA-SLAB-1"  # rolled into CA-HRC-1/2 by the base world
    else:
        lot = "CA-SLAB-3"
        ok(world, "mill-ca", "lot.scrap", {"lot": lot, "reason": "surface cracks"})
    assert world.get(f"lot/{lot}")["state"] == how
    for org, tx_type, payload in attempts(world, "mill-ca", lot):
        refused_everywhere(world, "LOT_NOT_ACTIVE", org, tx_type, payload)
    rec = world.get(f"lot/{lot}")
    assert (rec["state"], rec["owner"], rec["pledge"]) == (how, "mill-ca", None)
    check_invariants(world)


def declaration(decl_id: str, direction: str, country: str, port: str, lot: str) -> dict[str, Any]:
    return {
        "declaration_id": decl_id,
        "direction": direction,
        "declaring_country": country,
        "declarant": "mill-ca",
        "importer": "mill-ca",
        "port_of_entry": port,
        "hs": "7208.39",
        "declared_origin": "CA",
        "declared_melt_pour": ["CA"],
        "net_kg": 29_300,
        "customs_value": {"amount": "18000.00", "currency": "USD"},
        "lots": [lot],
    }


def test_s09_exported_lot_waits_for_its_import(world: Node) -> None:
    lot = "CA-HRC-2"
    ok(world, "mill-ca", "customs.declare", declaration("CA-EXP-1", "export", "CA", "CAVAN", lot))
    ok(world, "customs-ca", "customs.decide", {"declaration_id": "CA-EXP-1", "decision": "cleared"})
    assert world.get(f"lot/{lot}")["state"] == "exported"
    for org, tx_type, payload in attempts(world, "mill-ca", lot):
        if tx_type in ("custody.handover", "shipment.create"):
            continue  # goods on their way still travel: tested below
        refused_everywhere(world, "LOT_NOT_ACTIVE", org, tx_type, payload)
    ok(
        world,
        "mill-ca",
        "custody.handover",
        {"handover_id": "HO-EXP", "lots": [lot], "to": "carrier-sea", "place": "CAVAN"},
    )
    ok(world, "carrier-sea", "custody.accept", {"handover_id": "HO-EXP"})
    ok(world, "mill-ca", "customs.declare", declaration("US-IMP-1", "import", "US", "USBAL", lot))
    ok(world, "customs-us", "customs.decide", {"declaration_id": "US-IMP-1", "decision": "cleared"})
    rec = world.get(f"lot/{lot}")
    assert (rec["state"], rec["custodian"], rec["cleared_by"]) == (
        "active",
        "carrier-sea",
        "US-IMP-1",
    )
    ok(world, "mill-ca", "title.transfer", {"lots": [lot], "to": "trader-sg"})
    check_invariants(world)
