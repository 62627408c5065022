"""Document anchors: an organisation commits to the hash of an off-ledger document.

Bills of lading, inspection reports, quality manuals, invoices: the ledger holds who
anchored which SHA-256 when, so anyone holding the document can prove it is the one
that was anchored, and nobody can swap it later. Keys: ``doc/{org}/{doc_id}``.
"""

from __future__ import annotations

from typing import Any

from steeltrace.core import schema
from steeltrace.core.contracts.registry import TxContext, contract
from steeltrace.core.state import StateView, WriteSet
from steeltrace.errors import Rejected


def _note(v: Any, p: str) -> str:
    return schema.text(v, p, 4000)


_PAYLOAD = {
    "doc_id": schema.ident,
    "kind": schema.ident,
    "sha256": schema.hex_bytes(32),
    "title": schema.text,
}
_OPTIONAL = {"refs": schema.list_of(schema.ident, 0, 100, unique=True), "note": _note}


@contract("document.anchor", roles=None, summary="Anchor the SHA-256 of an off-ledger document")
def anchor(state: StateView, ctx: TxContext, payload: dict[str, Any]) -> WriteSet:
    p = schema.fields(payload, _PAYLOAD, _OPTIONAL)
    key = f"doc/{ctx.signer_org}/{p['doc_id']}"
    if state.get(key) is not None:
        raise Rejected(
            "DOC_EXISTS", f"{ctx.signer_org} already anchored a document {p['doc_id']!r}"
        )
    return {
        key: {
            **p,
            "org": ctx.signer_org,
            "anchored_at": schema.format_time(ctx.block_time),
            "height": ctx.height,
            "tx_id": ctx.tx_id,
        }
    }
