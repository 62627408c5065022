"""Canonical JSON (RFC 8785) and the strict JSON reader in front of it.

Everything that is hashed or signed goes through :func:`canonical_bytes`. The reader,
:func:`parse_strict`, refuses what a lenient parser would silently accept and what would
let two parties disagree on what was signed:

* duplicate object keys (``{"qty":1,"qty":1000}``, I-09);
* ``NaN``, ``Infinity`` and integers beyond +/-2^53 (I-10): RFC 8785 numbers are
  IEEE 754 doubles, so a larger integer would not survive a round trip;
* a byte-order mark, invalid UTF-8, lone surrogates, trailing garbage (I-08);
* nesting deeper than :data:`MAX_DEPTH` and documents over a size limit (I-13).

This module owns the bytes; it leaves the meaning of fields to ``schema`` and the
contracts.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson
import rfc8785

from steeltrace.errors import InvalidInput, PayloadTooLarge

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 32
DEFAULT_MAX_BYTES = 64 * 1024

JSONValue = Any


def _fast_ok(value: Any, depth: int = 0) -> bool:
    """True when orjson's sorted output is already the RFC 8785 form.

    That holds for objects with ASCII keys (UTF-8 and UTF-16 orders agree there),
    strings, booleans, null and integers within +/-2^53: orjson escapes exactly the
    characters ECMAScript does, with the same short forms. Floats are formatted
    differently (``1.0`` vs ``1``), so any float takes the reference path.
    """
    t = type(value)
    if t is str or t is bool or value is None:
        return True
    if t is int:
        return bool(-MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER)
    if depth > MAX_DEPTH:
        return False
    if t is dict:
        for k, v in value.items():
            if type(k) is not str or not k.isascii() or not _fast_ok(v, depth + 1):
                return False
        return True
    if t is list:
        return all(_fast_ok(v, depth + 1) for v in value)
    return False


def canonical_bytes(value: JSONValue) -> bytes:
    """The RFC 8785 canonical encoding of ``value``.

    A fast path through orjson serves values where its output is provably identical
    (see :func:`_fast_ok`; a hypothesis test pins the equality); everything else goes
    through the reference ``rfc8785`` implementation.
    """
    if _fast_ok(value):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as e:
        raise InvalidInput("JSON_NOT_CANONICALIZABLE", f"value cannot be canonicalised: {e}") from e


def canonical_bytes_reference(value: JSONValue) -> bytes:
    """Always the reference implementation (for tests of the fast path)."""
    return rfc8785.dumps(value)


def _reject_constant(name: str) -> Any:
    raise InvalidInput("JSON_NON_FINITE", f"{name} is not allowed in JSON here")


def _parse_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise InvalidInput(
            "JSON_INTEGER_RANGE", f"integer {text[:24]} is outside +/-2^53 and cannot be exact"
        )
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidInput("JSON_NON_FINITE", f"number {text[:24]} is not finite")
    return value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidInput("JSON_DUPLICATE_KEY", f"duplicate key {key!r} in object")
        out[key] = value
    return out


_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs,
    parse_constant=_reject_constant,
    parse_int=_parse_int,
    parse_float=_parse_float,
    strict=True,
)


def _check_depth_and_strings(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput("JSON_TOO_DEEP", f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_string(k)
            _check_depth_and_strings(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_depth_and_strings(v, depth + 1)
    elif isinstance(value, str):
        _check_string(value)


def _check_string(s: str) -> None:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidInput("JSON_LONE_SURROGATE", "string holds a lone UTF-16 surrogate") from e


def _precheck_depth(text: str) -> None:
    # Reject deep nesting before the recursive decoder can blow the stack.
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidInput("JSON_TOO_DEEP", f"nesting deeper than {MAX_DEPTH} levels")
        elif ch in "]}":
            depth -= 1


def parse_strict(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> JSONValue:
    """Parse JSON the strict way; raise :class:`InvalidInput` with a stable code."""
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise PayloadTooLarge(
                "BODY_TOO_LARGE", f"document is {len(data)} bytes; limit {max_bytes}"
            )
        if data.startswith(b"\xef\xbb\xbf"):
            raise InvalidInput("JSON_BOM", "a byte-order mark is not allowed")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidInput("JSON_INVALID_UTF8", f"not valid UTF-8 at byte {e.start}") from e
    else:
        text = data
        if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise PayloadTooLarge("BODY_TOO_LARGE", f"document is over the {max_bytes}-byte limit")
        if text.startswith("\ufeff"):
            raise InvalidInput("JSON_BOM", "a byte-order mark is not allowed")
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _precheck_depth(text)
    try:
        value, end = _DECODER.raw_decode(text)
    except InvalidInput:
        raise
    except RecursionError as e:
        raise InvalidInput("JSON_TOO_DEEP", "nesting too deep") from e
    except json.JSONDecodeError as e:
        raise InvalidInput("JSON_MALFORMED", f"malformed JSON: {e.msg} at position {e.pos}") from e
    if text[end:].strip(" \t\r\n"):
        raise InvalidInput("JSON_TRAILING_DATA", f"unexpected data after the JSON value at {end}")
    if text[:1] in (" ", "\t", "\r", "\n") and not text.strip():
        raise InvalidInput("JSON_MALFORMED", "empty document")
    if "\\u" in text:  # only escapes can produce a lone surrogate
        _check_depth_and_strings(value)
    return value


def canonical_from_text(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Strictly parse ``data`` and return its canonical bytes (I-11: same bytes for any
    key order or whitespace)."""
    return canonical_bytes(parse_strict(data, max_bytes=max_bytes))
