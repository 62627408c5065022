"""Heats: one melt of one furnace, the root of every lot's melt-and-pour country.

Owns ``heat/{mill}/{heat_no}`` (docs/state.md) and the chemistry fingerprint index
``idx/chem/{sha256}`` (docs/transactions/heats.md). A heat number is unique per mill
forever (S-06); the same number at another mill is a different heat. The heat's country
is its facility's country, fixed at registration and never rewritten (S-05).

``cast_kg`` (mass poured into lots) belongs to :mod:`.lots`; ``certified_kg`` to the
certificates contracts. This module only starts them at zero.

Transaction types: ``heat.register`` (docs/transactions/heats.md).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from fractions import Fraction
from typing import Any

from steeltrace.core import schema
from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.contracts.facilities import require_facility
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.reference import chemistry as steel_chemistry
from steeltrace.core.roles import MILL
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

ROUTES = ("BF-BOF", "EAF", "DRI-EAF", "other")
INPUT_MATERIALS = ("scrap", "pig-iron", "DRI", "hot-metal", "other")
MIN_HEAT_KG = 1_000
MAX_HEAT_KG = 500_000  # the largest BOF vessels tap ~ 400 t
MAX_CO2_T_PER_T = 10.0
SHARE_TOLERANCE = Fraction(1, 10**6)
# A heat may be dated up to this far past the block time, for clock skew between the
# mill's systems and the orderer; anything later is a heat that has not been cast yet.
CAST_AT_TOLERANCE = timedelta(minutes=5)

# The symbols of the periodic table; re-exported for the certificates contracts.
ELEMENTS = steel_chemistry.ELEMENTS


def heat_id(mill: str, heat_no: str) -> str:
    return f"{mill}/{heat_no}"


def heat_key(heat: str) -> str:
    """The state key of a heat id ``{mill}/{heat_no}``."""
    return f"heat/{heat}"


def chemistry_fingerprint(chemistry: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the elements present (zero entries dropped)."""
    present = {el: v for el, v in chemistry.items() if v != 0}
    return hashlib.sha256(canonical_bytes(present)).hexdigest()


def chem_index_key(fingerprint: str) -> str:
    return f"idx/chem/{fingerprint}"


def _heat_no(value: Any, path: str) -> str:
    number: str = schema.ident(value, path)
    if "/" in number:
        raise schema.bad(path, "a heat number may not contain '/'")
    return number


def _element(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in ELEMENTS:
        raise Rejected(
            "CHEMISTRY_UNKNOWN_ELEMENT", f"{path}: {value!r} is not an element symbol", field=path
        )
    return value


def _share(value: Any, path: str) -> float | int:
    share = schema.number(value, path, 0.0, 1.0)
    if share <= 0:
        raise schema.bad(path, "a share must be greater than 0")
    return share


_INPUT = schema.obj(
    {
        "material": schema.one_of(*INPUT_MATERIALS),
        "share": _share,
        "origin_country": schema.country,
    }
)

_REQUIRED: dict[str, schema.Checker] = {
    "heat_no": _heat_no,
    "facility": schema.ident,
    "route": schema.one_of(*ROUTES),
    "cast_at": schema.timestamp,
    "tonnage_kg": schema.kg,
    "chemistry": schema.mapping(_element, lambda v, p: schema.number(v, p, 0.0, 100.0), 118),
}
_OPTIONAL: dict[str, schema.Checker] = {
    "inputs": schema.list_of(_INPUT, min_len=1, max_len=20),
    "co2_t_per_t": lambda v, p: schema.number(v, p, 0.0, MAX_CO2_T_PER_T),
    "co2_method": schema.text,
}


@contract(
    "heat.register",
    roles={MILL},
    summary="Register a heat melted at the mill's own facility: chemistry, tonnage, inputs",
)
def register(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, _REQUIRED, _OPTIONAL)
    hid = heat_id(ctx.signer_org, p["heat_no"])
    key = heat_key(hid)
    if state.get(key) is not None:
        raise Rejected(
            "HEAT_EXISTS",
            f"{ctx.signer_org} already registered heat {p['heat_no']!r}; heat numbers are "
            "never reused",
        )
    facility = require_facility(state, ctx.signer_org, p["facility"], "melting")
    if schema.parse_time(p["cast_at"]) > ctx.block_time + CAST_AT_TOLERANCE:
        raise Rejected(
            "HEAT_CAST_IN_FUTURE",
            f"cast_at {p['cast_at']} is after the block time {schema.format_time(ctx.block_time)}",
        )
    if not MIN_HEAT_KG <= p["tonnage_kg"] <= MAX_HEAT_KG:
        raise Rejected(
            "HEAT_TONNAGE_OUT_OF_RANGE",
            f"tonnage_kg {p['tonnage_kg']} is outside {MIN_HEAT_KG}..{MAX_HEAT_KG} kg per heat",
        )
    chemistry: dict[str, Any] = p["chemistry"]
    _verify_chemistry(chemistry)
    inputs = p.get("inputs")
    recycled = _verify_inputs(inputs) if inputs is not None else None
    co2 = p.get("co2_t_per_t")
    method = p.get("co2_method")
    if (co2 is None) != (method is None):
        raise Rejected("HEAT_CO2_INCOMPLETE", "co2_t_per_t and co2_method must be given together")
    fingerprint = chemistry_fingerprint(chemistry)
    index = state.get(chem_index_key(fingerprint)) or []
    return {
        key: {
            "id": hid,
            "mill": ctx.signer_org,
            "heat_no": p["heat_no"],
            "facility": p["facility"],
            "country": facility["country"],
            "route": p["route"],
            "cast_at": p["cast_at"],
            "tonnage_kg": p["tonnage_kg"],
            "cast_kg": 0,
            "certified_kg": 0,
            "chemistry": chemistry,
            "inputs": inputs,
            "co2_t_per_t": co2,
            "co2_method": method,
            "recycled_share": recycled,
            "height": ctx.height,
            "tx_id": ctx.tx_id,
        },
        chem_index_key(fingerprint): sorted([*index, hid]),
    }


def _verify_chemistry(chemistry: dict[str, Any]) -> None:
    if "C" not in chemistry:
        raise Rejected("CHEMISTRY_CARBON_MISSING", "chemistry must state carbon (C) in mass %")
    total = sum((Fraction(v) for v in chemistry.values()), Fraction(0))
    if total > 100:
        raise Rejected(
            "CHEMISTRY_OVER_100", f"the stated elements add up to {float(total):g} % (> 100 %)"
        )


def _verify_inputs(inputs: list[dict[str, Any]]) -> float:
    """Check the metallic inputs; return the recycled (scrap) share."""
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(inputs):
        marker = (item["material"], item["origin_country"])
        if marker in seen:
            raise Rejected(
                "HEAT_INPUT_DUPLICATE",
                f"inputs[{i}]: {marker[0]} from {marker[1]} is listed twice; give one share",
            )
        seen.add(marker)
    total = sum((Fraction(item["share"]) for item in inputs), Fraction(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        raise Rejected(
            "HEAT_INPUT_SHARES_SUM",
            f"input shares add up to {float(total):.9g}, not 1 (within 1e-6)",
        )
    scrap = sum(
        (Fraction(item["share"]) for item in inputs if item["material"] == "scrap"), Fraction(0)
    )
    return float(scrap / total)
