"""The dashboard over the product's own demo (`steeltrace demo`): whatever chapters the
demo has, every page of it loads in the browser with no error and no foreign request."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from steeltrace.demo.runner import run_demo
from steeltrace.node.service import Node
from tests.browser.conftest import recorded_page, screenshot, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, str]]:
    home = Path(tmp_path_factory.mktemp("demo")) / "home"
    run_demo(home, Console(file=io.StringIO()))
    node = Node.open(home)
    try:
        with serve(node, home) as base:
            yield node, base
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


def test_every_demo_page_loads_clean(browser_context: Any, demo: tuple[Node, str]) -> None:
    node, base = demo
    for i, path in enumerate(_paths(node)):
        with recorded_page(browser_context, base) as page:
            response = page.goto(base + path, wait_until="load")
            assert response is not None and response.status == 200, path
            page.wait_for_selector("main h1")
            page.wait_for_timeout(200)
            screenshot(
                page,
                f"demo-{i:02d}-{path.strip('/').split('?')[0].replace('/', '-') or 'overview'}",
            )


def test_a_demo_transaction_verifies(browser_context: Any, demo: tuple[Node, str]) -> None:
    _, base = demo
    with recorded_page(browser_context, base) as page:
        page.goto(base + "/explorer", wait_until="load")
        box = page.locator(".verify-box").first
        box.locator("button.verify").click()
        page.wait_for_function(
            "(el) => el.dataset.checked !== undefined", arg=box.element_handle(), timeout=15_000
        )
        verdict = box.locator(".verdict")
        assert verdict.inner_text() == "verified", verdict.get_attribute("title")
