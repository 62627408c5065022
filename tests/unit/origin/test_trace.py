"""The pure core of `steeltrace trace`: data and printable lines."""

from __future__ import annotations

from steeltrace.core.origin import render_trace, trace
from tests.support.harness import Harness
from tests.unit.contracts.steel_chain import GALV_HS, cast, chain, heat, transform


def _world() -> Harness:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, ("s1", 10_000), ("s2", 10_000))
    transform(
        h,
        "mill-cn",
        "t1",
        "cn-works",
        "hot-rolling",
        [("s1", 10_000), ("s2", 10_000)],
        [("c1", 19_800)],
    )
    h.state.apply({"lot/c1": {**h.get("lot/c1"), "owner": "proc-vn", "custodian": "proc-vn"}})
    transform(
        h, "proc-vn", "t2", "vn-line", "galvanising", [("c1", 19_800)], [("g1", 19_700)], hs=GALV_HS
    )
    return h


def test_trace_returns_the_report_and_the_genealogy() -> None:
    t = trace(_world().state, "g1")
    assert t["report"]["origin"] == "CN"
    assert t["genealogy"]["ancestors"] == 3
    assert len(t["genealogy"]["edges"]) == 3


def test_render_trace_draws_the_tree_and_the_explanation() -> None:
    lines = render_trace(_world().state, "g1")
    text = "\n".join(lines)
    assert lines[0].startswith("Lot g1  coil  HS 721049  19,700 kg  owner proc-vn")
    assert "Origin: CN" in lines[1]
    assert "Melt and pour: CN 100.00 % (19,700 kg)" in text
    assert "└─ 19,800 kg of c1  [hot-rolling at cn-works]" in text
    assert "   ├─ 10,000 kg of s1  [cast from heat mill-cn/H1 at cn-works]" in text
    assert "galvanising never confers origin" in text


def test_render_trace_is_bounded() -> None:
    lines = render_trace(_world().state, "g1", max_lines=2)
    assert any(line.startswith("... 2 more lots not shown") for line in lines)
    cut = render_trace(_world().state, "g1", limit=2)
    assert any("not followed" in line for line in cut)
    assert "(truncated)" in "\n".join(cut)
