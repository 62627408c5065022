"""`steeltrace demo`: a fresh demo consortium and the story, chapter by chapter."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from steeltrace.bootstrap import init_home
from steeltrace.demo import membership, steel
from steeltrace.demo.narrator import Narrator
from steeltrace.demo.users import demo_users, print_demo_users
from steeltrace.errors import InvalidInput
from steeltrace.node.service import Node
from steeltrace.node.verify import verify_store

MARKER = "demo-home.marker"


def prepare_home(home: Path) -> None:
    """A demo always starts from genesis; it only ever wipes a home it made itself."""
    home = Path(home)
    if home.exists() and any(home.iterdir()):
        if not (home / MARKER).exists():
            raise InvalidInput(
                "HOME_NOT_EMPTY",
                f"{home} holds data that the demo did not create; pass an empty --home",
            )
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    (home / MARKER).write_text("created by `steeltrace demo`; the demo may wipe this folder\n")


def run_demo(home: Path, console: Console | None = None) -> dict[str, Any]:
    n = Narrator(console)
    prepare_home(home)
    config = init_home(home)
    n.chapter(
        f"steeltrace demo: chain {config['chain_id']}, "
        f"{len(config['organisations'])} founding organisations"
    )
    summary: dict[str, Any] = {"home": str(home)}
    with Node.open(home) as node:
        summary["membership"] = membership.run(node, n)
        summary["steel"] = steel.run(node, n)
        summary["users"] = demo_users(home, node)
        summary["height"] = node.height()
    n.chapter("Verification")
    from steeltrace.adapters.storage.sqlite import SqliteStore

    store = SqliteStore(Path(home) / "ledger.sqlite3")
    try:
        report = verify_store(store)
    finally:
        store.close()
    summary["verify"] = report.to_dict()
    if report.ok:
        n.note(
            f"`steeltrace verify` re-checked {report.blocks} blocks and "
            f"{report.transactions} transactions "
            f"from genesis: sound. State root {(report.state_root or '')[:16]}…"
        )
    else:
        n.note(
            f"verification FAILED at block {report.first_bad_block}: {report.code} {report.message}"
        )
    n.note(f"explore it: steeltrace --home {home} block {summary['height']} --json")
    print_demo_users(n, summary["users"])
    summary["events"] = n.events
    return summary
