"""YouTubeClient against a loopback server speaking the Data v3 and Analytics v2 contracts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from werkzeug import Request, Response

from connectors.http import (
    ApiError,
    AuthError,
    PaginationLoopError,
    PayloadError,
    QuotaExceededError,
)
from connectors.records import DailyRecord
from connectors.youtube import (
    CHANNELS_PATH,
    DAILY_METRICS,
    PLAYLIST_ITEMS_PATH,
    REPORTS_PATH,
    VIDEOS_PATH,
    YouTubeClient,
    parse_iso8601_duration,
)

CHANNEL = "UCabcdefghijklmnopqrstuv"  # pragma: allowlist secret
UPLOADS = "UUabcdefghijklmnopqrstuv"  # pragma: allowlist secret


def vid(n: int) -> str:
    return f"vid{n:08d}"


def video_item(video_id: str) -> dict:
    return {"kind": "youtube#video", "id": video_id,
            "snippet": {"publishedAt": "2025-06-01T10:00:00Z", "title": f"short {video_id}"},
            "contentDetails": {"duration": "PT45S"},
            "statistics": {"viewCount": "1234", "likeCount": "56", "favoriteCount": "0",
                           "commentCount": "7"}}


def google_error(status: int, reason: str, message: str = "error", domain: str = "global") -> dict:
    return {"error": {"code": status, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}]}}


@pytest.fixture
def client(httpserver, token, client_options) -> YouTubeClient:
    base = httpserver.url_for("/").rstrip("/")
    return YouTubeClient(data_base_url=base, analytics_base_url=base, token=token,
                         analytics_page_size=3, **client_options)


def serve_channel(httpserver) -> None:
    httpserver.expect_request(CHANNELS_PATH).respond_with_json(
        {"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 1},
         "items": [{"id": CHANNEL, "contentDetails": {"relatedPlaylists": {"uploads": UPLOADS}}}]})


def serve_uploads(httpserver, total: int) -> None:
    ids = [vid(n) for n in range(total)]

    def playlist(request: Request) -> Response:
        start = int(request.args.get("pageToken", "0").removeprefix("tok") or 0)
        size = int(request.args["maxResults"])
        items = [{"contentDetails": {"videoId": v, "videoPublishedAt": "2025-06-01T10:00:00Z"},
                  "snippet": {"resourceId": {"kind": "youtube#video", "videoId": v}}}
                 for v in ids[start:start + size]]
        body = {"items": items, "pageInfo": {"totalResults": total, "resultsPerPage": size}}
        if start + size < total:
            body["nextPageToken"] = f"tok{start + size}"
        return Response(json.dumps(body), content_type="application/json")

    def videos(request: Request) -> Response:
        wanted = request.args["id"].split(",")
        return Response(json.dumps({"items": [video_item(v) for v in wanted]}),
                        content_type="application/json")

    httpserver.expect_request(PLAYLIST_ITEMS_PATH).respond_with_handler(playlist)
    httpserver.expect_request(VIDEOS_PATH).respond_with_handler(videos)


def test_iter_videos_pages_uploads_to_the_end(httpserver, client, token):
    serve_channel(httpserver)
    serve_uploads(httpserver, 70)

    records = list(client.iter_videos(CHANNEL))

    assert [r.object_id for r in records] == [vid(n) for n in range(70)]
    assert records[0].platform == "youtube" and records[0].account_id == CHANNEL
    assert records[0].payload == video_item(vid(0))  # statistics stay strings, as received
    log = [req for req, _ in httpserver.log]
    assert [r.path for r in log] == [CHANNELS_PATH, PLAYLIST_ITEMS_PATH, VIDEOS_PATH,
                                     PLAYLIST_ITEMS_PATH, VIDEOS_PATH]
    assert log[0].args["part"] == "contentDetails" and log[0].args["id"] == CHANNEL
    assert log[1].args["playlistId"] == UPLOADS and log[1].args["maxResults"] == "50"
    assert "pageToken" not in log[1].args and log[3].args["pageToken"] == "tok50"
    assert len(log[2].args["id"].split(",")) == 50 and len(log[4].args["id"].split(",")) == 20
    assert log[2].args["part"] == "snippet,contentDetails,statistics"
    assert "maxResults" not in log[2].args  # not allowed together with id
    assert all(r.headers["Authorization"] == f"Bearer {token}" for r in log)


def test_unknown_channel_is_a_clear_error(httpserver, client):
    httpserver.expect_request(CHANNELS_PATH).respond_with_json({"items": []})
    with pytest.raises(ApiError, match="channel not found") as info:
        list(client.iter_videos(CHANNEL))
    assert CHANNEL in str(info.value)


def test_repeated_page_token_is_a_pagination_loop(httpserver, client):
    serve_channel(httpserver)
    httpserver.expect_request(PLAYLIST_ITEMS_PATH).respond_with_json(
        {"items": [], "nextPageToken": "SAME"})
    with pytest.raises(PaginationLoopError):
        list(client.iter_videos(CHANNEL))
    assert len(httpserver.log) == 3  # channels + 2 playlist pages


def analytics_handler(days_by_video: dict[str, int], start: date):
    """reports.query: dimensions=day, one video filter, startIndex/maxResults paging."""

    def handler(request: Request) -> Response:
        video_id = request.args["filters"].removeprefix("video==")
        first = int(request.args["startIndex"])
        size = int(request.args["maxResults"])
        all_rows = [[(start + timedelta(days=i)).isoformat(), 100 + i, 80 + i, 12.5, 31, 2, 1, 0, 1]
                    for i in range(days_by_video.get(video_id, 0))]
        rows = all_rows[first - 1:first - 1 + size]
        headers = [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}] + [
            {"name": m, "columnType": "METRIC", "dataType": "INTEGER"}
            for m in DAILY_METRICS.split(",")]
        body = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
        if rows:
            body["rows"] = rows
        return Response(json.dumps(body), content_type="application/json")

    return handler


def test_iter_video_days_pages_with_start_index(httpserver, client):
    start = date(2025, 6, 1)
    httpserver.expect_request(REPORTS_PATH).respond_with_handler(
        analytics_handler({vid(1): 7, vid(2): 3}, start))

    records = list(client.iter_video_days(CHANNEL, [vid(1), vid(2)], start, date(2025, 6, 9)))

    assert [(r.object_id, r.metric_date) for r in records] == (
        [(vid(1), start + timedelta(days=i)) for i in range(7)]
        + [(vid(2), start + timedelta(days=i)) for i in range(3)])
    assert records[0] == DailyRecord("youtube", CHANNEL, vid(1), start, {
        "day": "2025-06-01", "views": 100, "engagedViews": 80, "estimatedMinutesWatched": 12.5,
        "averageViewDuration": 31, "likes": 2, "comments": 1, "shares": 0,
        "subscribersGained": 1})
    log = [req for req, _ in httpserver.log]
    v1 = [r for r in log if r.args["filters"] == f"video=={vid(1)}"]
    assert [r.args["startIndex"] for r in v1] == ["1", "4", "7"]  # 3 + 3 + 1 rows
    v2 = [r for r in log if r.args["filters"] == f"video=={vid(2)}"]
    assert [r.args["startIndex"] for r in v2] == ["1", "4"]  # a full page, then an empty one
    first = log[0].args
    assert first["ids"] == f"channel=={CHANNEL}" and first["dimensions"] == "day"
    assert first["startDate"] == "2025-06-01" and first["endDate"] == "2025-06-09"
    assert first["metrics"] == DAILY_METRICS


def test_analytics_without_rows_means_no_data(httpserver, client):
    httpserver.expect_request(REPORTS_PATH).respond_with_json(
        {"kind": "youtubeAnalytics#resultTable",
         "columnHeaders": [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}]})
    assert list(client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1),
                                       date(2025, 6, 3))) == []
    assert len(httpserver.log) == 1


def test_analytics_numbers_as_strings_are_kept(httpserver, client):
    httpserver.expect_request(REPORTS_PATH).respond_with_json(
        {"columnHeaders": [{"name": "day"}, {"name": "views"}], "rows": [["2025-06-01", "42"]]})
    (record,) = client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1), date(2025, 6, 1))
    assert record.payload == {"day": "2025-06-01", "views": "42"}


def test_server_ignoring_start_index_is_a_pagination_loop(httpserver, client):
    httpserver.expect_request(REPORTS_PATH).respond_with_json(
        {"columnHeaders": [{"name": "day"}, {"name": "views"}],
         "rows": [["2025-06-01", 1], ["2025-06-02", 2], ["2025-06-03", 3]]})
    with pytest.raises(PaginationLoopError):
        list(client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1), date(2025, 6, 30)))
    assert len(httpserver.log) == 2


def test_row_not_matching_headers_is_a_payload_error(httpserver, client):
    httpserver.expect_request(REPORTS_PATH).respond_with_json(
        {"columnHeaders": [{"name": "day"}, {"name": "views"}], "rows": [["2025-06-01"]]})
    with pytest.raises(PayloadError, match="columnHeaders"):
        list(client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1), date(2025, 6, 1)))


@pytest.mark.parametrize("reason", ["quotaExceeded", "dailyLimitExceeded"])
def test_quota_exceeded_is_not_retried(httpserver, client, sleep, reason):
    serve_channel(httpserver)
    httpserver.expect_request(PLAYLIST_ITEMS_PATH).respond_with_json(
        google_error(403, reason, "The request cannot be completed because you have exceeded "
                                  "your quota.", "youtube.quota"), status=403)

    with pytest.raises(QuotaExceededError) as info:
        list(client.iter_videos(CHANNEL))

    assert len(httpserver.log) == 2 and sleep.calls == []
    message = str(info.value)
    assert "youtube" in message and CHANNEL in message and PLAYLIST_ITEMS_PATH in message
    assert "quota" in message and reason in message


@pytest.mark.parametrize("message", [
    "Quota exceeded for quota metric 'FreeQuotaRequestsPerDayPerProject'",
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service",
])
def test_daily_limit_429_is_not_retried(httpserver, client, sleep, message):
    httpserver.expect_request(REPORTS_PATH).respond_with_json(
        google_error(429, "rateLimitExceeded", message), status=429)
    with pytest.raises(QuotaExceededError):
        list(client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1), date(2025, 6, 1)))
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("status, reason", [(429, "rateLimitExceeded"),
                                            (403, "rateLimitExceeded"),
                                            (403, "userRateLimitExceeded")])
def test_rate_limits_are_retried(httpserver, client, sleep, status, reason):
    httpserver.expect_oneshot_request(REPORTS_PATH).respond_with_json(
        google_error(status, reason), status=status, headers={"Retry-After": "3"})
    httpserver.expect_request(REPORTS_PATH).respond_with_json({"columnHeaders": []})

    assert list(client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1),
                                       date(2025, 6, 1))) == []
    assert len(httpserver.log) == 2 and sleep.calls == [3.0]


def test_503_is_retried(httpserver, client, sleep):
    httpserver.expect_oneshot_request(CHANNELS_PATH).respond_with_data("Service Unavailable",
                                                                       status=503)
    serve_channel(httpserver)
    httpserver.expect_request(PLAYLIST_ITEMS_PATH).respond_with_json({"items": []})
    assert list(client.iter_videos(CHANNEL)) == []
    assert len(sleep.calls) == 1


def test_expired_token_fails_once_clearly_and_never_leaks(httpserver, client, token, sleep, logs,
                                                         assert_no_token):
    httpserver.expect_request(CHANNELS_PATH).respond_with_json(
        google_error(401, "authError", f"Invalid Credentials: Bearer {token}"), status=401)

    with pytest.raises(AuthError) as info:
        list(client.iter_videos(CHANNEL))

    err = info.value
    assert len(httpserver.log) == 1 and sleep.calls == []
    assert err.platform == "youtube" and err.account == CHANNEL
    assert "youtube" in str(err) and CHANNEL in str(err) and CHANNELS_PATH in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert_no_token(str(err), repr(err), logs.text)


def test_forbidden_is_an_auth_error(httpserver, client, sleep):
    httpserver.expect_request(REPORTS_PATH).respond_with_json(
        google_error(403, "forbidden", "Forbidden"), status=403)
    with pytest.raises(AuthError):
        list(client.iter_video_days(CHANNEL, [vid(1)], date(2025, 6, 1), date(2025, 6, 1)))
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("text, seconds", [("PT1M30S", 90), ("PT45S", 45), ("PT3M", 180),
                                           ("PT1H2M3S", 3723), ("P1DT1S", 86401), ("P0D", 0),
                                           ("PT0S", 0), ("PT1.5S", 1.5), ("P1W", 604800)])
def test_parse_iso8601_duration(text, seconds):
    assert parse_iso8601_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "1M30S", "PT1M30", "P1Y", "P1M", "PT-5S", None])
def test_parse_iso8601_duration_rejects_garbage(text):
    with pytest.raises(PayloadError, match="duration"):
        parse_iso8601_duration(text)
