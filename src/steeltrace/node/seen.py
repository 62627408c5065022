"""Which transaction ids this node has committed: a Bloom filter in front of SQLite.

Replay protection asks "was this id ever committed?" for every submission and again for
every transaction of every block; nearly always the answer is no. A Bloom filter answers
a "no" from memory; only a "maybe" goes to the store's index, so the answer is exact.
Ids are SHA-256 hex, already uniform, so the bit positions are slices of the id itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

_K = 7  # positions per id; with 10 bits per id, about 1 % false "maybe"s


class SeenIds:
    """``initial`` (the ids already committed) is read on first use, so a node opened
    only to read a block never scans the transaction index."""

    def __init__(
        self,
        exact: Callable[[str], bool],
        expected: int = 1_000_000,
        initial: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self._exact = exact
        self._initial = initial
        self._bits_n = max(1 << 16, 1 << (expected * 10 - 1).bit_length())
        self._bits = bytearray(self._bits_n // 8)
        self._mask = self._bits_n - 1
        self._count = 0
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    def _positions(self, tx_id: str) -> list[int]:
        return [int(tx_id[i * 8 : i * 8 + 8], 16) & self._mask for i in range(_K)]

    def _load(self) -> None:
        # Every reader waits until the committed ids are all in: a half-loaded filter
        # would answer "never seen" for a committed id, and let a replay through.
        if self._initial is None:
            return
        with self._load_lock:
            if self._initial is not None:
                self._add(self._initial())
                self._initial = None

    def add_all(self, ids: Iterable[str]) -> None:
        self._load()
        self._add(ids)

    def _add(self, ids: Iterable[str]) -> None:
        with self._lock:
            bits = self._bits
            for tx_id in ids:
                for p in self._positions(tx_id):
                    bits[p >> 3] |= 1 << (p & 7)
                self._count += 1

    def __contains__(self, tx_id: str) -> bool:
        self._load()
        if len(tx_id) < 8 * _K:
            return self._exact(tx_id)
        bits = self._bits
        for p in self._positions(tx_id):
            if not bits[p >> 3] & (1 << (p & 7)):
                return False
        return self._exact(tx_id)

    @property
    def count(self) -> int:
        return self._count
