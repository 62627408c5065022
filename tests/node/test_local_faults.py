"""A local fault is not a verdict: it never marks a transaction invalid (ARCHITECTURE,
"Deterministic vs local faults")."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.core.contracts import registry
from steeltrace.core.contracts.registry import ContractSpec
from steeltrace.errors import LocalFault
from steeltrace.node.service import Node
from tests.support.nodes import anchor


def test_a_failing_disk_read_in_a_contract_is_retried_not_recorded_invalid(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = registry.lookup("document.anchor")
    assert spec is not None
    calls = {"n": 0}

    def flaky(state: Any, ctx: Any, payload: dict[str, Any]) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 2:  # the first block execution; the pre-check was call 1
            raise OSError("disk I/O error while reading state")
        return spec.apply(state, ctx, payload)

    monkeypatch.setitem(
        registry._REGISTRY,
        "document.anchor",
        ContractSpec(spec.tx_type, flaky, spec.roles, spec.summary),
    )
    height = node.height()
    st = node.submit_and_wait("trader-sg", "document.anchor", anchor("LF1"), timeout=30)
    assert st["status"] == "valid" and st["code"] is None
    assert calls["n"] >= 3  # failed once in the block, then the producer retried
    assert node.height() == height + 1  # one block: the failed attempt committed nothing


def test_produce_raises_local_faults_to_its_caller(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    tx = node.sign_as("trader-sg", "document.anchor", anchor("LF2"))

    def broken(*a: Any, **k: Any) -> None:
        raise LocalFault("STORE_WRITE_FAILED", "no space left on device")

    monkeypatch.setattr(node.store, "commit_block", broken)
    root, height = node.state_root(), node.height()
    with pytest.raises(LocalFault):
        node.produce([tx])
    assert (node.state_root(), node.height()) == (root, height)
    assert node.status(tx.tx_id) is None
