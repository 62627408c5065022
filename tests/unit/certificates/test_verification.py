"""verify_certificate, verify_document and the flags stored at issue (S-01, S-07 c)."""

from __future__ import annotations

from typing import Any

from steeltrace.core.certificates import verify_certificate, verify_document
from tests.unit.certificates.steel import DOC, S355_CHEM, cert, put_heat, put_lot, world


def codes(result: dict[str, Any]) -> set[str]:
    return {f["code"] for f in result["findings"]}


def stored(h: Any, cert_id: str) -> set[str]:
    return {f["code"] for f in h.get(f"cert/{cert_id}")["flags"]}


def test_verify_output_shape() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert())
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert result == {
        "cert_id": "mill-a/MTC-1",
        "status": "valid",
        "valid": True,
        "findings": [],
        "flags": [],
    }


def test_s01_out_of_grade_results_are_accepted_but_flagged() -> None:
    h = world()
    # yield 300 MPa < 355, C 0.30 % > 0.24 (and a chemistry the heat never had)
    h.run(
        "mill-a",
        "cert.issue",
        cert(yield_mpa=300, chemistry={**S355_CHEM, "C": 0.30}),
    )
    assert h.get("cert/mill-a/MTC-1")["status"] == "valid"
    assert "CERT_OUT_OF_GRADE" in stored(h, "mill-a/MTC-1")
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert result["valid"] is False
    assert "CERT_OUT_OF_GRADE" in result["flags"]
    grade_fields = {f["field"] for f in result["findings"] if f["code"] == "CERT_OUT_OF_GRADE"}
    assert grade_fields == {"C.C11", "C.chemistry.C"}
    messages = " ".join(f["message"] for f in result["findings"])
    assert "GRADE_YIELD_BELOW_MIN" in messages and "statement of compliance" in messages


def test_s01_chemistry_that_contradicts_the_heat_is_flagged() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(chemistry={**S355_CHEM, "Mn": 1.10}))
    assert "CERT_CHEMISTRY_MISMATCH" in stored(h, "mill-a/MTC-1")
    result = verify_certificate(h.state, "mill-a/MTC-1")
    (finding,) = [f for f in result["findings"] if f["code"] == "CERT_CHEMISTRY_MISMATCH"]
    assert finding["field"] == "C.chemistry.Mn"
    assert result["valid"] is False


def test_small_rounding_differences_are_not_a_mismatch() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(chemistry={**S355_CHEM, "C": 0.161, "Mn": 1.36}))
    assert verify_certificate(h.state, "mill-a/MTC-1")["valid"] is True


def test_s01_identical_chemistry_on_another_heat_is_flagged_both_ways() -> None:
    h = world()
    put_heat(h, "mill-a", "H200", chemistry={**S355_CHEM, "Mn": 1.30})
    put_lot(h, "SLAB-9", "mill-a", heat="mill-a/H200", mass_kg=50_000)
    h.run("mill-a", "cert.issue", cert())
    # the certificate for H200 repeats H100's analysis element for element
    h.run(
        "mill-a",
        "cert.issue",
        cert("mill-a/MTC-2", heat="mill-a/H200", heat_no="H200", lots=[{"lot": "SLAB-9", "kg": 1}]),
    )
    assert stored(h, "mill-a/MTC-1") == set()  # nothing to compare with when it was issued
    assert "CERT_CHEMISTRY_COPIED" in stored(h, "mill-a/MTC-2")
    # recomputed now, the first shows the copy too
    assert "CERT_CHEMISTRY_COPIED" in verify_certificate(h.state, "mill-a/MTC-1")["flags"]
    second = verify_certificate(h.state, "mill-a/MTC-2")
    (copied,) = [f for f in second["findings"] if f["code"] == "CERT_CHEMISTRY_COPIED"]
    assert "mill-a/MTC-1" in copied["message"] and "mill-a/H100" in copied["message"]


def test_a_second_certificate_of_the_same_heat_is_no_copy() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert())
    h.run("mill-a", "cert.issue", cert("mill-a/MTC-2", lots=[{"lot": "SLAB-2", "kg": 5_000}]))
    assert verify_certificate(h.state, "mill-a/MTC-2")["flags"] == []


def test_chemistry_registered_for_another_heat_is_flagged() -> None:
    h = world()
    h.state.apply({"idx/chem/" + _fingerprint(S355_CHEM): ["mill-b/H777", "mill-a/H100"]})
    h.run("mill-a", "cert.issue", cert())
    (finding,) = [
        f
        for f in verify_certificate(h.state, "mill-a/MTC-1")["findings"]
        if f["code"] == "CERT_CHEMISTRY_COPIED"
    ]
    assert "heat mill-b/H777 as registered" in finding["message"]


def _fingerprint(chem: dict[str, float]) -> str:
    from steeltrace.core.contracts.heats import chemistry_fingerprint

    return chemistry_fingerprint(chem)


def test_short_analyses_are_not_fingerprinted() -> None:
    h = world()
    short = {"C": 0.16, "Mn": 1.35, "Si": 0.25}
    put_heat(h, "mill-a", "H300", chemistry=short)
    put_heat(h, "mill-a", "H301", chemistry=short)
    put_lot(h, "S300", "mill-a", heat="mill-a/H300", mass_kg=10_000)
    put_lot(h, "S301", "mill-a", heat="mill-a/H301", mass_kg=10_000)
    for n in ("300", "301"):
        h.run(
            "mill-a",
            "cert.issue",
            cert(
                f"mill-a/C{n}",
                heat=f"mill-a/H{n}",
                heat_no=f"H{n}",
                lots=[{"lot": f"S{n}", "kg": 10_000}],
                chemistry=short,
            ),
        )
    assert "CERT_CHEMISTRY_COPIED" not in codes(verify_certificate(h.state, "mill-a/C301"))


def test_s07_hs_class_of_the_lot_against_the_certified_chemistry() -> None:
    h = world()
    put_lot(h, "SS-1", "mill-a", heat="mill-a/H100", mass_kg=20_000, hs="721933")
    h.run("mill-a", "cert.issue", cert(lots=[{"lot": "SS-1", "kg": 20_000}]))
    assert "CERT_HS_CLASS_MISMATCH" in stored(h, "mill-a/MTC-1")
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert "CERT_HS_CLASS_MISMATCH" in result["flags"]
    (finding,) = [f for f in result["findings"] if f["code"] == "CERT_HS_CLASS_MISMATCH"]
    assert "stainless" in finding["message"] and "non-alloy" in finding["message"]


def test_impossible_chemistry_is_flagged() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(chemistry={**S355_CHEM, "C": 150.5}))
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert "CERT_CHEMISTRY_IMPOSSIBLE" in result["flags"]
    assert result["valid"] is False


def test_unknown_grade_is_a_warning() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(grade="XYZ-SPECIAL"))
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert codes(result) == {"CERT_GRADE_UNKNOWN"}
    assert result["valid"] is True  # nothing contradicts it; it just could not be checked


def test_22_without_results_is_noted() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(en_type="2.2", results=False))
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert codes(result) == {"CERT_RESULTS_MISSING"}


def test_21_declaration_is_not_checked_against_results() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(en_type="2.1", results=False))
    assert verify_certificate(h.state, "mill-a/MTC-1")["findings"] == []


def test_contract_spec_grade_form_hs_and_dimensions() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert())
    ok = {
        "grade": "s355 jr",
        "form": "slab",
        "hs": "7207",
        "dimensions": {"thickness_mm": 12.2},
        "tolerances": {"thickness_mm": 0.3},
    }
    assert verify_certificate(h.state, "mill-a/MTC-1", ok)["valid"] is True
    bad = {
        "grade": "S275JR",
        "form": "coil",
        "hs": "7208",
        "dimensions": {"thickness_mm": 10, "width_mm": 2000},
        "tolerances": {"thickness_mm": {"minus": 0.5, "plus": 1.0}},
    }
    result = verify_certificate(h.state, "mill-a/MTC-1", bad)
    assert result["valid"] is False
    assert codes(result) == {
        "CERT_SPEC_GRADE_MISMATCH",
        "CERT_SPEC_FORM_MISMATCH",
        "CERT_SPEC_HS_MISMATCH",
        "CERT_SPEC_DIMENSION_MISMATCH",
    }
    assert result["flags"] == []  # a quality dispute, not a forgery signal


def test_linked_contract_spec_is_read_from_the_state() -> None:
    h = world()
    h.state.apply({"contract/PO-17": {"id": "PO-17", "spec": {"grade": "S235JR"}}})
    h.run("mill-a", "cert.issue", {**cert(), "contract": "PO-17"})
    assert codes(verify_certificate(h.state, "mill-a/MTC-1")) == {"CERT_SPEC_GRADE_MISMATCH"}


def test_unknown_certificate_is_a_forgery_signal() -> None:
    h = world()
    result = verify_certificate(h.state, "mill-a/forged")
    assert result["status"] == "unknown" and result["valid"] is False
    assert result["flags"] == ["CERT_UNKNOWN"]


def test_revoked_certificate_is_not_valid() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert())
    h.run("mill-a", "cert.revoke", {"cert_id": "mill-a/MTC-1", "reason": "retest failed"})
    result = verify_certificate(h.state, "mill-a/MTC-1")
    assert result["status"] == "revoked" and result["valid"] is False
    assert "CERT_REVOKED" in codes(result)


def test_s01_document_hash_mismatch() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert())
    good = verify_document(h.state, "mill-a/MTC-1", DOC)
    assert good["match"] is True and good["code"] is None
    forged = verify_document(h.state, "mill-a/MTC-1", DOC.replace(b"MTC-1", b"MTC-2"))
    assert forged["match"] is False
    assert forged["code"] == "CERT_DOCUMENT_HASH_MISMATCH"
    assert forged["expected"] == good["actual"] != forged["actual"]
    assert verify_document(h.state, "nope", DOC)["code"] == "CERT_UNKNOWN"


def test_verification_is_deterministic() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(yield_mpa=300, chemistry={**S355_CHEM, "Mn": 1.9}))
    assert verify_certificate(h.state, "mill-a/MTC-1") == verify_certificate(
        h.state, "mill-a/MTC-1"
    )


def test_results_on_a_21_are_checked_too() -> None:
    h = world()
    h.run("mill-a", "cert.issue", cert(en_type="2.1", yield_mpa=300))
    assert "CERT_OUT_OF_GRADE" in verify_certificate(h.state, "mill-a/MTC-1")["flags"]


def test_public_surface() -> None:
    import steeltrace.core.certificates as pkg

    assert pkg.__all__ == ["certificates_for_lot", "verify_certificate", "verify_document"]
