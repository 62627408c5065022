"""Bulk submission from JSON Lines (``steeltrace submit --file``).

Each line is either ``{"as": ORG_ID, "type": ..., "payload": {...}}`` - signed by this
node with the key it holds for ``ORG_ID`` - or a complete client-signed envelope.
Lines often depend on earlier ones (a lot is cast from a heat registered two lines up),
so a line that fails its pre-check against the committed state is retried once after
every earlier line has committed. The result of each line is reported in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from steeltrace.core import schema
from steeltrace.core.canonical import parse_strict
from steeltrace.core.ledger import transaction as txmod
from steeltrace.errors import Rejected, SteeltraceError
from steeltrace.node.service import Node

_LINE = {"as": schema.ident, "type": schema.ident, "payload": lambda v, p: v}


def _to_tx(node: Node, obj: Any) -> txmod.Transaction:
    if isinstance(obj, dict) and "signature" in obj:
        return txmod.from_envelope(obj)
    line = schema.fields(obj, _LINE, path="line")
    if not isinstance(line["payload"], dict):
        raise schema.bad("line.payload", "must be an object")
    return node.sign_as(line["as"], line["type"], line["payload"])


def submit_lines(node: Node, lines: Iterable[str], timeout: float = 60.0) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    pending: list[tuple[dict[str, Any], str]] = []
    for n, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        res: dict[str, Any] = {"line": n, "tx_id": None, "type": None}
        results.append(res)
        try:
            obj = parse_strict(text)
            res["type"] = obj.get("type") if isinstance(obj, dict) else None
            tx = _to_tx(node, obj)
            res["tx_id"] = tx.tx_id
            try:
                node.submit_tx(tx)
            except Rejected as e:
                if e.code == "TX_DUPLICATE":
                    raise
                node.flush(timeout)  # it may depend on a line still in flight
                node.submit_tx(tx)
            pending.append((res, tx.tx_id))
        except SteeltraceError as e:
            res.update(status="rejected", code=e.code, message=e.message)
    for res, tx_id in pending:
        st = node.wait(tx_id, timeout)
        if st is None:
            res.update(status="timeout", code="COMMIT_TIMEOUT", message="not committed in time")
        else:
            res.update(
                status=st["status"], code=st["code"], message=st["message"], height=st["height"]
            )
    return results
