"""TikTokClient's Marketing API methods against a loopback server speaking the v1.3 contract.

advertiser/info, ad/get and report/integrated/get: page/page_size paging with data.page_info,
30-day report windows, numeric strings, body-code errors (docs/DESIGN.md "Paid media").
"""

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
    RateLimitedError,
    date_windows,
)
from connectors.records import DailyRecord, LifetimeRecord
from connectors.tiktok import (
    AD_DAY_METRICS,
    AD_GET_PATH,
    ADS_PAGE_SIZE,
    ADVERTISER_INFO_PATH,
    REPORT_PATH,
    TikTokClient,
)

ADV = "7000000000000000001"
REQUIRED_METRICS = {
    "spend", "impressions", "clicks", "reach", "video_play_actions", "video_watched_2s",
    "video_watched_6s", "video_views_p25", "video_views_p50", "video_views_p75",
    "video_views_p100", "likes", "comments", "shares", "follows",
}


def ok(data: dict, code: int = 0) -> dict:
    return {"code": code, "message": "OK", "request_id": "req-1", "data": data}


def page_info(page: int, page_size: int, total: int, as_strings: bool = False) -> dict:
    total_page = -(-total // page_size)
    info = {"page": page, "page_size": page_size, "total_number": total, "total_page": total_page}
    return {k: str(v) for k, v in info.items()} if as_strings else info


def ad(n: int) -> dict:
    return {"ad_id": f"17{n:017d}", "ad_name": f"ad {n}", "advertiser_id": ADV,
            "campaign_id": "1700000000000000001", "adgroup_id": "1700000000000000002",
            "operation_status": "ENABLE", "tiktok_item_id": f"7{n:018d}" if n % 2 else ""}


def report_row(ad_id: str, day: date, n: int = 1) -> dict:
    return {"dimensions": {"ad_id": ad_id, "stat_time_day": f"{day.isoformat()} 00:00:00"},
            "metrics": {"spend": f"{n * 1.25:.2f}", "impressions": str(1000 * n),
                        "clicks": str(n), "reach": str(800 * n), "video_play_actions": str(600),
                        "video_watched_2s": "300", "video_watched_6s": "120",
                        "video_views_p25": "90", "video_views_p50": 60, "video_views_p75": 40,
                        "video_views_p100": "20", "likes": "7", "comments": "1", "shares": "0",
                        "follows": "2"}}


@pytest.fixture
def client(httpserver, token, client_options) -> TikTokClient:
    return TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, **client_options)


def small_pages_client(httpserver, token, client_options, page_size: int, **extra) -> TikTokClient:
    return TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        ads_page_size=page_size, **extra, **client_options)


def paged(items: list[dict], as_strings: bool = False):
    """A handler serving `items` by page/page_size with data.page_info, like ad/get."""

    def handler(request: Request) -> Response:
        page, size = int(request.args["page"]), int(request.args["page_size"])
        body = ok({"list": items[(page - 1) * size: page * size],
                   "page_info": page_info(page, size, len(items), as_strings)})
        return Response(json.dumps(body), content_type="application/json")

    return handler


def report_server(ads: list[str], requested: list[tuple[str, str, str]]):
    """A report/integrated/get handler: one row per ad per day of the requested window."""

    def handler(request: Request) -> Response:
        start = date.fromisoformat(request.args["start_date"])
        end = date.fromisoformat(request.args["end_date"])
        page, size = int(request.args["page"]), int(request.args["page_size"])
        requested.append((request.args["start_date"], request.args["end_date"],
                          request.args["page"]))
        rows = [report_row(a, start + timedelta(days=d), d + 1)
                for d in range((end - start).days + 1) for a in ads]
        body = ok({"list": rows[(page - 1) * size: page * size],
                   "page_info": page_info(page, size, len(rows))})
        return Response(json.dumps(body), content_type="application/json")

    return handler


# -- advertiser/info


def test_get_advertiser(httpserver, client, token):
    item = {"advertiser_id": int(ADV), "name": "Acme EU", "currency": "EUR",
            "timezone": "Europe/Berlin", "display_timezone": "Europe/Berlin", "status": "STATUS_ENABLE"}
    other = {**item, "advertiser_id": "7000000000000000002", "currency": "USD"}
    httpserver.expect_request(ADVERTISER_INFO_PATH, method="GET").respond_with_json(
        ok({"list": [other, item]}))

    record = client.get_advertiser(ADV)

    assert record == LifetimeRecord("tiktok_ads", ADV, ADV, item)
    assert record.payload["advertiser_id"] == int(ADV)  # payload kept as received
    (request, _), = httpserver.log
    assert request.headers["Access-Token"] == token and "Authorization" not in request.headers
    assert json.loads(request.args["advertiser_ids"]) == [ADV]
    assert {"currency", "timezone", "name"} <= set(json.loads(request.args["fields"]))


def test_get_advertiser_missing_from_the_answer_is_a_payload_error(httpserver, client):
    httpserver.expect_request(ADVERTISER_INFO_PATH).respond_with_json(
        ok({"list": [{"advertiser_id": "123", "currency": "USD"}]}))
    with pytest.raises(PayloadError) as info:
        client.get_advertiser(ADV)
    assert ADV in str(info.value) and "tiktok_ads" in str(info.value)


def test_get_advertiser_without_permission_is_fatal(httpserver, client, sleep):
    httpserver.expect_request(ADVERTISER_INFO_PATH).respond_with_json(
        {"code": 40001, "message": "No permission to operate advertiser", "data": {}})
    with pytest.raises(ApiError) as info:
        client.get_advertiser(ADV)
    assert info.value.code == 40001 and info.value.platform == "tiktok_ads"
    assert ADV in str(info.value) and ADVERTISER_INFO_PATH in str(info.value)
    assert len(httpserver.log) == 1 and sleep.calls == []


# -- ad/get


@pytest.mark.parametrize("as_strings", [False, True])
def test_iter_ads_pages_to_the_last_page(httpserver, client, token, as_strings):
    ads = [ad(n) for n in range(2345)]
    httpserver.expect_request(AD_GET_PATH, method="GET").respond_with_handler(
        paged(ads, as_strings))

    records = list(client.iter_ads(ADV))

    assert len(records) == 2345 and len({r.object_id for r in records}) == 2345
    assert records[1] == LifetimeRecord("tiktok_ads", ADV, ad(1)["ad_id"], ad(1))
    assert records[1].payload["tiktok_item_id"] == ad(1)["tiktok_item_id"]  # Spark Ad link
    requests_ = [req for req, _ in httpserver.log]
    assert [r.args["page"] for r in requests_] == ["1", "2", "3"]
    for r in requests_:
        assert r.args["page_size"] == str(ADS_PAGE_SIZE) == "1000"
        assert r.args["advertiser_id"] == ADV and r.headers["Access-Token"] == token


def test_iter_ads_empty_advertiser(httpserver, client):
    httpserver.expect_request(AD_GET_PATH).respond_with_json(
        ok({"list": [], "page_info": {"page": 1, "page_size": 1000, "total_number": 0,
                                      "total_page": 0}}))
    assert list(client.iter_ads(ADV)) == []
    assert len(httpserver.log) == 1


def test_iter_ads_skips_rows_repeated_across_pages(httpserver, token, client_options):
    ads = [ad(0), ad(1), ad(1), ad(2)]  # an ad shifted onto the next page
    httpserver.expect_request(AD_GET_PATH).respond_with_handler(paged(ads))
    client = small_pages_client(httpserver, token, client_options, 2)
    assert [r.object_id for r in client.iter_ads(ADV)] == [ad(n)["ad_id"] for n in range(3)]


def test_iter_ads_with_garbage_total_page_is_a_payload_error(httpserver, client):
    httpserver.expect_request(AD_GET_PATH).respond_with_json(
        ok({"list": [ad(1)], "page_info": {"page": 1, "total_page": "many"}}))
    with pytest.raises(PayloadError, match="total_page"):
        list(client.iter_ads(ADV))


def test_iter_ads_empty_page_before_the_last_is_a_payload_error(httpserver, client):
    httpserver.expect_request(AD_GET_PATH).respond_with_json(
        ok({"list": [], "page_info": {"page": 1, "page_size": 1000, "total_page": 3}}))
    with pytest.raises(PayloadError, match="page 1 of 3 is empty"):
        list(client.iter_ads(ADV))


def test_iter_ads_without_ad_id_is_a_payload_error(httpserver, client):
    httpserver.expect_request(AD_GET_PATH).respond_with_json(
        ok({"list": [{"ad_name": "x"}], "page_info": page_info(1, 1000, 1)}))
    with pytest.raises(PayloadError, match="ad_id"):
        list(client.iter_ads(ADV))


def test_iter_ads_endless_pages_stop_at_max_pages(httpserver, token, client_options):
    def handler(request: Request) -> Response:
        page = int(request.args["page"])
        body = ok({"list": [ad(page)], "page_info": {"page": page, "total_page": 10**6}})
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(AD_GET_PATH).respond_with_handler(handler)
    client = TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, max_pages=4,
                          **client_options)
    with pytest.raises(PaginationLoopError, match="more than 4 pages"):
        list(client.iter_ads(ADV))
    assert len(httpserver.log) == 4


# -- report/integrated/get


def test_iter_ad_days_splits_into_30_day_windows_and_pages_each(httpserver, token,
                                                               client_options):
    ads = [ad(n)["ad_id"] for n in range(3)]
    requested: list[tuple[str, str, str]] = []
    httpserver.expect_request(REPORT_PATH, method="GET").respond_with_handler(
        report_server(ads, requested))
    client = small_pages_client(httpserver, token, client_options, 40)
    start, end = date(2025, 1, 1), date(2025, 3, 15)  # 74 days

    records = list(client.iter_ad_days(ADV, start, end))

    # 30 + 30 + 14 days; 90, 90 and 42 rows at 40 a page
    assert requested == [
        ("2025-01-01", "2025-01-30", "1"), ("2025-01-01", "2025-01-30", "2"),
        ("2025-01-01", "2025-01-30", "3"),
        ("2025-01-31", "2025-03-01", "1"), ("2025-01-31", "2025-03-01", "2"),
        ("2025-01-31", "2025-03-01", "3"),
        ("2025-03-02", "2025-03-15", "1"), ("2025-03-02", "2025-03-15", "2"),
    ]
    assert len(records) == 74 * 3
    assert {(r.object_id, r.metric_date) for r in records} == {
        (a, start + timedelta(days=d)) for d in range(74) for a in ads}
    first = records[0]
    assert first == DailyRecord("tiktok_ads", ADV, ads[0], start, report_row(ads[0], start, 1))
    assert first.payload["metrics"]["spend"] == "1.25"  # numeric strings kept as received
    assert first.payload["metrics"]["video_views_p50"] == 60  # and numbers too
    assert first.payload["dimensions"]["stat_time_day"] == "2025-01-01 00:00:00"
    for request, _ in httpserver.log:
        args = request.args
        assert request.headers["Access-Token"] == token
        assert args["advertiser_id"] == ADV
        assert (args["service_type"], args["report_type"], args["data_level"]) == (
            "AUCTION", "BASIC", "AUCTION_AD")
        assert json.loads(args["dimensions"]) == ["ad_id", "stat_time_day"]
        assert REQUIRED_METRICS <= set(json.loads(args["metrics"]))
        assert args["page_size"] == "40"


def test_iter_ad_days_default_page_size_and_exact_30_days_is_one_window(httpserver, client):
    requested: list[tuple[str, str, str]] = []
    httpserver.expect_request(REPORT_PATH).respond_with_handler(
        report_server([ad(1)["ad_id"]], requested))

    records = list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 30)))

    assert len(records) == 30 and requested == [("2025-06-01", "2025-06-30", "1")]
    (request, _), = httpserver.log
    assert request.args["page_size"] == "1000"
    assert json.loads(request.args["metrics"]) == list(AD_DAY_METRICS)


def test_iter_ad_days_single_day(httpserver, client):
    requested: list[tuple[str, str, str]] = []
    httpserver.expect_request(REPORT_PATH).respond_with_handler(
        report_server([ad(1)["ad_id"], ad(2)["ad_id"]], requested))
    day = date(2025, 6, 7)
    records = list(client.iter_ad_days(ADV, day, day))
    assert [r.metric_date for r in records] == [day, day]
    assert requested == [("2025-06-07", "2025-06-07", "1")]


def test_iter_ad_days_empty_report(httpserver, client):
    httpserver.expect_request(REPORT_PATH).respond_with_json(
        ok({"list": [], "page_info": {"page": 1, "page_size": 1000, "total_number": 0,
                                      "total_page": 0}}))
    assert list(client.iter_ad_days(ADV, date(2025, 1, 1), date(2025, 2, 9))) == []
    assert [req.args["start_date"] for req, _ in httpserver.log] == ["2025-01-01", "2025-01-31"]


def test_rate_limit_on_a_report_page_retries_that_page(httpserver, token, client_options, sleep):
    rows = [report_row(ad(n)["ad_id"], date(2025, 6, 1)) for n in range(3)]
    served: list[str] = []
    state = {"throttled": False}

    def handler(request: Request) -> Response:
        page = int(request.args["page"])
        served.append(request.args["page"])
        if page == 2 and not state["throttled"]:
            state["throttled"] = True
            body = {"code": 40100, "message": "Request too frequent", "data": {}}
        else:
            body = ok({"list": rows[(page - 1) * 2: page * 2], "page_info": page_info(page, 2, 3)})
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(REPORT_PATH).respond_with_handler(handler)
    client = small_pages_client(httpserver, token, client_options, 2)

    records = list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 1)))

    assert len(records) == 3 and served == ["1", "2", "2"] and len(sleep.calls) == 1


def test_persistent_rate_limit_on_reports_fails_clearly(httpserver, token, client_options):
    httpserver.expect_request(REPORT_PATH).respond_with_json(
        {"code": 40100, "message": "Request too frequent", "data": {}})
    client = TikTokClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                          max_attempts=2, **client_options)
    with pytest.raises(RateLimitedError, match="40100") as info:
        list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 2)))
    assert info.value.platform == "tiktok_ads" and ADV in str(info.value)
    assert len(httpserver.log) == 2


@pytest.mark.parametrize("code", [40102, 40105])
def test_expired_token_on_reports_fails_once_and_never_leaks(httpserver, client, token, sleep,
                                                             logs, assert_no_token, code):
    httpserver.expect_request(REPORT_PATH).respond_with_json(
        {"code": code, "message": f"Access token {token} has expired", "data": {}})

    with pytest.raises(AuthError) as info:
        list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 2)))

    err = info.value
    assert len(httpserver.log) == 1 and sleep.calls == []
    assert err.platform == "tiktok_ads" and err.account == ADV and err.code == code
    assert "tiktok_ads" in str(err) and ADV in str(err) and REPORT_PATH in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert_no_token(str(err), repr(err), logs.text, repr(client))
    for request, _ in httpserver.log:
        assert_no_token(request.url)


def test_report_row_outside_the_window_is_a_payload_error(httpserver, client):
    httpserver.expect_request(REPORT_PATH).respond_with_json(
        ok({"list": [report_row(ad(1)["ad_id"], date(2025, 5, 31))],
            "page_info": page_info(1, 1000, 1)}))
    with pytest.raises(PayloadError, match="stat_time_day") as info:
        list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 2)))
    assert ad(1)["ad_id"] in str(info.value) and ADV in str(info.value)


@pytest.mark.parametrize("dimensions, field", [
    ({"stat_time_day": "2025-06-01 00:00:00"}, "ad_id"),
    ({"ad_id": "1", "stat_time_day": "June 1st"}, "stat_time_day"),
    ({"ad_id": "1"}, "stat_time_day"),
])
def test_report_row_with_bad_dimensions_is_a_payload_error(httpserver, client, dimensions, field):
    httpserver.expect_request(REPORT_PATH).respond_with_json(
        ok({"list": [{"dimensions": dimensions, "metrics": {"spend": "1.00"}}],
            "page_info": page_info(1, 1000, 1)}))
    with pytest.raises(PayloadError, match=field):
        list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 1)))


def test_report_row_without_metrics_is_a_payload_error(httpserver, client):
    httpserver.expect_request(REPORT_PATH).respond_with_json(
        ok({"list": [{"dimensions": {"ad_id": "1", "stat_time_day": "2025-06-01 00:00:00"}}],
            "page_info": page_info(1, 1000, 1)}))
    with pytest.raises(PayloadError, match="metrics"):
        list(client.iter_ad_days(ADV, date(2025, 6, 1), date(2025, 6, 1)))


def test_iter_ad_days_rejects_bad_arguments(client, httpserver, token):
    with pytest.raises(ValueError):
        list(client.iter_ad_days(ADV, date(2025, 6, 2), date(2025, 6, 1)))
    with pytest.raises(ValueError):
        TikTokClient(base_url="http://127.0.0.1:1", token=token, ads_page_size=1001)
    with pytest.raises(ValueError):
        TikTokClient(base_url="http://127.0.0.1:1", token=token, report_window_days=31)
    assert len(httpserver.log) == 0


def test_date_windows():
    assert date_windows(date(2025, 1, 1), date(2025, 1, 1), 30) == [
        (date(2025, 1, 1), date(2025, 1, 1))]
    assert date_windows(date(2025, 1, 1), date(2025, 1, 31), 30) == [
        (date(2025, 1, 1), date(2025, 1, 30)), (date(2025, 1, 31), date(2025, 1, 31))]
    windows = date_windows(date(2024, 1, 1), date(2024, 12, 31), 30)
    assert len(windows) == 13 and windows[0][0] == date(2024, 1, 1)
    assert windows[-1][1] == date(2024, 12, 31)
    assert all((b - a).days < 30 for a, b in windows)
    assert all(nxt[0] - prev[1] == timedelta(days=1)
               for prev, nxt in zip(windows, windows[1:], strict=False))
    with pytest.raises(ValueError):
        date_windows(date(2025, 1, 2), date(2025, 1, 1), 30)
