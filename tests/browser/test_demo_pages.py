"""The dashboard over the product's own demo (`steeltrace demo`): whatever chapters the
demo has, every page of it loads in the browser with no error and no foreign request,
logged in with a token the demo printed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from steeltrace.demo.runner import run_demo
from steeltrace.node.service import Node
from tests.browser.conftest import login, recorded_page, screenshot, serve

pytestmark = pytest.mark.browser


DEMO_USER = "customs-ca"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, str, str]]:
    home = Path(tmp_path_factory.mktemp("demo")) / "home"
    out = io.StringIO()
    summary = run_demo(home, Console(file=out, width=100))
    printed = out.getvalue()
    tokens = {u["org"]: u["token"] for u in summary["users"]}
    # the demo prints every user's token whole, on one line, with the login address
    assert "/login" in printed
    for org in ("customs-ca", "customs-us", "mill-ca", "trader-sg", "bank-1", "consortium-ca"):
        assert tokens[org] in printed, org
    node = Node.open(home)
    try:
        with serve(node, home) as base:
            yield node, base, tokens[DEMO_USER]
    finally:
        node.close()


def _paths(node: Node) -> list[str]:
    paths = ["/", "/monitor", "/explorer", "/organisations", f"/blocks/{node.height()}"]
    lots = node.scan("lot/", limit=3)
    paths += [f"/lots/{value['id']}" for _, value in lots]
    declarations = node.scan("declaration/", limit=1)
    if declarations:
        paths.append(f"/monitor?country={declarations[0][1].get('declared_origin', '')}")
    return paths


def test_every_demo_page_loads_clean(browser_context: Any, demo: tuple[Node, str, str]) -> None:
    node, base, token = demo
    for i, path in enumerate(_paths(node)):
        with recorded_page(browser_context, base) as page:
            login(page, token, DEMO_USER)
            response = page.goto(base + path, wait_until="load")
            assert response is not None and response.status == 200, path
            assert page.url == base + path, page.url  # not sent to the login form
            page.wait_for_selector("main h1")
            page.wait_for_timeout(200)
            screenshot(
                page,
                f"demo-{i:02d}-{path.strip('/').split('?')[0].replace('/', '-') or 'overview'}",
            )


def test_a_demo_transaction_verifies(browser_context: Any, demo: tuple[Node, str, str]) -> None:
    """Every proof on the explorer checks out: fully, or (for a transaction this user may
    not read) from the node's leaf hash; none fails."""
    _, base, token = demo
    with recorded_page(browser_context, base) as page:
        login(page, token, DEMO_USER)
        page.goto(base + "/explorer", wait_until="load")
        buttons = page.locator("button.verify")
        count = buttons.count()
        assert count > 0
        for i in range(count):
            buttons.nth(i).click()
        page.wait_for_function(
            "(n) => [...document.querySelectorAll('.verify-box')]"
            ".filter((b) => b.dataset.checked !== undefined).length === n",
            arg=count,
            timeout=15_000,
        )
        verdicts = page.eval_on_selector_all(
            ".verify-box", "(bs) => bs.map((b) => b.dataset.checked)"
        )
        assert "failed" not in verdicts, verdicts
        assert "verified" in verdicts, verdicts
