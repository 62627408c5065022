"""Fixtures for the dashboard's login and scoping tests: the browser tests' world (real
transactions on an embedded node), one API user per organisation of interest, and the
real app (API + dashboard) behind Starlette's TestClient, no browser.

``as_user(client, org)`` logs the client in through the login form's POST (a fresh
session; the previous cookie is dropped first); ``client.cookies.clear()`` logs it out of
the browser's point of view without ending the session on the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from steeltrace.api.app import create_app
from steeltrace.api.users import UserStore
from steeltrace.node.service import Node
from tests.browser import world as story
from tests.browser.conftest import USERS


@dataclass
class World:
    home: Path
    node: Node
    tokens: dict[str, str]

    def bearer(self, org: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[org]}"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("dashboard-auth")
    node = story.build(home)
    try:
        with UserStore.in_home(home) as store:
            tokens = {org: store.add(node, org, n, r)[1] for org, (n, r) in USERS.items()}
        yield World(home, node, tokens)
    finally:
        node.close()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    app = create_app(world.node, home=world.home)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def as_user(client: TestClient, world: World, org: str) -> None:
    client.cookies.clear()
    r = client.post("/login", data={"token": world.tokens[org], "next": "/"})
    assert r.status_code == 303, r.text[:1000]
