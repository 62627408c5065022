"""Keep the docs true: every registered transaction type is documented."""

from __future__ import annotations

from pathlib import Path

from steeltrace.core.contracts.registry import all_specs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_transaction_type_is_in_the_index_and_its_domain_page() -> None:
    index = (DOCS / "transactions.md").read_text()
    pages = {p.name: p.read_text() for p in (DOCS / "transactions").glob("*.md")}
    for spec in all_specs():
        assert f"`{spec.tx_type}`" in index, spec.tx_type
        assert any(f"`{spec.tx_type}`" in text for text in pages.values()), spec.tx_type
