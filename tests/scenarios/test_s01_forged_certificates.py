"""S-01: forged certificates. Rejected with a code and nothing changed, except results
outside the grade: accepted, but flagged to whoever verifies the certificate."""

from __future__ import annotations

from typing import Any

from steeltrace.core.certificates.verification import (
    certificates_for_lot,
    verify_certificate,
    verify_document,
)
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import (
    CHEM,
    HEAT_NO,
    _certificate,
    _slabs,
    at,
    ok,
    refused_everywhere,
    refused_precheck,
)


def cast_extra(node: Node, mill: str, n: int, kg: int, prefix: str = "X") -> list[str]:
    slabs = _slabs(f"{mill.split('-')[1].upper()}-{prefix}", n, kg, "S355JR")
    ok(node, mill, "lot.cast", {"heat": f"{mill}/{HEAT_NO[mill]}", "lots": slabs})
    return [s["lot_id"] for s in slabs]


def cert(mill: str, lots: list[str], no: str, kg: int = 10_000, **over: Any) -> dict[str, Any]:
    p = _certificate(mill, HEAT_NO[mill], CHEM[mill], [{"lot": x, "kg": kg} for x in lots], no)
    p.update(over)
    return p


def test_s01_certificate_by_a_non_mill(world: Node) -> None:
    lots = cast_extra(world, "mill-cn", 1, 10_000)
    payload = cert("mill-cn", lots, "MTC-TRADER")
    # a trader holds neither the mill nor the processor role: refused by the executor
    refused_everywhere(world, "ROLE_NOT_PERMITTED", "trader-sg", "cert.issue", payload)
    refused_everywhere(world, "ROLE_NOT_PERMITTED", "inspect-1", "cert.issue", payload)
    # another mill is not the heat's mill and holds no processor role
    refused_everywhere(world, "CERT_ISSUER_NOT_MILL", "mill-kr", "cert.issue", payload)
    # a processor may certify only lots it produced
    refused_everywhere(world, "CERT_LOT_NOT_OWN_OUTPUT", "proc-vn", "cert.issue", payload)
    assert world.get(f"lot/{lots[0]}")["certificates"] == []
    check_invariants(world)


def test_s01_certificate_for_a_heat_never_registered(world: Node) -> None:
    payload = _certificate(
        "mill-cn", "H-CN-9999", CHEM["mill-cn"], [{"lot": "CN-SLAB-3", "kg": 30_000}], "FAKE-1"
    )
    refused_everywhere(world, "CERT_HEAT_UNKNOWN", "mill-cn", "cert.issue", payload)
    # the right heat but a B07 that is not its number
    lots = cast_extra(world, "mill-cn", 1, 10_000)
    bad_b07 = cert("mill-cn", lots, "FAKE-2")
    bad_b07["B"] = {**bad_b07["B"], "B07": "H-CN-9999"}
    refused_everywhere(world, "CERT_HEAT_NUMBER_MISMATCH", "mill-cn", "cert.issue", bad_b07)
    # a lot that does not descend from the heat (a Korean slab under a Chinese heat)
    other = cert("mill-cn", ["KR-SLAB-3"], "FAKE-3")
    refused_everywhere(world, "CERT_LOT_NOT_FROM_HEAT", "mill-cn", "cert.issue", other)
    assert world.get("cert/mill-cn/FAKE-1") is None
    check_invariants(world)


def test_s01_document_hash_mismatch(world: Node) -> None:
    # the base certificate of mill-ca was issued with the hash of these bytes
    genuine = b"mill-ca MTC-H-CA-24001 pdf"
    cid = "mill-ca/MTC-H-CA-24001"
    assert verify_document(world, cid, genuine)["match"] is True
    forged = verify_document(world, cid, genuine + b" (edited C12)")
    assert forged["match"] is False and forged["code"] == "CERT_DOCUMENT_HASH_MISMATCH"
    assert forged["expected"] == world.get(f"cert/{cid}")["document_sha256"]
    assert verify_document(world, "mill-ca/NOPE", genuine)["code"] == "CERT_UNKNOWN"
    # a malformed hash on the ledger is refused at issue
    lots = cast_extra(world, "mill-ca", 1, 10_000)
    bad = cert("mill-ca", lots, "MTC-BADHASH", document_sha256="XYZ")
    refused_precheck(world, "PAYLOAD_INVALID", "mill-ca", "cert.issue", bad)
    check_invariants(world)


def test_s01_type_3_2_needs_the_inspectors_countersignature(world: Node) -> None:
    lots = cast_extra(world, "mill-kr", 1, 10_000)
    cid = "mill-kr/MTC-32-1"
    ok(world, "mill-kr", "cert.issue", cert("mill-kr", lots, "MTC-32-1", type="3.2"))
    rec = world.get(f"cert/{cid}")
    assert rec["status"] == "pending-countersignature" and rec["countersignature"] is None
    v = verify_certificate(world, cid)
    assert v["valid"] is False
    assert "CERT_PENDING_COUNTERSIGNATURE" in {f["code"] for f in v["findings"]}
    assert certificates_for_lot(world, lots[0])["any_valid"] is False
    stmt = {"cert_id": cid, "statement": "witnessed"}
    # the mill cannot countersign its own 3.2: it has no inspection role
    refused_everywhere(world, "ROLE_NOT_PERMITTED", "mill-kr", "cert.countersign", stmt)
    refused_everywhere(world, "ROLE_NOT_PERMITTED", "trader-sg", "cert.countersign", stmt)
    # a 3.1 cannot be countersigned into a 3.2
    refused_everywhere(
        world,
        "CERT_NOT_3_2",
        "inspect-1",
        "cert.countersign",
        {"cert_id": "mill-kr/MTC-H-KR-3307", "statement": "witnessed"},
    )
    ok(world, "inspect-1", "cert.countersign", stmt)
    rec = world.get(f"cert/{cid}")
    assert rec["status"] == "valid" and rec["countersignature"]["by"] == "inspect-1"
    assert verify_certificate(world, cid)["valid"] is True
    refused_everywhere(world, "CERT_ALREADY_COUNTERSIGNED", "inspect-1", "cert.countersign", stmt)
    check_invariants(world)


def test_s01_out_of_grade_results_accepted_but_flagged(world: Node) -> None:
    lots = cast_extra(world, "mill-us", 1, 10_000)
    cid = "mill-us/MTC-LOWYIELD"
    payload = cert("mill-us", lots, "MTC-LOWYIELD")
    payload["C"] = {**payload["C"], "C11": 250}  # S355JR slab (230 mm): at least 275 MPa
    st = world.submit_and_wait("mill-us", "cert.issue", payload)
    assert st["status"] == "valid", st
    rec = world.get(f"cert/{cid}")
    assert rec["status"] == "valid"
    assert "CERT_OUT_OF_GRADE" in {f["code"] for f in rec["flags"]}
    v = verify_certificate(world, cid)
    assert v["valid"] is False and "CERT_OUT_OF_GRADE" in v["flags"]
    finding = next(f for f in v["findings"] if f["code"] == "CERT_OUT_OF_GRADE")
    assert finding["severity"] == "error" and "GRADE_YIELD_BELOW_MIN" in finding["message"]
    # a buyer of a coil rolled from the slab sees the flag on the inherited certificate
    ok(
        world,
        "mill-us",
        "lot.transform",
        {
            "id": "US-HSM-X",
            "facility": "us-gary",
            "process": "hot-rolling",
            "inputs": [{"lot": lots[0], "kg": 10_000}],
            "outputs": [
                {
                    "lot_id": "US-HRC-X",
                    "form": "coil",
                    "hs": "7208.39",
                    "grade": "S355JR",
                    "dimensions": {"thickness_mm": 2.5, "width_mm": 1250},
                    "mass_kg": 9_800,
                }
            ],
            "at": at(world),
        },
    )
    row = next(
        c for c in certificates_for_lot(world, "US-HRC-X")["certificates"] if c["cert_id"] == cid
    )
    assert row["inherited"] and "CERT_OUT_OF_GRADE" in row["flags"] and not row["valid"]
    check_invariants(world)
