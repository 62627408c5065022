"""The shapes of the certificate transactions, with EN 10168 group codes as keys.

A ``cert.issue`` payload carries the ledger bindings (``cert_id``, ``type``, ``heat``,
``lots``, ``document_sha256``, optional ``contract``) and the EN 10168 data groups
``A`` (parties), ``B`` (product), ``C`` (tests), ``D`` (other tests) and ``Z``
(validation). Inside a group a field is named by its EN 10168 code (``B07``, ``C11``);
the few places where EN 10168 holds structure get plain snake_case names with their unit
in the name (``B09.thickness_mm``, ``C.chemistry``). The full mapping is in
docs/transactions/certificates.md.

Units inside are SI as the rest of the ledger: MPa, mm, J, degrees Celsius, mass % and
integer kilograms (I-10: never a float mass). Chemistry values are checked for shape only
(a finite number >= 0); whether they are plausible (<= 100 %) or within the grade is a
verification finding (:mod:`.verification`), because S-01 wants out-of-grade results
accepted and flagged, never silently refused.

This module checks shapes; the rules that need the state are in
:mod:`steeltrace.core.contracts.certificates`.
"""

from __future__ import annotations

import re
from typing import Any

from steeltrace.core import schema
from steeltrace.core.contracts.heats import ELEMENTS

EN10204_TYPES = ("2.1", "2.2", "3.1", "3.2")
MAX_CERT_LOTS = 200  # per certificate: bounds the keys one contract reads
MAX_MPA = 10_000.0
MAX_J = 2_000.0
MAX_MM = 1_000_000.0
MAX_CHEMISTRY_VALUE = 1e6  # shape bound only; > 100 % is a verification finding

_DERIVED = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,9}$")
_D_CODE = re.compile(r"^D[0-9]{2}$")


def _mpa(value: Any, path: str) -> float | int:
    return schema.number(value, path, 0.0, MAX_MPA)


def _pct(value: Any, path: str) -> float | int:
    return schema.number(value, path, 0.0, 100.0)


def _mm(value: Any, path: str) -> float | int:
    return schema.number(value, path, 0.0, MAX_MM)


def _joule(value: Any, path: str) -> float | int:
    return schema.number(value, path, 0.0, MAX_J)


def _celsius(value: Any, path: str) -> float | int:
    return schema.number(value, path, -273.15, 2000.0)


def _pieces(value: Any, path: str) -> int:
    return schema.integer(value, path, 1, 10**9)


def _element(value: Any, path: str) -> str:
    if not isinstance(value, str) or value not in ELEMENTS:
        raise schema.bad(path, f"{value!r} is not an element symbol (C, Mn, Si ...)")
    return value


def _derived_name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _DERIVED.match(value):
        raise schema.bad(path, "must be a short name like CEV, CET, PCM or F1")
    return value


def _chem_value(value: Any, path: str) -> float | int:
    return schema.number(value, path, 0.0, MAX_CHEMISTRY_VALUE)


def _heat_id(value: Any, path: str) -> str:
    heat: str = schema.ident(value, path)
    if heat.count("/") != 1 or heat.startswith("/") or heat.endswith("/"):
        raise schema.bad(path, "must be a heat id {mill}/{heat_no}")
    return heat


def _d_code(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _D_CODE.match(value):
        raise schema.bad(path, "must be an EN 10168 group D code like D01")
    return value


_LOT_COVER = schema.obj({"lot": schema.ident, "kg": schema.kg})

_A = schema.obj(
    {"A01": schema.text, "A03": schema.text},
    {
        "A02": schema.text,
        "A06": schema.text,
        "A07": schema.text,
        "A08": schema.text,
        "A09": schema.text,
    },
)

_DIMENSIONS = schema.obj(
    {},
    {
        "form": schema.text,
        "thickness_mm": _mm,
        "width_mm": _mm,
        "height_mm": _mm,
        "length_mm": _mm,
        "diameter_mm": _mm,
        "outer_diameter_mm": _mm,
        "wall_thickness_mm": _mm,
    },
)

_MEASURE = schema.obj(
    {"property": schema.text, "value": lambda v, p: schema.number(v, p, 0.0, MAX_MM)},
    {"unit": schema.text},
)

_B = schema.obj(
    {"B01": schema.text, "B02": schema.text, "B07": schema.ident},
    {
        "B02_norms": schema.list_of(schema.text, 1, 20),
        "B03": schema.text,
        "B04": schema.text,
        "B05": schema.text,
        "B06": schema.text,
        "B08": _pieces,
        "B09": _DIMENSIONS,
        "B10": _MEASURE,
        "B11": _MEASURE,
        "B12": schema.kg,
        "B13": schema.kg,
    },
)

_IMPACT = schema.obj(
    {"C43": _joule},
    {
        "C03": _celsius,
        "C40": schema.text,
        "C41": _mm,
        "C42": schema.list_of(_joule, 1, 20),
    },
)

_C = schema.obj(
    {},
    {
        "C00": schema.text,
        "C01": schema.text,
        "C02": schema.text,
        "C03": _celsius,
        "C10": schema.text,
        "C11": _mpa,
        "C12": _mpa,
        "C13": _pct,
        "impact": schema.list_of(_IMPACT, 1, 20),
        "chemistry": schema.mapping(_element, _chem_value, 118),
        "derived": schema.mapping(_derived_name, _chem_value, 30),
    },
)

_D_ITEM = schema.obj({"code": _d_code, "text": schema.text})

_Z = schema.obj({"Z01": schema.text, "Z02": schema.date}, {"Z03": schema.text})

ISSUE_REQUIRED: dict[str, schema.Checker] = {
    "cert_id": schema.ident,
    "type": schema.one_of(*EN10204_TYPES),
    "document_sha256": schema.hex_bytes(32),
    "heat": _heat_id,
    "lots": schema.list_of(_LOT_COVER, 1, MAX_CERT_LOTS),
    "A": _A,
    "B": _B,
    "Z": _Z,
}
ISSUE_OPTIONAL: dict[str, schema.Checker] = {
    "contract": schema.ident,
    "C": _C,
    "D": schema.list_of(_D_ITEM, 1, 100),
}

COUNTERSIGN_REQUIRED: dict[str, schema.Checker] = {
    "cert_id": schema.ident,
    "statement": schema.text,
}

REVOKE_REQUIRED: dict[str, schema.Checker] = {
    "cert_id": schema.ident,
    "reason": schema.text,
}


def validate_issue(payload: Any) -> dict[str, Any]:
    """The checked ``cert.issue`` payload, or ``InvalidPayload`` naming the field."""
    p = schema.fields(payload, ISSUE_REQUIRED, ISSUE_OPTIONAL)
    seen: set[str] = set()
    for i, cover in enumerate(p["lots"]):
        if cover["lot"] in seen:
            raise schema.bad(f"payload.lots[{i}].lot", "lot listed twice; give one entry")
        seen.add(cover["lot"])
    return p


def validate_countersign(payload: Any) -> dict[str, Any]:
    return schema.fields(payload, COUNTERSIGN_REQUIRED)


def validate_revoke(payload: Any) -> dict[str, Any]:
    return schema.fields(payload, REVOKE_REQUIRED)


def has_results(p: dict[str, Any]) -> bool:
    """True when the certificate states test results (chemistry or a tensile value)."""
    c = p.get("C") or {}
    return bool(c.get("chemistry")) or any(k in c for k in ("C11", "C12", "C13"))


def thickness_mm(b: dict[str, Any]) -> float | None:
    """The governing thickness for grade limits: plate/strip thickness, else wall."""
    dims = b.get("B09") or {}
    for name in ("thickness_mm", "wall_thickness_mm", "diameter_mm"):
        if name in dims:
            return float(dims[name])
    return None
