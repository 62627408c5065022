"""Composition root: builds consortium configurations and node homes.

The demo consortium (``DEMO_ORGS``) is the cast of the story `steeltrace demo` tells;
tests use :func:`init_home` with their own or the same cast.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steeltrace.core import crypto, schema
from steeltrace.node.service import Node, utc_now

# The node allocates many small, short-lived objects (decoded records, genealogy entries)
# and few cycles; CPython's default first-generation threshold (700) then runs the cyclic
# collector every few hundred records for nothing. 50,000 cut the trace benchmark's time
# by about 8 % on the median, more on the tail (docs/adr/0009-gc-thresholds.md).
GC_THRESHOLDS = (50_000, 20, 20)


def tune_runtime() -> None:
    """Process-wide settings for a steeltrace process (CLI, server, benchmarks)."""
    gc.set_threshold(*GC_THRESHOLDS)


@dataclass(frozen=True)
class OrgSpec:
    id: str
    legal_name: str
    country: str
    roles: tuple[str, ...]


DEMO_ORGS: tuple[OrgSpec, ...] = (
    OrgSpec(
        "consortium-ca", "North American Steel Traceability Council", "CA", ("admin", "regulator")
    ),
    OrgSpec("consortium-us", "US Steel Provenance Board", "US", ("admin", "regulator")),
    OrgSpec("consortium-eu", "European Steel Registry", "DE", ("admin",)),
    OrgSpec("mill-ca", "Hamilton Steelworks Ltd.", "CA", ("mill",)),
    OrgSpec("mill-us", "Gary Works Steel Co.", "US", ("mill",)),
    OrgSpec("mill-cn", "Jiangsu Coastal Iron & Steel Co.", "CN", ("mill",)),
    OrgSpec("mill-kr", "Pohang Flat Steel Corp.", "KR", ("mill",)),
    OrgSpec("proc-vn", "Saigon Coating & Galvanising JSC", "VN", ("processor",)),
    OrgSpec("svc-ca", "Great Lakes Steel Service Centre Inc.", "CA", ("processor", "buyer")),
    OrgSpec("trader-sg", "Straits Metals Trading Pte. Ltd.", "SG", ("trader",)),
    OrgSpec("carrier-sea", "Pacific Bulk Lines", "SG", ("carrier",)),
    OrgSpec("carrier-rail", "Canadian Rail Freight", "CA", ("carrier",)),
    OrgSpec("wh-ca", "Port of Vancouver Metals Terminal", "CA", ("warehouse",)),
    OrgSpec("bank-1", "First Commerce Bank", "CA", ("bank",)),
    OrgSpec("bank-2", "Harbour Trade Finance", "US", ("bank",)),
    OrgSpec("inspect-1", "Nordic Inspection Services", "NO", ("inspection",)),
    OrgSpec("customs-ca", "Canada Border Services Agency", "CA", ("customs",)),
    OrgSpec("customs-us", "U.S. Customs and Border Protection", "US", ("customs",)),
)


def consortium_config(
    chain_id: str,
    orgs: tuple[OrgSpec, ...] | list[OrgSpec],
    *,
    threshold: int = 2,
    window_seconds: int = 600,
    created_at: str | None = None,
) -> tuple[dict[str, Any], dict[str, list[crypto.SigningKey]], crypto.SigningKey]:
    """A genesis configuration with fresh keys for every organisation and the orderer."""
    org_keys = {o.id: [crypto.SigningKey.generate()] for o in orgs}
    orderer_key = crypto.SigningKey.generate()
    config = {
        "chain_id": chain_id,
        "created_at": created_at or schema.format_time(utc_now().replace(microsecond=0)),
        "governance_threshold": threshold,
        "tx_window_seconds": window_seconds,
        "orderers": [{"id": "orderer-1", "public_key": orderer_key.public_key_hex}],
        "organisations": [
            {
                "id": o.id,
                "legal_name": o.legal_name,
                "country": o.country,
                "roles": sorted(o.roles),
                "keys": [{"public_key": k.public_key_hex} for k in org_keys[o.id]],
            }
            for o in orgs
        ],
    }
    return config, org_keys, orderer_key


def init_home(
    home: Path,
    orgs: tuple[OrgSpec, ...] | list[OrgSpec] = DEMO_ORGS,
    *,
    chain_id: str = "steeltrace-demo",
    threshold: int = 2,
    window_seconds: int = 600,
) -> dict[str, Any]:
    """Create a node home holding every organisation's key (embedded mode)."""
    config, org_keys, orderer_key = consortium_config(
        chain_id, orgs, threshold=threshold, window_seconds=window_seconds
    )
    Node.init(home, config, org_keys=org_keys, orderer_key=orderer_key)
    return config


def open_node(home: Path, **kw: Any) -> Node:
    return Node.open(home, **kw)
