"""The connectors' body decoding: orjson where it gives the standard library's objects, else json."""

from __future__ import annotations

import json
import random

import pytest

from connectors import http
from connectors.http import _parse_json


def stdlib(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


@pytest.mark.parametrize("body", [
    b'{"data":[{"id":"17895382510684235","views":2451,"rate":0.0732,"ok":true,"none":null}],"paging":{}}',
    b'{"big":18446744073709551615,"u64_plus_1":18446744073709551616,"huge":1180591620717411303424}',
    b'{"i64_min":-9223372036854775808,"below":-9223372036854775809,"long_negative":-9999999999999999999}',
    b'{"id_as_string":"123456789012345678901234","tiktok_id":"7696726671854712968","n":7696726671854712968}',
    b'{"nan":NaN,"inf":Infinity,"minus_inf":-Infinity}',
    b'{"lone":"\\ud800","pair":"\\ud83d\\ude00","ctl":"\\u0000"}',
    b'\xef\xbb\xbf{"bom":1}',
    b'{"overflow":1e400,"underflow":1e-400,"neg_zero":-0.0,"int_zero":-0}',
    b'{"a":1,"a":2}',
    b'[' * 600 + b']' * 600,
    "{\"é\":\"ü\u2028😀\"}".encode(),
    b'{"truncated":[1,2',
    b'<html>Bad Gateway</html>',
    b'\xff\xfe{\x00}\x00',
    b'',
])
def test_a_body_decodes_to_what_the_standard_library_gives(body):
    assert repr(_parse_json(body)) == repr(stdlib(body))  # repr: 1 vs 1.0, NaN, nesting alike


def test_random_documents_decode_alike():
    rng = random.Random(7)

    def value(depth: int):
        kind = rng.randrange(7 if depth < 4 else 4)
        if kind == 0:
            return rng.randint(-(2**70), 2**70) if rng.random() < 0.3 else rng.randint(-(10**6), 10**6)
        if kind == 1:
            return rng.uniform(-1, 1) * 10 ** rng.randint(-12, 20)
        if kind == 2:
            return "".join(rng.choice("ab é0123456789\"\\\n😀") for _ in range(rng.randrange(12)))
        if kind == 3:
            return rng.choice([True, False, None])
        if kind in (4, 5):
            return {f"k{i}": value(depth + 1) for i in range(rng.randrange(5))}
        return [value(depth + 1) for _ in range(rng.randrange(5))]

    for _ in range(2000):
        body = json.dumps(value(0), ensure_ascii=rng.random() < 0.5).encode()
        assert repr(_parse_json(body)) == repr(json.loads(body)), body


def test_an_ordinary_page_is_decoded_by_orjson(monkeypatch):
    monkeypatch.setattr(http.json, "loads", lambda *a, **k: pytest.fail("fell back to the standard library"))
    assert _parse_json(b'{"data":[{"id":"120213956209327352","spend":"5.32","clicks":15}]}') == {
        "data": [{"id": "120213956209327352", "spend": "5.32", "clicks": 15}]}
