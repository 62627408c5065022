"""The demo's dashboard users: one API user per useful role, with its token printed.

``steeltrace demo`` serves the dashboard afterwards, and the dashboard needs a login
(an API token, see docs/dashboard.md). :func:`demo_users` creates these users in the demo
home's ``users.sqlite3`` (exactly as ``steeltrace users add`` does) and returns their
tokens; :func:`print_demo_users` prints them with the login address, so a person can log
in as each role and see what that role may see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steeltrace.api.users import StateReader, users_add_command
from steeltrace.demo.narrator import Narrator

DASHBOARD = "http://127.0.0.1:8000"

# (organisation, user name, role, what its pages show beyond the shared records)
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("customs-ca", "analyst", "customs", "declarations into CA"),
    ("customs-us", "analyst", "customs", "declarations into US"),
    ("mill-ca", "quality-manager", "mill", "its own declarations, prices, pledges"),
    ("trader-sg", "trader", "trader", "its own declarations, prices, pledges"),
    ("bank-1", "credit-officer", "bank", "pledges to it"),
    ("consortium-ca", "regulator", "regulator", "declarations into CA (trade ministry)"),
)


def demo_users(home: Path, node: StateReader) -> list[dict[str, Any]]:
    """Create the demo users in ``home`` (roles checked against ``node``'s state);
    returns ``{org, user, role, token, sees}`` for each, the only copy of the tokens."""
    out = []
    for org, name, role, sees in DEMO_USERS:
        made = users_add_command(Path(home), org, name, role, node=node)
        out.append({**made, "sees": sees})
    return out


def print_demo_users(n: Narrator, users: list[dict[str, Any]], base: str = DASHBOARD) -> None:
    """The login table: organisation, role, token (each on one line, to copy whole)."""
    n.chapter("Dashboard users")
    n.note(f"log in at {base}/login (or /login on the address printed below) with:")
    console = n.console
    console.print(
        f"  {'organisation':<14} {'role':<10} {'token':<63}  sees", soft_wrap=True, highlight=False
    )
    for u in users:
        console.print(
            f"  {u['org']:<14} {u['role']:<10} {u['token']}  {u['sees']}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
    n.note("tokens are shown once; more with `steeltrace users add ORG NAME --role ROLE`")
