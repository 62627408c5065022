"""ISO 3166-1 alpha-2 country codes: the 249 officially assigned codes.

Data: ``countries.json`` (see SOURCES.md). Codes are upper-case; lookups are exact, so "ca"
is not a country code (normalise at the edge if you accept user input).
"""

from __future__ import annotations

from functools import cache

from steeltrace.core.reference._data import load_json

_FILE = "countries.json"


@cache
def _countries() -> dict[str, str]:
    data = load_json(_FILE)
    table: dict[str, str] = data["countries"]
    return table


def all_countries() -> frozenset[str]:
    """Every officially assigned ISO 3166-1 alpha-2 code."""
    return frozenset(_countries())


def is_country(code: str) -> bool:
    """True if ``code`` is an officially assigned ISO 3166-1 alpha-2 code (e.g. "CA")."""
    return isinstance(code, str) and code in _countries()


def country_name(code: str) -> str:
    """The ISO 3166-1 short name of ``code``; raises KeyError for an unknown code."""
    try:
        return _countries()[code]
    except KeyError:
        raise KeyError(f"not an ISO 3166-1 alpha-2 country code: {code!r}") from None
