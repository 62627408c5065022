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


def test_s11_shipment_events_out_of_order(world: Node) -> None:
    booked = {
        "shipment_id": "SHP-1",
        "carrier": "carrier-sea",
        "mode": "sea",
        "bl_number": "PBLU-1",
        "port_of_loading": "CNSGH",
        "port_of_discharge": "VNSGN",
        "lots": ["CN-HRC-1"],
    }
    ok(world, "carrier-sea", "shipment.create", booked)
    ok(
        world,
        "mill-cn",
        "custody.handover",
        {"handover_id": "HO-1", "lots": ["CN-HRC-1"], "to": "carrier-sea", "place": "CNSGH"},
    )
    ok(world, "carrier-sea", "custody.accept", {"handover_id": "HO-1"})
    created = schema.parse_time(world.get("shipment/SHP-1")["created_at"])
    before_booking = schema.format_time(created - timedelta(hours=1))
    depart = {"shipment_id": "SHP-1", "at": before_booking, "place": "CNSGH"}
    refused_everywhere(world, "SHIPMENT_TIME_ORDER", "carrier-sea", "shipment.depart", depart)
    now = schema.format_time(world.clock())
    ok(world, "carrier-sea", "shipment.depart", {**depart, "at": now})
    departed = schema.parse_time(world.get("shipment/SHP-1")["departed_at"])
    arrive = {
        "shipment_id": "SHP-1",
        "at": schema.format_time(departed - timedelta(seconds=1)),
        "place": "VNSGN",
    }
    refused_everywhere(world, "SHIPMENT_TIME_ORDER", "carrier-sea", "shipment.arrive", arrive)
    check_invariants(world)
