"""The trace benchmark through a real node: SQLite file, committed-state cache.

The pure benchmark (:func:`steeltrace.core.origin.bench.run_trace_bench`) times the
origin engine over an in-memory state. This one replays the same transactions through a
real embedded node (signed, pre-checked, ordered, committed), then times
``trace_lot`` - what `steeltrace trace --json` and the lot passport call - cold (a node
just opened, nothing cached) and warm (repeated, the committed-state cache filled).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from steeltrace.bootstrap import OrgSpec, init_home
from steeltrace.core import schema
from steeltrace.core.origin.bench import BENCH_ORGS, build_trace_calls, run_trace_bench
from steeltrace.errors import Rejected
from steeltrace.node.queries import trace_lot
from steeltrace.node.service import Node

CHUNK = 200


def _replay(node: Node, calls: list[tuple[str, str, dict[str, Any]]]) -> None:
    def sign(org: str, tx_type: str, payload: dict[str, Any]) -> Any:
        if "at" in payload:  # event times must follow the lots, which are created now
            payload = {**payload, "at": schema.format_time(node.clock())}
        return node.sign_as(org, tx_type, payload)

    in_flight = 0
    for org, tx_type, payload in calls:
        try:
            node.submit_tx(sign(org, tx_type, payload))
        except Rejected:  # it depends on one still in flight: commit those, sign again
            node.flush(120)
            node.submit_tx(sign(org, tx_type, payload))
        in_flight += 1
        if in_flight >= CHUNK:
            node.flush(120)
            in_flight = 0
    node.flush(120)


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def run_node_trace_bench(ancestors: int = 10_000, repeats: int = 30) -> dict[str, Any]:
    pure = run_trace_bench(ancestors, repeats)
    _, lot_id, calls = build_trace_calls(ancestors)
    orgs = [
        OrgSpec("bench-admin-a", "Bench admin A", "CA", ("admin",)),
        OrgSpec("bench-admin-b", "Bench admin B", "US", ("admin",)),
        *(OrgSpec(o, o, c, (r,)) for o, (c, r) in BENCH_ORGS.items()),
    ]
    with tempfile.TemporaryDirectory(prefix="steeltrace-bench-trace-") as tmp:
        home = Path(tmp) / "home"
        init_home(home, orgs, chain_id="bench-trace")
        t0 = time.perf_counter()
        with Node.open(home) as node:
            _replay(node, calls)
        replay_s = time.perf_counter() - t0
        cold: list[float] = []
        for _ in range(5):
            with Node.open(home, start=False) as node:
                t = time.perf_counter()
                out = trace_lot(node, lot_id)
                cold.append((time.perf_counter() - t) * 1000)
        warm: list[float] = []
        with Node.open(home, start=False) as node:
            trace_lot(node, lot_id)
            for _ in range(repeats):
                t = time.perf_counter()
                out = trace_lot(node, lot_id)
                warm.append((time.perf_counter() - t) * 1000)
    return {
        **pure,
        "node_transactions": len(calls),
        "node_replay_s": round(replay_s, 1),
        "node_ancestors": out["genealogy"]["ancestors"],
        "node_cold_p50_ms": round(statistics.median(cold), 1),
        "node_warm_p50_ms": round(statistics.median(warm), 1),
        "node_warm_p95_ms": round(_pct(warm, 0.95), 1),
    }
