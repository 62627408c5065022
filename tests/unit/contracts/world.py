"""A small steel world for the trade, logistics, customs and finance contract tests.

Heats, facilities, transformations and lots are seeded straight into the state in the
shape docs/state.md documents, so these tests exercise only the contracts under test.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core.roles import BANK, BUYER, CARRIER, CUSTOMS, MILL, PROCESSOR, TRADER, WAREHOUSE
from tests.support.harness import Harness

NON_ALLOY = {"C": 0.18, "Mn": 1.2, "Si": 0.25, "P": 0.02, "S": 0.01}
STAINLESS = {"C": 0.05, "Cr": 18.1, "Ni": 8.1, "Mn": 1.5}


def world() -> Harness:
    h = Harness()
    h.org("millcn", "CN", MILL)
    h.org("millca", "CA", MILL)
    h.org("procvn", "VN", PROCESSOR)
    h.org("trader", "CA", TRADER)
    h.org("buyer", "CA", BUYER)
    h.org("buyer2", "US", BUYER)
    h.org("wh", "CA", WAREHOUSE)
    h.org("carrier", "CA", CARRIER)
    h.org("carrier2", "US", CARRIER)
    h.org("bank1", "CA", BANK)
    h.org("bank2", "CN", BANK)
    h.org("custca", "CA", CUSTOMS)
    h.org("custus", "US", CUSTOMS)
    h.state.apply(
        {
            "facility/cn-works": _facility("cn-works", "millcn", "CN", "CNSGH", "melting"),
            "facility/ca-works": _facility("ca-works", "millca", "CA", "CAMTR", "melting"),
            "facility/vn-line": _facility("vn-line", "procvn", "VN", "VNSGN", "galvanising"),
        }
    )
    return h


def _facility(fid: str, org: str, country: str, locode: str, proc: str) -> dict[str, Any]:
    return {
        "id": fid,
        "org": org,
        "name": fid,
        "country": country,
        "locode": locode,
        "processes": [proc],
        "melt_capacity_t": 1_000_000 if proc == "melting" else None,
    }


def heat(
    h: Harness,
    mill: str,
    heat_no: str,
    country: str,
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
                "facility": "cn-works" if country == "CN" else "ca-works",
                "country": country,
                "route": "BF-BOF",
                "cast_at": "2026-02-01T00:00:00Z",
                "tonnage_kg": tonnage_kg,
                "cast_kg": tonnage_kg,
                "certified_kg": 0,
                "chemistry": dict(chemistry or NON_ALLOY),
                "inputs": [],
                "co2_t_per_t": 2.1,
                "recycled_share": 0.1,
                "height": 0,
                "tx_id": "0" * 64,
            }
        }
    )
    return heat_id


def lot(
    h: Harness,
    lot_id: str,
    owner: str,
    *,
    custodian: str | None = None,
    heat_id: str | None = None,
    hs: str = "720839",
    mass_kg: int = 20_000,
    state: str = "active",
    parents: list[dict[str, Any]] | None = None,
    transformation: str | None = None,
    facility: str = "cn-works",
    form: str = "coil",
) -> str:
    h.state.apply(
        {
            f"lot/{lot_id}": {
                "id": lot_id,
                "form": form,
                "hs": hs,
                "grade": "S355JR",
                "dimensions": {"thickness_mm": 3},
                "mass_kg": mass_kg,
                "remaining_kg": mass_kg,
                "owner": owner,
                "custodian": custodian or owner,
                "state": state,
                "facility": facility,
                "created_by": owner,
                "created_at": "2026-02-02T00:00:00Z",
                "height": 0,
                "tx_id": "0" * 64,
                "heat": heat_id,
                "parents": parents or [],
                "transformation": transformation,
                "pledge": None,
                "receipt": None,
                "shipment": None,
                "certificates": [],
            }
        }
    )
    return lot_id


def cast_lot(h: Harness, lot_id: str, owner: str, country: str = "CN", **kw: Any) -> str:
    """A lot cast straight from a fresh heat melted in ``country``."""
    mill = "millcn" if country == "CN" else "millca"
    heat_id = heat(h, mill, f"H-{lot_id}", country)
    facility = "cn-works" if country == "CN" else "ca-works"
    return lot(h, lot_id, owner, heat_id=heat_id, facility=facility, **kw)


def galvanised_in_vn(h: Harness, lot_id: str, owner: str, substrate: str) -> str:
    """``lot_id`` galvanised in Viet Nam from ``substrate`` (which it consumes)."""
    parent = h.get(f"lot/{substrate}")
    tid = f"T-{lot_id}"
    h.state.apply(
        {
            f"transformation/{tid}": {
                "id": tid,
                "org": "procvn",
                "facility": "vn-line",
                "process": "galvanising",
                "inputs": [{"lot": substrate, "kg": parent["mass_kg"]}],
                "outputs": [lot_id],
                "loss_kg": 200,
                "at": "2026-02-10T00:00:00Z",
                "height": 0,
                "tx_id": "0" * 64,
            },
            f"lot/{substrate}": {**parent, "state": "consumed", "remaining_kg": 0},
        }
    )
    return lot(
        h,
        lot_id,
        owner,
        hs="721049",
        mass_kg=parent["mass_kg"] - 200,
        parents=[{"lot": substrate, "kg": parent["mass_kg"]}],
        transformation=tid,
        facility="vn-line",
    )
