"""The origin engine: genealogy walks and origin reports, pure functions of the state.

* :func:`ancestors` (``genealogy``): a lot's ancestor lots and edges, bounded (I-16).
* :func:`origin_report` (``report``): melt and pour, origin under a regime, foreign
  content, CO2 and recycled share, with a human-readable explanation.
* ``rules``: the origin regimes as data (``regimes.json``); docs/origin.md.
* :func:`trace` / :func:`render_trace` (``trace``): the pure core of ``steeltrace trace``.
* ``bench``: :func:`run_trace_bench`, the timing of a trace over a synthetic genealogy.

Nothing here writes state or reads a clock; the node's query layer and the CLI call it.
"""

from __future__ import annotations

from steeltrace.core.origin.genealogy import Genealogy, ancestors
from steeltrace.core.origin.report import origin_report, report_from
from steeltrace.core.origin.rules import Regime, regime, regime_names
from steeltrace.core.origin.trace import render_trace, trace

__all__ = [
    "Genealogy",
    "Regime",
    "ancestors",
    "origin_report",
    "regime",
    "regime_names",
    "render_trace",
    "report_from",
    "trace",
]
