"""The dashboard in a real browser: pages load clean, charts and graphs hold the ledger's
data, proofs verify in the page (and a tampered one fails), blocks arrive live.

Every test logs in through the login form first (the ``page`` fixture, as Canadian
customs; ``login_as`` switches user), since every page needs a session."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser import world as story
from tests.browser.conftest import World, login_as, screenshot

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


def _goto(page: Any, path: str) -> None:
    # "load", not "networkidle": the live-update event stream stays open on every page
    response = page.goto(page.base + path, wait_until="load")
    assert response is not None and response.status == 200, (path, response and response.status)


def _biggest_block(world: World) -> dict[str, Any]:
    blocks = [world.node.block(h) for h in range(1, world.node.height() + 1)]
    return max((b for b in blocks if b), key=lambda b: len(b["transactions"]))


def _some_tx(world: World) -> str:
    """The last transaction of the largest block: its proof has a non-empty audit path."""
    block = _biggest_block(world)
    assert len(block["transactions"]) > 1, "the world should have a block of several txs"
    return str(block["transactions"][-1]["tx_id"])


PAGES = [
    ("overview", "/"),
    ("monitor", "/monitor"),
    ("explorer", "/explorer"),
    ("organisations", "/organisations"),
    ("lot-galvanised", f"/lots/{story.GALVANISED}"),
    ("lot-certified", f"/lots/{story.CA_COIL}"),
    ("block-genesis", "/blocks/0"),
    ("block-1", "/blocks/1"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[n for n, _ in PAGES])
def test_page_loads_clean_and_offline(page: Any, name: str, path: str) -> None:
    _goto(page, path)
    page.wait_for_selector("main h1", timeout=TIMEOUT_MS)
    if name == "monitor":
        page.wait_for_function(_CHART_HAS_DATA, arg="chart-monthly", timeout=TIMEOUT_MS)
    if name.startswith("lot-"):
        page.wait_for_function("() => window.steeltraceGenealogy !== undefined")
    page.wait_for_timeout(300)  # let late console errors surface before the fixture checks
    screenshot(page, name)


def test_transaction_page(page: Any, world: World) -> None:
    tx_id = _some_tx(world)
    _goto(page, f"/tx/{tx_id}")
    assert tx_id in page.inner_text("main h1")
    screenshot(page, "transaction")


_CHART_HAS_DATA = """(id) => {
  const el = document.getElementById(id);
  const c = el && window.echarts && echarts.getInstanceByDom(el);
  if (!c) return false;
  const total = c.getOption().series.flatMap((s) => s.data)
    .map((d) => (typeof d === "object" && d !== null ? d.value : d))
    .reduce((a, b) => a + Number(b || 0), 0);
  return total > 0;
}"""


def _series(page: Any, chart_id: str) -> list[dict[str, Any]]:
    return page.evaluate(
        "(id) => echarts.getInstanceByDom(document.getElementById(id)).getOption().series"
        ".map((s) => ({name: s.name, data: s.data}))",
        chart_id,
    )


def test_monitor_charts_render_the_ledger(page: Any) -> None:
    _goto(page, "/monitor")
    for chart in ("chart-monthly", "chart-category", "chart-port"):
        page.wait_for_function(_CHART_HAS_DATA, arg=chart, timeout=TIMEOUT_MS)
    monthly = _series(page, "chart-monthly")
    names = {s["name"] for s in monthly}
    # the galvanised coil is declared Vietnamese, but the ledger says it was melted in China
    assert "declared origin: VN Viet Nam" in names or any("VN" in n for n in names), names
    assert any(n.startswith("melted and poured: CN") for n in names), names
    melted_cn = next(s for s in monthly if s["name"].startswith("melted and poured: CN"))
    assert sum(melted_cn["data"]) == pytest.approx(57.5)
    ports = _series(page, "chart-port")[0]["data"]
    assert sum(ports) == pytest.approx((25_000 + 24_000 + 57_500 + 26_000) / 1000)
    queue = page.inner_text("#discrepancy-queue")
    assert "CA-IMP-003" in queue and "MELT_POUR_MISMATCH" in queue and "ORIGIN_MISMATCH" in queue
    assert "CA-IMP-004" in queue and "HS_CLASS_MISMATCH" in queue
    assert "CA-IMP-001" not in queue
    assert "132.5 t" in page.inner_text("#monitor-panel")  # thousands and tonnes formatting


def test_monitor_filter_rerenders_the_panel(page: Any) -> None:
    _goto(page, "/monitor")
    page.wait_for_function(_CHART_HAS_DATA, arg="chart-monthly", timeout=TIMEOUT_MS)
    with page.expect_response(lambda r: "/monitor/panel" in r.url):
        page.select_option("select[name=country]", "KR")
    page.wait_for_function(
        "() => !document.querySelector('#discrepancy-queue').innerText.includes('CA-IMP-003')"
    )
    page.wait_for_function(_CHART_HAS_DATA, arg="chart-monthly", timeout=TIMEOUT_MS)
    names = {s["name"] for s in _series(page, "chart-monthly")}
    assert all("KR" in n for n in names), names
    assert "CA-IMP-004" in page.inner_text("#discrepancy-queue")
    assert "country=KR" in page.url and "/monitor?" in page.url  # shareable filtered view
    screenshot(page, "monitor-filtered-KR")


def test_passport_shows_genealogy_origin_and_certificates(page: Any) -> None:
    _goto(page, f"/lots/{story.GALVANISED}")
    page.wait_for_function("() => window.steeltraceGenealogy !== undefined")
    ids = page.evaluate("() => window.steeltraceGenealogy.nodes().map((n) => n.id())")
    assert len(ids) > 1
    assert {"lot:VN-GALV-1", "lot:CN-HRC-1", "lot:CN-S1", "heat:mill-cn/H1"} <= set(ids)
    text = page.inner_text("main")
    assert "CN China" in text  # origin stays Chinese: galvanising confers no origin
    assert "not pledged" in text
    _goto(page, f"/lots/{story.CA_COIL}")
    certs = page.inner_text("main")
    assert "mill-ca/MTC-1" in certs and "verified" in certs


def test_passport_record_proof_verifies(page: Any) -> None:
    login_as(page, "svc-ca")  # the pledgor: it sees its pledge
    _goto(page, "/lots/KR-C2")
    assert "P-1" in page.inner_text("main")  # pledged to bank-1
    button = page.locator("button.verify").first
    button.click()
    verdict = button.locator("xpath=following-sibling::span[1]")
    verdict.wait_for(state="visible")
    page.wait_for_function(
        "(el) => el.textContent === 'verified' || el.textContent === 'failed'",
        arg=verdict.element_handle(),
        timeout=TIMEOUT_MS,
    )
    assert verdict.inner_text() == "verified", verdict.get_attribute("title")


def _verify_first(page: Any) -> tuple[str, str | None]:
    button = page.locator("button.verify").first
    button.click()
    box = page.locator(".verify-box").first
    page.wait_for_function(
        "(el) => el.dataset.checked !== undefined", arg=box.element_handle(), timeout=TIMEOUT_MS
    )
    verdict = box.locator(".verdict")
    return verdict.inner_text(), verdict.get_attribute("title")


def test_explorer_verifies_a_proof_in_the_page(page: Any) -> None:
    login_as(page, "svc-ca")  # a party to the newest transactions (the contract)
    _goto(page, "/explorer")
    text, steps = _verify_first(page)
    assert text == "verified", steps
    assert steps is not None and "audit path" in steps and "signed by orderer" in steps
    screenshot(page, "explorer-verified")


def test_block_page_verifies_every_transaction_of_a_multi_tx_block(page: Any, world: World) -> None:
    block = _biggest_block(world)
    _goto(page, f"/blocks/{block['header']['height']}")
    buttons = page.locator("button.verify")
    count = buttons.count()
    assert count == len(block["transactions"]) > 1
    for i in range(count):
        buttons.nth(i).click()
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('.verify-box')]"
        ".filter((b) => b.dataset.checked === 'verified').length === n",
        arg=count,
        timeout=TIMEOUT_MS,
    )
    screenshot(page, "block-verified")


def _tamper(page: Any, change: Any) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        bundle = response.json()
        change(bundle)
        route.fulfill(response=response, body=json.dumps(bundle))

    page.route("**/proof/*.json", handle)


TAMPERING = {
    # what is changed in the bundle -> the check that must catch it
    "payload": "does not hash to the transaction id",
    "audit_path": "audit path does not lead to the block's tx root",
    "leaf_index": "audit path does not lead to the block's tx root",
    "status": "results do not match its results hash",
    "header": "header does not hash to the block hash",
    "signature": "signature on the block header does not verify",
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_a_tampered_proof_fails(page: Any, world: World, what: str) -> None:
    def change(b: dict[str, Any]) -> None:
        proof, block = b["proof"], b["block"]
        if what == "payload":
            b["envelope"]["payload"] = {**b["envelope"]["payload"], "tampered": True}
        elif what == "audit_path":
            proof["audit_path"] = ["ff" * 32, *proof["audit_path"][1:]]
        elif what == "leaf_index":
            proof["leaf_index"] = (proof["leaf_index"] + 1) % proof["tree_size"]
        elif what == "status":
            r = block["results"][proof["leaf_index"]]
            r[1] = "invalid" if r[1] == "valid" else "valid"
        elif what == "header":
            block["header"]["state_root"] = "00" * 32
        else:  # a signature by another key over the same header
            sig = bytearray(bytes.fromhex(block["signature"]))
            sig[0] ^= 1
            block["signature"] = sig.hex()

    _tamper(page, change)
    _goto(page, f"/tx/{_some_tx(world)}")
    text, reason = _verify_first(page)
    assert text == "failed", reason
    assert reason is not None and TAMPERING[what] in reason, reason
    if what == "payload":
        screenshot(page, "transaction-tampered-failed")


def test_blocks_arrive_live(page: Any, world: World) -> None:
    _goto(page, "/explorer")
    page.wait_for_function("() => document.querySelector('#live-block') !== null")
    page.wait_for_timeout(500)  # the event stream is connected
    before = world.node.height()
    status = world.node.submit_and_wait(
        "mill-us",
        "facility.register",
        {
            "id": "us-works",
            "name": "Gary works",
            "country": "US",
            "locode": "USCHI",
            "processes": ["melting", "casting"],
            "melt_capacity_t": 4_000_000,
        },
        timeout=30,
    )
    assert status["status"] == "valid", status
    height = status["height"]
    assert height > before
    page.wait_for_function(
        "(h) => document.querySelector('#live-block').innerText.includes('block ' + h)",
        arg=height,
        timeout=TIMEOUT_MS,
    )
    page.wait_for_function(
        "(h) => !!document.querySelector(`#explorer-latest a[href='/blocks/${h}']`)",
        arg=height,
        timeout=TIMEOUT_MS,
    )


def test_page_jcs_matches_the_core_for_every_transaction(page: Any, world: World) -> None:
    """The page's RFC 8785 encoder gives the core's bytes for every envelope on the chain."""
    from steeltrace.core.canonical import canonical_bytes

    _goto(page, "/explorer")
    envelopes = [
        world.node.tx(t["tx_id"])["tx"]
        for h in range(1, world.node.height() + 1)
        for t in (world.node.block(h) or {}).get("transactions", [])
    ]
    encoded = page.evaluate("(es) => es.map((e) => window.steeltraceProof.jcs(e))", envelopes)
    assert encoded == [canonical_bytes(e).decode("utf-8") for e in envelopes]


def test_monitor_updates_live_when_a_declaration_commits(page: Any, world: World) -> None:
    """An export declaration (so the import figures other tests read stay as they are)
    reaches the monitor's panel, filtered to all directions, by SSE and HTMX. The user is
    the service centre, which imports all four Canadian declarations and this export."""
    login_as(page, "svc-ca")
    _goto(page, "/monitor?direction=all")
    page.wait_for_function(_CHART_HAS_DATA, arg="chart-monthly", timeout=TIMEOUT_MS)
    first_tile = "#monitor-panel .tile .value"
    assert page.inner_text(first_tile) == "4"
    page.wait_for_timeout(500)  # the event stream is connected
    status = world.node.submit_and_wait(
        "mill-cn",
        "customs.declare",
        {
            "declaration_id": "CN-EXP-001",
            "direction": "export",
            "declaring_country": "CN",
            "declarant": "mill-cn",
            "importer": "svc-ca",
            "port_of_entry": "CNSGH",
            "hs": "720839",
            "declared_origin": "CN",
            "declared_melt_pour": ["CN"],
            "net_kg": 59_000,
            "customs_value": {"amount": "41300.00", "currency": "USD"},
            "lots": ["CN-HRC-2"],
            "date": "2026-11-28",
        },
        timeout=30,
    )
    assert status["status"] == "valid", status
    page.wait_for_function(
        "(sel) => document.querySelector(sel).innerText === '5'",
        arg=first_tile,
        timeout=TIMEOUT_MS,
    )
    page.wait_for_function(_CHART_HAS_DATA, arg="chart-monthly", timeout=TIMEOUT_MS)
    assert "direction=all" in page.url
