"""The main story: chapter 2 of the demo, through a real node, once for this module.

Every step of src/steeltrace/demo/steel.py runs against a real SQLite ledger; the
attacks it stages end with the codes below, and the 8 invariants hold at the end.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from steeltrace.core.certificates.verification import certificates_for_lot
from steeltrace.core.origin.report import origin_report
from steeltrace.demo.narrator import Narrator
from steeltrace.demo.steel import run
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.support.nodes import demo_node


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, dict[str, Any]]]:
    node = demo_node(Path(tmp_path_factory.mktemp("story")) / "home")
    try:
        out = run(node, Narrator(Console(file=io.StringIO())))
        yield node, out
    finally:
        node.close()


def test_main_story_attack_verdicts(story: tuple[Node, dict[str, Any]]) -> None:
    node, out = story
    assert out["outcomes"] == {
        "forged_cert_unknown_heat": "CERT_HEAT_UNKNOWN",
        "copied_cert_over_certified": "CERT_LOT_MASS_EXCEEDED",
        "cert_by_trader": "ROLE_NOT_PERMITTED",
        "circumvention": "MELT_POUR_MISMATCH,ORIGIN_MISMATCH",
        "customs_wrong_country": "CUSTOMS_WRONG_COUNTRY",
        "mass_inflation": "MASS_INFLATION",
        "double_sale": "TITLE_NOT_OWNER",
        "double_pledge": "PLEDGE_EXISTS",
        "sell_pledged": "LOT_PLEDGED",
        "risk": "UNIT_VALUE_OUTLIER:US-IMP-SLAB-CN-3",
    }
    check_invariants(node)


def test_main_story_final_state(story: tuple[Node, dict[str, Any]]) -> None:
    node, out = story
    gi = out["gi_origin"]
    assert gi["melt_and_pour"] == {"CN": 1.0} and gi["origin"] == "CN"
    strip = origin_report(node, "CA-STRIP-1", reference_country="CA")
    assert set(strip["melt_and_pour"]) == {"CA", "KR"}
    assert strip["melt_and_pour"]["CA"] == pytest.approx(29_400 / 49_400)
    assert sum(strip["melt_and_pour"].values()) == pytest.approx(1.0)
    # one owner each, as the story left them
    assert node.get("lot/US-HRC-1")["owner"] == "trader-sg"
    assert node.get("lot/VN-GI-1")["owner"] == "trader-sg"
    assert node.get("lot/CN-HRC-1")["state"] == "consumed"
    assert node.get("lot/US-HRC-2")["pledge"] == "PL-0001"
    assert node.get("pledge/PL-0001")["status"] == "active"
    assert node.get("pledge/PL-0002") is None
    ca = node.get("declaration/CA-IMP-2026-0001")
    assert ca["status"] == "held"
    assert [d["code"] for d in ca["discrepancies"]] == ["MELT_POUR_MISMATCH", "ORIGIN_MISMATCH"]
    us = node.get("declaration/US-IMP-2026-0001")
    assert us["status"] == "cleared" and us["discrepancies"] == []
    # the certificates of every heat reach the lots made from them
    certs = certificates_for_lot(node, "CA-STRIP-1")
    assert {c["heat"] for c in certs["certificates"]} == {"mill-ca/H-CA-24001", "mill-kr/H-KR-3307"}
    assert certs["any_valid"] and certs["revoked"] == []
    check_invariants(node)
