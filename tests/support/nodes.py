"""Real embedded nodes for tests: a temporary home, a real SQLite file, the producer
thread running. Every rejection test compares state roots before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steeltrace.bootstrap import DEMO_ORGS, OrgSpec, init_home
from steeltrace.node.service import Node

SMALL_ORGS: tuple[OrgSpec, ...] = (
    OrgSpec("admin-a", "Admin A", "CA", ("admin",)),
    OrgSpec("admin-b", "Admin B", "US", ("admin",)),
    OrgSpec("admin-c", "Admin C", "DE", ("admin",)),
    OrgSpec("mill-ca", "Mill CA", "CA", ("mill",)),
    OrgSpec("trader-sg", "Trader SG", "SG", ("trader",)),
)


def make_node(
    home: Path,
    orgs: tuple[OrgSpec, ...] = SMALL_ORGS,
    *,
    threshold: int = 2,
    **kw: Any,
) -> Node:
    init_home(home, orgs, chain_id="test-chain", threshold=threshold)
    kw.setdefault("batch_timeout", 0.005)
    return Node.open(home, **kw)


def demo_node(home: Path, **kw: Any) -> Node:
    init_home(home, DEMO_ORGS, chain_id="steeltrace-demo")
    kw.setdefault("batch_timeout", 0.005)
    return Node.open(home, **kw)


def anchor(doc_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "kind": "note",
        "sha256": "ab" * 32,
        "title": f"Doc {doc_id}",
        **extra,
    }
