"""Offline proof bundles: an outsider checks one transaction with the orderer's key only.
Every field an attacker could change is tried, and each is caught at its step."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from steeltrace.core.ledger.bundle import verify_bundle
from steeltrace.errors import IntegrityError
from steeltrace.node.queries import proof_bundle
from tests.support.nodes import anchor, make_node


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], str]:
    node = make_node(tmp_path_factory.mktemp("bundle") / "home")
    try:
        txs = [node.sign_as("trader-sg", "document.anchor", anchor(f"B{i}")) for i in range(5)]
        dup = node.sign_as("trader-sg", "document.anchor", anchor("B0"))  # invalid: DOC_EXISTS
        node.produce([*txs, dup])
        out = [proof_bundle(node.store, t.tx_id) for t in [*txs, dup]]
        key = node.config["orderers"][0]["public_key"]
    finally:
        node.close()
    assert all(b is not None for b in out)
    return [b for b in out if b is not None], key


def test_every_transaction_of_a_block_verifies_with_its_status(
    bundles: tuple[list[dict[str, Any]], str],
) -> None:
    items, key = bundles
    results = [verify_bundle(b, orderer_public_key=key) for b in items]
    assert [r["status"] for r in results] == ["valid"] * 5 + ["invalid"]
    assert results[-1]["code"] == "DOC_EXISTS"
    assert all(r["orderer_key_trusted"] for r in results)
    assert verify_bundle(items[0])["orderer_key_trusted"] is False


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(b: dict[str, Any]) -> None:
        target = b
        for p in path[:-1]:
            target = target[p]
        target[path[-1]] = value(target[path[-1]]) if callable(value) else value

    return change


def _flip(h: str) -> str:
    return ("0" if h[0] != "0" else "1") + h[1:]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_set(["tx", "payload", "title"], "another document"), "BUNDLE_TX_ID"),
        (_set(["tx", "signature"], _flip), "BUNDLE_LEAF"),
        (_set(["proof", "audit_path", 0], _flip), "MERKLE_BAD_PROOF"),
        (_set(["proof", "leaf_index"], lambda i: (i + 1) % 6), "MERKLE_BAD_PROOF"),
        (_set(["header", "tx_root"], _flip), "BUNDLE_ROOT"),
        (_set(["header", "state_root"], _flip), "BUNDLE_BLOCK_HASH"),
        (_set(["signature"], _flip), "BUNDLE_SIGNATURE"),
        (_set(["results", 0, 1], "invalid"), "BUNDLE_RESULTS"),
        (_set(["orderer", "public_key"], _flip), "BUNDLE_ORDERER"),
        (lambda b: b.pop("results"), "BUNDLE_MALFORMED"),
        (_set(["proof", "audit_path"], "nonsense"), "BUNDLE_MALFORMED"),
    ],
)
def test_a_changed_field_is_caught(
    bundles: tuple[list[dict[str, Any]], str], change: Callable[[dict[str, Any]], Any], code: str
) -> None:
    items, key = bundles
    b = copy.deepcopy(items[0])
    change(b)
    with pytest.raises(IntegrityError) as info:
        verify_bundle(b, orderer_public_key=key)
    assert info.value.code == code


def test_cli_round_trip(tmp_path: Path) -> None:
    from tests.cli.test_cli import cli

    home = tmp_path / "home"
    node = make_node(home)
    st = node.submit_and_wait("trader-sg", "document.anchor", anchor("CLI-B"))
    key = node.config["orderers"][0]["public_key"]
    node.close()
    r = cli("proof", st["tx_id"], "--bundle", "--json", home=home)
    assert r.returncode == 0, r.stderr
    path = tmp_path / "bundle.json"
    path.write_text(r.stdout)
    ok = cli("verify-proof", str(path), "--orderer-key", key, "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["status"] == "valid"
    bad = json.loads(r.stdout)
    bad["tx"]["payload"]["title"] = "forged"
    path.write_text(json.dumps(bad))
    no = cli("verify-proof", str(path), "--orderer-key", key, "--json")
    assert no.returncode == 1 and json.loads(no.stdout)["error"]["code"] == "BUNDLE_TX_ID"
