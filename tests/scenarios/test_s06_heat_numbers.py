"""S-06: heat-number reuse by the same mill and confusable variants are rejected; the
same number at another mill is another heat, shown with its mill."""

from __future__ import annotations

import pytest

from steeltrace.core.origin.report import origin_report
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import HEAT_NO, _slabs, at, heat_payload, ok, refused_everywhere

CA_HEAT = HEAT_NO["mill-ca"]  # "H-CA-24001"


def test_s06_heat_number_reused_by_the_same_mill(world: Node) -> None:
    again = heat_payload("mill-ca", CA_HEAT, cast_at=at(world, 1))
    refused_everywhere(world, "HEAT_EXISTS", "mill-ca", "heat.register", again)
    assert world.get(f"heat/mill-ca/{CA_HEAT}")["tonnage_kg"] == 150_000
    check_invariants(world)


@pytest.mark.parametrize(
    "variant",
    [
        "\u041d-CA-24001",  # Cyrillic capital EN for the Latin H
        "H-\u0421A-24001",  # Cyrillic capital ES for the Latin C
        "H-CA-24001\u200b",  # a zero-width space after the number
        "H-CA-2400\u0661",  # an Arabic-Indic digit one
        "\uff28-CA-24001",  # fullwidth H
    ],
)
def test_s06_confusable_heat_number(world: Node, variant: str) -> None:
    assert variant != CA_HEAT
    payload = heat_payload("mill-ca", variant, cast_at=at(world, 1))
    refused_everywhere(world, "IDENT_NOT_ASCII", "mill-ca", "heat.register", payload)
    check_invariants(world)


def test_s06_same_number_at_another_mill_is_allowed(world: Node) -> None:
    ok(world, "mill-us", "heat.register", heat_payload("mill-us", CA_HEAT, cast_at=at(world, 1)))
    us = world.get(f"heat/mill-us/{CA_HEAT}")
    ca = world.get(f"heat/mill-ca/{CA_HEAT}")
    assert (us["mill"], us["country"]) == ("mill-us", "US")
    assert (ca["mill"], ca["country"]) == ("mill-ca", "CA")
    ok(
        world,
        "mill-us",
        "lot.cast",
        {"heat": f"mill-us/{CA_HEAT}", "lots": _slabs("US-TWIN", 1, 20_000, "S355JR")},
    )
    rep = origin_report(world, "US-TWIN-1")
    assert [(h["heat"], h["mill"], h["heat_no"], h["country"]) for h in rep["heats"]] == [
        (f"mill-us/{CA_HEAT}", "mill-us", CA_HEAT, "US")
    ]
    # the other mill cannot cast from mill-ca's heat of the same number
    refused_everywhere(
        world,
        "HEAT_NOT_OWNED",
        "mill-us",
        "lot.cast",
        {"heat": f"mill-ca/{CA_HEAT}", "lots": _slabs("US-STEAL", 1, 1_000, "S355JR")},
    )
    check_invariants(world)
