"""ancestors(): bounded walks, shared ancestors, fallbacks and tampered data."""

from __future__ import annotations

import pytest

from steeltrace.core.origin import ancestors, origin_report
from steeltrace.errors import IntegrityError
from tests.unit.contracts.steel_chain import cast, chain, heat, transform


def test_a_cast_lot_is_its_own_genealogy() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, ("s1", 10_000))
    g = ancestors(h.state, "s1")
    assert g.ancestor_count == 0 and g.edges == 0 and not g.truncated
    assert g.topological() == ("s1",)
    r = origin_report(h.state, "s1")
    assert r["origin"] == "CN" and r["origin_rule"]["rule"] == "melt-and-pour"
    assert r["melt_and_pour"] == {"CN": 1.0}


def test_to_dict_lists_nodes_and_edges() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, ("s1", 10_000), ("s2", 10_000))
    transform(
        h,
        "mill-cn",
        "t1",
        "cn-works",
        "hot-rolling",
        [("s1", 10_000), ("s2", 5_000)],
        [("c1", 14_800)],
    )
    d = ancestors(h.state, "c1").to_dict()
    assert d["root"] == "c1" and d["ancestors"] == 2 and d["truncated"] is False
    assert {n["lot"] for n in d["nodes"]} == {"c1", "s1", "s2"}
    assert {(e["parent"], e["kg"]) for e in d["edges"]} == {("s1", 10_000), ("s2", 5_000)}
    c1 = next(n for n in d["nodes"] if n["lot"] == "c1")
    assert c1["process"] == "hot-rolling" and c1["transformation"] == "t1"


def test_lots_without_a_genealogy_entry_are_read_from_their_records() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, ("s1", 10_000))
    transform(h, "mill-cn", "t1", "cn-works", "hot-rolling", [("s1", 10_000)], [("c1", 9_900)])
    h.state.apply({"idx/gen/s1": None, "idx/gen/c1": None})
    assert ancestors(h.state, "c1").ancestor_count == 1
    assert origin_report(h.state, "c1")["origin"] == "CN"


def test_a_lot_with_no_recorded_source_is_unresolved() -> None:
    h = chain()
    lot = {
        "id": "x1",
        "form": "coil",
        "hs": "720839",
        "mass_kg": 1_000,
        "heat": None,
        "parents": [],
        "facility": None,
        "transformation": None,
    }
    h.state.apply({"lot/x1": lot})
    r = origin_report(h.state, "x1")
    assert r["origin"] is None and r["origin_rule"]["rule"] == "unresolved"
    assert r["melt_and_pour"] == {} and r["traced_share"] == 0.0
    assert r["genealogy"]["without_origin"] == ["x1"]


def test_missing_parent_records_are_reported() -> None:
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
    h.state.apply({"idx/gen/s2": None, "lot/s2": None})
    g = ancestors(h.state, "c1")
    assert g.missing == ("s2",) and g.ancestor_count == 1
    r = origin_report(h.state, "c1")
    assert r["traced_share"] == pytest.approx(0.5) and r["melt_and_pour"] == {"CN": 1.0}


def test_a_tampered_cycle_is_an_integrity_error() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, ("s1", 10_000))
    transform(h, "mill-cn", "t1", "cn-works", "hot-rolling", [("s1", 10_000)], [("c1", 9_900)])
    # stored data edited behind the contracts' back: s1 now claims c1 as its parent
    h.state.apply({"idx/gen/s1": [None, "720712", "cn-works", "cutting", "t0", 10_000, "c1", 1]})
    with pytest.raises(IntegrityError) as info:
        ancestors(h.state, "c1").topological()
    assert info.value.code == "GENEALOGY_CYCLE"
    with pytest.raises(IntegrityError):
        origin_report(h.state, "c1")
