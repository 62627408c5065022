"""`steeltrace bench api`: the API under load, on loopback, against a real node.

Method (docs/benchmarks.md):
1. A fresh home with the demo consortium; ``lots`` lots are put on the ledger through
   the real contracts (``heat.register`` + ``lot.cast`` of 250 lots each, plus a chain of
   hot-rolling and slitting transforms so some passports have a genealogy), committed by
   the node's own producer.
2. `steeltrace serve` runs in its own process on 127.0.0.1 (the load generator does not
   share its interpreter).
3. Writes: 16 client threads, each with its own token and HTTP connection, POST
   ``document.anchor`` payloads to ``/v1/tx/document.anchor`` and wait for the commit
   (201). ``writes_per_s`` = committed writes / wall time.
4. Reads: the lot passport page ``/lots/{id}`` for random lots (cast and transformed),
   one at a time; ``passport_p95_ms`` and the API's ``/v1/lots/{id}/origin`` p95.
"""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from steeltrace.api.users import add_user
from steeltrace.bootstrap import init_home
from steeltrace.core import crypto, schema
from steeltrace.errors import Rejected
from steeltrace.node.service import Node

CAST_SIZE = 250
CLIENTS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


def populate(node: Node, lots: int) -> list[str]:
    """Put ``lots`` cast lots (and a few transformed ones) on the ledger; return ids."""
    node.submit_and_wait(
        "mill-ca",
        "facility.register",
        {
            "id": "bench-works",
            "name": "Bench works",
            "country": "CA",
            "locode": "CAHAM",
            "processes": ["melting", "casting", "hot-rolling", "slitting"],
            "melt_capacity_t": 50_000_000,
        },
    )
    cast_at = schema.format_time(node.clock().replace(microsecond=0))
    ids: list[str] = []
    heats = (lots + CAST_SIZE - 1) // CAST_SIZE
    batch = []
    for h in range(heats):
        n = min(CAST_SIZE, lots - h * CAST_SIZE)
        heat_no = f"B{h:05d}"
        batch.append(
            node.sign_as(
                "mill-ca",
                "heat.register",
                {
                    "heat_no": heat_no,
                    "facility": "bench-works",
                    "route": "EAF",
                    "cast_at": cast_at,
                    "tonnage_kg": n * 2000,
                    "chemistry": {"C": 0.17, "Mn": 1.3, "Si": 0.2},
                },
            )
        )
        specs = [
            {
                "lot_id": f"L{h:05d}-{i:03d}",
                "form": "slab",
                "hs": "7207.12",
                "grade": "S355JR",
                "dimensions": {"thickness_mm": 230},
                "mass_kg": 2000,
            }
            for i in range(n)
        ]
        ids.extend(str(s["lot_id"]) for s in specs)
        batch.append(
            node.sign_as("mill-ca", "lot.cast", {"heat": f"mill-ca/{heat_no}", "lots": specs})
        )
        if len(batch) >= 40:
            _commit(node, batch)
            batch = []
    if batch:
        _commit(node, batch)
    # A genealogy: roll pairs of slabs into coil, then slit coils together, a few levels.
    level = ids[:64]
    for depth in range(3):
        nxt, batch = [], []
        for i in range(0, len(level) - 1, 2):
            out = f"T{depth}-{i:03d}"
            a, b = _remaining(node, level[i]), _remaining(node, level[i + 1])
            batch.append(
                node.sign_as(
                    "mill-ca",
                    "lot.transform",
                    {
                        "id": f"X{depth}-{i:03d}",
                        "facility": "bench-works",
                        "process": "hot-rolling" if depth == 0 else "slitting",
                        "inputs": [{"lot": level[i], "kg": a}, {"lot": level[i + 1], "kg": b}],
                        "outputs": [
                            {
                                "lot_id": out,
                                "form": "coil",
                                "hs": "7208.39",
                                "grade": "S355JR",
                                "dimensions": {"thickness_mm": 3},
                                "mass_kg": (a + b) * 98 // 100,
                            }
                        ],
                        "at": schema.format_time(node.clock()),
                    },
                )
            )
            nxt.append(out)
        _commit(node, batch)
        ids.extend(nxt)
        level = nxt
    return ids


def _remaining(node: Node, lot: str) -> int:
    rec = node.get(f"lot/{lot}")
    assert rec is not None
    return int(rec["remaining_kg"])


def _commit(node: Node, txs: list[Any]) -> None:
    for t in txs:
        try:
            node.submit_tx(t)
        except Rejected:  # depends on an earlier one still in flight
            node.flush(120)
            node.submit_tx(t)
    for t in txs:
        st = node.wait(t.tx_id, 120)
        if st is None or st["status"] != "valid":
            raise RuntimeError(f"bench setup failed: {st}")


def run_api_bench(writes: int = 2_000, lots: int = 100_000, reads: int = 200) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="steeltrace-bench-api-") as tmp:
        home = Path(tmp) / "home"
        init_home(home)
        t0 = time.perf_counter()
        with Node.open(home) as node:
            lot_ids = populate(node, lots)
            writers = [
                "trader-sg",
                "mill-ca",
                "mill-us",
                "mill-cn",
                "mill-kr",
                "proc-vn",
                "svc-ca",
                "wh-ca",
            ]
            tokens = [
                add_user(home, org, f"bench-{i}", _role(node, org), node=node)
                for i, org in ((i, writers[i % len(writers)]) for i in range(CLIENTS))
            ]
        setup_s = time.perf_counter() - t0
        # The server runs as `steeltrace serve` in its own process, as a user runs it, so
        # the load generator does not share its interpreter.
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "steeltrace.cli.main",
                "--home",
                str(home),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_up(base, server)
            w = _writes(base, tokens, writes)
            r = _reads(base, tokens[0], lot_ids, reads)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"lots": lots, "setup_s": round(setup_s, 1), **w, **r, "clients": CLIENTS}


def _wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the API server exited during start-up")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the API server did not start within 60 s")


def _role(node: Node, org: str) -> str:
    rec = node.get(f"org/{org}")
    assert rec is not None
    return str(rec["roles"][0])


def _writes(base: str, tokens: list[str], total: int) -> dict[str, Any]:
    per = total // len(tokens)
    lat: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        mine, bad = [], 0
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {tokens[i]}"}, timeout=60
        ) as c:
            for j in range(per):
                body = {
                    "doc_id": f"W{i:02d}-{j:05d}",
                    "kind": "bill-of-lading",
                    "sha256": crypto.sha256_hex(f"{i}/{j}".encode()),
                    "title": f"Bill of lading {i}-{j}, hot-rolled coil, CNSGH to CAVAN",
                }
                t = time.perf_counter()
                resp = c.post("/v1/tx/document.anchor", json=body)
                mine.append((time.perf_counter() - t) * 1000)
                bad += resp.status_code != 201
        with lock:
            lat.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ok = per * len(tokens) - sum(errors)
    return {
        "writes": per * len(tokens),
        "writes_ok": ok,
        "writes_per_s": round(ok / wall, 1),
        "write_p50_ms": round(_pct(lat, 50), 1),
        "write_p95_ms": round(_pct(lat, 95), 1),
    }


def _reads(base: str, token: str, lot_ids: list[str], n: int) -> dict[str, Any]:
    rng = random.Random(7)
    deep = [x for x in lot_ids if x.startswith("T")]
    sample = [rng.choice(lot_ids) for _ in range(n - n // 4)] + [
        rng.choice(deep) for _ in range(n // 4)
    ]
    page: list[float] = []
    origin: list[float] = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        # The passport is a dashboard page: log in as a person does (form, session cookie).
        login = c.post("/login", data={"token": token, "next": "/"}, headers={"Origin": base})
        if login.status_code != 303:
            raise RuntimeError(f"dashboard login failed: {login.status_code}")
        for lot in sample:
            t = time.perf_counter()
            r = c.get(f"/lots/{lot}")
            page.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"passport {lot}: {r.status_code}")
            t = time.perf_counter()
            r = c.get(f"/v1/lots/{lot}/origin")
            origin.append((time.perf_counter() - t) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"origin {lot}: {r.status_code} {r.text[:200]}")
    return {
        "passport_reads": len(page),
        "passport_p50_ms": round(statistics.median(page), 1),
        "passport_p95_ms": round(_pct(page, 95), 1),
        "origin_api_p95_ms": round(_pct(origin, 95), 1),
    }
