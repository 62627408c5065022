"""Running one transaction's contract against a state view.

This is the single place that turns (state, signer, type, payload) into a verdict, used
identically by the submit pre-check, the peer's block validation and ``verify``'s
replay. Signature and key-validity checks happen before, in
:mod:`steeltrace.core.ledger.validation`; this module checks the signer's membership
and role, then calls the contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from steeltrace.core.contracts.registry import TxContext, lookup
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected


def org_key(org_id: str) -> str:
    return f"org/{org_id}"


def member_key(org_id: str, key_id: str) -> str:
    return f"key/{org_id}/{key_id}"


def context_for(
    state: StateView,
    *,
    tx_id: str,
    tx_type: str,
    signer_org: str,
    signer_key: str,
    height: int,
    block_time: datetime,
    created_at: datetime,
    chain_id: str,
) -> TxContext:
    """Build the context of a transaction from the signer's organisation record."""
    org = state.get(org_key(signer_org))
    if org is None:
        raise Rejected("SIGNER_UNKNOWN", f"organisation {signer_org!r} is not a member")
    if org.get("status") != "active":
        raise Rejected("SIGNER_SUSPENDED", f"organisation {signer_org!r} is {org.get('status')}")
    return TxContext(
        tx_id=tx_id,
        tx_type=tx_type,
        signer_org=signer_org,
        signer_key=signer_key,
        signer_roles=frozenset(org.get("roles", ())),
        signer_country=str(org.get("country", "")),
        height=height,
        block_time=block_time,
        created_at=created_at,
        chain_id=chain_id,
    )


def execute(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    """The write set of one transaction, or :class:`Rejected`."""
    spec = lookup(ctx.tx_type)
    if spec is None:
        raise Rejected("TX_UNKNOWN_TYPE", f"unknown transaction type {ctx.tx_type!r}")
    if spec.roles is not None and not (ctx.signer_roles & spec.roles):
        raise Rejected(
            "ROLE_NOT_PERMITTED",
            f"{ctx.tx_type} needs one of the roles {', '.join(sorted(spec.roles))}; "
            f"{ctx.signer_org} has {', '.join(sorted(ctx.signer_roles)) or 'none'}",
        )
    return spec.apply(state, ctx, payload)
