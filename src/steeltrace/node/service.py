"""The embedded node: submission, the block producer, the peer and queries.

One process, one home directory. ``submit`` pre-checks a transaction against the
committed state (a clear error now, nothing recorded) and hands it to the ordering
service. A producer thread takes batches from the log, executes them with the same
pure executor every peer uses, signs the header as the orderer and commits block,
state and height in one SQLite transaction; then it wakes the waiters and the
subscribers. A transaction that passed the pre-check but fails in its block (a
conflict with one ordered before it) is recorded as invalid with its reason code:
docs/adr/0003-invalid-transactions.md.

Blocks built elsewhere (a replicated log, later) go through :meth:`Node.receive`, which
runs the full :func:`~steeltrace.core.ledger.chain.check_block` before committing.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from steeltrace.adapters.ordering.inprocess import InProcessOrdering
from steeltrace.adapters.storage.sqlite import SqliteStore
from steeltrace.core import crypto, schema
from steeltrace.core.canonical import canonical_bytes
from steeltrace.core.ledger import merkle
from steeltrace.core.ledger import transaction as txmod
from steeltrace.core.ledger.block import Block, header_hash, results_hash, sign_header, tx_root
from steeltrace.core.ledger.chain import check_block, next_accumulator
from steeltrace.core.ledger.executor import (
    batch_signature_verdicts,
    execute_block,
    validate_tx,
)
from steeltrace.core.ledger.transaction import Transaction
from steeltrace.core.membership.genesis import genesis_writes, key_valid_at, validate_config
from steeltrace.core.state import MemoryState, StateAccumulator
from steeltrace.errors import (
    IntegrityError,
    InvalidInput,
    LocalFault,
    NotFound,
    Rejected,
    SteeltraceError,
)
from steeltrace.node import queries
from steeltrace.node.cache import CommittedCache
from steeltrace.node.keystore import KeyStore
from steeltrace.node.seen import SeenIds

log = logging.getLogger("steeltrace.node")

LEDGER_FILE = "ledger.sqlite3"
DEFAULT_BATCH_SIZE = 500
DEFAULT_BATCH_TIMEOUT = 0.02


def utc_now() -> datetime:
    return datetime.now(UTC)


class Subscription:
    def __init__(self, node: Node) -> None:
        self._q: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1000)
        self._node = node

    def put(self, event: dict[str, Any]) -> None:
        try:
            self._q.put_nowait(event)
        except queue.Full:  # a slow consumer loses the oldest events, never blocks commits
            with contextlib.suppress(queue.Empty):
                self._q.get_nowait()
            with contextlib.suppress(queue.Full):
                self._q.put_nowait(event)

    def get(self, timeout: float = 1.0) -> dict[str, Any] | None:
        try:
            return self._q.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self._node._unsubscribe(self)


class Node:
    """An embedded steeltrace node. Use :meth:`init` once, then :meth:`open`."""

    def __init__(
        self,
        home: Path,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batch_timeout: float = DEFAULT_BATCH_TIMEOUT,
        start: bool = True,
        clock: Any = utc_now,
    ) -> None:
        self.home = Path(home)
        if not (self.home / LEDGER_FILE).is_file():
            raise NotFound(
                "NODE_NOT_INITIALISED", f"{self.home} holds no ledger; run `steeltrace init`"
            )
        self.store = SqliteStore(self.home / LEDGER_FILE)
        if self.store.height() < 0:
            self.store.close()
            raise NotFound(
                "NODE_NOT_INITIALISED", f"{self.home} holds no ledger; run `steeltrace init`"
            )
        self.keys = KeyStore(self.home)
        self.cache = CommittedCache(self.store)
        self.seen = SeenIds(
            self.store.has_tx,
            expected=max(1_000_000, 2 * self.store.tx_count()),
            initial=self.store.iter_tx_ids,
        )
        self._head = self.store.height()
        self.config: dict[str, Any] = self.store.get("config") or {}
        self.chain_id: str = self.config["chain_id"]
        self.window = int(self.config["tx_window_seconds"])
        self.batch_size = batch_size
        self.batch_timeout = batch_timeout
        self.clock = clock
        self.ordering = InProcessOrdering()
        self._commit_lock = threading.Lock()
        self._pending: set[str] = set()
        self._pending_lock = threading.Lock()
        self._verified: OrderedDict[str, bytes] = OrderedDict()
        self._waiters: dict[str, threading.Event] = {}
        self._callbacks: dict[str, list[Callable[[], None]]] = {}
        self._subs: list[Subscription] = []
        self._subs_lock = threading.Lock()
        self._halted: IntegrityError | None = None
        self._stop = threading.Event()
        self._orderer_key: crypto.SigningKey | None = None
        self._orderer_id: str | None = None
        self._load_orderer()
        self.check_head()
        self._thread: threading.Thread | None = None
        if start:
            self._thread = threading.Thread(target=self._produce_loop, name="producer", daemon=True)
            self._thread.start()

    # --- creation ------------------------------------------------------------------
    @classmethod
    def init(
        cls,
        home: Path,
        config: dict[str, Any],
        *,
        org_keys: dict[str, list[crypto.SigningKey]] | None = None,
        orderer_key: crypto.SigningKey,
    ) -> None:
        """Create a home with the genesis block (height 0)."""
        home = Path(home)
        home.mkdir(parents=True, exist_ok=True)
        c = validate_config(config)
        orderer_pk = orderer_key.public_key_hex
        orderer = next((o for o in c["orderers"] if o["public_key"] == orderer_pk), None)
        if orderer is None:
            raise InvalidInput(
                "GENESIS_INVALID", "the orderer key is not among the configured orderers"
            )
        store = SqliteStore(home / LEDGER_FILE)
        try:
            if store.height() >= 0:
                raise InvalidInput("NODE_EXISTS", f"{home} already holds a ledger")
            ks = KeyStore(home)
            ks.save_orderer(orderer_key)
            for org, keys in (org_keys or {}).items():
                for k in keys:
                    ks.save_org_key(org, k)
            (home / "genesis.json").write_bytes(canonical_bytes(config))
            state = MemoryState()
            state.apply(genesis_writes(c))
            header = {
                "chain_id": c["chain_id"],
                "height": 0,
                "prev_hash": "0" * 64,
                "time": c["created_at"],
                "orderer": orderer["id"],
                "tx_count": 0,
                "tx_root": merkle.EMPTY_ROOT.hex(),
                "results_hash": results_hash([]),
                "state_root": state.root(),
            }
            block = Block(header, sign_header(orderer_key, header), (), ())
            store.put_meta("genesis", canonical_bytes(c))
            store.commit_block(block, dict(state.items()), state.acc.to_bytes())
        finally:
            store.close()

    @classmethod
    def open(cls, home: Path, **kw: Any) -> Node:
        return cls(home, **kw)

    def _load_orderer(self) -> None:
        try:
            key = self.keys.orderer()
        except FileNotFoundError:
            return
        for o in self.config["orderers"]:
            if o["public_key"] == key.public_key_hex:
                self._orderer_key, self._orderer_id = key, o["id"]

    def check_head(self) -> None:
        """At start: the head block's hash and the state accumulator must agree (F-06/F-07)."""
        h = self.store.height()
        block = self.store.load_block(h)
        if block is None or self.store.block_hash(h) != block.block_hash:
            raise IntegrityError("STORE_CORRUPT", f"head block {h} does not verify", height=h)
        acc = StateAccumulator.from_bytes(self.store.state_accumulator())
        if acc.root() != block.header["state_root"]:
            raise IntegrityError(
                "STORE_CORRUPT", f"stored state does not match block {h}'s state root", height=h
            )

    # --- submission ----------------------------------------------------------------
    def _is_committed(self, tx_id: str) -> bool:
        return tx_id in self.seen

    def precheck(self, tx: Transaction, signature_ok: bool | None = None) -> None:
        """Validate against the committed state as if in the next block; raise on error.

        ``signature_ok`` is a verdict already computed for this transaction's bytes with
        the signer's current key (``submit_many`` verifies a batch on every core)."""
        if self._halted:
            raise LocalFault("NODE_HALTED", f"node halted: {self._halted.message}")
        with self._pending_lock:
            pending = tx.tx_id in self._pending
        if pending:
            raise Rejected("TX_DUPLICATE", f"transaction {tx.tx_id} is already pending (replay)")
        validate_tx(
            self.cache,
            tx,
            chain_id=self.chain_id,
            height=self._head + 1,
            block_time=self.clock(),
            window_seconds=self.window,
            is_duplicate=self._is_committed,
            signature_ok=signature_ok,
        )

    def submit_tx(self, tx: Transaction, signature_ok: bool | None = None) -> str:
        self.precheck(tx, signature_ok)
        with self._pending_lock:
            if tx.tx_id in self._pending:
                raise Rejected(
                    "TX_DUPLICATE", f"transaction {tx.tx_id} is already pending (replay)"
                )
            self._pending.add(tx.tx_id)
            self._waiters[tx.tx_id] = threading.Event()
            self._verified[tx.tx_id] = tx.signature
            while len(self._verified) > 200_000:
                self._verified.popitem(last=False)
        self.ordering.broadcast(tx)
        return tx.tx_id

    def submit_many(self, txs: list[Transaction]) -> list[str | SteeltraceError]:
        """Submit a batch: signatures verified together on every core, then each
        pre-checked and ordered in turn. One result per transaction: its id, or the error
        that refused it (nothing of a refused one is recorded)."""
        height = self._head + 1
        verdicts = batch_signature_verdicts(self.cache, txs, height, lambda tx: False)
        out: list[str | SteeltraceError] = []
        for tx, ok in zip(txs, verdicts, strict=True):
            try:
                out.append(self.submit_tx(tx, ok))
            except SteeltraceError as e:
                out.append(e)
        return out

    def submit(self, envelope: dict[str, Any]) -> str:
        """Submit a client-signed envelope; returns its id once it is ordered."""
        return self.submit_tx(txmod.from_envelope(envelope))

    def submit_bytes(self, data: bytes) -> str:
        return self.submit_tx(txmod.from_bytes(data))

    def signing_key(self, org: str) -> crypto.SigningKey:
        """The newest key this node holds for ``org`` that is valid now."""
        height = self.store.height() + 1
        best: tuple[int, crypto.SigningKey] | None = None
        for kid, key in self.keys.org_keys(org).items():
            rec = self.cache.get(f"key/{org}/{kid}")
            if rec and key_valid_at(rec, height) and (best is None or rec["valid_from"] > best[0]):
                best = (rec["valid_from"], key)
        if best is None:
            raise NotFound("NO_SIGNING_KEY", f"this node holds no valid key for {org!r}")
        return best[1]

    def sign_as(
        self, org: str, tx_type: str, payload: dict[str, Any], created_at: str | None = None
    ) -> Transaction:
        return txmod.sign(
            self.signing_key(org),
            chain_id=self.chain_id,
            tx_type=tx_type,
            payload=payload,
            org=org,
            created_at=created_at or schema.format_time(self.clock()),
        )

    def submit_as(self, org_id: str, tx_type: str, payload: dict[str, Any]) -> str:
        return self.submit_tx(self.sign_as(org_id, tx_type, payload))

    def held_orgs(self) -> list[str]:
        return self.keys.orgs()

    def wait(self, tx_id: str, timeout: float = 10.0) -> dict[str, Any] | None:
        ev = self._waiters.get(tx_id)
        if ev is not None and not ev.wait(timeout):
            return None
        return self.status(tx_id)

    def notify_on_commit(self, tx_id: str, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from the producer thread) once ``tx_id`` is committed, or
        at once if it is not pending. For event loops that must not block a thread."""
        with self._pending_lock:
            if tx_id in self._waiters:
                self._callbacks.setdefault(tx_id, []).append(callback)
                return
        callback()

    def status(self, tx_id: str) -> dict[str, Any] | None:
        row = self.store.tx_row(tx_id)
        if row is None:
            with self._pending_lock:
                if tx_id in self._pending:
                    return {"tx_id": tx_id, "status": "pending"}
            return None
        return {
            "tx_id": tx_id,
            "status": row["status"],
            "code": row["code"],
            "message": row["message"],
            "height": row["height"],
            "index": row["index"],
        }

    def submit_and_wait(
        self, org_id: str, tx_type: str, payload: dict[str, Any], timeout: float = 30.0
    ) -> dict[str, Any]:
        tx_id = self.submit_as(org_id, tx_type, payload)
        st = self.wait(tx_id, timeout)
        if st is None:
            raise LocalFault("COMMIT_TIMEOUT", f"{tx_id} not committed within {timeout}s")
        return st

    # --- the producer ----------------------------------------------------------------
    def _produce_loop(self) -> None:
        batch: list[Transaction] = []
        backoff = 0.05
        while not self._stop.is_set():
            try:
                if not batch:
                    batch = self.ordering.next_batch(self.batch_size, self.batch_timeout)
                if batch:
                    self.produce(batch)
                batch, backoff = [], 0.05
            except IntegrityError as e:
                self._halted = e
                log.error("node halted: %s", e)
                return
            except Exception:
                # A local fault (disk, database): nothing was committed, so the same
                # ordered batch is produced again once the fault clears. It is never
                # recorded invalid, and never dropped.
                log.exception("block production failed; retrying the same batch")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 2.0)

    def produce(self, txs: list[Transaction]) -> Block:
        """Build, sign and commit the next block from ordered transactions."""
        if self._orderer_key is None or self._orderer_id is None:
            raise LocalFault("NOT_AN_ORDERER", "this node holds no orderer key")
        with self._commit_lock:
            head = self.store.height()
            prev = self.store.load_header(head)
            assert prev is not None
            now = self.clock()
            prev_time = schema.parse_time(prev["time"])
            block_time = max(now, prev_time)
            height = head + 1
            verified = self._verified
            base = self.cache
            execution = execute_block(
                base,
                txs,
                chain_id=self.chain_id,
                height=height,
                block_time=block_time,
                window_seconds=self.window,
                is_committed=self._is_committed,
                known_good=lambda tx: verified.get(tx.tx_id) == tx.signature,
            )
            acc = StateAccumulator.from_bytes(self.store.state_accumulator())
            raw = next_accumulator(acc, base, execution.writes)
            header = {
                "chain_id": self.chain_id,
                "height": height,
                "prev_hash": header_hash(prev),
                "time": schema.format_time(block_time),
                "orderer": self._orderer_id,
                "tx_count": len(txs),
                "tx_root": tx_root(txs),
                "results_hash": results_hash(execution.results),
                "state_root": acc.root(),
            }
            block = Block(
                header, sign_header(self._orderer_key, header), tuple(txs), tuple(execution.results)
            )
            self._commit(block, raw, acc)
        self._after_commit(block)
        return block

    def _commit(self, block: Block, raw: dict[str, bytes | None], acc: StateAccumulator) -> None:
        """The one durable write, then the in-memory views of it, in an order that leaves
        no moment where a committed id is neither pending nor seen."""
        try:
            self.store.commit_block(block, raw, acc.to_bytes())
        except BaseException:
            self.cache.invalidate(raw)
            raise
        self.seen.add_all(t.tx_id for t in block.transactions)
        self._head = block.height
        self.cache.invalidate(raw)

    def receive(self, block: Block) -> bool:
        """Check and commit a block built elsewhere. False if already applied (F-14)."""
        with self._commit_lock:
            head = self.store.height()
            if block.height <= head:
                if self.store.block_hash(block.height) == block.block_hash:
                    return False
                raise IntegrityError(
                    "BLOCK_EQUIVOCATION",
                    f"a different block at height {block.height} "
                    f"(stored {self.store.block_hash(block.height)})",
                    height=block.height,
                )
            if block.height != head + 1:
                raise IntegrityError(
                    "BLOCK_OUT_OF_ORDER", f"block {block.height} after {head}", height=block.height
                )
            prev = self.store.load_block(head)
            assert prev is not None
            acc = StateAccumulator.from_bytes(self.store.state_accumulator())
            checked = check_block(
                block, prev.header, self.config, self.cache, acc, self._is_committed
            )
            results = tuple(checked.execution.results)
            final = Block(block.header, block.signature, block.transactions, results)
            self._commit(final, checked.raw_writes, checked.accumulator)
        self._after_commit(final)
        return True

    def _after_commit(self, block: Block) -> None:
        with self._pending_lock:
            for tx in block.transactions:
                self._pending.discard(tx.tx_id)
                ev = self._waiters.pop(tx.tx_id, None)
                if ev is not None:
                    ev.set()
                for cb in self._callbacks.pop(tx.tx_id, ()):
                    try:
                        cb()
                    except Exception:  # a subscriber's bug must not stop commits
                        log.exception("commit callback failed")
                self._verified.pop(tx.tx_id, None)
        if self._subs:
            event = {
                "height": block.height,
                "block_hash": block.block_hash,
                "time": block.header["time"],
                "txs": [
                    {
                        "tx_id": t.tx_id,
                        "type": t.type,
                        "status": r.status,
                        "code": r.code,
                        "signer": t.signer_org,
                    }
                    for t, r in zip(block.transactions, block.results, strict=True)
                ],
            }
            with self._subs_lock:
                subs = list(self._subs)
            for s in subs:
                s.put(event)

    def subscribe(self) -> Subscription:
        s = Subscription(self)
        with self._subs_lock:
            self._subs.append(s)
        return s

    def _unsubscribe(self, s: Subscription) -> None:
        with self._subs_lock:
            if s in self._subs:
                self._subs.remove(s)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every pending transaction is committed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._pending_lock:
                if not self._pending:
                    return
            time.sleep(0.005)
        raise LocalFault("COMMIT_TIMEOUT", "pending transactions not committed in time")

    # --- queries -----------------------------------------------------------------
    def height(self) -> int:
        return self.store.height()

    def get(self, key: str) -> Any | None:
        return self.cache.get(key)

    def get_raw(self, key: str) -> bytes | None:
        return self.cache.get_raw(key)

    def scan(
        self, prefix: str, after: str | None = None, limit: int = 100
    ) -> list[tuple[str, Any]]:
        return self.store.scan(prefix, after, limit)

    def state_root(self) -> str:
        return StateAccumulator.from_bytes(self.store.state_accumulator()).root()

    def block(self, height: int) -> dict[str, Any] | None:
        return queries.block_view(self.store, height)

    def tx(self, tx_id: str) -> dict[str, Any] | None:
        return queries.tx_view(self.store, tx_id)

    def proof(self, tx_id: str) -> dict[str, Any] | None:
        return queries.proof_view(self.store, tx_id)

    def recent_txs(self, limit: int = 20) -> list[dict[str, Any]]:
        return self.store.recent_txs(limit)

    def close(self) -> None:
        self._stop.set()
        self.ordering.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.store.close()

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
