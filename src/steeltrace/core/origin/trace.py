"""The pure core of ``steeltrace trace LOT``: the origin report and a printable genealogy.

:func:`trace` returns the data (the origin report plus the genealogy's nodes and edges)
and :func:`render_trace` the lines a terminal shows: a summary, the genealogy as an
indented tree (a shared ancestor is drawn once and referred to afterwards, the tree is
cut at ``max_lines``) and the explanation. Both only read the state; the CLI fetches the
state view and prints.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core.origin.genealogy import (
    DEFAULT_LIMIT,
    FACILITY,
    HEAT,
    MASS_KG,
    PARENTS,
    PROCESS,
    Genealogy,
    ancestors,
)
from steeltrace.core.origin.report import report_from
from steeltrace.core.origin.rules import Regime
from steeltrace.core.state import StateView

MAX_LINES = 60


def trace(
    state: StateView,
    lot_id: str,
    *,
    regime: str | Regime = "default",
    reference_country: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """``{"report": origin report, "genealogy": nodes, edges and flags}``."""
    g = ancestors(state, lot_id, limit)
    return {"report": report_from(state, g, regime, reference_country), "genealogy": g.to_dict()}


def render_trace(
    state: StateView,
    lot_id: str,
    *,
    regime: str | Regime = "default",
    reference_country: str | None = None,
    limit: int = DEFAULT_LIMIT,
    max_lines: int = MAX_LINES,
) -> list[str]:
    """The lines of a trace for a terminal (no colour, no trailing newlines)."""
    g = ancestors(state, lot_id, limit)
    report = report_from(state, g, regime, reference_country)
    lot = report["lot"]
    rule = report["origin_rule"]
    lines = [
        f"Lot {lot['id']}  {lot['form']}  HS {lot['hs']}  {lot['mass_kg']:,} kg  "
        f"owner {lot['owner']}  ({lot['state']})",
        f"Origin: {report['origin'] or 'unknown'}  ({rule['rule']}, regime {report['regime']}, "
        f"decided at lot {rule['lot']})",
        "Melt and pour: "
        + (
            ", ".join(
                f"{c} {share * 100:.2f} % ({report['melt_and_pour_kg'][c]:,} kg)"
                for c, share in sorted(report["melt_and_pour"].items(), key=lambda kv: -kv[1])
            )
            or "unknown"
        ),
    ]
    for country, share in report["foreign_content"].items():
        lines.append(f"Foreign content relative to {country}: {share * 100:.2f} %")
    co2 = report["co2_t_per_t"]
    recycled = report["recycled_share"]
    co2_text = "not declared"
    if co2 is not None:
        co2_text = f"{co2:.3f} t/t (covers {report['co2_coverage'] * 100:.0f} %)"
    recycled_text = "not declared"
    if recycled is not None:
        recycled_text = f"{recycled * 100:.1f} % (covers {report['recycled_coverage'] * 100:.0f} %)"
    lines.append(f"CO2: {co2_text}; recycled: {recycled_text}")
    flags = " (truncated)" if report["truncated"] else ""
    lines.append(f"Genealogy: {g.ancestor_count:,} ancestors, {g.edges:,} edges{flags}")
    lines.extend(_tree(g, max_lines))
    lines.append("Explanation:")
    lines.extend(f"  {i}. {text}" for i, text in enumerate(report["explanation"], 1))
    return lines


def _label(g: Genealogy, lot_id: str) -> str:
    entry = g.lots[lot_id]
    if entry[HEAT] is not None:
        return f"{lot_id}  [cast from heat {entry[HEAT]} at {entry[FACILITY]}]"
    if len(entry) <= PARENTS:
        return f"{lot_id}  [no recorded source]"
    return f"{lot_id}  [{entry[PROCESS] or 'transformed'} at {entry[FACILITY]}]"


def _tree(g: Genealogy, max_lines: int) -> list[str]:
    """The genealogy as an indented tree, depth first; each lot expanded once."""
    out: list[str] = []
    shown: set[str] = set()
    # (lot, kg taken by the child or None for the root, prefix, is last sibling)
    stack: list[tuple[str, int | None, str, bool]] = [(g.root, None, "", True)]
    while stack:
        lot_id, kg, prefix, last = stack.pop()
        if len(out) >= max_lines:
            out.append(f"... {len(g.lots) - len(shown):,} more lots not shown")
            break
        entry = g.lots[lot_id]
        if kg is None:
            head, child_prefix = "", ""
        else:
            head = prefix + ("└─ " if last else "├─ ")
            child_prefix = prefix + ("   " if last else "│  ")
        amount = f"{entry[MASS_KG]:,} kg" if kg is None else f"{kg:,} kg of"
        if lot_id in shown:
            out.append(f"{head}{amount} {lot_id}  (shown above)")
            continue
        shown.add(lot_id)
        label = _label(g, lot_id)
        cut = g.cut.get(lot_id, [])
        if cut:
            label += f"  (+{len(cut)} input(s) not followed: limit or missing)"
        out.append(f"{head}{amount} {label}" if kg is not None else f"{label}  {amount}")
        for i, (pid, pkg) in enumerate(reversed(g.parents_of(lot_id))):
            stack.append((pid, pkg, child_prefix, i == 0))
    return out
