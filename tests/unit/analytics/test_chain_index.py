"""The timeline read model: transactions by the ids their payloads name, incrementally."""

from __future__ import annotations

from typing import Any

from steeltrace.analytics.chain_index import ChainIndex


class Chain:
    """Blocks as the node's query methods return them, with payloads behind ``tx``."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = [{"header": {"height": 0}, "transactions": []}]
        self.txs: dict[str, dict[str, Any]] = {}
        self.tx_reads = 0

    def add(self, *txs: tuple[str, str, dict[str, Any], str]) -> None:
        h = len(self.blocks)
        entries = []
        for i, (tx_id, tx_type, payload, status) in enumerate(txs):
            entries.append(
                {"tx_id": tx_id, "index": i, "type": tx_type, "signer": "org", "status": status}
            )
            self.txs[tx_id] = {"tx": {"type": tx_type, "payload": payload}, "status": status}
        self.blocks.append({"header": {"height": h, "time": f"t{h}"}, "transactions": entries})

    def height(self) -> int:
        return len(self.blocks) - 1

    def block(self, height: int) -> dict[str, Any] | None:
        return self.blocks[height] if 0 <= height < len(self.blocks) else None

    def tx(self, tx_id: str) -> dict[str, Any] | None:
        self.tx_reads += 1
        return self.txs.get(tx_id)


def test_mentioning_finds_nested_ids_in_chain_order() -> None:
    chain = Chain()
    chain.add(("a", "lot.cast", {"heat": "m/H1", "lots": [{"lot_id": "L1"}]}, "valid"))
    chain.add(
        ("b", "title.transfer", {"lots": ["L1", "L2"], "to": "x"}, "valid"),
        ("c", "title.transfer", {"lots": ["L1"], "to": "y"}, "invalid"),
    )
    index = ChainIndex()
    index.refresh(chain)
    assert [r.tx_id for r in index.mentioning("L1")] == ["a", "b"]
    assert [r.tx_id for r in index.mentioning("L1", valid_only=False)] == ["a", "b", "c"]
    assert [r.tx_id for r in index.mentioning("L2", "m/H1")] == ["a", "b"]
    assert index.mentioning("nothing") == []
    ref = index.mentioning("L2")[0]
    assert (ref.height, ref.index, ref.time, ref.type) == (2, 0, "t2", "title.transfer")


def test_refresh_reads_only_new_blocks() -> None:
    chain = Chain()
    chain.add(("a", "lot.cast", {"lot": "L1"}, "valid"))
    index = ChainIndex()
    index.refresh(chain)
    index.refresh(chain)
    assert chain.tx_reads == 1 and index.indexed_height == 1
    chain.add(("b", "custody.handover", {"lots": ["L1"]}, "valid"))
    index.refresh(chain)
    assert chain.tx_reads == 2 and index.indexed_height == 2
    assert [r.tx_id for r in index.mentioning("L1")] == ["a", "b"]
