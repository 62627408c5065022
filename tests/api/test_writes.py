"""Writes: embedded-mode payloads and client-signed envelopes, waiting for the commit
(201), not waiting (202 + Location), pre-check rejections and rejections recorded in a
block (409/422 with the ledger's code)."""

from __future__ import annotations

import time
from typing import Any

from steeltrace.core import schema
from steeltrace.core.ledger.transaction import sign
from steeltrace.node.service import utc_now
from tests.api.test_auth import assert_problem
from tests.api.world import World


def facility(fid: str, country: str = "CN", locode: str = "CNSHA") -> dict[str, Any]:
    return {
        "id": fid,
        "name": f"Site {fid}",
        "country": country,
        "locode": locode,
        "processes": ["cutting"],
    }


def test_embedded_write_waits_for_the_commit(client: Any, world: World) -> None:
    height = world.node.height()
    response = client.post(
        "/v1/tx/facility.register",
        headers=world.headers("mill-cn/melter"),
        json=facility("cn-cut-1"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "valid" and body["height"] == height + 1
    assert response.headers["location"] == f"/v1/transactions/{body['tx_id']}"
    assert world.node.get("facility/cn-cut-1")["org"] == "mill-cn"
    tx = client.get(response.headers["location"], headers=world.headers("mill-ca/melter"))
    assert tx.status_code == 200
    assert tx.json()["tx"]["signer"]["org"] == "mill-cn"


def test_wait_false_answers_202_with_a_status_location(client: Any, world: World) -> None:
    response = client.post(
        "/v1/tx/facility.register?wait=false",
        headers=world.headers("mill-cn/melter"),
        json=facility("cn-cut-2"),
    )
    assert response.status_code == 202, response.text
    tx_id = response.json()["tx_id"]
    assert response.headers["location"] == f"/v1/transactions/{tx_id}/status"
    deadline = time.monotonic() + 10
    while True:
        status = client.get(response.headers["location"], headers=world.headers("bank-1/lender"))
        assert status.status_code == 200
        if status.json()["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert status.json()["status"] == "valid"


def test_a_client_signed_envelope_is_accepted_as_is(client: Any, world: World) -> None:
    tx = sign(
        world.node.signing_key("mill-ca"),
        chain_id=world.node.chain_id,
        tx_type="facility.register",
        payload=facility("ca-cut-1", "CA", "CAHAM"),
        org="mill-ca",
        created_at=schema.format_time(utc_now()),
    )
    response = client.post(
        "/v1/transactions", headers=world.headers("mill-ca/melter"), json=tx.envelope()
    )
    assert response.status_code == 201, response.text
    assert response.json()["tx_id"] == tx.tx_id
    # I-04: the same envelope again is a replay, rejected with a code; nothing changes.
    before = world.root()
    again = client.post(
        "/v1/transactions", headers=world.headers("mill-ca/melter"), json=tx.envelope()
    )
    assert_problem(again, 409, "TX_DUPLICATE")
    assert world.root() == before


def test_i01_a_flipped_signature_bit_is_rejected(client: Any, world: World) -> None:
    tx = sign(
        world.node.signing_key("mill-ca"),
        chain_id=world.node.chain_id,
        tx_type="facility.register",
        payload=facility("ca-cut-2", "CA", "CAHAM"),
        org="mill-ca",
        created_at=schema.format_time(utc_now()),
    )
    envelope = tx.envelope()
    sig = bytearray(bytes.fromhex(envelope["signature"]))
    sig[0] ^= 1
    envelope["signature"] = sig.hex()
    before = world.root()
    response = client.post(
        "/v1/transactions", headers=world.headers("mill-ca/melter"), json=envelope
    )
    assert response.status_code in (400, 409), response.text
    assert response.json()["code"].startswith(("TX_", "SIGNATURE"))
    assert world.root() == before
    assert world.node.get("facility/ca-cut-2") is None


def test_i05_another_chain_is_rejected(client: Any, world: World) -> None:
    tx = sign(
        world.node.signing_key("mill-ca"),
        chain_id="another-chain",
        tx_type="facility.register",
        payload=facility("ca-cut-3", "CA", "CAHAM"),
        org="mill-ca",
        created_at=schema.format_time(utc_now()),
    )
    before = world.root()
    response = client.post(
        "/v1/transactions", headers=world.headers("mill-ca/melter"), json=tx.envelope()
    )
    assert 400 <= response.status_code < 500 and response.status_code != 403, response.text
    assert world.root() == before


def test_precheck_rejection_is_409_with_the_ledger_code(client: Any, world: World) -> None:
    before = (world.root(), world.node.height())
    response = client.post(
        "/v1/tx/title.transfer",
        headers=world.headers("trader-sg/dealer"),
        json={"lots": ["L3"], "to": "svc-ca"},
    )
    body = assert_problem(response, 409, "TITLE_NOT_OWNER")
    assert body["type"].endswith("TITLE_NOT_OWNER")
    assert (world.root(), world.node.height()) == before


def test_a_rejection_recorded_in_the_block_is_409(client: Any, world: World) -> None:
    """Two transfers of the same lot in one block: both pass the pre-check, the second
    is recorded invalid with TITLE_NOT_OWNER (S-02 at the API)."""
    node = world.node
    old_timeout = node.batch_timeout
    node.batch_timeout = 2.0
    try:
        time.sleep(0.1)  # let the producer pick up the longer batch window
        first = node.submit_as("mill-cn", "title.transfer", {"lots": ["L3"], "to": "svc-ca"})
        response = client.post(
            "/v1/tx/title.transfer",
            headers=world.headers("mill-cn/melter"),
            json={"lots": ["L3"], "to": "trader-sg"},
        )
    finally:
        node.batch_timeout = old_timeout
    assert node.wait(first, 10)["status"] == "valid"
    body = assert_problem(response, 409, "TITLE_NOT_OWNER")
    assert body["tx_status"] == "invalid" and body["height"] >= 1
    assert response.headers["location"] == f"/v1/transactions/{body['tx_id']}"
    assert node.status(body["tx_id"])["status"] == "invalid"
    assert node.get("lot/L3")["owner"] == "svc-ca"


def test_a_wait_that_times_out_answers_202(client: Any, world: World) -> None:
    node = world.node
    old_timeout = node.batch_timeout
    node.batch_timeout = 2.0
    try:
        time.sleep(0.1)
        node.submit_as("mill-cn", "facility.register", facility("cn-cut-3"))
        response = client.post(
            "/v1/tx/facility.register?timeout=0.05",
            headers=world.headers("mill-cn/melter"),
            json=facility("cn-cut-4"),
        )
    finally:
        node.batch_timeout = old_timeout
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    node.flush(10)


def test_bad_query_parameters_are_400(client: Any, world: World) -> None:
    for query in ("timeout=abc", "timeout=0", "timeout=1000", "wait=maybe"):
        response = client.post(
            f"/v1/tx/facility.register?{query}",
            headers=world.headers("mill-cn/melter"),
            json=facility("never"),
        )
        assert_problem(response, 400, "QUERY_INVALID")
    assert world.node.get("facility/never") is None


def test_a_node_without_the_orgs_key_says_so(client: Any, world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(world.node, "held_orgs", lambda: ["mill-ca"])
    response = client.post(
        "/v1/tx/facility.register",
        headers=world.headers("mill-cn/melter"),
        json=facility("cn-nokey"),
    )
    body = assert_problem(response, 403, "ORG_KEY_NOT_HELD")
    assert "/v1/transactions" in body["detail"]
