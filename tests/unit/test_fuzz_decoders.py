"""I-21: fuzzing the transaction decoder and the strict reader: no crash, only stable
errors. Mutations start from a real signed transaction so they reach deep paths."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steeltrace.core import crypto
from steeltrace.core.canonical import parse_strict
from steeltrace.core.ledger import transaction as txmod
from steeltrace.errors import SteeltraceError

KEY = crypto.SigningKey(bytes(range(32)))
GOOD = txmod.sign(
    KEY,
    chain_id="fuzz-chain",
    tx_type="document.anchor",
    payload={"doc_id": "D1", "kind": "note", "sha256": "ab" * 32, "title": "fuzz"},
    org="org-a",
    created_at="2026-01-01T00:00:00Z",
).leaf_bytes


def decode(data: bytes) -> None:
    try:
        tx = txmod.from_bytes(data)
    except SteeltraceError:
        return
    assert len(tx.tx_id) == 64 and tx.leaf_bytes


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    decode(data)


@settings(max_examples=400)
@given(st.integers(0, len(GOOD) - 1), st.integers(0, 255), st.integers(0, 3))
def test_mutated_real_transaction(pos: int, byte: int, mode: int) -> None:
    data = bytearray(GOOD)
    if mode == 0:
        data[pos] = byte
    elif mode == 1:
        del data[pos]
    elif mode == 2:
        data.insert(pos, byte)
    else:
        data = data[:pos]
    decode(bytes(data))


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(
            ["chain_id", "type", "payload", "signer", "nonce", "created_at", "signature", "x"]
        ),
        json_like,
        max_size=8,
    )
)
def test_random_envelopes(envelope: dict[str, object]) -> None:
    with contextlib.suppress(SteeltraceError):  # a stable error is fine; anything else fails
        txmod.from_envelope(envelope)


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_strict_reader_on_text(text: str) -> None:
    try:
        parse_strict(text)
    except SteeltraceError:
        pass
    else:
        json.loads(text)  # whatever we accept, a standard parser accepts too
