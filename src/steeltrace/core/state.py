"""The world state as contracts see it, and the commitment to it.

State is a map from string keys (``kind/id``, see docs/state.md) to JSON values.
Contracts read it through :class:`StateView` and never write: they return a
:data:`WriteSet` (key -> new value, or ``None`` to delete), and the peer applies it.

The state root is a history-independent commitment to the whole map: a homomorphic
multiset hash in the LtHash family. Each entry ``(key, value)`` is expanded with
SHAKE-256 to 2,048 bytes and read as an unsigned integer; the accumulator is the sum of
those integers modulo 2^16384. Writing an entry subtracts the old element and adds the
new one, so the root updates in time proportional to the writes, not to the state.
``state_root = SHA-256("steeltrace:state:v1" || accumulator as 2,048 big-endian bytes)``.
Two states have the same root exactly when they hold the same entries (up to the
collision resistance of the construction); rejected transactions change nothing, so they
leave the root as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

import orjson

from steeltrace.core.canonical import canonical_bytes

WriteSet = dict[str, Any]

_ELEMENT_BYTES = 2048
_MODULUS = 1 << (8 * _ELEMENT_BYTES)
_MASK = _MODULUS - 1  # x & _MASK == x mod 2^16384, also for negative x, and faster
_ENTRY_TAG = b"steeltrace:state-entry:v1\x00"
_ROOT_TAG = b"steeltrace:state:v1"


class StateView(Protocol):
    """Read-only access to the world state."""

    def get(self, key: str) -> Any | None: ...


def entry_element(key: str, value_bytes: bytes) -> int:
    kb = key.encode("utf-8")
    h = hashlib.shake_256(_ENTRY_TAG + len(kb).to_bytes(4, "big") + kb + value_bytes)
    return int.from_bytes(h.digest(_ELEMENT_BYTES), "big")


class StateAccumulator:
    """The running multiset hash behind the state root."""

    __slots__ = ("value",)

    def __init__(self, value: int = 0) -> None:
        self.value = value % _MODULUS

    @classmethod
    def from_bytes(cls, data: bytes) -> StateAccumulator:
        return cls(int.from_bytes(data, "big"))

    def to_bytes(self) -> bytes:
        return self.value.to_bytes(_ELEMENT_BYTES, "big")

    def add(self, key: str, value_bytes: bytes) -> None:
        self.value = (self.value + entry_element(key, value_bytes)) & _MASK

    def remove(self, key: str, value_bytes: bytes) -> None:
        self.value = (self.value - entry_element(key, value_bytes)) & _MASK

    def root(self) -> str:
        return hashlib.sha256(_ROOT_TAG + self.to_bytes()).hexdigest()

    def copy(self) -> StateAccumulator:
        return StateAccumulator(self.value)

    @classmethod
    def of_entries(cls, entries: Iterable[tuple[str, bytes]]) -> StateAccumulator:
        acc = cls()
        for k, v in entries:
            acc.add(k, v)
        return acc


def encode_value(value: Any) -> bytes:
    """State values are stored and hashed in their canonical bytes."""
    return canonical_bytes(value)


class MemoryState:
    """A complete in-memory state: used by replay (``verify``), tests and dry runs."""

    def __init__(self, entries: Mapping[str, bytes] | None = None) -> None:
        self._raw: dict[str, bytes] = dict(entries or {})
        self.acc = StateAccumulator.of_entries(self._raw.items())

    def get(self, key: str) -> Any | None:
        # Decoded afresh on every read: a contract that mutates what it read (and then
        # rejects) can never corrupt the state.
        raw = self._raw.get(key)
        return None if raw is None else orjson.loads(raw)

    def get_raw(self, key: str) -> bytes | None:
        return self._raw.get(key)

    def apply(self, writes: WriteSet) -> None:
        for key, value in writes.items():
            old = self._raw.get(key)
            if old is not None:
                self.acc.remove(key, old)
            if value is None:
                self._raw.pop(key, None)
            else:
                raw = encode_value(value)
                self._raw[key] = raw
                self.acc.add(key, raw)

    def root(self) -> str:
        return self.acc.root()

    def items(self) -> Iterator[tuple[str, bytes]]:
        return iter(sorted(self._raw.items()))

    def keys_with_prefix(self, prefix: str) -> list[str]:
        return sorted(k for k in self._raw if k.startswith(prefix))


class Overlay:
    """Writes of the transactions accepted so far in a block, over a base view.

    Later transactions of the same block see earlier ones' writes, exactly as they will
    after the block commits, so validation order is the block order on every peer.
    """

    _MISSING = object()

    def __init__(self, base: StateView) -> None:
        self.base = base
        self.writes: WriteSet = {}

    def get(self, key: str) -> Any | None:
        v = self.writes.get(key, self._MISSING)
        if v is not self._MISSING:
            # A fresh copy, for the same reason as MemoryState.get.
            return None if v is None else orjson.loads(orjson.dumps(v))
        return self.base.get(key)

    def apply(self, writes: WriteSet) -> None:
        self.writes.update(writes)
