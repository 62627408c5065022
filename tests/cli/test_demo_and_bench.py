"""`steeltrace demo`, `trace`, `lots` and the benchmarks, as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import cli, js


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    r = cli("demo", "--no-serve", home=home)
    assert r.returncode == 0, r.stderr + r.stdout[-2000:]
    for line in (
        "KEY_REVOKED",
        "TX_BAD_SIGNATURE",
        "TX_DUPLICATE",
        "CERT_HEAT_UNKNOWN",
        "MELT_POUR_MISMATCH",
        "ORIGIN_MISMATCH",
        "CUSTOMS_WRONG_COUNTRY",
        "TITLE_NOT_OWNER",
        "PLEDGE_EXISTS",
        "LOT_PLEDGED",
        "MASS_INFLATION",
        "sound",
    ):
        assert line in r.stdout, line
    return home


def test_demo_refuses_a_home_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("not the demo's")
    r = cli("demo", "--no-serve", home=tmp_path)
    assert r.returncode == 4 and "HOME_NOT_EMPTY" in r.stderr
    assert (tmp_path / "precious.txt").exists()


def test_demo_can_run_again_on_its_own_home(demo_home: Path, tmp_path: Path) -> None:
    import shutil

    again = tmp_path / "again"
    shutil.copytree(demo_home, again)
    assert cli("demo", "--no-serve", home=again).returncode == 0


def test_trace_of_the_circumvention_lot(demo_home: Path) -> None:
    out = js(["trace", "VN-GI-1"], demo_home)
    assert out["melt_and_pour"] == {"CN": 1.0}
    assert out["origin"] == "CN"
    assert out["lot"]["id"] == "VN-GI-1"
    assert {e["parent"] for e in out["genealogy"]["edges"]} >= {"CN-HRC-1"}
    assert any("galvanising" in step for step in out["explanation"])
    text = cli("trace", "VN-GI-1", home=demo_home)
    assert text.returncode == 0 and "Origin: CN" in text.stdout


def test_trace_of_a_mixed_lot_shares_sum_to_one(demo_home: Path) -> None:
    out = js(["trace", "CA-STRIP-1", "--country", "CA"], demo_home)
    assert set(out["melt_and_pour"]) == {"CA", "KR"}
    assert abs(sum(out["melt_and_pour"].values()) - 1) < 1e-9
    assert out["foreign_content"]["CA"] == pytest.approx(out["melt_and_pour"]["KR"])


def test_trace_of_an_unknown_lot(demo_home: Path) -> None:
    r = cli("trace", "NO-SUCH-LOT", "--json", home=demo_home)
    assert r.returncode == 3 and json.loads(r.stdout)["error"]["code"] == "LOT_UNKNOWN"


def test_lots_lists_every_lot(demo_home: Path) -> None:
    lots = js(["lots"], demo_home)
    ids = {x["id"] for x in lots}
    assert {"VN-GI-1", "CA-STRIP-1", "CN-SLAB-1", "US-HRC-2"} <= ids
    mine = js(["lots", "--owner", "svc-ca"], demo_home)
    assert mine and all(x["owner"] == "svc-ca" for x in mine)


def test_verify_the_demo_chain(demo_home: Path) -> None:
    report = js(["verify"], demo_home)
    assert report["ok"] and report["blocks"] > 40


def test_bench_ledger_reports_every_key() -> None:
    out = json.loads(cli("bench", "ledger", "--txs", "400", "--json").stdout)
    for key in (
        "committed_tps",
        "p50_ms",
        "p99_ms",
        "bytes_per_tx",
        "peak_rss_mb",
        "verify_rate",
        "ratio",
    ):
        assert key in out, key
    assert out["committed"] == 400 and out["all_valid"]
    assert out["ratio"] == pytest.approx(out["committed_tps"] / out["verify_rate"], rel=0.01)


def test_bench_trace_reports_percentiles() -> None:
    out = json.loads(cli("bench", "trace", "--ancestors", "300", "--repeats", "3", "--json").stdout)
    assert out["ancestors"] >= 300 and out["p95_ms"] >= out["p50_ms"] > 0


def test_risk_signals_of_the_demo(demo_home: Path) -> None:
    out = js(["risk"], demo_home)
    assert [(f["code"], f["subject"]) for f in out["flags"]] == [
        ("UNIT_VALUE_OUTLIER", "US-IMP-SLAB-CN-3")
    ]
    assert js(["risk"], demo_home) == out  # reproducible
