"""S-09: a consumed or scrapped lot can never be sold, pledged, transformed, shipped or
declared. (No contract marks a lot ``exported`` yet: docs/transactions/customs.md.)"""

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
