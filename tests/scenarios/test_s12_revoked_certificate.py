"""S-12: a revoked certificate shows as revoked on every lot derived from what it
covered; history is not rewritten (the record, its lots and the issuing transaction stay,
and the chain still verifies)."""

from __future__ import annotations

from steeltrace.core.certificates.verification import certificates_for_lot, verify_certificate
from steeltrace.node.service import Node
from steeltrace.node.verify import verify_store
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import CHEM, _certificate, _coil, _slabs, at, ok, refused_everywhere

CID = "mill-ca/MTC-H-CA-24001"


def test_s12_revoked_certificate_shows_downstream(world: Node) -> None:
    issued = world.get(f"cert/{CID}")
    issue_tx = issued["tx_id"]
    # the service centre slits a coil rolled from the certified slabs
    ok(world, "mill-ca", "title.transfer", {"lots": ["CA-HRC-1"], "to": "svc-ca"})
    ok(
        world,
        "svc-ca",
        "lot.transform",
        {
            "id": "CA-SLIT-1",
            "facility": "ca-toronto-svc",
            "process": "slitting",
            "inputs": [{"lot": "CA-HRC-1", "kg": 29_400}],
            "outputs": [{**_coil(f"CA-STRIP-{i}", 14_600), "form": "strip"} for i in (1, 2)],
            "at": at(world),
        },
    )
    before = certificates_for_lot(world, "CA-STRIP-1")
    assert before["any_valid"] and before["revoked"] == []
    assert world.get("heat/mill-ca/H-CA-24001")["certified_kg"] == 120_000

    revoke = {"cert_id": CID, "reason": "C12 transcribed from the wrong test piece"}
    refused_everywhere(world, "CERT_NOT_ISSUER", "mill-us", "cert.revoke", revoke)
    refused_everywhere(world, "ROLE_NOT_PERMITTED", "trader-sg", "cert.revoke", revoke)
    refused_everywhere(
        world, "CERT_UNKNOWN", "mill-ca", "cert.revoke", {"cert_id": "mill-ca/NOPE", "reason": "x"}
    )
    st = ok(world, "mill-ca", "cert.revoke", revoke)
    refused_everywhere(world, "CERT_ALREADY_REVOKED", "mill-ca", "cert.revoke", revoke)

    for lot in ("CA-SLAB-3", "CA-HRC-1", "CA-HRC-2", "CA-STRIP-1", "CA-STRIP-2"):
        view = certificates_for_lot(world, lot)
        assert view["revoked"] == [CID], lot
        row = next(c for c in view["certificates"] if c["cert_id"] == CID)
        assert row["status"] == "revoked" and row["valid"] is False, lot
        assert row["inherited"] == (lot != "CA-SLAB-3"), lot
        assert view["any_valid"] is False, lot
    v = verify_certificate(world, CID)
    assert v["status"] == "revoked" and not v["valid"]
    assert "CERT_REVOKED" in {f["code"] for f in v["findings"]}

    # history: the record keeps everything it said, plus the revocation
    rec = world.get(f"cert/{CID}")
    for field in ("lots", "certified_kg", "A", "B", "C", "Z", "document_sha256", "heat"):
        assert rec[field] == issued[field], field
    assert (rec["tx_id"], rec["height"]) == (issue_tx, issued["height"])
    assert rec["revocation"]["by"] == "mill-ca" and rec["revocation"]["tx_id"] == st["tx_id"]
    assert rec["revocation"]["previous_status"] == "valid"
    assert CID in world.get("lot/CA-SLAB-3")["certificates"]
    tx = world.tx(issue_tx)
    assert tx is not None and tx["status"] == "valid" and tx["type"] == "cert.issue"
    # the revoked id is never reused
    reuse = {**{k: issued[k] for k in ("type", "document_sha256", "heat", "A", "B", "C", "Z")}}
    reuse.update(cert_id=CID, lots=[{"lot": "CA-SLAB-3", "kg": 30_000}])
    refused_everywhere(world, "CERT_DUPLICATE_ID", "mill-ca", "cert.issue", reuse)
    # the revocation released the heat's kilograms for a corrected certificate
    assert world.get("heat/mill-ca/H-CA-24001")["certified_kg"] == 0
    reuse["cert_id"] = "mill-ca/MTC-H-CA-24001b"
    reuse["A"] = {**reuse["A"], "A03": "MTC-H-CA-24001b"}
    ok(world, "mill-ca", "cert.issue", reuse)
    assert certificates_for_lot(world, "CA-SLAB-3")["any_valid"] is True
    assert verify_store(world.store).ok
    check_invariants(world)


def test_s12_revoked_3_2_cannot_be_countersigned(world: Node) -> None:
    ok(
        world,
        "mill-kr",
        "lot.cast",
        {"heat": "mill-kr/H-KR-3307", "lots": _slabs("KR-X", 1, 10_000, "S355JR")},
    )
    cid = "mill-kr/MTC-32"
    payload = _certificate(
        "mill-kr", "H-KR-3307", CHEM["mill-kr"], [{"lot": "KR-X-1", "kg": 10_000}], "MTC-32"
    )
    ok(world, "mill-kr", "cert.issue", {**payload, "type": "3.2"})
    ok(world, "mill-kr", "cert.revoke", {"cert_id": cid, "reason": "wrong order"})
    rec = world.get(f"cert/{cid}")
    assert rec["revocation"]["previous_status"] == "pending-countersignature"
    refused_everywhere(
        world, "CERT_REVOKED", "inspect-1", "cert.countersign", {"cert_id": cid, "statement": "x"}
    )
    assert certificates_for_lot(world, "KR-X-1")["revoked"] == [cid]
    check_invariants(world)
