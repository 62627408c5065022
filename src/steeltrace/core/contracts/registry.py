"""The registry from transaction type to contract.

A contract is a pure function ``(state, ctx, payload) -> WriteSet``. It reads the
state through a read-only view, takes "now" only from ``ctx`` (the block time and the
signed ``created_at``), and either returns the writes it wants or raises
:class:`~steeltrace.errors.Rejected` with a stable code. It never touches a clock, a
file, a database or the network, so every peer reaches the same verdict.

The executor checks the signer's role against :attr:`ContractSpec.roles` before the
contract runs; finer permissions (own facility, current owner) are the contract's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from steeltrace.core.state import StateView, WriteSet


@dataclass(frozen=True, slots=True)
class TxContext:
    """Everything a contract may know besides the state and the payload."""

    tx_id: str
    tx_type: str
    signer_org: str
    signer_key: str
    signer_roles: frozenset[str]
    signer_country: str
    height: int
    block_time: datetime
    created_at: datetime
    chain_id: str


ContractFn = Callable[[StateView, TxContext, dict[str, Any]], WriteSet]


@dataclass(frozen=True, slots=True)
class ContractSpec:
    tx_type: str
    apply: ContractFn
    roles: frozenset[str] | None  # None: any active member may send it
    summary: str


_REGISTRY: dict[str, ContractSpec] = {}


def contract(
    tx_type: str, *, roles: frozenset[str] | set[str] | None, summary: str
) -> Callable[[ContractFn], ContractFn]:
    """Register ``fn`` as the contract for ``tx_type``."""

    def register(fn: ContractFn) -> ContractFn:
        if tx_type in _REGISTRY and _REGISTRY[tx_type].apply is not fn:
            raise RuntimeError(f"transaction type {tx_type} registered twice")
        _REGISTRY[tx_type] = ContractSpec(
            tx_type, fn, frozenset(roles) if roles is not None else None, summary
        )
        return fn

    return register


def lookup(tx_type: str) -> ContractSpec | None:
    _load_all()
    return _REGISTRY.get(tx_type)


def all_specs() -> list[ContractSpec]:
    _load_all()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


_loaded = False


def _load_all() -> None:
    global _loaded
    if not _loaded:
        import steeltrace.core.contracts as pkg

        pkg.load_all()
        _loaded = True
