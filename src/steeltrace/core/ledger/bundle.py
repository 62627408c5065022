"""Proof bundles: everything an outsider needs to check one transaction offline.

A foreign customs authority, a bank or an auditor that does not run a node receives a
bundle (``steeltrace proof TX_ID --bundle``) and checks it with nothing but this module
and the orderer's public key from the consortium's genesis configuration:

1. the transaction's id is the hash of its signed content, and its leaf is the hash of
   its canonical envelope;
2. the audit path leads from that leaf to the header's ``tx_root`` (RFC 9162), and the
   tree size is the header's ``tx_count``;
3. the block hash is the hash of the header, and the orderer's Ed25519 signature over the
   header verifies with the expected key;
4. the block's verdicts hash to the header's ``results_hash``, so the transaction's
   status (valid, or invalid with its code) is the committed one.

:func:`verify_bundle` returns what was proven or raises :class:`IntegrityError` naming
the step that failed.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import crypto
from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.ledger import merkle
from steeltrace.core.ledger.block import header_hash, verify_header_signature
from steeltrace.errors import IntegrityError, SteeltraceError

BUNDLE_FIELDS = ("tx", "proof", "header", "signature", "orderer", "results")


def _fail(code: str, message: str) -> IntegrityError:
    return IntegrityError(code, message)


def verify_bundle(bundle: Any, *, orderer_public_key: str | None = None) -> dict[str, Any]:
    """Check a proof bundle; ``orderer_public_key`` (hex) is the key the verifier trusts,
    from the genesis configuration. Without it, the bundle's own key is used and the
    result says so (``orderer_key_trusted: false``)."""
    if not isinstance(bundle, dict) or sorted(bundle) != sorted(BUNDLE_FIELDS):
        raise _fail("BUNDLE_MALFORMED", f"a bundle has exactly the fields {BUNDLE_FIELDS}")
    try:
        tx, proof, header = bundle["tx"], bundle["proof"], bundle["header"]
        body = {k: v for k, v in tx.items() if k != "signature"}
        tx_id = crypto.sha256_hex(canonical_bytes(body))
        leaf = merkle.leaf_hash(canonical_bytes(tx))
        if tx_id != proof["tx_id"]:
            raise _fail("BUNDLE_TX_ID", "the transaction's content does not hash to the proof's id")
        if leaf.hex() != proof["leaf_hash"]:
            raise _fail("BUNDLE_LEAF", "the transaction's envelope does not hash to the leaf")
        if proof["root"] != header["tx_root"] or proof["tree_size"] != header["tx_count"]:
            raise _fail("BUNDLE_ROOT", "the proof is not for this block's tx_root")
        merkle.verify_inclusion(
            proof["leaf_index"],
            proof["tree_size"],
            leaf,
            [bytes.fromhex(h) for h in proof["audit_path"]],
            bytes.fromhex(header["tx_root"]),
        )
        block_hash = header_hash(header)
        if block_hash != proof["block_hash"]:
            raise _fail("BUNDLE_BLOCK_HASH", "the header does not hash to the proof's block hash")
        key = bundle["orderer"]["public_key"]
        trusted = orderer_public_key is not None
        if trusted and key != orderer_public_key:
            raise _fail(
                "BUNDLE_ORDERER", "the bundle names another orderer key than the trusted one"
            )
        if bundle["orderer"]["id"] != header["orderer"] or not verify_header_signature(
            bytes.fromhex(key), header, bytes.fromhex(bundle["signature"])
        ):
            raise _fail(
                "BUNDLE_SIGNATURE", "the orderer's signature over the header does not verify"
            )
        results = bundle["results"]
        if crypto.sha256_hex(canonical_bytes(results)) != header["results_hash"]:
            raise _fail("BUNDLE_RESULTS", "the verdicts do not hash to the header's results_hash")
        mine = results[proof["leaf_index"]]
        if mine[0] != tx_id:
            raise _fail("BUNDLE_RESULTS", "the verdict at the leaf index is another transaction's")
    except SteeltraceError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise _fail(
            "BUNDLE_MALFORMED", f"the bundle does not have the documented shape: {e}"
        ) from e
    return {
        "ok": True,
        "tx_id": tx_id,
        "type": tx.get("type"),
        "signer": tx.get("signer", {}).get("org"),
        "status": mine[1],
        "code": mine[2],
        "chain_id": header["chain_id"],
        "block_height": header["height"],
        "block_hash": block_hash,
        "orderer": header["orderer"],
        "orderer_key_trusted": trusted,
    }
