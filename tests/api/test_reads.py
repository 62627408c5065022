"""Reads: every record endpoint, pagination, the chain, traces and origin reports."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.core.certificates.verification import verify_certificate
from steeltrace.core.ledger import merkle
from tests.api.test_auth import assert_problem
from tests.api.world import World

READER = "bank-2/lender"


def get(client: Any, world: World, path: str, user: str = READER) -> Any:
    response = client.get(path, headers=world.headers(user))
    assert response.status_code == 200, (path, response.text)
    return response.json()


def test_me(client: Any, world: World) -> None:
    me = get(client, world, "/v1/me", "customs-ca/officer")
    assert me["org"] == "customs-ca" and me["role"] == "customs"
    assert me["organisation"]["country"] == "CA"


@pytest.mark.parametrize(
    ("path", "ids"),
    [
        ("/v1/organisations/mill-cn", {"id": "mill-cn"}),
        ("/v1/facilities/cn-works", {"id": "cn-works", "org": "mill-cn"}),
        ("/v1/heats/mill-cn/H1", {"id": "mill-cn/H1", "country": "CN"}),
        ("/v1/lots/L1", {"id": "L1", "owner": "svc-ca", "heat": "mill-cn/H1"}),
        ("/v1/contracts/K1", {"id": "K1", "status": "accepted"}),
    ],
)
def test_single_records(client: Any, world: World, path: str, ids: dict[str, Any]) -> None:
    record = get(client, world, path)
    for key, value in ids.items():
        assert record[key] == value


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/v1/organisations/nobody", "ORGANISATION_NOT_FOUND"),
        ("/v1/facilities/none", "FACILITY_NOT_FOUND"),
        ("/v1/heats/mill-cn/H404", "HEAT_NOT_FOUND"),
        ("/v1/lots/L404", "LOT_NOT_FOUND"),
        ("/v1/lots/L404/trace", "LOT_NOT_FOUND"),
        ("/v1/lots/L404/origin", "LOT_NOT_FOUND"),
        ("/v1/certificates/C404", "CERTIFICATE_NOT_FOUND"),
        ("/v1/contracts/K404", "CONTRACT_NOT_FOUND"),
        ("/v1/shipments/S404", "SHIPMENT_NOT_FOUND"),
        ("/v1/declarations/D404", "DECLARATION_NOT_FOUND"),
        ("/v1/receipts/R404", "RECEIPT_NOT_FOUND"),
        ("/v1/pledges/P404", "PLEDGE_NOT_FOUND"),
        ("/v1/blocks/99999", "BLOCK_NOT_FOUND"),
        ("/v1/blocks/-1", "BLOCK_NOT_FOUND"),
        ("/v1/transactions/" + "0" * 64, "TX_NOT_FOUND"),
        ("/v1/transactions/nothex", "TX_NOT_FOUND"),
        ("/v1/transactions/" + "0" * 64 + "/status", "TX_NOT_FOUND"),
        ("/v1/transactions/" + "0" * 64 + "/proof", "TX_NOT_FOUND"),
        ("/v1/no-such-route", "NOT_FOUND"),
    ],
)
def test_missing_things_are_404_problems(client: Any, world: World, path: str, code: str) -> None:
    assert_problem(client.get(path, headers=world.headers(READER)), 404, code)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/organisations", 18),
        ("/v1/facilities", 1),
        ("/v1/heats", 1),
        ("/v1/lots", 3),
        ("/v1/contracts", 1),
        ("/v1/shipments", 0),
        ("/v1/receipts", 0),
        ("/v1/certificates", 1),
    ],
)
def test_lists(client: Any, world: World, path: str, expected: int) -> None:
    page = get(client, world, path)
    assert len(page["items"]) == expected and page["next_cursor"] is None


def test_pagination_walks_every_record_once(client: Any, world: World) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        url = "/v1/organisations?limit=5" + (f"&cursor={cursor}" if cursor else "")
        page = get(client, world, url)
        assert len(page["items"]) <= 5
        seen.extend(o["id"] for o in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 18


def test_a_page_that_ends_exactly_has_no_cursor(client: Any, world: World) -> None:
    first = get(client, world, "/v1/lots?limit=3")
    assert len(first["items"]) == 3 and first["next_cursor"] is None
    two = get(client, world, "/v1/lots?limit=2")
    rest = get(client, world, f"/v1/lots?limit=2&cursor={two['next_cursor']}")
    assert [x["id"] for x in two["items"] + rest["items"]] == ["L1", "L2", "L3"]
    assert rest["next_cursor"] is None


def test_a_filtered_page_keeps_its_cursor(client: Any, world: World) -> None:
    page = get(client, world, "/v1/declarations?limit=1", "customs-us/officer")
    ids = [d["id"] for d in page["items"]]
    while page["next_cursor"]:
        page = get(
            client,
            world,
            f"/v1/declarations?limit=1&cursor={page['next_cursor']}",
            "customs-us/officer",
        )
        ids += [d["id"] for d in page["items"]]
    assert ids == ["D-US"]


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=201", "limit=x", "cursor=!!!", "cursor=b3JnL2Fh%FF", "cursor=bG90L0wx"],
)
def test_bad_pagination_parameters_are_400(client: Any, world: World, query: str) -> None:
    response = client.get(f"/v1/organisations?{query}", headers=world.headers(READER))
    assert response.status_code == 400, response.text
    assert response.json()["code"] in ("QUERY_INVALID", "CURSOR_INVALID", "LIMIT_INVALID")


def test_blocks_newest_first_with_cursor(client: Any, world: World) -> None:
    height = world.node.height()
    page = get(client, world, "/v1/blocks?limit=4")
    assert [b["height"] for b in page["items"]] == list(range(height, height - 4, -1))
    heights = [b["height"] for b in page["items"]]
    while page["next_cursor"]:
        page = get(client, world, f"/v1/blocks?limit=4&cursor={page['next_cursor']}")
        heights += [b["height"] for b in page["items"]]
    assert heights == list(range(height, -1, -1))
    assert_problem(
        client.get("/v1/blocks?cursor=bG90L0wx", headers=world.headers(READER)),
        400,
        "CURSOR_INVALID",
    )


def test_a_block_and_its_transactions(client: Any, world: World) -> None:
    block = get(client, world, "/v1/blocks/1")
    assert block["header"]["height"] == 1 and block["block_hash"]
    assert block["transactions"][0]["type"] == "facility.register"
    tx_id = block["transactions"][0]["tx_id"]
    tx = get(client, world, f"/v1/transactions/{tx_id}")
    assert tx["block_height"] == 1 and tx["tx"]["payload"]["id"] == "cn-works"
    status = get(client, world, f"/v1/transactions/{tx_id}/status")
    assert status["status"] == "valid" and status["height"] == 1


def test_a_proof_verifies_against_the_block(client: Any, world: World) -> None:
    block = get(client, world, "/v1/blocks/3")
    tx_id = block["transactions"][0]["tx_id"]
    proof = get(client, world, f"/v1/transactions/{tx_id}/proof")
    assert proof["root"] == block["header"]["tx_root"]
    assert proof["block_hash"] == block["block_hash"]
    merkle.verify_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        bytes.fromhex(proof["leaf_hash"]),
        [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(block["header"]["tx_root"]),
    )


def test_trace_of_a_lot(client: Any, world: World) -> None:
    trace = get(client, world, "/v1/lots/L1/trace")
    assert trace["root"] == "L1" and trace["truncated"] is False
    assert trace["nodes"][0]["lot"] == "L1" and trace["nodes"][0]["heat"] == "mill-cn/H1"


def test_origin_of_a_lot(client: Any, world: World) -> None:
    report = get(client, world, "/v1/lots/L1/origin")
    assert "CN" in str(report)
    assert_problem(
        client.get("/v1/lots/L1/origin?regime=nope", headers=world.headers(READER)),
        400,
        "REGIME_UNKNOWN",
    )


def test_declarations_and_pledges_for_their_parties(client: Any, world: World) -> None:
    decl = get(client, world, "/v1/declarations/D-CA", "customs-ca/officer")
    assert decl["declaring_country"] == "CA" and decl["importer"] == "svc-ca"
    assert get(client, world, "/v1/pledges/P1", "bank-1/lender")["pledgor"] == "svc-ca"


def test_certificate_verification_is_wired(client: Any, world: World) -> None:
    """verify_certificate is the certificates engineer's; the endpoint calls it."""
    assert verify_certificate(world.node, "C404")["status"] == "unknown"
    assert_problem(
        client.get("/v1/certificates/C404", headers=world.headers(READER)),
        404,
        "CERTIFICATE_NOT_FOUND",
    )


def test_a_certificate_with_its_verification(client: Any, world: World) -> None:
    body = get(client, world, "/v1/certificates/mill-cn/MTC-1")
    assert body["certificate"]["heat"] == "mill-cn/H1"
    verification = body["verification"]
    assert verification == verify_certificate(world.node, "mill-cn/MTC-1")
    assert verification["cert_id"] == "mill-cn/MTC-1" and verification["status"] == "valid"
    assert verification["valid"] is True, verification


def test_health_needs_no_token(client: Any, world: World) -> None:
    health = client.get("/health").json()
    assert health == {
        "status": "ok",
        "chain_id": world.node.chain_id,
        "height": world.node.height(),
    }
