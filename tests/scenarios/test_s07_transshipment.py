"""S-07: transshipment. Chinese-melted coil, shipped to Viet Nam, only galvanised there,
declared into Canada as Vietnamese: recorded with reason codes, and the same codes on
two fresh nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steeltrace.analytics.monitoring import (
    discrepancy_queue,
    origin_melt_matrix,
    rows_from_records,
)
from steeltrace.core.origin.report import origin_report
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import _coil, at, build_base, ok
from tests.support.nodes import demo_node


def transship(node: Node) -> dict[str, Any]:
    ok(node, "mill-cn", "title.transfer", {"lots": ["CN-HRC-1"], "to": "trader-sg"})
    ok(
        node,
        "carrier-sea",
        "shipment.create",
        {
            "shipment_id": "SHP-CN-VN-1",
            "carrier": "carrier-sea",
            "mode": "sea",
            "bl_number": "PBLU2026001",
            "port_of_loading": "CNSGH",
            "port_of_discharge": "VNSGN",
            "lots": ["CN-HRC-1"],
        },
    )
    ok(
        node,
        "mill-cn",
        "custody.handover",
        {"handover_id": "HO-CN-1", "lots": ["CN-HRC-1"], "to": "carrier-sea", "place": "CNSGH"},
    )
    ok(node, "carrier-sea", "custody.accept", {"handover_id": "HO-CN-1"})
    ship = {"shipment_id": "SHP-CN-VN-1"}
    ok(node, "carrier-sea", "shipment.depart", {**ship, "at": at(node), "place": "CNSGH"})
    ok(node, "carrier-sea", "shipment.arrive", {**ship, "at": at(node), "place": "VNSGN"})
    ok(node, "trader-sg", "title.transfer", {"lots": ["CN-HRC-1"], "to": "proc-vn"})
    ok(
        node,
        "carrier-sea",
        "custody.handover",
        {"handover_id": "HO-CN-2", "lots": ["CN-HRC-1"], "to": "proc-vn", "place": "VNSGN"},
    )
    ok(node, "proc-vn", "custody.accept", {"handover_id": "HO-CN-2"})
    ok(
        node,
        "proc-vn",
        "lot.transform",
        {
            "id": "VN-CGL-1",
            "facility": "vn-saigon-cgl",
            "process": "galvanising",
            "inputs": [{"lot": "CN-HRC-1", "kg": 29_400}],
            "outputs": [_coil("VN-GI-1", 29_200, hs="7210.49", grade="DX51D+Z")],
            "at": at(node),
        },
    )
    ok(node, "proc-vn", "title.transfer", {"lots": ["VN-GI-1"], "to": "trader-sg"})
    ok(
        node,
        "trader-sg",
        "customs.declare",
        {
            "declaration_id": "CA-IMP-2026-0001",
            "direction": "import",
            "declaring_country": "CA",
            "declarant": "trader-sg",
            "importer": "svc-ca",
            "port_of_entry": "CAVAN",
            "hs": "7210.49",
            "declared_origin": "VN",
            "declared_melt_pour": ["VN"],
            "net_kg": 29_200,
            "customs_value": {"amount": "21900.00", "currency": "USD"},
            "lots": ["VN-GI-1"],
            "date": "2026-03-20",
        },
    )
    decl = node.get("declaration/CA-IMP-2026-0001")
    assert decl is not None
    return decl


def test_s07_transshipment_flagged_reproducibly(tmp_path: Path) -> None:
    results = []
    for i in range(2):
        node = demo_node(tmp_path / f"home-{i}")
        try:
            build_base(node)
            decl = transship(node)
            gi = origin_report(node, "VN-GI-1")
            assert gi["melt_and_pour"] == {"CN": 1.0} and gi["origin"] == "CN"
            assert node.get("lot/VN-GI-1")["shipment"] is None
            assert node.get("lot/CN-HRC-1")["shipment"] == "SHP-CN-VN-1"
            rows = rows_from_records([decl])
            # the import monitor shows the tonnes declared VN but melted CN
            assert origin_melt_matrix(rows) == {("VN", "CN"): 29_200}
            assert [r.declaration_id for r in discrepancy_queue(rows)] == ["CA-IMP-2026-0001"]
            check_invariants(node)
            results.append(
                (
                    [(d["code"], d.get("declared"), d["ledger"]) for d in decl["discrepancies"]],
                    decl["ledger"],
                    decl["status"],
                )
            )
        finally:
            node.close()
    codes = [c for c, _, _ in results[0][0]]
    assert codes == ["MELT_POUR_MISMATCH", "ORIGIN_MISMATCH"]
    assert results[0][1]["melt_and_pour"] == {"CN": 1.0}
    assert results[0][1]["origin"] == {"VN-GI-1": "CN"}
    assert results[0][2] == "submitted"
    assert results[0] == results[1]  # same codes, same ledger facts, on two fresh chains


def test_s07_customs_hold_on_the_flag(world: Node) -> None:
    transship(world)
    decide = {"declaration_id": "CA-IMP-2026-0001", "decision": "held", "reason": "melt CN"}
    st = world.submit_and_wait("customs-ca", "customs.decide", decide)
    assert st["status"] == "valid"
    assert world.get("declaration/CA-IMP-2026-0001")["status"] == "held"
    check_invariants(world)
