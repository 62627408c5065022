"""``Idempotency-Key`` on writes: a retried request gets the first answer, not a second
transaction.

This matters more than usual here: in embedded mode the node signs each request with a
fresh nonce and ``created_at``, so two identical requests are two different
transactions. With the same key a client can retry after a timeout or a dropped
connection and be sure at most one transaction was submitted.

Rules (scoped per user: two users may use the same key independently):

* same key, same request (method, path and body bytes) -> the stored answer replayed,
  status code and body, with ``Idempotent-Replayed: true``;
* same key, another request -> 422 ``IDEMPOTENCY_KEY_REUSED``;
* same key while the first request is still running -> 409 ``IDEMPOTENCY_IN_PROGRESS``;
* answers with a 5xx status are not stored (a local fault is worth retrying).

Records live in the ``idempotency`` table of ``{home}/users.sqlite3`` and are kept for
:data:`RETENTION_SECONDS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from steeltrace.api.users import DB_NAME, connect
from steeltrace.errors import InvalidInput, SteeltraceError

RETENTION_SECONDS = 24 * 3600
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency (
    user_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER,
    headers     TEXT,
    body        BLOB,
    created_at  REAL NOT NULL,
    PRIMARY KEY (user_id, key)
);
"""


class KeyReused(SteeltraceError):
    kind = "invalid_input"
    http_status = 422


class InProgress(SteeltraceError):
    kind = "conflict"
    http_status = 409


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def validate_key(key: str) -> str:
    if not _KEY.match(key):
        raise InvalidInput(
            "IDEMPOTENCY_KEY_INVALID",
            "Idempotency-Key must be 1-255 printable ASCII characters without spaces",
        )
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (method.encode(), path.encode("utf-8", "surrogatepass"), body):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


class IdempotencyStore:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = connect(path)
        self._conn.executescript(_SCHEMA)

    @classmethod
    def in_home(cls, home: Path) -> IdempotencyStore:
        return cls(Path(home) / DB_NAME)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def claim(self, user_id: str, key: str, fp: str) -> StoredAnswer | None:
        """Claim ``key`` for this request, or return the answer already stored for it.

        Raises :class:`KeyReused` if the key was used for another request and
        :class:`InProgress` while the first request with the key is still running.
        """
        now = time.time()
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "DELETE FROM idempotency WHERE created_at < ?", (now - RETENTION_SECONDS,)
                )
                row = conn.execute(
                    "SELECT fingerprint, status, headers, body FROM idempotency"
                    " WHERE user_id = ? AND key = ?",
                    (user_id, key),
                ).fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO idempotency (user_id, key, fingerprint, created_at)"
                        " VALUES (?, ?, ?, ?)",
                        (user_id, key, fp, now),
                    )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if row is None:
            return None
        stored_fp, status, headers, body = row
        if stored_fp != fp:
            raise KeyReused(
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was already used for a different request; "
                "use a new key for a new request",
            )
        if status is None:
            raise InProgress(
                "IDEMPOTENCY_IN_PROGRESS",
                "a request with this Idempotency-Key is still being processed; retry shortly",
            )
        return StoredAnswer(int(status), json.loads(headers), bytes(body))

    def finish(self, user_id: str, key: str, answer: StoredAnswer) -> None:
        """Store the answer to a claimed key, or release the claim on a 5xx answer."""
        with self._lock:
            if answer.status >= 500:
                self._release(user_id, key)
                return
            self._conn.execute(
                "UPDATE idempotency SET status = ?, headers = ?, body = ?"
                " WHERE user_id = ? AND key = ?",
                (answer.status, json.dumps(answer.headers), answer.body, user_id, key),
            )

    def release(self, user_id: str, key: str) -> None:
        with self._lock:
            self._release(user_id, key)

    def _release(self, user_id: str, key: str) -> None:
        with contextlib.suppress(sqlite3.Error):  # best effort: the row expires anyway
            self._conn.execute(
                "DELETE FROM idempotency WHERE user_id = ? AND key = ? AND status IS NULL",
                (user_id, key),
            )
