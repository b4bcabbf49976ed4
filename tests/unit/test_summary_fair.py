"""What `make run` prints for the fair comparisons, from a small published file written here."""

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.stats.tiktok_vs_meta import compare
from dagster_project.summary import crosspost_winners, tiktok_vs_meta_verdicts

BASIS = {"tiktok": ("tiktok.video_views", "start_incl_replays"),
         "instagram_reels": ("instagram.views", "start_incl_replays"),
         "facebook_reels": ("facebook.fb_reels_total_plays", "start_incl_replays"),
         "youtube_shorts": ("youtube.engagedViews", "engaged_view")}

# group, surface, views winner, engagement winner (acme: 3 groups, globex: 1, plus a lone post)
CROSSPOSTS = [
    ("acme", "g1", "tiktok", True, False), ("acme", "g1", "instagram_reels", False, True),
    ("acme", "g2", "tiktok", True, True), ("acme", "g2", "facebook_reels", False, False),
    ("acme", "g2", "youtube_shorts", False, False),
    ("acme", "g3", "instagram_reels", True, True), ("acme", "g3", "tiktok", False, False),
    ("acme", "g6", "tiktok", None, None), ("acme", "g6", "facebook_reels", None, None),  # too young to judge
    ("globex", "g4", "youtube_shorts", True, False), ("globex", "g4", "tiktok", False, True),
    ("globex", "g5", "tiktok", True, True),  # posted on one platform only: not a cross-post
]


def _posts() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    rows = []
    for brand, surface, n, views, rate in (
            ("acme", "tiktok", 40, 2000, 0.08), ("acme", "instagram_reels", 40, 9000, 0.08),
            ("acme", "facebook_reels", 3, 500, 0.03), ("acme", "youtube_shorts", 30, 2000, 0.02),
            ("globex", "tiktok", 20, 50_000, 0.05), ("globex", "instagram_reels", 20, 5000, 0.05)):
        for i in range(n):
            day = date(2026, 10, 1) + timedelta(days=i)
            rows.append({"content_key": f"{surface}:{brand}:{i}", "brand": brand, "surface": surface,
                         "views_basis": BASIS[surface][0], "view_event": BASIS[surface][1],
                         "published_date": day, "published_date_reporting": day,
                         "views_d7": float(rng.normal(views, views * 0.1)),
                         "engagement_rate_d7": float(rng.normal(rate, rate * 0.1))})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    path = tmp_path_factory.mktemp("pub") / "marts.duckdb"
    cross = pd.DataFrame(CROSSPOSTS, columns=["brand", "crosspost_group_id", "surface", "is_views_winner",
                                              "is_engagement_winner"])
    cross["n_platforms"] = cross.groupby("crosspost_group_id")["surface"].transform("count")
    versus = compare(_posts(), n_resamples=400)
    conn = duckdb.connect(str(path))
    conn.register("c", cross)
    conn.register("v", versus)
    conn.execute("CREATE TABLE rpt_crosspost_comparison AS SELECT * FROM c")
    conn.execute("CREATE TABLE rpt_tiktok_vs_meta AS SELECT * FROM v")
    conn.close()
    return path


def test_crosspost_winners_count_wins_per_platform_and_groups(published):
    text = crosspost_winners(published)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100
    acme_views = next(line for line in lines if line.startswith("acme"))
    assert acme_views.split() == ["acme", "4", "7-day", "views", "3", "2", "1", "0", "0"]
    acme_rate = lines[lines.index(acme_views) + 1]
    assert acme_rate.split() == ["engagement", "rate", "3", "1", "2", "0", "0"]
    globex = next(line for line in lines if line.startswith("globex"))
    assert globex.split() == ["globex", "1", "7-day", "views", "1", "0", "0", "0", "1"]  # g5 is not cross-posted


def test_verdicts_with_intervals_per_brand(published):
    text = tiktok_vs_meta_verdicts(published)
    lines = text.splitlines()
    assert max(map(len, lines)) <= 100, max(lines, key=len)
    ig_views = next(line for line in lines if line.startswith("acme") and "IG Reels" in line)
    assert "views" in ig_views and ig_views.rstrip().endswith("IG Reels higher")
    assert "[+" in ig_views  # an interval entirely above zero
    fb = [line for line in lines if line.lstrip().startswith("FB Reels")]
    assert [line.rstrip().rsplit("  ", 1)[-1].strip() for line in fb] == \
        ["too few posts", "too few posts", "not compared", "not compared"]  # acme: 3 posts; globex: none
    globex_views = next(line for line in lines if line.startswith("globex"))
    assert globex_views.rstrip().endswith("TikTok higher")
    rate = [line for line in lines if "eng. rate" in line and "IG Reels" in line]
    assert rate and rate[0].rstrip().endswith("no clear difference")
    assert any(line.lstrip().startswith("YT Shorts*") for line in lines)  # engaged views vs starts
    assert "* the two surfaces count a view differently" in text


def test_missing_marts_say_so(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    assert crosspost_winners(path) == "(rpt_crosspost_comparison not published)"
    assert tiktok_vs_meta_verdicts(path) == "(rpt_tiktok_vs_meta not published)"
