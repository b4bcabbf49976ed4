"""TikTokClient against a loopback server speaking the API for Business v1.3 contract."""

from __future__ import annotations

import json
from datetime import date

import pytest
from werkzeug import Request, Response

from connectors.http import ApiError, AuthError, PaginationLoopError, PayloadError, RateLimitedError
from connectors.records import DailyRecord, LifetimeRecord
from connectors.tiktok import BUSINESS_GET_PATH, VIDEO_LIST_PATH, TikTokClient

BIZ = "biz-open-id-1"


def ok(data: dict, code: int = 0) -> dict:
    return {"code": code, "message": "OK", "request_id": "req-1", "data": data}


def video(n: int) -> dict:
    return {"item_id": f"7{n:018d}", "create_time": str(1748736000 + n),
            "video_views": str(100 + n), "likes": n, "average_time_watched": "3.25",
            "caption": f"clip {n}"}


@pytest.fixture
def client(httpserver, token, client_options) -> TikTokClient:
    return TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, **client_options)


def paged_videos(total: int, page_size: int = 20):
    """A handler serving `total` videos newest first by ms cursor, like business/video/list/."""
    videos = [video(n) for n in range(total)]

    def handler(request: Request) -> Response:
        cursor = int(request.args.get("cursor", 0))  # here: offset encoded as the cursor
        size = min(int(request.args["max_count"]), page_size)
        page = videos[cursor:cursor + size]
        more = cursor + size < total
        body = ok({"videos": page, "cursor": str(cursor + size) if more else "0",
                   "has_more": "true" if more else False})
        return Response(json.dumps(body), content_type="application/json")

    return handler


def test_iter_videos_pages_to_the_end(httpserver, client, token):
    httpserver.expect_request(VIDEO_LIST_PATH, method="GET").respond_with_handler(paged_videos(45))

    records = list(client.iter_videos(BIZ))

    assert len(records) == 45 and len({r.object_id for r in records}) == 45
    first = records[0]
    assert first == LifetimeRecord("tiktok", BIZ, video(0)["item_id"], video(0))
    assert first.payload["video_views"] == "100"  # payload kept as received
    requests_ = [req for req, _ in httpserver.log]
    assert len(requests_) == 3
    assert [r.args.get("cursor") for r in requests_] == [None, "20", "40"]
    for r in requests_:
        assert r.headers["Access-Token"] == token
        assert "Authorization" not in r.headers
        assert r.args["business_id"] == BIZ and r.args["max_count"] == "20"
        fields = json.loads(r.args["fields"])  # a JSON array string
        assert "item_id" in fields and "video_views" in fields


def test_iter_videos_empty_account(httpserver, client):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        ok({"videos": [], "cursor": 0, "has_more": False}))
    assert list(client.iter_videos(BIZ)) == []


@pytest.mark.parametrize("code", [40100, 40132, 61000])
def test_rate_limit_inside_http_200_is_retried(httpserver, client, sleep, code):
    httpserver.expect_oneshot_request(VIDEO_LIST_PATH).respond_with_json(
        {"code": code, "message": "Request too frequent", "data": {}}, status=200)
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        ok({"videos": [video(1)], "cursor": 0, "has_more": False}))

    records = list(client.iter_videos(BIZ))

    assert [r.object_id for r in records] == [video(1)["item_id"]]
    assert len(httpserver.log) == 2 and len(sleep.calls) == 1


@pytest.mark.parametrize("code", [50000, 50002, 60001])
def test_system_errors_inside_http_200_are_retried(httpserver, client, sleep, code):
    httpserver.expect_oneshot_request(BUSINESS_GET_PATH).respond_with_json(
        {"code": code, "message": "System error.", "data": {}})
    httpserver.expect_request(BUSINESS_GET_PATH).respond_with_json(ok({"metrics": []}))

    assert list(client.iter_account_days(BIZ, date(2025, 6, 1), date(2025, 6, 2))) == []
    assert len(httpserver.log) == 2


def test_persistent_rate_limit_gives_a_clear_error(httpserver, token, client_options, sleep):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        {"code": 40100, "message": "Request too frequent", "data": {}})
    client = TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                          max_attempts=3, **client_options)

    with pytest.raises(RateLimitedError, match="40100") as info:
        list(client.iter_videos(BIZ))
    assert "tiktok" in str(info.value) and BIZ in str(info.value)
    assert len(httpserver.log) == 3


@pytest.mark.parametrize("code", [40105, 40102, 40104, 40103])
def test_bad_token_fails_once_clearly_and_never_leaks(httpserver, client, token, sleep, logs,
                                                     assert_no_token, code):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        {"code": code, "message": f"Access token {token} is invalid", "data": {}})

    with pytest.raises(AuthError) as info:
        list(client.iter_videos(BIZ))

    err = info.value
    assert len(httpserver.log) == 1 and sleep.calls == []
    assert err.platform == "tiktok" and err.account == BIZ and err.code == code
    assert "tiktok" in str(err) and BIZ in str(err) and VIDEO_LIST_PATH in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert_no_token(str(err), repr(err), logs.text, repr(client))


def test_other_codes_are_fatal_with_code_and_message(httpserver, client, sleep):
    httpserver.expect_request(BUSINESS_GET_PATH).respond_with_json(
        {"code": 40001, "message": "No permission to operate business", "data": {}})

    with pytest.raises(ApiError) as info:
        list(client.iter_account_days(BIZ, date(2025, 6, 1), date(2025, 6, 1)))
    assert info.value.code == 40001
    assert "40001" in str(info.value) and "No permission" in str(info.value)
    assert len(httpserver.log) == 1


def test_envelope_without_code_is_fatal(httpserver, client):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json({"data": {"videos": []}})
    with pytest.raises(ApiError, match="envelope"):
        list(client.iter_videos(BIZ))


def test_same_cursor_twice_is_a_pagination_loop(httpserver, client):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        ok({"videos": [video(1)], "cursor": 1717200000000, "has_more": True}))

    with pytest.raises(PaginationLoopError) as info:
        list(client.iter_videos(BIZ))
    assert len(httpserver.log) == 2
    assert "tiktok" in str(info.value) and BIZ in str(info.value)


def test_endless_new_cursors_stop_at_max_pages(httpserver, token, client_options):
    counter = iter(range(10**6))

    def handler(request: Request) -> Response:
        body = ok({"videos": [], "cursor": next(counter), "has_more": True})
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_handler(handler)
    client = TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, max_pages=5,
                          **client_options)
    with pytest.raises(PaginationLoopError, match="more than 5 pages"):
        list(client.iter_videos(BIZ))
    assert len(httpserver.log) == 5


def test_video_without_item_id_is_a_payload_error(httpserver, client):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        ok({"videos": [{"video_views": 3}], "cursor": 0, "has_more": False}))
    with pytest.raises(PayloadError, match="item_id"):
        list(client.iter_videos(BIZ))


def test_has_more_garbage_is_a_payload_error(httpserver, client):
    httpserver.expect_request(VIDEO_LIST_PATH).respond_with_json(
        ok({"videos": [], "cursor": 5, "has_more": "perhaps"}))
    with pytest.raises(PayloadError, match="has_more"):
        list(client.iter_videos(BIZ))


def test_iter_account_days(httpserver, client, token):
    metrics = [
        {"date": "2025-06-01", "video_views": "1200", "likes": 40, "daily_new_followers": "3"},
        {"date": "2025-06-02", "video_views": 900, "likes": "31", "daily_new_followers": 0},
    ]
    httpserver.expect_request(BUSINESS_GET_PATH).respond_with_json(
        ok({"display_name": "Acme", "metrics": metrics}, code=20001))

    records = list(client.iter_account_days(BIZ, date(2025, 6, 1), date(2025, 6, 2)))

    assert records == [
        DailyRecord("tiktok", BIZ, None, date(2025, 6, 1), metrics[0]),
        DailyRecord("tiktok", BIZ, None, date(2025, 6, 2), metrics[1]),
    ]
    (request, _), = httpserver.log
    assert request.headers["Access-Token"] == token
    assert request.args["start_date"] == "2025-06-01" and request.args["end_date"] == "2025-06-02"
    fields = json.loads(request.args["fields"])
    assert {"video_views", "likes", "comments", "shares", "daily_new_followers"} <= set(fields)


def test_account_day_with_bad_date_names_the_field(httpserver, client):
    httpserver.expect_request(BUSINESS_GET_PATH).respond_with_json(
        ok({"metrics": [{"date": "June first", "video_views": 1}]}))
    with pytest.raises(PayloadError, match="date"):
        list(client.iter_account_days(BIZ, date(2025, 6, 1), date(2025, 6, 1)))


def test_start_after_end_is_rejected(client):
    with pytest.raises(ValueError):
        list(client.iter_account_days(BIZ, date(2025, 6, 2), date(2025, 6, 1)))
