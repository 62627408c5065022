"""lot.cast, lot.transform, lot.scrap: accepted paths, S-04, S-08, S-09, S-11, every code."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import Harness
from tests.unit.contracts.steel_chain import (
    CAST_AT,
    GALV_HS,
    HRC_HS,
    STAINLESS,
    chain,
    heat,
    lot_spec,
    transform_payload,
)


def _cast_world() -> tuple[Harness, str]:
    h = chain()
    return h, heat(h, "mill-cn", "H1", "cn-works")


def _rolled_world() -> Harness:
    """A CN heat cast into two slabs, s1 (100 t) and s2 (90 t), owned by mill-cn."""
    h, hid = _cast_world()
    h.run(
        "mill-cn",
        "lot.cast",
        {"heat": hid, "lots": [lot_spec("s1", 100_000), lot_spec("s2", 90_000)]},
    )
    h.tick()
    return h


def _now(h: Harness) -> str:
    return h.now.strftime("%Y-%m-%dT%H:%M:%SZ")


def _tx(h: Harness, *args: Any, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("at", _now(h))
    return transform_payload(*args, **kwargs)


# ------------------------------------------------------------------------------ cast


def test_cast_creates_lots_owned_by_the_mill_and_counts_the_heat() -> None:
    h, hid = _cast_world()
    h.run(
        "mill-cn",
        "lot.cast",
        {"heat": hid, "lots": [lot_spec("s1", 120_000), lot_spec("s2", 80_000)]},
    )
    lot = h.get("lot/s1")
    assert lot["owner"] == lot["custodian"] == "mill-cn"
    assert lot["heat"] == hid
    assert lot["state"] == "active"
    assert lot["remaining_kg"] == lot["mass_kg"] == 120_000
    assert lot["parents"] == [] and lot["transformation"] is None and lot["pledge"] is None
    assert lot["facility"] == "cn-works"
    assert lot["created_at"] == _now(h)
    assert h.get(f"heat/{hid}")["cast_kg"] == 200_000


def test_s04_casting_more_than_the_heat_weighed_is_rejected() -> None:
    h, hid = _cast_world()
    h.reject(
        "HEAT_OVERCAST", "mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s1", 200_001)]}
    )
    h.run("mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s1", 150_000)]})
    h.reject(
        "HEAT_OVERCAST", "mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s2", 50_001)]}
    )
    h.run("mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s2", 50_000)]})
    assert h.get(f"heat/{hid}")["cast_kg"] == 200_000


def test_s11_casting_before_the_heat_was_melted_is_rejected() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works", cast_at="2026-03-01T08:04:00Z")
    h.reject(
        "EVENT_BEFORE_PARENT", "mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s1", 1)]}
    )
    h.tick()
    h.run("mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s1", 1)]})


@pytest.mark.parametrize(
    ("code", "payload"),
    [
        ("PAYLOAD_UNKNOWN_FIELD", {"heat": "mill-cn/H1", "lots": [], "x": 1}),
        ("PAYLOAD_INVALID", {"heat": "mill-cn/H1", "lots": []}),
        ("HEAT_UNKNOWN", {"heat": "mill-cn/H9", "lots": [lot_spec("s1", 1)]}),
        ("HEAT_NOT_OWNED", {"heat": "mill-ca/H1", "lots": [lot_spec("s1", 1)]}),
        ("HS_UNKNOWN", {"heat": "mill-cn/H1", "lots": [{**lot_spec("s1", 1), "hs": "7299"}]}),
        ("HS_NOT_STEEL", {"heat": "mill-cn/H1", "lots": [{**lot_spec("s1", 1), "hs": "7601"}]}),
        (
            "HS_CHEMISTRY_MISMATCH",
            {"heat": "mill-cn/H1", "lots": [{**lot_spec("s1", 1), "hs": "7218"}]},
        ),
        (
            "MASS_NOT_INTEGER",
            {"heat": "mill-cn/H1", "lots": [{**lot_spec("s1", 1), "mass_kg": 1.5}]},
        ),
        (
            "PAYLOAD_INVALID",
            {"heat": "mill-cn/H1", "lots": [{**lot_spec("s1", 1), "form": "blob"}]},
        ),
        (
            "PAYLOAD_INVALID",
            {"heat": "mill-cn/H1", "lots": [{**lot_spec("s1", 1), "dimensions": {"t": 0}}]},
        ),
        ("IDENT_NOT_ASCII", {"heat": "mill-cn/H1", "lots": [lot_spec("s\u04351", 1)]}),
        ("LOT_DUPLICATE", {"heat": "mill-cn/H1", "lots": [lot_spec("s1", 1), lot_spec("s1", 2)]}),
    ],
)
def test_cast_rejections_leave_state_unchanged(code: str, payload: dict[str, Any]) -> None:
    h, _ = _cast_world()
    heat(h, "mill-ca", "H1", "ca-works")
    h.reject(code, "mill-cn", "lot.cast", payload)


def test_cast_lot_ids_are_unique_forever_and_roles_are_checked() -> None:
    h, hid = _cast_world()
    h.run("mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s1", 1)]})
    h.reject("LOT_EXISTS", "mill-cn", "lot.cast", {"heat": hid, "lots": [lot_spec("s1", 1)]})
    h.reject("ROLE_NOT_PERMITTED", "proc-vn", "lot.cast", {"heat": hid, "lots": [lot_spec("x", 1)]})


def test_stainless_heat_casts_stainless_codes() -> None:
    h = chain()
    hid = heat(h, "mill-kr", "S1", "kr-works", chemistry=STAINLESS)
    h.reject(
        "HS_CHEMISTRY_MISMATCH", "mill-kr", "lot.cast", {"heat": hid, "lots": [lot_spec("k1", 1)]}
    )
    h.run("mill-kr", "lot.cast", {"heat": hid, "lots": [{**lot_spec("k1", 1), "hs": "721810"}]})


# ------------------------------------------------------------------------- transform


def test_partial_then_whole_consumption() -> None:
    h = _rolled_world()
    h.run(
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 60_000)], [("c1", 58_000)]),
    )
    s1 = h.get("lot/s1")
    assert (s1["state"], s1["remaining_kg"]) == ("active", 40_000)
    c1 = h.get("lot/c1")
    assert c1["parents"] == [{"lot": "s1", "kg": 60_000}]
    assert c1["owner"] == c1["custodian"] == "mill-cn"
    assert c1["transformation"] == "t1" and c1["heat"] is None and c1["hs"] == HRC_HS
    t1 = h.get("transformation/t1")
    assert t1["loss_kg"] == 2_000 and t1["outputs"] == ["c1"] and t1["process"] == "hot-rolling"
    h.tick()
    h.run(
        "mill-cn",
        "lot.transform",
        _tx(h, "t2", "cn-works", "hot-rolling", [("s1", 40_000)], [("c2", 39_000)]),
    )
    s1 = h.get("lot/s1")
    assert (s1["state"], s1["remaining_kg"]) == ("consumed", 0)


def test_s04_outputs_heavier_than_inputs_is_mass_inflation() -> None:
    h = _rolled_world()
    h.reject(
        "MASS_INFLATION",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 60_000)], [("c1", 60_001)]),
    )


def test_s04_consuming_the_same_input_twice() -> None:
    h = _rolled_world()
    h.reject(
        "INPUT_DUPLICATE",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 60_000), ("s1", 40_000)], [("c1", 99_000)]),
    )
    h.run(
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 60_000)], [("c1", 59_000)]),
    )
    h.reject(
        "INPUT_EXCEEDS_REMAINING",
        "mill-cn",
        "lot.transform",
        _tx(h, "t2", "cn-works", "hot-rolling", [("s1", 40_001)], [("c2", 39_000)]),
    )


def test_s08_a_lot_cannot_become_its_own_ancestor() -> None:
    h = _rolled_world()
    h.reject(
        "GENEALOGY_CYCLE",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 60_000)], [("s1", 59_000)]),
    )
    h.reject(
        "LOT_EXISTS",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 60_000)], [("s2", 59_000)]),
    )


def test_s09_transforming_a_consumed_or_scrapped_lot_is_rejected() -> None:
    h = _rolled_world()
    h.run(
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 100_000)], [("c1", 98_000)]),
    )
    h.reject(
        "LOT_NOT_ACTIVE",
        "mill-cn",
        "lot.transform",
        _tx(h, "t2", "cn-works", "hot-rolling", [("s1", 1)], [("c2", 1)]),
    )
    h.run("mill-cn", "lot.scrap", {"lot": "s2", "reason": "cracked at the torch"})
    assert h.get("lot/s2")["state"] == "scrapped"
    h.reject(
        "LOT_NOT_ACTIVE",
        "mill-cn",
        "lot.transform",
        _tx(h, "t2", "cn-works", "hot-rolling", [("s2", 1)], [("c2", 1)]),
    )
    h.reject("LOT_NOT_ACTIVE", "mill-cn", "lot.scrap", {"lot": "s2", "reason": "again"})


def test_s11_transformation_dated_before_its_input_lot() -> None:
    h = _rolled_world()
    h.reject(
        "EVENT_BEFORE_PARENT",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 1_000)], [("c1", 990)], at=CAST_AT),
    )


def test_pledged_and_receipted_lots_cannot_be_consumed() -> None:
    h = _rolled_world()
    h.state.apply(
        {
            "lot/s1": {**h.get("lot/s1"), "pledge": "p1"},
            "lot/s2": {**h.get("lot/s2"), "receipt": "r1"},
        }
    )
    h.reject(
        "LOT_PLEDGED",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 1_000)], [("c1", 990)]),
    )
    h.reject(
        "LOT_UNDER_RECEIPT",
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s2", 1_000)], [("c1", 990)]),
    )
    h.reject("LOT_PLEDGED", "mill-cn", "lot.scrap", {"lot": "s1", "reason": "x"})


@pytest.mark.parametrize(
    ("code", "signer", "args", "over"),
    [
        ("ROLE_NOT_PERMITTED", "trader", ("cn-works", "hot-rolling"), {}),
        ("FACILITY_UNKNOWN", "mill-cn", ("nowhere", "hot-rolling"), {}),
        ("FACILITY_NOT_OWNED", "proc-vn", ("cn-works", "hot-rolling"), {}),
        ("FACILITY_LACKS_PROCESS", "mill-cn", ("cn-works", "galvanising"), {}),
        ("PROCESS_NOT_TRANSFORMATION", "mill-cn", ("cn-works", "melting"), {}),
        ("PAYLOAD_INVALID", "mill-cn", ("cn-works", "welding"), {}),
        ("PAYLOAD_UNKNOWN_FIELD", "mill-cn", ("cn-works", "hot-rolling"), {"origin": "CA"}),
        ("EVENT_IN_FUTURE", "mill-cn", ("cn-works", "hot-rolling"), {"at": "2026-03-01T09:00:00Z"}),
        ("PAYLOAD_INVALID", "mill-cn", ("cn-works", "hot-rolling"), {"inputs": []}),
        ("PAYLOAD_INVALID", "mill-cn", ("cn-works", "hot-rolling"), {"outputs": []}),
        (
            "MASS_NOT_INTEGER",
            "mill-cn",
            ("cn-works", "hot-rolling"),
            {"inputs": [{"lot": "s1", "kg": 10.0}]},
        ),
        (
            "LOT_UNKNOWN",
            "mill-cn",
            ("cn-works", "hot-rolling"),
            {"inputs": [{"lot": "nope", "kg": 10}]},
        ),
        (
            "HS_NOT_STEEL",
            "mill-cn",
            ("cn-works", "hot-rolling"),
            {"outputs": [{**lot_spec("c1", 9_900), "hs": "760110"}]},
        ),
        (
            "HS_CHEMISTRY_MISMATCH",
            "mill-cn",
            ("cn-works", "hot-rolling"),
            {"outputs": [{**lot_spec("c1", 9_900), "hs": "721912"}]},
        ),
        (
            "LOT_DUPLICATE",
            "mill-cn",
            ("cn-works", "hot-rolling"),
            {"outputs": [lot_spec("c1", 4_000), lot_spec("c1", 4_000)]},
        ),
        (
            "PROCESS_LOSS_EXCESSIVE",
            "mill-cn",
            ("cn-works", "hot-rolling"),
            {"outputs": [lot_spec("c1", 8_999)]},
        ),
    ],
)
def test_transform_rejections_leave_state_unchanged(
    code: str, signer: str, args: tuple[str, str], over: dict[str, Any]
) -> None:
    h = _rolled_world()
    payload = {**_tx(h, "t1", *args, [("s1", 10_000)], [("c1", 9_900)]), **over}
    h.reject(code, signer, "lot.transform", payload)


def test_only_the_owner_may_transform_or_scrap() -> None:
    h = _rolled_world()
    h.reject(
        "LOT_NOT_OWNED",
        "proc-vn",
        "lot.transform",
        _tx(h, "t1", "vn-line", "hot-rolling", [("s1", 10_000)], [("c1", 9_900)]),
    )
    h.reject("LOT_NOT_OWNED", "proc-vn", "lot.scrap", {"lot": "s1", "reason": "x"})
    h.reject("LOT_UNKNOWN", "proc-vn", "lot.scrap", {"lot": "zz", "reason": "x"})


def test_transformation_id_is_unique_and_processor_output_is_its_own() -> None:
    h = _rolled_world()
    # title moves are another contract's; here the slab is handed over directly
    h.state.apply({"lot/s1": {**h.get("lot/s1"), "owner": "proc-vn", "custodian": "proc-vn"}})
    h.run(
        "proc-vn",
        "lot.transform",
        _tx(h, "t1", "vn-line", "galvanising", [("s1", 10_000)], [("g1", 9_950)], hs=GALV_HS),
    )
    g1 = h.get("lot/g1")
    assert (g1["owner"], g1["custodian"], g1["facility"]) == ("proc-vn", "proc-vn", "vn-line")
    h.reject(
        "TRANSFORMATION_EXISTS",
        "proc-vn",
        "lot.transform",
        _tx(h, "t1", "vn-line", "galvanising", [("s1", 10_000)], [("g2", 9_950)], hs=GALV_HS),
    )


def test_hs_is_stored_as_digits_and_the_genealogy_entry_is_written() -> None:
    h, hid = _cast_world()
    h.run(
        "mill-cn", "lot.cast", {"heat": hid, "lots": [{**lot_spec("s1", 1_000), "hs": "7207.12"}]}
    )
    assert h.get("lot/s1")["hs"] == "720712"
    assert h.get("idx/gen/s1") == [hid, "720712", "cn-works", None, None, 1_000]
    h.tick()
    h.run(
        "mill-cn",
        "lot.transform",
        _tx(h, "t1", "cn-works", "hot-rolling", [("s1", 1_000)], [("c1", 990)]),
    )
    assert h.get("idx/gen/c1") == [None, HRC_HS, "cn-works", "hot-rolling", "t1", 990, "s1", 1_000]
    assert h.get("lot/c1")["process"] == "hot-rolling"
