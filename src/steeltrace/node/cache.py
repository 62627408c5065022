"""A read cache of the committed state, shared by the submit path and the producer.

Committed values change only when a block commits, and only the keys it wrote. The
producer calls :meth:`CommittedCache.invalidate` with those keys right after the commit;
a generation counter makes sure a reader that fetched a value before that commit can
never put the stale value back afterwards. Values are cached as raw canonical bytes and
decoded on every ``get``, so no caller can share (and mutate) another's object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Protocol

import orjson

MAX_ENTRIES = 200_000


class RawSource(Protocol):
    def get_raw(self, key: str) -> bytes | None: ...


class CommittedCache:
    def __init__(self, source: RawSource, max_entries: int = MAX_ENTRIES) -> None:
        self._source = source
        self._raw: dict[str, bytes | None] = {}
        self._gen = 0
        self._lock = threading.Lock()
        self._max = max_entries

    def get_raw(self, key: str) -> bytes | None:
        try:
            return self._raw[key]
        except KeyError:
            pass
        gen = self._gen
        value = self._source.get_raw(key)
        with self._lock:
            if gen == self._gen:
                if len(self._raw) >= self._max:
                    self._raw.clear()
                self._raw[key] = value
        return value

    def get(self, key: str) -> Any | None:
        raw = self.get_raw(key)
        return None if raw is None else orjson.loads(raw)

    def invalidate(self, keys: Iterable[str]) -> None:
        with self._lock:
            self._gen += 1
            for k in keys:
                self._raw.pop(k, None)

    def clear(self) -> None:
        with self._lock:
            self._gen += 1
            self._raw.clear()
