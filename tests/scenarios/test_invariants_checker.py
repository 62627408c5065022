"""The invariant checker itself: it passes on the base world and catches each kind of
violation when the state it reads is tampered with (so a green scenario means something)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from steeltrace.node.service import Node
from tests.scenarios import invariants as inv

State = dict[str, Any]


def run_state_checks(node: Node, state: State) -> None:
    kind = inv._kind
    lots = kind(state, "lot/")
    inv._inv1_owner_and_state(lots, kind(state, "org/"))
    inv._inv2_pledges(lots, kind(state, "pledge/"), state)
    inv._inv3_mass(lots, kind(state, "heat/"), kind(state, "transformation/"), kind(state, "cert/"))
    inv._inv5_identifiers(state, kind(state, "heat/"))
    inv._inv6_dag(lots)


def _owner_unknown(s: State) -> None:
    s["lot/CA-HRC-1"]["owner"] = "nobody"


def _bad_state(s: State) -> None:
    s["lot/CA-HRC-1"]["state"] = "stolen"


def _two_pledges(s: State) -> None:
    for pid in ("PL-X", "PL-Y"):
        s[f"pledge/{pid}"] = {"id": pid, "status": "active", "lots": ["CA-HRC-1"], "receipt": None}
    s["lot/CA-HRC-1"]["pledge"] = "PL-X"


def _inflated_output(s: State) -> None:
    s["lot/CA-HRC-1"]["mass_kg"] += 10_000
    s["lot/CA-HRC-1"]["remaining_kg"] += 10_000


def _consumed_twice(s: State) -> None:
    s["lot/CA-SLAB-3"]["remaining_kg"] = 30_000
    s["lot/CA-SLAB-1"]["remaining_kg"] = 30_000
    s["lot/CA-SLAB-1"]["state"] = "active"


def _overcast(s: State) -> None:
    s["heat/mill-ca/H-CA-24001"]["cast_kg"] = 10


def _cycle(s: State) -> None:
    s["lot/CA-SLAB-1"]["parents"] = [{"lot": "CA-HRC-1", "kg": 1}]
    s["lot/CA-SLAB-1"]["heat"] = None


def _non_ascii(s: State) -> None:
    s["lot/CA-\u0405LAB-9"] = copy.deepcopy(s["lot/CA-SLAB-3"])


def _country_changed(s: State) -> None:
    s["heat/mill-cn/H-CN-5521"]["country"] = "VN"


TAMPER: dict[str, Callable[[State], None]] = {
    "1-owner": _owner_unknown,
    "1-state": _bad_state,
    "2-pledges": _two_pledges,
    "3-inflated": _inflated_output,
    "3-consumed-twice": _consumed_twice,
    "3-overcast": _overcast,
    "5-ascii": _non_ascii,
    "5-country": _country_changed,
    "6-cycle": _cycle,
}


def test_checker_passes_on_the_base_world(world: Node) -> None:
    run_state_checks(world, inv._state(world))
    inv.check_invariants(world)


@pytest.mark.parametrize("name", sorted(TAMPER))
def test_checker_catches(world: Node, name: str) -> None:
    state = inv._state(world)
    TAMPER[name](state)
    with pytest.raises(AssertionError):
        run_state_checks(world, state)
