"""Membership governance: proposals approved by a threshold of admin organisations.

``membership.propose`` opens a proposal (the proposer's approval counts);
``membership.approve`` adds a distinct admin organisation's approval. When the number of
distinct approvals reaches ``config.governance_threshold`` the action is executed in the
same transaction. Actions:

* ``admit_org``   {org: {id, legal_name, country, roles}, keys: [{public_key}]}
* ``suspend_org`` {org_id} / ``reinstate_org`` {org_id}
* ``add_key``     {org_id, public_key}
* ``rotate_key``  {org_id, old_key_id, public_key}: add the new key, revoke the old
* ``revoke_key``  {org_id, key_id}

Key changes take effect from the next block (``valid_from`` / ``revoked_from`` =
executing height + 1), so every transaction of a block is checked against the keys the
block started with, and old signatures stay verifiable forever.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import crypto, schema
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.membership.genesis import _roles
from steeltrace.core.roles import ADMIN
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected

ACTIONS = ("admit_org", "suspend_org", "reinstate_org", "add_key", "rotate_key", "revoke_key")

_PARAMS = {
    "admit_org": schema.obj(
        {
            "org": schema.obj(
                {
                    "id": schema.ident,
                    "legal_name": schema.text,
                    "country": schema.country,
                    "roles": _roles,
                }
            ),
            "keys": schema.list_of(schema.obj({"public_key": schema.hex_bytes(32)}), 1, 8),
        }
    ),
    "suspend_org": schema.obj({"org_id": schema.ident}),
    "reinstate_org": schema.obj({"org_id": schema.ident}),
    "add_key": schema.obj({"org_id": schema.ident, "public_key": schema.hex_bytes(32)}),
    "rotate_key": schema.obj(
        {
            "org_id": schema.ident,
            "old_key_id": schema.hex_bytes(8),
            "public_key": schema.hex_bytes(32),
        }
    ),
    "revoke_key": schema.obj({"org_id": schema.ident, "key_id": schema.hex_bytes(8)}),
}


def _org(state: StateView, org_id: str) -> dict[str, Any]:
    org = state.get(f"org/{org_id}")
    if org is None:
        raise Rejected("ORG_UNKNOWN", f"organisation {org_id!r} is not a member")
    return dict(org)


def _key(state: StateView, org_id: str, key_id: str) -> dict[str, Any]:
    rec = state.get(f"key/{org_id}/{key_id}")
    if rec is None:
        raise Rejected("KEY_UNKNOWN", f"{org_id} has no key {key_id}")
    return dict(rec)


def _new_key(state: StateView, org_id: str, public_key: str, height: int) -> WriteSet:
    kid = crypto.key_id(bytes.fromhex(public_key))
    if state.get(f"key/{org_id}/{kid}") is not None:
        raise Rejected("KEY_EXISTS", f"{org_id} already has key {kid}")
    return {
        f"key/{org_id}/{kid}": {
            "org": org_id,
            "key_id": kid,
            "public_key": public_key,
            "valid_from": height + 1,
            "revoked_from": None,
        }
    }


def _revoke(state: StateView, org_id: str, key_id: str, height: int) -> WriteSet:
    rec = _key(state, org_id, key_id)
    if rec["revoked_from"] is not None:
        raise Rejected("KEY_ALREADY_REVOKED", f"key {key_id} of {org_id} is already revoked")
    rec["revoked_from"] = height + 1
    return {f"key/{org_id}/{key_id}": rec}


def _check_action(state: StateView, action: str, p: dict[str, Any]) -> None:
    """Rules that must hold when the proposal is made (and again when it executes)."""
    if action == "admit_org":
        if state.get(f"org/{p['org']['id']}") is not None:
            raise Rejected("ORG_EXISTS", f"organisation {p['org']['id']!r} already exists")
    elif action in ("suspend_org", "reinstate_org"):
        org = _org(state, p["org_id"])
        want = "active" if action == "suspend_org" else "suspended"
        if org["status"] != want:
            raise Rejected("ORG_STATUS", f"{p['org_id']} is {org['status']}")
    elif action in ("add_key", "rotate_key"):
        _org(state, p["org_id"])
        kid = crypto.key_id(bytes.fromhex(p["public_key"]))
        if state.get(f"key/{p['org_id']}/{kid}") is not None:
            raise Rejected("KEY_EXISTS", f"{p['org_id']} already has key {kid}")
    if action in ("rotate_key", "revoke_key"):
        kid = p["old_key_id"] if action == "rotate_key" else p["key_id"]
        if _key(state, p["org_id"], kid)["revoked_from"] is not None:
            raise Rejected("KEY_ALREADY_REVOKED", f"key {kid} of {p['org_id']} is already revoked")


def _execute(state: StateView, action: str, p: dict[str, Any], height: int) -> WriteSet:
    _check_action(state, action, p)
    if action == "admit_org":
        o = p["org"]
        writes: WriteSet = {
            f"org/{o['id']}": {
                "id": o["id"],
                "legal_name": o["legal_name"],
                "country": o["country"],
                "roles": o["roles"],
                "status": "active",
                "admitted_at": height,
            }
        }
        for k in p["keys"]:
            writes.update(_new_key(state, o["id"], k["public_key"], height))
        return writes
    if action in ("suspend_org", "reinstate_org"):
        org = _org(state, p["org_id"])
        org["status"] = "suspended" if action == "suspend_org" else "active"
        return {f"org/{p['org_id']}": org}
    if action == "add_key":
        return _new_key(state, p["org_id"], p["public_key"], height)
    if action == "rotate_key":
        writes = _new_key(state, p["org_id"], p["public_key"], height)
        writes.update(_revoke(state, p["org_id"], p["old_key_id"], height))
        return writes
    return _revoke(state, p["org_id"], p["key_id"], height)


def _threshold(state: StateView) -> int:
    config = state.get("config")
    if config is None:
        raise Rejected("CONFIG_MISSING", "the chain has no genesis configuration")
    return int(config["governance_threshold"])


def _maybe_execute(state: StateView, ctx: TxContext, proposal: dict[str, Any]) -> WriteSet:
    writes: WriteSet = {}
    if len(proposal["approvals"]) >= _threshold(state):
        writes.update(_execute(state, proposal["action"], proposal["params"], ctx.height))
        proposal["status"] = "executed"
        proposal["executed_at"] = ctx.height
    writes[f"proposal/{proposal['id']}"] = proposal
    return writes


@contract("membership.propose", roles={ADMIN}, summary="Propose a membership change")
def propose(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, {"action": schema.one_of(*ACTIONS), "params": lambda v, q: v})
    params = _PARAMS[p["action"]](p["params"], "payload.params")
    _check_action(state, p["action"], params)
    proposal = {
        "id": ctx.tx_id,
        "action": p["action"],
        "params": params,
        "proposer": ctx.signer_org,
        "approvals": [ctx.signer_org],
        "status": "open",
        "created_at": ctx.height,
    }
    return _maybe_execute(state, ctx, proposal)


@contract("membership.approve", roles={ADMIN}, summary="Approve an open membership proposal")
def approve(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, {"proposal_id": schema.hex_bytes(32)})
    proposal = state.get(f"proposal/{p['proposal_id']}")
    if proposal is None:
        raise Rejected("PROPOSAL_UNKNOWN", f"no proposal {p['proposal_id']}")
    proposal = dict(proposal)
    if proposal["status"] != "open":
        raise Rejected("PROPOSAL_CLOSED", f"proposal is already {proposal['status']}")
    if ctx.signer_org in proposal["approvals"]:
        raise Rejected(
            "PROPOSAL_ALREADY_APPROVED", f"{ctx.signer_org} has already approved this proposal"
        )
    proposal["approvals"] = sorted([*proposal["approvals"], ctx.signer_org])
    return _maybe_execute(state, ctx, proposal)
