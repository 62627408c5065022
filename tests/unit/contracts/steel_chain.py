"""A steel chain built through the real facility, heat and lot contracts.

Used by the facility, heat and lot contract tests, the origin engine tests and the mass
ledger properties: every record is made by a transaction, never seeded.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core.roles import MILL, PROCESSOR, TRADER
from tests.support.harness import T0, Harness

CARBON = {"C": 0.18, "Mn": 0.9, "Si": 0.2, "P": 0.015, "S": 0.008}
STAINLESS = {"C": 0.05, "Cr": 18.1, "Ni": 8.1, "Mn": 1.5}
SLAB_HS = "720712"
HRC_HS = "720839"
CRC_HS = "720917"
GALV_HS = "721049"
DIMS = {"thickness_mm": 3, "width_mm": 1250}
CAST_AT = "2026-03-01T07:00:00Z"


def chain() -> Harness:
    """Mills in CA, CN and KR, processors in VN and CA, each with registered facilities."""
    h = Harness()
    h.org("mill-ca", "CA", MILL)
    h.org("mill-cn", "CN", MILL)
    h.org("mill-kr", "KR", MILL)
    h.org("proc-vn", "VN", PROCESSOR)
    h.org("proc-ca", "CA", PROCESSOR)
    h.org("trader", "CA", TRADER)
    facility(h, "mill-ca", "ca-works", "CA", "CAHAM", ["melting", "casting", "hot-rolling"])
    facility(h, "mill-cn", "cn-works", "CN", "CNASN", ["melting", "casting", "hot-rolling"])
    facility(h, "mill-kr", "kr-works", "KR", "KRPUS", ["melting", "casting", "hot-rolling"])
    facility(
        h,
        "proc-vn",
        "vn-line",
        "VN",
        "VNSGN",
        ["galvanising", "hot-rolling", "cold-rolling", "slitting", "cutting", "pickling"],
    )
    facility(h, "proc-ca", "ca-line", "CA", "CAVAN", ["slitting", "cutting", "coating"])
    return h


def facility(
    h: Harness, org: str, fid: str, country: str, locode: str, processes: list[str]
) -> None:
    payload: dict[str, Any] = {
        "id": fid,
        "name": f"{fid} works",
        "country": country,
        "locode": locode,
        "processes": processes,
    }
    if "melting" in processes:
        payload["melt_capacity_t"] = 3_000_000
    h.run(org, "facility.register", payload)


def heat_payload(heat_no: str, facility_id: str, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "heat_no": heat_no,
        "facility": facility_id,
        "route": "EAF",
        "cast_at": CAST_AT,
        "tonnage_kg": 200_000,
        "chemistry": dict(CARBON),
    }
    payload.update(extra)
    return payload


def heat(h: Harness, mill: str, heat_no: str, facility_id: str, **extra: Any) -> str:
    h.run(mill, "heat.register", heat_payload(heat_no, facility_id, **extra))
    return f"{mill}/{heat_no}"


def lot_spec(lot_id: str, mass_kg: int, hs: str = SLAB_HS, form: str = "slab") -> dict[str, Any]:
    return {
        "lot_id": lot_id,
        "form": form,
        "hs": hs,
        "grade": "S355JR",
        "dimensions": dict(DIMS),
        "mass_kg": mass_kg,
    }


def cast(h: Harness, mill: str, heat_id: str, *lots: tuple[str, int]) -> None:
    h.run(mill, "lot.cast", {"heat": heat_id, "lots": [lot_spec(i, kg) for i, kg in lots]})


def transform_payload(
    tid: str,
    facility_id: str,
    process: str,
    inputs: list[tuple[str, int]],
    outputs: list[tuple[str, int]],
    hs: str = HRC_HS,
    form: str = "coil",
    at: str | None = None,
) -> dict[str, Any]:
    return {
        "id": tid,
        "facility": facility_id,
        "process": process,
        "inputs": [{"lot": lot, "kg": kg} for lot, kg in inputs],
        "outputs": [lot_spec(i, kg, hs, form) for i, kg in outputs],
        "at": at or (T0.strftime("%Y-%m-%dT%H:%M:%SZ")),
    }


def transform(h: Harness, org: str, *args: Any, **kwargs: Any) -> None:
    h.tick()
    payload = transform_payload(*args, **kwargs)
    payload["at"] = kwargs.get("at") or h.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    h.run(org, "lot.transform", payload)
