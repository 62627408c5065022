"""Membership governance on a real node: threshold approvals, suspension, key
rotation and revocation by height (I-02), and every rejection with the state unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.core import crypto, schema
from steeltrace.core.ledger import transaction as txmod
from steeltrace.errors import Rejected
from steeltrace.node.service import Node
from steeltrace.node.verify import verify_store
from tests.support.nodes import anchor


def propose(node: Node, org: str, action: str, params: dict[str, Any]) -> str:
    st = node.submit_and_wait(org, "membership.propose", {"action": action, "params": params})
    assert st["status"] == "valid", st
    return st["tx_id"]


def approve(node: Node, org: str, pid: str) -> dict[str, Any]:
    return node.submit_and_wait(org, "membership.approve", {"proposal_id": pid})


def reject(node: Node, code: str, org: str, tx_type: str, payload: dict[str, Any]) -> None:
    node.flush()
    before = (node.height(), node.state_root())
    with pytest.raises(Rejected) as info:
        node.submit_as(org, tx_type, payload)
    assert info.value.code == code, info.value
    assert (node.height(), node.state_root()) == before


def test_admission_waits_for_the_threshold(node: Node) -> None:
    key = crypto.SigningKey.generate()
    params = {
        "org": {"id": "mill-kr", "legal_name": "Mill KR", "country": "KR", "roles": ["mill"]},
        "keys": [{"public_key": key.public_key_hex}],
    }
    pid = propose(node, "admin-a", "admit_org", params)
    assert node.get("org/mill-kr") is None  # one approval of two: nothing yet
    assert node.get(f"proposal/{pid}")["status"] == "open"
    reject(node, "PROPOSAL_ALREADY_APPROVED", "admin-a", "membership.approve", {"proposal_id": pid})
    st = approve(node, "admin-b", pid)
    assert st["status"] == "valid"
    org = node.get("org/mill-kr")
    assert org["status"] == "active" and org["roles"] == ["mill"]
    kid = crypto.key_id(key.public_key)
    assert node.get(f"key/mill-kr/{kid}")["valid_from"] == st["height"] + 1
    reject(node, "PROPOSAL_CLOSED", "admin-c", "membership.approve", {"proposal_id": pid})
    node.keys.save_org_key("mill-kr", key)
    assert node.submit_and_wait("mill-kr", "document.anchor", anchor("KR1"))["status"] == "valid"


def test_proposal_rules(node: Node) -> None:
    reject(node, "PROPOSAL_UNKNOWN", "admin-a", "membership.approve", {"proposal_id": "00" * 32})
    reject(
        node,
        "ORG_EXISTS",
        "admin-a",
        "membership.propose",
        {
            "action": "admit_org",
            "params": {
                "org": {"id": "mill-ca", "legal_name": "x", "country": "CA", "roles": ["mill"]},
                "keys": [{"public_key": "11" * 32}],
            },
        },
    )
    reject(
        node,
        "ORG_UNKNOWN",
        "admin-a",
        "membership.propose",
        {"action": "suspend_org", "params": {"org_id": "nobody"}},
    )
    reject(
        node,
        "KEY_UNKNOWN",
        "admin-a",
        "membership.propose",
        {"action": "revoke_key", "params": {"org_id": "mill-ca", "key_id": "00" * 8}},
    )
    reject(
        node,
        "PAYLOAD_MISSING_FIELD",
        "admin-a",
        "membership.propose",
        {"action": "admit_org", "params": {"org": {"id": "x"}, "keys": []}},
    )
    reject(
        node,
        "PAYLOAD_INVALID",
        "admin-a",
        "membership.propose",
        {"action": "teleport", "params": {}},
    )
    reject(node, "ROLE_NOT_PERMITTED", "mill-ca", "membership.approve", {"proposal_id": "00" * 32})


def test_suspended_organisation_cannot_sign_until_reinstated(node: Node) -> None:
    pid = propose(node, "admin-a", "suspend_org", {"org_id": "trader-sg"})
    approve(node, "admin-c", pid)
    assert node.get("org/trader-sg")["status"] == "suspended"
    reject(node, "SIGNER_SUSPENDED", "trader-sg", "document.anchor", anchor("S1"))
    reject(
        node,
        "ORG_STATUS",
        "admin-a",
        "membership.propose",
        {"action": "suspend_org", "params": {"org_id": "trader-sg"}},
    )
    pid = propose(node, "admin-b", "reinstate_org", {"org_id": "trader-sg"})
    approve(node, "admin-a", pid)
    assert node.submit_and_wait("trader-sg", "document.anchor", anchor("S2"))["status"] == "valid"


def test_i02_rotated_key_is_revoked_from_a_height_and_history_still_verifies(
    node: Node, tmp_path: Any
) -> None:
    old = node.signing_key("mill-ca")
    early = node.submit_and_wait("mill-ca", "document.anchor", anchor("OLD1"))
    new = crypto.SigningKey.generate()
    node.keys.save_org_key("mill-ca", new)
    pid = propose(
        node,
        "admin-a",
        "rotate_key",
        {
            "org_id": "mill-ca",
            "old_key_id": crypto.key_id(old.public_key),
            "public_key": new.public_key_hex,
        },
    )
    st = approve(node, "admin-b", pid)
    rec = node.get(f"key/mill-ca/{crypto.key_id(old.public_key)}")
    assert rec["revoked_from"] == st["height"] + 1
    stale = txmod.sign(
        old,
        chain_id=node.chain_id,
        tx_type="document.anchor",
        payload=anchor("OLD2"),
        org="mill-ca",
        created_at=schema.format_time(node.clock()),
    )
    node.flush()
    before = node.state_root()
    with pytest.raises(Rejected) as info:
        node.submit_tx(stale)
    assert info.value.code == "KEY_REVOKED" and node.state_root() == before
    # The new key signs from the next block on; the old signatures stay valid history.
    assert node.submit_and_wait("mill-ca", "document.anchor", anchor("NEW1"))["status"] == "valid"
    assert node.tx(early["tx_id"])["status"] == "valid"
    reject(
        node,
        "KEY_ALREADY_REVOKED",
        "admin-a",
        "membership.propose",
        {
            "action": "revoke_key",
            "params": {"org_id": "mill-ca", "key_id": crypto.key_id(old.public_key)},
        },
    )
    assert verify_store(node.store).ok


def test_a_new_key_is_not_valid_in_the_block_that_adds_it(node: Node) -> None:
    new = crypto.SigningKey.generate()
    pid = propose(
        node, "admin-a", "add_key", {"org_id": "trader-sg", "public_key": new.public_key_hex}
    )
    approve_tx = node.sign_as("admin-b", "membership.approve", {"proposal_id": pid})
    early = txmod.sign(
        new,
        chain_id=node.chain_id,
        tx_type="document.anchor",
        payload=anchor("EARLY"),
        org="trader-sg",
        created_at=schema.format_time(node.clock()),
    )
    block = node.produce([approve_tx, early])
    assert [r.status for r in block.results] == ["valid", "invalid"]
    assert block.results[1].code == "KEY_UNKNOWN"
    reject(
        node,
        "KEY_EXISTS",
        "admin-a",
        "membership.propose",
        {"action": "add_key", "params": {"org_id": "trader-sg", "public_key": new.public_key_hex}},
    )
