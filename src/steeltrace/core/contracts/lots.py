"""Lots: the identified pieces of steel, from the cast to every transformation.

Owns the creation of ``lot/{lot_id}`` records, ``transformation/{id}`` and the heat's
``cast_kg`` (docs/state.md). Title, custody, pledges, receipts, shipments and exports
change existing lot records and belong to their own contracts; this module only reads
``pledge`` and ``receipt`` to refuse consuming encumbered steel.

The mass ledger (invariant 3, S-04): everything poured from a heat is at most its
tonnage; each transformation consumes at most each input's ``remaining_kg`` and produces
at most what it consumed, losing at most the process's allowed share. An input consumed
entirely becomes ``consumed``; a partial consumption leaves the rest active.

The genealogy is a DAG by construction (invariant 6, S-08): a transformation's outputs
are always new lot ids and its inputs always existing lots, so an edge always points
from a newer lot to an older one and no lot can become its own ancestor.

Transaction types: ``lot.cast``, ``lot.transform``, ``lot.scrap``
(docs/transactions/lots.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from steeltrace.core import schema
from steeltrace.core.contracts.facilities import process, require_facility
from steeltrace.core.contracts.heats import heat_key
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.reference import chemistry as steel_chemistry
from steeltrace.core.reference import hs
from steeltrace.core.roles import MILL, PROCESSOR
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

FORMS = (
    "slab",
    "bloom",
    "billet",
    "ingot",
    "beam-blank",
    "coil",
    "sheet",
    "strip",
    "plate",
    "bar",
    "rod",
    "wire-rod",
    "wire",
    "section",
    "rail",
    "tube",
    "pipe",
    "forging",
    "other",
)
# Processes that are not lot-to-lot transformations: melting makes a heat (a new melt
# country), casting is lot.cast from a heat, and storing steel does not change it.
NOT_TRANSFORMATIONS = frozenset({"melting", "casting", "warehousing"})
# The largest loss a transformation may report, in per mille of the mass consumed
# (scale, crop ends, edge trim, cut-offs). Real losses are 1-5 %; the bound only stops
# the ledger being used to launder mass away.
DEFAULT_MAX_LOSS_PERMILLE = 100
MAX_LOSS_PERMILLE = {"forging": 250, "seamless-pipe": 150}
EVENT_TOLERANCE = timedelta(minutes=5)
MAX_LOTS_PER_TX = 500
MAX_INPUTS = 100


def lot_key(lot_id: str) -> str:
    return f"lot/{lot_id}"


def transformation_key(transformation_id: str) -> str:
    return f"transformation/{transformation_id}"


def genealogy_key(lot_id: str) -> str:
    return f"idx/gen/{lot_id}"


def genealogy_entry(lot: dict[str, Any]) -> list[Any]:
    """The compact, immutable genealogy facts of a lot, stored at ``idx/gen/{lot_id}``.

    ``[heat, hs, facility, process, transformation, mass_kg, parent1, kg1, parent2, kg2, ...]``:
    the origin engine reads these instead of whole lot records, which would cost ten times
    as much to decode over a genealogy of thousands of lots. None of them ever changes after
    the lot is created, so no other contract has to maintain the index.
    """
    entry: list[Any] = [
        lot.get("heat"),
        lot["hs"],
        lot.get("facility"),
        lot.get("process"),
        lot.get("transformation"),
        lot["mass_kg"],
    ]
    for parent in lot.get("parents") or ():
        entry.append(parent["lot"])
        entry.append(parent["kg"])
    return entry


def max_loss_permille(process_name: str) -> int:
    return MAX_LOSS_PERMILLE.get(process_name, DEFAULT_MAX_LOSS_PERMILLE)


def _hs_code(value: Any, path: str) -> str:
    if not isinstance(value, str) or not hs.is_hs_code(value):
        raise Rejected("HS_UNKNOWN", f"{path}: {value!r} is not an HS 2022 code", field=path)
    if not hs.is_steel_code(value):
        raise Rejected(
            "HS_NOT_STEEL", f"{path}: {value} is not an iron or steel product code", field=path
        )
    digits = hs.normalize(value)  # stored as digits: "7208.39" -> "720839"
    assert digits is not None
    return digits


def _mm(value: Any, path: str) -> float | int:
    size = schema.number(value, path, 0.0, 1_000_000.0)
    if size <= 0:
        raise schema.bad(path, "a dimension must be greater than 0 mm")
    return size


_LOT_SPEC: dict[str, schema.Checker] = {
    "lot_id": schema.ident,
    "form": schema.one_of(*FORMS),
    "hs": _hs_code,
    "grade": lambda v, p: schema.text(v, p, 64),
    "dimensions": schema.mapping(schema.ident, _mm, 10),
    "mass_kg": schema.kg,
}
_LOTS = schema.list_of(schema.obj(_LOT_SPEC), min_len=1, max_len=MAX_LOTS_PER_TX)


def _new_lot(
    ctx: TxContext,
    spec: dict[str, Any],
    *,
    facility: str,
    heat: str | None,
    parents: list[dict[str, Any]],
    transformation: str | None,
    made_by: str | None,
) -> dict[str, Any]:
    return {
        "id": spec["lot_id"],
        "form": spec["form"],
        "hs": spec["hs"],
        "grade": spec["grade"],
        "dimensions": spec["dimensions"],
        "mass_kg": spec["mass_kg"],
        "remaining_kg": spec["mass_kg"],
        "owner": ctx.signer_org,
        "custodian": ctx.signer_org,
        "state": "active",
        "facility": facility,
        "created_by": ctx.signer_org,
        "created_at": schema.format_time(ctx.block_time),
        "height": ctx.height,
        "tx_id": ctx.tx_id,
        "heat": heat,
        "parents": parents,
        "transformation": transformation,
        "process": made_by,
        "pledge": None,
        "receipt": None,
        "shipment": None,
        "certificates": [],
    }


def _check_new_ids(state: StateView, specs: list[dict[str, Any]], inputs: set[str]) -> None:
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        lot_id = spec["lot_id"]
        if lot_id in seen:
            raise Rejected("LOT_DUPLICATE", f"[{i}]: lot id {lot_id!r} is given twice")
        seen.add(lot_id)
        if lot_id in inputs:
            raise Rejected(
                "GENEALOGY_CYCLE",
                f"output lot {lot_id!r} is also an input: a lot cannot be its own ancestor",
            )
        if state.get(lot_key(lot_id)) is not None:
            raise Rejected("LOT_EXISTS", f"lot id {lot_id!r} already exists; lot ids are unique")


def _check_chemistry_class(hs_code: str, steel_class: str | None, path: str) -> None:
    """The HS code must fit the steel (stainless, other alloy, non-alloy): S-07 (c)."""
    if steel_class is None:
        return
    expected = hs.chemistry_class_of_code(hs_code)
    if expected is not None and expected != steel_class:
        raise Rejected(
            "HS_CHEMISTRY_MISMATCH",
            f"{path}: HS {hs_code} is for {expected} steel, but this steel is {steel_class}",
        )


# ---------------------------------------------------------------------------- lot.cast

_CAST_REQUIRED: dict[str, schema.Checker] = {"heat": schema.ident, "lots": _LOTS}


@contract(
    "lot.cast",
    roles={MILL},
    summary="Cast lots (slabs, billets, ...) from one of the mill's own heats",
)
def cast(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, _CAST_REQUIRED)
    heat = state.get(heat_key(p["heat"]))
    if heat is None:
        raise Rejected("HEAT_UNKNOWN", f"heat {p['heat']!r} is not registered")
    if heat["mill"] != ctx.signer_org:
        raise Rejected(
            "HEAT_NOT_OWNED", f"heat {p['heat']} was melted by {heat['mill']}, not {ctx.signer_org}"
        )
    if ctx.block_time < schema.parse_time(heat["cast_at"]):
        raise Rejected(
            "EVENT_BEFORE_PARENT",
            f"lots cannot be cast before their heat ({heat['cast_at']})",
        )
    specs: list[dict[str, Any]] = p["lots"]
    _check_new_ids(state, specs, set())
    steel_class = steel_chemistry.classify(heat["chemistry"])
    for i, spec in enumerate(specs):
        _check_chemistry_class(spec["hs"], steel_class, f"payload.lots[{i}].hs")
    total = sum(spec["mass_kg"] for spec in specs)
    available = heat["tonnage_kg"] - heat["cast_kg"]
    if total > available:
        raise Rejected(
            "HEAT_OVERCAST",
            f"these lots weigh {total} kg but heat {heat['id']} has only {available} kg left "
            f"of its {heat['tonnage_kg']} kg",
        )
    writes: WriteSet = {
        heat_key(heat["id"]): {
            **heat,
            "cast_kg": heat["cast_kg"] + total,
            "height": ctx.height,
            "tx_id": ctx.tx_id,
        }
    }
    for spec in specs:
        writes[lot_key(spec["lot_id"])] = lot = _new_lot(
            ctx,
            spec,
            facility=heat["facility"],
            heat=heat["id"],
            parents=[],
            transformation=None,
            made_by=None,
        )
        writes[genealogy_key(spec["lot_id"])] = genealogy_entry(lot)
    return writes


# ------------------------------------------------------------------------ lot.transform

_INPUT = schema.obj({"lot": schema.ident, "kg": schema.kg})
_TRANSFORM_REQUIRED: dict[str, schema.Checker] = {
    "id": schema.ident,
    "facility": schema.ident,
    "process": process,
    "inputs": schema.list_of(_INPUT, min_len=1, max_len=MAX_INPUTS),
    "outputs": _LOTS,
    "at": schema.timestamp,
}


@contract(
    "lot.transform",
    roles={PROCESSOR, MILL},
    summary="Transform owned lots (all or part of their mass) into new lots at own facility",
)
def transform(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, _TRANSFORM_REQUIRED)
    tid: str = p["id"]
    if state.get(transformation_key(tid)) is not None:
        raise Rejected("TRANSFORMATION_EXISTS", f"transformation {tid!r} already exists")
    if p["process"] in NOT_TRANSFORMATIONS:
        raise Rejected(
            "PROCESS_NOT_TRANSFORMATION",
            f"{p['process']} is not a lot transformation (melt with heat.register, cast with "
            "lot.cast)",
        )
    require_facility(state, ctx.signer_org, p["facility"], p["process"])
    at = schema.parse_time(p["at"])
    if at > ctx.block_time + EVENT_TOLERANCE:
        raise Rejected(
            "EVENT_IN_FUTURE",
            f"at {p['at']} is after the block time {schema.format_time(ctx.block_time)}",
        )
    inputs = _check_inputs(state, ctx, p["inputs"], at)
    outputs: list[dict[str, Any]] = p["outputs"]
    _check_new_ids(state, outputs, {item["lot"] for item in p["inputs"]})
    classes = {hs.chemistry_class_of_code(lot["hs"]) for lot, _ in inputs} - {None}
    if len(classes) == 1:
        (steel_class,) = classes
        for i, spec in enumerate(outputs):
            _check_chemistry_class(spec["hs"], steel_class, f"payload.outputs[{i}].hs")
    consumed = sum(kg for _, kg in inputs)
    produced = sum(spec["mass_kg"] for spec in outputs)
    if produced > consumed:
        raise Rejected(
            "MASS_INFLATION",
            f"outputs weigh {produced} kg but only {consumed} kg of input is consumed",
        )
    loss = consumed - produced
    limit = max_loss_permille(p["process"])
    if loss * 1000 > consumed * limit:
        raise Rejected(
            "PROCESS_LOSS_EXCESSIVE",
            f"{p['process']} may lose at most {limit / 10:g} % of the input; this loses "
            f"{loss} of {consumed} kg",
        )
    parents = [{"lot": lot["id"], "kg": kg} for lot, kg in inputs]
    writes: WriteSet = {}
    for lot, kg in inputs:
        left = lot["remaining_kg"] - kg
        writes[lot_key(lot["id"])] = {
            **lot,
            "remaining_kg": left,
            "state": "consumed" if left == 0 else "active",
            "height": ctx.height,
            "tx_id": ctx.tx_id,
        }
    for spec in outputs:
        writes[lot_key(spec["lot_id"])] = lot = _new_lot(
            ctx,
            spec,
            facility=p["facility"],
            heat=None,
            parents=parents,
            transformation=tid,
            made_by=p["process"],
        )
        writes[genealogy_key(spec["lot_id"])] = genealogy_entry(lot)
    writes[transformation_key(tid)] = {
        "id": tid,
        "org": ctx.signer_org,
        "facility": p["facility"],
        "process": p["process"],
        "inputs": parents,
        "outputs": [spec["lot_id"] for spec in outputs],
        "loss_kg": loss,
        "at": p["at"],
        "height": ctx.height,
        "tx_id": ctx.tx_id,
    }
    return writes


def _check_inputs(
    state: StateView, ctx: TxContext, items: list[dict[str, Any]], at: Any
) -> list[tuple[dict[str, Any], int]]:
    """The input lot records with the kg taken from each, or the first rejection."""
    seen: set[str] = set()
    out: list[tuple[dict[str, Any], int]] = []
    for i, item in enumerate(items):
        lot_id, kg = item["lot"], item["kg"]
        if lot_id in seen:
            raise Rejected(
                "INPUT_DUPLICATE",
                f"inputs[{i}]: lot {lot_id!r} is listed twice; consume it once with the total kg",
            )
        seen.add(lot_id)
        lot = usable_lot(state, ctx, lot_id)
        if kg > lot["remaining_kg"]:
            raise Rejected(
                "INPUT_EXCEEDS_REMAINING",
                f"inputs[{i}]: lot {lot_id} has {lot['remaining_kg']} kg left, not {kg}",
            )
        if at < schema.parse_time(lot["created_at"]):
            raise Rejected(
                "EVENT_BEFORE_PARENT",
                f"the transformation is dated before its input lot {lot_id} was created "
                f"({lot['created_at']})",
            )
        out.append((lot, kg))
    return out


def usable_lot(state: StateView, ctx: TxContext, lot_id: str) -> dict[str, Any]:
    """A lot the signer owns and may consume: active, not pledged, not under a receipt."""
    lot: dict[str, Any] | None = state.get(lot_key(lot_id))
    if lot is None:
        raise Rejected("LOT_UNKNOWN", f"lot {lot_id!r} does not exist")
    if lot["owner"] != ctx.signer_org:
        raise Rejected("LOT_NOT_OWNED", f"lot {lot_id} is owned by {lot['owner']}")
    if lot["state"] != "active":
        raise Rejected("LOT_NOT_ACTIVE", f"lot {lot_id} is {lot['state']}")
    if lot.get("pledge") is not None:
        raise Rejected("LOT_PLEDGED", f"lot {lot_id} is pledged under {lot['pledge']}")
    if lot.get("receipt") is not None:
        raise Rejected(
            "LOT_UNDER_RECEIPT",
            f"lot {lot_id} is held under warehouse receipt {lot['receipt']}; cancel it first",
        )
    return lot


# ---------------------------------------------------------------------------- lot.scrap

_SCRAP_REQUIRED: dict[str, schema.Checker] = {"lot": schema.ident, "reason": schema.text}


@contract("lot.scrap", roles=None, summary="Scrap the remaining mass of an owned lot")
def scrap(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, _SCRAP_REQUIRED)
    lot = usable_lot(state, ctx, p["lot"])
    return {
        lot_key(lot["id"]): {**lot, "state": "scrapped", "height": ctx.height, "tx_id": ctx.tx_id}
    }
