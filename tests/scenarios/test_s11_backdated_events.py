"""S-11: an event dated before its parent heat or lot is rejected."""

from __future__ import annotations

from datetime import timedelta

from steeltrace.core import schema
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import _coil, _slabs, heat_payload, ok, refused_everywhere


def test_s11_transform_dated_before_its_input_lot(world: Node) -> None:
    created = schema.parse_time(world.get("lot/CA-HRC-1")["created_at"])
    early = schema.format_time(created - timedelta(seconds=1))
    payload = {
        "id": "CA-EARLY",
        "facility": "ca-hamilton",
        "process": "hot-rolling",
        "inputs": [{"lot": "CA-HRC-1", "kg": 10_000}],
        "outputs": [_coil("CA-EARLY-1", 9_900)],
        "at": early,
    }
    refused_everywhere(world, "EVENT_BEFORE_PARENT", "mill-ca", "lot.transform", payload)
    payload["at"] = schema.format_time(world.clock() + timedelta(minutes=30))
    refused_everywhere(world, "EVENT_IN_FUTURE", "mill-ca", "lot.transform", payload)
    check_invariants(world)


def test_s11_cast_before_the_heat_was_melted(world: Node) -> None:
    # a heat registered as cast two minutes from now (inside the clock tolerance)
    soon = schema.format_time(world.clock() + timedelta(minutes=2))
    ok(world, "mill-ca", "heat.register", heat_payload("mill-ca", "H-CA-24002", cast_at=soon))
    cast = {"heat": "mill-ca/H-CA-24002", "lots": _slabs("CA-EARLY", 1, 10_000, "S355JR")}
    refused_everywhere(world, "EVENT_BEFORE_PARENT", "mill-ca", "lot.cast", cast)
    later = schema.format_time(world.clock() + timedelta(minutes=30))
    refused_everywhere(
        world,
        "HEAT_CAST_IN_FUTURE",
        "mill-ca",
        "heat.register",
        heat_payload("mill-ca", "H-CA-24003", cast_at=later),
    )
    assert world.get("heat/mill-ca/H-CA-24002")["cast_kg"] == 0
    check_invariants(world)
