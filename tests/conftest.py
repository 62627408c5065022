from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from steeltrace.node.service import Node
from tests.support.nodes import make_node


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = make_node(tmp_path / "home")
    try:
        yield n
    finally:
        n.close()
