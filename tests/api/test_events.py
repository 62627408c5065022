"""GET /v1/events: server-sent events of committed blocks."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from tests.api.test_writes import facility
from tests.api.world import World


def parse_sse(text: str) -> list[dict[str, str]]:
    events = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        for line in chunk.split("\n"):
            if line and not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
        if fields:
            events.append(fields)
    return events


def test_history_is_replayed_after_since(client: Any, world: World) -> None:
    response = client.get("/v1/events?since=0&max_events=3", headers=world.headers("bank-1/lender"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert [e["event"] for e in events] == ["block"] * 3
    assert [e["id"] for e in events] == ["1", "2", "3"]
    first = json.loads(events[0]["data"])
    assert first["height"] == 1 and first["txs"][0]["type"] == "facility.register"
    assert set(first["txs"][0]) == {"tx_id", "type", "status", "code", "signer"}
    assert first["block_hash"] == world.node.block(1)["block_hash"]
    assert not world.node._subs  # the stream's end closed its subscription


def test_last_event_id_resumes(client: Any, world: World) -> None:
    response = client.get(
        "/v1/events?max_events=1",
        headers=world.headers("bank-1/lender", **{"Last-Event-ID": "4"}),
    )
    assert [e["id"] for e in parse_sse(response.text)] == ["5"]


def test_live_blocks_are_pushed(client: Any, world: World) -> None:
    height = world.node.height()

    def commit_later() -> None:
        time.sleep(0.3)
        world.node.submit_and_wait("mill-cn", "facility.register", facility("live-1"))

    writer = threading.Thread(target=commit_later)
    writer.start()
    try:
        response = client.get(
            f"/v1/events?since={height}&max_events=1", headers=world.headers("bank-1/lender")
        )
    finally:
        writer.join()
    events = parse_sse(response.text)
    assert len(events) == 1
    data = json.loads(events[0]["data"])
    assert data["height"] == height + 1
    assert data["txs"][0]["signer"] == "mill-cn" and data["txs"][0]["status"] == "valid"


def test_bad_event_parameters_are_400(client: Any, world: World) -> None:
    for query in ("since=x", "max_events=0", "since=-5"):
        response = client.get(f"/v1/events?{query}", headers=world.headers("bank-1/lender"))
        assert response.status_code == 400, response.text
