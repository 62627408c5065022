"""The embedded block store: one SQLite file in the node's home directory.

WAL journal, ``synchronous=FULL``: a commit returns only after it is on disk. A block,
its transactions and results, the state writes, the state accumulator and the applied
height are written in one ``BEGIN IMMEDIATE ... COMMIT``: killed at any instant, the
file holds either all of a block or none of it (F-05). Readers use their own
connections (one per thread), which WAL lets run beside the writer.

Tables: ``blocks(height, hash, header, signature)``, ``txs(height, idx, tx_id, type,
signer, status, code, message, leaf)``, ``state(key, value)``, ``meta(k, v)``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from steeltrace.core.ledger import transaction as txmod
from steeltrace.core.ledger.block import Block, TxResult
from steeltrace.errors import IntegrityError, LocalFault

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
  height INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  header BLOB NOT NULL,
  signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS txs (
  height INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  tx_id TEXT NOT NULL,
  type TEXT NOT NULL,
  signer TEXT NOT NULL,
  status TEXT NOT NULL,
  code TEXT,
  message TEXT,
  leaf BLOB NOT NULL,
  PRIMARY KEY (height, idx)
);
-- Not unique: a replayed copy that reached a block is recorded there as invalid
-- (TX_DUPLICATE); a lookup by id answers with the first, original occurrence.
CREATE INDEX IF NOT EXISTS txs_by_id ON txs(tx_id, height);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
"""


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _prefix_end(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\U0010ffff"


class SqliteStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._writer = _connect(self.path)
            self._writer.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            raise IntegrityError(
                "STORE_CORRUPT", f"{self.path} is not a readable ledger: {e}"
            ) from e
        self._local = threading.local()
        self._lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = [self._writer]

    # --- reads -----------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        try:
            return self._reader().execute(sql, args).fetchone()
        except sqlite3.DatabaseError as e:
            raise LocalFault("STORE_READ_FAILED", f"reading {self.path}: {e}") from e

    def height(self) -> int:
        row = self._one("SELECT v FROM meta WHERE k='height'")
        return -1 if row is None else int(row[0])

    def get_raw(self, key: str) -> bytes | None:
        row = self._one("SELECT value FROM state WHERE key=?", (key,))
        return None if row is None else bytes(row[0])

    def get(self, key: str) -> Any | None:
        raw = self.get_raw(key)
        return None if raw is None else orjson.loads(raw)

    def scan(
        self, prefix: str, after: str | None = None, limit: int = 100
    ) -> list[tuple[str, Any]]:
        lo = after if after is not None and after >= prefix else prefix
        op = ">" if after is not None and after >= prefix else ">="
        try:
            rows = (
                self._reader()
                .execute(
                    f"SELECT key, value FROM state WHERE key {op} ? AND key < ? "
                    "ORDER BY key LIMIT ?",
                    (lo, _prefix_end(prefix), limit),
                )
                .fetchall()
            )
        except sqlite3.DatabaseError as e:
            raise LocalFault("STORE_READ_FAILED", f"reading {self.path}: {e}") from e
        return [(k, orjson.loads(v)) for k, v in rows]

    def count(self, prefix: str) -> int:
        row = self._one(
            "SELECT count(*) FROM state WHERE key >= ? AND key < ?", (prefix, _prefix_end(prefix))
        )
        return int(row[0])

    def iter_state(self) -> Iterator[tuple[str, bytes]]:
        for k, v in self._reader().execute("SELECT key, value FROM state ORDER BY key"):
            yield k, bytes(v)

    def iter_tx_ids(self) -> Iterator[str]:
        for (tx_id,) in self._reader().execute("SELECT tx_id FROM txs"):
            yield str(tx_id)

    def tx_count(self) -> int:
        return int(self._one("SELECT count(*) FROM txs")[0])

    def has_tx(self, tx_id: str) -> bool:
        return self._one("SELECT 1 FROM txs WHERE tx_id=?", (tx_id,)) is not None

    def tx_row(self, tx_id: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT tx_id, height, idx, type, signer, status, code, message, leaf FROM txs "
            "WHERE tx_id=? ORDER BY height, idx LIMIT 1",
            (tx_id,),
        )
        if row is None:
            return None
        keys = ("tx_id", "height", "index", "type", "signer", "status", "code", "message", "leaf")
        return dict(zip(keys, row, strict=True))

    def state_accumulator(self) -> bytes:
        row = self._one("SELECT v FROM meta WHERE k='state_acc'")
        return b"" if row is None else bytes(row[0])

    def meta(self, k: str) -> bytes | None:
        row = self._one("SELECT v FROM meta WHERE k=?", (k,))
        return None if row is None else bytes(row[0])

    def load_block(self, height: int) -> Block | None:
        conn = self._reader()
        row = conn.execute(
            "SELECT header, signature FROM blocks WHERE height=?", (height,)
        ).fetchone()
        if row is None:
            return None
        try:
            header = orjson.loads(row[0])
        except orjson.JSONDecodeError as e:
            raise IntegrityError(
                "BLOCK_CORRUPT", f"block {height}: header is not JSON", height=height
            ) from e
        txs = []
        results = []
        for leaf, status, code, message in conn.execute(
            "SELECT leaf, status, code, message FROM txs WHERE height=? ORDER BY idx", (height,)
        ):
            try:
                tx = txmod.from_bytes(bytes(leaf))
            except Exception as e:
                raise IntegrityError(
                    "BLOCK_CORRUPT",
                    f"block {height}: a transaction does not decode: {e}",
                    height=height,
                ) from e
            txs.append(tx)
            results.append(TxResult(tx.tx_id, status, code, message))
        sig = bytes.fromhex(row[1]) if _is_hex(row[1]) else b""
        return Block(header=header, signature=sig, transactions=tuple(txs), results=tuple(results))

    def load_header(self, height: int) -> dict[str, Any] | None:
        row = self._one("SELECT header FROM blocks WHERE height=?", (height,))
        if row is None:
            return None
        try:
            header: dict[str, Any] = orjson.loads(row[0])
        except orjson.JSONDecodeError as e:
            raise IntegrityError(
                "BLOCK_CORRUPT", f"block {height}: header is not JSON", height=height
            ) from e
        return header

    def block_hash(self, height: int) -> str | None:
        row = self._one("SELECT hash FROM blocks WHERE height=?", (height,))
        return None if row is None else str(row[0])

    def iter_blocks(self, start: int = 0) -> Iterator[Block]:
        h = start
        while True:
            b = self.load_block(h)
            if b is None:
                return
            yield b
            h += 1

    def recent_txs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = (
            self._reader()
            .execute(
                "SELECT tx_id, height, idx, type, signer, status, code FROM txs "
                "ORDER BY height DESC, idx DESC LIMIT ?",
                (limit,),
            )
            .fetchall()
        )
        keys = ("tx_id", "height", "index", "type", "signer", "status", "code")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    # --- the one write -------------------------------------------------------------
    def commit_block(self, block: Block, raw_writes: dict[str, bytes | None], acc: bytes) -> None:
        conn = self._writer
        h = block.height
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = self.height_in(conn)
                if h != cur + 1:
                    raise IntegrityError(
                        "BLOCK_OUT_OF_ORDER", f"block {h} does not follow the stored height {cur}"
                    )
                conn.execute(
                    "INSERT INTO blocks(height, hash, header, signature) VALUES (?,?,?,?)",
                    (h, block.block_hash, block.header_bytes, block.signature.hex()),
                )
                conn.executemany(
                    "INSERT INTO txs(tx_id, height, idx, type, signer, status, code, message, leaf)"
                    " VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            t.tx_id,
                            h,
                            i,
                            t.type,
                            t.signer_org,
                            r.status,
                            r.code,
                            r.message,
                            t.leaf_bytes,
                        )
                        for i, (t, r) in enumerate(
                            zip(block.transactions, block.results, strict=True)
                        )
                    ],
                )
                ups = [(k, v) for k, v in raw_writes.items() if v is not None]
                dels = [(k,) for k, v in raw_writes.items() if v is None]
                if ups:
                    conn.executemany(
                        "INSERT INTO state(key, value) VALUES (?,?) "
                        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                        ups,
                    )
                if dels:
                    conn.executemany("DELETE FROM state WHERE key=?", dels)
                conn.executemany(
                    "INSERT INTO meta(k, v) VALUES (?,?) ON CONFLICT(k) DO UPDATE SET v=excluded.v",
                    [("height", str(h).encode()), ("state_acc", acc)],
                )
                _fault_point("before_commit")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError as e:
            raise IntegrityError(
                "BLOCK_CONFLICT", f"block {h} conflicts with stored data: {e}"
            ) from e
        except sqlite3.DatabaseError as e:
            raise LocalFault(
                "STORE_WRITE_FAILED", f"committing block {h} to {self.path}: {e}"
            ) from e
        _fault_point("after_commit")

    @staticmethod
    def height_in(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT v FROM meta WHERE k='height'").fetchone()
        return -1 if row is None else int(row[0])

    def put_meta(self, k: str, v: bytes) -> None:
        self._writer.execute(
            "INSERT INTO meta(k, v) VALUES (?,?) ON CONFLICT(k) DO UPDATE SET v=excluded.v", (k, v)
        )

    def close(self) -> None:
        with self._lock:
            for c in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    c.close()
            self._conns.clear()


def _is_hex(s: object) -> bool:
    return isinstance(s, str) and all(c in "0123456789abcdef" for c in s)


# Crash-test hook (F-05): tests set STEELTRACE_CRASH_AT to kill the process at a named
# point of a commit. Reading one environment variable per commit costs nothing.
def _fault_point(name: str) -> None:
    import os

    if os.environ.get("STEELTRACE_CRASH_AT") == name:
        os._exit(97)
