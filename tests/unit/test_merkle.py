"""Properties of steeltrace.core.ledger.merkle, checked against the RFC 6962 definitions.

The ``_spec_*`` functions below are the recursive definitions of RFC 6962 section 2.1,
transcribed literally; the module's iterative code must agree with them for every size.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steeltrace.core.ledger import merkle
from steeltrace.errors import IntegrityError, InvalidInput


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _spec_mth(d: Sequence[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + _spec_mth(d[:k]) + _spec_mth(d[k:])).digest()


def _spec_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*_spec_path(m, d[:k]), _spec_mth(d[k:])]
    return [*_spec_path(m - k, d[k:]), _spec_mth(d[:k])]


def _spec_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [_spec_mth(d)]
    k = _k(n)
    if m <= k:
        return [*_spec_subproof(m, d[:k], b), _spec_mth(d[k:])]
    return [*_spec_subproof(m - k, d[k:], False), _spec_mth(d[:k])]


def _leaves(n: int, salt: bytes) -> list[bytes]:
    return [salt + i.to_bytes(4, "big") for i in range(n)]


def _flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[(bit // 8) % len(out)] ^= 1 << (bit % 8)
    return bytes(out)


sizes = st.integers(min_value=1, max_value=300)
salts = st.binary(max_size=8)


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[list[bytes], int]:
    leaves = _leaves(draw(sizes), draw(salts))
    return leaves, draw(st.integers(min_value=0, max_value=len(leaves) - 1))


@st.composite
def tree_and_prefix(draw: st.DrawFn) -> tuple[list[bytes], int]:
    leaves = _leaves(draw(sizes), draw(salts))
    return leaves, draw(st.integers(min_value=1, max_value=len(leaves)))


# --- hashing and roots -------------------------------------------------------------------


def test_prefixes_and_empty_root() -> None:
    assert merkle.leaf_hash(b"ab") == hashlib.sha256(b"\x00ab").digest()
    assert merkle.node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT
    assert merkle.root([]) == merkle.EMPTY_ROOT


@given(st.integers(min_value=0, max_value=300), salts)
def test_root_equals_the_recursive_definition(n: int, salt: bytes) -> None:
    leaves = _leaves(n, salt)
    assert merkle.root(leaves) == _spec_mth(leaves)
    assert merkle.root_from_leaf_hashes([merkle.leaf_hash(d) for d in leaves]) == _spec_mth(leaves)


def test_a_leaf_is_never_taken_for_a_node() -> None:
    # Two leaves whose concatenated hashes form a third "leaf": prefixes keep roots apart.
    a, b = b"a", b"b"
    fake = merkle.leaf_hash(a) + merkle.leaf_hash(b)
    assert merkle.root([fake]) != merkle.root([a, b])


def test_regrouped_leaves_change_the_root() -> None:
    # F-16: the same bytes split into different leaves must not keep the root.
    assert merkle.root([b"ab", b"c"]) != merkle.root([b"a", b"bc"])
    assert merkle.root([b"a", b"b", b"c"]) != merkle.root([b"a", b"b", b"c", b"c"])


def test_root_of_2000_leaves_is_fast() -> None:
    hashes = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(2000)]
    start = time.perf_counter()
    merkle.root_from_leaf_hashes(hashes)
    assert time.perf_counter() - start < 0.5  # about 3 ms here; generous for slow CI


def test_root_from_leaf_hashes_refuses_a_short_hash() -> None:
    with pytest.raises(InvalidInput) as e:
        merkle.root_from_leaf_hashes([bytes(32), bytes(31)])
    assert e.value.code == "MERKLE_BAD_HASH_LENGTH"


# --- inclusion ---------------------------------------------------------------------------


@given(tree_and_index())
def test_every_inclusion_proof_verifies(case: tuple[list[bytes], int]) -> None:
    leaves, index = case
    hashes = [merkle.leaf_hash(d) for d in leaves]
    proof = merkle.inclusion_proof(index, hashes)
    assert proof == _spec_path(index, leaves)
    merkle.verify_inclusion(index, len(hashes), hashes[index], proof, merkle.root(leaves))


@given(tree_and_index(), st.data())
def test_a_modified_inclusion_proof_fails(
    case: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, index = case
    hashes = [merkle.leaf_hash(d) for d in leaves]
    size, leaf, root = len(hashes), hashes[index], merkle.root(leaves)
    proof = merkle.inclusion_proof(index, hashes)
    bit = data.draw(st.integers(min_value=0, max_value=255))
    bad: list[tuple[int, int, bytes, list[bytes], bytes]] = [
        (index, size, _flip(leaf, bit), proof, root),
        (index, size, leaf, proof, _flip(root, bit)),
        (index, size, leaf, [*proof, bytes(32)], root),
    ]
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad.append(
            (index, size, leaf, [*proof[:at], _flip(proof[at], bit), *proof[at + 1 :]], root)
        )
        bad.append((index, size, leaf, proof[:-1], root))
    if size > 1:
        other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
        bad.append((other, size, leaf, proof, root))
    for args in bad:
        with pytest.raises(IntegrityError):
            merkle.verify_inclusion(*args)


def test_inclusion_errors_have_stable_codes() -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(5)]
    root = merkle.root_from_leaf_hashes(hashes)
    proof = merkle.inclusion_proof(2, hashes)
    cases = {
        "MERKLE_INDEX_RANGE": [(5, 5, hashes[2], proof, root), (-1, 5, hashes[2], proof, root)],
        "MERKLE_BAD_HASH_LENGTH": [
            (2, 5, hashes[2][:31], proof, root),
            (2, 5, hashes[2], [*proof[:-1], proof[-1] + b"\x00"], root),
            (2, 5, hashes[2], proof, b""),
        ],
        "MERKLE_BAD_PROOF": [(2, 5, hashes[3], proof, root), (2, 5, hashes[2], [], root)],
    }
    for code, arguments in cases.items():
        for args in arguments:
            with pytest.raises(IntegrityError) as e:
                merkle.verify_inclusion(*args)
            assert e.value.code == code, args


def test_inclusion_proof_builder_refuses_a_bad_index() -> None:
    for index, size in ((0, 0), (3, 3), (-1, 3)):
        with pytest.raises(InvalidInput) as e:
            merkle.inclusion_proof(index, [bytes(32)] * size)
        assert e.value.code == "MERKLE_INDEX_RANGE"


# --- consistency -------------------------------------------------------------------------


@given(tree_and_prefix())
def test_every_consistency_proof_verifies(case: tuple[list[bytes], int]) -> None:
    leaves, m = case
    hashes = [merkle.leaf_hash(d) for d in leaves]
    proof = merkle.consistency_proof(m, hashes)
    assert proof == _spec_subproof(m, leaves, True)
    merkle.verify_consistency(m, len(leaves), merkle.root(leaves[:m]), merkle.root(leaves), proof)


@given(tree_and_prefix(), st.data())
def test_a_modified_consistency_proof_fails(
    case: tuple[list[bytes], int], data: st.DataObject
) -> None:
    leaves, m = case
    n = len(leaves)
    hashes = [merkle.leaf_hash(d) for d in leaves]
    root1, root2 = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(m, hashes)
    bit = data.draw(st.integers(min_value=0, max_value=255))
    bad: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (m, n, _flip(root1, bit), root2, proof),
        (m, n, root1, _flip(root2, bit), proof),
        (m, n, root1, root2, [*proof, bytes(32)]),
        (n, m, root2, root1, proof) if m != n else (m, n + 1, root1, root2, proof),
    ]
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad.append((m, n, root1, root2, [*proof[:at], _flip(proof[at], bit), *proof[at + 1 :]]))
        bad.append((m, n, root1, root2, proof[:-1]))
    for args in bad:
        with pytest.raises(IntegrityError):
            merkle.verify_consistency(*args)


def test_consistency_errors_have_stable_codes() -> None:
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(7)]
    r3, r7 = merkle.root_from_leaf_hashes(hashes[:3]), merkle.root_from_leaf_hashes(hashes)
    proof = merkle.consistency_proof(3, hashes)
    cases = {
        "MERKLE_SIZE_RANGE": [
            (7, 3, r7, r3, proof),
            (0, 7, merkle.EMPTY_ROOT, r7, []),
            (0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, []),
            (-1, 7, r3, r7, proof),
        ],
        "MERKLE_BAD_HASH_LENGTH": [(3, 7, r3, r7, [*proof[:-1], b"x"]), (3, 7, r3[:16], r7, proof)],
        "MERKLE_BAD_PROOF": [
            (3, 7, r3, r7, []),
            (3, 7, r7, r3, proof),
            (7, 7, r7, r7, proof),
            (7, 7, r7, r3, []),
        ],
    }
    for code, arguments in cases.items():
        for args in arguments:
            with pytest.raises(IntegrityError) as e:
                merkle.verify_consistency(*args)
            assert e.value.code == code, args


def test_consistency_proof_builder_refuses_bad_sizes() -> None:
    for m, n in ((0, 3), (4, 3), (-1, 3), (0, 0)):
        with pytest.raises(InvalidInput) as e:
            merkle.consistency_proof(m, [bytes(32)] * n)
        assert e.value.code == "MERKLE_SIZE_RANGE"
    assert merkle.consistency_proof(3, [bytes(32)] * 3) == []
