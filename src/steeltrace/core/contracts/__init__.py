"""The ledger's rules, one module per domain.

Each module registers its transaction types with
:func:`steeltrace.core.contracts.registry.contract` when imported; :func:`load_all`
imports them all. Add a new domain module to ``MODULES``.
"""

from __future__ import annotations

import importlib

MODULES = (
    "steeltrace.core.membership.contracts",
    "steeltrace.core.contracts.documents",
    "steeltrace.core.contracts.facilities",
    "steeltrace.core.contracts.heats",
    "steeltrace.core.contracts.lots",
    "steeltrace.core.contracts.certificates",
    "steeltrace.core.contracts.trade",
    "steeltrace.core.contracts.logistics",
    "steeltrace.core.contracts.customs",
    "steeltrace.core.contracts.finance",
)


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(name)
