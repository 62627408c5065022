"""Logistics: shipments under a bill of lading, and two-signature custody hand-overs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import Harness
from tests.unit.contracts.world import cast_lot, world


def booking(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "shipment_id": "S1",
        "carrier": "carrier",
        "mode": "sea",
        "bl_number": "BL-0001",
        "port_of_loading": "CNSGH",
        "port_of_discharge": "CAVAN",
        "lots": ["L1"],
    }
    p.update(over)
    return p


def event(at: str, place: str, shipment_id: str = "S1") -> dict[str, Any]:
    return {"shipment_id": shipment_id, "at": at, "place": place}


@pytest.fixture
def h() -> Harness:
    h = world()
    cast_lot(h, "L1", "trader", custodian="carrier")
    cast_lot(h, "L2", "trader", custodian="wh")
    return h


def booked_and_departed(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.tick(60)
    h.run("carrier", "shipment.depart", event("2026-03-01T08:30:00Z", "CNSGH"))


def pledge(h: Harness, lot_id: str = "L1") -> None:
    h.run("trader", "pledge.create", {"pledge_id": "P1", "bank": "bank1", "lots": [lot_id]})
    h.run("bank1", "pledge.accept", {"pledge_id": "P1"})


# ---------------------------------------------------------------- shipment.create


def test_create_books_lots(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    s = h.get("shipment/S1")
    assert s["status"] == "booked"
    assert s["lots"] == ["L1"]
    assert [e["event"] for e in s["events"]] == ["booked"]
    assert h.get("lot/L1")["shipment"] is None  # set on departure, not on booking
    assert h.get("idx/bl/carrier/BL-0001")["shipment"] == "S1"


@pytest.mark.parametrize("mode", ["sea", "rail", "road", "air", "inland-water"])
def test_create_accepts_every_mode(h: Harness, mode: str) -> None:
    h.run("carrier", "shipment.create", booking(mode=mode))


def test_create_rejects_carrier_not_signer(h: Harness) -> None:
    h.reject("SHIPMENT_NOT_CARRIER", "carrier", "shipment.create", booking(carrier="carrier2"))


def test_create_rejects_existing_id(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject("SHIPMENT_EXISTS", "carrier", "shipment.create", booking(bl_number="BL-2"))


def test_create_rejects_bl_number_reused_by_same_carrier(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "SHIPMENT_BL_EXISTS", "carrier", "shipment.create", booking(shipment_id="S2", lots=["L2"])
    )


def test_bl_number_is_unique_per_carrier_only(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.run("carrier2", "shipment.create", booking(shipment_id="S2", carrier="carrier2", lots=["L2"]))


def test_create_rejects_a_place_that_is_not_a_port(h: Harness) -> None:
    # CNSHA is Shanghai Hongqiao airport: a UN/LOCODE, but not a port
    h.reject("SHIPMENT_NOT_A_PORT", "carrier", "shipment.create", booking(port_of_loading="CNSHA"))
    h.reject(
        "SHIPMENT_NOT_A_PORT", "carrier", "shipment.create", booking(port_of_discharge="CNSHA")
    )


def test_create_rejects_unknown_locode(h: Harness) -> None:
    h.reject("LOCODE_UNKNOWN", "carrier", "shipment.create", booking(port_of_loading="ZZ999"))


def test_create_rejects_same_port(h: Harness) -> None:
    h.reject("SHIPMENT_SAME_PORT", "carrier", "shipment.create", booking(port_of_discharge="CNSGH"))


def test_create_rejects_unknown_lot(h: Harness) -> None:
    h.reject("LOT_UNKNOWN", "carrier", "shipment.create", booking(lots=["L404"]))


@pytest.mark.parametrize("state", ["consumed", "scrapped"])
def test_s09_create_rejects_inactive_lot(h: Harness, state: str) -> None:
    cast_lot(h, "L9", "trader", state=state)
    h.reject("LOT_NOT_ACTIVE", "carrier", "shipment.create", booking(lots=["L9"]))


def test_exported_goods_still_travel(h: Harness) -> None:
    cast_lot(h, "L9", "trader", state="exported")
    h.run("carrier", "shipment.create", booking(lots=["L9"]))


def test_s03_pledged_lot_cannot_be_shipped(h: Harness) -> None:
    pledge(h)
    h.reject("LOT_PLEDGED", "carrier", "shipment.create", booking())


def test_create_rejects_lot_in_transit(h: Harness) -> None:
    booked_and_departed(h)
    assert h.get("lot/L1")["shipment"] == "S1"
    h.reject(
        "LOT_IN_SHIPMENT", "carrier", "shipment.create", booking(shipment_id="S2", bl_number="BL-2")
    )


def test_booking_alone_does_not_tie_up_a_lot(h: Harness) -> None:
    """A carrier that does not hold the lots cannot block them by booking them."""
    h.run("carrier2", "shipment.create", booking(shipment_id="S-X", carrier="carrier2"))
    booked_and_departed(h)
    h.reject(
        "SHIPMENT_NOT_CUSTODIAN",
        "carrier2",
        "shipment.depart",
        event("2026-03-01T08:40:00Z", "CNSGH", "S-X"),
    )


def test_depart_rejects_lot_in_transit_on_another_shipment(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.run("carrier", "shipment.create", booking(shipment_id="S2", bl_number="BL-2"))
    h.tick(60)
    h.run("carrier", "shipment.depart", event("2026-03-01T08:30:00Z", "CNSGH"))
    h.reject(
        "LOT_IN_SHIPMENT",
        "carrier",
        "shipment.depart",
        event("2026-03-01T08:30:00Z", "CNSGH", "S2"),
    )


def test_lot_can_be_shipped_again_after_arrival(h: Harness) -> None:
    booked_and_departed(h)
    h.tick(60)
    h.run("carrier", "shipment.arrive", event("2026-03-01T09:30:00Z", "CAVAN"))
    h.run(
        "carrier",
        "shipment.create",
        booking(
            shipment_id="S2", bl_number="BL-2", port_of_loading="CAVAN", port_of_discharge="CAMTR"
        ),
    )
    h.tick(60)
    h.run("carrier", "shipment.depart", event("2026-03-01T10:30:00Z", "CAVAN", "S2"))
    assert h.get("lot/L1")["shipment"] == "S2"


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"mode": "pipeline"}, "PAYLOAD_INVALID"),
        ({"lots": []}, "PAYLOAD_INVALID"),
        ({"vessel": "MV Steel"}, "PAYLOAD_UNKNOWN_FIELD"),
        ({"bl_number": "BL 1"}, "PAYLOAD_INVALID"),
    ],
)
def test_create_rejects_bad_payload(h: Harness, over: dict[str, Any], code: str) -> None:
    h.reject(code, "carrier", "shipment.create", booking(**over))


def test_create_rejects_role_not_permitted(h: Harness) -> None:
    h.reject("ROLE_NOT_PERMITTED", "trader", "shipment.create", booking(carrier="trader"))


# ---------------------------------------------------------------- depart / arrive


def test_depart_then_arrive_in_order(h: Harness) -> None:
    booked_and_departed(h)
    h.tick(60)
    h.run("carrier", "shipment.arrive", event("2026-03-01T09:30:00Z", "CAVAN"))
    s = h.get("shipment/S1")
    assert s["status"] == "arrived"
    assert s["departed_at"] == "2026-03-01T08:30:00Z"
    assert s["arrived_at"] == "2026-03-01T09:30:00Z"
    assert [(e["event"], e["place"]) for e in s["events"]] == [
        ("booked", "CNSGH"),
        ("departed", "CNSGH"),
        ("arrived", "CAVAN"),
    ]
    assert h.get("lot/L1")["custodian"] == "carrier"  # until a hand-over
    assert h.get("lot/L1")["owner"] == "trader"


def test_depart_rejects_unknown_shipment(h: Harness) -> None:
    h.reject(
        "SHIPMENT_UNKNOWN",
        "carrier",
        "shipment.depart",
        event("2026-03-01T08:00:00Z", "CNSGH", "S9"),
    )


def test_depart_rejects_another_carrier(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "SHIPMENT_NOT_CARRIER",
        "carrier2",
        "shipment.depart",
        event("2026-03-01T08:00:00Z", "CNSGH"),
    )


def test_depart_rejects_twice(h: Harness) -> None:
    booked_and_departed(h)
    h.reject(
        "SHIPMENT_ALREADY_DEPARTED",
        "carrier",
        "shipment.depart",
        event("2026-03-01T08:40:00Z", "CNSGH"),
    )


def test_depart_rejects_wrong_place(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "SHIPMENT_PLACE_MISMATCH",
        "carrier",
        "shipment.depart",
        event("2026-03-01T08:00:00Z", "VNSGN"),
    )


def test_depart_rejects_time_after_block_time(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "SHIPMENT_TIME_IN_FUTURE",
        "carrier",
        "shipment.depart",
        event("2026-03-02T08:00:00Z", "CNSGH"),
    )


def test_depart_rejects_time_before_booking(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "SHIPMENT_TIME_ORDER", "carrier", "shipment.depart", event("2026-02-28T08:00:00Z", "CNSGH")
    )


def test_depart_rejects_bad_time(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject("PAYLOAD_INVALID", "carrier", "shipment.depart", event("2026-03-01 08:00:00", "CNSGH"))


def test_depart_rejects_carrier_not_holding_the_lots(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking(lots=["L2"]))  # L2 is still at the warehouse
    h.reject(
        "SHIPMENT_NOT_CUSTODIAN",
        "carrier",
        "shipment.depart",
        event("2026-03-01T08:00:00Z", "CNSGH"),
    )


def test_s03_lot_pledged_after_booking_cannot_depart(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    pledge(h)
    h.reject("LOT_PLEDGED", "carrier", "shipment.depart", event("2026-03-01T08:00:00Z", "CNSGH"))


def test_s09_lot_consumed_after_booking_cannot_depart(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.state.apply({"lot/L1": {**h.get("lot/L1"), "state": "consumed"}})
    h.reject("LOT_NOT_ACTIVE", "carrier", "shipment.depart", event("2026-03-01T08:00:00Z", "CNSGH"))


def test_arrive_rejects_before_departure(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "SHIPMENT_NOT_DEPARTED",
        "carrier",
        "shipment.arrive",
        event("2026-03-01T08:00:00Z", "CAVAN"),
    )


def test_arrive_rejects_twice(h: Harness) -> None:
    booked_and_departed(h)
    h.run("carrier", "shipment.arrive", event("2026-03-01T08:45:00Z", "CAVAN"))
    h.reject(
        "SHIPMENT_NOT_DEPARTED",
        "carrier",
        "shipment.arrive",
        event("2026-03-01T08:50:00Z", "CAVAN"),
    )


def test_arrive_rejects_wrong_place(h: Harness) -> None:
    booked_and_departed(h)
    h.reject(
        "SHIPMENT_PLACE_MISMATCH",
        "carrier",
        "shipment.arrive",
        event("2026-03-01T08:45:00Z", "CAMTR"),
    )


def test_arrive_rejects_time_before_departure(h: Harness) -> None:
    booked_and_departed(h)
    h.reject(
        "SHIPMENT_TIME_ORDER", "carrier", "shipment.arrive", event("2026-03-01T08:10:00Z", "CAVAN")
    )


def test_arrive_rejects_another_carrier(h: Harness) -> None:
    booked_and_departed(h)
    h.reject(
        "SHIPMENT_NOT_CARRIER",
        "carrier2",
        "shipment.arrive",
        event("2026-03-01T08:45:00Z", "CAVAN"),
    )


def test_event_rejects_unknown_field(h: Harness) -> None:
    h.run("carrier", "shipment.create", booking())
    h.reject(
        "PAYLOAD_UNKNOWN_FIELD",
        "carrier",
        "shipment.depart",
        {**event("2026-03-01T08:00:00Z", "CNSGH"), "vessel": "x"},
    )


# ---------------------------------------------------------------- custody


def handover(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"handover_id": "HO-1", "lots": ["L2"], "to": "carrier"}
    p.update(over)
    return p


def test_handover_needs_both_parties_and_keeps_owner(h: Harness) -> None:
    h.run("wh", "custody.handover", handover(place="CAVAN"))
    assert h.get("lot/L2")["custodian"] == "wh"  # not yet
    assert h.get("handover/HO-1")["status"] == "offered"
    h.tick()
    h.run("carrier", "custody.accept", {"handover_id": "HO-1"})
    lot = h.get("lot/L2")
    assert (lot["custodian"], lot["owner"]) == ("carrier", "trader")
    record = h.get("handover/HO-1")
    assert (record["status"], record["from"], record["place"]) == ("accepted", "wh", "CAVAN")


def test_handover_rejects_non_custodian(h: Harness) -> None:
    # the owner is not the custodian: custody is not title
    h.reject("CUSTODY_NOT_CUSTODIAN", "trader", "custody.handover", handover(to="buyer"))


def test_handover_rejects_existing_id(h: Harness) -> None:
    h.run("wh", "custody.handover", handover())
    h.reject("HANDOVER_EXISTS", "wh", "custody.handover", handover())


def test_handover_rejects_same_org(h: Harness) -> None:
    h.reject("CUSTODY_SAME_ORG", "wh", "custody.handover", handover(to="wh"))


def test_handover_rejects_unknown_receiver(h: Harness) -> None:
    h.reject("CUSTODY_RECIPIENT_UNKNOWN", "wh", "custody.handover", handover(to="ghost"))


def test_handover_rejects_unknown_lot(h: Harness) -> None:
    h.reject("LOT_UNKNOWN", "wh", "custody.handover", handover(lots=["L404"]))


def test_s09_handover_rejects_inactive_lot(h: Harness) -> None:
    cast_lot(h, "L9", "trader", custodian="wh", state="scrapped")
    h.reject("LOT_NOT_ACTIVE", "wh", "custody.handover", handover(lots=["L9"]))


def test_s03_handover_rejects_pledged_lot(h: Harness) -> None:
    pledge(h, "L2")
    h.reject("LOT_PLEDGED", "wh", "custody.handover", handover())


def test_handover_rejects_lot_under_receipt(h: Harness) -> None:
    h.run("wh", "receipt.issue", {"receipt_id": "R1", "lots": ["L2"], "to": "trader"})
    h.reject("LOT_UNDER_RECEIPT", "wh", "custody.handover", handover())
    h.run("trader", "receipt.surrender", {"receipt_id": "R1"})
    h.run("wh", "custody.handover", handover())


def test_handover_rejects_role_not_permitted(h: Harness) -> None:
    h.reject("ROLE_NOT_PERMITTED", "bank1", "custody.handover", handover())


def test_handover_rejects_unknown_field(h: Harness) -> None:
    h.reject("PAYLOAD_UNKNOWN_FIELD", "wh", "custody.handover", handover(owner="carrier"))


def test_accept_rejects_unknown_handover(h: Harness) -> None:
    h.reject("HANDOVER_UNKNOWN", "carrier", "custody.accept", {"handover_id": "HO-9"})


def test_accept_rejects_anyone_but_the_receiver(h: Harness) -> None:
    h.run("wh", "custody.handover", handover())
    h.reject("CUSTODY_NOT_RECIPIENT", "carrier2", "custody.accept", {"handover_id": "HO-1"})
    h.reject("CUSTODY_NOT_RECIPIENT", "wh", "custody.accept", {"handover_id": "HO-1"})


def test_accept_rejects_twice(h: Harness) -> None:
    h.run("wh", "custody.handover", handover())
    h.run("carrier", "custody.accept", {"handover_id": "HO-1"})
    h.reject("HANDOVER_CLOSED", "carrier", "custody.accept", {"handover_id": "HO-1"})


def test_accept_rejects_stale_offer(h: Harness) -> None:
    """Two offers of the same lot: the first accepted wins, the second is stale."""
    h.run("wh", "custody.handover", handover())
    h.run("wh", "custody.handover", handover(handover_id="HO-2", to="carrier2"))
    h.run("carrier", "custody.accept", {"handover_id": "HO-1"})
    h.reject("CUSTODY_NOT_CUSTODIAN", "carrier2", "custody.accept", {"handover_id": "HO-2"})


def test_s03_accept_rejects_lot_pledged_since_the_offer(h: Harness) -> None:
    h.run("wh", "custody.handover", handover())
    pledge(h, "L2")
    h.reject("LOT_PLEDGED", "carrier", "custody.accept", {"handover_id": "HO-1"})
