"""Concurrent writes through the API: S-02 (twenty transfers of one lot) and one
Idempotency-Key raced by several clients (I-04)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.api.test_writes import facility
from tests.api.world import World

RECIPIENTS = ("svc-ca", "trader-sg", "bank-1", "bank-2", "mill-ca")


def test_s02_twenty_concurrent_transfers_one_winner(client: Any, world: World) -> None:
    def transfer(i: int) -> Any:
        return client.post(
            "/v1/tx/title.transfer",
            headers=world.headers("mill-cn/melter"),
            json={"lots": ["L3"], "to": RECIPIENTS[i % len(RECIPIENTS)]},
        )

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(transfer, range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, [r.text for r in responses]
    assert statuses.count(409) == 19
    assert all(r.json()["code"] == "TITLE_NOT_OWNER" for r in responses if r.status_code == 409)
    winner = next(r for r in responses if r.status_code == 201)
    owner = world.node.get("lot/L3")["owner"]
    tx = world.node.tx(winner.json()["tx_id"])
    assert tx["tx"]["payload"]["to"] == owner


def test_i04_one_idempotency_key_raced_submits_once(client: Any, world: World) -> None:
    height = world.node.height()

    def post(_: int) -> Any:
        return client.post(
            "/v1/tx/facility.register",
            headers=world.headers("mill-cn/melter", **{"Idempotency-Key": "race-1"}),
            json=facility("race-1"),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, range(8)))
    world.node.flush(10)
    codes = [r.status_code for r in responses]
    assert set(codes) <= {201, 409}, [r.text for r in responses]
    assert 201 in codes
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert world.node.height() == height + 1
    assert world.node.get("facility/race-1") is not None
