"""steeltrace: a permissioned blockchain for steel provenance."""
