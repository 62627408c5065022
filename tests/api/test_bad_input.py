"""Bad bodies at the write endpoints (I-08, I-09, I-10, I-12, I-13, I-14, I-21): a 4xx
problem with a stable code, never a 500, and the state exactly as it was."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from steeltrace.core import schema
from steeltrace.core.ledger.transaction import sign
from steeltrace.node.service import utc_now
from tests.api.test_auth import assert_problem
from tests.api.world import World

WRITE_PATHS = ("/v1/tx/facility.register", "/v1/transactions")
MILL = "mill-cn/melter"

GOOD = b'{"id":"cn-x","name":"X","country":"CN","locode":"CNSHA","processes":["cutting"]}'

MALFORMED = {
    "truncated": (GOOD[:-7], "JSON_MALFORMED"),
    "trailing_garbage": (GOOD + b" xyz", "JSON_TRAILING_DATA"),
    "two_documents": (GOOD + GOOD, "JSON_TRAILING_DATA"),
    "bom": (b"\xef\xbb\xbf" + GOOD, "JSON_BOM"),
    "invalid_utf8": (GOOD.replace(b'"X"', b'"\xff\xfe"'), "JSON_INVALID_UTF8"),
    "overlong_utf8": (GOOD.replace(b'"X"', b'"\xc0\xaf"'), "JSON_INVALID_UTF8"),
    "lone_surrogate": (GOOD.replace(b'"X"', b'"\\ud800"'), "JSON_LONE_SURROGATE"),
    "empty": (b"", "JSON_MALFORMED"),
    "whitespace_only": (b"  \n", "JSON_MALFORMED"),
    "single_quotes": (b"{'id': 1}", "JSON_MALFORMED"),
    "not_an_object": (b"[1,2,3]", "JSON_NOT_OBJECT"),
    "a_string": (b'"hello"', "JSON_NOT_OBJECT"),
    "i09_duplicate_keys": (b'{"id":"a","id":"b"}', "JSON_DUPLICATE_KEY"),
    "i09_nested_duplicate": (b'{"a":{"qty":1,"qty":1000}}', "JSON_DUPLICATE_KEY"),
    "i10_nan": (b'{"melt_capacity_t": NaN}', "JSON_NON_FINITE"),
    "i10_infinity": (b'{"melt_capacity_t": Infinity}', "JSON_NON_FINITE"),
    "i10_minus_infinity": (b'{"melt_capacity_t": -Infinity}', "JSON_NON_FINITE"),
    "i10_huge_exponent": (b'{"melt_capacity_t": 1e999}', "JSON_NON_FINITE"),
    "i10_big_int": (b'{"melt_capacity_t": 9007199254740993}', "JSON_INTEGER_RANGE"),
    "i13_deep_nesting": (b'{"a":' * 40 + b"1" + b"}" * 40, "JSON_TOO_DEEP"),
    "i13_deep_arrays": (b"[" * 5000 + b"]" * 5000, "JSON_TOO_DEEP"),
}


@pytest.fixture
def unchanged(world: World) -> Iterator[None]:
    before = (world.root(), world.node.height(), world.node.scan("facility/", limit=1000))
    yield
    world.node.flush(10)
    assert (world.root(), world.node.height(), world.node.scan("facility/", limit=1000)) == before


@pytest.mark.parametrize("path", WRITE_PATHS)
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_i08_malformed_bodies_are_400(
    client: Any, world: World, unchanged: None, path: str, case: str
) -> None:
    raw, code = MALFORMED[case]
    response = client.post(
        path, headers=world.headers(MILL, **{"Content-Type": "application/json"}), content=raw
    )
    assert_problem(response, 400, code)


def test_i13_content_length_over_the_limit_is_413_before_reading(
    client: Any, world: World, unchanged: None
) -> None:
    raw = b'{"name":"' + b"x" * (70 * 1024) + b'"}'
    for path in WRITE_PATHS:
        body = assert_problem(
            client.post(path, headers=world.headers(MILL), content=raw), 413, "BODY_TOO_LARGE"
        )
        assert body["limit"] == 64 * 1024


def test_i13_a_chunked_body_over_the_limit_is_413(
    client: Any, world: World, unchanged: None
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name":"'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(WRITE_PATHS[0], headers=world.headers(MILL), content=chunks())
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413, "BODY_TOO_LARGE")


def test_i13_a_lying_content_length_is_refused(client: Any, world: World, unchanged: None) -> None:
    response = client.post(
        WRITE_PATHS[0], headers=world.headers(MILL, **{"Content-Length": "abc"}), content=GOOD
    )
    assert response.status_code == 400


def test_i13_a_huge_array_is_422(client: Any, world: World, unchanged: None) -> None:
    payload = json.loads(GOOD)
    payload["processes"] = ["cutting"] * 5000
    response = client.post(WRITE_PATHS[0], headers=world.headers(MILL), json=payload)
    assert response.status_code in (413, 422), response.text


def test_i10_a_float_mass_is_422(client: Any, world: World, unchanged: None) -> None:
    response = client.post(
        "/v1/tx/heat.register",
        headers=world.headers(MILL),
        json={
            "heat_no": "H-float",
            "facility": "cn-works",
            "route": "EAF",
            "cast_at": schema.format_time(utc_now().replace(microsecond=0)),
            "tonnage_kg": 150000.5,
            "chemistry": {"C": 0.1},
        },
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] in ("MASS_NOT_INTEGER", "PAYLOAD_INVALID")


def test_i14_an_unknown_payload_field_is_422(client: Any, world: World, unchanged: None) -> None:
    payload = {**json.loads(GOOD), "verified": True}
    body = assert_problem(
        client.post(WRITE_PATHS[0], headers=world.headers(MILL), json=payload),
        422,
        "PAYLOAD_UNKNOWN_FIELD",
    )
    assert "verified" in body["detail"]


def test_i14_an_unknown_envelope_field_is_400(client: Any, world: World, unchanged: None) -> None:
    tx = sign(
        world.node.signing_key("mill-cn"),
        chain_id=world.node.chain_id,
        tx_type="facility.register",
        payload=json.loads(GOOD),
        org="mill-cn",
        created_at=schema.format_time(utc_now()),
    )
    envelope = {**tx.envelope(), "verified": True}
    assert_problem(
        client.post(WRITE_PATHS[1], headers=world.headers(MILL), json=envelope),
        400,
        "TX_UNKNOWN_FIELD",
    )


@pytest.mark.parametrize(
    "name",
    ["Ｍill", "mill\u200b", "m\u202eill", "mіll"],  # fullwidth, zero-width, bidi, Cyrillic
)
def test_i12_confusable_identifiers_are_422(
    client: Any, world: World, unchanged: None, name: str
) -> None:
    payload = {**json.loads(GOOD), "id": name}
    response = client.post(WRITE_PATHS[0], headers=world.headers(MILL), json=payload)
    assert response.status_code == 422, response.text


def test_a_non_json_content_type_is_415(client: Any, world: World, unchanged: None) -> None:
    response = client.post(
        WRITE_PATHS[0], headers=world.headers(MILL, **{"Content-Type": "text/plain"}), content=GOOD
    )
    assert_problem(response, 415, "CONTENT_TYPE_UNSUPPORTED")


def _random_bodies(rng: random.Random, n: int) -> Iterator[bytes]:
    alphabet = b'{}[]":,0123456789.eE+-truefalsnl \\u\xff\xc3\xa9\xef\xbb\xbfabc\n\t'
    good = json.loads(GOOD)
    for i in range(n):
        kind = i % 5
        if kind == 0:
            yield bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        elif kind == 1:  # a good body with one byte flipped, cut or duplicated
            raw = bytearray(GOOD)
            pos = rng.randrange(len(raw))
            op = rng.choice(("flip", "cut", "dup", "insert"))
            if op == "flip":
                raw[pos] ^= 1 << rng.randrange(8)
            elif op == "cut":
                del raw[pos:]
            elif op == "dup":
                raw[pos:pos] = raw[pos : pos + rng.randint(1, 10)]
            else:
                raw[pos:pos] = bytes([rng.randrange(256)])
            yield bytes(raw)
        elif kind == 2:  # well-formed JSON of the wrong shape
            value: Any = rng.choice(
                [None, 1, -1.5, "s", [], [good], {"id": [1]}, {"processes": "cutting"}]
            )
            yield json.dumps(value).encode()
        elif kind == 3:  # right keys, random values
            yield json.dumps(
                {k: rng.choice([None, 0, 2**60, -1, "", "x" * 600, [], {}, True]) for k in good}
            ).encode()
        else:  # random envelopes
            yield json.dumps(
                {
                    "chain_id": rng.choice(["steeltrace-demo", "", 1]),
                    "type": rng.choice(["facility.register", "no.such", None]),
                    "payload": rng.choice([good, {}, [], "x"]),
                    "signer": rng.choice([{"org": "mill-cn", "key_id": "00" * 8}, {}, "x"]),
                    "nonce": rng.choice(["00" * 16, "zz", 5]),
                    "created_at": rng.choice(["2026-01-01T00:00:00Z", "yesterday"]),
                    "signature": rng.choice(["00" * 64, "", None]),
                }
            ).encode()


def test_i21_fuzzed_bodies_never_cause_a_500(client: Any, world: World, unchanged: None) -> None:
    rng = random.Random(20261204)
    seen: dict[int, int] = {}
    for i, raw in enumerate(_random_bodies(rng, 400)):
        path = WRITE_PATHS[i % 2]
        response = client.post(
            path + "?wait=false",
            headers=world.headers(MILL, **{"Content-Type": "application/json"}),
            content=raw,
        )
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        assert response.status_code < 500, (raw, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["code"]
    assert seen.get(400, 0) > 50 and seen.get(422, 0) > 10, seen
