"""facility.register: the accepted path and every rejection, state unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.core.roles import MILL, PROCESSOR
from tests.support.harness import Harness


def _h() -> Harness:
    h = Harness()
    h.org("mill-ca", "CA", MILL)
    h.org("proc-vn", "VN", PROCESSOR)
    return h


def _payload(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "id": "ca-hamilton",
        "name": "Hamilton works",
        "country": "CA",
        "locode": "CAHAM",
        "processes": ["melting", "casting", "hot-rolling"],
        "melt_capacity_t": 2_500_000,
    }
    p.update(over)
    return {k: v for k, v in p.items() if v is not None}


def test_register_records_the_site() -> None:
    h = _h()
    h.run("mill-ca", "facility.register", _payload())
    rec = h.get("facility/ca-hamilton")
    assert rec["org"] == "mill-ca"
    assert rec["country"] == "CA"
    assert rec["locode"] == "CAHAM"
    assert rec["processes"] == ["casting", "hot-rolling", "melting"]
    assert rec["melt_capacity_t"] == 2_500_000
    assert rec["height"] == h.height


def test_processor_registers_a_site_abroad_without_capacity() -> None:
    h = _h()
    h.run(
        "proc-vn",
        "facility.register",
        _payload(
            id="vn-line",
            country="KR",
            locode="KRPUS",
            processes=["galvanising"],
            melt_capacity_t=None,
        ),
    )
    assert h.get("facility/vn-line")["melt_capacity_t"] is None
    assert h.get("facility/vn-line")["country"] == "KR"


def test_facility_id_is_unique_forever() -> None:
    h = _h()
    h.run("mill-ca", "facility.register", _payload())
    h.reject(
        "FACILITY_EXISTS",
        "proc-vn",
        "facility.register",
        _payload(country="VN", locode="VNSGN", processes=["slitting"], melt_capacity_t=None),
    )


@pytest.mark.parametrize(
    ("code", "over"),
    [
        ("PAYLOAD_UNKNOWN_FIELD", {"verified": True}),
        ("PAYLOAD_MISSING_FIELD", {"name": None}),
        ("IDENT_NOT_ASCII", {"id": "са-works"}),  # Cyrillic "с" and "а"
        ("COUNTRY_UNKNOWN", {"country": "XX"}),
        ("LOCODE_UNKNOWN", {"locode": "ham"}),
        ("LOCODE_COUNTRY_MISMATCH", {"locode": "USPIT"}),
        ("PAYLOAD_INVALID", {"processes": ["melting", "smelting"]}),
        ("PAYLOAD_INVALID", {"processes": []}),
        ("PAYLOAD_INVALID", {"processes": ["melting", "melting"]}),
        ("PAYLOAD_INVALID", {"melt_capacity_t": 0}),
        ("MELT_CAPACITY_REQUIRED", {"melt_capacity_t": None}),
        ("MELT_CAPACITY_WITHOUT_MELTING", {"processes": ["hot-rolling"]}),
    ],
)
def test_rejections_leave_state_unchanged(code: str, over: dict[str, Any]) -> None:
    h = _h()
    h.reject(code, "mill-ca", "facility.register", _payload(**over))


def test_only_a_mill_may_register_melting() -> None:
    h = _h()
    h.reject(
        "MELTING_NEEDS_MILL", "proc-vn", "facility.register", _payload(country="VN", locode="VNSGN")
    )
