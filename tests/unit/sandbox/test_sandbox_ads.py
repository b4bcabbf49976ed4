"""Paid media: TikTok Marketing API and Meta Marketing API endpoints of the sandbox, and their truth."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from connectors.sandbox import SandboxServer, World, WorldSettings

TT = "/open_api/v1.3"
INT_STR = re.compile(r"^\d+$")
MONEY_STR = re.compile(r"^\d+\.\d{2}$")
NUM_STR = re.compile(r"^\d+(\.\d+)?$")
TT_METRICS = [
    "spend", "impressions", "clicks", "reach", "cpm", "video_play_actions", "video_watched_2s", "video_watched_6s",
    "video_views_p25", "video_views_p50", "video_views_p75", "video_views_p100", "likes", "comments", "shares",
    "follows", "average_video_play",
]  # fmt: skip
META_FIELDS = (
    "account_id,account_currency,campaign_id,adset_id,ad_id,ad_name,spend,impressions,reach,clicks,cpm,ctr,"
    "frequency,actions,video_play_actions,video_continuous_2_sec_watched_actions,video_p25_watched_actions,"
    "video_p50_watched_actions,video_p75_watched_actions,video_p95_watched_actions,video_p100_watched_actions,"
    "video_thruplay_watched_actions,video_avg_time_watched_actions,video_30_sec_watched_actions"
)
ADS_FIELDS = (
    "id,name,campaign_id,adset_id,effective_status,created_time,"
    "creative{id,effective_object_story_id,effective_instagram_media_id,video_id}"
)


# ------------------------------------------------------------------------------------ helpers


def tt_get(http: requests.Session, server: SandboxServer, endpoint: str, **params: Any) -> dict[str, Any]:
    for key, value in list(params.items()):
        if isinstance(value, list | dict):
            params[key] = json.dumps(value)
    r = http.get(f"{server.url}{TT}/{endpoint}/", params=params, headers={"Access-Token": "tok"}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def tt_pages(http: requests.Session, server: SandboxServer, endpoint: str, **params: Any) -> list[dict[str, Any]]:
    items, page = [], 1
    while True:
        body = tt_get(http, server, endpoint, page=page, **params)
        assert body["code"] == 0, body
        info = body["data"]["page_info"]
        assert set(info) == {"page", "page_size", "total_number", "total_page"}
        assert info["page"] == page
        items.extend(body["data"]["list"])
        if page >= info["total_page"]:
            assert len(items) == info["total_number"]
            return items
        page += 1


def tt_report(http: requests.Session, server: SandboxServer, adv: str, start: date, end: date,
              metrics: list[str] = TT_METRICS, page_size: int = 1000) -> list[dict[str, Any]]:  # fmt: skip
    return tt_pages(
        http, server, "report/integrated/get", advertiser_id=adv, service_type="AUCTION", report_type="BASIC",
        data_level="AUCTION_AD", dimensions=["ad_id", "stat_time_day"], metrics=metrics,
        start_date=start.isoformat(), end_date=end.isoformat(), page_size=page_size,
    )  # fmt: skip


def graph(http: requests.Session, server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return http.get(f"{server.url}/v25.0/{path}", params=params, headers={"Authorization": "Bearer tok"}, timeout=10)


def follow(http: requests.Session, first: requests.Response) -> tuple[list[dict[str, Any]], int]:
    items, r, pages = [], first, 0
    for _ in range(500):
        assert r.status_code == 200, r.text
        body = r.json()
        pages += 1
        items.extend(body["data"])
        nxt = body.get("paging", {}).get("next")
        if not nxt:
            return items, pages
        r = http.get(nxt, headers={"Authorization": "Bearer tok"}, timeout=10)
    raise AssertionError("paging did not end")


def insights(http: requests.Session, server: SandboxServer, act: str, since: date, until: date,
             limit: int = 500, **extra: Any) -> list[dict[str, Any]]:  # fmt: skip
    first = graph(
        http, server, f"{act}/insights", level="ad", time_increment=1,
        time_range=json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        breakdowns="publisher_platform,platform_position", fields=META_FIELDS, limit=limit, **extra,
    )  # fmt: skip
    return follow(http, first)[0]


def video(row: dict[str, Any], field: str) -> int:
    arr = row.get(field, [])
    assert all(set(a) == {"action_type", "value"} and a["action_type"] == "video_view" for a in arr)
    return sum(int(a["value"]) for a in arr)


def truth_by_key(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, date, Any, Any], dict[str, Any]]:
    return {(r["ad_id"], r["metric_date"], r["publisher_platform"], r["platform_position"]): r for r in rows}


@pytest.fixture(scope="module")
def accounts(world: World) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for a in world.ad_accounts():
        out.setdefault(a["brand"], {})[a["platform"]] = a
    return out


# ------------------------------------------------------------------------ accounts and config


def test_accounts_have_currencies_time_zones_and_id_formats(world: World, brands: dict, accounts: dict) -> None:
    currencies = {b: {p: a["currency"] for p, a in acc.items()} for b, acc in accounts.items()}
    assert currencies == {
        "acme": {"tiktok_ads": "EUR", "meta_ads": "EUR"},
        "bloom": {"tiktok_ads": "USD", "meta_ads": "USD"},
        "cobalt": {"tiktok_ads": "GBP", "meta_ads": "GBP"},
    }
    differs = 0
    for slug, block in brands.items():
        adv, act = block["tiktok"]["advertiser_id"], block["meta_ads"]["ad_account_id"]
        assert re.fullmatch(r"\d{16,19}", adv) and re.fullmatch(r"act_\d{15,16}", act)
        assert accounts[slug]["tiktok_ads"]["account_id"] == adv
        assert accounts[slug]["meta_ads"]["account_id"] == act
        for a in accounts[slug].values():
            ZoneInfo(a["timezone"])
            differs += a["timezone"] != block["timezone"]
    assert differs >= 2  # ad account zones may differ from the brand's
    assert accounts["acme"]["tiktok_ads"]["timezone"] != accounts["acme"]["meta_ads"]["timezone"]


def test_advertiser_info_and_ad_account_endpoints(
    http: requests.Session, server: SandboxServer, world: World, accounts: dict
) -> None:
    ids = [accounts[b]["tiktok_ads"]["account_id"] for b in ("acme", "bloom", "cobalt")]
    body = tt_get(http, server, "advertiser/info", advertiser_ids=ids,
                  fields=["advertiser_id", "name", "currency", "timezone", "display_timezone", "status"])  # fmt: skip
    assert body["code"] == 0 and body["message"] == "OK" and body["request_id"]
    got = {i["advertiser_id"]: i for i in body["data"]["list"]}
    for b in ("acme", "bloom", "cobalt"):
        acc = accounts[b]["tiktok_ads"]
        item = got[acc["account_id"]]
        assert set(item) == {"advertiser_id", "name", "currency", "timezone", "display_timezone", "status"}
        assert (item["currency"], item["timezone"]) == (acc["currency"], acc["timezone"])

    bad = tt_get(http, server, "advertiser/info", advertiser_ids=["1234567890123456"])
    assert bad["code"] == 40001 and bad["data"] == {}
    r = http.get(f"{server.url}{TT}/advertiser/info/", params={"advertiser_ids": json.dumps(ids)}, timeout=5)
    assert r.json()["code"] == 40104  # no Access-Token header

    acc = accounts["bloom"]["meta_ads"]
    r = graph(
        http, server, acc["account_id"], fields="currency,timezone_name,timezone_offset_hours_utc,account_id,name"
    )
    assert r.status_code == 200
    node = r.json()
    assert node["id"] == acc["account_id"] and node["account_id"] == acc["account_id"].removeprefix("act_")
    assert (node["currency"], node["timezone_name"]) == (acc["currency"], acc["timezone"])
    noon = datetime.combine(server.as_of, time(12), tzinfo=ZoneInfo(acc["timezone"]))
    assert node["timezone_offset_hours_utc"] == noon.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    assert json.loads(r.headers["X-Business-Use-Case-Usage"])[node["account_id"]][0]["type"] == "ads_management"

    missing = graph(http, server, "act_999999999999999", fields="currency")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == 100
    wrong = graph(http, server, acc["account_id"], fields="currency,spend_cap_xyz")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 100


# ------------------------------------------------------------------------------------- TikTok


def test_tiktok_ad_get_pages_and_spark_ads_link_to_organic_videos(
    http: requests.Session, server: SandboxServer, world: World, accounts: dict, brands: dict
) -> None:
    n_spark = 0
    for slug in ("acme", "bloom", "cobalt"):
        adv = accounts[slug]["tiktok_ads"]["account_id"]
        items = tt_pages(http, server, "ad/get", advertiser_id=adv, page_size=7)
        expected = [a for a in world.ads(as_of=server.as_of) if a["account_id"] == adv]
        assert [i["ad_id"] for i in items] == [a["ad_id"] for a in expected]
        organic = {c.content_id: c for c in world.account_contents("tiktok", brands[slug]["tiktok"]["business_id"])}
        for item in items:
            assert {"ad_id", "adgroup_id", "campaign_id", "identity_type", "create_time", "operation_status"} <= set(
                item
            )
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", item["create_time"])
            if "tiktok_item_id" in item:
                n_spark += 1
                assert item["identity_type"] == "BC_AUTH_TT"
                video = organic[item["tiktok_item_id"]]  # an existing organic video of the same brand
                created = datetime.fromisoformat(item["create_time"] + "+00:00")
                assert video.published_at < created
            else:
                assert item["identity_type"] == "CUSTOMIZED_USER" and item["video_id"].startswith("v")
    assert n_spark >= 5

    adv = accounts["acme"]["tiktok_ads"]["account_id"]
    assert tt_get(http, server, "ad/get", advertiser_id=adv, page_size=1001)["code"] == 40002
    assert tt_get(http, server, "ad/get", advertiser_id="1111111111111111")["code"] == 40001
    one = tt_get(http, server, "ad/get", advertiser_id=adv, fields=["ad_id", "tiktok_item_id"], page_size=1)["data"]
    assert set(one["list"][0]) <= {"ad_id", "tiktok_item_id"} and one["page_info"]["total_page"] > 1


def test_tiktok_report_envelope_strings_paging_and_truth(
    http: requests.Session, server: SandboxServer, world: World, accounts: dict
) -> None:
    adv = accounts["bloom"]["tiktok_ads"]["account_id"]
    end = server.as_of
    start = end - timedelta(days=29)
    rows = tt_report(http, server, adv, start, end, page_size=97)
    assert len(rows) > 97  # several pages
    truth = {(r["ad_id"], r["metric_date"]): r for r in world.truth_ad_daily(as_of=end) if r["account_id"] == adv
             and start <= r["metric_date"] <= end}  # fmt: skip
    assert len(rows) == len(truth)
    for row in rows:
        dims, m = row["dimensions"], row["metrics"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", dims["stat_time_day"])
        t = truth[(dims["ad_id"], date.fromisoformat(dims["stat_time_day"][:10]))]
        assert MONEY_STR.match(m["spend"]) and INT_STR.match(m["impressions"]) and NUM_STR.match(m["cpm"])
        assert isinstance(m["video_views_p75"], int) and isinstance(m["average_video_play"], float)
        assert int(m["impressions"]) > 0  # only rows with delivery
        assert m["spend"] == f"{t['spend']:.2f}"
        assert int(m["impressions"]) == t["impressions"] and int(m["reach"]) == t["reach"]
        assert int(m["clicks"]) == t["clicks"] and int(m["likes"]) == t["likes"] and int(m["follows"]) == t["follows"]
        assert int(m["video_watched_2s"]) == t["video_views_2s"] and int(m["video_watched_6s"]) == t["video_views_6s"]
        assert int(m["video_play_actions"]) >= int(m["video_watched_2s"]) >= int(m["video_watched_6s"])
        assert m["video_views_p25"] >= m["video_views_p50"] >= m["video_views_p75"] >= m["video_views_p100"]
        assert t["publisher_platform"] is None and t["platform_position"] is None and t["currency"] == "USD"
    assert max(date.fromisoformat(r["dimensions"]["stat_time_day"][:10]) for r in rows) == end


def test_tiktok_report_window_metric_and_param_errors(
    http: requests.Session, server: SandboxServer, accounts: dict
) -> None:
    adv = accounts["acme"]["tiktok_ads"]["account_id"]
    base = dict(advertiser_id=adv, report_type="BASIC", data_level="AUCTION_AD", dimensions=["ad_id", "stat_time_day"],
                metrics=["spend"])  # fmt: skip
    ok = tt_get(http, server, "report/integrated/get", start_date="2026-10-01", end_date="2026-10-30", **base)
    assert ok["code"] == 0
    too_long = tt_get(http, server, "report/integrated/get", start_date="2026-10-01", end_date="2026-10-31", **base)
    assert too_long["code"] == 40002 and "30" in too_long["message"]
    base["metrics"] = ["spend", "no_such_metric"]
    bad = tt_get(http, server, "report/integrated/get", start_date="2026-10-01", end_date="2026-10-02", **base)
    assert bad["code"] == 40002 and "no_such_metric" in bad["message"]
    base["metrics"] = "['spend', 'impressions']"  # Python-repr lists (Airbyte's Jinja) are tolerated
    assert (
        tt_get(http, server, "report/integrated/get", start_date="2026-10-01", end_date="2026-10-02", **base)["code"]
        == 0
    )
    base["page_size"] = 1001
    assert (
        tt_get(http, server, "report/integrated/get", start_date="2026-10-01", end_date="2026-10-02", **base)["code"]
        == 40002
    )


def test_tiktok_faults_apply_to_ads_paths(http: requests.Session, server: SandboxServer, accounts: dict) -> None:
    adv = accounts["acme"]["tiktok_ads"]["account_id"]
    server.inject_fault("tiktok", "rate_limit", path_contains="/report/")
    report = dict(advertiser_id=adv, report_type="BASIC", data_level="AUCTION_AD",
                  dimensions=["ad_id", "stat_time_day"], start_date="2026-11-01", end_date="2026-11-02")  # fmt: skip
    assert tt_get(http, server, "report/integrated/get", **report)["code"] == 40100
    assert tt_get(http, server, "report/integrated/get", **report)["code"] == 0
    server.inject_fault("tiktok", "expired_token")
    assert tt_get(http, server, "ad/get", advertiser_id=adv)["code"] == 40105


# --------------------------------------------------------------------------------------- Meta


def test_meta_ads_cursor_paging_and_boosted_reels(
    http: requests.Session, server: SandboxServer, world: World, accounts: dict, brands: dict
) -> None:
    n_ig = n_fb = 0
    for slug in ("acme", "bloom", "cobalt"):
        act = accounts[slug]["meta_ads"]["account_id"]
        items, pages = follow(http, graph(http, server, f"{act}/ads", fields=ADS_FIELDS, limit=4))
        assert pages > 1
        expected = [a for a in world.ads(as_of=server.as_of) if a["account_id"] == act]
        assert [i["id"] for i in items] == [a["ad_id"] for a in expected]
        page_id = brands[slug]["facebook"]["page_id"]
        for item in items:
            assert set(item) == {
                "id",
                "name",
                "campaign_id",
                "adset_id",
                "effective_status",
                "created_time",
                "creative",
            }
            creative = item["creative"]
            assert creative["id"] and set(creative) <= {"id", "effective_object_story_id", "effective_instagram_media_id",
                                                        "video_id"}  # fmt: skip
            if "effective_instagram_media_id" in creative:
                n_ig += 1
                reel = world.content(creative["effective_instagram_media_id"])
                assert reel is not None and reel.platform == "instagram" and reel.is_short and reel.brand == slug
            elif creative.get("video_id") and world.content(creative["video_id"]) is not None:
                n_fb += 1
                reel = world.content(creative["video_id"])
                assert reel is not None and reel.platform == "facebook" and reel.brand == slug
                assert creative["effective_object_story_id"] == f"{page_id}_{reel.content_id}"
            else:  # a dark post: its own ad video, not an organic one
                assert creative["effective_object_story_id"].startswith(f"{page_id}_")
    assert n_ig >= 3 and n_fb >= 2

    act = accounts["acme"]["meta_ads"]["account_id"]
    last = graph(http, server, f"{act}/ads", limit=100).json()
    assert "next" not in last["paging"] and set(last["paging"]["cursors"]) == {"before", "after"}
    assert all(set(i) == {"id"} for i in last["data"])  # default fields


def test_meta_insights_rows_headers_and_truth(
    http: requests.Session, server: SandboxServer, world: World, accounts: dict
) -> None:
    acc = accounts["acme"]["meta_ads"]
    act = acc["account_id"]
    until = server.as_of
    since = until - timedelta(days=27)
    r = graph(http, server, f"{act}/insights", level="ad", time_increment=1,
              time_range=json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
              breakdowns="publisher_platform,platform_position", fields=META_FIELDS, limit=50)  # fmt: skip
    assert r.status_code == 200
    throttle = json.loads(r.headers["X-FB-Ads-Insights-Throttle"])
    assert {"app_id_util_pct", "acc_id_util_pct"} <= set(throttle)
    buc = json.loads(r.headers["X-Business-Use-Case-Usage"])[act.removeprefix("act_")][0]
    assert buc["type"] == "ads_insights" and buc["estimated_time_to_regain_access"] == 0
    rows, pages = follow(http, r)
    assert pages > 2
    truth = truth_by_key(
        t for t in world.truth_ad_daily(as_of=until) if t["account_id"] == act and since <= t["metric_date"] <= until
    )
    assert len(rows) == len(truth)
    positions = set()
    for row in rows:
        assert row["date_start"] == row["date_stop"]
        assert row["account_id"] == act.removeprefix("act_") and row["account_currency"] == "EUR"
        for key in ("spend", "impressions", "reach", "clicks", "cpm", "ctr", "frequency"):
            assert isinstance(row[key], str) and NUM_STR.match(row[key]), (key, row[key])
        t = truth[(row["ad_id"], date.fromisoformat(row["date_start"]), row["publisher_platform"],
                   row["platform_position"])]  # fmt: skip
        positions.add((row["publisher_platform"], row["platform_position"]))
        assert row["spend"] == f"{t['spend']:.2f}" and MONEY_STR.match(row["spend"])
        assert int(row["impressions"]) == t["impressions"] and int(row["reach"]) == t["reach"]
        assert int(row["clicks"]) == t["clicks"]
        assert video(row, "video_play_actions") == t["video_plays"]
        assert video(row, "video_continuous_2_sec_watched_actions") == t["video_views_2s"]
        assert video(row, "video_thruplay_watched_actions") == t["thruplays"]
        assert video(row, "video_p100_watched_actions") == t["video_views_p100"]
        actions = {a["action_type"]: int(a["value"]) for a in row.get("actions", [])}
        assert actions.get("post_reaction", 0) == t["likes"] and actions.get("comment", 0) == t["comments"]
        assert actions.get("post", 0) == t["shares"] and actions.get("like", 0) == t["follows"]
    assert ("instagram", "instagram_reels") in positions and ("facebook", "facebook_reels") in positions
    assert ("instagram", "instagram_stories") in positions and ("facebook", "feed") in positions


def test_meta_insights_attribution_windows(http: requests.Session, server: SandboxServer, accounts: dict) -> None:
    act = accounts["bloom"]["meta_ads"]["account_id"]
    day = server.as_of - timedelta(days=3)
    rows = insights(http, server, act, day, day, action_attribution_windows='["1d_click","7d_click","1d_view"]')
    entries = [a for r in rows for a in r.get("actions", [])]
    assert entries and all({"action_type", "value", "1d_click", "7d_click", "1d_view"} == set(a) for a in entries)
    for retired in ("7d_view", "28d_view"):
        r = graph(http, server, f"{act}/insights", level="ad", time_increment=1, fields="spend",
                  time_range=json.dumps({"since": day.isoformat(), "until": day.isoformat()}),
                  action_attribution_windows=json.dumps(["1d_click", retired]))  # fmt: skip
        assert r.status_code == 400 and r.json()["error"]["code"] == 100 and retired in r.json()["error"]["message"]


def test_meta_insights_without_breakdowns_aggregate_placements(
    http: requests.Session, server: SandboxServer, world: World, accounts: dict
) -> None:
    act = accounts["cobalt"]["meta_ads"]["account_id"]
    day = server.as_of - timedelta(days=40)
    first = graph(http, server, f"{act}/insights", level="ad", time_increment=1, fields="ad_id,spend,impressions,reach",
                  time_range=json.dumps({"since": day.isoformat(), "until": day.isoformat()}), limit=100)  # fmt: skip
    rows, _ = follow(http, first)
    truth = [t for t in world.truth_ad_daily() if t["account_id"] == act and t["metric_date"] == day]
    assert rows and {r["ad_id"] for r in rows} == {t["ad_id"] for t in truth}
    for row in rows:
        parts = [t for t in truth if t["ad_id"] == row["ad_id"]]
        assert int(row["impressions"]) == sum(t["impressions"] for t in parts)
        assert round(float(row["spend"]) * 100) == sum(t["spend_minor"] for t in parts)
        assert max(t["reach"] for t in parts) <= int(row["reach"]) <= sum(t["reach"] for t in parts)
        assert "publisher_platform" not in row


def test_meta_rate_limit_faults_on_ads_paths(http: requests.Session, server: SandboxServer, accounts: dict) -> None:
    act = accounts["acme"]["meta_ads"]["account_id"]
    numeric = act.removeprefix("act_")
    server.inject_fault("meta", "rate_limit", path_contains="/insights", regain_minutes=3)
    r = graph(http, server, f"{act}/insights", fields="spend")
    err = r.json()["error"]
    assert r.status_code == 400 and err["code"] == 80000 and err["error_subcode"] == 2446079 and err["is_transient"]
    buc = json.loads(r.headers["X-Business-Use-Case-Usage"])[numeric][0]
    assert buc["type"] == "ads_insights" and buc["estimated_time_to_regain_access"] == 3
    assert json.loads(r.headers["X-FB-Ads-Insights-Throttle"])["acc_id_util_pct"] == 100
    assert graph(http, server, f"{act}/insights", fields="spend").status_code == 200

    server.inject_fault("meta", "rate_limit", path_contains="/ads")
    r = graph(http, server, f"{act}/ads")
    assert r.json()["error"]["code"] == 80004
    assert json.loads(r.headers["X-Business-Use-Case-Usage"])[numeric][0]["type"] == "ads_management"

    server.inject_fault("meta", "rate_limit", code=17)
    r = graph(http, server, f"{act}/insights", fields="spend")
    assert r.status_code == 400 and r.json()["error"]["code"] == 17
    server.inject_fault("meta", "expired_token")
    r = graph(http, server, act)
    assert r.json()["error"]["code"] == 190 and r.json()["error"]["error_subcode"] == 463


# ---------------------------------------------------------------------- restatements and truth


def test_restated_days_converge(http: requests.Session, server: SandboxServer, world: World, accounts: dict) -> None:
    act = accounts["bloom"]["meta_ads"]["account_id"]
    adv = accounts["bloom"]["tiktok_ads"]["account_id"]
    day = world.end - timedelta(days=45)

    def meta_sums() -> tuple[int, int, int]:
        rows = insights(http, server, act, day, day)
        spend = sum(round(float(r["spend"]) * 100) for r in rows)
        clicks = sum(int(r["clicks"]) for r in rows)
        likes = sum(int(a["value"]) for r in rows for a in r.get("actions", []) if a["action_type"] == "post_reaction")
        return spend, clicks, likes

    def tt_spend() -> int:
        rows = tt_report(http, server, adv, day, day, metrics=["spend", "clicks"])
        return sum(round(float(r["metrics"]["spend"]) * 100) for r in rows)

    served = {}
    for age in (0, 1, 2, 7, 20, 27, 28, 40):
        server.set_as_of(day + timedelta(days=age))
        served[age] = (meta_sums(), tt_spend())
    final_meta = sum(
        t["spend_minor"] for t in world.truth_ad_daily() if t["account_id"] == act and t["metric_date"] == day
    )
    final_tt = sum(
        t["spend_minor"] for t in world.truth_ad_daily() if t["account_id"] == adv and t["metric_date"] == day
    )
    ages = sorted(served)
    for a, b in zip(ages, ages[1:], strict=False):  # settles upward
        assert all(x <= y for x, y in zip(served[a][0], served[b][0], strict=True))
        assert served[a][1] <= served[b][1]
    assert served[0][0][0] < served[27][0][0] < served[28][0][0] == final_meta  # Meta: final after 28 days
    assert served[0][0][1] < served[28][0][1]  # clicks restate more than spend
    assert served[28][0] == served[40][0]
    assert served[0][1] < final_tt and served[2][1] == served[40][1] == final_tt  # TikTok: within 1-2 days

    # truth at an as-of equals what was served, and is final once old enough
    as_of = day + timedelta(days=7)
    rows = [t for t in world.truth_ad_daily(as_of=as_of) if t["account_id"] == act and t["metric_date"] == day]
    assert sum(t["spend_minor"] for t in rows) == served[7][0][0] and not any(t["is_final"] for t in rows)


def test_truth_is_final_for_old_days_and_none_after_as_of(world: World) -> None:
    as_of = world.end - timedelta(days=10)
    at = truth_by_key(world.truth_ad_daily(as_of=as_of))
    final = truth_by_key(world.truth_ad_daily())
    assert max(k[1] for k in at) == as_of and max(k[1] for k in final) == world.end
    old = [k for k in at if k[1] <= as_of - timedelta(days=28)]
    assert old and all(at[k] == {**final[k], "is_final": True} for k in old)
    recent = [k for k in at if k[1] > as_of - timedelta(days=28) and at[k]["platform"] == "meta_ads"]
    assert sum(at[k]["spend_minor"] for k in recent) < sum(final[k]["spend_minor"] for k in recent)
    for r in final.values():
        assert r["spend"] == round(r["spend"], 2) and r["impressions"] > 0 and r["reach"] <= r["impressions"]
        assert r["video_views_2s"] <= r["video_plays"]
        if r["platform"] == "tiktok_ads":
            assert r["thruplays"] is None and r["video_views_6s"] <= r["video_views_2s"]
        else:
            assert r["video_views_6s"] is None and r["thruplays"] <= r["video_views_2s"]


def test_meta_is_dearer_per_impression_than_tiktok(world: World) -> None:
    spend: dict[tuple[str, str], int] = defaultdict(int)
    impressions: dict[tuple[str, str], int] = defaultdict(int)
    for r in world.truth_ad_daily():
        spend[(r["brand"], r["platform"])] += r["spend_minor"]
        impressions[(r["brand"], r["platform"])] += r["impressions"]
    for brand in ("acme", "bloom", "cobalt"):  # one currency per brand, so CPMs compare directly
        cpm = {p: spend[(brand, p)] / impressions[(brand, p)] for p in ("tiktok_ads", "meta_ads")}
        assert cpm["meta_ads"] > 1.2 * cpm["tiktok_ads"], (brand, cpm)


def test_boosted_content_exists_and_was_published_before_the_ad(world: World) -> None:
    ads = world.ads()
    kinds = defaultdict(int)
    for ad in ads:
        if ad["boosted_content_id"] is None:
            continue
        c = world.content(ad["boosted_content_id"])
        assert c is not None and c.brand == ad["brand"] and c.is_short
        assert c.platform == ad["boosted_platform"]
        assert c.published_at < ad["created_at"]
        kinds[c.platform] += 1
        assert ad["is_spark"] == (ad["platform"] == "tiktok_ads")
    assert kinds["tiktok"] >= 5 and kinds["instagram"] >= 3 and kinds["facebook"] >= 2
    rows = world.truth_ad_daily()
    boosted = {r["ad_id"]: r["boosted_content_id"] for r in rows}
    assert {a["ad_id"]: a["boosted_content_id"] for a in ads if a["ad_id"] in boosted} == boosted


def test_a_shorter_world_keeps_every_earlier_ad_and_day(world: World) -> None:
    cut = date(2026, 10, 10)
    short = World(WorldSettings(end=cut))
    assert short.accounts_config() == world.accounts_config()
    assert short.truth_ad_daily() == [r for r in world.truth_ad_daily() if r["metric_date"] <= cut]
