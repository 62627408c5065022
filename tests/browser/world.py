"""A steel story on a real embedded node, for the dashboard tests.

Made only through ``Node.submit_as`` (every record comes from a committed transaction):

* a Chinese BF-BOF heat cast into slabs, hot-rolled in China into coils; one coil sold
  to a Vietnamese coater, galvanised there (minor processing: no origin conferred) and
  sold to a Canadian service centre, which declares it to Canadian customs as of
  Vietnamese origin and melt: the ledger flags origin and melt-and-pour mismatches;
* a Korean EAF heat cast into coils, one declared correctly to Canada and cleared, one
  declared under a stainless heading although its chemistry is carbon steel (HS class);
* a Canadian heat with a mill certificate (EN 10204 3.1), and coils pledged to a bank;
* declarations dated over several months, so the monitor has a time series;
* for the scoping tests: a declaration into the US (which Canadian customs must not see)
  and a purchase contract between mill-kr and svc-ca with a price (which only they see).

When the lead's ``steeltrace.demo`` gains a steel chapter, the browser tests can use it
instead (see conftest.py); this world stays as the fixed, known data the assertions use.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from steeltrace.bootstrap import init_home
from steeltrace.core import schema
from steeltrace.demo import membership
from steeltrace.demo.narrator import Narrator
from steeltrace.node.service import Node

CARBON = {"C": 0.16, "Mn": 1.35, "Si": 0.25, "P": 0.012, "S": 0.006, "Cu": 0.03}
KR_CARBON = {"C": 0.12, "Mn": 1.1, "Si": 0.2, "P": 0.015, "S": 0.007, "Cu": 0.05}
CA_CARBON = {"C": 0.14, "Mn": 1.25, "Si": 0.22, "P": 0.011, "S": 0.005, "Cu": 0.2}
DOC_SHA = hashlib.sha256(b"mill test certificate CA-MTC-1").hexdigest()

# lots the tests look at
GALVANISED = "VN-GALV-1"  # CN melt, galvanised in VN, declared as VN
KR_COIL = "KR-C1"
CA_COIL = "CA-C1"
US_DECLARATION = "US-IMP-001"  # mill-cn declares CN-S2 into the US
CONTRACT = "K-1"  # mill-kr sells to svc-ca
CONTRACT_PRICE = "612.50"


def _now() -> str:
    """An event time just before the block that records it (after its input lots')."""
    return schema.format_time(datetime.now(UTC))


def _run(node: Node, org: str, tx_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    status = node.submit_and_wait(org, tx_type, payload, timeout=30)
    assert status["status"] == "valid", (tx_type, status)
    return status


def _lot(lot_id: str, mass_kg: int, hs: str, form: str) -> dict[str, Any]:
    return {
        "lot_id": lot_id,
        "form": form,
        "hs": hs,
        "grade": "S355JR",
        "dimensions": {"thickness_mm": 3, "width_mm": 1250},
        "mass_kg": mass_kg,
    }


def _facility(node: Node, org: str, fid: str, country: str, locode: str, procs: list[str]) -> str:
    payload: dict[str, Any] = {
        "id": fid,
        "name": f"{fid} works",
        "country": country,
        "locode": locode,
        "processes": procs,
    }
    if "melting" in procs:
        payload["melt_capacity_t"] = 3_000_000
    return node.submit_as(org, "facility.register", payload)


def _declaration(
    decl_id: str,
    org: str,
    port: str,
    lots: list[str],
    net_kg: int,
    *,
    origin: str,
    melt: list[str],
    hs: str = "721049",
    country: str = "CA",
    date: str,
) -> dict[str, Any]:
    return {
        "declaration_id": decl_id,
        "direction": "import",
        "declaring_country": country,
        "declarant": org,
        "importer": org,
        "port_of_entry": port,
        "hs": hs,
        "declared_origin": origin,
        "declared_melt_pour": melt,
        "net_kg": net_kg,
        "customs_value": {"amount": f"{net_kg * 0.7:.2f}", "currency": "USD"},
        "lots": lots,
        "date": date,
    }


def build(home: Path) -> Node:
    """Create ``home`` and run the story; returns the open node (the caller closes it)."""
    init_home(home)
    node = Node.open(home)
    now = datetime.now(UTC).replace(microsecond=0)
    at = lambda hours: schema.format_time(now - timedelta(hours=hours))  # noqa: E731

    # Chapter 1 of the lead's demo (admit an org, rotate mill-ca's key, refuse forgeries),
    # so the organisations page has a revoked key.
    membership.run(node, Narrator(Console(file=io.StringIO())))

    # Four facilities submitted together: one block of several transactions, so proofs
    # have real audit paths.
    pending = [
        _facility(
            node, "mill-cn", "cn-works", "CN", "CNSHA", ["melting", "casting", "hot-rolling"]
        ),
        _facility(
            node, "mill-kr", "kr-works", "KR", "KRPUS", ["melting", "casting", "hot-rolling"]
        ),
        _facility(
            node, "mill-ca", "ca-works", "CA", "CAHAM", ["melting", "casting", "hot-rolling"]
        ),
        _facility(node, "proc-vn", "vn-line", "VN", "VNSGN", ["galvanising", "cold-rolling"]),
    ]
    for tx_id in pending:
        status = node.wait(tx_id, timeout=30)
        assert status is not None and status["status"] == "valid", status

    heat = {"facility": "cn-works", "route": "BF-BOF", "cast_at": at(30), "chemistry": CARBON}
    _run(node, "mill-cn", "heat.register", {"heat_no": "H1", "tonnage_kg": 250_000, **heat})
    _run(
        node,
        "mill-cn",
        "lot.cast",
        {
            "heat": "mill-cn/H1",
            "lots": [
                _lot("CN-S1", 120_000, "720712", "slab"),
                _lot("CN-S2", 120_000, "720712", "slab"),
            ],
        },
    )
    _run(
        node,
        "mill-cn",
        "lot.transform",
        {
            "id": "cn-roll-1",
            "facility": "cn-works",
            "process": "hot-rolling",
            "inputs": [{"lot": "CN-S1", "kg": 120_000}],
            "outputs": [
                _lot("CN-HRC-1", 58_000, "720839", "coil"),
                _lot("CN-HRC-2", 59_000, "720839", "coil"),
            ],
            "at": _now(),
        },
    )
    _run(node, "mill-cn", "title.transfer", {"lots": ["CN-HRC-1"], "to": "proc-vn"})
    _run(
        node,
        "proc-vn",
        "lot.transform",
        {
            "id": "vn-galv-1",
            "facility": "vn-line",
            "process": "galvanising",
            "inputs": [{"lot": "CN-HRC-1", "kg": 58_000}],
            "outputs": [_lot(GALVANISED, 57_500, "721049", "coil")],
            "at": _now(),
        },
    )
    _run(node, "proc-vn", "title.transfer", {"lots": [GALVANISED], "to": "svc-ca"})

    kr = {"facility": "kr-works", "route": "EAF", "cast_at": at(28), "chemistry": KR_CARBON}
    _run(node, "mill-kr", "heat.register", {"heat_no": "K1", "tonnage_kg": 150_000, **kr})
    _run(
        node,
        "mill-kr",
        "lot.cast",
        {
            "heat": "mill-kr/K1",
            "lots": [
                _lot(KR_COIL, 25_000, "720839", "coil"),
                _lot("KR-C2", 24_000, "720839", "coil"),
                _lot("KR-C3", 26_000, "720839", "coil"),
            ],
        },
    )
    _run(node, "mill-kr", "title.transfer", {"lots": [KR_COIL, "KR-C2", "KR-C3"], "to": "svc-ca"})

    ca = {"facility": "ca-works", "route": "EAF", "cast_at": at(27), "chemistry": CA_CARBON}
    _run(node, "mill-ca", "heat.register", {"heat_no": "C1", "tonnage_kg": 120_000, **ca})
    _run(
        node,
        "mill-ca",
        "lot.cast",
        {"heat": "mill-ca/C1", "lots": [_lot(CA_COIL, 30_000, "720839", "coil")]},
    )
    _run(node, "mill-ca", "cert.issue", _certificate())

    # Declarations over four months; two disagree with the ledger.
    _run(
        node,
        "svc-ca",
        "customs.declare",
        _declaration(
            "CA-IMP-001",
            "svc-ca",
            "CAMTR",
            [KR_COIL],
            25_000,
            origin="KR",
            melt=["KR"],
            hs="720839",
            date="2026-08-11",
        ),
    )
    _run(
        node,
        "customs-ca",
        "customs.decide",
        {"declaration_id": "CA-IMP-001", "decision": "cleared"},
    )
    _run(
        node,
        "svc-ca",
        "customs.declare",
        _declaration(
            "CA-IMP-002",
            "svc-ca",
            "CAVAN",
            ["KR-C2"],
            24_000,
            origin="KR",
            melt=["KR"],
            hs="720839",
            date="2026-09-03",
        ),
    )
    _run(
        node,
        "svc-ca",
        "customs.declare",
        _declaration(
            "CA-IMP-003",
            "svc-ca",
            "CAVAN",
            [GALVANISED],
            57_500,
            origin="VN",
            melt=["VN"],
            date="2026-10-20",
        ),
    )
    _run(
        node,
        "customs-ca",
        "customs.decide",
        {"declaration_id": "CA-IMP-003", "decision": "held", "reason": "origin under review"},
    )
    _run(
        node,
        "svc-ca",
        "customs.declare",
        _declaration(
            "CA-IMP-004",
            "svc-ca",
            "CAMTR",
            ["KR-C3"],
            26_000,
            origin="KR",
            melt=["KR"],
            hs="721913",
            date="2026-11-05",
        ),
    )
    _run(
        node,
        "svc-ca",
        "pledge.create",
        {
            "pledge_id": "P-1",
            "bank": "bank-1",
            "lots": ["KR-C2"],
            "amount": {"amount": "15000.00", "currency": "CAD"},
            "maturity": "2027-06-30",
        },
    )
    _run(node, "bank-1", "pledge.accept", {"pledge_id": "P-1"})
    _run(
        node,
        "mill-cn",
        "customs.declare",
        _declaration(
            US_DECLARATION,
            "mill-cn",
            "USLAX",
            ["CN-S2"],
            120_000,
            origin="CN",
            melt=["CN"],
            hs="720712",
            country="US",
            date="2026-10-02",
        ),
    )
    _run(
        node,
        "mill-kr",
        "contract.propose",
        {
            "contract_id": CONTRACT,
            "buyer": "svc-ca",
            "seller": "mill-kr",
            "spec": {"grade": "S355JR", "form": "coil", "hs": "720839", "dimensions": {}},
            "quantity_kg": 20_000,
            "tolerance_pct": 5,
            "price": {"amount": CONTRACT_PRICE, "currency": "USD", "per": "t"},
            "incoterm": "CIF",
            "delivery": {
                "place": "CAVAN",
                "window_start": "2026-01-01",
                "window_end": "2027-12-31",
            },
        },
    )
    return node


def tx_of(node: Node, tx_type: str, **payload: Any) -> str:
    """The id of the committed ``tx_type`` transaction whose payload has these fields."""
    for h in range(node.height(), 0, -1):
        for t in (node.block(h) or {}).get("transactions", []):
            if t["type"] != tx_type:
                continue
            envelope = (node.tx(t["tx_id"]) or {}).get("tx") or {}
            body = envelope.get("payload") or {}
            if all(body.get(k) == v for k, v in payload.items()):
                return str(t["tx_id"])
    raise LookupError(f"no {tx_type} with {payload}")


def _certificate() -> dict[str, Any]:
    return {
        "cert_id": "mill-ca/MTC-1",
        "type": "3.1",
        "document_sha256": DOC_SHA,
        "heat": "mill-ca/C1",
        "lots": [{"lot": CA_COIL, "kg": 30_000}],
        "A": {
            "A01": "Hamilton Steelworks",
            "A02": "EN 10204 3.1",
            "A03": "MTC-1",
            "A06": "Great Lakes Steel Service Centre",
            "A07": "PO-2026-41",
        },
        "B": {
            "B01": "hot-rolled coil",
            "B02": "S355JR",
            "B04": "as rolled",
            "B07": "C1",
            "B08": 1,
            "B09": {"form": "coil", "thickness_mm": 3, "width_mm": 1250},
            "B13": 30_000,
        },
        "C": {
            "C11": 385,
            "C12": 520,
            "C13": 26,
            "chemistry": dict(CA_CARBON),
        },
        "Z": {
            "Z01": "We certify that the material complies with the order.",
            "Z02": "2026-11-20",
            "Z03": "M. Tremblay, quality manager",
        },
    }
