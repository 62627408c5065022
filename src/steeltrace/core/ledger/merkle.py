"""The Merkle tree over a block's transactions: RFC 6962 / RFC 9162 (SHA-256).

This module owns the tree hash and its two proofs, nothing else:

* leaf hash  ``SHA-256(0x00 || data)``                (:func:`leaf_hash`)
* node hash  ``SHA-256(0x01 || left || right)``       (:func:`node_hash`)
* empty tree ``SHA-256("")``                          (:data:`EMPTY_ROOT`)
* the Merkle Tree Hash (MTH) of RFC 6962 section 2.1: the tree is split at the largest
  power of two smaller than the number of leaves, so it is left-full; no leaf is ever
  duplicated (a "regrouped" block therefore never keeps its root, F-16);
* inclusion proofs (RFC 6962 section 2.1.1 ``PATH``; verified as RFC 9162 section
  2.1.3.2) and consistency proofs (RFC 6962 section 2.1.2 ``SUBPROOF``; verified as
  RFC 9162 section 2.1.4.2).

The different prefixes for leaves and nodes make a leaf never pass for an inner node
(second-preimage resistance). What a leaf's ``data`` is (the canonical bytes of a
transaction) is decided by the block module, not here; docs/protocol/merkle.md states it.

Errors. Verifiers raise :class:`~steeltrace.errors.IntegrityError`, because a proof
that does not verify means the data in hand is not what the root commits to:

* ``MERKLE_BAD_HASH_LENGTH`` - a leaf hash, proof hash or root is not 32 bytes;
* ``MERKLE_INDEX_RANGE``     - the leaf index is outside ``[0, size)``;
* ``MERKLE_SIZE_RANGE``      - consistency sizes out of order (``size1 > size2``),
  negative, or ``size1 == 0`` (every tree extends the empty tree, so such a "proof"
  proves nothing and is refused, as the transparency-dev vectors require);
* ``MERKLE_BAD_PROOF``       - the proof has the wrong length or does not lead to the root.

The builders (:func:`inclusion_proof`, :func:`consistency_proof`,
:func:`root_from_leaf_hashes`) raise :class:`~steeltrace.errors.InvalidInput` with the
same codes: a wrong index there is the caller's mistake, not tampering.

Every tree function is iterative and linear in the number of leaves: a block of 2,000
transactions costs about 4,000 SHA-256 calls for its root.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from steeltrace.errors import IntegrityError, InvalidInput

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_leaf_hashes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one leaf's raw bytes."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an inner node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes already known to be well formed.

    Pairing neighbours level by level and carrying an odd last node up unchanged builds
    exactly the RFC 6962 left-full tree, without recursion.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _check_leaf_hashes(hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise InvalidInput(
                "MERKLE_BAD_HASH_LENGTH", f"leaf hash {i} is {len(h)} bytes, not {HASH_SIZE}"
            )


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash (RFC 6962 section 2.1) over leaf hashes."""
    _check_leaf_hashes(hashes)
    return _mth(hashes)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash over raw leaf data (each leaf is hashed with 0x00 first)."""
    return _mth([leaf_hash(d) for d in leaves])


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path ``PATH(index, D[n])`` of RFC 6962 section 2.1.1, leaf to root.

    ``hashes`` are the leaf hashes of the whole tree. The path of the only leaf of a
    one-leaf tree is empty.
    """
    _check_leaf_hashes(hashes)
    n = len(hashes)
    if not 0 <= index < n:
        raise InvalidInput("MERKLE_INDEX_RANGE", f"leaf index {index} is outside a tree of {n}")
    siblings: list[bytes] = []  # collected root-first
    lo, hi = 0, n
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            siblings.append(_mth(hashes[lo + k : hi]))
            hi = lo + k
        else:
            siblings.append(_mth(hashes[lo : lo + k]))
            lo = lo + k
    siblings.reverse()
    return siblings


def consistency_proof(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    """``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)`` of RFC 6962 section 2.1.2.

    Proves that the tree of the first ``m`` leaves is a prefix of the tree of all
    ``n = len(hashes)`` leaves. Defined for ``0 < m <= n``; for ``m == n`` it is empty.
    """
    _check_leaf_hashes(hashes)
    n = len(hashes)
    if not 0 < m <= n:
        raise InvalidInput(
            "MERKLE_SIZE_RANGE", f"a consistency proof needs 0 < m <= n; got m={m}, n={n}"
        )
    siblings: list[bytes] = []  # collected root-first
    lo, hi = 0, n
    whole = True  # the ``b`` flag: is the old tree a complete subtree seen so far?
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            siblings.append(_mth(hashes[lo + k : hi]))
            hi = lo + k
        else:
            siblings.append(_mth(hashes[lo : lo + k]))
            lo, m, whole = lo + k, m - k, False
    siblings.reverse()
    # SUBPROOF(m, D[m], false) = [MTH(D[m])]; with b = true the old root is omitted.
    return siblings if whole else [_mth(hashes[lo:hi]), *siblings]


def _check_length(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise IntegrityError(
            "MERKLE_BAD_HASH_LENGTH", f"{what} is {len(value)} bytes, not {HASH_SIZE}"
        )


def _check_proof_lengths(proof: Sequence[bytes]) -> None:
    for i, p in enumerate(proof):
        _check_length(f"proof hash {i}", p)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf`` (a leaf *hash*) sits at ``index`` in the tree of ``size``
    leaves whose root is ``root``. Returns nothing; raises ``IntegrityError`` otherwise.

    RFC 9162 section 2.1.3.2, step by step:

    1. the leaf hash, every proof hash and the root are 32 bytes;
    2. ``0 <= index < size``;
    3. ``fn = index``, ``sn = size - 1``, ``r = leaf``;
    4. for each ``p`` in the proof: if ``sn == 0`` the proof is too long; if ``fn`` is
       odd or ``fn == sn``, ``r = node(p, r)`` and, if ``fn`` was even, shift ``fn`` and
       ``sn`` right until ``fn`` is odd or zero; otherwise ``r = node(r, p)``; then
       shift ``fn`` and ``sn`` right once;
    5. ``sn == 0`` (the proof is not too short) and ``r == root``.
    """
    _check_length("leaf hash", leaf)
    _check_proof_lengths(proof)
    _check_length("root", root)
    if not 0 <= index < size:
        raise IntegrityError(
            "MERKLE_INDEX_RANGE", f"leaf index {index} is outside a tree of {size}"
        )
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise IntegrityError("MERKLE_BAD_PROOF", "inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise IntegrityError("MERKLE_BAD_PROOF", "inclusion proof is too short")
    if not hmac.compare_digest(r, root):
        raise IntegrityError("MERKLE_BAD_PROOF", "inclusion proof does not lead to the root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``size1`` leaves with ``root1`` is a prefix of the tree of
    ``size2`` leaves with ``root2``. Returns nothing; raises ``IntegrityError`` otherwise.

    1. every proof hash is 32 bytes;
    2. ``0 < size1 <= size2`` (a proof from the empty tree is refused: it proves nothing);
    3. if ``size1 == size2``: the proof is empty and ``root1 == root2``; done;
    4. otherwise RFC 9162 section 2.1.4.2: both roots are 32 bytes and the proof is not
       empty; if ``size1`` is a power of two, ``root1`` is prepended to the proof;
       ``fn = size1 - 1``, ``sn = size2 - 1``; shift both right while ``fn`` is odd;
       ``fr = sr = proof[0]``; for each later ``c``: if ``sn == 0`` the proof is too
       long; if ``fn`` is odd or ``fn == sn``, ``fr = node(c, fr)``, ``sr = node(c, sr)``
       and, if ``fn`` was even, shift both right until ``fn`` is odd or zero; otherwise
       ``sr = node(sr, c)``; then shift both right once;
    5. ``fr == root1``, ``sr == root2`` and ``sn == 0``.

    In step 3 the roots are only compared, never hashed, so their length is not checked
    there (the transparency-dev vector "sizes are equal (one) and proof is empty" expects
    two equal 14-byte roots to pass).
    """
    _check_proof_lengths(proof)
    if size1 < 0 or size2 < 0 or size1 > size2:
        raise IntegrityError(
            "MERKLE_SIZE_RANGE", f"sizes must satisfy 0 < size1 <= size2; got {size1}, {size2}"
        )
    if size1 == 0:
        raise IntegrityError(
            "MERKLE_SIZE_RANGE", "a consistency proof from the empty tree proves nothing"
        )
    if size1 == size2:
        if proof:
            raise IntegrityError("MERKLE_BAD_PROOF", "equal sizes need an empty proof")
        if not hmac.compare_digest(root1, root2):
            raise IntegrityError("MERKLE_BAD_PROOF", "equal sizes but different roots")
        return
    _check_length("root1", root1)
    _check_length("root2", root2)
    if not proof:
        raise IntegrityError("MERKLE_BAD_PROOF", "consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise IntegrityError("MERKLE_BAD_PROOF", "consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise IntegrityError("MERKLE_BAD_PROOF", "consistency proof is too short")
    # Compare both roots before deciding, so the failure does not depend on which differs.
    ok1 = hmac.compare_digest(fr, root1)
    ok2 = hmac.compare_digest(sr, root2)
    if not (ok1 and ok2):
        raise IntegrityError("MERKLE_BAD_PROOF", "consistency proof does not lead to the roots")
