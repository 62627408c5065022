"""A small steel world for the certificate tests: two mills, a processor, an inspector.

Heats and lots are seeded straight into the state in the shape docs/state.md documents,
so these tests exercise only the certificate contracts and their verification.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from steeltrace.core.roles import BUYER, INSPECTION, MILL, PROCESSOR, TRADER
from tests.support.harness import Harness

# EN 10025-2 S355JR, inside every limit of the grade table
S355_CHEM = {"C": 0.16, "Mn": 1.35, "Si": 0.25, "P": 0.012, "S": 0.006, "Cu": 0.03}
DOC = b"%PDF-1.7 mill test certificate MTC-1 ..."
DOC_SHA = hashlib.sha256(DOC).hexdigest()


def world() -> Harness:
    h = Harness()
    h.org("mill-a", "DE", MILL)
    h.org("mill-b", "FR", MILL)
    h.org("proc-c", "NL", PROCESSOR)
    h.org("insp-d", "DE", INSPECTION)
    h.org("mill-insp", "DE", MILL, INSPECTION)
    h.org("trader-e", "DE", TRADER)
    h.org("buyer-f", "CA", BUYER)
    put_heat(h, "mill-a", "H100", tonnage_kg=200_000)
    put_lot(h, "SLAB-1", "mill-a", heat="mill-a/H100", mass_kg=100_000)
    put_lot(h, "SLAB-2", "mill-a", heat="mill-a/H100", mass_kg=100_000)
    put_lot(
        h,
        "COIL-1",
        "proc-c",
        parents=[{"lot": "SLAB-1", "kg": 100_000}],
        mass_kg=97_000,
        form="coil",
        hs="720839",
    )
    put_heat(h, "mill-b", "H100", tonnage_kg=150_000, chemistry={**S355_CHEM, "C": 0.18})
    put_lot(h, "B-SLAB-1", "mill-b", heat="mill-b/H100", mass_kg=150_000)
    return h


def put_heat(
    h: Harness,
    mill: str,
    heat_no: str,
    *,
    tonnage_kg: int = 200_000,
    chemistry: dict[str, float] | None = None,
) -> str:
    heat_id = f"{mill}/{heat_no}"
    h.state.apply(
        {
            f"heat/{heat_id}": {
                "id": heat_id,
                "mill": mill,
                "heat_no": heat_no,
                "facility": f"{mill}-works",
                "country": "DE",
                "route": "EAF",
                "cast_at": "2026-02-01T00:00:00Z",
                "tonnage_kg": tonnage_kg,
                "cast_kg": tonnage_kg,
                "certified_kg": 0,
                "chemistry": dict(chemistry or S355_CHEM),
                "inputs": None,
                "co2_t_per_t": None,
                "co2_method": None,
                "recycled_share": None,
                "height": 0,
                "tx_id": "0" * 64,
            }
        }
    )
    return heat_id


def put_lot(
    h: Harness,
    lot_id: str,
    owner: str,
    *,
    mass_kg: int,
    heat: str | None = None,
    parents: list[dict[str, Any]] | None = None,
    form: str = "slab",
    hs: str = "720712",
) -> None:
    h.state.apply(
        {
            f"lot/{lot_id}": {
                "id": lot_id,
                "form": form,
                "hs": hs,
                "grade": "S355JR",
                "dimensions": {},
                "mass_kg": mass_kg,
                "remaining_kg": mass_kg,
                "owner": owner,
                "custodian": owner,
                "state": "active",
                "facility": f"{owner}-works",
                "created_by": owner,
                "created_at": "2026-02-01T00:00:00Z",
                "height": 0,
                "tx_id": "0" * 64,
                "heat": heat,
                "parents": parents or [],
                "transformation": None if heat else f"t-{lot_id}",
                "pledge": None,
                "receipt": None,
                "shipment": None,
                "certificates": [],
            }
        }
    )


def cert(
    cert_id: str = "mill-a/MTC-1",
    *,
    heat: str = "mill-a/H100",
    heat_no: str = "H100",
    lots: list[dict[str, Any]] | None = None,
    en_type: str = "3.1",
    chemistry: dict[str, float] | None = None,
    yield_mpa: float = 385,
    tensile_mpa: float = 520,
    elongation_pct: float = 26,
    grade: str = "S355JR",
    results: bool = True,
) -> dict[str, Any]:
    """A well-formed ``cert.issue`` payload; keyword arguments change one thing."""
    payload: dict[str, Any] = {
        "cert_id": cert_id,
        "type": en_type,
        "document_sha256": DOC_SHA,
        "heat": heat,
        "lots": lots if lots is not None else [{"lot": "SLAB-1", "kg": 100_000}],
        "A": {
            "A01": "Mill A Works",
            "A02": f"EN 10204 {en_type}",
            "A03": "MTC-1",
            "A06": "Buyer F Ltd",
            "A07": "PO-2026-17",
        },
        "B": {
            "B01": "hot-rolled plate",
            "B02": grade,
            "B04": "as rolled",
            "B07": heat_no,
            "B08": 12,
            "B09": {"form": "plate", "thickness_mm": 12, "width_mm": 2000, "length_mm": 6000},
            "B13": 100_000,
        },
        "Z": {
            "Z01": "We certify that the material complies with the order.",
            "Z02": "2026-02-20",
            "Z03": "J. Keller, quality manager",
        },
    }
    if results:
        payload["C"] = {
            "C11": yield_mpa,
            "C12": tensile_mpa,
            "C13": elongation_pct,
            "impact": [{"C03": 20, "C40": "KV longitudinal", "C42": [61, 58, 64], "C43": 61}],
            "chemistry": dict(chemistry if chemistry is not None else S355_CHEM),
            "derived": {"CEV": 0.39},
        }
        payload["D"] = [{"code": "D01", "text": "Marking: stamped heat number and grade"}]
    return copy.deepcopy(payload)
