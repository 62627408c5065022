"""S-04: mass inflation. Casting more than the heat weighed, outputs heavier than inputs,
consuming the same input twice (also twice in one block), certifying more than poured.
All rejected; no balance is ever negative (invariant 3)."""

from __future__ import annotations

from typing import Any

from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import (
    CHEM,
    HEAT_NO,
    _certificate,
    _coil,
    _slabs,
    at,
    ok,
    one_block,
    refused_everywhere,
    root_with_only,
    verdicts,
)


def rolling(tid: str, inputs: list[tuple[str, int]], outputs: list[tuple[str, int]], node: Node):
    return {
        "id": tid,
        "facility": "ca-hamilton",
        "process": "hot-rolling",
        "inputs": [{"lot": lot, "kg": kg} for lot, kg in inputs],
        "outputs": [_coil(lot, kg) for lot, kg in outputs],
        "at": at(node),
    }


def test_s04_cast_more_than_the_heat(world: Node) -> None:
    heat = world.get("heat/mill-ca/H-CA-24001")
    left = heat["tonnage_kg"] - heat["cast_kg"]
    assert left == 30_000
    over = {"heat": "mill-ca/H-CA-24001", "lots": _slabs("CA-OVER", 1, left + 1, "S355JR")}
    refused_everywhere(world, "HEAT_OVERCAST", "mill-ca", "lot.cast", over)
    # two casts that fit one by one but not together, in one block
    txs = [
        world.sign_as(
            "mill-ca",
            "lot.cast",
            {"heat": "mill-ca/H-CA-24001", "lots": _slabs(f"CA-B{i}", 1, 20_000, "S355JR")},
        )
        for i in range(2)
    ]
    for t in txs:
        world.precheck(t)
    block, before = one_block(world, txs)
    assert verdicts(block) == [("valid", None), ("invalid", "HEAT_OVERCAST")]
    assert world.state_root() == root_with_only(before, block, world, [txs[0].tx_id])
    assert world.get("heat/mill-ca/H-CA-24001")["cast_kg"] == 140_000
    check_invariants(world)


def test_s04_outputs_heavier_than_inputs(world: Node) -> None:
    inflate = rolling("CA-HSM-X", [("CA-SLAB-3", 30_000)], [("CA-X-1", 30_001)], world)
    refused_everywhere(world, "MASS_INFLATION", "mill-ca", "lot.transform", inflate)
    split = rolling(
        "CA-HSM-X", [("CA-SLAB-3", 20_000)], [("CA-X-1", 15_000), ("CA-X-2", 5_001)], world
    )
    refused_everywhere(world, "MASS_INFLATION", "mill-ca", "lot.transform", split)
    # losing mass beyond the process bound is refused too (mass cannot vanish either)
    lose = rolling("CA-HSM-X", [("CA-SLAB-3", 30_000)], [("CA-X-1", 20_000)], world)
    refused_everywhere(world, "PROCESS_LOSS_EXCESSIVE", "mill-ca", "lot.transform", lose)
    assert world.get("lot/CA-SLAB-3")["remaining_kg"] == 30_000
    check_invariants(world)


def test_s04_consuming_the_same_input_twice(world: Node) -> None:
    twice = rolling(
        "CA-HSM-X", [("CA-SLAB-3", 15_000), ("CA-SLAB-3", 15_000)], [("CA-X-1", 29_000)], world
    )
    refused_everywhere(world, "INPUT_DUPLICATE", "mill-ca", "lot.transform", twice)
    ok(
        world,
        "mill-ca",
        "lot.transform",
        rolling("CA-HSM-2", [("CA-SLAB-3", 20_000)], [("CA-X-1", 19_600)], world),
    )
    assert world.get("lot/CA-SLAB-3")["remaining_kg"] == 10_000
    more = rolling("CA-HSM-3", [("CA-SLAB-3", 10_001)], [("CA-X-2", 9_800)], world)
    refused_everywhere(world, "INPUT_EXCEEDS_REMAINING", "mill-ca", "lot.transform", more)
    ok(
        world,
        "mill-ca",
        "lot.transform",
        rolling("CA-HSM-3", [("CA-SLAB-3", 10_000)], [("CA-X-2", 9_800)], world),
    )
    slab = world.get("lot/CA-SLAB-3")
    assert (slab["remaining_kg"], slab["state"]) == (0, "consumed")
    again = rolling("CA-HSM-4", [("CA-SLAB-3", 1)], [("CA-X-3", 1)], world)
    refused_everywhere(world, "LOT_NOT_ACTIVE", "mill-ca", "lot.transform", again)
    check_invariants(world)


def test_s04_two_transforms_of_the_same_lot_in_one_block(world: Node) -> None:
    a = rolling("CA-HSM-A", [("CA-SLAB-4", 20_000)], [("CA-A-1", 19_600)], world)
    b = rolling("CA-HSM-B", [("CA-SLAB-4", 20_000)], [("CA-B-1", 19_600)], world)
    c = rolling("CA-HSM-C", [("CA-SLAB-4", 10_000)], [("CA-C-1", 9_800)], world)
    d = rolling("CA-HSM-D", [("CA-SLAB-4", 1)], [("CA-D-1", 1)], world)
    txs = [world.sign_as("mill-ca", "lot.transform", p) for p in (a, b, c, d)]
    block, before = one_block(world, txs)
    assert verdicts(block) == [
        ("valid", None),
        ("invalid", "INPUT_EXCEEDS_REMAINING"),
        ("valid", None),
        ("invalid", "LOT_NOT_ACTIVE"),
    ]
    assert world.state_root() == root_with_only(before, block, world, [txs[0].tx_id, txs[2].tx_id])
    assert world.get("lot/CA-B-1") is None and world.get("transformation/CA-HSM-B") is None
    slab = world.get("lot/CA-SLAB-4")
    assert (slab["remaining_kg"], slab["state"]) == (0, "consumed")
    check_invariants(world)


def cert(lots: list[dict[str, Any]], no: str) -> dict[str, Any]:
    return _certificate("mill-ca", HEAT_NO["mill-ca"], CHEM["mill-ca"], lots, no)


def test_s04_certifying_more_than_poured(world: Node) -> None:
    heat_id = "heat/mill-ca/H-CA-24001"
    assert world.get(heat_id)["certified_kg"] == 120_000
    # a lot already certified in full cannot carry a second copy of the certificate
    copy = cert([{"lot": "CA-SLAB-3", "kg": 30_000}], "MTC-COPY")
    refused_everywhere(world, "CERT_LOT_MASS_EXCEEDED", "mill-ca", "cert.issue", copy)
    # more kg on a lot than the lot weighs
    heavy = cert([{"lot": "CA-HRC-1", "kg": 29_401}], "MTC-HEAVY")
    refused_everywhere(world, "CERT_LOT_MASS_EXCEEDED", "mill-ca", "cert.issue", heavy)
    # a coil rolled from certified slabs is the same steel again: its own certificate is
    # accepted (bounded by the heat mass the coil holds) and does not use the heat up twice
    ok(world, "mill-ca", "cert.issue", cert([{"lot": "CA-HRC-1", "kg": 29_400}], "MTC-HRC-1"))
    ok(world, "mill-ca", "cert.issue", cert([{"lot": "CA-HRC-2", "kg": 29_300}], "MTC-HRC-2"))
    heat = world.get(heat_id)
    assert heat["certified_kg"] == 120_000 <= heat["tonnage_kg"]
    again = cert([{"lot": "CA-HRC-2", "kg": 1}], "MTC-HRC-2B")
    refused_everywhere(world, "CERT_LOT_MASS_EXCEEDED", "mill-ca", "cert.issue", again)
    check_invariants(world)
