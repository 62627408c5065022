"""RFC 8785 (JCS) vectors from the RFC author's repository (cyberphone/json-canonicalization).

* Six input documents must canonicalise byte for byte to the matching ``output`` file
  (and to the ``outhex`` dump), read through our strict parser and through ``json.loads``.
  None of the six holds an integer beyond 2^53, so ``parse_strict`` reads them all.
  ``canonical_bytes`` has a fast path for float-free values, which a whole document
  containing a float never takes; so every sub-value of every vector is also checked
  against the reference ``rfc8785`` package, to exercise both paths on the same data.
* 100,000 ES6 number-formatting lines ``<ieee754 bits in hex>,<expected>``: every double
  must serialise as expected through ``canonical_bytes``. The file is authenticated first
  against the SHA-256 the upstream README publishes for its first 100,000 lines.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from steeltrace.core.canonical import canonical_bytes, parse_strict
from tests.conformance import conformance_root

JCS = conformance_root() / "jcs-rfc8785" / "testdata"
NAMES = sorted(p.name for p in (JCS / "input").glob("*.json"))

# From testdata/README.md, "The following table records the expected hashes".
ES6_SHA256 = {
    10_000: "b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892",
    100_000: "22776e6d4b49fa294a0d0f349268e5c28808fe7e0cb2bcbe28f63894e494d4c7",
}


def test_all_six_pairs_are_present() -> None:
    assert len(NAMES) == 6
    assert sorted(p.name for p in (JCS / "output").glob("*.json")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_strict_parse_then_canonicalise_equals_output(name: str) -> None:
    expected = (JCS / "output" / name).read_bytes()
    assert canonical_bytes(parse_strict((JCS / "input" / name).read_bytes())) == expected


@pytest.mark.parametrize("name", NAMES)
def test_stdlib_parse_then_canonicalise_equals_output(name: str) -> None:
    expected = (JCS / "output" / name).read_bytes()
    value = json.loads((JCS / "input" / name).read_text(encoding="utf-8"))
    assert canonical_bytes(value) == expected


@pytest.mark.parametrize("name", NAMES)
def test_output_matches_hex_dump(name: str) -> None:
    hexdump = (JCS / "outhex" / (name.removesuffix(".json") + ".txt")).read_text()
    assert bytes.fromhex("".join(hexdump.split())) == (JCS / "output" / name).read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_canonical_output_is_a_fixed_point(name: str) -> None:
    expected = (JCS / "output" / name).read_bytes()
    assert canonical_bytes(parse_strict(expected)) == expected


def _sub_values(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield {key: item}
            yield from _sub_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _sub_values(item)


@pytest.mark.parametrize("name", NAMES)
def test_every_sub_value_matches_the_reference_implementation(name: str) -> None:
    for part in _sub_values(parse_strict((JCS / "input" / name).read_bytes())):
        assert canonical_bytes(part) == rfc8785.dumps(part), part


def _es6_lines(path: Path, count: int) -> list[str]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == ES6_SHA256[count], f"{path.name} is not authentic"
    lines = raw.decode("ascii").splitlines()
    assert len(lines) == count
    return lines


def test_es6_10k_file_is_the_prefix_of_the_100k_file() -> None:
    folder = JCS / "es6numbers"
    small = _es6_lines(folder / "es6testfile_first10k.txt", 10_000)
    large = _es6_lines(folder / "es6testfile_first100k.txt.gz", 100_000)
    assert large[:10_000] == small


def test_es6_number_formatting_100k() -> None:
    lines = _es6_lines(JCS / "es6numbers" / "es6testfile_first100k.txt.gz", 100_000)
    to_double = struct.Struct(">d").unpack
    failures: list[str] = []
    for number, line in enumerate(lines, start=1):
        bits, expected = line.split(",")
        value = to_double(int(bits, 16).to_bytes(8, "big"))[0]
        got = canonical_bytes(value)
        if got != expected.encode("ascii"):
            failures.append(f"line {number}: {bits} -> {got!r}, expected {expected}")
    assert not failures, f"{len(failures)} lines differ; first: " + "; ".join(failures[:10])
