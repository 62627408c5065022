"""Printing the demo story for a person: what happened, and why."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from steeltrace.errors import SteeltraceError


class Narrator:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.events: list[dict[str, Any]] = []

    def chapter(self, title: str) -> None:
        self.console.rule(f"[bold]{title}")

    def ok(self, what: str, status: dict[str, Any] | None) -> None:
        st = status or {}
        if st.get("status") == "valid":
            self.console.print(
                f"  [green]✔[/] {what}  "
                f"[dim](block {st.get('height')}, tx {st.get('tx_id', '')[:12]}…)[/]"
            )
        else:
            self.console.print(f"  [red]✘[/] {what}: {st.get('code')}: {st.get('message')}")
        self.events.append({"what": what, **st})

    def bad(self, what: str, status: dict[str, Any] | None) -> None:
        st = status or {}
        mark = (
            "[yellow]⚠ recorded invalid[/]"
            if st.get("status") == "invalid"
            else "[red]accepted?![/]"
        )
        self.console.print(f"  {mark} {what}: {st.get('code')}: {st.get('message')}")
        self.events.append({"what": what, **st})

    def refused(self, what: str, e: SteeltraceError) -> None:
        self.console.print(f"  [yellow]⛔ refused[/] {what}: [bold]{e.code}[/] {e.message}")
        self.events.append(
            {"what": what, "status": "refused", "code": e.code, "message": e.message}
        )

    def note(self, text: str) -> None:
        self.console.print(f"  [cyan]ℹ[/] {text}")
        self.events.append({"note": text})
