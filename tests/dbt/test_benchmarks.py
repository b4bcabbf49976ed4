"""Benchmarks and TikTok-vs-Meta marts built by `dbt build` on a sandbox run, checked against the
sandbox World's ground truth: the same-age values, percent ranks, quartiles, medians and sample
sizes are recomputed here from `World.truth_daily()` and `World.contents()`, never from the
warehouse's own numbers. The warehouse is built once for the module (two brands, 15 daily pulls).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pytest

from connectors.sandbox import World, WorldSettings
from tests.integration.sandbox_run import dbt_build, pull_days, sandbox_env

pytestmark = pytest.mark.slow

FIRST_PULL = date(2026, 10, 17)
LAST_PULL = date(2026, 10, 31)
PACIFIC = ZoneInfo("America/Los_Angeles")
MARTS = "+rpt_content_benchmarks +rpt_surface_benchmarks +rpt_tiktok_vs_meta"


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldSettings(n_brands=2, history_start=date(2026, 9, 25), end=LAST_PULL))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, world) -> Path:
    tmp = tmp_path_factory.mktemp("benchmarks")
    days = [FIRST_PULL + timedelta(days=i) for i in range((LAST_PULL - FIRST_PULL).days + 1)]
    with sandbox_env(world, tmp) as server:
        pull_days(server, days)
    db = tmp / "warehouse.duckdb"
    result = dbt_build(db, tmp, select=MARTS)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return db


def _publish_day(content: dict[str, Any]) -> date:
    """Publish day on the platform's own day basis (Pacific for YouTube Analytics, else UTC)."""
    at = content["published_at"]
    return at.astimezone(PACIFIC).date() if content["platform"] == "youtube" else at.date()


@pytest.fixture(scope="module")
def truth_d7(world) -> dict[str, dict[str, Any]]:
    """content_id -> true views, engagements and watch seconds through the end of age day 7."""
    published = {str(c["content_id"]): _publish_day(c) for c in world.contents()}
    acc: dict[str, dict[str, Any]] = defaultdict(lambda: {"views": 0, "engagements": 0, "watch": 0.0})
    for r in world.truth_daily():
        cid = str(r["content_id"])
        if cid in published and r["metric_date"] <= published[cid] + timedelta(days=7):
            acc[cid]["views"] += r["views"]
            acc[cid]["engagements"] += r["likes"] + r["comments"] + r["shares"] + (r["saves"] or 0)
            acc[cid]["watch"] += float(r["watch_seconds"])
    return {cid: {**v, "published": published[cid]} for cid, v in acc.items()}


def frame(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).df()


@pytest.fixture(scope="module")
def benchmarks(warehouse, truth_d7) -> pd.DataFrame:
    """The mart's posts, with the truth's day-7 values next to them."""
    df = frame(warehouse, "SELECT * FROM marts.rpt_content_benchmarks")
    df["true_views"] = [truth_d7[c]["views"] for c in df["content_id"]]
    df["true_rate"] = [truth_d7[c]["engagements"] / truth_d7[c]["views"] if truth_d7[c]["views"] else np.nan
                       for c in df["content_id"]]
    df["true_published"] = [truth_d7[c]["published"] for c in df["content_id"]]
    return df


def test_every_surface_has_posts_and_same_age_values_are_the_truth(benchmarks):
    counts = benchmarks.groupby(["brand", "surface"]).size()
    assert len(counts) == 8 and counts.min() >= 1 and (counts >= 5).sum() >= 5, counts
    assert (benchmarks["views_d7"] == benchmarks["true_views"]).all()
    assert np.allclose(benchmarks["engagement_rate_d7"], benchmarks["true_rate"], rtol=1e-12, equal_nan=True)
    assert (pd.to_datetime(benchmarks["published_date"]).dt.date == benchmarks["true_published"]).all()


def _percent_rank(values: pd.Series) -> pd.Series:
    n = values.notna().sum()
    ranks = values.rank(method="min")
    return (ranks - 1) / (n - 1) if n > 1 else ranks * 0


@pytest.mark.parametrize("metric,truth_col", [("views_d7", "true_views"), ("engagement_rate_d7", "true_rate")])
def test_percent_ranks_within_brand_and_portfolio(benchmarks, metric, truth_col):
    df = benchmarks
    brand_expected = df.groupby(["brand", "surface", "views_basis"])[truth_col].transform(_percent_rank)
    portfolio_expected = df.groupby(["surface", "views_basis"])[truth_col].transform(_percent_rank)
    assert np.allclose(df[f"{metric}_pct_rank_brand"], brand_expected, atol=1e-12, equal_nan=True)
    assert np.allclose(df[f"{metric}_pct_rank_portfolio"], portfolio_expected, atol=1e-12, equal_nan=True)
    ranked = df[df[truth_col].notna()]
    top = ranked.loc[ranked.groupby(["brand", "surface"])[truth_col].idxmax()]
    several = ranked.groupby(["brand", "surface"])[truth_col].count().loc[list(zip(top["brand"], top["surface"],
                                                                                  strict=True))].to_numpy() > 1
    assert (top[f"{metric}_pct_rank_brand"].to_numpy()[several] == 1.0).all()  # the best post of a group is 1
    group_sizes = df.groupby(["brand", "surface"])["content_key"].transform("count")
    assert (df["posts_in_brand_group"] == group_sizes).all()


def test_surface_quartiles_are_the_truths(warehouse, benchmarks):
    got = frame(warehouse, "SELECT * FROM marts.rpt_surface_benchmarks WHERE metric IN ('views_d7', "
                           "'engagement_rate_d7')")
    assert set(got["benchmark_scope"]) == {"brand", "portfolio"}
    checked = 0
    for row in got.itertuples():
        col = "true_views" if row.metric == "views_d7" else "true_rate"
        scope = benchmarks[benchmarks["surface"] == row.surface]
        if row.benchmark_scope == "brand":
            scope = scope[scope["brand"] == row.brand]
        values = scope[col].dropna().to_numpy(dtype=float)
        p25, med, p75 = np.percentile(values, [25, 50, 75])  # linear interpolation = percentile_cont
        assert row.n_posts == len(values)
        assert np.allclose([row.p25, row.median, row.p75, row.iqr], [p25, med, p75, p75 - p25], rtol=1e-12)
        checked += 1
    assert checked == 2 * (8 + 4)  # 2 metrics x (2 brands x 4 surfaces + 4 portfolio rows)


def test_tiktok_vs_meta_all_period_compares_the_true_medians_over_common_dates(warehouse, benchmarks):
    got = frame(warehouse, "SELECT * FROM marts.rpt_tiktok_vs_meta WHERE period = 'all'")
    assert len(got) == 2 * 3 * 2  # brands x other surfaces x metrics
    for row in got.itertuples():
        mine = benchmarks[benchmarks["brand"] == row.brand]
        tiktok, other = mine[mine["surface"] == "tiktok"], mine[mine["surface"] == row.other_surface]
        lo = max(tiktok["true_published"].min(), other["true_published"].min())
        hi = min(tiktok["true_published"].max(), other["true_published"].max())
        assert (row.window_start.date(), row.window_end.date()) == (lo, hi)
        col = "true_views" if row.metric == "views_d7" else "true_rate"
        a = tiktok[(tiktok["true_published"] >= lo) & (tiktok["true_published"] <= hi)][col].dropna()
        b = other[(other["true_published"] >= lo) & (other["true_published"] <= hi)][col].dropna()
        assert (row.n_tiktok, row.n_other) == (len(a), len(b))
        assert np.isclose(row.median_diff_other_minus_tiktok, b.median() - a.median(), rtol=1e-12)
        if min(len(a), len(b)) >= row.min_n:
            assert row.ci_low <= row.median_diff_other_minus_tiktok <= row.ci_high
            assert row.is_distinguishable == (row.ci_low > 0 or row.ci_high < 0)
        else:
            assert pd.isna(row.is_distinguishable)
        assert row.views_bases_differ is False or row.views_bases_differ == np.False_
        assert row.n_resamples == 2000 and row.confidence_level == 0.95


def test_the_python_model_is_the_tested_function_with_the_configured_seed(warehouse):
    from dagster_project.stats.tiktok_vs_meta import compare

    mart = frame(warehouse, "SELECT * FROM marts.rpt_tiktok_vs_meta ORDER BY comparison_key")
    again = compare(frame(warehouse, "SELECT * FROM marts.rpt_content_benchmarks"), n_resamples=2000,
                    seed=20250421, min_n=5).sort_values("comparison_key").reset_index(drop=True)
    assert list(mart["comparison_key"]) == list(again["comparison_key"])
    assert np.allclose(mart["ci_low"].astype(float), again["ci_low"].astype(float), equal_nan=True)
    assert np.allclose(mart["ci_high"].astype(float), again["ci_high"].astype(float), equal_nan=True)


def test_the_new_marts_publish_and_pass_the_fairness_checks(warehouse, tmp_path):
    from dagster_project.defs.publish import mart_model_keys, publish_marts
    from dagster_project.defs.quality.fairness import basis_results, coverage_results

    names = {k.path[-1] for k in mart_model_keys()}
    assert {"rpt_content_benchmarks", "rpt_surface_benchmarks", "rpt_tiktok_vs_meta"} <= names
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        results = basis_results(conn, ["rpt_content_benchmarks", "rpt_surface_benchmarks", "rpt_tiktok_vs_meta"]) \
            + coverage_results(conn, ["rpt_tiktok_vs_meta"])
    assert [r.description for r in results if not r.passed] == []
    outcome = publish_marts(warehouse, tmp_path / "published.duckdb")
    with duckdb.connect(str(tmp_path / "published.duckdb"), read_only=True) as conn:
        periods = {r[0] for r in conn.execute("SELECT DISTINCT period FROM rpt_tiktok_vs_meta").fetchall()}
    assert outcome.tables["rpt_tiktok_vs_meta"] > 12 and {"all", "2026-10"} <= periods
