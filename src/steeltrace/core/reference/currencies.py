"""ISO 4217 active alphabetic currency codes and their minor units.

Data: ``currencies.json``, from ISO 4217 list one (see SOURCES.md). Codes are upper-case and
matched exactly. The list includes funds, precious metals and the testing/"no currency" codes
(XTS, XXX) because ISO 4217 lists them as active; those without a minor unit ("N.A." in the
standard) report 0 from :func:`minor_units` and ``None`` from :func:`minor_units_or_none`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from steeltrace.core.reference._data import load_json

_FILE = "currencies.json"


@cache
def _currencies() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = load_json(_FILE)["currencies"]
    return table


def all_currencies() -> frozenset[str]:
    """Every active ISO 4217 alphabetic code."""
    return frozenset(_currencies())


def is_currency(code: str) -> bool:
    """True if ``code`` is an active ISO 4217 alphabetic code (e.g. "USD")."""
    return isinstance(code, str) and code in _currencies()


def _entry(code: str) -> dict[str, Any]:
    try:
        return _currencies()[code]
    except KeyError:
        raise KeyError(f"not an active ISO 4217 currency code: {code!r}") from None


def minor_units_or_none(code: str) -> int | None:
    """The minor units (decimal places) of ``code``, ``None`` where ISO 4217 says "N.A."."""
    value: int | None = _entry(code)["minor_units"]
    return value


def minor_units(code: str) -> int:
    """The minor units (decimal places) of ``code``: 2 for USD, 0 for JPY, 3 for KWD.

    Codes without a minor unit in ISO 4217 (XAU, XDR, XXX ...) give 0. Raises KeyError for a
    code that is not an active ISO 4217 code.
    """
    value = minor_units_or_none(code)
    return 0 if value is None else value


def currency_name(code: str) -> str:
    """The ISO 4217 currency name of ``code``; raises KeyError for an unknown code."""
    name: str = _entry(code)["name"]
    return name


def numeric_code(code: str) -> str:
    """The ISO 4217 three-digit numeric code of ``code`` (e.g. "840" for USD)."""
    number: str = _entry(code)["numeric"]
    return number
