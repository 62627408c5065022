"""The pure, deterministic core: no web framework, database, network or clock."""
