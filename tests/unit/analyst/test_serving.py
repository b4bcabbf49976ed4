"""The serving tables give the dashboard's panels the same figures as the day rows: each panel is
run both ways on the same file (the sample, with gaps, nulls and not-final days put in) and
compared; the runs of active days are checked against the day rows they summarize."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from dagster_project.analyst import db, queries
from dagster_project.analyst.cookbook import recipes
from dagster_project.analyst.sample import SAMPLE_DAYS, SAMPLE_START, build_sample_published
from dagster_project.analyst.serving import ACTIVE_RUNS, AD_SURFACE_DAILY, SURFACE_DAILY, create_serving_tables


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The paid sample with holes the real marts can have: days without views inside a post's
    life (two runs for that post), null views, and rows not yet final."""
    path = build_sample_published(tmp_path_factory.mktemp("serving") / "marts.duckdb", paid=True)
    with duckdb.connect(str(path)) as conn:
        key = conn.execute("SELECT content_key FROM fct_content_daily GROUP BY 1 HAVING count(*) >= 8 "
                           "ORDER BY 1 LIMIT 1").fetchone()[0]
        conn.execute("UPDATE fct_content_daily SET views = NULL WHERE content_key = ? AND metric_date IN "
                     "(SELECT metric_date FROM fct_content_daily WHERE content_key = ? ORDER BY metric_date "
                     "LIMIT 2 OFFSET 3)", [key, key])
        conn.execute("UPDATE fct_content_daily SET is_final = false WHERE metric_date >= ?",
                     [SAMPLE_START + timedelta(days=SAMPLE_DAYS - 3)])
        conn.execute("UPDATE fct_content_daily SET is_complete = false WHERE hash(content_key, metric_date) % 7 = 0")
        conn.execute("UPDATE fct_content_daily SET derivation = 'snapshot_spread' WHERE hash(metric_date, content_key) % 5 = 0")
        conn.execute("UPDATE fct_content_daily SET is_restated_down = true WHERE hash(content_key) % 4 = 0 "
                     "AND metric_date >= ?", [SAMPLE_START + timedelta(days=SAMPLE_DAYS - 5)])
        create_serving_tables(conn)
    db.release(path)
    yield path
    db.release(path)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert not a.empty
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                  check_exact=False, rtol=1e-12)


END = SAMPLE_START + timedelta(days=SAMPLE_DAYS - 1)
FILTERS = [
    queries.Filters.of(),
    queries.Filters.of([], [], SAMPLE_START + timedelta(days=2), END - timedelta(days=4)),
    queries.Filters.of(["acme"], [], SAMPLE_START + timedelta(days=4), SAMPLE_START + timedelta(days=5)),
    queries.Filters.of([], ["tiktok"], None, SAMPLE_START + timedelta(days=6)),
    queries.Filters.of(["globex"], ["instagram", "youtube_shorts"], SAMPLE_START + timedelta(days=9), None),
    queries.Filters.of([], [], date(2020, 1, 1), date(2020, 1, 31)),  # nothing in range
]


@pytest.mark.parametrize("by_brand", [False, True])
@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_surface_summary_is_the_same_from_the_serving_tables(sample, filters, by_brand):
    served = queries.surface_summary(filters, sample, by_brand=by_brand, use_serving=True)
    direct = queries.surface_summary(filters, sample, by_brand=by_brand, use_serving=False)
    if direct.empty:
        assert served.empty
    else:
        _same(served, direct)
    assert queries.surface_summary(filters, sample, by_brand=by_brand).equals(served)  # the file has them


def test_freshness_and_not_final_days_are_the_same(sample):
    catalog = db.Catalog.load(sample)
    assert catalog.has(AD_SURFACE_DAILY, "row_count", "final_rows")  # the paid rows are served too
    served = queries.freshness(catalog, sample, use_serving=True)
    _same(served, queries.freshness(catalog, sample, use_serving=False))
    assert set(served["source"]) == {"organic", "paid"}
    pending = queries.not_final_days(catalog, sample, use_serving=True)
    _same(pending, queries.not_final_days(catalog, sample, use_serving=False))
    assert len(pending) >= 3


def test_filter_options_are_the_same(sample):
    served = queries.filter_options(sample, use_serving=True)
    assert served == queries.filter_options(sample, use_serving=False)
    assert served["surfaces"] and served["max_date"] == END
    assert queries.filter_options(sample) == served


# cookbook recipe 5 as it read the day rows before srv_surface_daily counted the flags
FRESHNESS_FROM_DAY_ROWS = """
    WITH recent AS (
        SELECT * FROM fct_content_daily
        WHERE metric_date > (SELECT max(metric_date) FROM fct_content_daily) - INTERVAL 7 DAY
    )
    SELECT surface, max(metric_date) AS newest_day, count(*) AS rows_last_7_days,
           round(100.0 * avg(CASE WHEN is_complete THEN 1 ELSE 0 END), 1) AS exact_pct_last_7_days,
           count(*) FILTER (WHERE derivation = 'snapshot_spread') AS spread_rows_last_7_days,
           count(*) FILTER (WHERE is_restated_down) AS restated_down_rows_last_7_days
    FROM recent GROUP BY surface ORDER BY surface
"""


def test_cookbook_freshness_recipe_counts_what_the_day_rows_count(sample):
    recipe = next(r for r in recipes() if r.title.startswith("5."))
    assert "srv_surface_daily" in recipe.sql
    with db.connect(sample) as conn:
        served = conn.execute(recipe.sql).df()
        direct = conn.execute(FRESHNESS_FROM_DAY_ROWS).df()
    _same(served, direct)
    assert (direct["spread_rows_last_7_days"] > 0).all() and direct["restated_down_rows_last_7_days"].sum() > 0
    assert (direct["exact_pct_last_7_days"] < 100).any()


def test_runs_cover_exactly_the_days_with_views(sample):
    with db.connect(sample) as conn:
        runs = conn.execute(f"SELECT content_key, first_date, last_date FROM {ACTIVE_RUNS}").fetchall()
        days = set(conn.execute("SELECT content_key, metric_date FROM fct_content_daily WHERE views IS NOT NULL").fetchall())
        sums = conn.execute(f"SELECT sum(row_count), sum(views) FROM {SURFACE_DAILY}").fetchone()
        assert sums == conn.execute("SELECT count(*), sum(views) FROM fct_content_daily").fetchone()
    covered = {(k, first + timedelta(days=i)) for k, first, last in runs for i in range((last - first).days + 1)}
    assert covered == days
    assert len(runs) > len({k for k, _ in days})  # the post with a gap has two runs


def test_a_file_without_serving_tables_is_read_from_the_day_rows(sample, tmp_path):
    bare = tmp_path / "marts.duckdb"
    with duckdb.connect(str(bare)) as conn:
        conn.execute(f"ATTACH '{sample}' AS s (READ_ONLY)")
        for (table,) in conn.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 's'").fetchall():
            if table not in (SURFACE_DAILY, ACTIVE_RUNS):
                conn.execute(f'CREATE TABLE main."{table}" AS SELECT * FROM s.main."{table}"')
    try:
        _same(queries.surface_summary(FILTERS[1], bare, by_brand=True),
              queries.surface_summary(FILTERS[1], sample, by_brand=True, use_serving=True))
        catalog = db.Catalog.load(bare)
        _same(queries.freshness(catalog, bare), queries.freshness(catalog, sample, use_serving=True))
    finally:
        db.release(bare)


def test_no_serving_tables_without_the_columns_they_need():
    with duckdb.connect(":memory:") as conn:
        assert create_serving_tables(conn) == []
        conn.execute("CREATE TABLE fct_content_daily AS SELECT 'acme' AS brand, DATE '2026-11-01' AS metric_date, 3 AS views")
        assert create_serving_tables(conn) == []
        assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'srv_%'").fetchone()[0] == 0


def test_flag_counts_are_null_when_the_mart_lacks_their_column():
    with duckdb.connect(":memory:") as conn:
        conn.execute("""CREATE TABLE fct_content_daily AS SELECT 'acme' AS brand, 'tiktok' AS surface,
                        DATE '2026-11-01' AS metric_date, 'tiktok:1' AS content_key, 3 AS views, 1 AS engagements,
                        2.5 AS watch_seconds, 'tiktok.video_views' AS views_basis, true AS is_complete""")
        assert create_serving_tables(conn) == [SURFACE_DAILY, ACTIVE_RUNS]
        row = conn.execute(f"SELECT row_count, complete_rows, final_rows, not_final_rows, spread_rows, "
                           f"restated_down_rows FROM {SURFACE_DAILY}").fetchone()
    assert row == (1, 1, None, None, None, None)


def test_the_paid_freshness_table_needs_only_the_ad_days_surface_and_date():
    with duckdb.connect(":memory:") as conn:
        conn.execute("CREATE TABLE fct_ad_daily AS SELECT 'meta_ads' AS platform, DATE '2026-11-01' AS metric_date")
        assert create_serving_tables(conn) == []  # no surface column
        conn.execute("CREATE OR REPLACE TABLE fct_ad_daily AS SELECT * FROM (VALUES ('facebook_reels', DATE '2026-11-01'), "
                     "('facebook_reels', DATE '2026-11-01'), ('tiktok', DATE '2026-11-02')) AS t(surface, metric_date)")
        assert create_serving_tables(conn) == [AD_SURFACE_DAILY]  # no organic mart: the paid table alone
        rows = conn.execute(f"SELECT surface, metric_date, row_count, final_rows FROM {AD_SURFACE_DAILY} "
                            "ORDER BY 1").fetchall()
    assert [(r[0], str(r[1]), r[2], r[3]) for r in rows] == [("facebook_reels", "2026-11-01", 2, None),
                                                            ("tiktok", "2026-11-02", 1, None)]
