"""A small consortium on a real embedded node, for the API tests.

Built through ``Node.submit_as`` (the API's own write path is what the tests exercise,
so the world is made without it): a Chinese heat cast into three coils, one certified, one sold to a
Canadian service centre under a priced contract, declared to and cleared by Canadian
customs and pledged to a bank; another declared to US customs by a trader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from steeltrace.api.users import UserStore
from steeltrace.bootstrap import init_home
from steeltrace.core import schema
from steeltrace.node.service import Node

NON_ALLOY = {"C": 0.18, "Mn": 1.2, "Si": 0.25, "P": 0.02, "S": 0.01}

# (org, user name, role)
USERS = (
    ("mill-cn", "melter", "mill"),
    ("mill-ca", "melter", "mill"),
    ("svc-ca", "buyer", "buyer"),
    ("svc-ca", "looker", "viewer"),
    ("customs-ca", "officer", "customs"),
    ("customs-us", "officer", "customs"),
    ("bank-1", "lender", "bank"),
    ("bank-2", "lender", "bank"),
    ("trader-sg", "dealer", "trader"),
    ("carrier-sea", "skipper", "carrier"),
    ("consortium-ca", "analyst", "regulator"),
    ("consortium-eu", "clerk", "admin"),
)


@dataclass
class World:
    home: Path
    node: Node
    tokens: dict[str, str] = field(default_factory=dict)  # "org/name" -> token

    def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def run(self, org: str, tx_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        status = self.node.submit_and_wait(org, tx_type, payload, timeout=30)
        assert status["status"] == "valid", status
        return status

    def root(self) -> str:
        return str(self.node.block(self.node.height())["header"]["state_root"])


def coil(lot_id: str, mass_kg: int = 20_000) -> dict[str, Any]:
    return {
        "lot_id": lot_id,
        "form": "coil",
        "hs": "720839",
        "grade": "S355JR",
        "dimensions": {"thickness_mm": 3},
        "mass_kg": mass_kg,
    }


def build(home: Path) -> World:
    init_home(home)
    node = Node.open(home)
    world = World(home, node)
    with UserStore.in_home(home) as store:
        for org, name, role in USERS:
            _, token = store.add(node, org, name, role)
            world.tokens[f"{org}/{name}"] = token
    cast_at = schema.format_time((datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0))
    world.run(
        "mill-cn",
        "facility.register",
        {
            "id": "cn-works",
            "name": "Coastal works",
            "country": "CN",
            "locode": "CNSHA",
            "processes": ["casting", "hot-rolling", "melting"],
            "melt_capacity_t": 5_000_000,
        },
    )
    world.run(
        "mill-cn",
        "heat.register",
        {
            "heat_no": "H1",
            "facility": "cn-works",
            "route": "BF-BOF",
            "cast_at": cast_at,
            "tonnage_kg": 200_000,
            "chemistry": NON_ALLOY,
        },
    )
    world.run(
        "mill-cn", "lot.cast", {"heat": "mill-cn/H1", "lots": [coil("L1"), coil("L2"), coil("L3")]}
    )
    world.run("mill-cn", "cert.issue", certificate())
    world.run(
        "mill-cn",
        "contract.propose",
        {
            "contract_id": "K1",
            "buyer": "svc-ca",
            "seller": "mill-cn",
            "spec": {
                "grade": "S355JR",
                "form": "coil",
                "hs": "720839",
                "dimensions": {"thickness_mm": 3},
            },
            "quantity_kg": 20_000,
            "tolerance_pct": 5,
            "price": {"amount": "612.50", "currency": "USD", "per": "t"},
            "incoterm": "CIF",
            "delivery": {
                "place": "CAVAN",
                "window_start": "2026-01-01",
                "window_end": "2027-12-31",
            },
        },
    )
    world.run("svc-ca", "contract.accept", {"contract_id": "K1"})
    world.run("mill-cn", "title.transfer", {"lots": ["L1"], "to": "svc-ca", "contract_id": "K1"})
    world.run("svc-ca", "customs.declare", declaration("D-CA", "CA", "svc-ca", "CAVAN", "L1"))
    world.run("customs-ca", "customs.decide", {"declaration_id": "D-CA", "decision": "cleared"})
    world.run("mill-cn", "title.transfer", {"lots": ["L2"], "to": "trader-sg"})
    world.run("trader-sg", "customs.declare", declaration("D-US", "US", "trader-sg", "USLAX", "L2"))
    world.run(
        "svc-ca",
        "pledge.create",
        {
            "pledge_id": "P1",
            "bank": "bank-1",
            "lots": ["L1"],
            "amount": {"amount": "10000.00", "currency": "CAD"},
            "maturity": "2027-06-30",
        },
    )
    return world


def certificate() -> dict[str, Any]:
    """An EN 10204 3.1 certificate for coil L3 of heat H1 (EN 10168 groups A, B, C, Z)."""
    return {
        "cert_id": "mill-cn/MTC-1",
        "type": "3.1",
        "document_sha256": "ab" * 32,
        "heat": "mill-cn/H1",
        "lots": [{"lot": "L3", "kg": 20_000}],
        "A": {"A01": "Jiangsu Coastal", "A02": "EN 10204 3.1", "A03": "MTC-1"},
        "B": {
            "B01": "hot-rolled coil",
            "B02": "S355JR",
            "B07": "H1",
            "B09": {"form": "coil", "thickness_mm": 3},
            "B13": 20_000,
        },
        "C": {"C11": 385, "C12": 520, "C13": 26, "chemistry": dict(NON_ALLOY)},
        "Z": {"Z01": "We certify that the material complies with the order.", "Z02": "2026-11-20"},
    }


def declaration(decl_id: str, country: str, org: str, port: str, lot: str) -> dict[str, Any]:
    return {
        "declaration_id": decl_id,
        "direction": "import",
        "declaring_country": country,
        "declarant": org,
        "importer": org,
        "port_of_entry": port,
        "hs": "720839",
        "declared_origin": "CN",
        "declared_melt_pour": ["CN"],
        "net_kg": 20_000,
        "customs_value": {"amount": "12250.00", "currency": "USD"},
        "lots": [lot],
    }
