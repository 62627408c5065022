"""Bad input at the node (RELIABILITY I-01..I-13, F-13): a stable code, nothing changed.

Each refusal is checked twice where it matters: at submission (pre-check) and by the
peer when the transaction is sent straight to ordering, bypassing the pre-check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from steeltrace.core import crypto, schema
from steeltrace.core.ledger import transaction as txmod
from steeltrace.errors import InvalidInput, PayloadTooLarge, Rejected, SteeltraceError
from steeltrace.node.service import Node
from tests.support.nodes import anchor


def snapshot(node: Node) -> tuple[int, str]:
    node.flush()
    return node.height(), node.state_root()


def refused(node: Node, code: str, submit: Callable[[], Any]) -> SteeltraceError:
    before = snapshot(node)
    with pytest.raises(SteeltraceError) as info:
        submit()
    assert info.value.code == code, info.value
    assert snapshot(node) == before
    return info.value


def straight_to_ordering(node: Node, tx: txmod.Transaction, code: str) -> None:
    """The peer's own check: recorded invalid with the code, the state root unchanged."""
    root = node.state_root()
    node._pending.add(tx.tx_id)
    node.ordering.broadcast(tx)
    node.flush()
    last = node.block(node.height())
    assert last is not None
    st = last["transactions"][-1]  # the copy just ordered (a replay's original is earlier)
    assert st["tx_id"] == tx.tx_id
    assert st["status"] == "invalid" and st["code"] == code, st
    assert node.state_root() == root


def envelope(node: Node, org: str = "trader-sg", **payload: Any) -> dict[str, Any]:
    return node.sign_as(org, "document.anchor", anchor("D1", **payload)).envelope()


def test_accepted_transaction_moves_the_state(node: Node) -> None:
    root = node.state_root()
    st = node.submit_and_wait("trader-sg", "document.anchor", anchor("D0"))
    assert st["status"] == "valid"
    assert node.state_root() != root
    assert node.get("doc/trader-sg/D0")["sha256"] == "ab" * 32


@pytest.mark.parametrize("mutate", ["flip_signature_bit", "other_key", "other_payload"])
def test_i01_bad_signature(node: Node, mutate: str) -> None:
    env = envelope(node)
    if mutate == "flip_signature_bit":
        sig = bytearray(bytes.fromhex(env["signature"]))
        sig[5] ^= 0x01
        env["signature"] = sig.hex()
    elif mutate == "other_key":
        body = txmod.from_envelope(env).body_bytes
        env["signature"] = crypto.SigningKey.generate().sign(crypto.TX_TAG, body).hex()
    else:
        env["payload"] = {**env["payload"], "title": "a different document"}
    refused(node, "TX_BAD_SIGNATURE", lambda: node.submit(env))
    straight_to_ordering(node, txmod.from_envelope(env), "TX_BAD_SIGNATURE")


def test_signature_of_another_domain_never_verifies(node: Node) -> None:
    """A block-domain signature over the same bytes is not a transaction signature."""
    env = envelope(node)
    body = txmod.from_envelope(env).body_bytes
    env["signature"] = node.signing_key("trader-sg").sign(crypto.BLOCK_TAG, body).hex()
    refused(node, "TX_BAD_SIGNATURE", lambda: node.submit(env))


def test_i04_replay_soon_and_later(node: Node) -> None:
    tx = node.sign_as("trader-sg", "document.anchor", anchor("R1"))
    node.submit_tx(tx)
    with pytest.raises(Rejected) as soon:  # still pending
        node.submit_tx(tx)
    assert soon.value.code == "TX_DUPLICATE"
    node.wait(tx.tx_id)
    refused(node, "TX_DUPLICATE", lambda: node.submit(tx.envelope()))  # committed
    straight_to_ordering(node, tx, "TX_DUPLICATE")


def test_i04_replay_within_one_block_is_invalid_the_second_time(node: Node) -> None:
    tx = node.sign_as("trader-sg", "document.anchor", anchor("R2"))
    block = node.produce([tx, tx])
    assert [r.status for r in block.results] == ["valid", "invalid"]
    assert block.results[1].code == "TX_DUPLICATE"


def test_i05_other_chain(node: Node) -> None:
    key = node.signing_key("trader-sg")
    tx = txmod.sign(
        key,
        chain_id="other-chain",
        tx_type="document.anchor",
        payload=anchor("C1"),
        org="trader-sg",
        created_at=schema.format_time(node.clock()),
    )
    refused(node, "TX_WRONG_CHAIN", lambda: node.submit_tx(tx))
    straight_to_ordering(node, tx, "TX_WRONG_CHAIN")


def test_unknown_type(node: Node) -> None:
    tx = node.sign_as("trader-sg", "lot.teleport", {"lot": "L1"})
    refused(node, "TX_UNKNOWN_TYPE", lambda: node.submit_tx(tx))
    straight_to_ordering(node, tx, "TX_UNKNOWN_TYPE")


def test_unknown_signer(node: Node) -> None:
    key = crypto.SigningKey.generate()
    tx = txmod.sign(
        key,
        chain_id=node.chain_id,
        tx_type="document.anchor",
        payload=anchor("U1"),
        org="ghost-org",
        created_at=schema.format_time(node.clock()),
    )
    refused(node, "SIGNER_UNKNOWN", lambda: node.submit_tx(tx))
    straight_to_ordering(node, tx, "SIGNER_UNKNOWN")


def test_unknown_key_of_a_member(node: Node) -> None:
    key = crypto.SigningKey.generate()
    tx = txmod.sign(
        key,
        chain_id=node.chain_id,
        tx_type="document.anchor",
        payload=anchor("U2"),
        org="trader-sg",
        created_at=schema.format_time(node.clock()),
    )
    refused(node, "KEY_UNKNOWN", lambda: node.submit_tx(tx))


def test_wrong_role(node: Node) -> None:
    payload = {"action": "suspend_org", "params": {"org_id": "mill-ca"}}
    tx = node.sign_as("trader-sg", "membership.propose", payload)
    err = refused(node, "ROLE_NOT_PERMITTED", lambda: node.submit_tx(tx))
    assert "admin" in err.message
    straight_to_ordering(node, tx, "ROLE_NOT_PERMITTED")


@pytest.mark.parametrize(("shift", "code"), [(-11, "TX_BACKDATED"), (11, "TX_FUTURE")])
def test_f13_out_of_window(node: Node, shift: int, code: str) -> None:
    created = schema.format_time(node.clock() + timedelta(minutes=shift))
    tx = node.sign_as("trader-sg", "document.anchor", anchor("W1"), created_at=created)
    refused(node, code, lambda: node.submit_tx(tx))
    straight_to_ordering(node, tx, code)


def test_f13_inside_the_window_is_fine(node: Node) -> None:
    created = schema.format_time(node.clock() - timedelta(minutes=9))
    tx = node.sign_as("trader-sg", "document.anchor", anchor("W2"), created_at=created)
    node.submit_tx(tx)
    assert node.wait(tx.tx_id)["status"] == "valid"


def test_oversized_payload(node: Node) -> None:
    with pytest.raises(PayloadTooLarge) as info:
        node.sign_as("trader-sg", "document.anchor", {"big": "x" * (70 * 1024)})
    assert info.value.code == "TX_TOO_LARGE"
    big = envelope(node)
    big["payload"] = {**big["payload"], "note": "n" * (70 * 1024)}
    refused(node, "TX_TOO_LARGE", lambda: node.submit(big))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda e: e.update(verified=True), "TX_UNKNOWN_FIELD"),  # I-14 at the envelope
        (lambda e: e.pop("nonce"), "TX_MISSING_FIELD"),
        (lambda e: e.update(nonce="xyz"), "TX_BAD_NONCE"),
        (lambda e: e.update(signature="00"), "TX_BAD_SIGNATURE_ENCODING"),
        (lambda e: e.update(signature=e["signature"].upper()), "TX_BAD_SIGNATURE_ENCODING"),
        (lambda e: e.update(created_at="2026-01-01 10:00"), "PAYLOAD_INVALID"),
        (lambda e: e.update(type="lot.cast\u200b"), "IDENT_NOT_ASCII"),  # I-12 zero-width
        (lambda e: e.update(payload=[1, 2]), "TX_MALFORMED"),
        (lambda e: e["signer"].update(org="mill-са"), "IDENT_NOT_ASCII"),  # Cyrillic "са"
    ],
)
def test_malformed_envelopes(
    node: Node, change: Callable[[dict[str, Any]], Any], code: str
) -> None:
    env = envelope(node)
    change(env)
    err = refused(node, code, lambda: node.submit(env))
    assert isinstance(err, InvalidInput)


def test_unknown_payload_field_is_rejected(node: Node) -> None:
    """I-14: an extra field such as "verified": true is never silently kept."""
    tx = node.sign_as("trader-sg", "document.anchor", anchor("X1", verified=True))
    refused(node, "PAYLOAD_UNKNOWN_FIELD", lambda: node.submit_tx(tx))
    straight_to_ordering(node, tx, "PAYLOAD_UNKNOWN_FIELD")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"chain_id":"test-chain","chain_id":"x"}',  # I-09
        b'{"a": NaN}',  # I-10
        b'{"a": 1',  # I-08
        b"\xef\xbb\xbf{}",
        b'{"a": "\xc3"}',
        b'{"a": "\\ud834"}',
        b"{}" + b" " * 10 + b"garbage",
    ],
)
def test_malformed_bytes(node: Node, raw: bytes) -> None:
    before = snapshot(node)
    with pytest.raises(InvalidInput):
        node.submit_bytes(raw)
    assert snapshot(node) == before


def test_i11_other_key_order_and_whitespace_is_the_same_transaction(node: Node) -> None:
    import json

    env = envelope(node)
    pretty = json.dumps(dict(reversed(list(env.items()))), indent=3).encode()
    tx_a = txmod.from_envelope(env)
    tx_b = txmod.from_bytes(pretty)
    assert tx_a.tx_id == tx_b.tx_id and tx_a.leaf_bytes == tx_b.leaf_bytes
    node.submit_bytes(pretty)
    assert node.wait(tx_b.tx_id)["status"] == "valid"
    refused(node, "TX_DUPLICATE", lambda: node.submit(env))


def test_contract_violation_is_deterministic_and_recorded(node: Node) -> None:
    node.submit_and_wait("trader-sg", "document.anchor", anchor("DUP"))
    tx = node.sign_as("trader-sg", "document.anchor", anchor("DUP"))
    refused(node, "DOC_EXISTS", lambda: node.submit_tx(tx))
    straight_to_ordering(node, tx, "DOC_EXISTS")


def test_i04_replay_after_a_restart_is_still_refused(tmp_path: Any) -> None:
    from tests.support.nodes import make_node

    home = tmp_path / "restart"
    node = make_node(home)
    tx = node.sign_as("trader-sg", "document.anchor", anchor("AFTER-RESTART"))
    node.submit_tx(tx)
    assert node.wait(tx.tx_id)["status"] == "valid"
    node.close()
    again = Node.open(home)
    try:
        refused(again, "TX_DUPLICATE", lambda: again.submit(tx.envelope()))
        straight_to_ordering(again, tx, "TX_DUPLICATE")
    finally:
        again.close()
