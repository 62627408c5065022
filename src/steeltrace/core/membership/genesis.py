"""The genesis configuration and the state it creates.

The configuration names the chain, the founding organisations with their roles and
public keys, the orderers' keys, the governance threshold (how many distinct admin
organisations must approve a membership change) and the transaction time window.
Block 0's ``state_root`` commits to the state built here, and so to the whole
configuration (it is stored under the ``config`` key).
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import crypto, schema
from steeltrace.core.roles import ADMIN, ALL_ROLES
from steeltrace.core.state import WriteSet
from steeltrace.errors import InvalidInput, SteeltraceError

DEFAULT_WINDOW_SECONDS = 600


def _roles(value: Any, path: str) -> list[str]:
    roles = schema.list_of(schema.one_of(*sorted(ALL_ROLES)), 1, 11, unique=True)(value, path)
    return sorted(roles)


_KEY = schema.obj({"public_key": schema.hex_bytes(32)})
_ORG = schema.obj(
    {
        "id": schema.ident,
        "legal_name": schema.text,
        "country": schema.country,
        "roles": _roles,
        "keys": schema.list_of(_KEY, 1, 8),
    }
)
_ORDERER = schema.obj({"id": schema.ident, "public_key": schema.hex_bytes(32)})


def validate_config(config: Any) -> dict[str, Any]:
    """Check a genesis configuration; raise InvalidInput with a stable code."""
    try:
        c = schema.fields(
            config,
            {
                "chain_id": schema.ident,
                "created_at": schema.timestamp,
                "governance_threshold": lambda v, p: schema.integer(v, p, 1, 100),
                "organisations": schema.list_of(_ORG, 1, 1000),
                "orderers": schema.list_of(_ORDERER, 1, 16),
            },
            {"tx_window_seconds": lambda v, p: schema.integer(v, p, 1, 86_400)},
            path="genesis",
        )
    except SteeltraceError as e:
        raise InvalidInput("GENESIS_INVALID", e.message) from e
    ids = [o["id"] for o in c["organisations"]]
    if len(set(ids)) != len(ids):
        raise InvalidInput("GENESIS_INVALID", "organisation ids must be unique")
    admins = sum(1 for o in c["organisations"] if ADMIN in o["roles"])
    if admins < c["governance_threshold"]:
        raise InvalidInput(
            "GENESIS_INVALID",
            f"governance threshold {c['governance_threshold']} exceeds the {admins} admin "
            "organisations: no membership change could ever pass",
        )
    c.setdefault("tx_window_seconds", DEFAULT_WINDOW_SECONDS)
    return c


def genesis_writes(config: dict[str, Any]) -> WriteSet:
    """The state after genesis."""
    c = validate_config(config)
    writes: WriteSet = {
        "config": {
            "chain_id": c["chain_id"],
            "created_at": c["created_at"],
            "governance_threshold": c["governance_threshold"],
            "tx_window_seconds": c["tx_window_seconds"],
            "orderers": c["orderers"],
        }
    }
    for org in c["organisations"]:
        writes[f"org/{org['id']}"] = {
            "id": org["id"],
            "legal_name": org["legal_name"],
            "country": org["country"],
            "roles": org["roles"],
            "status": "active",
            "admitted_at": 0,
        }
        for k in org["keys"]:
            kid = crypto.key_id(bytes.fromhex(k["public_key"]))
            writes[f"key/{org['id']}/{kid}"] = {
                "org": org["id"],
                "key_id": kid,
                "public_key": k["public_key"],
                "valid_from": 0,
                "revoked_from": None,
            }
    return writes


def key_valid_at(key_record: dict[str, Any], height: int) -> bool:
    revoked = key_record.get("revoked_from")
    return bool(key_record["valid_from"] <= height and (revoked is None or height < revoked))
