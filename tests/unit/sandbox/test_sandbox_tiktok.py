"""TikTok API for Business v1.3 (organic): business/get and business/video/list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from connectors.sandbox import SandboxServer, World

VIDEO_FIELDS = [
    "item_id", "create_time", "caption", "share_url", "video_duration", "video_views", "reach", "likes",
    "comments", "shares", "favorites", "total_time_watched", "average_time_watched",
    "full_video_watched_rate", "new_followers", "profile_views",
]  # fmt: skip


def _all_videos(api: Any, business_id: str, **params: Any) -> tuple[list[dict], list[dict]]:
    videos, pages, cursor = [], [], None
    for _ in range(100):
        extra = {"cursor": cursor} if cursor is not None else {}
        r = api.tt("video/list", business_id=business_id, **params, **extra)
        assert r.status_code == 200
        body = r.json()
        assert body["code"] == 0 and body["message"] == "OK" and body["request_id"]
        data = body["data"]
        pages.append(data)
        videos.extend(data["videos"])
        if not data["has_more"]:
            return videos, pages
        cursor = data["cursor"]
    raise AssertionError("paging did not end")


def test_video_list_pages_to_the_last_page(api: Any, world: World, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    videos, pages = _all_videos(api, bid, fields=VIDEO_FIELDS, max_count=7)
    expected = world.account_contents("tiktok", bid, world.end)
    assert [v["item_id"] for v in videos] == [c.content_id for c in expected]  # newest first, no gaps
    assert len(pages) >= 3
    assert all(len(p["videos"]) <= 7 for p in pages)
    assert pages[-1]["has_more"] is False
    for p in pages:  # the cursor is the create time (ms) of the page's last video
        if p["videos"]:
            assert p["cursor"] == int(p["videos"][-1]["create_time"]) * 1000


def test_video_list_defaults_and_max_count(api: Any, brands: dict) -> None:
    bid = brands["bloom"]["tiktok"]["business_id"]
    body = api.tt("video/list", business_id=bid).json()
    assert body["code"] == 0
    assert 1 <= len(body["data"]["videos"]) <= 10
    assert all(set(v) == {"item_id"} for v in body["data"]["videos"])  # default fields
    body = api.tt("video/list", business_id=bid, max_count=21).json()
    assert body["code"] == 40002 and body["data"] == {}
    body = api.tt("video/list", business_id=bid, max_count=20).json()
    assert body["code"] == 0 and len(body["data"]["videos"]) <= 20


def test_video_list_values_match_the_world(api: Any, world: World, brands: dict) -> None:
    bid = brands["cobalt"]["tiktok"]["business_id"]
    videos, _ = _all_videos(api, bid, fields=VIDEO_FIELDS, max_count=20)
    as_strings = 0
    for v in videos:
        c = world.content(v["item_id"])
        t = world.lifetime_totals(v["item_id"], world.end)
        assert c is not None and t is not None
        assert int(v["create_time"]) == int(c.published_at.timestamp())
        assert v["caption"] == c.caption
        assert v["video_duration"] == round(c.duration_seconds, 3)
        assert v["share_url"].endswith("/video/" + v["item_id"])
        for field, key in (("video_views", "views"), ("likes", "likes"), ("comments", "comments"),
                           ("shares", "shares"), ("favorites", "saves"), ("reach", "reach")):  # fmt: skip
            assert float(v[field]) == t[key], field
            as_strings += isinstance(v[field], str)
        assert float(v["total_time_watched"]) == round(t["watch_seconds"], 3)
        if t["views"]:
            assert abs(float(v["average_time_watched"]) - t["watch_seconds"] / t["views"]) < 0.001
        assert 0 < v["full_video_watched_rate"] < 1
    assert as_strings > 0  # some numbers come as numeric strings
    assert any(isinstance(v["create_time"], str) for v in videos)
    assert any(isinstance(v["create_time"], int) for v in videos)


def test_fields_accept_python_repr_lists(api: Any, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    body = api.tt("video/list", business_id=bid, fields="['item_id', 'video_views']", max_count=3).json()
    assert body["code"] == 0
    assert all(set(v) == {"item_id", "video_views"} for v in body["data"]["videos"])


def test_filters_video_ids(api: Any, world: World, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    ids = [c.content_id for c in world.account_contents("tiktok", bid, world.end)[3:5]]
    body = api.tt("video/list", business_id=bid, fields=["item_id"], filters={"video_ids": ids}).json()
    assert sorted(v["item_id"] for v in body["data"]["videos"]) == sorted(ids)
    assert body["data"]["has_more"] is False


def test_param_and_permission_errors_are_http_200(api: Any, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    cases = [
        ({"business_id": bid, "fields": ["item_id", "no_such_field"]}, 40002),
        ({"business_id": bid, "fields": "not a list"}, 40002),
        ({"business_id": bid, "cursor": "abc"}, 40002),
        ({"fields": ["item_id"]}, 40002),
        ({"business_id": "-000unknown"}, 40001),
    ]
    for params, code in cases:
        r = api.tt("video/list", **params)
        assert r.status_code == 200
        body = r.json()
        assert body["code"] == code, params
        assert body["message"] and body["request_id"] and body["data"] == {}


def test_tokens(api: Any, make_api: Any, strict_server: SandboxServer, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    assert api.tt("video/list", token=None, business_id=bid).json()["code"] == 40104
    assert api.tt("video/list", token="", business_id=bid).json()["code"] == 40104
    assert api.tt("video/list", token="anything", business_id=bid).json()["code"] == 0
    strict = make_api(strict_server)
    r = strict.tt("video/list", token="wrong", business_id=bid)
    assert r.status_code == 200 and r.json()["code"] == 40105
    assert strict.tt("video/list", token="tt-good", business_id=bid).json()["code"] == 0


def test_business_get_daily_metrics(api: Any, server: SandboxServer, world: World, brands: dict) -> None:
    bid = brands["acme"]["tiktok"]["business_id"]
    a = world.end
    fields = ["display_name", "followers_count", "video_views", "profile_views", "likes", "comments",
              "shares", "daily_new_followers", "daily_lost_followers"]  # fmt: skip
    r = api.tt("get", business_id=bid, fields=fields, start_date=str(a - timedelta(days=20)), end_date=str(a))
    body = r.json()
    assert r.status_code == 200 and body["code"] == 0
    data = body["data"]
    assert data["display_name"] == "Acme"
    assert isinstance(data["followers_count"], int)
    metrics = data["metrics"]
    dates = [date.fromisoformat(m["date"]) for m in metrics]
    latency = world.brand("acme").tiktok_latency_days
    assert latency in (1, 2)
    assert dates[0] == a - timedelta(days=20) and dates[-1] == a - timedelta(days=latency)  # newest days absent
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for m in metrics:
        assert set(m) == {"date", *fields} - {"display_name"}
        assert all(float(m[f]) >= 0 for f in fields if f not in ("display_name",))
    # followers move by new - lost
    for prev, cur in zip(metrics, metrics[1:], strict=False):
        delta = float(cur["followers_count"]) - float(prev["followers_count"])
        assert delta == float(cur["daily_new_followers"]) - float(cur["daily_lost_followers"])
    # daily views are the account's videos' daily views (non-negative part)
    day = dates[-1]
    expected = sum(max(0, c.daily("views", day)) for c in world.account_contents("tiktok", bid, a))
    assert float(metrics[-1]["video_views"]) == expected


def test_business_get_defaults_and_window(api: Any, world: World, brands: dict) -> None:
    bid = brands["bloom"]["tiktok"]["business_id"]
    body = api.tt("get", business_id=bid).json()
    assert body["code"] == 0
    assert set(body["data"]) == {"display_name", "profile_image"}  # default fields, no daily ones
    a = world.end
    too_old = api.tt(
        "get", business_id=bid, fields=["video_views"], start_date=str(a - timedelta(days=61)), end_date=str(a)
    ).json()
    assert too_old["code"] == 40002
    ok = api.tt(
        "get", business_id=bid, fields=["video_views"], start_date=str(a - timedelta(days=60)), end_date=str(a)
    ).json()
    assert ok["code"] == 0 and len(ok["data"]["metrics"]) >= 58
    reversed_ = api.tt(
        "get", business_id=bid, fields=["video_views"], start_date=str(a), end_date=str(a - timedelta(days=3))
    ).json()
    assert reversed_["code"] == 40002
    bad_date = api.tt("get", business_id=bid, fields=["video_views"], start_date="2026/11/01", end_date=str(a)).json()
    assert bad_date["code"] == 40002
    recent = api.tt("get", business_id=bid, fields=["video_views"], start_date=str(a), end_date=str(a)).json()
    assert recent["code"] == 0 and recent["data"]["metrics"] == []  # not yet available


def test_unknown_tiktok_path_is_404(api: Any) -> None:
    r = api.tt("nothing/here", business_id="x")
    assert r.status_code == 404
