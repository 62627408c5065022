"""Grade lookup and checks of results against grade limits."""

from __future__ import annotations

import pytest

from steeltrace.core.reference.grades import Finding, Grade, all_grades, check_results, grade


def _grade(name: str) -> Grade:
    found = grade(name)
    assert found is not None, name
    return found


@pytest.mark.parametrize(
    ("spelling", "grade_id"),
    [
        ("S355JR", "EN 10025-2 S355JR"),
        ("EN 10025-2 S355JR", "EN 10025-2 S355JR"),
        ("s355 jr", "EN 10025-2 S355JR"),
        ("EN10025-2:2019 S355JR", "EN 10025-2 S355JR"),
        ("S355JR+AR", "EN 10025-2 S355JR"),
        ("1.0045", "EN 10025-2 S355JR"),
        ("S235JR", "EN 10025-2 S235JR"),
        ("S275JR", "EN 10025-2 S275JR"),
        ("S355J2+N", "EN 10025-2 S355J2"),
        ("1.0577 +N", "EN 10025-2 S355J2"),
        ("S355J2H", "EN 10219-1 S355J2H"),
        ("EN 10219-1:2006 S355J2H", "EN 10219-1 S355J2H"),
        ("EN 10210-1 S355J2H", "EN 10210-1 S355H"),
        ("A36", "ASTM A36"),
        ("ASTM A36", "ASTM A36"),
        ("astm a36/a36m", "ASTM A36"),
        ("A572-50", "ASTM A572 Gr 50"),
        ("ASTM A572 Gr 50", "ASTM A572 Gr 50"),
        ("A572 Gr. 50", "ASTM A572 Gr 50"),
        ("ASTM A572 Grade 50", "ASTM A572 Gr 50"),
        ("S420N", "EN 10025-3 S420N/NL"),
        ("1.8902", "EN 10025-3 S420N/NL"),
        ("S460QL1", "EN 10025-6 S460Q/QL/QL1"),
        ("EN 10219-1 S355NH", "EN 10219-1 S355NH/NLH"),
    ],
)
def test_lookup_spellings(spelling: str, grade_id: str) -> None:
    assert _grade(spelling).id == grade_id


@pytest.mark.parametrize(
    "name", ["", "  ", "S355", "X", "SS400", "S355NH", "S235H", "EN 10025-3 S355JR", "A572 Gr 65"]
)
def test_unknown_or_ambiguous(name: str) -> None:
    if name == "S355":  # the EN 10025-2 strength class itself is a (Eurocode) record
        assert _grade(name).id == "EN 10025-2 S355"
        return
    assert grade(name) is None


def test_table_holds_the_32_eurocode_classes_and_the_product_grades() -> None:
    grades = all_grades()
    assert len([g for g in grades if g.basis == "eurocode-nominal"]) == 32
    product = {g.id for g in grades if g.basis == "product-standard"}
    assert {
        "EN 10025-2 S235JR",
        "EN 10025-2 S275JR",
        "EN 10025-2 S355JR",
        "EN 10025-2 S355J2",
        "EN 10219-1 S355J2H",
        "ASTM A36",
        "ASTM A572 Gr 50",
    } <= product


def test_domain_table_figures() -> None:
    s355 = _grade("S355JR")
    assert check_results(s355, {"C": 0.24, "Mn": 1.60, "P": 0.035, "S": 0.035, "Si": 0.55},
                         355, 470, 20, 16) == []  # fmt: skip
    assert check_results(s355, {}, None, 630, None, 16) == []
    s235 = _grade("S235JR")
    assert check_results(s235, {"C": 0.17, "Mn": 1.40}, 235, 360, 24, 16) == []
    assert check_results(s235, {}, None, 510, None, 16) == []
    a36 = _grade("A36")
    assert check_results(a36, {"C": 0.25, "P": 0.030, "S": 0.030, "Si": 0.40}, 250, 400, 23,
                         20, gauge_length_mm=50) == []  # fmt: skip
    assert check_results(a36, {}, None, 550, None, 20) == []
    a572 = _grade("A572 Gr 50")
    assert check_results(a572, {"C": 0.23, "Mn": 1.35, "P": 0.030, "S": 0.030, "Si": 0.40},
                         345, 450, 21, 20, gauge_length_mm=50) == []  # fmt: skip


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.field) for f in findings]


def test_s355jr_failing_every_way() -> None:
    findings = check_results(
        "S355JR", {"C": 0.26, "Mn": 1.61, "P": 0.036, "S": 0.02}, 350, 640, 19.5, 10
    )
    assert codes(findings) == [
        ("GRADE_CHEMISTRY_ABOVE_MAX", "C"),
        ("GRADE_CHEMISTRY_ABOVE_MAX", "Mn"),
        ("GRADE_CHEMISTRY_ABOVE_MAX", "P"),
        ("GRADE_YIELD_BELOW_MIN", "yield_mpa"),
        ("GRADE_TENSILE_OUT_OF_RANGE", "tensile_mpa"),
        ("GRADE_ELONGATION_BELOW_MIN", "elongation_pct"),
    ]
    c, _mn, _p, ys, rm, a = findings
    assert (c.limit, c.actual) == (0.24, 0.26)
    assert (ys.limit, ys.actual) == (355.0, 350.0)
    assert (rm.limit, rm.actual) == (630.0, 640.0)
    assert (a.limit, a.actual) == (20.0, 19.5)
    assert "S355JR" in c.message and "0.24" in c.message


def test_tensile_below_range() -> None:
    (finding,) = check_results("S355JR", {}, None, 469, None, 10)
    assert (finding.code, finding.limit, finding.actual) == ("GRADE_TENSILE_OUT_OF_RANGE", 470, 469)


def test_yield_bands_follow_thickness() -> None:
    s355 = _grade("S355JR")
    assert check_results(s355, {}, 345, None, None, 16.0) != []
    assert check_results(s355, {}, 345, None, None, 16.1) == []  # 16 < t <= 40: 345
    assert check_results(s355, {}, 335, None, None, 40.0) != []
    assert check_results(s355, {}, 335, None, None, 50) == []
    assert check_results(s355, {}, 354, None, None, None) != []  # None: 16 mm reference
    # sheet under 3 mm has the higher tensile range
    assert check_results(s355, {}, None, 500, None, 2.5) != []
    assert check_results(s355, {}, None, 500, None, 3.0) == []


def test_carbon_band_by_thickness() -> None:
    s235 = _grade("S235JR")
    assert codes(check_results(s235, {"C": 0.19}, None, None, None, 40)) == [
        ("GRADE_CHEMISTRY_ABOVE_MAX", "C")
    ]
    assert check_results(s235, {"C": 0.19}, None, None, None, 41) == []


def test_elongation_orientation_and_gauge() -> None:
    s355 = _grade("S355JR")
    assert check_results(s355, {}, None, None, 21, 10) == []  # lowest minimum: transverse 20
    assert check_results(s355, {}, None, None, 21, 10, orientation="transverse") == []
    findings = check_results(s355, {}, None, None, 21, 10, orientation="longitudinal")
    assert codes(findings) == [("GRADE_ELONGATION_BELOW_MIN", "elongation_pct")]
    a36 = _grade("A36")
    assert check_results(a36, {}, None, None, 21, 10) == []  # 200 mm gauge: 20
    assert check_results(a36, {}, None, None, 21, 10, gauge_length_mm=50) != []


def test_astm_mn_range_and_thickness_limit() -> None:
    assert codes(check_results("A36", {"Mn": 0.7}, None, None, None, 30)) == [
        ("GRADE_CHEMISTRY_BELOW_MIN", "Mn")
    ]
    assert check_results("A36", {"Mn": 0.7}, None, None, None, 20) == []  # no Mn limit <= 20
    (finding,) = check_results("A572-50", {}, 400, 500, 25, 120)
    assert finding.code == "GRADE_THICKNESS_OUT_OF_RANGE"
    assert (finding.limit, finding.actual) == (100, 120)
    assert check_results("A572-50", {}, None, 10_000, None, 20) == []  # no tensile maximum


def test_eurocode_class_records_check_strength_only() -> None:
    s420 = _grade("S420N")
    assert s420.basis == "eurocode-nominal"
    assert check_results(s420, {"C": 5.0}, 420, 520, 1, 40) == []
    assert codes(check_results(s420, {}, 400, 500, None, 40)) == [
        ("GRADE_YIELD_BELOW_MIN", "yield_mpa"),
        ("GRADE_TENSILE_OUT_OF_RANGE", "tensile_mpa"),
    ]
    assert check_results(s420, {}, 390, 520, None, 60) == []  # 40 < t <= 80: 390 / 520


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        check_results("no such grade", {}, None, None, None, None)
    with pytest.raises(ValueError):
        check_results("S355JR", {}, float("nan"), None, None, None)
    with pytest.raises(ValueError):
        check_results("S355JR", {}, None, None, None, 0)
