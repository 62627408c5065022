"""Logging in, scoping and logging out in a real browser: a page asked for without a
session goes to the login form and back; each user's pages show what the API shows it;
logout ends the session; a forged cookie is refused. No console error, no foreign request,
screenshots in artifacts/screenshots/login-*.png and scoped-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.dashboard.sessions import COOKIE
from tests.browser import world as story
from tests.browser.conftest import World, login_as, recorded_page, screenshot

pytestmark = pytest.mark.browser

TIMEOUT_MS = 15_000


def _expect_only_console_error(page: Any, status: int) -> None:
    """Chromium reports a document answered with an error status on the console: that
    one message is expected (and removed, so the fixture's check sees any other)."""
    errors = page.recorder.console_errors()
    assert errors == [
        f"Failed to load resource: the server responded with a status of {status}"
        f" ({'Unauthorized' if status == 401 else 'Not Found'})"
    ], errors
    page.recorder.console.clear()


def test_a_page_asked_for_without_a_session_comes_back_after_login(
    browser_context: Any, server: str, world: World
) -> None:
    with recorded_page(browser_context, server) as page:
        page.context.clear_cookies()
        page.goto(server + "/monitor?direction=all", wait_until="load")
        assert page.url.startswith(server + "/login?next=")
        assert page.locator("#who").count() == 0  # no nav, no event stream before login
        screenshot(page, "login-form")
        page.fill("#token", world.tokens["customs-ca"])
        with page.expect_navigation(wait_until="load"):
            page.click("#login-submit")
        assert page.url == server + "/monitor?direction=all"
        who = page.inner_text("#who")
        assert "analyst" in who and "customs-ca" in who and "customs" in who
        page.wait_for_selector("#chart-monthly canvas", timeout=TIMEOUT_MS)
        screenshot(page, "login-monitor-customs-ca")
        cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert world.tokens["customs-ca"] not in cookie["value"]
        assert page.evaluate("() => document.cookie") == ""  # HttpOnly: no script reads it


def test_a_bad_token_stays_on_the_login_form(
    browser_context: Any, server: str, world: World
) -> None:
    with recorded_page(browser_context, server) as page:
        page.context.clear_cookies()
        page.goto(server + "/login", wait_until="load")
        page.fill("#token", "st_0000000000000000_" + "A" * 43)
        with page.expect_navigation(wait_until="load"):
            page.click("#login-submit")
        assert "unknown, malformed or revoked" in page.inner_text("#login-error")
        assert not [c for c in page.context.cookies() if c["name"] == COOKIE]
        _expect_only_console_error(page, 401)
        screenshot(page, "login-refused")


def test_canadian_customs_monitor_holds_only_canadian_declarations(page: Any) -> None:
    page.goto(page.base + "/monitor?direction=all", wait_until="load")
    page.wait_for_selector("#chart-port canvas", timeout=TIMEOUT_MS)
    ports = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-port'))"
        ".getOption().yAxis.concat(echarts.getInstanceByDom("
        "document.getElementById('chart-port')).getOption().xAxis)"
        ".flatMap((a) => a.data || [])"
    )
    assert any("CAVAN" in p for p in ports) and not any("USLAX" in p for p in ports), ports
    text = page.inner_text("main")
    assert "4 declarations visible to customs-ca" in text
    assert story.US_DECLARATION not in page.content()
    login_as(page, "customs-us")
    page.goto(page.base + "/monitor?direction=all", wait_until="load")
    assert "1 declaration visible to customs-us" in page.inner_text("main")
    assert "CA-IMP-" not in page.content()
    screenshot(page, "scoped-monitor-customs-us")


def test_a_non_party_sees_no_price_and_a_partial_proof(page: Any, world: World) -> None:
    tx_id = story.tx_of(world.node, "contract.propose", contract_id=story.CONTRACT)
    page.goto(page.base + f"/tx/{tx_id}", wait_until="load")
    assert story.CONTRACT_PRICE not in page.content()
    assert "price is withheld" in page.inner_text("#price-withheld")
    page.locator("button.verify").first.click()
    box = page.locator(".verify-box").first
    page.wait_for_function(
        "(el) => el.dataset.checked !== undefined", arg=box.element_handle(), timeout=TIMEOUT_MS
    )
    verdict = box.locator(".verdict")
    assert verdict.inner_text() == "partly verified", verdict.get_attribute("title")
    assert "signed by orderer" in (verdict.get_attribute("title") or "")
    screenshot(page, "scoped-contract-non-party")
    login_as(page, "svc-ca")
    page.goto(page.base + f"/tx/{tx_id}", wait_until="load")
    assert story.CONTRACT_PRICE in page.inner_text("main")
    page.locator("button.verify").first.click()
    page.wait_for_function(
        "(el) => el.dataset.checked !== undefined", arg=box.element_handle(), timeout=TIMEOUT_MS
    )
    assert box.locator(".verdict").inner_text() == "verified"
    screenshot(page, "scoped-contract-buyer")


def test_a_hidden_declarations_transaction_is_not_found(page: Any, world: World) -> None:
    tx_id = story.tx_of(world.node, "customs.declare", declaration_id=story.US_DECLARATION)
    response = page.goto(page.base + f"/tx/{tx_id}", wait_until="load")
    assert response is not None and response.status == 404
    assert "Not found" in page.inner_text("main")
    assert story.US_DECLARATION not in page.content()
    _expect_only_console_error(page, 404)
    screenshot(page, "scoped-hidden-declaration-404")


def test_the_passport_hides_a_pledge_from_others(page: Any) -> None:
    page.goto(page.base + "/lots/KR-C2", wait_until="load")
    pledge = page.inner_text("#pledge")
    assert "pledged" in pledge and "P-1" not in pledge and "bank-1" not in pledge
    screenshot(page, "scoped-passport-pledge-hidden")


def test_logout_ends_the_session(page: Any) -> None:
    page.goto(page.base + "/explorer", wait_until="load")
    old = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    with page.expect_navigation(wait_until="load"):
        page.click("#logout")
    assert page.url == page.base + "/login"
    page.goto(page.base + "/explorer", wait_until="load")
    assert page.url.startswith(page.base + "/login?next=")
    # the old cookie put back by hand: the server has ended that session
    page.context.add_cookies([old])
    page.goto(page.base + "/explorer", wait_until="load")
    assert page.url.startswith(page.base + "/login?next=")


def test_a_forged_cookie_is_refused(page: Any) -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": COOKIE, "value": "forged-" + "A" * 40, "url": page.base, "httpOnly": True}]
    )
    page.goto(page.base + "/organisations", wait_until="load")
    assert page.url.startswith(page.base + "/login?next=")
    assert page.locator("#who").count() == 0
