"""connectors.http: retries, waits, timeouts, redaction, errors, guards, number coercion."""

from __future__ import annotations

import pickle
import socket
import threading
import time
from datetime import date

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from connectors.http import (
    AuthError,
    BaseClient,
    ConnectorError,
    PageGuard,
    PaginationLoopError,
    PayloadError,
    RateLimitedError,
    Redactor,
    TransientError,
    as_bool,
    as_date,
    as_float,
    as_int,
    backoff_delay,
    redact,
)

PATH = "/api/thing"


class PlainClient(BaseClient):
    platform = "plain"


def make(httpserver: HTTPServer, token: str, client_options: dict, **extra) -> PlainClient:
    return PlainClient(httpserver.url_for("/").rstrip("/"), token, **{**client_options, **extra})


# -- retries


def test_503_twice_then_ok_is_retried_with_growing_backoff(httpserver, token, client_options,
                                                           sleep):
    for _ in range(2):
        httpserver.expect_oneshot_request(PATH).respond_with_json({"error": "busy"}, status=503)
    httpserver.expect_request(PATH).respond_with_json({"ok": True})

    body = make(httpserver, token, client_options).get_json(PATH, account="acc-1")

    assert body == {"ok": True}
    assert len(httpserver.log) == 3
    assert len(sleep.calls) == 2
    assert 0.5 <= sleep.calls[0] <= 1.0 <= sleep.calls[1] <= 2.0  # exponential, jittered


class RawServer:
    """A loopback socket server answering each connection with the next canned raw response."""

    def __init__(self, responses: list[bytes]) -> None:
        self.responses = list(responses)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        for raw in self.responses:
            conn, _ = self.sock.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(raw)
        self.sock.close()


def test_body_shorter_than_content_length_is_retried(token, client_options, sleep, logs):
    full = b'{"data": [1, 2, 3]}'
    server = RawServer([
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n"
        b"Connection: close\r\n\r\n" + full[:9],
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(full)).encode() + b"\r\nConnection: close\r\n\r\n" + full,
    ])
    client = PlainClient(server.url, token, **client_options)

    assert client.get_json(PATH, account="a") == {"data": [1, 2, 3]}
    assert len(sleep.calls) == 1
    assert "connection failed (ChunkedEncodingError" in logs.text


@pytest.mark.parametrize("body", ['{"data": [1, 2', "<html>Bad gateway</html>", ""])
def test_non_json_200_is_retried(httpserver, token, client_options, body):
    httpserver.expect_oneshot_request(PATH).respond_with_data(body, status=200)
    httpserver.expect_request(PATH).respond_with_json({"data": []})

    assert make(httpserver, token, client_options).get_json(PATH, account="a") == {"data": []}
    assert len(httpserver.log) == 2


def test_gives_up_after_max_attempts(httpserver, token, client_options, sleep):
    httpserver.expect_request(PATH).respond_with_json({}, status=502)

    with pytest.raises(TransientError) as info:
        make(httpserver, token, client_options, max_attempts=3).get_json(PATH, account="acc-9")

    assert len(httpserver.log) == 3 and len(sleep.calls) == 2
    message = str(info.value)
    assert "plain" in message and "acc-9" in message and PATH in message
    assert "gave up after 3 attempts" in message


def test_total_wait_budget_stops_retrying(httpserver, token, client_options, sleep):
    httpserver.expect_request(PATH).respond_with_json({}, status=503)

    with pytest.raises(TransientError, match="budget"):
        make(httpserver, token, client_options, max_attempts=10, max_total_wait=2.5).get_json(
            PATH, account="a")

    assert sleep.total <= 2.5
    assert len(httpserver.log) < 10


def test_retry_after_is_honoured(httpserver, token, client_options, sleep):
    httpserver.expect_oneshot_request(PATH).respond_with_json(
        {}, status=429, headers={"Retry-After": "7"})
    httpserver.expect_request(PATH).respond_with_json({"ok": 1})

    assert make(httpserver, token, client_options).get_json(PATH, account="a") == {"ok": 1}
    assert sleep.calls == [7.0]


def test_retry_after_above_the_cap_fails_fast(httpserver, token, client_options, sleep):
    httpserver.expect_request(PATH).respond_with_json({}, status=429,
                                                      headers={"Retry-After": "3600"})

    with pytest.raises(RateLimitedError) as info:
        make(httpserver, token, client_options, max_wait=60).get_json(PATH, account="a")

    assert len(httpserver.log) == 1 and sleep.calls == []
    assert info.value.retry_after == 3600
    assert "cap" in str(info.value)


def test_401_is_not_retried(httpserver, token, client_options, sleep):
    httpserver.expect_request(PATH).respond_with_json({"error": "nope"}, status=401)

    with pytest.raises(AuthError):
        make(httpserver, token, client_options).get_json(PATH, account="a")
    assert len(httpserver.log) == 1 and sleep.calls == []


def test_read_timeout_is_retried(token, client_options, sleep):
    calls = []

    def slow_once(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(1.0)
        return Response('{"ok": true}', content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request(PATH).respond_with_handler(slow_once)
    server.start()
    try:
        client = PlainClient(server.url_for("/").rstrip("/"), token,
                             **{**client_options, "read_timeout": 0.3})
        started = time.monotonic()
        assert client.get_json(PATH, account="a") == {"ok": True}
        assert time.monotonic() - started < 1.0  # the retry did not wait for the slow answer
    finally:
        server.clear()
        server.stop()
    assert len(calls) == 2 and len(sleep.calls) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_is_retried_then_reported_without_the_url(token, client_options, logs,
                                                                    assert_no_token):
    client = PlainClient(f"http://127.0.0.1:{free_port()}", token, **client_options,
                         max_attempts=2)

    with pytest.raises(TransientError) as info:
        client.get_json(f"/v1/me?access_token={token}", account="acc-1")

    err = info.value
    assert "connection failed" in str(err)
    assert err.__cause__ is None and err.__context__ is None  # nothing from requests chained
    assert "?" not in str(err)  # path only, never the query string
    assert_no_token(str(err), repr(err), logs.text)


# -- redaction and errors


def test_redactor_removes_known_tokens_and_credential_shapes(token):
    scrub = Redactor([token])
    text = (f"url https://x/v1/me?fields=id&access_token={token}&after=QVF "
            f"headers {{'Authorization': 'Bearer {token}', 'Access-Token': '{token}'}} "
            f"raw {token} quoted {token.replace('-', '%2D')} other access_token=abc123 "
            "Authorization: Bearer ya29.something")
    out = scrub(text)
    assert token not in out and "abc123" not in out and "ya29.something" not in out
    assert "fields=id" in out and "after=QVF" in out  # the rest survives
    assert "access_token=***" in out


def test_shape_only_redaction_without_known_token():
    assert redact("GET /x?access_token=SECRET1&a=1") == "GET /x?access_token=***&a=1"
    assert "SECRET2" not in redact('{"Access-Token": "SECRET2"}')


def test_error_message_names_where_and_is_redacted(token):
    err = AuthError(f"token {token} expired", platform="tiktok", account="biz-1",
                    endpoint=f"/open_api/v1.3/business/get/?access_token={token}",
                    redactor=Redactor([token]))
    assert str(err).startswith("tiktok account biz-1 /open_api/v1.3/business/get/: ")
    assert token not in str(err) and token not in repr(err)
    assert err.endpoint == "/open_api/v1.3/business/get/"


def test_errors_survive_pickling():
    err = RateLimitedError("slow down", platform="meta", account="1", endpoint="/v25.0/1/media",
                           code=17, retry_after=60.0)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is RateLimitedError and str(back) == str(err)
    assert back.code == 17 and back.retry_after == 60.0 and back.account == "1"


def test_client_repr_hides_the_token(token):
    client = PlainClient("https://example.invalid", token)
    assert token not in repr(client)


def test_empty_token_is_rejected():
    with pytest.raises(ValueError, match="no access token"):
        PlainClient("https://example.invalid", "")


# -- helpers


def test_backoff_grows_and_is_capped():
    import random

    rng = random.Random(1)
    delays = [backoff_delay(n, 1.0, 8.0, rng) for n in range(1, 7)]
    assert all(0.5 * min(8, 2 ** (n - 1)) <= d <= min(8, 2 ** (n - 1))
               for n, d in zip(range(1, 7), delays, strict=True))
    assert max(delays) <= 8.0


def test_page_guard_detects_repeats_and_too_many_pages():
    guard = PageGuard(max_pages=3, error_context={"platform": "x", "account": "a",
                                                 "endpoint": "/p"})
    guard.visit(None)
    guard.visit("c1")
    with pytest.raises(PaginationLoopError, match="same cursor"):
        guard.visit("c1")
    guard = PageGuard(max_pages=2, error_context={})
    guard.visit(1)
    guard.visit(2)
    with pytest.raises(PaginationLoopError, match="more than 2 pages"):
        guard.visit(3)


@pytest.mark.parametrize("value, expected", [(12, 12), ("12", 12), (" 7 ", 7), (3.0, 3),
                                             ("4.0", 4), ("1e3", 1000)])
def test_as_int_accepts_numbers_and_numeric_strings(value, expected):
    assert as_int(value, "views") == expected


@pytest.mark.parametrize("value", ["12a", "", None, True, 1.5, "1.5", [1], {"v": 1}])
def test_as_int_rejects_garbage_naming_the_field(value):
    with pytest.raises(PayloadError, match="'video_views'"):
        as_int(value, "video_views", platform="tiktok", account="b1")


def test_as_float_and_bool_and_date():
    assert as_float("0.0395", "rate") == pytest.approx(0.0395)
    assert as_float(3, "rate") == 3.0
    with pytest.raises(PayloadError, match="'rate'"):
        as_float("n/a", "rate")
    assert as_bool("true", "has_more") is True and as_bool(0, "has_more") is False
    with pytest.raises(PayloadError):
        as_bool("maybe", "has_more")
    assert as_date("2025-06-01", "d") == date(2025, 6, 1)
    assert as_date("2025-06-01 00:00:00", "d") == date(2025, 6, 1)
    assert as_date("20250601", "d") == date(2025, 6, 1)
    with pytest.raises(PayloadError, match="'day'"):
        as_date("yesterday", "day")


def test_payload_error_is_a_connector_and_value_error():
    err = PayloadError("field 'x': bad", platform="youtube", account="UC1", endpoint="/v2/reports")
    assert isinstance(err, ConnectorError) and isinstance(err, ValueError)
    assert str(err) == "youtube account UC1 /v2/reports: field 'x': bad"
