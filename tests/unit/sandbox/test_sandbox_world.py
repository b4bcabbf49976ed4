"""The world: determinism, accounts, content mix, and ground truth consistent with lifetime totals."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.sandbox import World, WorldSettings

ID_PATTERNS = {
    "tiktok": re.compile(r"^\d{19}$"),
    "instagram": re.compile(r"^\d{17,18}$"),
    "facebook": re.compile(r"^\d{15,16}$"),
    "youtube": re.compile(r"^[A-Za-z0-9_-]{11}$"),
}
SURFACES = {
    "tiktok": "tiktok",
    "instagram": "instagram_reels",
    "facebook": "facebook_reels",
    "youtube": "youtube_shorts",
}


def test_same_settings_give_the_same_world(world: World) -> None:
    again = World(WorldSettings())
    assert again.accounts_config() == world.accounts_config()
    assert again.contents() == world.contents()
    assert again.truth_daily() == world.truth_daily()


def test_another_seed_gives_another_world(world: World) -> None:
    other = World(WorldSettings(seed=7))
    assert other.accounts_config() != world.accounts_config()
    assert [c["content_id"] for c in other.contents()] != [c["content_id"] for c in world.contents()]


def test_a_shorter_world_is_a_prefix_of_a_longer_one(world: World) -> None:
    cut = date(2026, 10, 15)
    short = World(WorldSettings(end=cut))
    assert short.accounts_config() == world.accounts_config()
    longer = {c["content_id"]: c for c in world.contents(as_of=cut)}
    mine = {c["content_id"]: c for c in short.contents()}
    assert set(mine) <= set(longer)
    assert len(set(longer) - set(mine)) <= 6  # posts of later local days that are already `cut` in UTC
    for cid, c in mine.items():
        other = dict(longer[cid])
        if other["restatement_date"] and other["restatement_date"] > cut:
            other["restatement_date"] = None
        assert c == other
    assert short.truth_daily() == [r for r in world.truth_daily(as_of=cut) if r["content_id"] in mine]


def test_accounts_config_shape(world: World) -> None:
    cfg = world.accounts_config()
    brands = cfg["brands"]
    assert list(brands) == ["acme", "bloom", "cobalt"]
    zones = [b["timezone"] for b in brands.values()]
    assert len(set(zones)) == len(zones)
    for slug, block in brands.items():
        ZoneInfo(block["timezone"])  # a real IANA zone
        assert set(block) == {"timezone", "tiktok", "instagram", "facebook", "meta_ads", "youtube"}
        assert isinstance(block["tiktok"]["business_id"], str) and block["tiktok"]["business_id"]
        assert re.fullmatch(r"\d{16,19}", block["tiktok"]["advertiser_id"])
        assert re.fullmatch(r"act_\d{15,16}", block["meta_ads"]["ad_account_id"])
        assert re.fullmatch(r"\d{17}", block["instagram"]["ig_user_id"])
        assert re.fullmatch(r"\d{15,16}", block["facebook"]["page_id"])
        assert re.fullmatch(r"UC[A-Za-z0-9_-]{22}", block["youtube"]["channel_id"]), slug


def test_more_brands_get_distinct_slugs_and_zones() -> None:
    big = World(WorldSettings(n_brands=8, end=date(2026, 9, 10)))
    brands = big.accounts_config()["brands"]
    assert len(brands) == 8
    assert len({b["timezone"] for b in brands.values()}) == 8
    assert all(re.fullmatch(r"[a-z][a-z0-9]*", slug) for slug in brands)


def test_every_brand_posts_on_every_surface(world: World) -> None:
    seen = defaultdict(set)
    for c in world.contents(shorts_only=True):
        seen[c["brand"]].add(c["surface"])
        assert c["surface"] == SURFACES[c["platform"]]
        assert ID_PATTERNS[c["platform"]].match(c["content_id"]), c
        assert c["published_at"].tzinfo is not None
    assert all(s == set(SURFACES.values()) for s in seen.values())
    assert set(seen) == {"acme", "bloom", "cobalt"}


def test_content_ids_are_unique(world: World) -> None:
    ids = [c["content_id"] for c in world.contents()]
    assert len(ids) == len(set(ids))


def test_cross_posted_creatives_share_caption_and_duration(world: World) -> None:
    by_creative = defaultdict(list)
    for c in world.contents(shorts_only=True):
        by_creative[c["creative_id"]].append(c)
    multi = [v for v in by_creative.values() if len(v) > 1]
    single = [v for v in by_creative.values() if len(v) == 1]
    assert len(multi) > 20 and len(single) > 20
    for posts in multi:
        assert 2 <= len(posts) <= 4
        assert len({p["platform"] for p in posts}) == len(posts)
        assert len({p["brand"] for p in posts}) == 1
        assert len({p["caption"] for p in posts}) == 1
        durations = [p["duration_seconds"] for p in posts]
        assert max(durations) - min(durations) <= 0.5  # YouTube serves whole seconds
        times = [p["published_at"] for p in posts]
        assert max(times) - min(times) <= timedelta(hours=36)
        assert all(p["is_cross_posted"] for p in posts)
    share = sum(len(v) for v in multi) / sum(len(v) for v in by_creative.values())
    assert 0.45 <= share <= 0.75


def test_youtube_has_shorts_and_long_form_instagram_has_images(world: World) -> None:
    yt = [c for c in world.contents() if c["platform"] == "youtube"]
    shorts = [c for c in yt if c["is_short"]]
    longs = [c for c in yt if not c["is_short"]]
    assert shorts and longs
    assert all(c["duration_seconds"] <= 180 for c in shorts)
    assert any(c["duration_seconds"] > 60 for c in shorts)  # 3-minute Shorts exist
    assert all(c["duration_seconds"] > 180 and c["kind"] == "long_form" for c in longs)
    images = [c for c in world.contents() if c["platform"] == "instagram" and not c["is_short"]]
    assert images and all(c["kind"] == "feed_image" and c["media_type"] == "IMAGE" for c in images)


def test_posting_rate_follows_settings(world: World) -> None:
    weeks = ((world.end - world.start).days + 1) / 7
    per_surface = defaultdict(int)
    for c in world.contents(shorts_only=True):
        per_surface[(c["brand"], c["platform"])] += 1
    for n in per_surface.values():
        assert 1.5 * weeks <= n <= 4.5 * weeks


@pytest.mark.parametrize("as_of", [date(2026, 10, 3), date(2026, 11, 28)])
def test_truth_sums_to_lifetime_totals(world: World, as_of: date) -> None:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    last_reach: dict[str, int | None] = {}
    for row in world.truth_daily(as_of=as_of):
        assert row["metric_date"] <= as_of
        s = sums[row["content_id"]]
        for key in ("views", "likes", "comments", "shares", "watch_seconds"):
            s[key] += row[key]
        if row["saves"] is not None:
            s["saves"] += row["saves"]
        last_reach[row["content_id"]] = row["reach_cumulative"]
    shorts = world.contents(as_of=as_of, shorts_only=True)
    assert {c["content_id"] for c in shorts} == set(sums)
    for c in shorts:
        total = world.lifetime_totals(c["content_id"], as_of)
        assert total is not None
        s = sums[c["content_id"]]
        for key in ("views", "likes", "comments", "shares"):
            assert s[key] == total[key], (c["content_id"], key)
        assert s["watch_seconds"] == pytest.approx(total["watch_seconds"], abs=1e-6)
        if c["platform"] in ("facebook", "youtube"):
            assert total["saves"] is None
        else:
            assert s["saves"] == total["saves"]
        assert last_reach[c["content_id"]] == total["reach"]


def test_truth_rows_shape(world: World) -> None:
    rows = world.truth_daily()
    keys = {"platform", "surface", "brand", "account_id", "content_id", "metric_date", "views", "likes",
            "comments", "shares", "saves", "watch_seconds", "reach_cumulative"}  # fmt: skip
    assert keys <= set(rows[0])
    assert all(r["is_short"] for r in rows)
    published = {c["content_id"]: c["published_date"] for c in world.contents()}
    for r in rows:
        assert isinstance(r["metric_date"], date)
        assert r["metric_date"] >= published[r["content_id"]]
        assert isinstance(r["watch_seconds"], float)
        if r["platform"] == "youtube":
            assert r["saves"] is None and r["reach_cumulative"] is None
            assert r["watch_seconds"] % 60 == 0  # served as whole minutes
        elif r["platform"] == "facebook":
            assert r["saves"] is None and r["reach_cumulative"] is not None
        else:
            assert r["saves"] is not None and r["reach_cumulative"] is not None
    with_long = world.truth_daily(shorts_only=False)
    assert len(with_long) > len(rows) and any(not r["is_short"] for r in with_long)


def test_youtube_truth_uses_los_angeles_days(world: World) -> None:
    la = ZoneInfo("America/Los_Angeles")
    for c in world.contents():
        if c["platform"] == "youtube":
            assert c["published_date"] == c["published_at"].astimezone(la).date()
        else:
            assert c["published_date"] == c["published_at"].date()


def test_restatements_are_rare_negative_days(world: World) -> None:
    lifetime_shorts = [c for c in world.contents(shorts_only=True) if c["platform"] != "youtube"]
    restated = [c for c in lifetime_shorts if c["restatement_date"] is not None]
    assert 0 < len(restated) <= 0.1 * len(lifetime_shorts)
    rows = {(r["content_id"], r["metric_date"]): r for r in world.truth_daily()}
    for c in restated:
        day = c["restatement_date"]
        row = rows[(c["content_id"], day)]
        before = world.lifetime_totals(c["content_id"], day - timedelta(days=1))
        after = world.lifetime_totals(c["content_id"], day)
        assert row["views"] < 0
        assert 0.009 <= -row["views"] / before["views"] <= 0.051
        assert after["views"] < before["views"]
        assert after["likes"] >= before["likes"]  # only views (and reach) are restated
    # no other negative days anywhere
    negatives = {(r["content_id"], r["metric_date"]) for r in rows.values() if r["views"] < 0}
    assert negatives == {(c["content_id"], c["restatement_date"]) for c in restated}
    for r in rows.values():
        assert min(r["likes"], r["comments"], r["shares"], r["watch_seconds"]) >= 0


def test_metrics_are_plausible(world: World) -> None:
    for c in world.contents(shorts_only=True):
        t = world.lifetime_totals(c["content_id"])
        assert t["views"] >= 0
        assert t["likes"] <= t["views"] and t["comments"] <= t["likes"] + 5
        if t["reach"] is not None:
            assert t["reach"] <= t["views"]
        if t["views"] > 100:
            avg = t["watch_seconds"] / t["views"]
            assert 0 < avg <= c["duration_seconds"] * 1.5


def test_lifetime_totals_before_publish_is_none(world: World) -> None:
    c = world.contents()[-1]
    assert world.lifetime_totals(c["content_id"], c["published_date"] - timedelta(days=1)) is None
    assert world.lifetime_totals(c["content_id"], c["published_date"]) is not None


def test_contents_as_of_filters_unpublished(world: World) -> None:
    cut = date(2026, 10, 1)
    early = world.contents(as_of=cut)
    assert 0 < len(early) < len(world.contents())
    assert all(c["published_date"] <= cut for c in early)


def test_settings_validate() -> None:
    with pytest.raises(ValueError):
        WorldSettings(n_brands=0)
    with pytest.raises(ValueError):
        WorldSettings(history_start=date(2026, 9, 2), end=date(2026, 9, 1))
