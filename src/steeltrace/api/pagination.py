"""Cursor pagination over prefix scans of the world state.

A page is ``{"items": [...], "next_cursor": str | null}``. The cursor is opaque to
clients: base64url (no padding) of the last state key the page looked at, so the next
page is ``node.scan(prefix, after=that key)`` and stays correct while records are
added. ``next_cursor`` is null only at the end.

A page may hold fewer than ``limit`` items when records are hidden from the caller
(declarations, pledges): the scan is bounded (:data:`SCAN_FACTOR` times ``limit`` keys a
request) so a caller who may see little cannot make one request walk the whole state.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Protocol

from steeltrace.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
SCAN_FACTOR = 10

Present = Callable[[str, Any], dict[str, Any] | None]


class Scanner(Protocol):
    def scan(
        self, prefix: str, after: str | None = None, limit: int = 100
    ) -> list[tuple[str, Any]]: ...


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, prefix: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as e:
        raise InvalidInput("CURSOR_INVALID", "the cursor is not one this API handed out") from e
    if not key.startswith(prefix):
        raise InvalidInput("CURSOR_INVALID", "the cursor belongs to another list")
    return key


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput("LIMIT_INVALID", f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def page(
    node: Scanner,
    prefix: str,
    *,
    limit: int,
    cursor: str | None,
    present: Present,
) -> dict[str, Any]:
    """One page of ``prefix``; ``present(key, value)`` shapes a record or hides it (None)."""
    check_limit(limit)
    after = decode_cursor(cursor, prefix) if cursor else None
    items: list[dict[str, Any]] = []
    budget = limit * SCAN_FACTOR
    last: str | None = after
    exhausted = False
    while len(items) < limit and budget > 0:
        want = min(limit - len(items), budget)
        batch = node.scan(prefix, after=last, limit=want)
        budget -= len(batch)
        for key, value in batch:
            last = key
            shown = present(key, value)
            if shown is not None:
                items.append(shown)
        if len(batch) < want:
            exhausted = True
            break
    if not exhausted:
        # A full page or a spent budget: there may be more; one key tells.
        exhausted = not node.scan(prefix, after=last, limit=1)
    next_cursor = None if exhausted or last is None else encode_cursor(last)
    return {"items": items, "next_cursor": next_cursor}
