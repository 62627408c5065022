"""Authentication (401) and authorisation (403) at the API, each leaving the state as it
was (I-06, I-07, I-18)."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.core.contracts.registry import all_specs
from steeltrace.core.ledger.transaction import sign
from tests.api.world import World

GET_PATHS = [
    "/v1/me",
    "/v1/organisations",
    "/v1/organisations/mill-cn",
    "/v1/facilities",
    "/v1/facilities/cn-works",
    "/v1/heats",
    "/v1/heats/mill-cn/H1",
    "/v1/lots",
    "/v1/lots/L1",
    "/v1/lots/L1/trace",
    "/v1/lots/L1/origin",
    "/v1/certificates",
    "/v1/certificates/C1",
    "/v1/contracts",
    "/v1/contracts/K1",
    "/v1/shipments",
    "/v1/declarations",
    "/v1/declarations/D-CA",
    "/v1/receipts",
    "/v1/pledges",
    "/v1/pledges/P1",
    "/v1/blocks",
    "/v1/blocks/0",
    "/v1/transactions/" + "0" * 64,
    "/v1/transactions/" + "0" * 64 + "/status",
    "/v1/transactions/" + "0" * 64 + "/proof",
    "/v1/events",
]


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert {"type", "title", "detail", "instance"} <= set(body)
    return dict(body)


@pytest.mark.parametrize("path", GET_PATHS)
def test_every_read_needs_a_token(client: Any, path: str) -> None:
    response = client.get(path)
    assert_problem(response, 401, "AUTH_REQUIRED")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", GET_PATHS[:5])
def test_a_bad_token_is_401(client: Any, path: str) -> None:
    assert_problem(
        client.get(path, headers={"Authorization": "Bearer st_nope"}), 401, "AUTH_INVALID"
    )
    assert_problem(client.get(path, headers={"Authorization": "Basic abc"}), 401, "AUTH_SCHEME")


@pytest.mark.parametrize("path", ["/v1/transactions", "/v1/tx/facility.register"])
def test_every_write_needs_a_token(client: Any, world: World, path: str) -> None:
    before = world.root()
    assert_problem(client.post(path, content=b"{}"), 401, "AUTH_REQUIRED")
    assert world.root() == before


def test_a_revoked_token_is_401(client: Any, world: World) -> None:
    from steeltrace.api.users import add_user, revoke_user

    token = add_user(world.home, "mill-kr", "temp", "mill", node=world.node)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/me", headers=headers).status_code == 200
    revoke_user(world.home, "mill-kr", "temp")
    assert_problem(client.get("/v1/me", headers=headers), 401, "AUTH_INVALID")


def test_viewer_may_read_but_not_write(client: Any, world: World) -> None:
    headers = world.headers("svc-ca/looker")
    assert client.get("/v1/lots", headers=headers).status_code == 200
    before = world.root()
    response = client.post("/v1/tx/contract.accept", headers=headers, json={"contract_id": "K1"})
    assert_problem(response, 403, "ROLE_READ_ONLY")
    assert world.root() == before


def _roles_of_users() -> dict[str, str]:
    from tests.api.world import USERS

    return {f"{org}/{name}": role for org, name, role in USERS if role != "viewer"}


FORBIDDEN_PAIRS = [
    (user, spec.tx_type)
    for user, role in sorted(_roles_of_users().items())
    for spec in all_specs()
    if spec.roles is not None and role not in spec.roles
]


@pytest.mark.parametrize(("user", "tx_type"), FORBIDDEN_PAIRS)
def test_i06_every_role_against_every_type_it_may_not_send(
    client: Any, world: World, user: str, tx_type: str
) -> None:
    before = (world.root(), world.node.height())
    response = client.post(f"/v1/tx/{tx_type}", headers=world.headers(user), json={})
    body = assert_problem(response, 403, "ROLE_NOT_PERMITTED")
    assert tx_type in body["detail"]
    assert (world.root(), world.node.height()) == before


def test_a_user_role_narrower_than_its_organisation(client: Any, world: World) -> None:
    """svc-ca holds processor and buyer; its 'buyer' user may not transform lots."""
    before = world.root()
    response = client.post("/v1/tx/lot.transform", headers=world.headers("svc-ca/buyer"), json={})
    assert_problem(response, 403, "ROLE_NOT_PERMITTED")
    assert world.root() == before


def test_unknown_type_is_404(client: Any, world: World) -> None:
    response = client.post("/v1/tx/no.such", headers=world.headers("mill-cn/melter"), json={})
    assert_problem(response, 404, "TX_TYPE_UNKNOWN")


def _envelope_signed_by(world: World, org: str, payload: dict[str, Any]) -> dict[str, Any]:
    from steeltrace.core import schema
    from steeltrace.node.service import utc_now

    tx = sign(
        world.node.signing_key(org),
        chain_id=world.node.chain_id,
        tx_type="facility.register",
        payload=payload,
        org=org,
        created_at=schema.format_time(utc_now()),
    )
    return tx.envelope()


def test_i07_envelope_of_another_org_is_403(client: Any, world: World) -> None:
    envelope = _envelope_signed_by(
        world,
        "mill-ca",
        {
            "id": "ca-yard",
            "name": "Yard",
            "country": "CA",
            "locode": "CAHAM",
            "processes": ["cutting"],
        },
    )
    before = world.root()
    response = client.post(
        "/v1/transactions", headers=world.headers("mill-cn/melter"), json=envelope
    )
    body = assert_problem(response, 403, "ORG_MISMATCH")
    assert "mill-ca" in body["detail"] and "mill-cn" in body["detail"]
    assert world.root() == before
    assert world.node.get("facility/ca-yard") is None


def test_i07_payload_naming_another_org_is_rejected_by_the_ledger(
    client: Any, world: World
) -> None:
    """A contract in which the signer is neither party: the token's org signs, the
    ledger refuses."""
    before = world.root()
    response = client.post(
        "/v1/tx/contract.propose",
        headers=world.headers("trader-sg/dealer"),
        json={
            "contract_id": "K-X",
            "buyer": "svc-ca",
            "seller": "mill-cn",
            "spec": {"grade": "S355JR", "form": "coil", "hs": "720839", "dimensions": {}},
            "quantity_kg": 1000,
            "tolerance_pct": 0,
            "price": {"amount": "1.00", "currency": "USD", "per": "t"},
            "incoterm": "CIF",
            "delivery": {
                "place": "CAVAN",
                "window_start": "2026-01-01",
                "window_end": "2026-12-31",
            },
        },
    )
    assert_problem(response, 409, "CONTRACT_NOT_PARTY")
    assert world.root() == before


def test_i18_customs_of_ca_does_not_see_us_declarations(client: Any, world: World) -> None:
    headers = world.headers("customs-ca/officer")
    ids = [d["id"] for d in client.get("/v1/declarations", headers=headers).json()["items"]]
    assert ids == ["D-CA"]
    assert_problem(
        client.get("/v1/declarations/D-US", headers=headers), 404, "DECLARATION_NOT_FOUND"
    )
    us = world.headers("customs-us/officer")
    assert [d["id"] for d in client.get("/v1/declarations", headers=us).json()["items"]] == ["D-US"]


def test_i18_a_regulator_sees_its_own_countrys_declarations(client: Any, world: World) -> None:
    def ids(user: str) -> list[str]:
        response = client.get("/v1/declarations", headers=world.headers(user))
        return [d["id"] for d in response.json()["items"]]

    assert ids("consortium-ca/analyst") == ["D-CA"]  # a CA trade ministry: imports into CA
    assert ids("consortium-eu/clerk") == []  # an admin organisation has no wider view
    assert_problem(
        client.get("/v1/declarations/D-US", headers=world.headers("consortium-ca/analyst")),
        404,
        "DECLARATION_NOT_FOUND",
    )


def test_i18_other_orgs_see_only_their_own_declarations(client: Any, world: World) -> None:
    def ids(user: str) -> list[str]:
        response = client.get("/v1/declarations", headers=world.headers(user))
        return [d["id"] for d in response.json()["items"]]

    assert ids("svc-ca/buyer") == ["D-CA"]
    assert ids("svc-ca/looker") == ["D-CA"]
    assert ids("trader-sg/dealer") == ["D-US"]
    assert ids("mill-cn/melter") == []
    assert ids("bank-1/lender") == []


def test_i18_a_non_party_does_not_see_the_price(client: Any, world: World) -> None:
    seen = client.get("/v1/contracts/K1", headers=world.headers("trader-sg/dealer")).json()
    assert seen["price"] is None and seen["price_redacted"] is True
    assert seen["buyer"] == "svc-ca"
    listed = client.get("/v1/contracts", headers=world.headers("bank-2/lender")).json()["items"]
    assert [c["price"] for c in listed] == [None]
    assert "612.50" not in client.get("/v1/contracts", headers=world.headers("bank-2/lender")).text
    for party in ("svc-ca/buyer", "mill-cn/melter"):
        record = client.get("/v1/contracts/K1", headers=world.headers(party)).json()
        assert record["price"]["amount"] == "612.50" and "price_redacted" not in record


def test_i18_the_price_does_not_leak_through_the_transaction(client: Any, world: World) -> None:
    proposal = next(
        t
        for h in range(1, world.node.height() + 1)
        for t in world.node.block(h)["transactions"]
        if t["type"] == "contract.propose"
    )
    other = client.get(
        f"/v1/transactions/{proposal['tx_id']}", headers=world.headers("bank-2/lender")
    )
    assert other.status_code == 200 and "612.50" not in other.text
    assert other.json()["tx"]["price_redacted"] is True
    party = client.get(
        f"/v1/transactions/{proposal['tx_id']}", headers=world.headers("svc-ca/buyer")
    )
    assert "612.50" in party.text


def test_i18_pledges_are_for_the_owner_and_the_bank(client: Any, world: World) -> None:
    for user in ("svc-ca/buyer", "bank-1/lender"):
        response = client.get("/v1/pledges/P1", headers=world.headers(user))
        assert response.status_code == 200 and response.json()["bank"] == "bank-1"
        listed = client.get("/v1/pledges", headers=world.headers(user)).json()["items"]
        assert [p["id"] for p in listed] == ["P1"]
    for user in ("bank-2/lender", "mill-cn/melter", "customs-ca/officer"):
        assert_problem(
            client.get("/v1/pledges/P1", headers=world.headers(user)), 404, "PLEDGE_NOT_FOUND"
        )
        assert client.get("/v1/pledges", headers=world.headers(user)).json()["items"] == []


def test_i18_private_transactions_are_404_to_others(client: Any, world: World) -> None:
    declare_us = world.node.get("declaration/D-US")["tx_id"]
    pledge = world.node.get("pledge/P1")["tx_id"]
    assert (
        client.get(
            f"/v1/transactions/{declare_us}", headers=world.headers("customs-us/officer")
        ).status_code
        == 200
    )
    assert_problem(
        client.get(f"/v1/transactions/{declare_us}", headers=world.headers("customs-ca/officer")),
        404,
        "TX_NOT_FOUND",
    )
    assert (
        client.get(f"/v1/transactions/{pledge}", headers=world.headers("bank-1/lender")).status_code
        == 200
    )
    assert_problem(
        client.get(f"/v1/transactions/{pledge}", headers=world.headers("bank-2/lender")),
        404,
        "TX_NOT_FOUND",
    )


def test_i18_a_customs_decision_is_seen_as_its_declaration(client: Any, world: World) -> None:
    decision = next(
        t["tx_id"]
        for h in range(1, world.node.height() + 1)
        for t in world.node.block(h)["transactions"]
        if t["type"] == "customs.decide"
    )
    for user in ("customs-ca/officer", "svc-ca/buyer"):
        response = client.get(f"/v1/transactions/{decision}", headers=world.headers(user))
        assert response.status_code == 200, (user, response.text)
        assert response.json()["tx"]["payload"]["declaration_id"] == "D-CA"
    for user in ("customs-us/officer", "trader-sg/dealer"):
        assert_problem(
            client.get(f"/v1/transactions/{decision}", headers=world.headers(user)),
            404,
            "TX_NOT_FOUND",
        )
    # The block still lists it (type, signer, result), without the payload.
    height = client.get(
        f"/v1/transactions/{decision}/status", headers=world.headers("customs-us/officer")
    ).json()["height"]
    block = client.get(f"/v1/blocks/{height}", headers=world.headers("customs-us/officer")).json()
    assert "payload" not in block["transactions"][0]
