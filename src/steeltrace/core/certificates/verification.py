"""Verifying a certificate against the ledger, the grade tables and a contract.

Everything here is a pure function of a state view (and, for documents, the bytes a
caller holds): no clock, no file, no network. The contracts call :func:`issue_findings`
at issue time to store the forgery flags on the certificate record deterministically;
buyers, customs and the API call :func:`verify_certificate` to recompute them against
the state as it is now (a later certificate with the same chemistry shows up there).

``verify_certificate`` runs these steps, each a small ``_check_*`` below:

1. status: revoked, or a 3.2 still pending its inspector's countersignature, is not valid;
2. the heat exists and its number is the certificate's B07;
3. chemistry is physically possible (no element over 100 %, the sum at most 100 %);
4. results against the grade's limits (``reference.grades``): out-of-grade values under
   a statement of compliance are accepted on the ledger but flagged (S-01);
5. chemistry against the heat's registered chemistry;
6. the covered lots' HS chemistry class against the class of the chemistry;
7. identical chemistry on another heat's certificate or registration (copied analysis);
8. the purchase contract's specification, when one is given or linked;
9. a 2.2 test report without results is noted.

``valid`` is true when the status is ``valid`` and no finding has severity ``error``.
``flags`` are the codes of the findings that are forgery or circumvention signals, the
ones shown to buyers and customs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from steeltrace.core.certificates.genealogy import walk
from steeltrace.core.contracts.heats import chem_index_key, chemistry_fingerprint
from steeltrace.core.state import StateView

ERROR = "error"
WARNING = "warning"
INFO = "info"

FLAG_CODES = frozenset(
    {
        "CERT_UNKNOWN",
        "CERT_HEAT_UNKNOWN",
        "CERT_HEAT_NUMBER_MISMATCH",
        "CERT_CHEMISTRY_IMPOSSIBLE",
        "CERT_OUT_OF_GRADE",
        "CERT_CHEMISTRY_MISMATCH",
        "CERT_HS_CLASS_MISMATCH",
        "CERT_CHEMISTRY_COPIED",
        "CERT_DOCUMENT_HASH_MISMATCH",
    }
)

# Ladle analysis on the certificate should equal the heat's registered analysis; allow
# rounding to the stated decimals and small re-analysis differences, nothing more.
CHEM_ABS_TOLERANCE = 0.002
CHEM_REL_TOLERANCE = 0.05
# A fingerprint of fewer elements coincides innocently (two heats with C and Mn alike).
MIN_FINGERPRINT_ELEMENTS = 4
MAX_INDEX_ENTRIES_READ = 200


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    message: str
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
        }

    @property
    def is_flag(self) -> bool:
        return self.code in FLAG_CODES


def cert_key(cert_id: str) -> str:
    return f"cert/{cert_id}"


def certchem_key(fingerprint: str) -> str:
    return f"idx/certchem/{fingerprint}"


def chemistry_of(cert: dict[str, Any]) -> dict[str, Any]:
    return dict((cert.get("C") or {}).get("chemistry") or {})


def certificate_fingerprint(chemistry: dict[str, Any]) -> str | None:
    """The chemistry fingerprint (same function as the heats' ``idx/chem``), or None
    when the analysis is too short to identify anything."""
    present = {el: v for el, v in chemistry.items() if v != 0}
    if len(present) < MIN_FINGERPRINT_ELEMENTS:
        return None
    return chemistry_fingerprint(present)


# ---------------------------------------------------------------- the checks


def _check_status(cert: dict[str, Any]) -> list[Finding]:
    status = cert.get("status")
    if status == "revoked":
        rev = cert.get("revocation") or {}
        return [
            Finding(
                "CERT_REVOKED",
                ERROR,
                f"revoked by {rev.get('by')} at height {rev.get('height')}: {rev.get('reason')}",
            )
        ]
    if status == "pending-countersignature":
        return [
            Finding(
                "CERT_PENDING_COUNTERSIGNATURE",
                ERROR,
                "an EN 10204 3.2 certificate counts only once an inspection body countersigns",
            )
        ]
    return []


def _check_heat(cert: dict[str, Any], heat: dict[str, Any] | None) -> list[Finding]:
    if heat is None:
        return [
            Finding(
                "CERT_HEAT_UNKNOWN", ERROR, f"heat {cert.get('heat')!r} is not registered", "heat"
            )
        ]
    b07 = (cert.get("B") or {}).get("B07")
    if b07 != heat.get("heat_no"):
        return [
            Finding(
                "CERT_HEAT_NUMBER_MISMATCH",
                ERROR,
                f"B07 states heat {b07!r}; the heat's number is {heat.get('heat_no')!r}",
                "B.B07",
            )
        ]
    return []


def _check_plausible(chemistry: dict[str, Any]) -> list[Finding]:
    out = [
        Finding(
            "CERT_CHEMISTRY_IMPOSSIBLE",
            ERROR,
            f"{el} is stated as {v:g} %, more than the whole",
            f"C.chemistry.{el}",
        )
        for el, v in sorted(chemistry.items())
        if v > 100
    ]
    total = sum(float(v) for v in chemistry.values())
    if not out and total > 100:
        out.append(
            Finding(
                "CERT_CHEMISTRY_IMPOSSIBLE",
                ERROR,
                f"the stated elements add up to {total:g} %",
                "C.chemistry",
            )
        )
    return out


def _check_grade(cert: dict[str, Any]) -> list[Finding]:
    from steeltrace.core.certificates.payload import thickness_mm
    from steeltrace.core.reference import grades

    b = cert.get("B") or {}
    c = cert.get("C") or {}
    designation = str(b.get("B02") or "")
    grade = grades.grade(designation)
    if grade is None:
        return [
            Finding(
                "CERT_GRADE_UNKNOWN",
                WARNING,
                f"grade {designation!r} is not in the grade table; its limits were not checked",
                "B.B02",
            )
        ]
    results = grades.check_results(
        grade,
        chemistry_of(cert),
        c.get("C11"),
        c.get("C12"),
        c.get("C13"),
        thickness_mm(b),
    )
    stated = " under a statement of compliance (Z01)" if (cert.get("Z") or {}).get("Z01") else ""
    return [
        Finding(
            "CERT_OUT_OF_GRADE",
            ERROR,
            f"{r.code}: {r.message} (limit {r.limit}, stated {r.actual}){stated}",
            _grade_field(str(r.field)),
        )
        for r in results
    ]


_MECH_FIELDS = {
    "yield_mpa": "C.C11",
    "tensile_mpa": "C.C12",
    "elongation_pct": "C.C13",
    "thickness_mm": "B.B09",
}


def _grade_field(name: str) -> str:
    if name in _MECH_FIELDS:
        return _MECH_FIELDS[name]
    if name.startswith("chemistry."):
        return f"C.{name}"
    return f"C.chemistry.{name}" if name[:1].isupper() else name


def _check_heat_chemistry(cert: dict[str, Any], heat: dict[str, Any] | None) -> list[Finding]:
    if heat is None:
        return []
    registered = heat.get("chemistry") or {}
    out: list[Finding] = []
    for el, stated in sorted(chemistry_of(cert).items()):
        if el not in registered:
            continue
        expected = float(registered[el])
        tolerance = max(CHEM_ABS_TOLERANCE, CHEM_REL_TOLERANCE * expected)
        if abs(float(stated) - expected) > tolerance:
            out.append(
                Finding(
                    "CERT_CHEMISTRY_MISMATCH",
                    ERROR,
                    f"{el} is {stated:g} % on the certificate but {expected:g} % in the "
                    f"heat's registered analysis",
                    f"C.chemistry.{el}",
                )
            )
    return out


def _check_hs_class(state: StateView, cert: dict[str, Any]) -> list[Finding]:
    chemistry = chemistry_of(cert)
    if not chemistry:
        return []
    from steeltrace.core.reference import chemistry as chem_ref
    from steeltrace.core.reference import hs

    stated_class = chem_ref.classify(chemistry)
    out: list[Finding] = []
    for cover in cert.get("lots") or []:
        lot = state.get(f"lot/{cover['lot']}") or {}
        code = lot.get("hs")
        if not code:
            continue
        lot_class = hs.chemistry_class_of_code(str(code))
        if lot_class is not None and lot_class != stated_class:
            out.append(
                Finding(
                    "CERT_HS_CLASS_MISMATCH",
                    WARNING,
                    f"lot {cover['lot']} is declared HS {code} ({lot_class} steel) but the "
                    f"certified chemistry is {stated_class}",
                    "lots",
                )
            )
    return out


def _check_copied(state: StateView, cert: dict[str, Any]) -> list[Finding]:
    fingerprint = certificate_fingerprint(chemistry_of(cert))
    if fingerprint is None:
        return []
    heat = cert.get("heat")
    others: set[str] = set()
    entries = state.get(certchem_key(fingerprint)) or []
    for entry in entries[:MAX_INDEX_ENTRIES_READ]:
        if entry.get("heat") != heat:
            others.add(f"certificate {entry.get('cert')} (heat {entry.get('heat')})")
    for other_heat in (state.get(chem_index_key(fingerprint)) or [])[:MAX_INDEX_ENTRIES_READ]:
        if other_heat != heat:
            others.add(f"heat {other_heat} as registered")
    if not others:
        return []
    listed = ", ".join(sorted(others)[:5])
    more = f" and {len(others) - 5} more" if len(others) > 5 else ""
    return [
        Finding(
            "CERT_CHEMISTRY_COPIED",
            WARNING,
            f"the same chemistry, element for element, appears for {listed}{more}",
            "C.chemistry",
        )
    ]


def _norm(text: Any) -> str:
    return "".join(str(text).split()).upper()


def _check_spec(cert: dict[str, Any], state: StateView, spec: dict[str, Any]) -> list[Finding]:
    b = cert.get("B") or {}
    out: list[Finding] = []
    if spec.get("grade") and _norm(spec["grade"]) != _norm(b.get("B02", "")):
        out.append(
            Finding(
                "CERT_SPEC_GRADE_MISMATCH",
                ERROR,
                f"the contract asks for grade {spec['grade']!r}; the certificate states "
                f"{b.get('B02')!r}",
                "B.B02",
            )
        )
    lots = [state.get(f"lot/{c['lot']}") or {} for c in cert.get("lots") or []]
    if spec.get("hs"):
        wanted = str(spec["hs"]).replace(".", "")
        for lot in lots:
            code = str(lot.get("hs") or "")
            if code and not code.startswith(wanted) and not wanted.startswith(code):
                out.append(
                    Finding(
                        "CERT_SPEC_HS_MISMATCH",
                        ERROR,
                        f"lot {lot.get('id')} is HS {code}; the contract asks for {wanted}",
                        "lots",
                    )
                )
    if spec.get("form"):
        for lot in lots:
            if lot.get("form") and _norm(lot["form"]) != _norm(spec["form"]):
                out.append(
                    Finding(
                        "CERT_SPEC_FORM_MISMATCH",
                        ERROR,
                        f"lot {lot.get('id')} is {lot['form']!r}; the contract asks for "
                        f"{spec['form']!r}",
                        "lots",
                    )
                )
    out.extend(_check_dimensions(b.get("B09") or {}, spec))
    return out


def _check_dimensions(dims: dict[str, Any], spec: dict[str, Any]) -> list[Finding]:
    """Spec dimensions ``{name_mm: value}`` with ``tolerances`` ``{name_mm: +/- mm}``
    (also accepted flat on the spec); a dimension the certificate does not state is
    skipped."""
    wanted: dict[str, Any] = dict(spec.get("dimensions") or {})
    wanted.update({k: v for k, v in spec.items() if k.endswith("_mm") and k in dims})
    tolerances: dict[str, Any] = dict(spec.get("tolerances") or {})
    out: list[Finding] = []
    for name, value in sorted(wanted.items()):
        if name not in dims or not isinstance(value, (int, float)):
            continue
        tol = tolerances.get(name, 0)
        if isinstance(tol, dict):
            lo, hi = float(tol.get("minus", 0)), float(tol.get("plus", 0))
        else:
            lo = hi = float(tol)
        actual = float(dims[name])
        if not float(value) - lo <= actual <= float(value) + hi:
            out.append(
                Finding(
                    "CERT_SPEC_DIMENSION_MISMATCH",
                    ERROR,
                    f"{name} is {actual:g}; the contract asks for {value:g} (-{lo:g}/+{hi:g})",
                    f"B.B09.{name}",
                )
            )
    return out


def _check_results_present(cert: dict[str, Any]) -> list[Finding]:
    from steeltrace.core.certificates.payload import has_results

    if cert.get("type") == "2.2" and not has_results(cert):
        return [
            Finding(
                "CERT_RESULTS_MISSING",
                WARNING,
                "an EN 10204 2.2 test report should state test results; this one states none",
                "C",
            )
        ]
    return []


# ---------------------------------------------------------------- entry points


def issue_findings(state: StateView, cert: dict[str, Any]) -> list[Finding]:
    """The findings a certificate has on its own content and the state, status aside."""
    heat = state.get(f"heat/{cert.get('heat')}")
    chemistry = chemistry_of(cert)
    findings = [
        *_check_heat(cert, heat),
        *_check_plausible(chemistry),
        *_check_grade(cert),
        *_check_heat_chemistry(cert, heat),
        *_check_hs_class(state, cert),
        *_check_copied(state, cert),
        *_check_results_present(cert),
    ]
    return _sorted(findings)


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    unique = {(f.code, f.field or "", f.message): f for f in findings}
    return [unique[k] for k in sorted(unique)]


def stored_flags(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The flag findings in the form stored on the certificate record."""
    return [{"code": f.code, "field": f.field, "message": f.message} for f in findings if f.is_flag]


def verify_certificate(
    state: StateView, cert_id: str, contract_spec: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Verify one certificate; see the module docstring for the steps.

    ``contract_spec`` is a purchase contract's ``spec`` (``grade``, ``form``, ``hs``,
    ``dimensions``, ``tolerances``); when omitted and the certificate names a
    ``contract``, the spec of ``contract/{id}`` is used.
    """
    cert = state.get(cert_key(cert_id))
    if cert is None:
        unknown = Finding("CERT_UNKNOWN", ERROR, f"no certificate {cert_id!r} on the ledger")
        return {
            "cert_id": cert_id,
            "status": "unknown",
            "valid": False,
            "findings": [unknown.to_dict()],
            "flags": ["CERT_UNKNOWN"],
        }
    findings = [*_check_status(cert), *issue_findings(state, cert)]
    spec = contract_spec
    if spec is None and cert.get("contract"):
        contract = state.get(f"contract/{cert['contract']}") or {}
        spec = contract.get("spec")
    if spec:
        findings.extend(_check_spec(cert, state, spec))
    findings = _sorted(findings)
    status = str(cert.get("status"))
    return {
        "cert_id": cert_id,
        "status": status,
        "valid": status == "valid" and not any(f.severity == ERROR for f in findings),
        "findings": [f.to_dict() for f in findings],
        "flags": sorted({f.code for f in findings if f.is_flag}),
    }


def verify_document(state: StateView, cert_id: str, document_bytes: bytes) -> dict[str, Any]:
    """Does this off-ledger document (PDF, XML, JSON bytes) match the hash on the ledger?

    A mismatch is the "document hash mismatch" forgery signal of S-01: the paper the
    buyer holds is not the one the mill certified.
    """
    cert = state.get(cert_key(cert_id))
    actual = hashlib.sha256(document_bytes).hexdigest()
    if cert is None:
        return {
            "cert_id": cert_id,
            "match": False,
            "expected": None,
            "actual": actual,
            "code": "CERT_UNKNOWN",
            "message": f"no certificate {cert_id!r} on the ledger",
        }
    expected = cert.get("document_sha256")
    match = expected == actual
    return {
        "cert_id": cert_id,
        "match": match,
        "expected": expected,
        "actual": actual,
        "code": None if match else "CERT_DOCUMENT_HASH_MISMATCH",
        "message": "the document is the one certified"
        if match
        else "the document's SHA-256 differs from the one recorded at issue: not the "
        "certified document",
    }


def _certificates_in(
    state: StateView, g: Any, seen: set[str]
) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    for current in g.order:
        for cert_id in g.lots[current].get("certificates") or []:
            if cert_id not in seen:
                seen.add(cert_id)
                record = state.get(cert_key(cert_id)) or {}
                yield cert_id, current, g.depth.get(current, 0), record


def certificates_upstream(
    state: StateView, lot_ids: Iterable[str]
) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    """``(cert_id, covered lot, depth, record)`` once per certificate on any of the lots or
    their ancestors, nearest first along each lot's bounded genealogy walk."""
    seen: set[str] = set()
    for lot_id in lot_ids:
        yield from _certificates_in(state, walk(state, lot_id), seen)


def certificates_for_lot(state: StateView, lot_id: str) -> dict[str, Any]:
    """Every certificate covering the lot or one of its ancestors (S-12).

    Walks the lot's parents up to its heats; each certificate is reported once, on the
    nearest lot it covers, with its status and verification, so a revocation anywhere
    upstream shows on every derived lot. History is never rewritten: a revoked
    certificate stays listed with status ``revoked``.
    """
    g = walk(state, lot_id)
    rows: list[dict[str, Any]] = []
    for cert_id, current, depth, cert in _certificates_in(state, g, set()):
        result = verify_certificate(state, cert_id)
        rows.append(
            {
                "cert_id": cert_id,
                "covers": current,
                "inherited": current != lot_id,
                "depth": depth,
                "heat": cert.get("heat"),
                "type": cert.get("type"),
                "issuer": cert.get("issuer"),
                "status": result["status"],
                "valid": result["valid"],
                "flags": result["flags"],
                "findings": result["findings"],
            }
        )
    rows.sort(key=lambda r: (r["depth"], r["cert_id"]))
    return {
        "lot": lot_id,
        "exists": lot_id in g.lots,
        "heats": g.heats(),
        "certificates": rows,
        "revoked": sorted(r["cert_id"] for r in rows if r["status"] == "revoked"),
        "any_valid": any(r["valid"] for r in rows),
        "truncated": g.truncated,
    }
