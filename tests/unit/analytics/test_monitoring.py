"""The import monitor's aggregates: masses are conserved, filters select, flags queue."""

from __future__ import annotations

from fractions import Fraction

from steeltrace.analytics import monitoring as m


def decl(i: int, **over: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "id": f"D{i}",
        "direction": "import",
        "declaring_country": "CA",
        "port_of_entry": "CAVAN",
        "hs": "720839",
        "declared_origin": "VN",
        "declared_melt_pour": ["VN"],
        "net_kg": 20_000,
        "customs_value": 15_000_00,
        "lots": [f"L{i}"],
        "discrepancies": [],
        "status": "cleared",
        "submitted_at": "2026-03-14T10:00:00Z",
        "ledger": {"melt_and_pour": {}, "origin": {}, "heats": [], "mass_kg": 20_000},
    }
    rec.update(over)
    return rec


def rows(*records: dict[str, object]) -> list[m.DeclarationRow]:
    return m.rows_from_records(records)


def test_row_reads_fields_and_category() -> None:
    (r,) = rows(decl(1, hs="7306.30"))
    assert r.declaration_id == "D1"
    assert r.category == "pipe-and-tube"
    assert r.month == "2026-03"
    assert r.melt_shares == (("VN", Fraction(1)),)


def test_row_tolerates_missing_fields() -> None:
    (r,) = rows({"id": "X"})
    assert r.net_kg == 0
    assert r.month == m.UNKNOWN
    assert r.category == "other"
    assert r.port == m.UNKNOWN


def test_ledger_melt_shares_normalised_largest_first() -> None:
    (r,) = rows(decl(1, ledger={"melt_and_pour": {"VN": 0.25, "CN": 0.75}}))
    assert r.melt_shares == (("CN", Fraction(3, 4)), ("VN", Fraction(1, 4)))
    (r,) = rows(decl(1, ledger={}, declared_melt_pour={"CN": 0.5, "KR": 0.5}))
    assert r.melt_shares == (("CN", Fraction(1, 2)), ("KR", Fraction(1, 2)))
    assert r.declared_melt == ("CN", "KR")


def test_monthly_flows_conserve_mass_when_split() -> None:
    data = rows(
        decl(1, net_kg=10_001, ledger={"melt_and_pour": {"CN": 1, "VN": 1, "KR": 1}}),
        decl(2, net_kg=5_000, submitted_at="2026-04-02T00:00:00Z"),
    )
    flows = m.monthly_origin_vs_melt(data)
    assert flows.months == ["2026-03", "2026-04"]
    assert flows.by_origin == {"VN": [10_001, 5_000]}
    assert sum(sum(v) for v in flows.by_melt.values()) == 15_001
    # equal shares: the two spare kilograms go to the first countries in order
    assert flows.by_melt == {"VN": [3_333, 5_000], "CN": [3_334, 0], "KR": [3_334, 0]}


def test_origin_melt_matrix_shows_foreign_melt() -> None:
    data = rows(decl(1, ledger={"melt_and_pour": {"CN": 1.0}}), decl(2))
    assert m.origin_melt_matrix(data) == {("VN", "CN"): 20_000, ("VN", "VN"): 20_000}
    assert m.summary(data).foreign_melt_kg == 20_000


def test_by_category_and_port_ranked() -> None:
    data = rows(
        decl(1, hs="7208", net_kg=1_000, port_of_entry="CAMTR"),
        decl(2, hs="7219", net_kg=3_000),
        decl(3, hs="7213", net_kg=3_000),
    )
    assert m.tonnes_by_category(data) == [("long", 3_000), ("stainless", 3_000), ("flat", 1_000)]
    assert m.tonnes_by_port(data) == [("CAVAN", 6_000), ("CAMTR", 1_000)]


def test_filters_country_period_category_direction() -> None:
    data = rows(
        decl(1, ledger={"melt_and_pour": {"CN": 1.0}}),
        decl(2, declared_origin="KR", declared_melt_pour=["KR"], submitted_at="2026-05-01"),
        decl(3, hs="7306", submitted_at="2026-01-09"),
        decl(4, direction="export"),
    )
    ids = lambda f: [r.declaration_id for r in m.apply_filters(data, f)]  # noqa: E731
    assert ids(m.Filters()) == ["D1", "D2", "D3"]
    assert ids(m.Filters(direction=None)) == ["D1", "D2", "D3", "D4"]
    assert ids(m.Filters(country="CN")) == ["D1"]
    assert ids(m.Filters(period_from="2026-02", period_to="2026-04")) == ["D1"]
    assert ids(m.Filters(category="pipe-and-tube")) == ["D3"]


def test_discrepancy_queue_newest_first() -> None:
    flag = [{"code": "MELT_POUR_MISMATCH", "message": "declared VN, ledger CN"}]
    data = rows(
        decl(1, discrepancies=flag, submitted_at="2026-01-01"),
        decl(2),
        decl(3, discrepancies=flag, submitted_at="2026-06-01"),
    )
    assert [r.declaration_id for r in m.discrepancy_queue(data)] == ["D3", "D1"]
    s = m.summary(data)
    assert (s.declarations, s.flagged, s.flagged_kg, s.net_kg) == (3, 2, 40_000, 60_000)
    assert s.decisions == {"cleared": 3}


def test_declared_date_wins_over_block_time() -> None:
    (r,) = rows(decl(1, date="2025-12-30"))
    assert r.month == "2025-12"


def test_filter_options_lists_present_values() -> None:
    data = rows(
        decl(1, ledger={"melt_and_pour": {"CN": 1.0}}),
        decl(2, hs="7306", submitted_at="2026-07-01"),
    )
    opts = m.filter_options(data)
    assert opts["countries"] == ["CN", "VN"]
    assert opts["months"] == ["2026-03", "2026-07"]
    assert opts["categories"] == ["flat", "pipe-and-tube"]


def test_months_without_declarations_are_zeros_not_gaps() -> None:
    data = rows(
        decl(1, submitted_at="2025-11-02"),
        decl(2, submitted_at="2026-02-20"),
        {"id": "undated", "net_kg": 5, "declared_origin": "VN"},
    )
    flows = m.monthly_origin_vs_melt(data)
    assert flows.months == ["2025-11", "2025-12", "2026-01", "2026-02", m.UNKNOWN]
    assert flows.by_origin["VN"] == [20_000, 0, 0, 20_000, 5]
