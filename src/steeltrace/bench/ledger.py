"""`steeltrace bench ledger`: signed ~1 KB transactions through a fresh embedded node.

Method (docs/benchmarks.md): a temporary home with a small consortium; N
``document.anchor`` transactions (about 1 KB each as canonical JSON) are signed before
the clock starts; then submitter threads push them through ``Node.submit_tx`` (strict
decode, pre-check with signature verification) while the producer orders, validates
and commits blocks with fsync (SQLite WAL, synchronous=FULL). Latency is submit to
commit per transaction. ``verify_rate`` is measured in the same run with the same
library on the same thread pool (both cores); ``ratio = committed_tps / verify_rate``.
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from steeltrace.bootstrap import OrgSpec, consortium_config
from steeltrace.core import crypto, schema
from steeltrace.core.ledger import transaction as txmod
from steeltrace.node.service import Node

SUBMIT_CHUNK = 100

BENCH_ORGS = (
    OrgSpec("admin-a", "Bench Admin A", "CA", ("admin",)),
    OrgSpec("admin-b", "Bench Admin B", "US", ("admin",)),
    *(OrgSpec(f"org-{i}", f"Bench Org {i}", "DE", ("trader",)) for i in range(8)),
)


def _payload(i: int) -> dict[str, Any]:
    return {
        "doc_id": f"BL-{i:08d}",
        "kind": "bill-of-lading",
        "sha256": crypto.sha256_hex(i.to_bytes(8, "big")),
        "title": f"Bill of lading {i:08d}, hot-rolled coil, CNSHA to CAVAN",
        "refs": [f"LOT-{i:08d}-{j}" for j in range(12)],
        "note": ("Shipper's load and count. 12 coils, hot-rolled, S355JR, 2.0 x 1250 mm. " * 6)[
            :420
        ],
    }


def measure_verify_rate(n: int = 20_000) -> tuple[float, float]:
    """Raw Ed25519 verifications per second: (all cores via the pool, one thread)."""
    key = crypto.SigningKey.generate()
    msgs = [os.urandom(1000) for _ in range(min(n, 2000))]
    items = [(key.public_key, crypto.TX_TAG, m, key.sign(crypto.TX_TAG, m)) for m in msgs]
    items = (items * (n // len(items) + 1))[:n]
    t = time.perf_counter()
    assert all(crypto.verify_many(items))
    pooled = n / (time.perf_counter() - t)
    t = time.perf_counter()
    single_n = n // 4
    for it in items[:single_n]:
        crypto.verify(*it)
    single = single_n / (time.perf_counter() - t)
    return pooled, single


def run_ledger_bench(n: int = 20_000, submitters: int = 2) -> dict[str, Any]:
    """The saturating run (throughput), then a paced run at half that rate (latency)."""
    out = run_ledger_once(n, submitters)
    paced = run_ledger_once(max(400, n // 4), submitters, rate=out["committed_tps"] / 2)
    out.update(
        paced_rate_tps=round(out["committed_tps"] / 2, 1),
        paced_p50_ms=paced["p50_ms"],
        paced_p99_ms=paced["p99_ms"],
    )
    return out


def run_ledger_once(
    n: int = 20_000,
    submitters: int = 2,
    keep_home: Path | None = None,
    rate: float | None = None,
) -> dict[str, Any]:
    """One run: all ``n`` submitted as fast as they go, or paced at ``rate`` tx/s."""
    with tempfile.TemporaryDirectory(prefix="steeltrace-bench-") as tmp:
        home = keep_home or Path(tmp) / "home"
        config, org_keys, orderer_key = consortium_config("bench-chain", BENCH_ORGS)
        Node.init(home, config, org_keys=org_keys, orderer_key=orderer_key)
        signers = [(o.id, org_keys[o.id][0]) for o in BENCH_ORGS if o.id.startswith("org-")]
        created = schema.format_time(datetime.now(UTC))
        txs = [
            txmod.sign(
                signers[i % len(signers)][1],
                chain_id="bench-chain",
                tx_type="document.anchor",
                payload=_payload(i),
                org=signers[i % len(signers)][0],
                created_at=created,
            )
            for i in range(n)
        ]
        avg_bytes = statistics.fmean(len(t.leaf_bytes) for t in txs)
        db = home / "ledger.sqlite3"
        node = Node.open(home)
        base_size = _disk_size(home)
        submit_at: dict[str, float] = {}
        committed_at: dict[str, float] = {}
        sub = node.subscribe()
        done = threading.Event()

        def listen() -> None:
            seen = 0
            while seen < n:
                ev = sub.get(timeout=30)
                if ev is None:
                    break
                now = time.perf_counter()
                for t in ev["txs"]:
                    committed_at[t["tx_id"]] = now
                seen += len(ev["txs"])
            done.set()

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()

        chunk_n = SUBMIT_CHUNK if rate is None else 10

        def push(part: list[txmod.Transaction]) -> None:
            # Clients arrive in bursts; the node verifies each burst's signatures on
            # every core, then pre-checks and orders them one by one.
            t0 = time.perf_counter()
            for i in range(0, len(part), chunk_n):
                if rate is not None:  # this thread's share of the offered load
                    delay = t0 + i / (rate / submitters) - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                chunk = part[i : i + chunk_n]
                now = time.perf_counter()
                for t in chunk:
                    submit_at[t.tx_id] = now
                for r in node.submit_many(chunk):
                    if not isinstance(r, str):
                        raise r

        start = time.perf_counter()
        threads = [
            threading.Thread(target=push, args=(txs[i::submitters],)) for i in range(submitters)
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        done.wait(120)
        elapsed = time.perf_counter() - start
        sub.close()
        statuses = [node.status(t.tx_id) for t in txs[:: max(1, n // 200)]]
        node.close()
        lat = sorted(
            (committed_at[k] - submit_at[k]) * 1000 for k in committed_at if k in submit_at
        )
        import sqlite3

        with sqlite3.connect(db) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = _disk_size(home) - base_size
    verify_rate, verify_single = measure_verify_rate()
    tps = len(committed_at) / elapsed
    return {
        "txs": n,
        "committed": len(committed_at),
        "all_valid": all(s is not None and s["status"] == "valid" for s in statuses),
        "tx_bytes_avg": round(avg_bytes),
        "seconds": round(elapsed, 3),
        "committed_tps": round(tps, 1),
        "p50_ms": round(_pct(lat, 50), 2),
        "p99_ms": round(_pct(lat, 99), 2),
        "bytes_per_tx": round(size / n),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "verify_rate": round(verify_rate, 1),
        "verify_rate_one_thread": round(verify_single, 1),
        "ratio": round(tps / verify_rate, 3),
        "ratio_one_thread": round(tps / verify_single, 3),
        "cores": os.cpu_count(),
    }


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def _disk_size(home: Path) -> int:
    return sum(p.stat().st_size for p in home.glob("ledger.sqlite3*"))
