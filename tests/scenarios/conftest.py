"""Fixtures: a real node (real SQLite file in tmp_path) holding the base steel world.

The base world is built once per session through a real node (``world.build_base``),
then its home directory is copied for every test, so each test starts from the same
committed chain on its own file without paying for the build again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from steeltrace.node.service import Node
from tests.scenarios.world import build_base
from tests.support.nodes import demo_node


@pytest.fixture(scope="session")
def base_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("base") / "home"
    node = demo_node(home)
    try:
        build_base(node)
    finally:
        node.close()
    return home


@pytest.fixture
def world(base_home: Path, tmp_path: Path) -> Iterator[Node]:
    home = tmp_path / "home"
    shutil.copytree(base_home, home)
    node = Node.open(home, batch_timeout=0.005)
    try:
        yield node
    finally:
        node.close()
