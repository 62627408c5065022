"""EN 10168 digital mill test certificates (Material Identity / S1Seven examples).

Every valid example becomes a ``cert.issue`` payload that passes our shape checks and is
issued for real on a harness ledger, with a heat registered and a lot cast for it
(facility.register, heat.register, lot.cast). The invalid examples are refused by the
importer with a reason. The AGPL suite (EN10168-schemas-AGPL) is read here as test data
only; nothing of it is copied into src/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steeltrace.core import canonical
from steeltrace.core.certificates import certificates_for_lot, verify_certificate
from steeltrace.core.certificates.import_mtc import (
    MtcImportError,
    certificate_payload_from_mtc,
    extract_mtc,
)
from steeltrace.core.certificates.payload import validate_issue
from steeltrace.core.reference import chemistry as steel_chemistry
from steeltrace.core.roles import MILL
from tests.conformance import conformance_root
from tests.support.harness import Harness

ROOT = conformance_root() / "material-certificates"
MI = ROOT / "material-identity-schemas" / "test" / "fixtures" / "EN10168"
AGPL = ROOT / "EN10168-schemas-AGPL" / "test" / "fixtures"

VALID = sorted(MI.glob("v*/*.json")) + sorted(AGPL.glob("valid_certificate_*.json"))
INVALID = sorted(AGPL.glob("invalid_certificate_*.json"))
# where each invalid example first breaks EN 10168 (the importer's reason)
INVALID_FIELD = {
    "invalid_certificate_1.json": "Certificate.CertificateLanguages",
    "invalid_certificate_2.json": "Certificate.Validation.Z01",
    "invalid_certificate_3.json": "Certificate.Inspection",
}


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def test_the_examples_are_there() -> None:
    assert len(VALID) == 26 and len(INVALID) == 3


@pytest.mark.parametrize("path", VALID, ids=_name)
def test_every_valid_example_becomes_a_cert_issue_payload(path: Path) -> None:
    document = _load(path)
    facts = extract_mtc(document)
    for heat_no in facts.heat_numbers or ["H-UNNAMED"]:
        payload = certificate_payload_from_mtc(
            document, mill="mill-x", lots=[{"lot": "LOT-1", "kg": 5_000}], heat_no=heat_no
        )
        assert validate_issue(payload) == payload
        assert payload["type"] == facts.en10204_type
        assert payload["B"]["B07"] == heat_no
        assert payload["B"]["B02"] == facts.grade
        assert payload.get("C", {}).get("chemistry", {}) == facts.chemistry
        # the ledger holds facts and the hash, never the logos and stamps
        assert len(canonical.canonical_bytes(payload)) < 16 * 1024


def _ledger(mill: str = "mill-x") -> Harness:
    h = Harness()
    h.org(mill, "DE", MILL)
    h.run(
        mill,
        "facility.register",
        {
            "id": f"{mill}-works",
            "name": "works",
            "country": "DE",
            "locode": "DEDUI",
            "processes": ["melting", "casting"],
            "melt_capacity_t": 2_000_000,
        },
    )
    return h


def _heat_chemistry(chemistry: dict[str, float]) -> dict[str, float]:
    """What the mill registered: the certificate's analysis, unless that is impossible
    (one example states 150.5 % carbon), in which case a plausible one."""
    chem = dict(chemistry) or {"C": 0.18, "Mn": 1.2}
    if any(v > 100 for v in chem.values()) or sum(chem.values()) > 100:
        chem = {el: (0.15 if v > 100 else v) for el, v in chem.items()}
    chem.setdefault("C", 0.18)
    return chem


def _issue_for_real(
    h: Harness, document: dict[str, Any], heat_no: str, lot_id: str, mill: str = "mill-x"
) -> dict[str, Any]:
    facts = extract_mtc(document)
    chem = _heat_chemistry(facts.chemistry)
    h.run(
        mill,
        "heat.register",
        {
            "heat_no": heat_no,
            "facility": f"{mill}-works",
            "route": "EAF",
            "cast_at": "2026-02-01T00:00:00Z",
            "tonnage_kg": 120_000,
            "chemistry": chem,
        },
    )
    tube = "Tube" in str(document["Certificate"]["ProductDescription"].get("B09", {}))
    steel_class = steel_chemistry.classify(chem)
    hs = "7304" if tube else {"non-alloy": "7207", "other-alloy": "7224"}.get(steel_class, "7218")
    h.run(
        mill,
        "lot.cast",
        {
            "heat": f"{mill}/{heat_no}",
            "lots": [
                {
                    "lot_id": lot_id,
                    "form": "tube" if tube else "slab",
                    "hs": hs,
                    "grade": facts.grade,
                    "dimensions": {},
                    "mass_kg": 6_000,
                }
            ],
        },
    )
    payload = certificate_payload_from_mtc(
        document,
        mill=mill,
        lots=[{"lot": lot_id, "kg": 5_740}],
        heat_no=heat_no,
        cert_id=f"{mill}/{lot_id}",
    )
    h.run(mill, "cert.issue", payload)
    record: dict[str, Any] = h.get(f"cert/{payload['cert_id']}")
    return record


@pytest.mark.parametrize("path", VALID, ids=_name)
def test_every_valid_example_is_issued_on_the_ledger(path: Path) -> None:
    document = _load(path)
    facts = extract_mtc(document)
    h = _ledger()
    heat_no = (facts.heat_numbers or ["H-UNNAMED"])[0]
    record = _issue_for_real(h, document, heat_no, "LOT-1")
    assert record["status"] == "valid"  # all examples are 2.2 or 3.1
    assert h.get(f"heat/mill-x/{heat_no}")["certified_kg"] == 5_740
    assert h.get("lot/LOT-1")["certificates"] == [record["id"]]
    result = verify_certificate(h.state, record["id"])
    flags = set(result["flags"])
    if any(v > 100 for v in facts.chemistry.values()):
        assert {"CERT_CHEMISTRY_IMPOSSIBLE", "CERT_CHEMISTRY_MISMATCH"} <= flags
        assert result["valid"] is False
    else:
        assert "CERT_CHEMISTRY_MISMATCH" not in flags
    assert {f["code"] for f in record["flags"]} <= flags
    assert certificates_for_lot(h.state, "LOT-1")["certificates"][0]["cert_id"] == record["id"]


def test_one_certificate_per_heat_of_a_multi_heat_document() -> None:
    path = MI / "v0.5.0" / "valid_certificate_8.json"
    document = _load(path)
    heats = extract_mtc(document).heat_numbers
    assert heats == ["7282841", "7282842", "7282843", "7282844"]
    with pytest.raises(MtcImportError) as info:
        certificate_payload_from_mtc(document, mill="mill-x", lots=[{"lot": "L", "kg": 1}])
    assert info.value.field == "Certificate.ProductDescription.B07"
    h = _ledger()
    first = _issue_for_real(h, document, heats[0], "LOT-1")
    second = _issue_for_real(h, document, heats[1], "LOT-2")
    # one analysis stated for two different heats: the copied-chemistry signal
    assert "CERT_CHEMISTRY_COPIED" in {f["code"] for f in second["flags"]}
    assert "CERT_CHEMISTRY_COPIED" in verify_certificate(h.state, first["id"])["flags"]


def test_the_same_analysis_at_two_mills_is_flagged() -> None:
    document = _load(MI / "v0.4.1" / "valid_certificate_1.json")
    h = _ledger("mill-x")
    h.org("mill-y", "DE", MILL)
    h.run(
        "mill-y",
        "facility.register",
        {
            "id": "mill-y-works",
            "name": "works",
            "country": "DE",
            "locode": "DEDUI",
            "processes": ["melting"],
            "melt_capacity_t": 1_000_000,
        },
    )
    _issue_for_real(h, document, "7282841", "LOT-X", mill="mill-x")
    copy = _issue_for_real(h, document, "7282841", "LOT-Y", mill="mill-y")
    (flag,) = [f for f in copy["flags"] if f["code"] == "CERT_CHEMISTRY_COPIED"]
    assert "mill-x/7282841" in flag["message"]


@pytest.mark.parametrize("path", INVALID, ids=_name)
def test_invalid_examples_are_refused_with_a_reason(path: Path) -> None:
    with pytest.raises(MtcImportError) as info:
        certificate_payload_from_mtc(_load(path), mill="mill-x", lots=[{"lot": "L", "kg": 1}])
    assert info.value.code == "MTC_INVALID"
    assert info.value.field.startswith(INVALID_FIELD[path.name])
    assert info.value.message.startswith(info.value.field)
