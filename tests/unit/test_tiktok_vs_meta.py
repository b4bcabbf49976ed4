"""The TikTok-vs-Meta comparison logic (the dbt Python model's body) on small frames built by hand."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from dagster_project.stats.tiktok_vs_meta import COLUMNS, compare

EVENTS = {"tiktok.video_views": "start_incl_replays", "instagram.views": "start_incl_replays",
          "instagram.plays": "start_excl_replays", "facebook.fb_reels_total_plays": "start_incl_replays"}


def _posts(brand, surface, basis, first: date, days: int, views: float, rate: float, rng) -> list[dict]:
    rows = []
    for i in range(days):
        v = float(rng.normal(views, views * 0.05))
        rows.append({"content_key": f"{surface}:{brand}:{i}", "brand": brand, "surface": surface,
                     "views_basis": basis, "view_event": EVENTS[basis],
                     "published_date": first + timedelta(days=i), "published_date_reporting": first + timedelta(days=i),
                     "views_d7": v, "engagement_rate_d7": float(rng.normal(rate, rate * 0.05))})
    return rows


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = (_posts("acme", "tiktok", "tiktok.video_views", date(2026, 9, 1), 40, 1000, 0.08, rng)
            + _posts("acme", "instagram_reels", "instagram.views", date(2026, 9, 10), 40, 5000, 0.08, rng)
            + _posts("acme", "facebook_reels", "facebook.fb_reels_total_plays", date(2026, 9, 12), 3, 200, 0.02, rng))
    return pd.DataFrame(rows)


def _row(out, period, other, metric):
    sel = out[(out["period"] == period) & (out["other_surface"] == other) & (out["metric"] == metric)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_columns_and_one_row_per_brand_period_surface_metric(frame):
    out = compare(frame, n_resamples=500)
    assert list(out.columns) == [c for c, _ in COLUMNS]
    assert not out.duplicated(["brand", "period", "other_surface", "metric"]).any()
    # acme x instagram: common dates 2026-09-10 .. 2026-10-10 -> periods all, 2026-09, 2026-10
    assert set(out[out["other_surface"] == "instagram_reels"]["period"]) == {"all", "2026-09", "2026-10"}


def test_both_sides_are_compared_over_the_same_publish_dates(frame):
    out = compare(frame, n_resamples=500)
    r = _row(out, "all", "instagram_reels", "views_d7")
    assert (r["window_start"], r["window_end"]) == (date(2026, 9, 10), date(2026, 10, 10))
    assert r["n_tiktok"] == 31 and r["n_other"] == 31  # one post a day on each side inside the window
    assert r["tiktok_first_published_date"] == date(2026, 9, 10)
    assert r["other_last_published_date"] == date(2026, 10, 10)
    sept = _row(out, "2026-09", "instagram_reels", "views_d7")
    assert (sept["window_start"], sept["window_end"], sept["n_tiktok"]) == (date(2026, 9, 10), date(2026, 9, 30), 21)


def test_verdicts_sign_and_small_samples(frame):
    out = compare(frame, n_resamples=500)
    views = _row(out, "all", "instagram_reels", "views_d7")
    assert views["is_distinguishable"] is True and views["verdict"] == "instagram_reels higher"
    assert views["median_diff_other_minus_tiktok"] > 3000 and views["ci_low"] > 0
    rate = _row(out, "all", "instagram_reels", "engagement_rate_d7")
    assert rate["ci_low"] <= 0 <= rate["ci_high"] and rate["is_distinguishable"] is False
    fb = _row(out, "all", "facebook_reels", "views_d7")
    assert fb["n_other"] == 3 and fb["is_distinguishable"] is None and fb["ci_low"] is None
    assert fb["verdict"].startswith("too few posts")
    yt = _row(out, "all", "youtube_shorts", "views_d7")
    assert yt["n_other"] == 0 and yt["window_start"] is None and yt["n_tiktok"] == 0
    assert views["views_bases_differ"] is False


def test_a_side_never_mixes_two_views_bases(frame):
    rng = np.random.default_rng(6)
    history = pd.DataFrame(
        _posts("old", "tiktok", "tiktok.video_views", date(2025, 4, 1), 40, 1000, 0.05, rng)
        + _posts("old", "instagram_reels", "instagram.plays", date(2025, 4, 1), 20, 900, 0.05, rng)
        + _posts("old", "instagram_reels", "instagram.views", date(2025, 4, 21), 20, 1500, 0.05, rng))
    out = compare(history, n_resamples=300)
    april = _row(out, "2025-04", "instagram_reels", "views_d7")
    assert april["other_views_basis"] == "instagram.views" and april["other_posts_other_basis"] == 20
    assert april["n_other"] == 10 and april["views_bases_differ"] is False
    whole = _row(out, "all", "instagram_reels", "views_d7")
    assert whole["other_views_basis"] == "instagram.views" and whole["other_posts_other_basis"] == 20
    # a month entirely before the change compares plays, and says the events differ
    march_like = history[history["published_date"] < date(2025, 4, 21)]
    early = _row(compare(march_like, n_resamples=300), "all", "instagram_reels", "views_d7")
    assert early["other_views_basis"] == "instagram.plays" and early["views_bases_differ"] is True


def test_deterministic_and_independent_of_other_brands(frame):
    first = compare(frame, n_resamples=300)
    again = compare(frame.sample(frac=1, random_state=1), n_resamples=300)
    pd.testing.assert_frame_equal(first, again)
    extra = pd.DataFrame(_posts("zeta", "tiktok", "tiktok.video_views", date(2026, 9, 1), 10, 10, 0.1,
                                np.random.default_rng(9)))
    with_more = compare(pd.concat([frame, extra]), n_resamples=300)
    pd.testing.assert_frame_equal(first, with_more[with_more["brand"] == "acme"].reset_index(drop=True))


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="views_basis"):
        compare(pd.DataFrame({"brand": ["a"], "surface": ["tiktok"]}))


def test_memo_reuses_intervals_of_unchanged_comparisons_bit_for_bit(frame):
    """What the dbt model does between two daily builds: the intervals of the first build are
    kept; the next build recomputes only comparisons whose samples changed, and its table equals
    a build without any memo."""
    from dagster_project.stats.bootstrap import IntervalMemo

    first_memo = IntervalMemo()
    first = compare(frame, n_resamples=300, memo=first_memo)
    pd.testing.assert_frame_equal(first, compare(frame, n_resamples=300))
    computed = first_memo.misses
    assert computed > 0 and first_memo.hits == 0 and len(first_memo.used) <= computed

    # the next day: one late October TikTok post's day-7 views restated; September is settled
    changed = frame.copy()
    late = changed.index[(changed["surface"] == "tiktok") & (changed["published_date"] == date(2026, 10, 10))]
    changed.loc[late, "views_d7"] += 1.0
    memo = IntervalMemo(first_memo.used)
    again = compare(changed, n_resamples=300, memo=memo)
    pd.testing.assert_frame_equal(again, compare(changed, n_resamples=300))
    assert memo.misses > 0 and memo.hits > 0  # the 'all' and 2026-10 views comparisons are recomputed
    assert memo.misses < computed
    stale = set(first_memo.used) - set(memo.used)
    assert stale and all(k not in memo.used for k in stale)  # entries no longer needed are not kept

    # another setting is another digest: nothing is reused
    other = IntervalMemo(first_memo.used)
    compare(frame, n_resamples=400, memo=other)
    assert other.hits == 0


def test_memo_digest_separates_samples_settings_and_method():
    from dagster_project.stats.bootstrap import IntervalMemo

    a, b = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0])
    key = IntervalMemo.digest(a, b, 2000, 0.95, 7)
    assert key == IntervalMemo.digest(a.copy(), b.copy(), 2000, 0.95, 7)
    assert len({key,
                IntervalMemo.digest(b, a, 2000, 0.95, 7),
                IntervalMemo.digest(np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0]), 2000, 0.95, 7),
                IntervalMemo.digest(a, b, 2001, 0.95, 7),
                IntervalMemo.digest(a, b, 2000, 0.9, 7),
                IntervalMemo.digest(a, b, 2000, 0.95, 8)}) == 6
