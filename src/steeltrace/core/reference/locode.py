"""UN/LOCODE lookups: which location codes exist, and which are ports (function 1).

Data: ``locode.csv`` (columns ``code,port,name``; see SOURCES.md). It is built from the
maritime-port extract of the UN/LOCODE 2024 code list (every code whose function classifier has
"1" = sea or maritime port) plus a short, hand-checked supplement of non-port codes. The full
code list (about 116,000 codes, including inland, rail-only and airport-only locations) is not in
the project's reference snapshot, so **a non-port code that is not in the supplement is unknown**
here: :func:`is_locode` answers False for it. Use :func:`is_locode_format` for a form-only check
of places that need not be ports (facilities, warehouses).

A code is 5 characters: the ISO 3166-1 alpha-2 country (or "XZ", international waters) and
3 characters from A-Z and 2-9. Lookups are exact: upper case, no space ("CAVAN", not "CA VAN").

Worth knowing: in the current code list CNSHA is Shanghai Hongqiao airport (function 4 only),
so it is a LOCODE but not a port; the port of Shanghai is CNSGH (and CNSHG "Shanghai Pt").
"""

from __future__ import annotations

import re
from functools import cache

from steeltrace.core.reference._data import load_csv

_FILE = "locode.csv"
_FORMAT = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")


@cache
def _table() -> dict[str, tuple[bool, str]]:
    rows = load_csv(_FILE)
    if rows[0] != ("code", "port", "name"):
        raise ValueError(f"unexpected header in {_FILE}: {rows[0]!r}")
    return {code: (port == "1", name) for code, port, name in rows[1:]}


def is_locode_format(code: str) -> bool:
    """True if ``code`` has the form of a UN/LOCODE (2 letters + 3 of A-Z, 2-9)."""
    return isinstance(code, str) and _FORMAT.fullmatch(code) is not None


def is_locode(code: str) -> bool:
    """True if ``code`` is a well-formed UN/LOCODE present in the packaged code list."""
    return is_locode_format(code) and code in _table()


def is_port(code: str) -> bool:
    """True if ``code`` is a UN/LOCODE whose function includes 1 (sea / maritime port)."""
    entry = _table().get(code) if is_locode_format(code) else None
    return entry is not None and entry[0]


def locode_country(code: str) -> str:
    """The country part of a well-formed code ("CAVAN" -> "CA"); ValueError if malformed.

    Only the form is checked. Note "XZ" (international waters) is not an ISO 3166-1 code.
    """
    if not is_locode_format(code):
        raise ValueError(f"not a UN/LOCODE: {code!r}")
    return code[:2]


def locode_name(code: str) -> str | None:
    """The location's name ("CAVAN" -> "Vancouver"), or None if the code is not known."""
    entry = _table().get(code) if is_locode_format(code) else None
    return None if entry is None else entry[1]


def all_ports() -> frozenset[str]:
    """Every known port code."""
    return frozenset(code for code, (port, _name) in _table().items() if port)
