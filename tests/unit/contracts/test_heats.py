"""heat.register: the accepted path, S-06 (reuse, Cyrillic), every rejection unchanged."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.contracts.heats import chemistry_fingerprint
from tests.unit.contracts.steel_chain import CARBON, chain, facility, heat_payload


def test_register_records_the_heat_with_its_melt_country() -> None:
    h = chain()
    h.run(
        "mill-ca",
        "heat.register",
        heat_payload(
            "H-1001",
            "ca-works",
            inputs=[
                {"material": "scrap", "share": 0.75, "origin_country": "CA"},
                {"material": "DRI", "share": 0.25, "origin_country": "US"},
            ],
            co2_t_per_t=0.45,
            co2_method="worldsteel 2021",
        ),
    )
    rec = h.get("heat/mill-ca/H-1001")
    assert rec["id"] == "mill-ca/H-1001"
    assert rec["mill"] == "mill-ca"
    assert rec["country"] == "CA"
    assert rec["facility"] == "ca-works"
    assert rec["cast_kg"] == 0
    assert rec["certified_kg"] == 0
    assert rec["recycled_share"] == 0.75
    assert rec["co2_t_per_t"] == 0.45
    assert rec["tx_id"] == h.last_tx_id


def test_chemistry_index_lists_heats_with_identical_chemistry() -> None:
    h = chain()
    h.run("mill-ca", "heat.register", heat_payload("H1", "ca-works"))
    h.run("mill-cn", "heat.register", heat_payload("H1", "cn-works", chemistry={**CARBON, "Cu": 0}))
    fp = hashlib.sha256(canonical_bytes(CARBON)).hexdigest()
    assert chemistry_fingerprint({**CARBON, "Cu": 0}) == fp
    assert h.get(f"idx/chem/{fp}") == ["mill-ca/H1", "mill-cn/H1"]


def test_s06_heat_number_reuse_by_the_same_mill_is_rejected() -> None:
    h = chain()
    h.run("mill-ca", "heat.register", heat_payload("H1", "ca-works"))
    h.reject("HEAT_EXISTS", "mill-ca", "heat.register", heat_payload("H1", "ca-works"))


def test_s06_same_number_at_another_mill_is_allowed() -> None:
    h = chain()
    h.run("mill-ca", "heat.register", heat_payload("H1", "ca-works"))
    h.run("mill-cn", "heat.register", heat_payload("H1", "cn-works"))
    assert h.get("heat/mill-cn/H1")["mill"] == "mill-cn"
    assert h.get("heat/mill-ca/H1")["country"] == "CA"


def test_s06_cyrillic_confusable_heat_number_is_rejected() -> None:
    h = chain()
    h.run("mill-ca", "heat.register", heat_payload("H1", "ca-works"))
    # "Н" is CYRILLIC CAPITAL LETTER EN: it looks like the Latin H of the existing heat.
    h.reject("IDENT_NOT_ASCII", "mill-ca", "heat.register", heat_payload("\u041d1", "ca-works"))


def test_not_a_mill() -> None:
    h = chain()
    h.reject("ROLE_NOT_PERMITTED", "proc-vn", "heat.register", heat_payload("H1", "vn-line"))


def test_facility_rules() -> None:
    h = chain()
    h.reject("FACILITY_UNKNOWN", "mill-ca", "heat.register", heat_payload("H1", "nowhere"))
    h.reject("FACILITY_NOT_OWNED", "mill-ca", "heat.register", heat_payload("H1", "cn-works"))
    facility(h, "mill-ca", "ca-mill2", "CA", "CAHAM", ["hot-rolling"])
    h.reject("FACILITY_LACKS_PROCESS", "mill-ca", "heat.register", heat_payload("H1", "ca-mill2"))


def _shares(*items: tuple[str, float, str]) -> list[dict[str, Any]]:
    return [{"material": m, "share": s, "origin_country": c} for m, s, c in items]


@pytest.mark.parametrize(
    ("code", "over"),
    [
        ("PAYLOAD_UNKNOWN_FIELD", {"verified": True}),
        ("PAYLOAD_MISSING_FIELD", {"route": None}),
        ("PAYLOAD_INVALID", {"heat_no": "H/1"}),
        ("PAYLOAD_INVALID", {"route": "crucible"}),
        ("PAYLOAD_INVALID", {"cast_at": "2026-03-01 07:00"}),
        ("MASS_NOT_INTEGER", {"tonnage_kg": 200000.0}),
        ("HEAT_TONNAGE_OUT_OF_RANGE", {"tonnage_kg": 999}),
        ("HEAT_TONNAGE_OUT_OF_RANGE", {"tonnage_kg": 500_001}),
        ("HEAT_CAST_IN_FUTURE", {"cast_at": "2026-03-01T08:05:01Z"}),
        ("CHEMISTRY_CARBON_MISSING", {"chemistry": {"Mn": 1.0}}),
        ("CHEMISTRY_UNKNOWN_ELEMENT", {"chemistry": {"C": 0.2, "Xx": 1.0}}),
        ("PAYLOAD_INVALID", {"chemistry": {"C": -0.1}}),
        ("PAYLOAD_INVALID", {"chemistry": {"C": 100.5}}),
        ("CHEMISTRY_OVER_100", {"chemistry": {"C": 2.0, "Cr": 60.0, "Ni": 40.0}}),
        ("HEAT_INPUT_SHARES_SUM", {"inputs": _shares(("scrap", 0.5, "CA"), ("DRI", 0.4, "US"))}),
        ("HEAT_INPUT_DUPLICATE", {"inputs": _shares(("scrap", 0.5, "CA"), ("scrap", 0.5, "CA"))}),
        ("PAYLOAD_INVALID", {"inputs": _shares(("scrap", 0, "CA"), ("DRI", 1, "US"))}),
        ("PAYLOAD_INVALID", {"inputs": _shares(("coal", 1, "CA"))}),
        ("COUNTRY_UNKNOWN", {"inputs": _shares(("scrap", 1, "ZZ"))}),
        ("HEAT_CO2_INCOMPLETE", {"co2_t_per_t": 0.5}),
        ("HEAT_CO2_INCOMPLETE", {"co2_method": "measured"}),
        ("PAYLOAD_INVALID", {"co2_t_per_t": 11, "co2_method": "made up"}),
    ],
)
def test_rejections_leave_state_unchanged(code: str, over: dict[str, Any]) -> None:
    h = chain()
    payload = {**heat_payload("H1", "ca-works"), **over}
    payload = {k: v for k, v in payload.items() if v is not None}
    h.reject(code, "mill-ca", "heat.register", payload)


def test_cast_at_within_the_clock_tolerance_is_accepted() -> None:
    h = chain()
    h.run(
        "mill-ca", "heat.register", heat_payload("H1", "ca-works", cast_at="2026-03-01T08:05:00Z")
    )


def test_shares_within_one_millionth_are_accepted() -> None:
    h = chain()
    inputs = _shares(("scrap", 0.3333333, "CA"), ("pig-iron", 0.6666664, "CA"))
    h.run("mill-ca", "heat.register", heat_payload("H1", "ca-works", inputs=inputs))
    assert abs(h.get("heat/mill-ca/H1")["recycled_share"] - 0.3333333) < 1e-6
