"""Graph API: Instagram media + insights, Facebook Page Reels + video insights."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from connectors.sandbox import SandboxServer, World

GRAPH_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$")
IG_METRICS = (
    "views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time"
)


def _follow_next(http: requests.Session, first: requests.Response) -> list[dict]:
    items, r = [], first
    for _ in range(100):
        assert r.status_code == 200, r.text
        body = r.json()
        items.extend(body["data"])
        nxt = body.get("paging", {}).get("next")
        if not nxt:
            return items
        assert body["paging"]["cursors"]["after"]
        r = http.get(nxt, headers={"Authorization": "Bearer tok"}, timeout=5)
    raise AssertionError("paging did not end")


def _insights(body: dict) -> dict[str, Any]:
    out = {}
    for item in body["data"]:
        assert item["period"] == "lifetime"
        assert set(item) >= {"name", "period", "values", "title", "description", "id"}
        assert item["id"].endswith(f"/{item['name']}/lifetime")
        out[item["name"]] = item["values"][0]["value"]
    return out


def test_ig_media_pages_to_the_last_page(api: Any, http: requests.Session, world: World, brands: dict) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    fields = "id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count"
    first = api.graph(f"{ig}/media", fields=fields, limit=10)
    items = _follow_next(http, first)
    expected = world.account_contents("instagram", ig, world.end)
    assert [m["id"] for m in items] == [c.content_id for c in expected]
    reels = [m for m in items if m["media_product_type"] == "REELS"]
    feed = [m for m in items if m["media_product_type"] == "FEED"]
    assert reels and feed
    assert all(m["media_type"] == "VIDEO" for m in reels)
    assert all(m["media_type"] == "IMAGE" for m in feed)
    assert all(GRAPH_TIME.match(m["timestamp"]) for m in items)
    assert all(set(m) == set(fields.split(",")) for m in items)


def test_ig_media_last_page_has_no_next_and_limit_is_capped(api: Any, world: World, brands: dict) -> None:
    ig = brands["bloom"]["instagram"]["ig_user_id"]
    body = api.graph(f"{ig}/media", limit=1000).json()
    total = len(world.account_contents("instagram", ig, world.end))
    assert len(body["data"]) == min(total, 100)
    assert "next" not in body["paging"]
    assert set(body["paging"]["cursors"]) == {"before", "after"}
    body = api.graph(f"{ig}/media").json()
    assert len(body["data"]) == min(total, 25)  # default limit
    assert all(set(m) == {"id"} for m in body["data"])  # default fields


def test_next_url_keeps_the_query_and_the_token_param(
    api: Any, server: SandboxServer, http: requests.Session, brands: dict
) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    r = http.get(
        f"{server.url}/v23.0/{ig}/media",
        params={"fields": "id,timestamp", "limit": 2, "access_token": "tok"},
        timeout=5,
    )
    nxt = r.json()["paging"]["next"]
    assert nxt.startswith(f"{server.url}/v23.0/{ig}/media?")
    assert "fields=id%2Ctimestamp" in nxt and "limit=2" in nxt and "after=" in nxt and "access_token=tok" in nxt
    page2 = http.get(nxt, timeout=5).json()
    assert page2["data"][0]["id"] != r.json()["data"][0]["id"]
    prev = http.get(page2["paging"]["previous"], timeout=5).json()
    assert [m["id"] for m in prev["data"]] == [m["id"] for m in r.json()["data"]]


def test_ig_reel_insights_match_the_world(api: Any, world: World, brands: dict) -> None:
    ig = brands["cobalt"]["instagram"]["ig_user_id"]
    reels = [c for c in world.account_contents("instagram", ig, world.end) if c.is_short]
    for c in reels[:8]:
        r = api.graph(f"{c.content_id}/insights", metric=IG_METRICS)
        assert r.status_code == 200, r.text
        got = _insights(r.json())
        assert list(got) == IG_METRICS.split(",")
        t = world.lifetime_totals(c.content_id)
        assert got["views"] == t["views"] and got["reach"] == t["reach"]
        assert (got["likes"], got["comments"], got["shares"], got["saved"]) == (
            t["likes"],
            t["comments"],
            t["shares"],
            t["saves"],
        )
        assert got["total_interactions"] == t["likes"] + t["comments"] + t["shares"] + t["saves"]
        assert got["ig_reels_video_view_total_time"] == t["watch_ms"]  # ms, int
        assert isinstance(got["ig_reels_avg_watch_time"], int)
        if t["views"]:
            assert got["ig_reels_avg_watch_time"] == t["watch_ms"] // t["views"]


@pytest.mark.parametrize(
    "metric",
    ["plays", "impressions", "clips_replays_count", "ig_reels_aggregated_all_plays_count", "video_views", "bogus"],
)
def test_retired_or_unknown_metric_fails_the_whole_request(api: Any, world: World, brands: dict, metric: str) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    reel = next(c for c in world.account_contents("instagram", ig, world.end) if c.is_short)
    r = api.graph(f"{reel.content_id}/insights", metric=f"views,reach,{metric}")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == 100 and err["type"] == "OAuthException" and err["message"].startswith("(#100)")
    assert err["fbtrace_id"]
    assert "data" not in r.json()


def test_image_rejects_reels_only_metrics(api: Any, world: World, brands: dict) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    image = next(c for c in world.account_contents("instagram", ig, world.end) if not c.is_short)
    assert api.graph(f"{image.content_id}/insights", metric="views,reach,saved").status_code == 200
    r = api.graph(f"{image.content_id}/insights", metric="views,ig_reels_avg_watch_time")
    assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_any_graph_version_and_both_token_styles(
    api: Any, server: SandboxServer, http: requests.Session, brands: dict
) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    for version in ("v19.0", "v23.0", "v25.0"):
        assert api.graph(f"{ig}/media", version=version).status_code == 200
    assert http.get(f"{server.url}/v25.0/{ig}/media", params={"access_token": "t"}, timeout=5).status_code == 200
    r = api.graph(f"{ig}/media", token=None)
    assert r.status_code == 400 and r.json()["error"]["code"] == 104


def test_invalid_token_is_190(make_api: Any, strict_server: SandboxServer, brands: dict) -> None:
    strict = make_api(strict_server)
    ig = brands["acme"]["instagram"]["ig_user_id"]
    r = strict.graph(f"{ig}/media", token="nope")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == 190 and err["type"] == "OAuthException"
    assert strict.graph(f"{ig}/media", token="meta-good").status_code == 200


def test_usage_headers_on_success(api: Any, brands: dict) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    r = api.graph(f"{ig}/media")
    usage = json.loads(r.headers["X-App-Usage"])
    assert set(usage) == {"call_count", "total_time", "total_cputime"} and max(usage.values()) < 95
    buc = json.loads(r.headers["X-Business-Use-Case-Usage"])
    entry = buc[ig][0]
    assert entry["type"] == "instagram" and entry["estimated_time_to_regain_access"] == 0
    page = brands["acme"]["facebook"]["page_id"]
    buc = json.loads(api.graph(f"{page}/video_reels").headers["X-Business-Use-Case-Usage"])
    assert buc[page][0]["type"] == "pages"


def test_unknown_object_and_field(api: Any, brands: dict) -> None:
    r = api.graph("123456789/media")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == 100 and err["error_subcode"] == 33
    ig = brands["acme"]["instagram"]["ig_user_id"]
    r = api.graph(f"{ig}/media", fields="id,plays")
    assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_ig_user_and_media_nodes(api: Any, world: World, brands: dict) -> None:
    ig = brands["acme"]["instagram"]["ig_user_id"]
    body = api.graph(ig, fields="id,username,media_count").json()
    assert body["id"] == ig and body["media_count"] == len(world.account_contents("instagram", ig, world.end))
    reel = next(c for c in world.account_contents("instagram", ig, world.end) if c.is_short)
    body = api.graph(reel.content_id, fields="id,like_count,owner").json()
    assert body == {
        "id": reel.content_id,
        "like_count": world.lifetime_totals(reel.content_id)["likes"],
        "owner": {"id": ig},
    }


def test_fb_video_reels_pages_to_the_last_page(api: Any, http: requests.Session, world: World, brands: dict) -> None:
    page = brands["bloom"]["facebook"]["page_id"]
    fields = "id,description,title,created_time,length,permalink_url,published"
    items = _follow_next(http, api.graph(f"{page}/video_reels", fields=fields, limit=6))
    expected = world.account_contents("facebook", page, world.end)
    assert [v["id"] for v in items] == [c.content_id for c in expected]
    for v, c in zip(items, expected, strict=True):
        assert GRAPH_TIME.match(v["created_time"])
        assert isinstance(v["length"], float) and v["length"] == round(c.duration_seconds, 3)
        assert v["description"] == c.caption
        assert v["published"] is True
    assert any("title" in v for v in items) and any("title" not in v for v in items)  # Graph omits empty fields


def test_fb_video_insights_match_the_world(api: Any, world: World, brands: dict) -> None:
    page = brands["acme"]["facebook"]["page_id"]
    truth = world.truth_daily()
    for c in world.account_contents("facebook", page, world.end)[:6]:
        body = api.graph(f"{c.content_id}/video_insights").json()  # metric is optional
        got = _insights(body)
        t = world.lifetime_totals(c.content_id)
        assert got["fb_reels_total_plays"] == t["views"]
        assert got["blue_reels_play_count"] + got["fb_reels_replay_count"] == got["fb_reels_total_plays"]
        assert got["post_impressions_unique"] == t["reach"]
        assert got["post_video_view_time"] == t["watch_ms"]
        assert got["post_video_social_actions"] == {"COMMENT": t["comments"], "SHARE": t["shares"]}
        assert sum(got["post_video_likes_by_reaction_type"].values()) == t["likes"]
        assert set(got["post_video_likes_by_reaction_type"]) <= {
            "REACTION_LIKE", "REACTION_LOVE", "REACTION_HAHA", "REACTION_WOW", "REACTION_SAD", "REACTION_ANGRY"
        }  # fmt: skip
        assert isinstance(got["post_video_avg_time_watched"], int)
        assert sum(r["views"] for r in truth if r["content_id"] == c.content_id) == t["views"]
    c = world.account_contents("facebook", page, world.end)[0]
    body = api.graph(f"{c.content_id}/video_insights", metric="fb_reels_total_plays,post_video_social_actions").json()
    assert [d["name"] for d in body["data"]] == ["fb_reels_total_plays", "post_video_social_actions"]
    r = api.graph(f"{c.content_id}/video_insights", metric="fb_reels_total_plays,total_video_impressions_bogus")
    assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_content_of_another_platform_is_not_a_graph_object(api: Any, world: World, brands: dict) -> None:
    tiktok_id = world.account_contents("tiktok", brands["acme"]["tiktok"]["business_id"])[0].content_id
    r = api.graph(f"{tiktok_id}/insights", metric="views")
    assert r.status_code == 400 and r.json()["error"]["error_subcode"] == 33
