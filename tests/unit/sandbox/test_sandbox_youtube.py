"""YouTube Data API v3 (channels, playlistItems, videos) and YouTube Analytics v2 reports."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from connectors.sandbox import SandboxServer, World
from connectors.sandbox.server import iso8601_duration

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _google_error(r: Any, status: int, reason: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == status and err["message"] and err["status"]
    assert err["errors"][0]["reason"] == reason
    return err


def _parse_duration(text: str) -> int:
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    assert m, text
    h, mi, s = (int(g or 0) for g in m.groups())
    return h * 3600 + mi * 60 + s


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "PT45S"), (90, "PT1M30S"), (724, "PT12M4S"), (3600, "PT1H"), (3723, "PT1H2M3S"), (0, "PT0S"), (120, "PT2M")],
)
def test_iso8601_duration(seconds: int, text: str) -> None:
    assert iso8601_duration(seconds) == text


def test_channels_mine_and_by_id(api: Any, brands: dict) -> None:
    first = brands["acme"]["youtube"]["channel_id"]
    body = api.yt("/youtube/v3/channels", part="contentDetails", mine="true").json()
    assert body["kind"] == "youtube#channelListResponse"
    item = body["items"][0]
    assert item["id"] == first  # no per-channel tokens: the first channel
    assert item["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + first[2:]
    other = brands["cobalt"]["youtube"]["channel_id"]
    body = api.yt("/youtube/v3/channels", part="contentDetails,snippet", id=other).json()
    assert body["items"][0]["id"] == other and body["items"][0]["snippet"]["title"] == "Cobalt"
    assert not api.yt("/youtube/v3/channels", part="id", id="UCnope").json().get("items")
    _google_error(api.yt("/youtube/v3/channels", part="contentDetails"), 400, "missingRequiredParameter")
    _google_error(api.yt("/youtube/v3/channels", mine="true"), 400, "required")


def test_per_channel_tokens_bind_mine(make_api: Any, strict_server: SandboxServer, brands: dict) -> None:
    strict = make_api(strict_server)
    for slug in ("acme", "bloom"):
        body = strict.yt("/youtube/v3/channels", token=f"yt-{slug}", part="contentDetails", mine="true").json()
        assert body["items"][0]["id"] == brands[slug]["youtube"]["channel_id"]
    _google_error(strict.yt("/youtube/v3/channels", token="yt-unknown", part="id", mine="true"), 401, "authError")
    params = {"startDate": "2026-11-01", "endDate": "2026-11-20", "metrics": "views", "dimensions": "day"}
    ok = strict.yt(
        "/v2/reports", token="yt-bloom", ids=f"channel=={brands['bloom']['youtube']['channel_id']}", **params
    )
    assert ok.status_code == 200
    forbidden = strict.yt(
        "/v2/reports", token="yt-bloom", ids=f"channel=={brands['acme']['youtube']['channel_id']}", **params
    )
    _google_error(forbidden, 403, "forbidden")


def _all_playlist_items(api: Any, playlist: str, max_results: int) -> tuple[list[dict], int]:
    items, token, pages = [], None, 0
    for _ in range(100):
        params = {"part": "snippet,contentDetails", "playlistId": playlist, "maxResults": max_results}
        if token:
            params["pageToken"] = token
        body = api.yt("/youtube/v3/playlistItems", **params).json()
        pages += 1
        assert len(body["items"]) <= max_results
        items.extend(body["items"])
        token = body.get("nextPageToken")
        if not token:
            return items, pages
    raise AssertionError("paging did not end")


def test_playlist_items_page_to_the_last_page(api: Any, world: World, brands: dict) -> None:
    channel = brands["bloom"]["youtube"]["channel_id"]
    items, pages = _all_playlist_items(api, "UU" + channel[2:], 7)
    expected = world.account_contents("youtube", channel, world.end)
    assert [i["contentDetails"]["videoId"] for i in items] == [c.content_id for c in expected]
    assert pages == -(-len(expected) // 7)
    for i in items:
        assert i["snippet"]["resourceId"]["videoId"] == i["contentDetails"]["videoId"]
        assert RFC3339.match(i["contentDetails"]["videoPublishedAt"])
        assert i["snippet"]["channelId"] == channel
    default = api.yt("/youtube/v3/playlistItems", part="contentDetails", playlistId="UU" + channel[2:]).json()
    assert len(default["items"]) == 5 and default["pageInfo"]["totalResults"] == len(expected)


def test_playlist_items_errors(api: Any, brands: dict) -> None:
    _google_error(
        api.yt("/youtube/v3/playlistItems", part="snippet", playlistId="UUnotaplaylist"), 404, "playlistNotFound"
    )
    channel = brands["acme"]["youtube"]["channel_id"]
    _google_error(
        api.yt("/youtube/v3/playlistItems", part="snippet", playlistId="UU" + channel[2:], maxResults=51),
        400,
        "invalidValue",
    )
    _google_error(
        api.yt("/youtube/v3/playlistItems", part="snippet", playlistId="UU" + channel[2:], pageToken="garbage"),
        400,
        "invalidPageToken",
    )


def test_videos_statistics_are_strings_and_match_the_world(api: Any, world: World, brands: dict) -> None:
    channel = brands["acme"]["youtube"]["channel_id"]
    vids = world.account_contents("youtube", channel, world.end)
    ids = [c.content_id for c in vids][:50]
    body = api.yt("/youtube/v3/videos", part="snippet,contentDetails,statistics", id=",".join(ids)).json()
    assert body["kind"] == "youtube#videoListResponse"
    assert [i["id"] for i in body["items"]] == ids
    kinds = set()
    for item in body["items"]:
        c = world.content(item["id"])
        t = world.lifetime_totals(item["id"])
        stats = item["statistics"]
        assert all(isinstance(v, str) for v in stats.values())
        assert int(stats["viewCount"]) == t["views"] and int(stats["likeCount"]) == t["likes"]
        assert int(stats["commentCount"]) == t["comments"] and stats["favoriteCount"] == "0"
        seconds = _parse_duration(item["contentDetails"]["duration"])
        assert seconds == c.duration_seconds
        kinds.add(seconds <= 180)
        assert (seconds <= 180) == c.is_short
        assert RFC3339.match(item["snippet"]["publishedAt"])
        assert item["snippet"]["channelId"] == channel
    assert kinds == {True, False}  # Shorts and long-form
    _google_error(api.yt("/youtube/v3/videos", part="statistics", id=",".join(["x"] * 51)), 400, "invalidFilters")
    assert api.yt("/youtube/v3/videos", part="statistics", id="doesnotexist").json()["items"] == []


def test_data_api_needs_a_bearer_token(api: Any) -> None:
    _google_error(api.yt("/youtube/v3/channels", token=None, part="id", mine="true"), 401, "authError")


# ------------------------------------------------------------------------------- analytics


def _report(api: Any, **params: Any) -> dict:
    r = api.yt("/v2/reports", **params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "youtubeAnalytics#resultTable"
    return body


def test_reports_columns_and_latency(api: Any, world: World, brands: dict) -> None:
    channel = brands["acme"]["youtube"]["channel_id"]
    short = next(c for c in world.account_contents("youtube", channel, world.end - timedelta(days=20)) if c.is_short)
    metrics = "likes,views,estimatedMinutesWatched,averageViewDuration,averageViewPercentage,engagedViews"
    body = _report(api, ids="channel==MINE", startDate="2026-09-01", endDate=str(world.end), metrics=metrics,
                   dimensions="day", filters=f"video=={short.content_id}")  # fmt: skip
    names = [h["name"] for h in body["columnHeaders"]]
    assert names == ["day", *metrics.split(",")]
    assert [h["columnType"] for h in body["columnHeaders"]] == ["DIMENSION"] + ["METRIC"] * 6
    types = {h["name"]: h["dataType"] for h in body["columnHeaders"]}
    assert types["views"] == "INTEGER" and types["averageViewPercentage"] == "FLOAT"
    rows = body["rows"]
    days = [date.fromisoformat(r[0]) for r in rows]
    latency = world.brand("acme").youtube_latency_days
    assert latency in (2, 3)
    assert days[0] == short.day0 and days[-1] == world.end - timedelta(days=latency)
    assert days == [short.day0 + timedelta(days=i) for i in range(len(days))]
    for r in rows:
        assert all(isinstance(v, int) for v in r[1:5]) and isinstance(r[5], float)
        assert r[6] <= r[2]  # engaged views <= views


def test_reports_rows_equal_the_truth(api: Any, world: World, brands: dict) -> None:
    channel = brands["cobalt"]["youtube"]["channel_id"]
    shorts = [c for c in world.account_contents("youtube", channel, world.end) if c.is_short][:5]
    truth = {
        (r["content_id"], r["metric_date"].isoformat()): r for r in world.truth_daily() if r["platform"] == "youtube"
    }
    for c in shorts:
        body = _report(api, ids=f"channel=={channel}", startDate="2026-08-01", endDate=str(world.end),
                       metrics="views,likes,comments,shares,estimatedMinutesWatched", dimensions="day",
                       filters=f"video=={c.content_id}")  # fmt: skip
        for day, views, likes, comments, shares, minutes in body.get("rows", []):
            t = truth[(c.content_id, day)]
            assert (views, likes, comments, shares) == (t["views"], t["likes"], t["comments"], t["shares"])
            assert minutes * 60 == t["watch_seconds"]


def test_reports_aggregate_several_videos(api: Any, world: World, brands: dict) -> None:
    channel = brands["acme"]["youtube"]["channel_id"]
    a, b = [c.content_id for c in world.account_contents("youtube", channel, world.end - timedelta(days=10))[:2]]
    common = {
        "ids": "channel==MINE",
        "startDate": "2026-11-01",
        "endDate": "2026-11-25",
        "metrics": "views,estimatedMinutesWatched",
        "dimensions": "day",
    }
    both = {r[0]: r[1:] for r in _report(api, **common, filters=f"video=={a},{b}")["rows"]}
    one = {r[0]: r[1:] for r in _report(api, **common, filters=f"video=={a}").get("rows", [])}
    two = {r[0]: r[1:] for r in _report(api, **common, filters=f"video=={b}").get("rows", [])}
    for day, (views, minutes) in both.items():
        assert views == one.get(day, [0, 0])[0] + two.get(day, [0, 0])[0]
        assert minutes == one.get(day, [0, 0])[1] + two.get(day, [0, 0])[1]
    total = _report(
        api,
        ids="channel==MINE",
        startDate="2026-11-01",
        endDate="2026-11-25",
        metrics="views",
        filters=f"video=={a},{b}",
    )
    assert total["rows"] == [[sum(v for v, _ in both.values())]]  # no dimension: one total row


def test_reports_rows_omitted_when_empty(api: Any, world: World) -> None:
    body = _report(
        api,
        ids="channel==MINE",
        startDate=str(world.end - timedelta(days=1)),
        endDate=str(world.end),
        metrics="views",
        dimensions="day",
    )
    assert "rows" not in body  # newest days are not there yet
    assert [h["name"] for h in body["columnHeaders"]] == ["day", "views"]
    body = _report(
        api,
        ids="channel==MINE",
        startDate="2026-11-01",
        endDate="2026-11-10",
        metrics="views",
        dimensions="day",
        filters="video==nosuchvideo",
    )
    assert "rows" not in body


def test_reports_paging_with_start_index(api: Any) -> None:
    common = {
        "ids": "channel==MINE",
        "startDate": "2026-10-01",
        "endDate": "2026-10-31",
        "metrics": "views",
        "dimensions": "day",
    }
    full = _report(api, **common)["rows"]
    pages, start = [], 1
    while True:
        rows = _report(api, **common, maxResults=10, startIndex=start).get("rows", [])
        if not rows:
            break
        pages.extend(rows)
        start += 10
    assert pages == full and len(full) == 31


def test_reports_dimensions_and_sort(api: Any) -> None:
    body = _report(api, ids="channel==MINE", startDate="2026-10-01", endDate="2026-10-31", metrics="views",
                   dimensions="creatorContentType")  # fmt: skip
    assert {r[0] for r in body["rows"]} == {"SHORTS", "VIDEO_ON_DEMAND"}
    body = _report(api, ids="channel==MINE", startDate="2026-10-01", endDate="2026-10-31", metrics="views",
                   dimensions="video", sort="-views", maxResults=5)  # fmt: skip
    views = [r[1] for r in body["rows"]]
    assert views == sorted(views, reverse=True) and len(views) == 5
    shorts_only = _report(api, ids="channel==MINE", startDate="2026-10-01", endDate="2026-10-31", metrics="views",
                          dimensions="creatorContentType", filters="creatorContentType==SHORTS")  # fmt: skip
    assert [r[0] for r in shorts_only["rows"]] == ["SHORTS"]


def test_reports_errors(api: Any) -> None:
    base = {"ids": "channel==MINE", "startDate": "2026-11-01", "endDate": "2026-11-20", "metrics": "views"}
    for missing in base:
        params = {k: v for k, v in base.items() if k != missing}
        _google_error(api.yt("/v2/reports", **params), 400, "badRequest")
    _google_error(api.yt("/v2/reports", **{**base, "metrics": "views,bogus"}), 400, "badRequest")
    _google_error(api.yt("/v2/reports", **{**base, "dimensions": "country"}), 400, "badRequest")
    _google_error(api.yt("/v2/reports", **{**base, "startDate": "2026-11-21"}), 400, "badRequest")
    _google_error(api.yt("/v2/reports", **{**base, "ids": "channel==UCnotachannel"}), 403, "forbidden")
    _google_error(api.yt("/v2/reports", token=None, **base), 401, "authError")
