"""The embedded ordering service: an in-process FIFO.

Total order is the order of :meth:`broadcast` calls. Inside one process the log carries
the decoded, pre-checked :class:`Transaction` objects; an adapter for a replicated log
carries their canonical bytes and decodes them strictly on the consuming side.
``next_batch`` returns as soon as
``max_count`` transactions are waiting, or when ``timeout`` passes with at least one.
"""

from __future__ import annotations

import threading
from collections import deque

from steeltrace.core.ledger.transaction import Transaction


class InProcessOrdering:
    def __init__(self) -> None:
        self._q: deque[Transaction] = deque()
        self._cv = threading.Condition()
        self._closed = False

    def broadcast(self, tx: Transaction) -> None:
        with self._cv:
            self._q.append(tx)
            self._cv.notify()

    def next_batch(self, max_count: int, timeout: float) -> list[Transaction]:
        with self._cv:
            if not self._q and not self._closed:
                self._cv.wait(timeout)
            if self._q and len(self._q) < max_count and not self._closed:
                # Let a batch fill for a moment: fewer, larger blocks cost less per tx.
                self._cv.wait_for(lambda: len(self._q) >= max_count or self._closed, timeout)
            n = min(max_count, len(self._q))
            return [self._q.popleft() for _ in range(n)]

    def pending(self) -> int:
        with self._cv:
            return len(self._q)

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
