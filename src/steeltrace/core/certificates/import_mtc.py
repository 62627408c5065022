"""Importing EN 10168 digital mill test certificates into ``cert.issue`` payloads.

The input is the JSON document of a digital material certificate in the EN 10168 form
published by Material Identity (formerly S1Seven; schema versions v0.4.x and v0.5.x):
``{"RefSchemaUrl": ..., "Certificate": {"CommercialTransaction": {A..},
"ProductDescription": {B..}, "Inspection": {C..} | [{C..}], "OtherTests": {D..},
"Validation": {Z..}}}``. This module is a pure mapping with its own structural checks;
it does not use a JSON-Schema validator (python-jsonschema mis-handles the upstream
schema's empty ``patternProperties`` pattern and would refuse valid documents).

What it keeps and how (also in docs/transactions/certificates.md):

* A01 name, A02 text (and the EN 10204 type parsed from it), A03, A06 / A06.1 name, A07,
  A08, A09. Logos, addresses and images are dropped: the ledger holds the document's
  hash, not the document.
* B01, B02 (first steel designation; the other designations and norms in ``B02_norms``),
  B03-B06, B07 (one heat per ledger certificate; several heat numbers need ``heat_no=``),
  B08, B09 (shape to ``*_mm`` dimensions), B10, B11, B12/B13 rounded to integer kg.
* C00-C03, C10-C13 (C03 "-20 Celsius" to -20), impact C40-C43, chemistry C71-C115 by
  symbol in mass % (ppm divided by 10,000; an operator such as ``<`` keeps the bound),
  with carbon equivalents and formulas (CEV, CE, F1 ...) under ``derived``.
* D: D01 and every test under the D groups as ``{"code", "text"}`` lines.
* Z01, Z02, Z03 (name and title).

The ledger bindings that the document cannot know (the issuing organisation, the lots
and their kilograms, the certificate id) are the caller's keyword arguments.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from steeltrace.core import schema
from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.certificates import payload as shapes
from steeltrace.core.contracts.heats import ELEMENTS
from steeltrace.errors import InvalidInput

DERIVED_SYMBOLS = frozenset(
    {"CEV", "CE", "CET", "CEQ", "PCM", "CEIIW", "PREN", "PRE", "F1", "F2", "F3", "F4", "F5"}
)
# Some mills report dissolved gases by molecule.
SYMBOL_ALIASES = {"H2": "H", "N2": "N", "O2": "O"}

_TYPE = re.compile(r"(?<![\d.])([23]\.[12])(?![\d])")
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_SHAPE_FIELDS = {
    "Thickness": "thickness_mm",
    "Width": "width_mm",
    "Height": "height_mm",
    "Length": "length_mm",
    "Diameter": "diameter_mm",
    "OuterDiameter": "outer_diameter_mm",
    "WallThickness": "wall_thickness_mm",
}


class MtcImportError(InvalidInput):
    """The document is not a usable EN 10168 certificate; ``field`` says where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__("MTC_INVALID", f"{field}: {message}", field=field)
        self.field = field


@dataclass
class MtcFacts:
    """What a certificate says about the steel, independent of the ledger."""

    en10204_type: str
    heat_numbers: list[str]
    grade: str
    chemistry: dict[str, float] = field(default_factory=dict)
    derived: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- small readers


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MtcImportError("must be an object", path)
    return value


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MtcImportError("must be a non-empty string", path)
    return value.strip()


def _opt_str(group: dict[str, Any], key: str, path: str) -> str | None:
    if key not in group:
        return None
    return _str(group[key], f"{path}.{key}")


def _num(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MtcImportError("must be a number", path)
    return float(value)


def _company(value: Any, path: str) -> str:
    company = _obj(value, path)
    return _str(company.get("Name", company.get("CompanyName")), f"{path}.Name")


def _clean(number: float) -> float | int:
    """An integral float as int, so payloads stay tidy; never changes the value."""
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _kg(value: float) -> int:
    return max(1, int(Decimal(str(value)).quantize(Decimal(1))))


def _sections(cert: dict[str, Any]) -> list[dict[str, Any]]:
    inspection = cert.get("Inspection")
    if inspection is None:
        return []
    if isinstance(inspection, dict):
        return [inspection]
    if not isinstance(inspection, list) or not inspection:
        raise MtcImportError("must be an object or a non-empty list", "Certificate.Inspection")
    return [_obj(s, f"Certificate.Inspection[{i}]") for i, s in enumerate(inspection)]


# ---------------------------------------------------------------- facts


def _chem_value(element: dict[str, Any], path: str) -> float:
    actual = element.get("Actual")
    if isinstance(actual, dict):  # v0.5: {"Value": "0.15", "Operator": "<"}
        actual = actual.get("Value")
        path = f"{path}.Actual.Value"
    else:
        path = f"{path}.Actual"
    if not isinstance(actual, str):
        raise MtcImportError("a chemical share must be a decimal string", path)
    try:
        value = Decimal(actual.strip().replace(",", "."))
    except InvalidOperation as e:
        raise MtcImportError(f"{actual!r} is not a decimal number", path) from e
    if not value.is_finite() or value < 0:
        raise MtcImportError(f"{actual!r} is not a share >= 0", path)
    if element.get("Unit") == "ppm":
        value = value / Decimal(10_000)
    return float(value)


def _symbol(raw: str) -> tuple[str, bool]:
    """(symbol, is_element): exact element symbols first, then carbon equivalents and
    formulas by their usual names, then all-capital element symbols (``AL``)."""
    if raw in ELEMENTS:
        return raw, True
    if raw.upper() in DERIVED_SYMBOLS:
        return raw.upper(), False
    if raw in SYMBOL_ALIASES:
        return SYMBOL_ALIASES[raw], True
    if raw.capitalize() in ELEMENTS:
        return raw.capitalize(), True
    return raw, False


def _chemistry(sections: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, float]]:
    chemistry: dict[str, float] = {}
    derived: dict[str, float] = {}
    for i, section in enumerate(sections):
        comp = section.get("ChemicalComposition")
        if comp is None:
            continue
        base = f"Certificate.Inspection[{i}].ChemicalComposition"
        for code, element in _obj(comp, base).items():
            if not re.fullmatch(r"C(7[1-9]|[89]\d|1[01]\d)", code):
                continue  # C70 (process), SupplementaryInformation
            path = f"{base}.{code}"
            element = _obj(element, path)
            if "Symbol" not in element:
                raise MtcImportError("a chemical element needs its Symbol", f"{path}.Symbol")
            symbol, is_element = _symbol(_str(element["Symbol"], f"{path}.Symbol"))
            value = _chem_value(element, path)
            target = chemistry if is_element else derived
            if symbol in target and target[symbol] != value:
                raise MtcImportError(f"{symbol} is stated twice with different values", path)
            target[symbol] = value
    return chemistry, derived


def extract_mtc(document: Any) -> MtcFacts:
    """The EN 10204 type, heat number(s), grade and chemistry a certificate states."""
    cert = _certificate(document)
    a = _obj(cert.get("CommercialTransaction"), "Certificate.CommercialTransaction")
    b = _obj(cert.get("ProductDescription"), "Certificate.ProductDescription")
    chemistry, derived = _chemistry(_sections(cert))
    return MtcFacts(
        en10204_type=_en10204_type(a),
        heat_numbers=_heat_numbers(b),
        grade=_grade(b)[0],
        chemistry=chemistry,
        derived=derived,
    )


def _certificate(document: Any) -> dict[str, Any]:
    doc = _obj(document, "document")
    _str(doc.get("RefSchemaUrl"), "RefSchemaUrl")
    cert = _obj(doc.get("Certificate"), "Certificate")
    for part in ("CertificateLanguages", "CommercialTransaction", "ProductDescription"):
        if part not in cert:
            raise MtcImportError("is required", f"Certificate.{part}")
    if "Validation" not in cert:
        raise MtcImportError("is required", "Certificate.Validation")
    languages = cert["CertificateLanguages"]
    if not isinstance(languages, list) or not languages:
        raise MtcImportError("must list at least one language", "Certificate.CertificateLanguages")
    return cert


def _en10204_type(a: dict[str, Any]) -> str:
    text = _str(a.get("A02"), "Certificate.CommercialTransaction.A02")
    found = _TYPE.findall(text)
    if not found:
        raise MtcImportError(
            f"{text!r} names no EN 10204 type (2.1, 2.2, 3.1 or 3.2)",
            "Certificate.CommercialTransaction.A02",
        )
    return str(found[-1])


def _heat_numbers(b: dict[str, Any]) -> list[str]:
    raw = b.get("B07")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for i, item in enumerate(items):
        number = _str(item, f"Certificate.ProductDescription.B07[{i}]")
        if number not in out:
            out.append(number)
    return out


def _grade(b: dict[str, Any]) -> tuple[str, list[str]]:
    path = "Certificate.ProductDescription.B02"
    b02 = _obj(b.get("B02"), path)
    designations = [_str(d, f"{path}.SteelDesignation") for d in b02.get("SteelDesignation") or []]
    if not designations:
        raise MtcImportError("names no steel designation", f"{path}.SteelDesignation")
    norms = list(designations[1:])
    for key in ("ProductNorm", "MaterialNorm", "MassNorm"):
        norms.extend(_str(n, f"{path}.{key}") for n in b02.get(key) or [])
    return designations[0], norms


# ---------------------------------------------------------------- groups


def _group_a(a: dict[str, Any]) -> dict[str, Any]:
    path = "Certificate.CommercialTransaction"
    out: dict[str, Any] = {
        "A01": _company(a.get("A01"), f"{path}.A01"),
        "A02": _str(a.get("A02"), f"{path}.A02"),
        "A03": _str(a.get("A03"), f"{path}.A03"),
    }
    purchaser = a.get("A06", a.get("A06.1"))
    if purchaser is not None:
        out["A06"] = _company(purchaser, f"{path}.A06")
    for key in ("A07", "A08", "A09"):
        value = _opt_str(a, key, path)
        if value is not None:
            out[key] = value
    return out


def _dimensions(value: Any, path: str) -> dict[str, Any]:
    shape = _obj(value, path)
    unit = str(shape.get("Unit", "mm")).lower()
    if unit != "mm":
        raise MtcImportError(f"dimensions in {unit!r}; only mm is understood", f"{path}.Unit")
    out: dict[str, Any] = {}
    if "Form" in shape:
        out["form"] = _str(shape["Form"], f"{path}.Form")
    for name, ours in _SHAPE_FIELDS.items():
        if name in shape:
            out[ours] = _clean(_num(shape[name], f"{path}.{name}"))
    return out


def _measure(value: Any, path: str) -> dict[str, Any]:
    m = _obj(value, path)
    out: dict[str, Any] = {
        "property": _str(m.get("Property", "value"), f"{path}.Property"),
        "value": _clean(_num(m.get("Value"), f"{path}.Value")),
    }
    if "Unit" in m:
        out["unit"] = _str(m["Unit"], f"{path}.Unit")
    return out


def _group_b(b: dict[str, Any], heat_no: str) -> dict[str, Any]:
    path = "Certificate.ProductDescription"
    grade, norms = _grade(b)
    out: dict[str, Any] = {
        "B01": _str(b.get("B01", "steel product"), f"{path}.B01"),
        "B02": grade,
        "B07": heat_no,
    }
    if norms:
        out["B02_norms"] = norms
    for key in ("B03", "B04", "B05", "B06"):
        value = _opt_str(b, key, path)
        if value is not None:
            out[key] = value
    if "B08" in b:
        out["B08"] = int(_num(b["B08"], f"{path}.B08"))
    if "B09" in b:
        out["B09"] = _dimensions(b["B09"], f"{path}.B09")
    for key in ("B10", "B11"):
        if key in b:
            out[key] = _measure(b[key], f"{path}.{key}")
    for key in ("B12", "B13"):
        if key in b:
            m = _obj(b[key], f"{path}.{key}")
            unit = str(m.get("Unit", "kg")).lower()
            factor = {"kg": 1, "t": 1000}.get(unit)
            if factor is None:
                raise MtcImportError(f"mass in {unit!r}; kg or t expected", f"{path}.{key}.Unit")
            out[key] = _kg(_num(m.get("Value"), f"{path}.{key}.Value") * factor)
    return out


def _celsius(text: Any, path: str) -> float | int | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _clean(float(text))
    if not isinstance(text, str):
        return None
    match = _NUMBER.search(text)
    return _clean(float(match.group().replace(",", "."))) if match else None


def _group_c(sections: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    impact: list[dict[str, Any]] = []
    for i, s in enumerate(sections):
        path = f"Certificate.Inspection[{i}]"
        for key in ("C00", "C01", "C02"):
            if key in s and key not in out:
                out[key] = _str(s[key], f"{path}.{key}")
        temperature = _celsius(s.get("C03"), f"{path}.C03")
        tensile = s.get("TensileTest")
        if tensile is not None:
            t = _obj(tensile, f"{path}.TensileTest")
            if "C10" in t:
                out["C10"] = _str(t["C10"], f"{path}.TensileTest.C10")
            for key in ("C11", "C12", "C13"):
                if key in t:
                    m = _obj(t[key], f"{path}.TensileTest.{key}")
                    out[key] = _clean(_num(m.get("Value"), f"{path}.TensileTest.{key}.Value"))
        notched = s.get("NotchedBarImpactTest")
        if notched is not None:
            impact.append(
                _impact(
                    _obj(notched, f"{path}.NotchedBarImpactTest"),
                    temperature,
                    f"{path}.NotchedBarImpactTest",
                )
            )
    chemistry, derived = _chemistry(sections)
    if chemistry:
        out["chemistry"] = {k: _clean(v) for k, v in sorted(chemistry.items())}
    if derived:
        out["derived"] = {k: _clean(v) for k, v in sorted(derived.items())}
    if impact:
        out["impact"] = impact
    return out


def _impact(n: dict[str, Any], temperature: float | int | None, path: str) -> dict[str, Any]:
    mean = _obj(n.get("C43"), f"{path}.C43")
    out: dict[str, Any] = {"C43": _clean(_num(mean.get("Value"), f"{path}.C43.Value"))}
    if temperature is not None:
        out["C03"] = temperature
    if "C40" in n:
        out["C40"] = _str(n["C40"], f"{path}.C40")
    if "C41" in n:
        width = _obj(n["C41"], f"{path}.C41")
        out["C41"] = _clean(_num(width.get("Value"), f"{path}.C41.Value"))
    if isinstance(n.get("C42"), list) and n["C42"]:
        out["C42"] = [
            _clean(_num(_obj(v, f"{path}.C42[{i}]").get("Value"), f"{path}.C42[{i}].Value"))
            for i, v in enumerate(n["C42"])
        ]
    return out


def _test_text(item: Any) -> str:
    """One D-group test as a line: ``Key: Value Unit (Interpretation)``."""
    if not isinstance(item, dict):
        return str(item)
    value = " ".join(str(item[k]) for k in ("Value", "Unit") if item.get(k) not in (None, ""))
    text = ": ".join(str(x) for x in (item.get("Key"), value) if x)
    if item.get("Interpretation"):
        text = f"{text} ({item['Interpretation']})"
    return text


def _group_d(other: Any) -> list[dict[str, Any]]:
    if not isinstance(other, dict):
        return []
    lines: list[tuple[str, str]] = []

    def visit(node: dict[str, Any]) -> None:
        for key, value in node.items():
            if re.fullmatch(r"D\d{2}", key):
                text = _test_text(value).strip()
                if text:
                    lines.append((key, text[: schema.MAX_TEXT]))
            elif isinstance(value, dict):
                visit(value)

    visit(other)
    return [{"code": code, "text": text} for code, text in sorted(lines)]


def _group_z(z: dict[str, Any]) -> dict[str, Any]:
    path = "Certificate.Validation"
    out: dict[str, Any] = {
        "Z01": _str(z.get("Z01"), f"{path}.Z01"),
        "Z02": _str(z.get("Z02"), f"{path}.Z02"),
    }
    signer = z.get("Z03")
    if isinstance(signer, dict):
        name = _str(signer.get("Name"), f"{path}.Z03.Name")
        title = signer.get("Title")
        out["Z03"] = f"{name}, {title}" if isinstance(title, str) and title.strip() else name
    elif signer is not None:
        out["Z03"] = _str(signer, f"{path}.Z03")
    return out


# ---------------------------------------------------------------- the payload


def document_sha256(document: Any) -> str:
    """SHA-256 of the document's canonical JSON (RFC 8785): the hash to use when the
    certificate travels as JSON rather than as one fixed file."""
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def certificate_payload_from_mtc(
    document: Any,
    *,
    mill: str,
    lots: list[dict[str, Any]],
    cert_id: str | None = None,
    heat_no: str | None = None,
    document_hash: str | None = None,
    contract: str | None = None,
) -> dict[str, Any]:
    """A ``cert.issue`` payload from an EN 10168 JSON certificate.

    ``mill`` is the ledger id of the organisation that melted the heat (the heat id is
    ``{mill}/{heat number}``); ``lots`` the ``[{"lot", "kg"}]`` covered. ``heat_no`` picks
    one heat of a certificate that names several (the ledger keeps one certificate per
    heat) and supplies it when B07 is absent. ``cert_id`` defaults to
    ``{mill}/{A03}`` (A03 cleaned to an identifier, with the heat number when the
    document names several heats); ``document_hash`` to :func:`document_sha256`.

    Raises :class:`MtcImportError` for a document that is not a usable certificate, and
    ``InvalidPayload`` if the result would not pass the ``cert.issue`` shape checks.
    """
    cert = _certificate(document)
    a = _obj(cert.get("CommercialTransaction"), "Certificate.CommercialTransaction")
    b = _obj(cert.get("ProductDescription"), "Certificate.ProductDescription")
    z = _obj(cert.get("Validation"), "Certificate.Validation")
    sections = _sections(cert)
    named = _heat_numbers(b)
    if heat_no is None:
        if len(named) != 1:
            raise MtcImportError(
                f"names {len(named)} heat numbers {named}; pass heat_no= to choose the one "
                "this ledger certificate is for",
                "Certificate.ProductDescription.B07",
            )
        heat_no = named[0]
    elif named and heat_no not in named:
        raise MtcImportError(
            f"heat {heat_no!r} is not among the heats the document names {named}",
            "Certificate.ProductDescription.B07",
        )
    en_type = _en10204_type(a)
    out: dict[str, Any] = {
        "cert_id": cert_id or _default_cert_id(mill, a, heat_no if len(named) > 1 else None),
        "type": en_type,
        "document_sha256": document_hash or document_sha256(document),
        "heat": f"{mill}/{heat_no}",
        "lots": lots,
        "A": _group_a(a),
        "B": _group_b(b, heat_no),
        "Z": _group_z(z),
    }
    c = _group_c(sections)
    if c:
        out["C"] = c
    d = _group_d(cert.get("OtherTests"))
    if d:
        out["D"] = d
    if contract is not None:
        out["contract"] = contract
    return shapes.validate_issue(out)


def _default_cert_id(mill: str, a: dict[str, Any], heat_no: str | None) -> str:
    number = re.sub(r"[^A-Za-z0-9._:-]+", "-", _str(a.get("A03"), "A03")).strip("-") or "cert"
    suffix = f"-{heat_no}" if heat_no else ""
    return f"{mill}/{number}{suffix}"[:96]
