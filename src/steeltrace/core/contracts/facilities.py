"""Facilities: the sites where an organisation melts, rolls, coats, cuts or stores steel.

Owns ``facility/{facility_id}`` (docs/state.md) and the fixed process vocabulary every
other steel contract uses. A facility's country is the country of the site, which may
differ from the organisation's own country (a mill may run plants abroad); the UN/LOCODE
of the site must exist and lie in that country. Facility ids are unique forever.

Other contracts call :func:`require_facility` to check "at its own facility that runs
process X"; it is the one place those three rejections are decided.

Transaction types: ``facility.register`` (docs/transactions/facilities.md).
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import schema
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.reference import locode
from steeltrace.core.roles import MILL
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

PROCESSES: tuple[str, ...] = (
    "melting",
    "casting",
    "hot-rolling",
    "cold-rolling",
    "galvanising",
    "coating",
    "painting",
    "pickling",
    "annealing",
    "slitting",
    "cutting",
    "pipe-welding",
    "seamless-pipe",
    "wire-drawing",
    "forging",
    "warehousing",
)

MAX_MELT_CAPACITY_T = 100_000_000  # t a year; the largest single sites melt ~ 20 Mt

process = schema.one_of(*PROCESSES)


def facility_key(facility_id: str) -> str:
    return f"facility/{facility_id}"


def _locode(value: Any, path: str) -> str:
    code: str = schema.ident(value, path)
    # Format only: the packaged code list holds ports and a few inland sites, not the
    # ~116,000 inland codes where mills also stand (reference/locode.py).
    if not locode.is_locode_format(code):
        raise Rejected("LOCODE_UNKNOWN", f"{path}: {code!r} is not a UN/LOCODE", field=path)
    return code


_REGISTER_REQUIRED: dict[str, schema.Checker] = {
    "id": schema.ident,
    "name": schema.text,
    "country": schema.country,
    "locode": _locode,
    "processes": schema.list_of(process, min_len=1, max_len=len(PROCESSES), unique=True),
}
_REGISTER_OPTIONAL: dict[str, schema.Checker] = {
    "melt_capacity_t": lambda v, p: schema.integer(v, p, 1, MAX_MELT_CAPACITY_T),
}


@contract(
    "facility.register",
    roles=None,
    summary="Register one of the signer's own sites: country, UN/LOCODE, processes, capacity",
)
def register(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, _REGISTER_REQUIRED, _REGISTER_OPTIONAL)
    key = facility_key(p["id"])
    if state.get(key) is not None:
        raise Rejected("FACILITY_EXISTS", f"facility {p['id']!r} is already registered")
    site_country = locode.locode_country(p["locode"])
    if site_country != p["country"]:
        raise Rejected(
            "LOCODE_COUNTRY_MISMATCH",
            f"UN/LOCODE {p['locode']} is in {site_country}, not in {p['country']}",
        )
    processes = sorted(p["processes"])
    capacity = p.get("melt_capacity_t")
    melts = "melting" in processes
    if melts and MILL not in ctx.signer_roles:
        raise Rejected(
            "MELTING_NEEDS_MILL",
            f"only a mill may register a melting facility; {ctx.signer_org} is not a mill",
        )
    if melts and capacity is None:
        raise Rejected(
            "MELT_CAPACITY_REQUIRED",
            "a melting facility must declare melt_capacity_t (tonnes a year)",
        )
    if not melts and capacity is not None:
        raise Rejected(
            "MELT_CAPACITY_WITHOUT_MELTING",
            "melt_capacity_t is only for facilities whose processes include melting",
        )
    return {
        key: {
            "id": p["id"],
            "org": ctx.signer_org,
            "name": p["name"],
            "country": p["country"],
            "locode": p["locode"],
            "processes": processes,
            "melt_capacity_t": capacity,
            "height": ctx.height,
            "tx_id": ctx.tx_id,
        }
    }


def require_facility(
    state: StateView, org: str, facility_id: str, needed_process: str
) -> dict[str, Any]:
    """The facility record, if ``org`` runs it and it runs ``needed_process``."""
    record = state.get(facility_key(facility_id))
    if record is None:
        raise Rejected("FACILITY_UNKNOWN", f"facility {facility_id!r} is not registered")
    if record["org"] != org:
        raise Rejected(
            "FACILITY_NOT_OWNED", f"facility {facility_id!r} belongs to {record['org']}, not {org}"
        )
    if needed_process not in record["processes"]:
        raise Rejected(
            "FACILITY_LACKS_PROCESS",
            f"facility {facility_id!r} does not run {needed_process} "
            f"(it runs {', '.join(record['processes'])})",
        )
    result: dict[str, Any] = record
    return result
