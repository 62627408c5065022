"""A read model of the chain's transactions by the record ids their payloads name.

The world state keeps only the latest version of a record (with the height and
transaction that last changed it); a lot passport also wants its history: cast,
transformed, sold, handed over, shipped, pledged, declared. This index reads committed
blocks once, in order, and remembers for every transaction the identifiers its payload
mentions, so "every transaction that named lot L" is a dictionary lookup.

It is incremental (:meth:`ChainIndex.refresh` reads only blocks it has not seen), bounded
in what it keeps per transaction, and never consensus-critical: losing it loses nothing,
it is rebuilt from the blocks. The node's query methods (``height``, ``block``, ``tx``)
are its only input.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["ChainIndex", "TxRef"]

MAX_REFS_PER_TX = 200
_ID_MAX_LEN = 128


class ChainReader(Protocol):
    def height(self) -> int: ...

    def block(self, height: int) -> dict[str, Any] | None: ...

    def tx(self, tx_id: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class TxRef:
    """One committed transaction, as the timeline shows it."""

    tx_id: str
    height: int
    index: int
    type: str
    signer: str
    status: str
    code: str | None
    time: str  # the block time
    payload: dict[str, Any]


def _strings(value: Any, out: set[str]) -> None:
    """Every short string anywhere in a payload (ids are ASCII identifiers)."""
    if len(out) >= MAX_REFS_PER_TX:
        return
    if isinstance(value, str):
        if 0 < len(value) <= _ID_MAX_LEN:
            out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)


class ChainIndex:
    """Transactions by the identifiers their payloads name, built from blocks in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_height = 1  # the genesis block has no transactions
        self._by_ref: dict[str, list[TxRef]] = defaultdict(list)

    @property
    def indexed_height(self) -> int:
        return self._next_height - 1

    def refresh(self, node: ChainReader) -> None:
        with self._lock:
            top = node.height()
            while self._next_height <= top:
                block = node.block(self._next_height)
                if block is None:
                    break
                self._index_block(node, block)
                self._next_height += 1

    def _index_block(self, node: ChainReader, block: dict[str, Any]) -> None:
        header = block.get("header") or {}
        for entry in block.get("transactions") or []:
            tx_id = entry.get("tx_id")
            record = node.tx(tx_id) if isinstance(tx_id, str) else None
            if record is None:
                continue
            envelope = record.get("tx") or {}
            payload = envelope.get("payload") if isinstance(envelope, dict) else None
            payload = payload if isinstance(payload, dict) else {}
            ref = TxRef(
                tx_id=tx_id,
                height=int(header.get("height", self._next_height)),
                index=int(entry.get("index", 0)),
                type=str(entry.get("type") or envelope.get("type") or "?"),
                signer=str(entry.get("signer") or ""),
                status=str(entry.get("status") or record.get("status") or "?"),
                code=entry.get("code"),
                time=str(header.get("time") or ""),
                payload=payload,
            )
            names: set[str] = set()
            _strings(payload, names)
            for name in names:
                self._by_ref[name].append(ref)

    def mentioning(self, *names: str, valid_only: bool = True) -> list[TxRef]:
        """Transactions whose payload names any of ``names``, in chain order."""
        with self._lock:
            found = {r.tx_id: r for n in names for r in self._by_ref.get(n, ())}
        refs = sorted(found.values(), key=lambda r: (r.height, r.index))
        return [r for r in refs if r.status == "valid"] if valid_only else refs
