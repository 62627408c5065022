"""The worked example of docs/transactions/certificates.md runs as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from steeltrace.core.certificates import certificates_for_lot, verify_certificate
from tests.unit.certificates.steel import S355_CHEM, put_heat, put_lot, world

DOC = Path(__file__).resolve().parents[3] / "docs" / "transactions" / "certificates.md"


def _lines() -> list[dict[str, Any]]:
    text = DOC.read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"as": ')]


def test_the_worked_example_runs() -> None:
    lines = _lines()
    assert [line["type"] for line in lines] == [
        "cert.issue",
        "cert.issue",
        "cert.countersign",
        "cert.revoke",
    ]
    h = world()
    put_heat(h, "mill-a", "H24-0117", tonnage_kg=150_000, chemistry=S355_CHEM)
    for n in (1, 2, 3):
        put_lot(h, f"SLAB-24-0117-{n}", "mill-a", heat="mill-a/H24-0117", mass_kg=25_000)
    h.state.apply({"contract/PO-2026-0042": {"id": "PO-2026-0042", "spec": {"grade": "S355JR"}}})
    first = lines[0]["payload"]["cert_id"]
    h.run(lines[0]["as"], lines[0]["type"], lines[0]["payload"])
    assert verify_certificate(h.state, first)["valid"] is True
    for line in lines[1:]:
        h.tick()
        h.run(line["as"], line["type"], line["payload"])
    assert h.get(f"cert/{first}")["status"] == "revoked"
    assert h.get("cert/mill-a/MTC-24-0117-32")["status"] == "valid"
    assert h.get("heat/mill-a/H24-0117")["certified_kg"] == 25_000
    assert certificates_for_lot(h.state, "SLAB-24-0117-1")["revoked"] == [first]
