"""The roles an organisation can hold (docs/DOMAIN: who takes part)."""

from __future__ import annotations

ADMIN = "admin"  # governance: approves membership changes
MILL = "mill"
PROCESSOR = "processor"
TRADER = "trader"
WAREHOUSE = "warehouse"
CARRIER = "carrier"
CUSTOMS = "customs"
BANK = "bank"
INSPECTION = "inspection"
REGULATOR = "regulator"
BUYER = "buyer"

ALL_ROLES = frozenset(
    {
        ADMIN,
        MILL,
        PROCESSOR,
        TRADER,
        WAREHOUSE,
        CARRIER,
        CUSTOMS,
        BANK,
        INSPECTION,
        REGULATOR,
        BUYER,
    }
)
