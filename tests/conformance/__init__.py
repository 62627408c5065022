"""Conformance suites: public test vectors from ../shared/conformance, table-driven.

The vectors are data nobody on this project wrote; each suite loads them from files and
checks our code against every case. :func:`conformance_root` finds them; a missing
folder is a failure, never a skip.
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def conformance_root() -> Path:
    """``<repo root>/../shared/conformance``, the repo root being where pyproject.toml is."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file():
            folder = parent.parent / "shared" / "conformance"
            if not folder.is_dir():
                raise FileNotFoundError(
                    f"conformance vectors not found at {folder}: the suites need them"
                )
            return folder
    raise FileNotFoundError(f"no pyproject.toml above {here}: cannot find the repo root")
