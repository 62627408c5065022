"""The ports the node needs. Adapters live in steeltrace.adapters.

* :class:`BlockStore`: durable blocks + state + applied height, committed atomically.
* :class:`OrderingService`: a totally ordered log of submitted transactions. The
  embedded adapter is an in-process queue; a replicated log (etcd, NATS JetStream)
  implements the same two methods, so the peer does not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from steeltrace.core.ledger.block import Block
from steeltrace.core.ledger.transaction import Transaction


class BlockStore(Protocol):
    def height(self) -> int: ...

    def get(self, key: str) -> Any | None: ...

    def get_raw(self, key: str) -> bytes | None: ...

    def scan(
        self, prefix: str, after: str | None = None, limit: int = 100
    ) -> list[tuple[str, Any]]: ...

    def has_tx(self, tx_id: str) -> bool: ...

    def state_accumulator(self) -> bytes: ...

    def commit_block(self, block: Block, raw_writes: dict[str, bytes | None], acc: bytes) -> None:
        """Block, its transactions and results, the state writes, the accumulator and the
        applied height: in ONE durable transaction, or not at all."""
        ...

    def load_block(self, height: int) -> Block | None: ...

    def iter_blocks(self, start: int = 0) -> Iterator[Block]: ...

    def close(self) -> None: ...


class OrderingService(Protocol):
    def broadcast(self, tx: Transaction) -> None:
        """Append a (pre-checked) transaction to the log."""
        ...

    def next_batch(self, max_count: int, timeout: float) -> list[Transaction]:
        """Wait up to ``timeout`` for the next batch of up to ``max_count``, in log order."""
        ...

    def close(self) -> None: ...
