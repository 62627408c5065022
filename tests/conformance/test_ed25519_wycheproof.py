"""Wycheproof Ed25519 verification vectors (C2SP/wycheproof, ``ed25519_test.json``).

Every case's ``valid``/``invalid`` verdict must equal :func:`verify_raw`. Wycheproof also
has a third result, ``acceptable`` (behaviour the standard leaves open). This file has
none today. Our choice if one appears: no fixed expectation, but the verdict must be a
plain bool; the consensus-relevant pinning of such edge cases is the CCTV suite's job
(tests/conformance/test_ed25519_cctv.py), which records our exact verdicts.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from steeltrace.core.crypto import verify_raw
from tests.conformance import conformance_root

DATA: dict[str, Any] = json.loads(
    (conformance_root() / "wycheproof" / "testvectors_v1" / "ed25519_test.json").read_text()
)
CASES = [
    (group["publicKey"]["pk"], test)
    for group in DATA["testGroups"]
    if group["type"] == "EddsaVerify"
    for test in group["tests"]
]


def test_file_is_the_expected_one() -> None:
    assert DATA["algorithm"] == "EDDSA"
    assert len(CASES) == DATA["numberOfTests"] == 151
    assert {group["publicKey"]["curve"] for group in DATA["testGroups"]} == {"edwards25519"}


@pytest.mark.parametrize(
    ("public_key", "test"),
    CASES,
    ids=[f"tc{test['tcId']}-{test['result']}" for _, test in CASES],
)
def test_verdict(public_key: str, test: dict[str, Any]) -> None:
    verdict = verify_raw(
        bytes.fromhex(public_key), bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
    )
    assert isinstance(verdict, bool)
    if test["result"] == "acceptable":
        return
    want = test["result"] == "valid"
    assert verdict is want, f"tcId {test['tcId']} {test['flags']} {test['comment']!r}"
