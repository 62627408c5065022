"""Customs: import and export declarations, their cross-checks, and the authority's decision.

Transaction types: ``customs.declare``, ``customs.decide`` (docs/transactions/customs.md).

A declaration is recorded even when it disagrees with the ledger: what the declarant
claims is evidence, and rejecting it would hide the claim. Each disagreement is recorded
on the declaration as a discrepancy with a stable reason code (S-05, S-07, S-10):

* ``MELT_POUR_MISMATCH``  declared melt-and-pour countries (or shares) differ from the
  heats' countries, through the origin engine's ``melt_and_pour``;
* ``ORIGIN_MISMATCH``     declared origin differs from the origin engine's (minor
  processing such as coating confers no origin);
* ``MASS_MISMATCH``       declared net mass differs from the lots' remaining mass by more
  than :data:`MASS_TOLERANCE_PCT`;
* ``HS_CLASS_MISMATCH``   the declared code's chemistry class (non-alloy, stainless,
  other alloy) differs from what the heats' and certificates' chemistry classify as;
* ``HS_LOT_MISMATCH``     the declared heading differs from the lots' recorded heading;
* ``LOT_ALREADY_DECLARED`` a lot is in another open declaration of the same direction, or
  in one already cleared by the same country.

A declaration is rejected only when it cannot be a declaration at all: unknown or
inactive lots, a port that is not a port of the declaring country, a declarant that is
not the signer.

Indexes written: ``idx/customs-lot/{direction}/{lot}`` -> the declarations naming that
lot, so a second use is found without scanning.

The origin engine and the certificate index belong to others; this module only reads
them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from steeltrace.core import roles, schema
from steeltrace.core.contracts import _lotrules as lr
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

DECLARANT_ROLES = frozenset({roles.TRADER, roles.BUYER, roles.MILL, roles.PROCESSOR})
MASS_TOLERANCE_PCT = 2
SHARE_TOLERANCE = 0.02  # absolute, when shares are declared
OPEN = ("submitted", "held")
FINAL = ("cleared", "rejected")
UNTRACED = "??"  # the origin engine's country for a heat it cannot read


def _declared_melt_pour(value: Any, path: str) -> list[str] | dict[str, float | int]:
    """A list of countries, or ``{country: share}`` with shares summing to 1."""
    if isinstance(value, list):
        out: list[str] = schema.list_of(schema.country, 1, 50, unique=True)(value, path)
        return out
    shares: dict[str, float | int] = schema.mapping(schema.country, lr.share, 50)(value, path)
    if not shares:
        raise schema.bad(path, "must name at least one country")
    if abs(sum(shares.values()) - 1) > 0.01:
        raise schema.bad(path, "shares must add up to 1", "MELT_POUR_SHARES_INVALID")
    return shares


def declaration_key(declaration_id: str) -> str:
    return f"declaration/{declaration_id}"


def _lot_index_key(direction: str, lot_id: str) -> str:
    return f"idx/customs-lot/{direction}/{lot_id}"


@contract("customs.declare", roles=DECLARANT_ROLES, summary="declare lots to customs")
def declare(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """Record a declaration and what the ledger says about it.

    1. shape; the id is new (``DECLARATION_EXISTS``); the declarant is the signer
       (``DECLARATION_NOT_DECLARANT``) and the importer an active member
       (``DECLARATION_PARTY_UNKNOWN``);
    2. the port is a port (``DECLARATION_NOT_A_PORT``) in the declaring country
       (``DECLARATION_PORT_COUNTRY``);
    3. every lot exists (``LOT_UNKNOWN``) and is active, or for an import also exported
       (``LOT_NOT_ACTIVE``);
    4. cross-checks, each disagreement recorded as a discrepancy (module docstring).
    """
    p = schema.fields(
        payload,
        {
            "declaration_id": schema.ident,
            "direction": schema.one_of("import", "export"),
            "declaring_country": schema.country,
            "declarant": schema.ident,
            "importer": schema.ident,
            "port_of_entry": lr.locode,
            "hs": lr.hs_code,
            "declared_origin": schema.country,
            "declared_melt_pour": _declared_melt_pour,
            "net_kg": schema.kg,
            "customs_value": lr.money,
            "lots": lr.lot_ids,
        },
        {"date": schema.date},
    )
    if state.get(declaration_key(p["declaration_id"])) is not None:
        raise Rejected("DECLARATION_EXISTS", f"declaration {p['declaration_id']!r} already exists")
    if p["declarant"] != ctx.signer_org:
        raise Rejected(
            "DECLARATION_NOT_DECLARANT",
            f"payload names declarant {p['declarant']}, signed by {ctx.signer_org}",
        )
    lr.active_org(state, p["importer"], "DECLARATION_PARTY_UNKNOWN", "importer")
    port = p["port_of_entry"]
    if not lr.is_port(port):
        raise Rejected("DECLARATION_NOT_A_PORT", f"port_of_entry {port} is not a port")
    if lr.locode_country(port) != p["declaring_country"]:
        raise Rejected(
            "DECLARATION_PORT_COUNTRY",
            f"port_of_entry {port} is not in the declaring country {p['declaring_country']}",
        )
    lots = lr.load_lots(state, p["lots"])
    for lot in lots:
        if p["direction"] == "import":
            lr.require_in_commerce(lot)  # exported by its origin country, or never declared
        else:
            lr.require_active(lot)

    ledger = _ledger_facts(state, lots, p["declaring_country"])
    discrepancies = [
        *_check_melt_pour(p["declared_melt_pour"], ledger["melt_and_pour"]),
        *_check_origin(p["declared_origin"], ledger["origin"]),
        *_check_mass(p["net_kg"], ledger["mass_kg"]),
        *_check_hs_lots(p["hs"], lots),
        *_check_hs_class(state, p["hs"], lots, ledger["heats"]),
    ]
    writes: WriteSet = {}
    already = _check_already_declared(state, p, writes)
    discrepancies.extend(already)

    record = {
        "id": p["declaration_id"],
        "direction": p["direction"],
        "declaring_country": p["declaring_country"],
        "declarant": ctx.signer_org,
        "importer": p["importer"],
        "port_of_entry": port,
        "hs": p["hs"],
        "declared_origin": p["declared_origin"],
        "declared_melt_pour": p["declared_melt_pour"],
        "net_kg": p["net_kg"],
        "customs_value": p["customs_value"],
        "lots": p["lots"],
        "date": p.get("date"),
        "ledger": ledger,
        "discrepancies": discrepancies,
        "status": "submitted",
        "submitted_at": lr.now(ctx),
        "decisions": [],
    }
    writes[declaration_key(p["declaration_id"])] = lr.stamp(record, ctx)
    return writes


# ---------------------------------------------------------------- what the ledger knows


def _origin_report(state: StateView, lot_id: str, country: str) -> dict[str, Any]:
    from steeltrace.core.origin.report import origin_report

    report: dict[str, Any] = origin_report(state, lot_id, reference_country=country)
    return report


def _ledger_facts(state: StateView, lots: list[dict[str, Any]], country: str) -> dict[str, Any]:
    """Mass-weighted melt-and-pour shares, per-lot origin, source heats and mass."""
    weighted: dict[str, Decimal] = {}
    origin: dict[str, str] = {}
    heats: list[str] = []
    total = sum(int(lot.get("remaining_kg") or 0) for lot in lots)
    for lot in lots:
        report = _origin_report(state, lot["id"], country)
        kg = Decimal(int(lot.get("remaining_kg") or 0))
        for c, s in report.get("melt_and_pour", {}).items():
            if c == UNTRACED:
                continue  # a heat record missing from the ledger: not the declarant's claim
            weighted[c] = weighted.get(c, Decimal(0)) + Decimal(str(s)) * kg
        if report.get("origin"):
            origin[lot["id"]] = str(report["origin"])
        for heat in report.get("heats", ()):
            heat_id = heat if isinstance(heat, str) else heat.get("id") or heat.get("heat")
            if isinstance(heat_id, str) and heat_id not in heats:
                heats.append(heat_id)
    melt = {c: float(round(v / total, 6)) for c, v in sorted(weighted.items()) if total and v > 0}
    return {"melt_and_pour": melt, "origin": origin, "heats": sorted(heats), "mass_kg": total}


def _discrepancy(code: str, message: str, **detail: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **detail}


def _check_melt_pour(
    declared: list[str] | dict[str, float | int], ledger: dict[str, float]
) -> list[dict[str, Any]]:
    if not ledger:
        return []
    declared_set = set(declared)
    if declared_set != set(ledger):
        return [
            _discrepancy(
                "MELT_POUR_MISMATCH",
                f"declared melt and pour {', '.join(sorted(declared_set))}; "
                f"the heats were melted in {', '.join(sorted(ledger))}",
                declared=declared,
                ledger=ledger,
            )
        ]
    if isinstance(declared, dict):
        off = sorted(c for c in ledger if abs(float(declared[c]) - ledger[c]) > SHARE_TOLERANCE)
        if off:
            return [
                _discrepancy(
                    "MELT_POUR_MISMATCH",
                    f"declared shares for {', '.join(off)} differ from the heats' shares "
                    f"by more than {SHARE_TOLERANCE}",
                    declared=declared,
                    ledger=ledger,
                )
            ]
    return []


def _check_origin(declared: str, ledger: dict[str, str]) -> list[dict[str, Any]]:
    wrong = {lot: c for lot, c in sorted(ledger.items()) if c != declared}
    if not wrong:
        return []
    return [
        _discrepancy(
            "ORIGIN_MISMATCH",
            f"declared origin {declared}; the origin engine gives "
            + ", ".join(f"{lot}: {c}" for lot, c in wrong.items()),
            declared=declared,
            ledger=wrong,
        )
    ]


def _check_mass(net_kg: int, ledger_kg: int) -> list[dict[str, Any]]:
    if abs(net_kg - ledger_kg) * 100 <= MASS_TOLERANCE_PCT * ledger_kg:
        return []
    return [
        _discrepancy(
            "MASS_MISMATCH",
            f"declared {net_kg} kg; the lots hold {ledger_kg} kg "
            f"(tolerance {MASS_TOLERANCE_PCT} %)",
            declared=net_kg,
            ledger=ledger_kg,
        )
    ]


def _check_hs_lots(hs: str, lots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from steeltrace.core.reference.hs import heading

    wrong: dict[str, str] = {}
    for lot in lots:
        lot_hs = lot.get("hs")
        if isinstance(lot_hs, str) and lot_hs:
            try:
                if heading(lot_hs) != hs[:4]:
                    wrong[lot["id"]] = lot_hs
            except ValueError:
                wrong[lot["id"]] = lot_hs
    if not wrong:
        return []
    return [
        _discrepancy(
            "HS_LOT_MISMATCH",
            f"declared heading {hs[:4]}; the lots are recorded as "
            + ", ".join(f"{lot}: {code}" for lot, code in wrong.items()),
            declared=hs,
            ledger=wrong,
        )
    ]


def _chemistry_sources(
    state: StateView, lots: list[dict[str, Any]], heats: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """(source, chemistry) pairs: the source heats' registered chemistry, then every
    certificate (not revoked) on each lot or one of its ancestors. The walk is the
    certificates module's bounded genealogy walk; verification itself is not rerun here."""
    from steeltrace.core.certificates.verification import certificates_upstream, chemistry_of

    sources: list[tuple[str, dict[str, Any]]] = []
    for heat_id in heats:
        heat = state.get(f"heat/{heat_id}")
        if heat and heat.get("chemistry"):
            sources.append((f"heat/{heat_id}", dict(heat["chemistry"])))
    for cert_id, _, _, cert in certificates_upstream(state, [lot["id"] for lot in lots]):
        chem = chemistry_of(cert)
        if chem and cert.get("status") != "revoked":
            sources.append((f"cert/{cert_id}", chem))
    return sources


def _check_hs_class(
    state: StateView, hs: str, lots: list[dict[str, Any]], heats: list[str]
) -> list[dict[str, Any]]:
    from steeltrace.core.reference.chemistry import classify
    from steeltrace.core.reference.hs import chemistry_class_of_code

    expected = chemistry_class_of_code(hs)
    if expected is None:
        return []
    wrong: dict[str, str] = {}
    for source, chem in _chemistry_sources(state, lots, heats):
        found = classify(chem)
        if found is not None and found != expected:
            wrong[source] = str(found)
    if not wrong:
        return []
    return [
        _discrepancy(
            "HS_CLASS_MISMATCH",
            f"HS {hs} is {expected} steel; the chemistry on the ledger classifies as "
            + ", ".join(f"{src}: {c}" for src, c in wrong.items()),
            declared=expected,
            ledger=wrong,
        )
    ]


def _check_already_declared(
    state: StateView, p: dict[str, Any], writes: WriteSet
) -> list[dict[str, Any]]:
    """S-10: flag (not reject) a lot already in an open declaration of the same direction,
    or in one the same country already cleared. Flagging keeps the second claim on the
    record for the authority, and lets a legitimate re-declaration (after a rejection, or
    an import into another country after re-export) through."""
    clashes: dict[str, list[str]] = {}
    for lot_id in p["lots"]:
        key = _lot_index_key(p["direction"], lot_id)
        index = state.get(key)
        previous: list[str] = list(index["declarations"]) if index else []
        for other_id in previous:
            other = state.get(declaration_key(other_id))
            if other is None:
                continue
            status = other.get("status")
            same_country = other.get("declaring_country") == p["declaring_country"]
            if status in OPEN or (status == "cleared" and same_country):
                clashes.setdefault(lot_id, []).append(other_id)
        writes[key] = {
            "lot": lot_id,
            "direction": p["direction"],
            "declarations": [*previous, p["declaration_id"]],
        }
    if not clashes:
        return []
    return [
        _discrepancy(
            "LOT_ALREADY_DECLARED",
            "lots already in another declaration: "
            + "; ".join(f"{lot} in {', '.join(ids)}" for lot, ids in clashes.items()),
            ledger=clashes,
        )
    ]


# ---------------------------------------------------------------- the authority's decision


@contract("customs.decide", roles={roles.CUSTOMS}, summary="clear, hold or reject a declaration")
def decide(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The declaring country's customs authority decides.

    1. the declaration exists (``DECLARATION_UNKNOWN``);
    2. the signer is customs of the declaring country (``CUSTOMS_WRONG_COUNTRY``);
    3. a final decision (cleared, rejected) is never followed by another
       (``DECLARATION_FINAL``); a hold is not repeated (``DECLARATION_ALREADY_HELD``);
    4. holding or rejecting needs a reason (``DECISION_REASON_REQUIRED``).

    Clearance moves the lots through their lifecycle: an export clearance makes active
    lots ``exported`` (they left the country: no sale, pledge or transformation until an
    import clears them; carriers still move them); an import clearance makes exported lots
    ``active`` again in the country of import.
    """
    p = schema.fields(
        payload,
        {"declaration_id": schema.ident, "decision": schema.one_of("cleared", "held", "rejected")},
        {"reason": schema.text},
    )
    record = state.get(declaration_key(p["declaration_id"]))
    if record is None:
        raise Rejected("DECLARATION_UNKNOWN", f"declaration {p['declaration_id']!r} does not exist")
    record = dict(record)
    if ctx.signer_country != record["declaring_country"]:
        raise Rejected(
            "CUSTOMS_WRONG_COUNTRY",
            f"the declaration is to {record['declaring_country']} customs; "
            f"{ctx.signer_org} is customs of {ctx.signer_country}",
        )
    if record["status"] in FINAL:
        raise Rejected("DECLARATION_FINAL", f"the declaration is already {record['status']}")
    if record["status"] == "held" and p["decision"] == "held":
        raise Rejected("DECLARATION_ALREADY_HELD", "the declaration is already held")
    if p["decision"] != "cleared" and "reason" not in p:
        raise Rejected("DECISION_REASON_REQUIRED", f"a {p['decision']} decision needs a reason")
    record["status"] = p["decision"]
    record["decisions"] = [
        *record["decisions"],
        {
            "decision": p["decision"],
            "reason": p.get("reason"),
            "by": ctx.signer_org,
            "at": lr.now(ctx),
            "height": ctx.height,
            "tx_id": ctx.tx_id,
        },
    ]
    writes: WriteSet = {declaration_key(record["id"]): lr.stamp(record, ctx)}
    if p["decision"] == "cleared":
        before, after = (
            ("active", "exported") if record["direction"] == "export" else ("exported", "active")
        )
        for lot_id in record["lots"]:
            lot = state.get(lr.lot_key(lot_id))
            if lot is not None and lot.get("state") == before:
                moved = {**lot, "state": after, "cleared_by": record["id"]}
                writes[lr.lot_key(lot_id)] = lr.stamp(moved, ctx)
    return writes
