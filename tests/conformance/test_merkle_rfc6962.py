"""RFC 6962 / RFC 9162 Merkle vectors from transparency-dev/merkle.

* Every inclusion and consistency case (98 + 98, hashes in base64) gives the verdict its
  ``wantErr`` asks for; a refusal is always an ``IntegrityError``. Two policies make the
  verdicts agree, and the vectors require both: a leaf hash must be exactly 32 bytes
  (``single-entry/empty-root-and-leaf``), and a consistency proof from an empty tree
  (``size1 == 0``) is refused, even towards another empty tree.
* ``rfc6962_reference_vectors.json``: the hasher vectors, the root of every tree of the
  first 0..8 reference leaves and every complete subtree hash reproduce.
* The happy-path cases are all proofs in trees of the first N reference leaves, so we
  rebuild those trees and our builders must produce exactly the published proofs.

The ``subtreeinclusion``/``subtreeconsistency`` folders test arbitrary-subtree proofs
(draft-ietf-plants-merkle-tree-certs); steeltrace has no such proofs, so they are unused.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from steeltrace.core.ledger import merkle
from steeltrace.errors import IntegrityError
from tests.conformance import conformance_root

MERKLE = conformance_root() / "merkle-rfc6962"
TESTDATA = MERKLE / "testdata"
REFERENCE = json.loads((MERKLE / "rfc6962_reference_vectors.json").read_text())
LEAVES = [bytes.fromhex(h) for h in REFERENCE["leafInputsHex"]]
LEAF_HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def _cases(kind: str) -> list[Path]:
    return sorted((TESTDATA / kind).rglob("*.json"))


def _id(path: Path) -> str:
    return str(path.relative_to(TESTDATA)).removesuffix(".json")


INCLUSION = _cases("inclusion")
CONSISTENCY = _cases("consistency")


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text())
    return case


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in case["proof"] or []]  # Go's nil proof is JSON null


def _outcome(check: Any, *args: Any) -> IntegrityError | None:
    try:
        check(*args)
    except IntegrityError as e:
        return e
    return None


def test_case_counts() -> None:
    assert len(INCLUSION) == 98
    assert len(CONSISTENCY) == 98


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_verdict_matches_want_err(path: Path) -> None:
    case = _load(path)
    err = _outcome(
        merkle.verify_inclusion,
        case["leafIdx"],
        case["treeSize"],
        _b64(case["leafHash"]),
        _proof(case),
        _b64(case["root"]),
    )
    assert (err is not None) == case["wantErr"], f"{case['desc']}: {err}"


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_verdict_matches_want_err(path: Path) -> None:
    case = _load(path)
    err = _outcome(
        merkle.verify_consistency,
        case["size1"],
        case["size2"],
        _b64(case["root1"]),
        _b64(case["root2"]),
        _proof(case),
    )
    assert (err is not None) == case["wantErr"], f"{case['desc']}: {err}"


def test_hasher_vectors() -> None:
    for vector in REFERENCE["hasherVectors"]:
        want = bytes.fromhex(vector["want"])
        if vector["op"] == "emptyRoot":
            assert want == merkle.EMPTY_ROOT
            assert merkle.root([]) == want
            assert merkle.root_from_leaf_hashes([]) == want
        elif vector["op"] == "hashLeaf":
            assert merkle.leaf_hash(vector["inputUtf8"].encode()) == want, vector["desc"]
        elif vector["op"] == "hashChildren":
            left, right = vector["leftUtf8"].encode(), vector["rightUtf8"].encode()
            assert merkle.node_hash(left, right) == want, vector["desc"]
        else:
            pytest.fail(f"unknown hasher op {vector['op']!r}")


@pytest.mark.parametrize("size", range(len(REFERENCE["rootHashesBySize"])))
def test_reference_root_for_size(size: int) -> None:
    want = bytes.fromhex(REFERENCE["rootHashesBySize"][size])
    assert merkle.root(LEAVES[:size]) == want
    assert merkle.root_from_leaf_hashes(LEAF_HASHES[:size]) == want


def test_reference_complete_subtree_hashes() -> None:
    for level, hashes in enumerate(REFERENCE["nodeHashesByLevel"]):
        width = 1 << level
        for i, want in enumerate(hashes):
            subtree = LEAF_HASHES[i * width : (i + 1) * width]
            assert merkle.root_from_leaf_hashes(subtree).hex() == want, (level, i)


def _happy(kind: str) -> list[Path]:
    return [p for p in _cases(kind) if p.name == "happy-path.json"]


@pytest.mark.parametrize("path", _happy("inclusion"), ids=_id)
def test_generated_inclusion_proof_equals_happy_path(path: Path) -> None:
    case = _load(path)
    index, size = case["leafIdx"], case["treeSize"]
    tree = LEAF_HASHES[:size]
    assert _b64(case["leafHash"]) == tree[index]
    assert _b64(case["root"]) == merkle.root_from_leaf_hashes(tree)
    assert merkle.inclusion_proof(index, tree) == _proof(case)


@pytest.mark.parametrize("path", _happy("consistency"), ids=_id)
def test_generated_consistency_proof_equals_happy_path(path: Path) -> None:
    case = _load(path)
    size1, size2 = case["size1"], case["size2"]
    assert _b64(case["root1"]) == merkle.root_from_leaf_hashes(LEAF_HASHES[:size1])
    assert _b64(case["root2"]) == merkle.root_from_leaf_hashes(LEAF_HASHES[:size2])
    assert merkle.consistency_proof(size1, LEAF_HASHES[:size2]) == _proof(case)


def test_every_generated_proof_verifies_against_the_reference_roots() -> None:
    roots = [bytes.fromhex(h) for h in REFERENCE["rootHashesBySize"]]
    for size in range(1, len(LEAVES) + 1):
        tree = LEAF_HASHES[:size]
        for index in range(size):
            proof = merkle.inclusion_proof(index, tree)
            merkle.verify_inclusion(index, size, tree[index], proof, roots[size])
        for size1 in range(1, size + 1):
            proof = merkle.consistency_proof(size1, tree)
            merkle.verify_consistency(size1, size, roots[size1], roots[size], proof)
