"""A pure-core harness for contract tests: a MemoryState, organisations, and a clock.

It runs transactions through the same ``execute`` the peer uses, and
:meth:`Harness.reject` asserts both the stable code and that the state root did not move.
End-to-end tests through a real node live in tests/scenarios.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from steeltrace.core.execution import context_for, execute
from steeltrace.core.state import MemoryState, WriteSet
from steeltrace.errors import Rejected

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


class Harness:
    def __init__(self) -> None:
        self.state = MemoryState()
        self.height = 1
        self.now = T0
        self._ids = itertools.count(1)

    def org(self, org_id: str, country: str, *roles: str, name: str | None = None) -> None:
        self.state.apply(
            {
                f"org/{org_id}": {
                    "id": org_id,
                    "legal_name": name or org_id,
                    "country": country,
                    "roles": sorted(roles),
                    "status": "active",
                    "admitted_at": 0,
                }
            }
        )

    def tick(self, minutes: int = 10) -> None:
        self.now += timedelta(minutes=minutes)
        self.height += 1

    def run(self, signer: str, tx_type: str, payload: dict[str, Any]) -> WriteSet:
        """Apply a transaction that must be accepted; returns its write set."""
        tx_id = f"{next(self._ids):064x}"
        ctx = context_for(
            self.state,
            tx_id=tx_id,
            tx_type=tx_type,
            signer_org=signer,
            signer_key="k1",
            height=self.height,
            block_time=self.now,
            created_at=self.now,
            chain_id="test-chain",
        )
        writes = execute(self.state, ctx, payload)
        self.state.apply(writes)
        self.last_tx_id = tx_id
        return writes

    def reject(self, code: str, signer: str, tx_type: str, payload: dict[str, Any]) -> Rejected:
        """Apply a transaction that must be rejected with ``code``; the state is unchanged."""
        before = self.state.root()
        with pytest.raises(Rejected) as info:
            self.run(signer, tx_type, payload)
        assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value}"
        assert self.state.root() == before
        return info.value

    def get(self, key: str) -> Any:
        return self.state.get(key)
