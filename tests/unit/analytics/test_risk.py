"""Risk signals (S-07: surge, unit value, capacity), reproducible from ledger records."""

from __future__ import annotations

from typing import Any

from steeltrace.analytics.monitoring import rows_from_records
from steeltrace.analytics.risk import (
    declared_beyond_capacity,
    melt_capacity_exceeded,
    trade_surges,
    unit_value_outliers,
)


def decl(
    i: str,
    *,
    kg: int = 30_000,
    amount: str = "18000.00",
    hs: str = "720839",
    origin: str = "KR",
    month: str = "2026-05",
    heats: list[str] | None = None,
    currency: str = "USD",
) -> dict[str, Any]:
    return {
        "id": i,
        "direction": "import",
        "declaring_country": "US",
        "port_of_entry": "USHOU",
        "hs": hs,
        "declared_origin": origin,
        "declared_melt_pour": [origin],
        "net_kg": kg,
        "customs_value": {"amount": amount, "currency": currency},
        "date": f"{month}-10",
        "status": "submitted",
        "discrepancies": [],
        "ledger": {"heats": heats or []},
    }


def test_unit_value_far_below_peers_is_flagged_and_only_it() -> None:
    rows = rows_from_records(
        [
            decl(f"D{i}", amount=a)
            for i, a in enumerate(["18000.00", "18600.00", "17400.00", "19200.00", "5400.00"])
        ]
    )
    flags = unit_value_outliers(rows)
    assert [f.subject for f in flags] == ["D4"]
    assert flags[0].code == "UNIT_VALUE_OUTLIER" and flags[0].detail["unit_value"] == "180.00"
    assert unit_value_outliers(rows) == flags  # reproducible


def test_unit_values_compare_only_like_with_like() -> None:
    rows = rows_from_records(
        [decl(f"D{i}") for i in range(4)]
        + [
            decl("EUR", amount="5000.00", currency="EUR"),
            decl("PIPE", amount="5000.00", hs="730630"),
        ]
    )
    assert unit_value_outliers(rows) == []  # no peers in its currency or heading
    assert unit_value_outliers(rows_from_records([decl("A"), decl("B", amount="1.00")])) == []


def test_a_surge_after_quiet_months_is_flagged() -> None:
    history = [decl(f"H{m}", month=f"2026-0{m}", origin="VN") for m in (1, 2, 3)]
    surge = [decl(f"S{i}", month="2026-04", origin="VN", kg=100_000) for i in range(5)]
    flags = trade_surges(rows_from_records(history + surge))
    assert [(f.code, f.detail["month"]) for f in flags] == [("TRADE_SURGE", "2026-04")]
    assert flags[0].detail["tonnes"] == 500 and flags[0].detail["baseline_tonnes"] == 30
    new_flow = [decl(f"N{i}", month="2026-04", origin="TH", kg=200_000) for i in range(3)]
    assert trade_surges(rows_from_records(new_flow)) == []  # no history yet: not a surge
    steady = [decl(f"K{m}", month=f"2026-0{m}", origin="KR", kg=200_000) for m in (1, 2, 3, 4)]
    assert trade_surges(rows_from_records(steady)) == []


def test_heats_beyond_melt_capacity_are_flagged() -> None:
    facilities = {"f1": {"id": "f1", "org": "mill-x", "melt_capacity_t": 500}}
    heats = [
        {
            "facility": "f1",
            "cast_at": "2026-02-01T00:00:00Z",
            "tonnage_kg": 300_000,
            "mill": "mill-x",
        }
        for _ in range(2)
    ]
    flags = melt_capacity_exceeded(heats, facilities)
    assert [(f.code, f.subject) for f in flags] == [("MELT_CAPACITY_EXCEEDED", "f1")]
    assert melt_capacity_exceeded(heats[:1], facilities) == []


def test_declarations_beyond_a_mills_capacity_are_flagged() -> None:
    facilities = {"f1": {"id": "f1", "org": "mill-x", "melt_capacity_t": 50}}
    heats = {"mill-x/H1": {"mill": "mill-x"}}
    rows = rows_from_records([decl(f"D{i}", heats=["mill-x/H1"]) for i in range(2)])
    flags = declared_beyond_capacity(rows, heats, facilities)
    assert [(f.code, f.subject, f.detail["tonnes"]) for f in flags] == [
        ("DECLARED_BEYOND_CAPACITY", "mill-x", 60.0)
    ]
