"""The sandbox serves the 2025 definition changes (docs/DESIGN.md, "Fair comparisons").

Instagram insights answer `plays` and reject `views` (Graph code 100) for as-of dates before
2025-04-21, the reverse from then on; YouTube Analytics `views` of days before 2025-03-31 equal
`engagedViews`. The connector falls back to `plays` once and lands it in the payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests

from connectors.meta import IG_REEL_METRICS, IG_REEL_METRICS_LEGACY, MetaClient
from connectors.sandbox import SandboxServer, World, WorldSettings
from connectors.sandbox.world import INSTAGRAM_VIEWS_FROM, YOUTUBE_VIEWS_FROM

V = "v25.0"


@pytest.fixture(scope="module")
def world_2025() -> World:
    return World(WorldSettings(n_brands=1, history_start=date(2025, 3, 20), end=date(2025, 4, 30),
                               posts_per_week=2.0))


@pytest.fixture(scope="module")
def srv(world_2025: World) -> Iterator[SandboxServer]:
    server = SandboxServer(world_2025, host="127.0.0.1", port=0).start()
    yield server
    server.stop()


def reels(world: World, as_of: date) -> list:
    brand = world.brands[0]
    return [c for c in world.account_contents("instagram", brand.ig_user_id, as_of) if c.is_short]


def insights(srv: SandboxServer, media_id: str, metric: str) -> requests.Response:
    return requests.get(f"{srv.url}/{V}/{media_id}/insights", params={"metric": metric},
                        headers={"Authorization": "Bearer t"}, timeout=10)


def truth_total(world: World, content_id: str, column: str, as_of: date) -> int:
    return sum(r[column] for r in world.truth_daily(as_of=as_of) if r["content_id"] == content_id)


def test_truth_has_per_basis_columns_only_where_they_exist(world_2025):
    rows = world_2025.truth_daily()
    by_platform = {r["platform"]: r for r in rows}
    assert set(by_platform) == {"tiktok", "instagram", "facebook", "youtube"}
    for r in rows:
        assert (r["plays"] is not None) == (r["platform"] == "instagram")
        assert (r["engaged_views"] is not None) == (r["platform"] == "youtube")
    # plays exclude replays: never more than views over a post's life
    totals: dict[str, list[int]] = {}
    for r in rows:
        if r["platform"] == "instagram":
            acc = totals.setdefault(r["content_id"], [0, 0])
            acc[0] += r["plays"]
            acc[1] += r["views"]
    assert totals and all(0 < plays < views for plays, views in totals.values() if views > 50)


def test_instagram_serves_plays_before_the_change_and_views_from_it(srv, world_2025):
    before = INSTAGRAM_VIEWS_FROM - timedelta(days=1)
    srv.set_as_of(before)
    reel = reels(world_2025, before)[0]
    rejected = insights(srv, reel.content_id, IG_REEL_METRICS)
    assert rejected.status_code == 400
    error = rejected.json()["error"]
    assert error["code"] == 100 and "metric" in error["message"] and "plays" in error["message"]
    ok = insights(srv, reel.content_id, IG_REEL_METRICS_LEGACY)
    assert ok.status_code == 200, ok.text
    served = {item["name"]: item["values"][0]["value"] for item in ok.json()["data"]}
    assert "views" not in served
    assert served["plays"] == truth_total(world_2025, reel.content_id, "plays", before)

    srv.set_as_of(INSTAGRAM_VIEWS_FROM)
    retired = insights(srv, reel.content_id, IG_REEL_METRICS_LEGACY)
    assert retired.status_code == 400 and retired.json()["error"]["code"] == 100
    assert "plays metric is no longer supported" in retired.json()["error"]["message"]
    now = insights(srv, reel.content_id, IG_REEL_METRICS)
    served = {item["name"]: item["values"][0]["value"] for item in now.json()["data"]}
    assert served["views"] == truth_total(world_2025, reel.content_id, "views", INSTAGRAM_VIEWS_FROM)


def test_youtube_views_before_2025_03_31_are_engaged_views(srv, world_2025):
    brand = world_2025.brands[0]
    shorts = [c for c in world_2025.account_contents("youtube", brand.youtube_channel_id) if c.is_short
              and c.day0 < YOUTUBE_VIEWS_FROM - timedelta(days=2)]
    assert shorts
    video = shorts[-1]  # the oldest
    srv.set_as_of(date(2025, 4, 10))
    r = requests.get(f"{srv.url}/v2/reports", headers={"Authorization": "Bearer t"}, timeout=10, params={
        "ids": f"channel=={brand.youtube_channel_id}", "startDate": str(video.day0), "endDate": "2025-04-05",
        "metrics": "views,engagedViews", "dimensions": "day", "filters": f"video=={video.content_id}"})
    assert r.status_code == 200, r.text
    served = {date.fromisoformat(day): (views, engaged) for day, views, engaged in r.json()["rows"]}
    truth = {row["metric_date"]: row for row in world_2025.truth_daily() if row["content_id"] == video.content_id}
    assert min(served) < YOUTUBE_VIEWS_FROM <= max(served)
    for day, (views, engaged) in served.items():
        assert engaged == truth[day]["engaged_views"]
        expected = truth[day]["engaged_views"] if day < YOUTUBE_VIEWS_FROM else truth[day]["views"]
        assert views == expected, day
    assert any(truth[d]["views"] != truth[d]["engaged_views"] for d in served if d < YOUTUBE_VIEWS_FROM)


def test_connector_falls_back_to_plays_once_and_keeps_it_for_the_account(srv, world_2025):
    before = INSTAGRAM_VIEWS_FROM - timedelta(days=2)
    srv.set_as_of(before)
    brand = world_2025.brands[0]
    expected = reels(world_2025, before)
    assert len(expected) >= 2
    client = MetaClient(base_url=srv.url, token="t", max_attempts=1)
    start = len(srv.request_log)
    records = list(client.iter_instagram_reels(brand.ig_user_id))
    insight_calls = [p for _, p in srv.request_log[start:] if p.endswith("/insights")]
    assert {r.object_id for r in records} == {c.content_id for c in expected}
    for rec in records:
        assert "views" not in rec.payload["insights"]
        assert rec.payload["insights"]["plays"] == truth_total(world_2025, rec.object_id, "plays", before)
    assert len(insight_calls) == len(records) + 1  # one rejected request, then plays only

    srv.set_as_of(INSTAGRAM_VIEWS_FROM)
    start = len(srv.request_log)
    records = list(client.iter_instagram_reels(brand.ig_user_id))
    assert all("views" in r.payload["insights"] and "plays" not in r.payload["insights"] for r in records)
    assert len([p for _, p in srv.request_log[start:] if p.endswith("/insights")]) == len(records)
