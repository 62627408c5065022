"""Certificates of quality: EN 10204 inspection documents with EN 10168 data (S-01, S-12).

Owns ``cert/{cert_id}``, the certificate chemistry index ``idx/certchem/{sha256}``, the
``certified_kg`` counter of ``heat/{mill}/{heat_no}`` and the ``certificates`` list of
``lot/{lot_id}`` (docs/state.md, docs/transactions/certificates.md).

Rules, in the order they are checked by ``cert.issue``:

1. the payload has the EN 10168 shape (:mod:`steeltrace.core.certificates.payload`);
2. the certificate id was never used (``CERT_DUPLICATE_ID``);
3. the heat is registered (``CERT_HEAT_UNKNOWN``) and B07 is its number
   (``CERT_HEAT_NUMBER_MISMATCH``);
4. the issuer melted the heat, or is a processor certifying its own output lots
   (``CERT_ISSUER_NOT_MILL``, ``CERT_LOT_NOT_OWN_OUTPUT``);
5. every lot descends from the heat (``CERT_LOT_NOT_FROM_HEAT``) and holds at least the
   kilograms certified on it by this issuer (``CERT_LOT_MASS_EXCEEDED``);
6. a 3.1 or 3.2 states results (``CERT_RESULTS_REQUIRED``);
7. a mill never certifies more of a heat's cast lots than the heat weighed
   (``CERT_OVER_CERTIFIED``, S-04); certificates of downstream lots are bounded by
   rule 5 and do not use the heat up again.

The verification findings (grade, heat chemistry, HS class, copied chemistry) never
reject: they are stored as ``flags`` on the record (S-01) and recomputed by
:func:`steeltrace.core.certificates.verification.verify_certificate`.

It leaves heats, lots and their genealogy to the heats, lots and transformation modules.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core.certificates import payload as shapes
from steeltrace.core.certificates.genealogy import walk
from steeltrace.core.certificates.verification import (
    cert_key,
    certchem_key,
    certificate_fingerprint,
    chemistry_of,
    issue_findings,
    stored_flags,
)
from steeltrace.core.contracts._lotrules import load_lot, now
from steeltrace.core.contracts.heats import heat_key
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.roles import INSPECTION, MILL, PROCESSOR
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

MAX_CERTCHEM_ENTRIES = 1_000
VALID = "valid"
PENDING = "pending-countersignature"
REVOKED = "revoked"


def _load_cert(state: StateView, cert_id: str) -> dict[str, Any]:
    cert = state.get(cert_key(cert_id))
    if cert is None:
        raise Rejected("CERT_UNKNOWN", f"no certificate {cert_id!r} on the ledger")
    return dict(cert)


def _same_issuer_kg(state: StateView, lot: dict[str, Any], heat: str, issuer: str) -> int:
    """Kilograms already certified on ``lot`` against ``heat`` by ``issuer``, live certs."""
    total = 0
    for cert_id in lot.get("certificates") or []:
        other = state.get(cert_key(str(cert_id))) or {}
        if other.get("status") == REVOKED or other.get("heat") != heat:
            continue
        if other.get("issuer") != issuer:
            continue
        total += sum(int(c["kg"]) for c in other.get("lots") or [] if c["lot"] == lot["id"])
    return total


@contract(
    "cert.issue",
    roles={MILL, PROCESSOR},
    summary="Issue an EN 10204 certificate (EN 10168 data) for lots of one heat",
)
def issue(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = shapes.validate_issue(payload)
    cert_id = p["cert_id"]
    if state.get(cert_key(cert_id)) is not None:
        raise Rejected(
            "CERT_DUPLICATE_ID", f"certificate id {cert_id!r} is taken; ids are never reused"
        )
    heat_id = p["heat"]
    heat = state.get(heat_key(heat_id))
    if heat is None:
        raise Rejected(
            "CERT_HEAT_UNKNOWN",
            f"heat {heat_id!r} was never registered; a certificate needs a registered heat",
        )
    heat = dict(heat)
    if p["B"]["B07"] != heat["heat_no"]:
        raise Rejected(
            "CERT_HEAT_NUMBER_MISMATCH",
            f"B07 states heat number {p['B']['B07']!r} but heat {heat_id} is {heat['heat_no']!r}",
            field="payload.B.B07",
        )
    by_mill = ctx.signer_org == heat["mill"]
    if not by_mill and PROCESSOR not in ctx.signer_roles:
        raise Rejected(
            "CERT_ISSUER_NOT_MILL",
            f"heat {heat_id} was melted by {heat['mill']}; only that mill (or a processor, "
            f"for its own output lots) may certify it, not {ctx.signer_org}",
        )
    writes: WriteSet = {}
    heat_kg = 0  # kg certified on lots cast straight from the heat: what counts toward it
    for i, cover in enumerate(p["lots"]):
        lot = load_lot(state, cover["lot"])
        if lot.get("heat") == heat_id:
            heat_kg += int(cover["kg"])
        if not by_mill and lot.get("created_by") != ctx.signer_org:
            raise Rejected(
                "CERT_LOT_NOT_OWN_OUTPUT",
                f"lot {lot['id']} was made by {lot.get('created_by')}; a processor certifies "
                "only the lots it produced",
                field=f"payload.lots[{i}].lot",
            )
        g = walk(state, lot["id"])
        if g.truncated:
            raise Rejected(
                "CERT_GENEALOGY_TOO_LARGE",
                f"lot {lot['id']} has more than {len(g.lots)} ancestors; certify an "
                "ancestor lot instead",
            )
        if heat_id not in g.heats():
            raise Rejected(
                "CERT_LOT_NOT_FROM_HEAT",
                f"lot {lot['id']} does not descend from heat {heat_id} "
                f"(it comes from {', '.join(g.heats()) or 'no registered heat'})",
                field=f"payload.lots[{i}].lot",
            )
        capacity = g.heat_mass_kg(lot["id"], heat_id)
        already = _same_issuer_kg(state, lot, heat_id, ctx.signer_org)
        if already + cover["kg"] > capacity:
            raise Rejected(
                "CERT_LOT_MASS_EXCEEDED",
                f"lot {lot['id']} holds {capacity} kg of heat {heat_id}; "
                f"{already} kg are already certified by {ctx.signer_org}, "
                f"{cover['kg']} kg more would exceed it",
                field=f"payload.lots[{i}].kg",
            )
        lot["certificates"] = [*(lot.get("certificates") or []), cert_id]
        writes[f"lot/{lot['id']}"] = lot
    if p["type"] in ("3.1", "3.2") and not shapes.has_results(p):
        raise Rejected(
            "CERT_RESULTS_REQUIRED",
            f"an EN 10204 {p['type']} inspection certificate must state results "
            "(C.chemistry or C11-C13)",
            field="payload.C",
        )
    total_kg = sum(int(c["kg"]) for c in p["lots"])
    # Only mass on the heat's own cast lots counts toward it. A downstream lot (a coil
    # rolled from certified slabs) is the same steel again, so certifying it must not
    # use up the heat a second time; rule 5 already bounds it by the heat mass it holds.
    counted = heat_kg if by_mill else 0
    if counted:
        certified = int(heat.get("certified_kg") or 0)
        tonnage = int(heat["tonnage_kg"])
        if certified + counted > tonnage:
            raise Rejected(
                "CERT_OVER_CERTIFIED",
                f"heat {heat_id} weighed {tonnage} kg and {certified} kg are already "
                f"certified; {counted} kg more would certify steel that was never melted",
            )
        heat["certified_kg"] = certified + counted
        writes[heat_key(heat_id)] = heat

    record: dict[str, Any] = {
        "id": cert_id,
        "type": p["type"],
        "issuer": ctx.signer_org,
        "issuer_role": MILL if by_mill else PROCESSOR,
        "heat": heat_id,
        "lots": p["lots"],
        "certified_kg": total_kg,
        "counts_toward_heat": counted > 0,
        "heat_kg": counted,
        "document_sha256": p["document_sha256"],
        "contract": p.get("contract"),
        "A": p["A"],
        "B": p["B"],
        "C": p.get("C"),
        "D": p.get("D"),
        "Z": p["Z"],
        "status": PENDING if p["type"] == "3.2" else VALID,
        "countersignature": None,
        "revocation": None,
        "issued_at": now(ctx),
        "height": ctx.height,
        "tx_id": ctx.tx_id,
    }
    # Flags are computed against the state before this certificate's own index entry,
    # so a certificate never flags itself as a copy.
    record["flags"] = stored_flags(issue_findings(state, record))
    writes[cert_key(cert_id)] = record

    fingerprint = certificate_fingerprint(chemistry_of(record))
    if fingerprint is not None:
        index = list(state.get(certchem_key(fingerprint)) or [])
        if len(index) < MAX_CERTCHEM_ENTRIES:
            index.append({"cert": cert_id, "heat": heat_id})
            writes[certchem_key(fingerprint)] = index
    return writes


@contract(
    "cert.countersign",
    roles={INSPECTION},
    summary="Countersign an EN 10204 3.2 certificate as the independent inspector",
)
def countersign(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = shapes.validate_countersign(payload)
    cert = _load_cert(state, p["cert_id"])
    if cert["type"] != "3.2":
        raise Rejected(
            "CERT_NOT_3_2",
            f"certificate {cert['id']} is EN 10204 {cert['type']}; only a 3.2 takes an "
            "inspector's countersignature",
        )
    if cert["status"] == REVOKED:
        raise Rejected("CERT_REVOKED", f"certificate {cert['id']} is revoked")
    if cert.get("countersignature") is not None:
        raise Rejected(
            "CERT_ALREADY_COUNTERSIGNED",
            f"certificate {cert['id']} was countersigned by {cert['countersignature']['by']}",
        )
    if ctx.signer_org == cert["issuer"]:
        raise Rejected(
            "CERT_COUNTERSIGN_BY_ISSUER",
            "a 3.2 needs a second, independent signature; the issuer cannot countersign",
        )
    cert["countersignature"] = {
        "by": ctx.signer_org,
        "statement": p["statement"],
        "at": now(ctx),
        "height": ctx.height,
        "tx_id": ctx.tx_id,
    }
    cert["status"] = VALID
    return {cert_key(cert["id"]): cert}


@contract(
    "cert.revoke",
    roles={MILL, PROCESSOR},
    summary="Revoke a certificate the signer issued; every derived lot shows it (S-12)",
)
def revoke(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = shapes.validate_revoke(payload)
    cert = _load_cert(state, p["cert_id"])
    if cert["issuer"] != ctx.signer_org:
        raise Rejected(
            "CERT_NOT_ISSUER",
            f"certificate {cert['id']} was issued by {cert['issuer']}; only the issuer may "
            "revoke it",
        )
    if cert["status"] == REVOKED:
        raise Rejected(
            "CERT_ALREADY_REVOKED",
            f"certificate {cert['id']} was revoked at height {cert['revocation']['height']}",
        )
    cert["revocation"] = {
        "by": ctx.signer_org,
        "reason": p["reason"],
        "previous_status": cert["status"],
        "at": now(ctx),
        "height": ctx.height,
        "tx_id": ctx.tx_id,
    }
    cert["status"] = REVOKED
    writes: WriteSet = {cert_key(cert["id"]): cert}
    if cert.get("counts_toward_heat"):
        # The certified mass is released so the mill can issue a corrected certificate;
        # the revoked record keeps its lots and kilograms, so history is not rewritten.
        heat = state.get(heat_key(cert["heat"]))
        if heat is not None:
            heat = dict(heat)
            released = int(cert.get("heat_kg", cert["certified_kg"]))
            heat["certified_kg"] = max(0, int(heat.get("certified_kg") or 0) - released)
            writes[heat_key(cert["heat"])] = heat
    return writes
