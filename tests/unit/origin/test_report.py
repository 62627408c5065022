"""The origin engine over chains built by the real contracts (S-05, S-07 patterns)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from steeltrace.core.origin import ancestors, origin_report
from steeltrace.core.origin.rules import Regime, regime
from steeltrace.errors import NotFound
from tests.support.harness import Harness
from tests.unit.contracts.steel_chain import (
    CRC_HS,
    GALV_HS,
    HRC_HS,
    SLAB_HS,
    cast,
    chain,
    heat,
    transform,
)


def _sell(h: Harness, lot_id: str, to: str) -> None:
    # Title moves belong to the trade contracts; here the record is handed over directly.
    h.state.apply({f"lot/{lot_id}": {**h.get(f"lot/{lot_id}"), "owner": to, "custodian": to}})


def _cn_coil(h: Harness) -> None:
    """A CN heat, cast and hot-rolled in CN into coil cn-c1 (99,000 kg), sold to VN."""
    hid = heat(h, "mill-cn", "H1", "cn-works", co2_t_per_t=2.1, co2_method="measured")
    cast(h, "mill-cn", hid, ("cn-s1", 100_000))
    transform(
        h, "mill-cn", "t-cn", "cn-works", "hot-rolling", [("cn-s1", 100_000)], [("cn-c1", 99_000)]
    )
    _sell(h, "cn-c1", "proc-vn")


def test_s05_s07_cn_coil_galvanised_in_vn_keeps_cn_origin() -> None:
    h = chain()
    _cn_coil(h)
    transform(
        h,
        "proc-vn",
        "t-vn",
        "vn-line",
        "galvanising",
        [("cn-c1", 99_000)],
        [("vn-g1", 98_500)],
        hs=GALV_HS,
    )
    r = origin_report(h.state, "vn-g1")
    assert r["origin"] == "CN"
    assert r["melt_and_pour"] == {"CN": 1.0}
    assert r["melt_and_pour_kg"] == {"CN": 98_500}
    # galvanising never confers origin, even though 7208 -> 7210 changes the heading
    assert r["origin_rule"]["rule"] == "substantial-transformation"
    assert r["origin_rule"]["lot"] == "cn-c1"
    assert r["origin_rule"]["country"] == "CN"
    assert r["origin_rule"]["steps_back"] == 1
    assert any("galvanising never confers origin" in line for line in r["explanation"])
    assert r["foreign_content"] == {"CN": 0.0}
    assert r["co2_t_per_t"] == pytest.approx(2.1)
    assert r["truncated"] is False and r["traced_share"] == 1.0
    assert origin_report(h.state, "vn-g1", reference_country="VN")["foreign_content"] == {"VN": 1.0}


def test_hot_rolling_a_cn_slab_in_vn_confers_vn_origin_but_melt_and_pour_stays_cn() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, ("cn-s1", 100_000))
    _sell(h, "cn-s1", "proc-vn")
    transform(
        h, "proc-vn", "t-vn", "vn-line", "hot-rolling", [("cn-s1", 100_000)], [("vn-c1", 98_000)]
    )
    r = origin_report(h.state, "vn-c1")
    assert r["origin"] == "VN"
    assert r["melt_and_pour"] == {"CN": 1.0}
    rule = r["origin_rule"]
    assert rule["rule"] == "substantial-transformation"
    assert (rule["from_headings"], rule["to_heading"], rule["process"]) == (
        ["7207"],
        "7208",
        "hot-rolling",
    )
    assert r["foreign_content"] == {"VN": 1.0}
    assert any("differs from the country of melt and pour" in x for x in r["explanation"])


def test_ca_and_kr_coils_slit_together_in_ca_by_mass() -> None:
    h = chain()
    ca = heat(
        h,
        "mill-ca",
        "H1",
        "ca-works",
        inputs=[
            {"material": "scrap", "share": 0.9, "origin_country": "CA"},
            {"material": "pig-iron", "share": 0.1, "origin_country": "CA"},
        ],
    )
    kr = heat(h, "mill-kr", "H1", "kr-works")
    cast(h, "mill-ca", ca, ("ca-s1", 30_000))
    cast(h, "mill-kr", kr, ("kr-s1", 50_000))
    transform(
        h, "mill-ca", "t-ca", "ca-works", "hot-rolling", [("ca-s1", 30_000)], [("ca-c1", 29_700)]
    )
    transform(
        h, "mill-kr", "t-kr", "kr-works", "hot-rolling", [("kr-s1", 50_000)], [("kr-c1", 49_500)]
    )
    _sell(h, "ca-c1", "proc-ca")
    _sell(h, "kr-c1", "proc-ca")
    # all the CA coil and 20,000 kg of the KR coil, slit into two strip lots
    transform(
        h,
        "proc-ca",
        "t-slit",
        "ca-line",
        "slitting",
        [("ca-c1", 29_700), ("kr-c1", 20_000)],
        [("strip-1", 30_000), ("strip-2", 19_000)],
        form="strip",
    )
    r = origin_report(h.state, "strip-1")
    ca_share = Fraction(29_700, 49_700)
    assert r["melt_and_pour"]["CA"] == pytest.approx(float(ca_share), abs=1e-12)
    assert r["melt_and_pour"]["KR"] == pytest.approx(float(1 - ca_share), abs=1e-12)
    assert abs(sum(r["melt_and_pour"].values()) - 1) < 1e-9
    assert sum(r["melt_and_pour_kg"].values()) == 30_000
    # slitting confers no origin: the majority by mass of the inputs (CA, 29,700 kg) wins
    assert r["origin"] == "CA"
    assert r["origin_rule"]["majority"] is True
    assert r["origin_rule"]["lot"] == "ca-c1"
    assert r["foreign_content"] == {"CA": pytest.approx(float(1 - ca_share))}
    assert r["recycled_share"] == pytest.approx(0.9)
    assert r["recycled_coverage"] == pytest.approx(float(ca_share))
    assert r["co2_t_per_t"] is None and r["co2_coverage"] == 0.0
    assert [x["heat"] for x in r["heats"]] == ["mill-ca/H1", "mill-kr/H1"]
    assert ancestors(h.state, "strip-1").ancestor_count == 4


def test_kr_majority_wins_when_it_is_heavier() -> None:
    h = chain()
    ca = heat(h, "mill-ca", "H1", "ca-works")
    kr = heat(h, "mill-kr", "H1", "kr-works")
    cast(h, "mill-ca", ca, ("ca-s1", 10_000))
    cast(h, "mill-kr", kr, ("kr-s1", 50_000))
    for lot in ("ca-s1", "kr-s1"):
        _sell(h, lot, "proc-vn")
    transform(
        h, "proc-vn", "t-hr", "vn-line", "hot-rolling", [("ca-s1", 10_000)], [("vn-c1", 9_900)]
    )
    transform(
        h,
        "proc-vn",
        "t-cut",
        "vn-line",
        "cutting",
        [("vn-c1", 9_900), ("kr-s1", 50_000)],
        [("mix-1", 59_000)],
        hs=SLAB_HS,
        form="slab",
    )
    r = origin_report(h.state, "mix-1")
    assert r["origin"] == "KR"
    assert r["origin_rule"]["rule"] == "melt-and-pour"


def test_cold_rolling_without_a_heading_change_confers_nothing() -> None:
    h = chain()
    _cn_coil(h)
    transform(
        h,
        "proc-vn",
        "t-cr",
        "vn-line",
        "cold-rolling",
        [("cn-c1", 99_000)],
        [("vn-x", 98_000)],
        hs=HRC_HS,
    )
    r = origin_report(h.state, "vn-x")
    assert r["origin"] == "CN"
    assert any("requires a change of heading" in x for x in r["explanation"])
    transform(
        h,
        "proc-vn",
        "t-cr2",
        "vn-line",
        "cold-rolling",
        [("vn-x", 98_000)],
        [("vn-cr", 97_000)],
        hs=CRC_HS,
    )
    assert origin_report(h.state, "vn-cr")["origin"] == "VN"


def test_a_regime_is_data() -> None:
    strict = Regime.from_dict(
        "strict",
        {
            "conferring": [
                "hot-rolling",
                "pipe-welding",
                "seamless-pipe",
                "wire-drawing",
                "forging",
            ],
            "never_conferring": [
                "cold-rolling",
                "galvanising",
                "coating",
                "painting",
                "pickling",
                "annealing",
                "slitting",
                "cutting",
            ],
        },
    )
    h = chain()
    _cn_coil(h)
    transform(
        h,
        "proc-vn",
        "t-cr",
        "vn-line",
        "cold-rolling",
        [("cn-c1", 99_000)],
        [("vn-cr", 98_000)],
        hs=CRC_HS,
    )
    assert origin_report(h.state, "vn-cr")["origin"] == "VN"
    assert origin_report(h.state, "vn-cr", regime=strict)["origin"] == "CN"
    assert regime("default").heading_change_required


@pytest.mark.parametrize(
    "bad",
    [
        {"conferring": ["melting"]},
        {"conferring": ["hot-rolling"], "never_conferring": ["hot-rolling"]},
        {"conferring": ["hot-rolling"]},
        {"unknown": 1},
    ],
)
def test_malformed_regimes_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Regime.from_dict("bad", bad)


def test_unknown_lot_and_unknown_regime() -> None:
    h = chain()
    with pytest.raises(NotFound):
        origin_report(h.state, "nope")
    with pytest.raises(NotFound):
        ancestors(h.state, "nope")
    _cn_coil(h)
    with pytest.raises(KeyError):
        origin_report(h.state, "cn-c1", regime="mars")


def test_i16_trace_is_bounded_and_says_truncated() -> None:
    h = chain()
    hid = heat(h, "mill-cn", "H1", "cn-works")
    cast(h, "mill-cn", hid, *[(f"s{i}", 10_000) for i in range(6)])
    transform(
        h,
        "mill-cn",
        "t1",
        "cn-works",
        "hot-rolling",
        [(f"s{i}", 10_000) for i in range(6)],
        [("c1", 59_000)],
    )
    g = ancestors(h.state, "c1", limit=3)
    assert g.truncated and g.ancestor_count == 3
    assert ancestors(h.state, "c1", max_lots=2).ancestor_count == 2
    d = g.to_dict()
    assert d["truncated"] is True and len(d["edges"]) == 3
    r = origin_report(h.state, "c1", limit=3)
    assert r["truncated"] is True
    assert r["traced_share"] == pytest.approx(0.5)
    assert r["melt_and_pour"] == {"CN": 1.0}
    assert any("traced" in x for x in r["explanation"])


def test_shared_ancestors_are_counted_once_and_weighted_by_every_path() -> None:
    h = chain()
    cn = heat(h, "mill-cn", "H1", "cn-works")
    kr = heat(h, "mill-kr", "H1", "kr-works")
    cast(h, "mill-cn", cn, ("cn-s1", 40_000))
    cast(h, "mill-kr", kr, ("kr-s1", 40_000))
    for lot in ("cn-s1", "kr-s1"):
        _sell(h, lot, "proc-vn")
    # cn-s1 feeds a1 directly and again through b1: a diamond
    transform(
        h,
        "proc-vn",
        "t-b",
        "vn-line",
        "cutting",
        [("cn-s1", 20_000), ("kr-s1", 20_000)],
        [("b1", 40_000)],
        hs=SLAB_HS,
        form="slab",
    )
    transform(
        h,
        "proc-vn",
        "t-a",
        "vn-line",
        "cutting",
        [("cn-s1", 20_000), ("b1", 40_000)],
        [("a1", 60_000)],
        hs=SLAB_HS,
        form="slab",
    )
    r = origin_report(h.state, "a1")
    assert r["melt_and_pour"] == {"CN": pytest.approx(2 / 3), "KR": pytest.approx(1 / 3)}
    assert r["genealogy"]["ancestors"] == 3 and r["genealogy"]["edges"] == 4
    assert r["origin"] == "CN"
