"""The trace benchmark: an origin report over a synthetic genealogy of N ancestors.

:func:`build_trace_state` makes the genealogy with the real contracts, through
:func:`steeltrace.core.execution.execute` on a :class:`~steeltrace.core.state.MemoryState`:
heats at mills in CN, KR and CA, each cast into 10 t slabs; every slab hot-rolled into a
coil; coils cold-rolled together in groups of ten in VN (each group also takes half of the
next group's first coil, so the genealogy is a DAG with shared ancestors, not a tree);
then the cold-rolled coils are slit together, level by level, down to one lot.

:func:`run_trace_bench` times :func:`.report.origin_report` (which walks the genealogy)
and :func:`.genealogy.ancestors` on that lot after two warm-up runs, in wall-clock and in
this thread's CPU time
(the CPU figure is what to compare on a busy machine). ``MemoryState`` decodes the stored
bytes on every read, as a database-backed view does, so nothing decoded during the build
helps the timing. The CLI's ``steeltrace bench trace`` calls it.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from steeltrace.core.execution import context_for, execute
from steeltrace.core.origin.genealogy import ancestors
from steeltrace.core.origin.report import origin_report
from steeltrace.core.state import MemoryState

_T0 = datetime(2026, 1, 5, 6, 0, 0, tzinfo=UTC)
_CHEM = {"C": 0.08, "Mn": 0.6, "Si": 0.02, "P": 0.012, "S": 0.006}
_SLAB_KG = 10_000
_SLABS_PER_HEAT = 40
_GROUP = 10
_MILLS = (
    ("bench-mill-cn", "CN", "CNASN"),
    ("bench-mill-kr", "KR", "KRPUS"),
    ("bench-mill-ca", "CA", "CAHAM"),
)


class _Builder:
    def __init__(self) -> None:
        self.state = MemoryState()
        self.height = 1
        self.now = _T0
        self.n = 0
        self.calls: list[tuple[str, str, dict[str, Any]]] = []  # replayable on a real node

    def run(self, org: str, tx_type: str, payload: dict[str, Any]) -> None:
        self.calls.append((org, tx_type, payload))
        self.n += 1
        self.now += timedelta(seconds=1)
        ctx = context_for(
            self.state,
            tx_id=f"{self.n:064x}",
            tx_type=tx_type,
            signer_org=org,
            signer_key="bench",
            height=self.height,
            block_time=self.now,
            created_at=self.now,
            chain_id="bench",
        )
        self.state.apply(execute(self.state, ctx, payload))

    def at(self) -> str:
        return self.now.strftime("%Y-%m-%dT%H:%M:%SZ")


def _lot(lot_id: str, kg: int, hs: str, form: str) -> dict[str, Any]:
    dims = {"thickness_mm": 2, "width_mm": 1250}
    return {
        "lot_id": lot_id,
        "form": form,
        "hs": hs,
        "grade": "DC01",
        "dimensions": dims,
        "mass_kg": kg,
    }


def build_trace_state(ancestors_target: int = 10_000) -> tuple[MemoryState, str]:
    """A state holding a lot with at least ``ancestors_target`` ancestors; (state, lot id)."""
    state, lot_id, _ = build_trace_calls(ancestors_target)
    return state, lot_id


BENCH_ORGS = {
    **{org: (country, "mill") for org, country, _ in _MILLS},
    "bench-proc-vn": ("VN", "processor"),
}


def build_trace_calls(
    ancestors_target: int = 10_000,
) -> tuple[MemoryState, str, list[tuple[str, str, dict[str, Any]]]]:
    """As :func:`build_trace_state`, plus the transactions that built it, in order."""
    b = _Builder()
    orgs = {org: (country, ["mill"]) for org, country, _ in _MILLS}
    orgs["bench-proc-vn"] = ("VN", ["processor"])
    b.state.apply(
        {
            f"org/{org}": {
                "id": org,
                "legal_name": org,
                "country": c,
                "roles": roles,
                "status": "active",
                "admitted_at": 0,
            }
            for org, (c, roles) in orgs.items()
        }
    )
    for org, country, locode in _MILLS:
        b.run(
            org,
            "facility.register",
            {
                "id": f"{org}-works",
                "name": org,
                "country": country,
                "locode": locode,
                "processes": ["melting", "casting", "hot-rolling"],
                "melt_capacity_t": 5_000_000,
            },
        )
    b.run(
        "bench-proc-vn",
        "facility.register",
        {
            "id": "bench-vn-line",
            "name": "VN line",
            "country": "VN",
            "locode": "VNSGN",
            "processes": ["cold-rolling", "slitting"],
        },
    )
    # ancestors ~ slabs * (2 + 1/10 + 1/100 + ...) ~ 2.11 * slabs
    slabs = max(_GROUP, -(-ancestors_target * 100 // 211))
    coils: list[tuple[str, int, str]] = []  # lot id, kg, owner
    for i in range(-(-slabs // _SLABS_PER_HEAT)):
        org = _MILLS[i % len(_MILLS)][0]
        b.run(
            org,
            "heat.register",
            {
                "heat_no": f"B{i:05d}",
                "facility": f"{org}-works",
                "route": "EAF",
                "cast_at": b.at(),
                "tonnage_kg": _SLAB_KG * _SLABS_PER_HEAT,
                "chemistry": _CHEM,
                "co2_t_per_t": 0.4 + 0.1 * (i % 3),
                "co2_method": "bench",
            },
        )
        count = min(_SLABS_PER_HEAT, slabs - i * _SLABS_PER_HEAT)
        ids = [f"b-slab-{i}-{j}" for j in range(count)]
        b.run(
            org,
            "lot.cast",
            {"heat": f"{org}/B{i:05d}", "lots": [_lot(x, _SLAB_KG, "720712", "slab") for x in ids]},
        )
        for x in ids:
            coil = x.replace("slab", "hrc")
            b.run(
                org,
                "lot.transform",
                {
                    "id": f"t-{coil}",
                    "facility": f"{org}-works",
                    "process": "hot-rolling",
                    "inputs": [{"lot": x, "kg": _SLAB_KG}],
                    "at": b.at(),
                    "outputs": [_lot(coil, _SLAB_KG - 100, "720839", "coil")],
                },
            )
            coils.append((coil, _SLAB_KG - 100, org))
    # the processor buys the coils, mill by mill, through the trade contract
    for mill, _, _ in _MILLS:
        theirs = [c for c, _, owner in coils if owner == mill]
        for i in range(0, len(theirs), 100):
            b.run(mill, "title.transfer", {"lots": theirs[i : i + 100], "to": "bench-proc-vn"})
    remaining = {c: kg for c, kg, _ in coils}
    level = [c for c, _, _ in coils]
    depth = 0
    while len(level) > 1:
        depth += 1
        process, hs = ("cold-rolling", "720917") if depth == 1 else ("slitting", "720917")
        groups = [level[k : k + _GROUP] for k in range(0, len(level), _GROUP)]
        nxt: list[str] = []
        for g, members in enumerate(groups):
            # the first member of a later group was half consumed by the group before
            taken = [(m, remaining[m]) for m in members]
            if g + 1 < len(groups) and depth == 1:
                shared = groups[g + 1][0]
                taken.append((shared, remaining[shared] // 2))
            total = sum(kg for _, kg in taken)
            out = f"b-l{depth}-{g}"
            b.run(
                "bench-proc-vn",
                "lot.transform",
                {
                    "id": f"t-{out}",
                    "facility": "bench-vn-line",
                    "process": process,
                    "inputs": [{"lot": m, "kg": kg} for m, kg in taken],
                    "at": b.at(),
                    "outputs": [_lot(out, total - total // 100, hs, "coil")],
                },
            )
            for m, kg in taken:
                remaining[m] -= kg
            remaining[out] = total - total // 100
            nxt.append(out)
        level = nxt
    return b.state, level[0], b.calls


def _record(state: MemoryState, lot_id: str) -> dict[str, Any]:
    record = state.get(f"lot/{lot_id}")
    assert isinstance(record, dict)
    return record


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_trace_bench(ancestors: int = 10_000, repeats: int = 30) -> dict[str, Any]:
    """Build the synthetic genealogy, then time ``origin_report`` and ``ancestors``."""
    started = time.perf_counter()
    state, lot_id = build_trace_state(ancestors)
    build_s = time.perf_counter() - started
    view = state
    report_ms: list[float] = []
    report_cpu_ms: list[float] = []
    walk_ms: list[float] = []
    report: dict[str, Any] = {}
    count = 0
    for _ in range(2):  # warm-up: regime tables, reference data and code paths loaded once
        origin_report(view, lot_id)
    for _ in range(max(1, repeats)):
        c0 = time.thread_time()
        t0 = time.perf_counter()
        report = origin_report(view, lot_id)
        t1 = time.perf_counter()
        report_cpu_ms.append((time.thread_time() - c0) * 1000)
        count = _walk(view, lot_id)
        t2 = time.perf_counter()
        report_ms.append((t1 - t0) * 1000)
        walk_ms.append((t2 - t1) * 1000)
    return {
        "p50_ms": round(statistics.median(report_ms), 3),
        "p95_ms": round(_percentile(report_ms, 0.95), 3),
        "ancestors": count,
        "repeats": len(report_ms),
        "cpu_p50_ms": round(statistics.median(report_cpu_ms), 3),
        "cpu_p95_ms": round(_percentile(report_cpu_ms, 0.95), 3),
        "ancestors_p50_ms": round(statistics.median(walk_ms), 3),
        "ancestors_p95_ms": round(_percentile(walk_ms, 0.95), 3),
        "lot": lot_id,
        "heats": report["genealogy"]["heats"],
        "origin": report["origin"],
        "melt_and_pour": report["melt_and_pour"],
        "build_s": round(build_s, 2),
    }


def _walk(view: MemoryState, lot_id: str) -> int:
    return ancestors(view, lot_id).ancestor_count
