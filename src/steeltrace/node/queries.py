"""Read-side compositions over a state view (the node, or any MemoryState).

``trace_lot`` is what `steeltrace trace` and the API's /trace print: the lot, its
genealogy (ancestors and edges), its heats, melt-and-pour shares, origin and the
origin engine's step-by-step explanation.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core.origin.genealogy import DEFAULT_LIMIT, ancestors
from steeltrace.core.origin.report import report_from
from steeltrace.core.state import StateView
from steeltrace.errors import NotFound


def trace_lot(
    state: StateView,
    lot_id: str,
    *,
    reference_country: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    lot = state.get(f"lot/{lot_id}")
    if lot is None:
        raise NotFound("LOT_UNKNOWN", f"lot {lot_id!r} does not exist")
    genealogy = ancestors(state, lot_id, limit)
    report = report_from(state, genealogy, reference_country=reference_country)
    return {**report, "lot": lot, "genealogy": genealogy.to_dict()}
