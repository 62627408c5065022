"""Payload shape checks shared by every contract.

A contract calls :func:`fields` first: it rejects unknown fields (I-14, so nobody can
smuggle ``"verified": true`` past a rule), missing fields and values of the wrong type,
each with the stable code ``PAYLOAD_INVALID`` and the path of the offending field.

Checkers are small functions ``(value, path) -> value``. Identifiers are printable ASCII
only (I-12: no confusable Cyrillic letters, zero-width or bidi characters); free text may
be any Unicode except control, zero-width and bidi characters. Masses are integer
kilograms, never floats (I-10).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from steeltrace.errors import InvalidPayload

Checker = Callable[[Any, str], Any]

_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,95}$")
_RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
MAX_TEXT = 500
MAX_LIST = 1000
MAX_KG = 10**12  # a million tonnes: far above any real lot, far below 2^53


def bad(path: str, message: str, code: str = "PAYLOAD_INVALID") -> InvalidPayload:
    return InvalidPayload(code, f"{path}: {message}", field=path)


def fields(
    payload: Any,
    required: Mapping[str, Checker],
    optional: Mapping[str, Checker] | None = None,
    path: str = "payload",
) -> dict[str, Any]:
    """Check an object: every required field present, no field unknown, each checked."""
    if not isinstance(payload, dict):
        raise bad(path, "must be an object")
    optional = optional or {}
    unknown = sorted(set(payload) - set(required) - set(optional))
    if unknown:
        raise bad(f"{path}.{unknown[0]}", "unknown field", "PAYLOAD_UNKNOWN_FIELD")
    out: dict[str, Any] = {}
    for name, check in required.items():
        if name not in payload:
            raise bad(f"{path}.{name}", "is required", "PAYLOAD_MISSING_FIELD")
        out[name] = check(payload[name], f"{path}.{name}")
    for name, check in optional.items():
        if name in payload and payload[name] is not None:
            out[name] = check(payload[name], f"{path}.{name}")
    return out


def ident(value: Any, path: str) -> str:
    """An identifier: printable ASCII letters, digits and ``._:/-``, 1-96 characters."""
    if not isinstance(value, str):
        raise bad(path, "must be a string")
    if not value.isascii():
        raise bad(path, "identifiers must be ASCII (no look-alike letters)", "IDENT_NOT_ASCII")
    if not _IDENT.match(value):
        raise bad(path, "must be 1-96 of A-Z a-z 0-9 . _ : / - starting with a letter or digit")
    return value


def text(value: Any, path: str, max_len: int = MAX_TEXT) -> str:
    """Free text: printable characters only (no control, zero-width, bidi, unassigned or
    separator characters other than the ASCII space)."""
    if not isinstance(value, str):
        raise bad(path, "must be a string")
    if not value or len(value) > max_len:
        raise bad(path, f"must be 1-{max_len} characters")
    if value.isprintable():  # the common case, in C: no Cc/Cf/Cs/Co/Cn/Z* but space
        return value
    for ch in value:
        if unicodedata.category(ch) in _FORBIDDEN_CATEGORIES or not ch.isprintable():
            raise bad(path, f"holds a forbidden character U+{ord(ch):04X}", "TEXT_FORBIDDEN_CHAR")
    return value


def boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise bad(path, "must be true or false")
    return value


def integer(value: Any, path: str, lo: int = 0, hi: int = MAX_KG) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(path, "must be an integer")
    if not lo <= value <= hi:
        raise bad(path, f"must be between {lo} and {hi}")
    return value


def kg(value: Any, path: str) -> int:
    """A positive mass in integer kilograms."""
    if isinstance(value, float):
        raise bad(path, "masses are integer kilograms, not floats", "MASS_NOT_INTEGER")
    return integer(value, path, 1, MAX_KG)


def number(value: Any, path: str, lo: float = 0.0, hi: float = 1e9) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(path, "must be a number")
    if not lo <= value <= hi:
        raise bad(path, f"must be between {lo} and {hi}")
    return value


def timestamp(value: Any, path: str) -> str:
    """An RFC 3339 time in UTC with the ``Z`` suffix."""
    if not isinstance(value, str) or not _RFC3339_UTC.match(value):
        raise bad(path, "must be an RFC 3339 UTC time like 2026-01-31T12:00:00Z")
    try:
        parse_time(value)
    except ValueError as e:
        raise bad(path, f"not a real time: {e}") from e
    return value


def date(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _DATE.match(value):
        raise bad(path, "must be a date like 2026-01-31")
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError as e:
        raise bad(path, f"not a real date: {e}") from e
    return value


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def format_time(dt: datetime) -> str:
    """RFC 3339 UTC with microseconds only when present."""
    dt = dt.astimezone(UTC)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def one_of(*choices: str) -> Checker:
    allowed = frozenset(choices)

    def check(value: Any, path: str) -> str:
        if value not in allowed:
            raise bad(path, f"must be one of {', '.join(sorted(allowed))}")
        return str(value)

    return check


def list_of(
    item: Checker, min_len: int = 0, max_len: int = MAX_LIST, unique: bool = False
) -> Checker:
    def check(value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            raise bad(path, "must be a list")
        if not min_len <= len(value) <= max_len:
            raise bad(path, f"must have {min_len}-{max_len} items")
        out = [item(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if unique:
            seen: set[str] = set()
            for i, v in enumerate(out):
                marker = repr(v)
                if marker in seen:
                    raise bad(f"{path}[{i}]", "duplicate item")
                seen.add(marker)
        return out

    return check


def obj(required: Mapping[str, Checker], optional: Mapping[str, Checker] | None = None) -> Checker:
    def check(value: Any, path: str) -> dict[str, Any]:
        return fields(value, required, optional, path)

    return check


def mapping(key: Checker, value: Checker, max_len: int = 100) -> Checker:
    def check(v: Any, path: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise bad(path, "must be an object")
        if len(v) > max_len:
            raise bad(path, f"at most {max_len} entries")
        return {key(k, f"{path}.{k}"): value(x, f"{path}.{k}") for k, x in v.items()}

    return check


_HEX = re.compile(r"^[0-9a-f]+$")


def hex_bytes(length: int) -> Checker:
    def check(value: Any, path: str) -> str:
        if not isinstance(value, str) or len(value) != 2 * length or not _HEX.match(value):
            raise bad(path, f"must be {length} bytes as lowercase hex")
        return value

    return check


def country(value: Any, path: str) -> str:
    """An ISO 3166-1 alpha-2 code that exists."""
    from steeltrace.core.reference.countries import is_country

    if not isinstance(value, str) or not is_country(value):
        raise bad(path, f"{value!r} is not an ISO 3166-1 alpha-2 country code", "COUNTRY_UNKNOWN")
    return value


def currency(value: Any, path: str) -> str:
    """An ISO 4217 alphabetic currency code that exists."""
    from steeltrace.core.reference.currencies import is_currency

    if not isinstance(value, str) or not is_currency(value):
        raise bad(path, f"{value!r} is not an ISO 4217 currency code", "CURRENCY_UNKNOWN")
    return value
