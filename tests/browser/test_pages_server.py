"""The dashboard's pages as HTML, over HTTP without a browser: they render from the ledger, name no
other host, and the proof bundle the pages check verifies with the core's own Merkle code.
The client is logged in as Canadian customs (``conftest.DEFAULT_USER``); what each user may
see is tested in ``test_scoping.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.ledger import merkle
from tests.browser import world as story
from tests.browser.conftest import DEFAULT_USER, World, http_login

PAGES = [
    "/",
    "/monitor",
    "/monitor/panel?country=CN",
    "/monitor/panel?from=2026-09&to=2026-10&category=flat",
    "/explorer",
    "/explorer/latest",
    "/organisations",
    f"/lots/{story.GALVANISED}",
    f"/lots/{story.KR_COIL}",
    f"/lots/{story.CA_COIL}",
    "/blocks/0",
    "/blocks/1",
]
_EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def client(server: str, world: World) -> Iterator[httpx.Client]:
    """Plain HTTP against the same uvicorn server the browser tests use, logged in."""
    with httpx.Client(base_url=server, timeout=30) as c:
        http_login(c, world.tokens[DEFAULT_USER])
        yield c


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_and_names_no_other_host(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:2000]
    assert r.headers["content-type"].startswith("text/html")
    assert not _EXTERNAL.search(r.text), _EXTERNAL.search(r.text)


def test_numbers_and_codes_are_for_people(client: httpx.Client) -> None:
    html = client.get("/monitor").text
    assert "132.5 t" in html  # 132,500 kg declared in all
    assert "CN China" in html and "CAVAN Vancouver" in html
    assert "Pipe and tube" not in html  # only categories present are offered
    lot = client.get(f"/lots/{story.GALVANISED}").text
    assert "57.500 t" in lot and "7210.49" in lot


@pytest.mark.parametrize("path", ["/lots/NO-SUCH-LOT", "/blocks/99999", "/tx/" + "0" * 64])
def test_unknown_records_are_404_pages(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and "Not found" in r.text


def test_search_redirects_to_the_record(client: httpx.Client, world: World) -> None:
    assert client.get("/search?q=3", follow_redirects=False).headers["location"] == "/blocks/3"
    lot = client.get(f"/search?q={story.KR_COIL}", follow_redirects=False)
    assert lot.headers["location"] == f"/lots/{story.KR_COIL}"
    tx_id = world.node.block(1)["transactions"][0]["tx_id"]
    assert client.get(f"/search?q={tx_id}", follow_redirects=False).headers["location"] == (
        f"/tx/{tx_id}"
    )


def _all_tx_ids(world: World) -> list[str]:
    return [
        t["tx_id"]
        for h in range(1, world.node.height() + 1)
        for t in (world.node.block(h) or {}).get("transactions", [])
    ]


def test_every_proof_bundle_verifies_with_the_core(client: httpx.Client, world: World) -> None:
    withheld = 0
    for tx_id in _all_tx_ids(world):
        b: dict[str, Any] = client.get(f"/proof/{tx_id}.json").json()
        p, header = b["proof"], b["block"]["header"]
        if b["withheld"]:
            # not this user's to see (a pledge, another country's declaration, a price):
            # the audit path still leads from the node's leaf hash to the signed root
            withheld += 1
            leaf = bytes.fromhex(p["leaf_hash"])
        else:
            leaf = merkle.leaf_hash(canonical_bytes(b["envelope"]))
            assert leaf.hex() == p["leaf_hash"]
        merkle.verify_inclusion(
            p["leaf_index"],
            p["tree_size"],
            leaf,
            [bytes.fromhex(h) for h in p["audit_path"]],
            bytes.fromhex(header["tx_root"]),
        )
        assert b["block"]["results"][p["leaf_index"]][0] == tx_id
        assert b["orderer"]["id"] == header["orderer"]
    assert withheld >= 4  # pledge.create, pledge.accept, the US declaration, the contract


def test_unknown_proof_is_404(client: httpx.Client) -> None:
    assert client.get("/proof/" + "0" * 64 + ".json").status_code == 404


def test_static_assets_are_served_from_the_package(client: httpx.Client) -> None:
    for asset in (
        "vendor/htmx.min.js",
        "vendor/echarts.min.js",
        "vendor/cytoscape.min.js",
        "css/dashboard.css",
        "js/proof.js",
    ):
        r = client.get(f"/static/{asset}")
        assert r.status_code == 200 and len(r.content) > 100, asset


def test_open_event_streams_do_not_starve_the_pages(server: str, client: httpx.Client) -> None:
    """Sixty open pages (more than the 40 worker threads that render pages) each hold an
    event stream; a page still renders at once."""
    import contextlib

    with contextlib.ExitStack() as stack:
        clients = [
            stack.enter_context(httpx.Client(base_url=server, timeout=10, cookies=client.cookies))
            for _ in range(60)
        ]
        for c in clients:
            r = stack.enter_context(c.stream("GET", "/events/blocks"))
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
        with httpx.Client(base_url=server, timeout=5, cookies=client.cookies) as c:
            assert c.get("/explorer").status_code == 200
