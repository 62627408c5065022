"""Strict JSON reading (I-08..I-13) and the canonical encoding's fast path."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from steeltrace.core.canonical import (
    MAX_DEPTH,
    canonical_bytes,
    canonical_bytes_reference,
    canonical_from_text,
    parse_strict,
)
from steeltrace.errors import InvalidInput, PayloadTooLarge


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'{"qty":1,"qty":1000}', "JSON_DUPLICATE_KEY"),  # I-09
        (b'{"a":{"b":1,"b":2}}', "JSON_DUPLICATE_KEY"),
        (b"[NaN]", "JSON_NON_FINITE"),  # I-10
        (b"[Infinity]", "JSON_NON_FINITE"),
        (b"[-Infinity]", "JSON_NON_FINITE"),
        (b"[1e400]", "JSON_NON_FINITE"),
        (b"[9007199254740993]", "JSON_INTEGER_RANGE"),
        (b"[-9007199254740993]", "JSON_INTEGER_RANGE"),
        (b'{"a":1', "JSON_MALFORMED"),  # I-08 truncated
        (b'{"a":1} {"b":2}', "JSON_TRAILING_DATA"),  # trailing garbage
        (b'{"a":1}x', "JSON_TRAILING_DATA"),
        (b'\xef\xbb\xbf{"a":1}', "JSON_BOM"),
        (b'{"a":"\xff"}', "JSON_INVALID_UTF8"),
        (b'{"a":"\\ud800"}', "JSON_LONE_SURROGATE"),
        (b'{"\\udfff":1}', "JSON_LONE_SURROGATE"),
        (b"", "JSON_MALFORMED"),
        (b"   ", "JSON_MALFORMED"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "JSON_TOO_DEEP"),  # I-13
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "JSON_TOO_DEEP"),
    ],
)
def test_strict_reader_rejects_with_stable_code(data: bytes, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_strict(data)
    assert info.value.code == code


def test_oversized_document_rejected_before_parsing() -> None:
    with pytest.raises(PayloadTooLarge) as info:
        parse_strict(b"[" + b"1," * 40_000 + b"1]", max_bytes=64 * 1024)
    assert info.value.code == "BODY_TOO_LARGE"


def test_deep_but_allowed_nesting_parses() -> None:
    doc = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_strict(doc) is not None


def test_i11_key_order_and_whitespace_give_the_same_bytes() -> None:
    a = canonical_from_text('{"b": [1, 2.5, "x"], "a": {"z": true, "y": null}}')
    b = canonical_from_text('{"a":{"y":null,"z":true},"b":[1,2.5,"x"]}')
    assert a == b == b'{"a":{"y":null,"z":true},"b":[1,2.5,"x"]}'


def test_numbers_take_their_es6_form() -> None:
    assert canonical_bytes([1.0, 1e21, 1e-7, 0.1, -0.0]) == b"[1,1e+21,1e-7,0.1,0]"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    # An integral float of 2^53 or more prints as an integer that is no longer exact.
    | st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda f: not (f.is_integer() and abs(f) >= 2**53)
    )
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)


@given(json_values)
def test_fast_path_equals_reference(value: object) -> None:
    assert canonical_bytes(value) == canonical_bytes_reference(value)


@given(json_values)
def test_canonical_round_trip_is_stable(value: object) -> None:
    once = canonical_bytes(value)
    assert canonical_bytes(json.loads(once)) == once
