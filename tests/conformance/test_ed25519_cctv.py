"""CCTV Ed25519 edge cases (C2SP/CCTV): our verdicts are pinned, because peers must agree.

For each of the 914 cases :func:`verify_raw` must give the verdict recorded in
``fixtures/cctv_verdicts.json`` (written by ``generate_cctv_fixture.py``). A changed
verdict, after a library upgrade for instance, is a consensus change: the test names
every case that flipped.

The pinned behaviour is libsodium's: reject any case flagged ``low_order_A``,
``low_order_R``, ``non_canonical_A``, ``non_canonical_R`` or ``low_order_residue``
(cofactorless equation), and accept the rest (43 of 914: ``low_order_component`` points
that are not themselves of low order). The last test states that rule on its own, so a
regenerated fixture cannot silently adopt another one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.conformance.generate_cctv_fixture import (
    FIXTURE,
    compute_verdicts,
    load_vectors,
    vectors_path,
)

PINNED: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
REJECTED_FLAGS = {
    "low_order_A",
    "low_order_R",
    "non_canonical_A",
    "non_canonical_R",
    "low_order_residue",
}


def test_fixture_is_for_these_vectors() -> None:
    digest = hashlib.sha256(vectors_path().read_bytes()).hexdigest()
    assert PINNED["vectors_sha256"] == digest, "the CCTV vectors changed: regenerate on purpose"
    numbers = [str(v["number"]) for v in load_vectors()]
    assert len(numbers) == PINNED["cases"] == 914
    assert sorted(PINNED["verdicts"]) == sorted(numbers)
    assert sum(PINNED["verdicts"].values()) == PINNED["accepted"]


def test_every_verdict_is_unchanged() -> None:
    ours = compute_verdicts()
    flags = {str(v["number"]): v["flags"] or [] for v in load_vectors()}
    changed = [
        f"case {n} {flags[n]}: pinned {PINNED['verdicts'][n]}, now {ours[n]}"
        for n in sorted(ours, key=int)
        if ours[n] != PINNED["verdicts"].get(n)
    ]
    assert not changed, f"{len(changed)} CCTV verdicts changed:\n" + "\n".join(changed)


def test_pinned_verdicts_follow_the_libsodium_rule() -> None:
    for vector in load_vectors():
        expected = not REJECTED_FLAGS.intersection(vector["flags"] or [])
        assert PINNED["verdicts"][str(vector["number"])] is expected, vector["number"]
