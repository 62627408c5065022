"""Loading of the packaged reference files (JSON or CSV beside this module).

Every file is read once, on first use, and cached for the life of the process. Nothing here
touches the network; the files are rebuilt by ``scripts/build_reference.py``.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = "steeltrace.core.reference"


@cache
def read_text(name: str) -> str:
    """The text of the packaged data file ``name`` (UTF-8)."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@cache
def load_json(name: str) -> Any:
    """The parsed JSON of the packaged data file ``name``."""
    return json.loads(read_text(name))


@cache
def load_csv(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows (header first) of the packaged CSV file ``name``."""
    return tuple(tuple(row) for row in csv.reader(io.StringIO(read_text(name), newline="")))
