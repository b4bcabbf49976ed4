"""The paid-media client methods pull every Marketing API endpoint from a started SandboxServer,
and the records match the world's truth as served at that as-of date.

TikTok: advertiser/info, ad/get (paged with a small page size), report/integrated/get over a
range longer than 30 days (three windows). Meta: the ad account, its ads edge (cursor paged) and
daily per-ad insights by placement (cursor paged). Plus the sandbox's rate-limit and expired-token
faults on the report endpoints.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from connectors.http import AuthError, RateLimitedError, as_float, as_int
from connectors.meta import MetaClient
from connectors.records import DailyRecord
from connectors.sandbox import SandboxServer, World, WorldSettings
from connectors.tiktok import REPORT_PATH, TikTokClient

SETTINGS = WorldSettings(n_brands=2)
TT_ADS_PAGE_SIZE = 7
META_ADS_PAGE_SIZE = 10
META_INSIGHTS_PAGE_SIZE = 1000
EARLIER = 10  # days before the world's end: a second as-of date, with recent days not yet settled

# report metric -> truth column
TT_COUNTS = {
    "impressions": "impressions", "clicks": "clicks", "reach": "reach",
    "video_play_actions": "video_plays", "video_watched_2s": "video_views_2s",
    "video_watched_6s": "video_views_6s", "video_views_p25": "video_views_p25",
    "video_views_p50": "video_views_p50", "video_views_p75": "video_views_p75",
    "video_views_p100": "video_views_p100", "likes": "likes", "comments": "comments",
    "shares": "shares", "follows": "follows",
}
META_SCALARS = {"impressions": "impressions", "reach": "reach", "clicks": "clicks"}
# insights [{action_type, value}] field -> truth column (absent array = 0)
META_VIDEO_ARRAYS = {
    "video_play_actions": "video_plays",
    "video_continuous_2_sec_watched_actions": "video_views_2s",
    "video_p25_watched_actions": "video_views_p25",
    "video_p50_watched_actions": "video_views_p50",
    "video_p75_watched_actions": "video_views_p75",
    "video_p100_watched_actions": "video_views_p100",
    "video_thruplay_watched_actions": "thruplays",
}
# actions[] action_type -> truth column, as the sandbox maps them (see the report)
META_ACTIONS = {"post_reaction": "likes", "comment": "comments", "post": "shares", "like": "follows"}


@pytest.fixture(scope="module")
def world() -> World:
    return World(SETTINGS)


@pytest.fixture(scope="module")
def server(world: World):
    server = SandboxServer(world, host="127.0.0.1", port=0).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(server: SandboxServer):
    """The module's server, reset to the world's end with no faults after each test."""
    yield server
    server.clear_faults()
    server.set_as_of(server.world.end)


@pytest.fixture
def options(client_options) -> dict[str, Any]:
    return {**client_options, "read_timeout": 5.0}


@pytest.fixture
def tiktok(sandbox, token, options) -> TikTokClient:
    return TikTokClient(base_url=sandbox.url, token=token, ads_page_size=TT_ADS_PAGE_SIZE,
                        **options)


@pytest.fixture
def meta(sandbox, token, options) -> MetaClient:
    return MetaClient(base_url=sandbox.url, token=token, ads_page_size=META_ADS_PAGE_SIZE,
                      insights_page_size=META_INSIGHTS_PAGE_SIZE, **options)


def configured(world: World, platform: str, key: str) -> list[str]:
    return [brand[platform][key] for brand in world.accounts_config()["brands"].values()]


def advertisers(world: World) -> list[str]:
    return configured(world, "tiktok", "advertiser_id")


def ad_accounts(world: World) -> list[str]:
    return configured(world, "meta_ads", "ad_account_id")


def world_account(world: World, account_id: str) -> dict[str, Any]:
    (account,) = [a for a in world.ad_accounts() if a["account_id"] == account_id]
    return account


def truth(world: World, account_id: str, as_of: date) -> list[dict[str, Any]]:
    return [r for r in world.truth_ad_daily(as_of) if r["account_id"] == account_id]


def requests_to(sandbox: SandboxServer, since: int, path_part: str) -> int:
    return sum(1 for _, path in sandbox.request_log[since:] if path_part in path)


def action_value(row: dict[str, Any], field: str, action_type: str = "video_view") -> int:
    items = row.get(field) or []
    assert isinstance(items, list), f"{field} is not an action array: {items!r}"
    return sum(as_int(i["value"], field) for i in items if i.get("action_type") == action_type)


def test_accounts_config_lists_the_world_ad_accounts(world):
    by_platform = Counter(a["platform"] for a in world.ad_accounts())
    assert by_platform == {"tiktok_ads": SETTINGS.n_brands, "meta_ads": SETTINGS.n_brands}
    assert set(advertisers(world)) | set(ad_accounts(world)) == {
        a["account_id"] for a in world.ad_accounts()}


# -- TikTok Marketing API


def test_tiktok_advertisers_match_the_world(world, sandbox, tiktok):
    for advertiser_id in advertisers(world):
        record = tiktok.get_advertiser(advertiser_id)
        account = world_account(world, advertiser_id)
        assert (record.platform, record.account_id, record.object_id) == (
            "tiktok_ads", advertiser_id, advertiser_id)
        assert record.payload["currency"] == account["currency"]
        assert record.payload["timezone"] == account["timezone"]
        assert record.payload["name"] == account["name"]


@pytest.mark.parametrize("days_back", [0, 30])
def test_tiktok_ads_page_to_the_end_and_link_spark_ads(world, sandbox, tiktok, days_back):
    as_of = sandbox.set_as_of(world.end - timedelta(days=days_back))
    for advertiser_id in advertisers(world):
        since = len(sandbox.request_log)
        expected = {a["ad_id"]: a for a in world.ads(as_of) if a["account_id"] == advertiser_id}

        records = list(tiktok.iter_ads(advertiser_id))

        assert {r.object_id for r in records} == set(expected)
        assert len(records) == len(expected)
        assert requests_to(sandbox, since, "/ad/get/") == max(
            1, math.ceil(len(expected) / TT_ADS_PAGE_SIZE))
        for record in records:
            ad = expected[record.object_id]
            assert record.platform == "tiktok_ads" and record.account_id == advertiser_id
            if ad["is_spark"]:
                assert record.payload.get("tiktok_item_id") == ad["boosted_content_id"]
            else:
                assert not record.payload.get("tiktok_item_id")


@pytest.mark.parametrize("days_back", [0, EARLIER])
def test_tiktok_ad_days_match_the_truth(world, sandbox, tiktok, days_back):
    as_of = sandbox.set_as_of(world.end - timedelta(days=days_back))
    start = SETTINGS.history_start
    for advertiser_id in advertisers(world):
        since = len(sandbox.request_log)
        rows = truth(world, advertiser_id, as_of)

        records = list(tiktok.iter_ad_days(advertiser_id, start, as_of))

        windows = math.ceil(((as_of - start).days + 1) / 30)
        assert windows >= 3
        assert requests_to(sandbox, since, REPORT_PATH) >= windows
        got = {(r.object_id, r.metric_date): r for r in records}
        assert len(got) == len(records)
        assert set(got) == {(r["ad_id"], r["metric_date"]) for r in rows}
        for row in rows:
            record = got[(row["ad_id"], row["metric_date"])]
            assert isinstance(record, DailyRecord) and record.platform == "tiktok_ads"
            assert record.account_id == advertiser_id
            metrics = record.payload["metrics"]
            assert set(metrics) == set(tiktok.ad_day_metrics)
            assert record.payload["dimensions"]["stat_time_day"] == (
                f"{row['metric_date'].isoformat()} 00:00:00")
            assert as_float(metrics["spend"], "spend") == pytest.approx(row["spend"], abs=1e-9)
            assert metrics["spend"] == f"{row['spend_minor'] / 100:.2f}"
            for metric, column in TT_COUNTS.items():
                assert as_int(metrics[metric], metric) == row[column], (metric, row)


def test_tiktok_report_rate_limit_is_retried(world, sandbox, tiktok, sleep):
    advertiser_id = advertisers(world)[0]
    sandbox.inject_fault("tiktok", "rate_limit", count=2, path_contains="/report/integrated/get")
    day = world.end - timedelta(days=3)

    records = list(tiktok.iter_ad_days(advertiser_id, day, day))

    assert len(sleep.calls) == 2
    assert {r.object_id for r in records} == {
        r["ad_id"] for r in truth(world, advertiser_id, world.end) if r["metric_date"] == day}


def test_tiktok_expired_token_fails_once_and_never_leaks(world, sandbox, tiktok, sleep, logs,
                                                         assert_no_token):
    advertiser_id = advertisers(world)[0]
    sandbox.inject_fault("tiktok", "expired_token", path_contains="/report/integrated/get")
    since = len(sandbox.request_log)

    with pytest.raises(AuthError) as info:
        list(tiktok.iter_ad_days(advertiser_id, world.end - timedelta(days=40), world.end))

    assert requests_to(sandbox, since, REPORT_PATH) == 1 and sleep.calls == []
    assert info.value.platform == "tiktok_ads" and advertiser_id in str(info.value)
    assert_no_token(str(info.value), repr(info.value), logs.text)


# -- Meta Marketing API


def test_meta_ad_accounts_match_the_world(world, sandbox, meta):
    for ad_account_id in ad_accounts(world):
        account = world_account(world, ad_account_id)
        for given in (ad_account_id, ad_account_id.removeprefix("act_")):
            record = meta.get_ad_account(given)
            assert (record.platform, record.account_id, record.object_id) == (
                "meta_ads", ad_account_id, ad_account_id)
            assert record.payload["currency"] == account["currency"]
            assert record.payload["timezone_name"] == account["timezone"]
            assert record.payload["account_id"] == ad_account_id.removeprefix("act_")
            assert "timezone_offset_hours_utc" in record.payload


@pytest.mark.parametrize("days_back", [0, 30])
def test_meta_ads_page_to_the_end_and_link_boosted_posts(world, sandbox, meta, days_back):
    as_of = sandbox.set_as_of(world.end - timedelta(days=days_back))
    for ad_account_id in ad_accounts(world):
        since = len(sandbox.request_log)
        expected = {a["ad_id"]: a for a in world.ads(as_of) if a["account_id"] == ad_account_id}

        records = list(meta.iter_ads(ad_account_id.removeprefix("act_")))

        assert {r.object_id for r in records} == set(expected) and len(records) == len(expected)
        assert requests_to(sandbox, since, "/ads") == max(
            1, math.ceil(len(expected) / META_ADS_PAGE_SIZE))
        for record in records:
            ad = expected[record.object_id]
            assert record.platform == "meta_ads" and record.account_id == ad_account_id
            creative = record.payload["creative"]
            assert creative["id"]
            if ad["boosted_platform"] == "instagram":
                assert creative["effective_instagram_media_id"] == ad["boosted_content_id"]
            elif ad["boosted_platform"] == "facebook":
                assert creative["effective_object_story_id"].endswith(
                    f"_{ad['boosted_content_id']}")
            else:
                assert ad["boosted_content_id"] is None


@pytest.mark.parametrize("days_back", [0, EARLIER])
def test_meta_ad_days_match_the_truth(world, sandbox, meta, days_back):
    as_of = sandbox.set_as_of(world.end - timedelta(days=days_back))
    start = SETTINGS.history_start
    for ad_account_id in ad_accounts(world):
        since = len(sandbox.request_log)
        rows = truth(world, ad_account_id, as_of)

        records = list(meta.iter_ad_days(ad_account_id, start, as_of))

        assert requests_to(sandbox, since, "/insights") == math.ceil(
            len(rows) / META_INSIGHTS_PAGE_SIZE)
        got = {(r.object_id, r.metric_date): r for r in records}
        assert len(got) == len(records)
        key = "{ad_id}|{publisher_platform}|{platform_position}".format
        assert set(got) == {(key(**r), r["metric_date"]) for r in rows}
        for row in rows:
            record = got[(key(**row), row["metric_date"])]
            payload = record.payload
            assert record.platform == "meta_ads" and record.account_id == ad_account_id
            assert payload["date_start"] == payload["date_stop"] == row["metric_date"].isoformat()
            assert payload["account_currency"] == row["currency"]
            assert payload["spend"] == f"{row['spend_minor'] / 100:.2f}"
            for field, column in META_SCALARS.items():
                assert isinstance(payload[field], str)  # strings, as received
                assert as_int(payload[field], field) == row[column], (field, row)
            for field, column in META_VIDEO_ARRAYS.items():
                assert action_value(payload, field) == row[column], (field, row)
            for action_type, column in META_ACTIONS.items():
                assert action_value(payload, "actions", action_type) == row[column], (
                    action_type, row)


def test_meta_insights_rate_limit_waits_the_regain_time(world, sandbox, meta, sleep):
    ad_account_id = ad_accounts(world)[0]
    sandbox.inject_fault("meta", "rate_limit", path_contains="/insights", regain_minutes=2)
    day = world.end - timedelta(days=2)

    records = list(meta.iter_ad_days(ad_account_id, day, day))

    assert sleep.calls == [120.0]
    assert len(records) == sum(1 for r in truth(world, ad_account_id, world.end)
                               if r["metric_date"] == day)


def test_meta_insights_rate_limit_without_regain_time_uses_the_throttle_header(world, sandbox,
                                                                               meta, sleep):
    sandbox.inject_fault("meta", "rate_limit", path_contains="/insights", code=17)
    day = world.end - timedelta(days=2)
    assert list(meta.iter_ad_days(ad_accounts(world)[0], day, day))
    assert sleep.calls == [60.0]  # X-FB-Ads-Insights-Throttle says acc_id_util_pct 100


def test_meta_ads_edge_rate_limit_80004_waits_the_regain_time(world, sandbox, meta, sleep):
    ad_account_id = ad_accounts(world)[1]
    sandbox.inject_fault("meta", "rate_limit", path_contains="/ads", code=80004, regain_minutes=1)

    records = list(meta.iter_ads(ad_account_id))

    assert sleep.calls == [60.0]
    assert len(records) == sum(1 for a in world.ads(world.end) if a["account_id"] == ad_account_id)


def test_meta_insights_regain_time_beyond_the_budget_fails_fast(world, sandbox, token, options,
                                                                sleep, logs, assert_no_token):
    ad_account_id = ad_accounts(world)[1]
    sandbox.inject_fault("meta", "rate_limit", path_contains="/insights", regain_minutes=30,
                         code=80000)
    client = MetaClient(base_url=sandbox.url, token=token, max_wait=600, **options)
    since = len(sandbox.request_log)

    with pytest.raises(RateLimitedError) as info:
        list(client.iter_ad_days(ad_account_id, world.end - timedelta(days=28), world.end))

    err = info.value
    assert sleep.calls == [] and requests_to(sandbox, since, "/insights") == 1
    assert err.retry_after == 1800.0 and err.code == 80000
    assert err.platform == "meta_ads" and ad_account_id in str(err) and "1800 s" in str(err)
    assert_no_token(str(err), repr(err), logs.text)


def test_meta_expired_token_on_insights_fails_once_and_never_leaks(world, sandbox, meta, sleep,
                                                                   logs, assert_no_token):
    ad_account_id = ad_accounts(world)[0]
    sandbox.inject_fault("meta", "expired_token", path_contains="/insights")

    with pytest.raises(AuthError) as info:
        list(meta.iter_ad_days(ad_account_id, world.end - timedelta(days=7), world.end))

    assert info.value.code == 190 and sleep.calls == []
    assert info.value.platform == "meta_ads" and ad_account_id in str(info.value)
    assert_no_token(str(info.value), repr(info.value), logs.text)
