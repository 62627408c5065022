"""Read models over the ledger's state: never consensus-critical (docs/dashboard.md)."""
