"""Idempotency-Key on writes (I-04): the same request replays the first answer and
submits nothing new; another request under the same key is refused."""

from __future__ import annotations

import json
from typing import Any

from steeltrace.api.idempotency import fingerprint
from tests.api.test_auth import assert_problem
from tests.api.test_writes import facility
from tests.api.world import World

MILL = "mill-cn/melter"


def post(client: Any, world: World, key: str, payload: dict[str, Any], user: str = MILL) -> Any:
    return client.post(
        "/v1/tx/facility.register",
        headers=world.headers(user, **{"Idempotency-Key": key}),
        json=payload,
    )


def test_same_key_same_body_replays_the_answer(client: Any, world: World) -> None:
    first = post(client, world, "k-1", facility("idem-1"))
    assert first.status_code == 201
    height = world.node.height()
    again = post(client, world, "k-1", facility("idem-1"))
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    world.node.flush(5)
    assert world.node.height() == height  # nothing new was submitted


def test_same_key_other_body_is_422(client: Any, world: World) -> None:
    assert post(client, world, "k-2", facility("idem-2")).status_code == 201
    before = world.root()
    response = post(client, world, "k-2", facility("idem-2b"))
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED")
    assert world.root() == before
    assert world.node.get("facility/idem-2b") is None


def test_same_key_other_endpoint_is_422(client: Any, world: World) -> None:
    assert post(client, world, "k-3", facility("idem-3")).status_code == 201
    response = client.post(
        "/v1/tx/lot.scrap",
        headers=world.headers(MILL, **{"Idempotency-Key": "k-3"}),
        json=facility("idem-3"),
    )
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED")


def test_keys_are_scoped_per_user(client: Any, world: World) -> None:
    assert post(client, world, "shared", facility("idem-4")).status_code == 201
    other = post(client, world, "shared", facility("idem-4-ca", "CA", "CAHAM"), "mill-ca/melter")
    assert other.status_code == 201
    assert "idempotent-replayed" not in other.headers
    assert world.node.get("facility/idem-4-ca")["org"] == "mill-ca"


def test_an_error_answer_is_replayed_too(client: Any, world: World) -> None:
    bad = {**facility("idem-5"), "verified": True}
    first = post(client, world, "k-5", bad)
    assert_problem(first, 422, "PAYLOAD_UNKNOWN_FIELD")
    again = post(client, world, "k-5", bad)
    assert again.status_code == 422 and again.content == first.content
    assert again.headers["content-type"].startswith("application/problem+json")


def test_a_202_is_replayed_without_a_second_submission(client: Any, world: World) -> None:
    url = "/v1/tx/facility.register?wait=false"
    headers = world.headers(MILL, **{"Idempotency-Key": "k-6"})
    first = client.post(url, headers=headers, json=facility("idem-6"))
    assert first.status_code == 202
    world.node.flush(5)
    height = world.node.height()
    again = client.post(url, headers=headers, json=facility("idem-6"))
    assert again.status_code == 202 and again.json()["tx_id"] == first.json()["tx_id"]
    world.node.flush(5)
    assert world.node.height() == height


def test_a_bad_key_is_400(client: Any, world: World) -> None:
    for key in ("has space", "x" * 256, "tab\there"):
        response = post(client, world, key, facility("idem-7"))
        assert_problem(response, 400, "IDEMPOTENCY_KEY_INVALID")
    assert world.node.get("facility/idem-7") is None


def test_a_key_in_progress_is_409(client: Any, world: World) -> None:
    store = client.app.state.idempotency
    user_id = "mill-cn/melter"
    raw = json.dumps(facility("idem-8")).encode()
    headers = world.headers(MILL, **{"Idempotency-Key": "k-8", "Content-Type": "application/json"})
    assert store.claim(user_id, "k-8", fingerprint("POST", "/v1/tx/facility.register", raw)) is None
    response = client.post(
        "/v1/tx/facility.register",
        headers=headers,
        content=raw,
    )
    assert_problem(response, 409, "IDEMPOTENCY_IN_PROGRESS")
    store.release(user_id, "k-8")
    ok = client.post(
        "/v1/tx/facility.register",
        headers=headers,
        content=raw,
    )
    assert ok.status_code == 201
