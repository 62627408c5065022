"""The trace benchmark runs through the real contracts and reports its figures."""

from __future__ import annotations

from steeltrace.core.origin import ancestors
from steeltrace.core.origin.bench import build_trace_state, run_trace_bench


def test_bench_builds_a_dag_of_the_requested_size_and_times_it() -> None:
    result = run_trace_bench(ancestors=300, repeats=3)
    assert {"p50_ms", "p95_ms", "ancestors", "repeats"} <= set(result)
    assert result["ancestors"] >= 300 and result["repeats"] == 3
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    assert result["origin"] == "VN"  # cold-rolled 7208 -> 7209 in VN
    assert set(result["melt_and_pour"]) == {"CA", "CN", "KR"}


def test_bench_genealogy_shares_ancestors() -> None:
    state, lot = build_trace_state(200)
    g = ancestors(state, lot)
    assert g.edges > g.ancestor_count  # a DAG, not a tree
