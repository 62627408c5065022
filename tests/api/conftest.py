"""Fixtures for the API tests: a real embedded node with a small world, and a client.

Each test module gets its own node home (module scope), so write tests in one module
cannot disturb the reads another module checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient  # uses httpx2 (a dev pin)

from steeltrace.api.app import create_app
from tests.api.world import World, build


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home: Path = tmp_path_factory.mktemp("home")
    w = build(home)
    try:
        yield w
    finally:
        w.node.close()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    app = create_app(world.node, home=world.home)
    with TestClient(app) as c:
        yield c
