"""Conformance suites: public test vectors from ../shared/conformance, table-driven.

The vectors are data nobody on this project wrote; each suite loads them from files and
checks our code against every case. :func:`conformance_root` finds them; a missing
folder is a failure, never a skip.
"""

from __future__ import annotations

from tests.support.conformance import conformance_root

__all__ = ["conformance_root"]
