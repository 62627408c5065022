"""Chapter 1 of the demo: the consortium governs its membership.

Admit an organisation (two admin approvals), rotate a mill's key, then show that a
transaction signed with the revoked key, a forged signature and a replay are all
refused with stable codes while the state root stays where it was.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import crypto
from steeltrace.core.ledger import transaction as txmod
from steeltrace.demo.narrator import Narrator
from steeltrace.errors import SteeltraceError
from steeltrace.node.service import Node


def _approved(
    node: Node, n: Narrator, proposer: str, approver: str, action: str, params: dict[str, Any]
) -> str:
    st = node.submit_and_wait(proposer, "membership.propose", {"action": action, "params": params})
    n.ok(f"{proposer} proposes {action}", st)
    st2 = node.submit_and_wait(approver, "membership.approve", {"proposal_id": st["tx_id"]})
    prop = node.get(f"proposal/{st['tx_id']}") or {}
    n.ok(
        f"{approver} approves: proposal {prop.get('status')} ({len(prop.get('approvals', []))} of "
        f"{node.config['governance_threshold']} admin approvals)",
        st2,
    )
    return str(st["tx_id"])


def run(node: Node, n: Narrator) -> dict[str, Any]:
    n.chapter("1. Membership: the consortium admits, re-keys and refuses forgeries")
    new_key = crypto.SigningKey.generate()
    node.keys.save_org_key("mill-in", new_key)
    _approved(
        node,
        n,
        "consortium-ca",
        "consortium-us",
        "admit_org",
        {
            "org": {
                "id": "mill-in",
                "legal_name": "Odisha Integrated Steel Ltd.",
                "country": "IN",
                "roles": ["mill"],
            },
            "keys": [{"public_key": new_key.public_key_hex}],
        },
    )
    old_key = node.signing_key("mill-ca")
    rotated = crypto.SigningKey.generate()
    node.keys.save_org_key("mill-ca", rotated)
    _approved(
        node,
        n,
        "consortium-us",
        "consortium-eu",
        "rotate_key",
        {
            "org_id": "mill-ca",
            "old_key_id": crypto.key_id(old_key.public_key),
            "public_key": rotated.public_key_hex,
        },
    )
    # Make sure the next block starts after the rotation took effect.
    node.submit_and_wait(
        "consortium-ca",
        "document.anchor",
        {
            "doc_id": "consortium-charter-2026",
            "kind": "charter",
            "sha256": crypto.sha256_hex(b"charter v1"),
            "title": "Consortium charter, 2026 edition",
        },
    )
    root_before = node.state_root()
    attempts: list[tuple[str, txmod.Transaction]] = []
    stale = txmod.sign(
        old_key,
        chain_id=node.chain_id,
        tx_type="document.anchor",
        payload={
            "doc_id": "stale-key-doc",
            "kind": "note",
            "sha256": "00" * 32,
            "title": "signed with a revoked key",
        },
        org="mill-ca",
        created_at=_now(node),
    )
    attempts.append(("mill-ca's revoked key signs a transaction", stale))
    intruder = crypto.SigningKey.generate()
    forged_body = node.sign_as(
        "mill-ca",
        "document.anchor",
        {
            "doc_id": "forged-mtc",
            "kind": "mill-test-certificate",
            "sha256": "11" * 32,
            "title": "a certificate the mill never issued",
        },
    )
    env = forged_body.envelope()
    env["signature"] = intruder.sign(crypto.TX_TAG, forged_body.body_bytes).hex()
    attempts.append(("an intruder forges mill-ca's signature", txmod.from_envelope(env)))
    genuine = node.sign_as(
        "mill-kr",
        "document.anchor",
        {
            "doc_id": "kr-quality-manual",
            "kind": "quality-manual",
            "sha256": "22" * 32,
            "title": "Quality manual rev. 7",
        },
    )
    node.submit_tx(genuine)
    st = node.wait(genuine.tx_id)
    n.ok("mill-kr anchors its quality manual", st)
    attempts.append(("the same transaction is replayed", genuine))
    root_before = node.state_root()
    refused = {}
    for what, tx in attempts:
        try:
            node.submit_tx(tx)
            st = node.wait(tx.tx_id)
            n.bad(what, st)
            refused[what] = st.get("code") if st else None
        except SteeltraceError as e:
            n.refused(what, e)
            refused[what] = e.code
    n.note(f"state root unchanged by the refusals: {node.state_root() == root_before}")
    return {"refused": refused}


def _now(node: Node) -> str:
    from steeltrace.core.schema import format_time

    return format_time(node.clock())
