"""Every dashboard page shows its user what the API shows that user (I-18), through the
same rules (``steeltrace.api.visibility``): declarations by customs country, declarant or
importer; a contract price to its parties only; a pledge to the pledgor and the bank; a
hidden transaction is a 404 and is missing from the passport's timeline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.ledger import merkle
from tests.browser import world as story
from tests.dashboard.conftest import World, as_user

CA_DECLARATIONS = {"CA-IMP-001", "CA-IMP-002", "CA-IMP-003", "CA-IMP-004"}
PRICE = story.CONTRACT_PRICE


def _api_declarations(client: TestClient, world: World, org: str) -> set[str]:
    r = client.get("/v1/declarations?limit=200", headers=world.bearer(org))
    assert r.status_code == 200
    return {d["id"] for d in r.json()["items"]}


def _visible_count(html: str) -> int:
    found = re.search(r"(\d+) declarations? visible to", html)
    assert found, html[:3000]
    return int(found.group(1))


@pytest.mark.parametrize(
    ("org", "expected"),
    [
        ("customs-ca", CA_DECLARATIONS),
        ("customs-us", {story.US_DECLARATION}),
        ("svc-ca", CA_DECLARATIONS),  # declarant and importer of the Canadian ones
        ("mill-cn", {story.US_DECLARATION}),  # its own declaration into the US
        ("bank-1", set()),
        # a regulator (trade ministry) sees the declarations into its own country
        ("consortium-ca", CA_DECLARATIONS),
    ],
)
def test_the_monitor_aggregates_what_the_api_lets_the_user_see(
    client: TestClient, world: World, org: str, expected: set[str]
) -> None:
    assert _api_declarations(client, world, org) == expected
    as_user(client, world, org)
    html = client.get("/monitor?direction=all").text
    assert _visible_count(html) == len(expected)
    for declaration in CA_DECLARATIONS | {story.US_DECLARATION}:
        # the queue lists the flagged ones, the tooltips and options nothing else
        if declaration not in expected:
            assert declaration not in html, (org, declaration)
    overview = client.get("/").text
    tile = re.search(
        r'<div class="value">([\d,]+)</div><div class="lbl">customs declarations', overview
    )
    assert tile is not None and int(tile.group(1)) == len(expected)


def test_canadian_customs_sees_canadian_declarations_and_not_american_ones(
    client: TestClient, world: World
) -> None:
    as_user(client, world, "customs-ca")
    html = client.get("/monitor").text
    assert "CA-IMP-003" in html and "MELT_POUR_MISMATCH" in html  # the queue
    assert "132.5 t" in html  # 25 + 24 + 57.5 + 26 t declared into Canada
    assert story.US_DECLARATION not in html and "USLAX" not in html
    assert "120.0 t" not in html and "252.5 t" not in html  # the US tonnes, in no total
    panel = client.get("/monitor/panel?country=CN&direction=all").text
    assert story.US_DECLARATION not in panel and "CA-IMP-003" in panel
    as_user(client, world, "customs-us")
    us = client.get("/monitor").text
    assert "CA-IMP-" not in us and "120.0 t" in us and "CAVAN" not in us


def test_a_non_party_sees_no_contract_price(client: TestClient, world: World) -> None:
    tx_id = story.tx_of(world.node, "contract.propose", contract_id=story.CONTRACT)
    for org in ("customs-ca", "bank-1", "consortium-ca", "mill-cn"):
        api = client.get(f"/v1/transactions/{tx_id}", headers=world.bearer(org)).json()
        assert api["tx"]["payload"]["price"] is None
        as_user(client, world, org)
        page = client.get(f"/tx/{tx_id}")
        assert page.status_code == 200 and "contract.propose" in page.text
        assert PRICE not in page.text and "612.5" not in page.text, org
        assert 'id="price-withheld"' in page.text
        bundle = client.get(f"/proof/{tx_id}.json").json()
        assert bundle["withheld"] is True and bundle["envelope"]["payload"]["price"] is None
        assert PRICE not in client.get(f"/proof/{tx_id}.json").text
    for org in ("svc-ca", "mill-kr"):
        as_user(client, world, org)
        page = client.get(f"/tx/{tx_id}")
        assert PRICE in page.text and 'id="price-withheld"' not in page.text
        bundle = client.get(f"/proof/{tx_id}.json").json()
        assert bundle["withheld"] is False
        leaf = merkle.leaf_hash(canonical_bytes(bundle["envelope"]))
        assert leaf.hex() == bundle["proof"]["leaf_hash"]


def test_a_hidden_declarations_transaction_is_404_for_another_org(
    client: TestClient, world: World
) -> None:
    tx_id = story.tx_of(world.node, "customs.declare", declaration_id=story.US_DECLARATION)
    for org in ("customs-ca", "svc-ca", "bank-1", "consortium-ca"):
        assert client.get(f"/v1/transactions/{tx_id}", headers=world.bearer(org)).status_code == 404
        as_user(client, world, org)
        page = client.get(f"/tx/{tx_id}")
        assert page.status_code == 404 and "Not found" in page.text, org
        assert story.US_DECLARATION not in page.text and "USLAX" not in page.text
        # as absent as an unknown id: the same page but for the id
        unknown = client.get("/tx/" + "f" * 64).text
        assert page.text.replace(tx_id, "f" * 64) == unknown
        # search does not tell it exists
        assert client.get(f"/search?q={tx_id}").status_code == 404
        # the proof still verifies from the leaf hash, and carries nothing of it
        bundle = client.get(f"/proof/{tx_id}.json")
        assert bundle.status_code == 200 and bundle.json()["withheld"] is True
        assert bundle.json()["envelope"] is None and story.US_DECLARATION not in bundle.text
        # nor does the block page show more than the API's block listing
        assert (
            story.US_DECLARATION
            not in client.get(f"/blocks/{bundle.json()['proof']['block_height']}").text
        )
    for org in ("customs-us", "mill-cn"):
        as_user(client, world, org)
        page = client.get(f"/tx/{tx_id}")
        assert page.status_code == 200 and story.US_DECLARATION in page.text
        assert client.get(f"/search?q={tx_id}").headers["location"] == f"/tx/{tx_id}"


def test_the_pledge_shows_on_the_passport_only_for_pledgor_and_bank(
    client: TestClient, world: World
) -> None:
    pledge_tx = story.tx_of(world.node, "pledge.create", pledge_id="P-1")
    accept_tx = story.tx_of(world.node, "pledge.accept", pledge_id="P-1")
    for org in ("svc-ca", "bank-1"):
        as_user(client, world, org)
        html = client.get("/lots/KR-C2").text
        assert "P-1" in html and "bank-1" in html
        timeline = html.split('class="timeline-table"', 1)[1]
        assert pledge_tx in timeline and accept_tx in timeline
    for org in ("customs-ca", "mill-kr", "consortium-ca"):
        assert client.get("/v1/pledges/P-1", headers=world.bearer(org)).status_code == 404
        as_user(client, world, org)
        html = client.get("/lots/KR-C2").text
        assert '<span class="badge warn">pledged</span>' in html  # the lot says it is
        assert "P-1" not in html and "15000" not in html and "15,000" not in html, org
        timeline = html.split('class="timeline-table"', 1)[1]
        assert pledge_tx not in timeline and accept_tx not in timeline
        # (the lot record, which all may read as in the API, names the transaction that
        # last changed it; that transaction's page is a 404 to them)
        for tx_id in (pledge_tx, accept_tx):
            assert client.get(f"/tx/{tx_id}").status_code == 404


def test_the_passport_timeline_holds_only_visible_transactions(
    client: TestClient, world: World
) -> None:
    """CN-S2 is declared into the US: its passport shows that declaration to US customs and
    the declarant, and not to Canadian customs."""
    declare = story.tx_of(world.node, "customs.declare", declaration_id=story.US_DECLARATION)
    as_user(client, world, "customs-us")
    assert declare in client.get("/lots/CN-S2").text.split('class="timeline-table"', 1)[1]
    as_user(client, world, "customs-ca")
    html = client.get("/lots/CN-S2").text
    assert "CN-S2" in html and declare not in html.split('class="timeline-table"', 1)[1]


def test_the_nav_bar_says_who_is_logged_in(client: TestClient, world: World) -> None:
    as_user(client, world, "bank-1")
    html = client.get("/organisations").text
    who = re.search(r'<div class="who".*?</div>', html, re.S)
    assert who is not None
    text: Any = who.group(0)
    assert "officer" in text and "bank-1" in text and ">bank<" in text
    assert 'action="/logout"' in text
