"""I-06 (table-driven): every demo organisation against every transaction type its roles
may not send. Refused at pre-check with ROLE_NOT_PERMITTED; sent straight to ordering,
recorded invalid by the peer with the same code; the state root unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from steeltrace.bootstrap import DEMO_ORGS
from steeltrace.core.contracts.registry import all_specs
from steeltrace.errors import Rejected
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import CHEM, _certificate, _coil, _slabs, heat_payload

# A well-formed payload per type (from the base world), so the role is the only fault.
PAYLOADS: dict[str, dict[str, Any]] = {
    "heat.register": heat_payload("mill-ca", "H-CA-ROLE", cast_at="2026-01-01T00:00:00Z"),
    "lot.cast": {"heat": "mill-ca/H-CA-24001", "lots": _slabs("ROLE", 1, 1_000, "S355JR")},
    "lot.transform": {
        "id": "ROLE-T",
        "facility": "ca-hamilton",
        "process": "hot-rolling",
        "inputs": [{"lot": "CA-SLAB-3", "kg": 10_000}],
        "outputs": [_coil("ROLE-1", 9_900)],
        "at": "2026-01-01T00:00:00Z",
    },
    "cert.issue": _certificate(
        "mill-ca", "H-CA-24001", CHEM["mill-ca"], [{"lot": "CA-SLAB-3", "kg": 1}], "ROLE"
    ),
    "cert.countersign": {"cert_id": "mill-ca/MTC-H-CA-24001", "statement": "ok"},
    "cert.revoke": {"cert_id": "mill-ca/MTC-H-CA-24001", "reason": "role"},
    "title.transfer": {"lots": ["CA-HRC-1"], "to": "trader-sg"},
    "pledge.create": {"pledge_id": "PL-ROLE", "bank": "bank-1", "lots": ["CA-HRC-1"]},
    "pledge.accept": {"pledge_id": "PL-ROLE"},
    "pledge.release": {"pledge_id": "PL-ROLE"},
    "pledge.withdraw": {"pledge_id": "PL-ROLE"},
    "pledge.enforce": {"pledge_id": "PL-ROLE"},
    "receipt.issue": {"receipt_id": "WR-ROLE", "lots": ["CA-HRC-1"], "to": "mill-ca"},
    "receipt.surrender": {"receipt_id": "WR-ROLE"},
    "shipment.create": {
        "shipment_id": "SHP-ROLE",
        "carrier": "carrier-sea",
        "mode": "sea",
        "bl_number": "ROLE1",
        "port_of_loading": "CAVAN",
        "port_of_discharge": "CNSGH",
        "lots": ["CA-HRC-1"],
    },
    "shipment.depart": {"shipment_id": "SHP-ROLE", "at": "2026-01-01T00:00:00Z", "place": "CAVAN"},
    "shipment.arrive": {"shipment_id": "SHP-ROLE", "at": "2026-01-01T00:00:00Z", "place": "CNSGH"},
    "custody.handover": {"handover_id": "HO-ROLE", "lots": ["CA-HRC-1"], "to": "wh-ca"},
    "custody.accept": {"handover_id": "HO-ROLE"},
    "customs.declare": {
        "declaration_id": "DECL-ROLE",
        "direction": "import",
        "declaring_country": "CA",
        "declarant": "x",
        "importer": "svc-ca",
        "port_of_entry": "CAVAN",
        "hs": "7208.39",
        "declared_origin": "CA",
        "declared_melt_pour": ["CA"],
        "net_kg": 29_400,
        "customs_value": {"amount": "1.00", "currency": "USD"},
        "lots": ["CA-HRC-1"],
    },
    "customs.decide": {"declaration_id": "DECL-ROLE", "decision": "cleared", "reason": "ok"},
    "contract.propose": {"contract_id": "PO-ROLE"},
    "contract.accept": {"contract_id": "PO-ROLE"},
    "membership.propose": {"action": "suspend_org", "params": {"org": "mill-cn"}},
    "membership.approve": {"proposal_id": "P-ROLE"},
}

RESTRICTED = [s for s in all_specs() if s.roles is not None]


def test_i06_the_table_covers_every_restricted_type() -> None:
    assert {s.tx_type for s in RESTRICTED} <= set(PAYLOADS)


@pytest.mark.parametrize("org", DEMO_ORGS, ids=lambda o: o.id)
def test_i06_role_not_permitted(world: Node, org: Any) -> None:
    forbidden = [s for s in RESTRICTED if not (s.roles & set(org.roles))]
    root, height = world.state_root(), world.height()
    txs = []
    for spec in forbidden:
        payload = dict(PAYLOADS[spec.tx_type])
        if "declarant" in payload:
            payload["declarant"] = org.id
        with pytest.raises(Rejected) as info:
            world.submit_as(org.id, spec.tx_type, payload)
        assert info.value.code == "ROLE_NOT_PERMITTED", (org.id, spec.tx_type, info.value)
        txs.append(world.sign_as(org.id, spec.tx_type, payload))
    assert (world.state_root(), world.height()) == (root, height)
    # the same transactions sent straight to ordering, past the pre-check
    for tx in txs:
        world._pending.add(tx.tx_id)
        world.ordering.broadcast(tx)
    world.flush()
    for tx in txs:
        st = world.status(tx.tx_id)
        assert st is not None, tx.type
        assert (st["status"], st["code"]) == ("invalid", "ROLE_NOT_PERMITTED"), (org.id, tx.type)
    assert world.state_root() == root
    assert forbidden, f"{org.id} may send every transaction type"
    check_invariants(world)
