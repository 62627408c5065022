"""The bounded genealogy walk behind "does this lot descend from that heat" (I-16)."""

from __future__ import annotations

from fractions import Fraction

from steeltrace.core.certificates import certificates_for_lot
from steeltrace.core.certificates.genealogy import walk
from tests.unit.certificates.steel import cert, put_lot, world


def test_shares_are_mass_weighted_and_exact() -> None:
    h = world()
    put_lot(
        h,
        "MIX",
        "proc-c",
        parents=[{"lot": "COIL-1", "kg": 20_000}, {"lot": "B-SLAB-1", "kg": 10_000}],
        mass_kg=29_000,
    )
    g = walk(h.state, "MIX")
    assert g.heats() == ["mill-a/H100", "mill-b/H100"]
    assert g.shares_of("MIX") == {
        "mill-a/H100": Fraction(2, 3),
        "mill-b/H100": Fraction(1, 3),
    }
    assert g.heat_mass_kg("MIX", "mill-b/H100") == 9_666
    assert g.depth == {"MIX": 0, "COIL-1": 1, "B-SLAB-1": 1, "SLAB-1": 2}
    assert not g.truncated


def test_a_long_chain_needs_no_recursion() -> None:
    h = world()
    previous = "SLAB-1"
    for i in range(1_500):
        put_lot(h, f"L{i}", "proc-c", parents=[{"lot": previous, "kg": 1_000}], mass_kg=1_000)
        previous = f"L{i}"
    g = walk(h.state, previous)
    assert g.heats() == ["mill-a/H100"]
    assert not g.truncated


def test_a_huge_genealogy_is_truncated_and_the_contract_refuses() -> None:
    h = world()
    previous = "SLAB-1"
    for i in range(2_100):
        put_lot(h, f"L{i}", "mill-a", parents=[{"lot": previous, "kg": 1_000}], mass_kg=1_000)
        previous = f"L{i}"
    g = walk(h.state, previous)
    assert g.truncated and g.heats() == []
    assert certificates_for_lot(h.state, previous)["truncated"] is True
    h.reject(
        "CERT_GENEALOGY_TOO_LARGE",
        "mill-a",
        "cert.issue",
        cert(lots=[{"lot": previous, "kg": 1_000}]),
    )


def test_a_cycle_in_corrupt_data_does_not_loop() -> None:
    h = world()
    put_lot(h, "X", "proc-c", parents=[{"lot": "Y", "kg": 1}], mass_kg=1)
    put_lot(h, "Y", "proc-c", parents=[{"lot": "X", "kg": 1}], mass_kg=1)
    g = walk(h.state, "X")
    assert g.heats() == []
    assert sorted(g.lots) == ["X", "Y"]


def test_unknown_lot() -> None:
    h = world()
    view = certificates_for_lot(h.state, "NOPE")
    assert view["exists"] is False and view["certificates"] == []
