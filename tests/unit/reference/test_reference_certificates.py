"""The grades named by the real example mill certificates, and how their results check out.

Reads the EN 10168 and "Metals" example certificates in
``../shared/conformance/material-certificates`` as test fixtures (nothing of them is packaged).
What they name: S355J2H (EN 10219-1) with P355NH/TC1 and E355+N (tube grades not in the table),
"BR"; S355J2 / S355J2+N / 1.0577 (EN 10025-2); S420N as 1.8902 (EN 10025-3); and grades
outside the table (SS400, 42CrMo4, C45E, 18CrNiMo7-6, 1.4404, aluminium and titanium alloys).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steeltrace.core.reference.chemistry import classify, element_symbol
from steeltrace.core.reference.grades import check_results, grade

FIXTURES = "material-certificates/material-identity-schemas/test/fixtures"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _en10168(conformance_dir: Path) -> list[Path]:
    roots = [
        conformance_dir / FIXTURES / "EN10168",
        conformance_dir / "material-certificates/EN10168-schemas-AGPL/test/fixtures",
    ]
    files = sorted(p for root in roots for p in root.rglob("*.json"))
    assert len(files) >= 25, files
    return files


def _inspection(cert: dict[str, Any]) -> dict[str, Any]:
    inspection = cert["Certificate"].get("Inspection") or {}
    first: dict[str, Any] = inspection[0] if isinstance(inspection, list) else inspection
    return first


def _chemistry(inspection: dict[str, Any]) -> dict[str, float]:
    values: dict[str, float] = {}
    for entry in (inspection.get("ChemicalComposition") or {}).values():
        if isinstance(entry, dict) and "Symbol" in entry:
            actual = entry["Actual"]
            raw = actual.get("Value") if isinstance(actual, dict) else actual
            symbol = element_symbol(entry["Symbol"])
            if symbol is not None and raw is not None:
                values[symbol] = float(raw)
    return values


def test_en10168_designations(conformance_dir: Path) -> None:
    named: set[str] = set()
    for path in _en10168(conformance_dir):
        named.update(_load(path)["Certificate"]["ProductDescription"]["B02"]["SteelDesignation"])
    assert named == {"S355J2H", "P355NH/TC1", "E355+N", "BR"}
    known = {name: g.id for name in named if (g := grade(name)) is not None}
    assert known == {"S355J2H": "EN 10219-1 S355J2H"}


def test_en10168_results_against_s355j2h(conformance_dir: Path) -> None:
    """Every EN 10168 example with tensile results has Rm about 456 MPa, below S355J2H's 470."""
    seen = 0
    for path in _en10168(conformance_dir):
        cert = _load(path)
        description = cert["Certificate"]["ProductDescription"]
        if "S355J2H" not in description["B02"]["SteelDesignation"]:
            continue
        inspection = _inspection(cert)
        tensile = inspection.get("TensileTest") or {}
        rm = (tensile.get("C12") or {}).get("Value")
        if rm is None:
            continue
        seen += 1
        chem = _chemistry(inspection)
        findings = check_results(
            "S355J2H",
            chem,
            tensile["C11"]["Value"],
            rm,
            tensile["C13"]["Value"],
            description["B09"]["WallThickness"],
        )
        found = {(f.code, f.field) for f in findings}
        assert ("GRADE_TENSILE_OUT_OF_RANGE", "tensile_mpa") in found, path
        # Some examples state carbon as "150.5" or "101" %: flagged, as it should be.
        assert (("GRADE_CHEMISTRY_ABOVE_MAX", "C") in found) == (chem.get("C", 0) > 0.22), path
        assert found <= {
            ("GRADE_TENSILE_OUT_OF_RANGE", "tensile_mpa"),
            ("GRADE_CHEMISTRY_ABOVE_MAX", "C"),
        }, path
    assert seen >= 10


def test_en10168_boron_makes_the_examples_other_alloy(conformance_dir: Path) -> None:
    path = conformance_dir / FIXTURES / "EN10168/v0.4.1/valid_certificate_1.json"
    chem = _chemistry(_inspection(_load(path)))
    assert chem["B"] == 0.001  # 10 ppm boron, above the 0.0008 % of HS Note 1(f)
    assert classify(chem) == "other-alloy"
    path = conformance_dir / FIXTURES / "EN10168/v0.4.1/valid_certificate_4.json"
    assert classify(_chemistry(_inspection(_load(path)))) == "non-alloy"  # B 0.0001


def _metal_designations(passport: dict[str, Any]) -> list[str]:
    names = []
    for designation in passport.get("Product", {}).get("MaterialDesignations", []):
        for key in ("Name", "Number"):
            if key in designation:
                names.append(designation[key]["Value"])
    return names


def _metal_value(entry: dict[str, Any]) -> float | None:
    actual = entry.get("Actual") or {}
    if actual.get("ResultType") == "numeric":
        return float(actual["Value"])
    if actual.get("ResultType") == "multiValue":  # the lowest of the specimens decides
        return min(float(v["Value"]) for v in actual["Values"])
    return None


METALS_EXPECTED = {
    "valid_basic_certificate.json": ("EN 10025-2 S355J2", 50, []),
    "valid_individual_statements.json": ("EN 10025-2 S355J2", 50, []),
    "valid_dimensional_tolerances.json": ("EN 10025-2 S355J2", 25, []),
    "valid_mechanical_properties.json": ("EN 10025-3 S420N/NL", 25, []),
    "valid_regulatory_markings.json": ("EN 10025-3 S420N/NL", 25, []),
    "valid_multi_row_chemical_analysis.json": (
        "EN 10025-2 S355J2",
        350,
        ["GRADE_THICKNESS_OUT_OF_RANGE"],
    ),
}


@pytest.mark.parametrize("name", sorted(METALS_EXPECTED))
def test_metals_certificates(conformance_dir: Path, name: str) -> None:
    grade_id, thickness, expected = METALS_EXPECTED[name]
    passport = _load(conformance_dir / FIXTURES / "Metals/v0.1.1" / name)["DigitalMaterialPassport"]
    found = {g.id for n in _metal_designations(passport) if (g := grade(n)) is not None}
    assert found == {grade_id}
    chem = {
        symbol: value
        for e in passport["ChemicalAnalysis"]["Elements"]
        if (symbol := element_symbol(e["PropertySymbol"]))
        and (value := _metal_value(e)) is not None
    }
    mech = {
        m["PropertySymbol"]: _metal_value(m)
        for m in passport.get("MechanicalProperties", [])
        if isinstance(m, dict) and "PropertySymbol" in m
    }
    findings = check_results(
        grade_id, chem, mech.get("ReH", mech.get("Re")), mech.get("Rm"), mech.get("A"), thickness
    )
    assert [f.code for f in findings] == expected


def test_metals_names_outside_the_table(conformance_dir: Path) -> None:
    unknown = set()
    for path in sorted((conformance_dir / FIXTURES / "Metals/v0.1.1").glob("*.json")):
        for name in _metal_designations(_load(path)["DigitalMaterialPassport"]):
            if grade(name) is None:
                unknown.add(name)
    assert {"SS400", "42CrMo4", "C45E", "1.4404", "18CrNiMo7-6 +FP"} <= unknown
