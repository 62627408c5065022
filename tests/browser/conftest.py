"""Fixtures for the dashboard tests: a real node, the real app on uvicorn, Debian Chromium.

* ``world``  - a node home built by :mod:`tests.browser.world` (real transactions), with
  one API user per organisation in :data:`USERS` and their tokens (the dashboard needs a
  login: :func:`login` fills in the login form in the browser, :func:`http_login` posts
  it over plain HTTP);
* ``server`` - ``steeltrace.api.app.create_app`` served by uvicorn on 127.0.0.1 on a free
  port, in a background thread, for the whole session;
* ``page``   - a fresh Playwright page in headless /usr/bin/chromium (Playwright cannot
  download its own browser here; ``scripts/ensure-chromium.sh`` installs Debian's). Every
  request and console message is recorded; after the test, any console error, page error
  or request to a host other than the test server fails it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from steeltrace.api.users import UserStore
from steeltrace.node.service import Node
from tests.browser import world as story

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


# organisation -> (user name, role): the dashboard users the tests log in as
USERS = {
    "customs-ca": ("analyst", "customs"),
    "customs-us": ("analyst", "customs"),
    "svc-ca": ("buyer", "buyer"),
    "bank-1": ("officer", "bank"),
    "mill-kr": ("sales", "mill"),
    "mill-cn": ("ops", "mill"),
    "consortium-ca": ("regulator", "regulator"),
}
DEFAULT_USER = "customs-ca"


@dataclass
class World:
    home: Path
    node: Node
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("dashboard-home")
    node = story.build(home)
    try:
        with UserStore.in_home(home) as store:
            tokens = {
                org: store.add(node, org, name, role)[1] for org, (name, role) in USERS.items()
            }
        yield World(home, node, tokens)
    finally:
        node.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(node: Node, home: Path) -> Iterator[str]:
    """The real app (API + dashboard) for ``node`` on uvicorn, 127.0.0.1, a free port."""
    import uvicorn

    from steeltrace.api.app import create_app

    app = create_app(node, home=home)
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name=f"dashboard-server-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="session")
def server(world: World) -> Iterator[str]:
    with serve(world.node, world.home) as base:
        yield base


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        # `make test` installs it first; a missing browser is a failure, never a skip
        pytest.fail(f"{CHROMIUM} is not installed (run scripts/ensure-chromium.sh)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    pw = sync_playwright().start()
    try:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1366, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
    finally:
        pw.stop()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class Recorder:
    """What a page did: every request URL, console message and uncaught page error."""

    base: str
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        allowed = urlsplit(self.base).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != allowed
        ]

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]


@contextlib.contextmanager
def recorded_page(context: Any, base: str) -> Iterator[Any]:
    """A new page that records requests, console messages and page errors, and fails on
    any error or any request to a host other than ``base`` when it closes."""
    pg = context.new_page()
    rec = Recorder(base)
    pg.on("request", lambda r: rec.requests.append(r.url))
    pg.on("console", lambda m: rec.console.append((m.type, m.text)))
    pg.on("pageerror", lambda e: rec.errors.append(str(e)))
    pg.recorder = rec
    pg.base = base
    try:
        yield pg
    finally:
        pg.close()
    assert rec.errors == [], f"uncaught page errors: {rec.errors}"
    assert rec.console_errors() == [], f"console errors: {rec.console_errors()}"
    assert rec.foreign_requests() == [], f"requests to other hosts: {rec.foreign_requests()}"


def login(page: Any, token: str, who: str | None = None) -> None:
    """Log in through the dashboard's own form, as a person does (a fresh session)."""
    page.context.clear_cookies()
    response = page.goto(page.base + "/login", wait_until="load")
    assert response is not None and response.status == 200
    page.fill("#token", token)
    with page.expect_navigation(wait_until="load"):
        page.click("#login-submit")
    if who is not None:
        assert who in page.inner_text("#who"), page.content()[:2000]


def http_login(client: Any, token: str) -> None:
    """Log an httpx client in over plain HTTP (the form's POST); it keeps the cookie."""
    r = client.post("/login", data={"token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:2000]


@pytest.fixture
def page(browser_context: Any, server: str, world: World) -> Iterator[Any]:
    """A recorded page logged in as :data:`DEFAULT_USER` (``login(page, ...)`` switches)."""
    with recorded_page(browser_context, server) as pg:
        pg.tokens = world.tokens
        login(pg, world.tokens[DEFAULT_USER], DEFAULT_USER)
        yield pg


def login_as(page: Any, org: str) -> None:
    login(page, page.tokens[org], org)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
