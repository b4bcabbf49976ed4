"""MetaClient's Marketing API methods against a loopback server speaking the Graph contract.

Ad account, ads edge and daily per-ad insights by placement: cursor paging with scrubbed
`paging.next`, strings and action arrays kept, date_start == date_stop, rate-limit waits from
X-Business-Use-Case-Usage and X-FB-Ads-Insights-Throttle (docs/DESIGN.md "Paid media").
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from werkzeug import Request, Response

from connectors.http import AuthError, PayloadError, RateLimitedError
from connectors.meta import (
    AD_ACCOUNT_FIELDS,
    AD_FIELDS,
    MetaClient,
    ad_account_key,
)

V = "v25.0"
DIGITS = "1234567890123"
ACT = f"act_{DIGITS}"
ACCOUNT_PATH = f"/{V}/{ACT}"
ADS_PATH = f"/{V}/{ACT}/ads"
INSIGHTS_PATH = f"/{V}/{ACT}/insights"
VIDEO_FIELDS = {"video_play_actions", "video_p25_watched_actions", "video_p50_watched_actions",
                "video_p75_watched_actions", "video_p100_watched_actions",
                "video_thruplay_watched_actions"}
PLACEMENTS = [("instagram", "instagram_reels"), ("facebook", "facebook_reels"),
              ("instagram", "feed")]


def graph_error(code: int, message: str = "boom", subcode: int | None = None) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "A1"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def next_url(path: str, after: str, token: str, extra: str = "") -> str:
    # Real next URLs are absolute, on graph.facebook.com, and carry the access_token.
    return f"https://graph.facebook.com{path}?access_token={token}&limit=2{extra}&after={after}"


def ad(n: int) -> dict:
    return {"id": f"2385000000000{n:04d}", "name": f"ad {n}", "campaign_id": "23850000000000001",
            "adset_id": "23850000000000002", "effective_status": "ACTIVE",
            "creative": {"id": f"2386000000000{n:04d}",
                         "effective_object_story_id": f"100000000000001_{n}",
                         "effective_instagram_media_id": f"1790000000000{n:04d}"}}


def insights_row(ad_id: str, day: date, platform: str, position: str, n: int = 1) -> dict:
    return {"account_id": DIGITS, "account_currency": "GBP", "campaign_id": "23850000000000001",
            "adset_id": "23850000000000002", "ad_id": ad_id, "ad_name": "ad",
            "spend": f"{n * 2.5:.2f}", "impressions": str(400 * n), "reach": str(350 * n),
            "clicks": str(n), "cpm": "6.25", "frequency": "1.142857",
            "video_play_actions": [{"action_type": "video_view", "value": str(200 * n)}],
            "video_thruplay_watched_actions": [{"action_type": "video_view", "value": "40"}],
            "video_p25_watched_actions": [{"action_type": "video_view", "value": "100"}],
            "actions": [{"action_type": "post_engagement", "value": "12", "1d_click": "3"}],
            "publisher_platform": platform, "platform_position": position,
            "date_start": day.isoformat(), "date_stop": day.isoformat()}


@pytest.fixture
def client(httpserver, token, client_options) -> MetaClient:
    return MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token, **client_options)


def cursor_pages(items: list[dict], path: str, token: str, size: int = 2, extra: str = ""):
    """A handler serving `items` in pages of `size`, with Graph cursors and absolute next URLs."""

    def handler(request: Request) -> Response:
        offset = int(request.args.get("after", "0"))
        page = items[offset: offset + size]
        paging: dict = {"cursors": {"before": str(offset), "after": str(offset + len(page))}}
        if offset + size < len(items):
            paging["next"] = next_url(path, str(offset + size), token, extra)
        body = {"data": page, "paging": paging}
        return Response(json.dumps(body), content_type="application/json")

    return handler


def assert_token_only_in_header(httpserver, token: str) -> None:
    for request, _ in httpserver.log:
        assert request.headers["Authorization"] == f"Bearer {token}"
        assert "access_token" not in request.args
        assert token not in request.url


# -- ad account


@pytest.mark.parametrize("given", [ACT, DIGITS, int(DIGITS)])
def test_get_ad_account_with_or_without_prefix(httpserver, client, token, given):
    account = {"account_id": DIGITS, "currency": "GBP", "timezone_name": "Europe/London",
               "timezone_offset_hours_utc": 1, "id": ACT}
    httpserver.expect_request(ACCOUNT_PATH, method="GET").respond_with_json(account)

    record = client.get_ad_account(given)

    assert record.platform == "meta_ads" and record.account_id == ACT and record.object_id == ACT
    assert record.payload == account
    (request, _), = httpserver.log
    assert request.args["fields"] == AD_ACCOUNT_FIELDS == (
        "account_id,currency,timezone_name,timezone_offset_hours_utc")
    assert_token_only_in_header(httpserver, token)


@pytest.mark.parametrize("bad", ["", "act_", "act_12x", "acct_12", "12 34", None])
def test_bad_ad_account_ids_are_rejected_before_any_request(client, httpserver, bad):
    with pytest.raises(ValueError):
        ad_account_key(bad)
    with pytest.raises(ValueError):
        list(client.iter_ads(bad))
    assert len(httpserver.log) == 0


def test_ad_account_key():
    assert ad_account_key("act_42") == ad_account_key("42") == ad_account_key(42) == "act_42"
    assert ad_account_key(" act_42 ") == "act_42"


# -- ads edge


def test_iter_ads_pages_to_the_end_with_a_scrubbed_next_url(httpserver, client, token, logs,
                                                            assert_no_token):
    ads = [ad(n) for n in range(5)]
    httpserver.expect_request(ADS_PATH).respond_with_handler(cursor_pages(ads, ADS_PATH, token))

    records = list(client.iter_ads(DIGITS))

    assert [r.object_id for r in records] == [a["id"] for a in ads]
    assert {r.platform for r in records} == {"meta_ads"}
    assert {r.account_id for r in records} == {ACT}
    assert records[3].payload == ads[3]  # nested creative kept (effective_object_story_id)
    requests_ = [req for req, _ in httpserver.log]
    assert [r.args.get("after") for r in requests_] == [None, "2", "4"]
    assert requests_[0].args["fields"] == AD_FIELDS
    assert "effective_object_story_id" in AD_FIELDS and "effective_instagram_media_id" in AD_FIELDS
    assert_token_only_in_header(httpserver, token)
    assert_no_token(logs.text)


def test_iter_ads_empty_account(httpserver, client):
    httpserver.expect_request(ADS_PATH).respond_with_json({"data": []})
    assert list(client.iter_ads(ACT)) == []


# -- insights


def test_iter_ad_days_pages_and_keys_rows_by_ad_and_placement(httpserver, client, token):
    start, end = date(2025, 6, 1), date(2025, 6, 3)
    rows = [insights_row(ad(n)["id"], start + timedelta(days=d), p, pos, n + 1)
            for d in range(3) for n in range(2) for p, pos in PLACEMENTS]
    httpserver.expect_request(INSIGHTS_PATH, method="GET").respond_with_handler(
        cursor_pages(rows, INSIGHTS_PATH, token, size=5, extra="&level=ad&time_increment=1"))

    records = list(client.iter_ad_days(DIGITS, start, end))

    assert len(records) == 18
    first = records[0]
    assert first.platform == "meta_ads" and first.account_id == ACT
    assert first.object_id == f"{ad(0)['id']}|instagram|instagram_reels"
    assert first.metric_date == start
    assert first.payload == rows[0]  # strings and action arrays kept as received
    assert first.payload["spend"] == "2.50"
    assert first.payload["video_play_actions"] == [{"action_type": "video_view", "value": "200"}]
    assert {r.object_id.split("|", 1)[1] for r in records} == {
        "instagram|instagram_reels", "facebook|facebook_reels", "instagram|feed"}
    assert [r.metric_date for r in records] == [start + timedelta(days=d)
                                                for d in range(3) for _ in range(6)]

    requests_ = [req for req, _ in httpserver.log]
    assert [r.args.get("after") for r in requests_] == [None, "5", "10", "15"]
    args = requests_[0].args
    assert args["level"] == "ad" and args["time_increment"] == "1"
    assert json.loads(args["time_range"]) == {"since": "2025-06-01", "until": "2025-06-03"}
    assert args["breakdowns"] == "publisher_platform,platform_position"
    fields = set(args["fields"].split(","))
    assert {"ad_id", "spend", "impressions", "reach", "clicks", "actions"} | VIDEO_FIELDS <= fields
    assert_token_only_in_header(httpserver, token)


def test_page_sizes_are_configurable(httpserver, token, client_options):
    httpserver.expect_request(ADS_PATH).respond_with_json({"data": []})
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json({"data": []})
    client = MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        ads_page_size=7, insights_page_size=900, **client_options)
    assert list(client.iter_ads(ACT)) == [] == list(
        client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))
    assert [req.args["limit"] for req, _ in httpserver.log] == ["7", "900"]


def test_iter_ad_days_empty(httpserver, client):
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json({"data": [], "paging": {}})
    assert list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 28))) == []


def test_date_start_differs_from_date_stop_is_a_payload_error(httpserver, client):
    row = {**insights_row(ad(7)["id"], date(2025, 6, 1), "facebook", "feed"),
           "date_stop": "2025-06-07"}
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json({"data": [row]})

    with pytest.raises(PayloadError) as info:
        list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 7)))

    message = str(info.value)
    assert ACT in message and ad(7)["id"] in message and "date_stop" in message
    assert "meta_ads" in message and INSIGHTS_PATH in message
    assert info.value.account == ACT


@pytest.mark.parametrize("field", ["ad_id", "date_start", "date_stop", "publisher_platform",
                                   "platform_position"])
def test_row_missing_a_key_field_is_a_payload_error(httpserver, client, field):
    row = insights_row(ad(1)["id"], date(2025, 6, 1), "instagram", "instagram_reels")
    del row[field]
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json({"data": [row]})
    with pytest.raises(PayloadError, match=field) as info:
        list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))
    assert ACT in str(info.value)


def test_row_outside_the_requested_range_is_a_payload_error(httpserver, client):
    row = insights_row(ad(1)["id"], date(2025, 5, 31), "instagram", "instagram_reels")
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json({"data": [row]})
    with pytest.raises(PayloadError, match="outside"):
        list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))


def test_start_after_end_is_rejected(client, httpserver):
    with pytest.raises(ValueError):
        list(client.iter_ad_days(ACT, date(2025, 6, 2), date(2025, 6, 1)))
    assert len(httpserver.log) == 0


# -- rate limits


def buc(minutes, call_count: int = 100, kind: str = "ads_insights") -> dict:
    return {"X-Business-Use-Case-Usage": json.dumps({DIGITS: [{
        "type": kind, "call_count": call_count, "total_cputime": 20, "total_time": 30,
        "estimated_time_to_regain_access": minutes}]})}


def insights_throttle(acc: float, app: float = 0) -> dict:
    return {"X-FB-Ads-Insights-Throttle": json.dumps(
        {"app_id_util_pct": app, "acc_id_util_pct": acc, "ads_api_access_tier": "standard_access"})}


ONE_ROW = {"data": [insights_row("1", date(2025, 6, 1), "instagram", "instagram_reels")]}


@pytest.mark.parametrize("code, minutes, expected", [
    (80000, 3, 180.0), (80004, "2", 120.0), (17, 1, 60.0),
])
def test_buc_regain_time_is_the_wait(httpserver, client, sleep, code, minutes, expected):
    httpserver.expect_oneshot_request(INSIGHTS_PATH).respond_with_json(
        graph_error(code, "There have been too many calls from this ad-account.", 2446079),
        status=400, headers=buc(minutes))
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json(ONE_ROW)

    records = list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))

    assert len(records) == 1 and len(httpserver.log) == 2
    assert sleep.calls == [expected]


def test_insights_throttle_header_on_a_rate_limit_error_sets_the_wait(httpserver, client, sleep):
    httpserver.expect_oneshot_request(INSIGHTS_PATH).respond_with_json(
        graph_error(80000, "too many calls"), status=400, headers=insights_throttle(100))
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json(ONE_ROW)

    assert len(list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))) == 1
    assert sleep.calls == [60.0]


def test_insights_throttle_near_the_limit_pauses_before_the_next_page(httpserver, client, sleep,
                                                                     token):
    rows = [insights_row(ad(n)["id"], date(2025, 6, 1), "facebook", "feed") for n in range(3)]
    state = {"n": 0}

    def handler(request: Request) -> Response:
        state["n"] += 1
        response = cursor_pages(rows, INSIGHTS_PATH, token)(request)
        if state["n"] == 1:
            response.headers.update(insights_throttle(acc=97))
        return response

    httpserver.expect_request(INSIGHTS_PATH).respond_with_handler(handler)

    assert len(list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))) == 3
    assert sleep.calls == [60.0] and len(httpserver.log) == 2


def test_regain_time_beyond_the_budget_fails_fast(httpserver, token, client_options, sleep, logs,
                                                  assert_no_token):
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json(
        graph_error(80000, "There have been too many calls from this ad-account.", 2446079),
        status=400, headers=buc(30))
    client = MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        max_wait=600, **client_options)

    with pytest.raises(RateLimitedError) as info:
        list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 28)))

    err = info.value
    assert sleep.calls == [] and len(httpserver.log) == 1
    assert err.retry_after == 1800.0 and err.code == 80000 and err.subcode == 2446079
    assert err.platform == "meta_ads" and err.account == ACT
    message = str(err)
    assert "meta_ads" in message and ACT in message and INSIGHTS_PATH in message
    assert "1800 s" in message and "600 s" in message
    assert_no_token(message, repr(err), logs.text)


def test_regain_time_on_a_successful_page_fails_fast_before_the_next(httpserver, token,
                                                                     client_options, sleep):
    rows = [insights_row(ad(n)["id"], date(2025, 6, 1), "facebook", "feed") for n in range(3)]
    state = {"n": 0}

    def handler(request: Request) -> Response:
        state["n"] += 1
        response = cursor_pages(rows, INSIGHTS_PATH, token)(request)
        response.headers.update(buc(20, call_count=100))
        return response

    httpserver.expect_request(INSIGHTS_PATH).respond_with_handler(handler)
    client = MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        max_wait=300, **client_options)

    got = []
    with pytest.raises(RateLimitedError) as info:
        for record in client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)):
            got.append(record)

    assert len(got) == 2 and len(httpserver.log) == 1 and sleep.calls == []
    assert info.value.retry_after == 1200.0 and ACT in str(info.value)


def test_wait_within_the_cap_but_beyond_the_total_budget_fails(httpserver, token, client_options,
                                                               sleep):
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json(
        graph_error(80000, "too many calls"), status=400, headers=buc(4))
    client = MetaClient(base_url=httpserver.url_for("/").rstrip("/"), token=token,
                        max_wait=600, max_total_wait=400, **client_options)

    with pytest.raises(RateLimitedError, match="budget") as info:
        list(client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)))

    assert sleep.calls == [240.0] and len(httpserver.log) == 2
    assert info.value.retry_after == 240.0


# -- expired token


@pytest.mark.parametrize("subcode", [463, 460])
def test_expired_token_on_an_insights_next_page_fails_once_and_never_leaks(
        httpserver, client, token, sleep, logs, assert_no_token, subcode):
    httpserver.expect_oneshot_request(INSIGHTS_PATH).respond_with_json(
        {"data": [insights_row("1", date(2025, 6, 1), "facebook", "feed")],
         "paging": {"cursors": {"after": "C1"}, "next": next_url(INSIGHTS_PATH, "C1", token)}})
    httpserver.expect_request(INSIGHTS_PATH).respond_with_json(
        graph_error(190, f"Error validating access token: Session has expired ({token})",
                    subcode), status=400)

    got = []
    with pytest.raises(AuthError) as info:
        for record in client.iter_ad_days(ACT, date(2025, 6, 1), date(2025, 6, 1)):
            got.append(record)

    err = info.value
    assert len(got) == 1 and len(httpserver.log) == 2 and sleep.calls == []
    assert err.platform == "meta_ads" and err.account == ACT and err.code == 190
    assert "meta_ads" in str(err) and ACT in str(err) and INSIGHTS_PATH in str(err)
    assert err.__cause__ is None and err.__context__ is None
    assert_no_token(str(err), repr(err), logs.text, repr(client))
    assert_token_only_in_header(httpserver, token)
