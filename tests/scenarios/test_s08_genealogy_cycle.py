"""S-08: a transformation that would make a lot its own ancestor is rejected."""

from __future__ import annotations

from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import _coil, at, ok, refused_everywhere


def rolling(node: Node, tid: str, inp: str, kg: int, out: str, out_kg: int) -> dict[str, object]:
    return {
        "id": tid,
        "facility": "ca-hamilton",
        "process": "hot-rolling",
        "inputs": [{"lot": inp, "kg": kg}],
        "outputs": [_coil(out, out_kg)],
        "at": at(node),
    }


def test_s08_lot_as_its_own_parent(world: Node) -> None:
    own = rolling(world, "CA-LOOP-1", "CA-HRC-1", 20_000, "CA-HRC-1", 19_000)
    refused_everywhere(world, "GENEALOGY_CYCLE", "mill-ca", "lot.transform", own)
    check_invariants(world)


def test_s08_lot_as_the_child_of_its_descendant(world: Node) -> None:
    # CA-SLAB-1 is an ancestor of CA-HRC-1: re-creating it as CA-HRC-1's output would
    # close the loop SLAB-1 -> HRC-1 -> SLAB-1
    loop = rolling(world, "CA-LOOP-2", "CA-HRC-1", 20_000, "CA-SLAB-1", 19_000)
    refused_everywhere(world, "LOT_EXISTS", "mill-ca", "lot.transform", loop)
    # two steps: a child of HRC-1, then HRC-1 named as the child of that child
    ok(
        world,
        "mill-ca",
        "lot.transform",
        rolling(world, "CA-R-1", "CA-HRC-1", 20_000, "CA-R-1", 19_800),
    )
    back = rolling(world, "CA-LOOP-3", "CA-R-1", 10_000, "CA-HRC-1", 9_900)
    refused_everywhere(world, "LOT_EXISTS", "mill-ca", "lot.transform", back)
    assert world.get("lot/CA-HRC-1")["parents"] == [
        {"kg": 30_000, "lot": "CA-SLAB-1"},
        {"kg": 30_000, "lot": "CA-SLAB-2"},
    ]
    check_invariants(world)
