"""S-02: selling a lot twice (sequentially and 20 times in one block), and a transfer by
someone who does not own the lot. Exactly one transfer is valid; one owner."""

from __future__ import annotations

from datetime import timedelta

from steeltrace.core import schema
from steeltrace.node.service import Node
from tests.scenarios.invariants import check_invariants
from tests.scenarios.world import (
    ok,
    one_block,
    recorded_invalid,
    refused_everywhere,
    root_with_only,
    verdicts,
)

BUYERS = [
    "trader-sg",
    "svc-ca",
    "proc-vn",
    "mill-ca",
    "mill-cn",
    "mill-kr",
    "bank-1",
    "bank-2",
    "wh-ca",
    "carrier-sea",
]


def test_s02_double_sale_sequential(world: Node) -> None:
    ok(world, "mill-us", "title.transfer", {"lots": ["US-HRC-1"], "to": "trader-sg"})
    again = {"lots": ["US-HRC-1"], "to": "svc-ca"}
    refused_everywhere(world, "TITLE_NOT_OWNER", "mill-us", "title.transfer", again)
    lot = world.get("lot/US-HRC-1")
    assert lot["owner"] == "trader-sg" and lot["title_seq"] == 1
    entry = world.get("title/US-HRC-1/1")
    assert (entry["from"], entry["to"], entry["via"]) == ("mill-us", "trader-sg", "title.transfer")
    assert world.get("title/US-HRC-1/2") is None
    # a batch naming the sold lot with a good one fails as a whole
    both = {"lots": ["US-HRC-2", "US-HRC-1"], "to": "svc-ca"}
    refused_everywhere(world, "TITLE_NOT_OWNER", "mill-us", "title.transfer", both)
    assert world.get("lot/US-HRC-2")["owner"] == "mill-us"
    check_invariants(world)


def test_s02_double_sale_concurrent(world: Node) -> None:
    """20 transfers of the same lot in ONE block: the first is valid, 19 are invalid."""
    now = world.clock()
    txs = [
        world.sign_as(
            "mill-us",
            "title.transfer",
            {"lots": ["US-HRC-1"], "to": BUYERS[i % len(BUYERS)]},
            created_at=schema.format_time(now - timedelta(milliseconds=i)),
        )
        for i in range(20)
    ]
    assert len({t.tx_id for t in txs}) == 20
    # each passes the pre-check on its own: the conflict exists only within the block
    for t in txs:
        world.precheck(t)
    block, before = one_block(world, txs)
    assert len(block.transactions) == 20
    assert verdicts(block) == [("valid", None)] + [("invalid", "TITLE_NOT_OWNER")] * 19
    for t in txs[1:]:
        st = world.status(t.tx_id)
        assert st["status"] == "invalid" and st["code"] == "TITLE_NOT_OWNER"
        assert st["height"] == block.height
    lot = world.get("lot/US-HRC-1")
    assert lot["owner"] == BUYERS[0] and lot["title_seq"] == 1
    assert world.get("title/US-HRC-1/2") is None
    assert world.state_root() == root_with_only(before, block, world, [txs[0].tx_id])
    check_invariants(world)


def test_s02_transfer_by_non_owner(world: Node) -> None:
    root = world.state_root()
    steal = {"lots": ["CA-HRC-1"], "to": "svc-ca"}
    refused_everywhere(world, "TITLE_NOT_OWNER", "trader-sg", "title.transfer", steal)
    # the custodian is not the owner either: a warehouse holding steel cannot sell it
    ok(
        world,
        "mill-ca",
        "custody.handover",
        {"handover_id": "HO-X", "lots": ["CA-HRC-1"], "to": "wh-ca", "place": "CAVAN"},
    )
    ok(world, "wh-ca", "custody.accept", {"handover_id": "HO-X"})
    root = world.state_root()
    # wh-ca has no role that may send title.transfer at all
    refused_everywhere(world, "ROLE_NOT_PERMITTED", "wh-ca", "title.transfer", steal)
    # a buyer passing someone else's lot on to a third party
    recorded_invalid(
        world,
        "TITLE_NOT_OWNER",
        "svc-ca",
        "title.transfer",
        {"lots": ["CA-HRC-1"], "to": "trader-sg"},
    )
    assert world.state_root() == root
    assert world.get("lot/CA-HRC-1")["owner"] == "mill-ca"
    assert world.get("lot/CA-HRC-1")["custodian"] == "wh-ca"
    check_invariants(world)


def test_s02_resale_chain_in_one_block(world: Node) -> None:
    """A sells to B, B to C, C to D in one block (each sees the one before), while a stale
    second sale by A and a sale by B after it sold are invalid: one owner, D."""
    lot = {"lots": ["KR-HRC-1"]}
    items = [
        ("mill-kr", "trader-sg"),
        ("trader-sg", "svc-ca"),
        ("mill-kr", "bank-1"),
        ("svc-ca", "proc-vn"),
        ("trader-sg", "bank-2"),
    ]
    txs = [world.sign_as(a, "title.transfer", {**lot, "to": b}) for a, b in items]
    block, before = one_block(world, txs)
    assert verdicts(block) == [
        ("valid", None),
        ("valid", None),
        ("invalid", "TITLE_NOT_OWNER"),
        ("valid", None),
        ("invalid", "TITLE_NOT_OWNER"),
    ]
    keep = [txs[i].tx_id for i in (0, 1, 3)]
    assert world.state_root() == root_with_only(before, block, world, keep)
    rec = world.get("lot/KR-HRC-1")
    assert (rec["owner"], rec["title_seq"]) == ("proc-vn", 3)
    chain = [world.get(f"title/KR-HRC-1/{i}") for i in (1, 2, 3)]
    assert [(e["from"], e["to"]) for e in chain] == [
        ("mill-kr", "trader-sg"),
        ("trader-sg", "svc-ca"),
        ("svc-ca", "proc-vn"),
    ]
    assert rec["custodian"] == "mill-kr"  # title moved, the steel did not
    check_invariants(world)
