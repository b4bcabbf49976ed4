"""Incremental publish (issue 7): the live file is copied and only what changed is rewritten; the
published content must be exactly the warehouse's marts whatever changed, and any doubt ends in a
full rewrite. Small handmade warehouses, no dbt."""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs import publish
from dagster_project.defs.publish import MAX_INCREMENTAL_STREAK, publish_marts, table_hashes

FIRST = date(2026, 10, 1)


def make_warehouse(path: Path) -> None:
    """A day-grain mart with as-of columns (60 days x 2 accounts x 50 posts), a dimension and a report."""
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute(f"""
            CREATE OR REPLACE TABLE marts.fct_content_daily AS
            SELECT 'tiktok' AS platform, 'acct' || (i % 2) AS account_id, 'c' || i AS content_key,
                   'acme' AS brand, 'tiktok' AS surface, 1 AS engagements, 2.5 AS watch_seconds,
                   'tiktok.video_views' AS views_basis, true AS is_complete,
                   DATE '{FIRST}' + CAST(d AS INTEGER) AS metric_date, i * 10 + d AS views,
                   DATE '{FIRST}' + 59 AS data_as_of_date, d < 52 AS is_final
            FROM range(50) t(i), range(60) s(d)
            ORDER BY content_key, metric_date""")
        conn.execute("CREATE OR REPLACE TABLE marts.dim_content AS SELECT 'c' || i AS content_key, 'acme' AS brand "
                     "FROM range(50) t(i)")
        conn.execute("CREATE OR REPLACE TABLE marts.rpt_weekly AS SELECT 1 AS week, 100 AS views")


def add_next_day(conn: duckdb.DuckDBPyConnection, views_added: int = 0) -> None:
    """The day after the mart's last (day 59), each post's row copied with views_added more views."""
    conn.execute(f"INSERT INTO marts.fct_content_daily SELECT * REPLACE (metric_date + 1 AS metric_date, "
                 f"views + {views_added} AS views, false AS is_final) FROM marts.fct_content_daily "
                 f"WHERE metric_date = DATE '{FIRST + timedelta(days=59)}'")


def hashes(path: Path, catalog: str, schema: str) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND NOT table_name LIKE '\\_%' ESCAPE '\\' "
            "AND NOT table_name LIKE 'srv\\_%' ESCAPE '\\'", [schema]).fetchall()]
        return table_hashes(conn, catalog, schema, sorted(tables))


def assert_published_equals_warehouse(warehouse: Path, live: Path) -> None:
    assert hashes(live, "marts", "main") == hashes(warehouse, "w", "marts")


def info(live: Path) -> tuple[str, int]:
    with duckdb.connect(str(live), read_only=True) as conn:
        return conn.execute("SELECT publish_mode, incremental_streak FROM _publish_info").fetchone()


@pytest.fixture
def published(tmp_path):
    warehouse, live = tmp_path / "w.duckdb", tmp_path / "published" / "marts.duckdb"
    make_warehouse(warehouse)
    first = publish_marts(warehouse, live)
    assert first.swapped and first.mode == "full" and info(live) == ("full", 0)
    return warehouse, live


def test_changed_days_new_days_as_of_moves_and_other_tables_are_published_exactly(published):
    warehouse, live = published
    with duckdb.connect(str(warehouse)) as conn:
        # the next day's pull: one new day, the last 3 days restated, every as-of date moves on,
        # and one day that becomes final; a day vanishes; the dimension changes; a new mart appears
        add_next_day(conn, views_added=7)
        conn.execute(f"UPDATE marts.fct_content_daily SET views = views + 1 WHERE metric_date >= DATE '{FIRST + timedelta(days=57)}'")
        conn.execute("UPDATE marts.fct_content_daily SET data_as_of_date = data_as_of_date + 1, "
                     f"is_final = metric_date < DATE '{FIRST + timedelta(days=53)}'")
        conn.execute(f"DELETE FROM marts.fct_content_daily WHERE metric_date = DATE '{FIRST + timedelta(days=10)}' "
                     "AND account_id = 'acct1'")
        conn.execute("UPDATE marts.dim_content SET brand = 'acme2' WHERE content_key = 'c3'")
        conn.execute("CREATE TABLE marts.rpt_new AS SELECT 42 AS answer")
    outcome = publish_marts(warehouse, live)
    assert outcome.swapped and outcome.mode == "incremental" and info(live) == ("incremental", 1)
    assert_published_equals_warehouse(warehouse, live)
    # days 10 (a vanished half), 57, 58, 59 and the new 60 rewritten; the as-of columns of every
    # other row updated in place; the unchanged report kept as it was
    assert outcome.patched["fct_content_daily"].startswith("5 day(s) rewritten")
    assert outcome.patched["rpt_weekly"] == "unchanged"
    assert outcome.patched["dim_content"] == "rewritten"
    with duckdb.connect(str(live), read_only=True) as conn:
        assert conn.execute("SELECT answer FROM rpt_new").fetchone()[0] == 42
        # the serving tables follow the published rows
        assert conn.execute("SELECT count(*) FROM srv_surface_daily").fetchone()[0] == 61


def test_a_dropped_mart_and_a_changed_column_type_are_handled(published):
    warehouse, live = published
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("DROP TABLE marts.rpt_weekly")
        conn.execute("ALTER TABLE marts.fct_content_daily ALTER views TYPE DOUBLE")
    outcome = publish_marts(warehouse, live)
    assert outcome.mode == "incremental"
    assert_published_equals_warehouse(warehouse, live)
    with duckdb.connect(str(live), read_only=True) as conn:
        assert not conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'rpt_weekly'").fetchone()[0]
        assert conn.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'fct_content_daily' "
                            "AND column_name = 'views'").fetchone()[0] == "DOUBLE"


def test_a_live_file_that_no_longer_matches_its_record_is_rewritten_not_trusted(published):
    """The copy is checked table by table against the warehouse: a live file edited behind the
    pipeline's back (its recorded hashes no longer describe it) still publishes exactly."""
    warehouse, live = published
    with duckdb.connect(str(live)) as conn:
        conn.execute("UPDATE fct_content_daily SET views = -1 WHERE content_key = 'c1'")
        conn.execute("UPDATE rpt_weekly SET views = -1")
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(f"UPDATE marts.fct_content_daily SET views = views + 1 WHERE metric_date = DATE '{FIRST}'")
    outcome = publish_marts(warehouse, live)
    assert outcome.mode == "incremental"
    assert_published_equals_warehouse(warehouse, live)
    # the day digests compare the copy itself, so the edited days are found and rewritten; the
    # report, whose recorded hash said "unchanged", is caught by the check of the whole copy
    assert outcome.patched["fct_content_daily"].startswith("60 day(s) rewritten")
    assert "hash differed" in outcome.patched["rpt_weekly"]


def test_a_failed_patch_falls_back_to_a_rewrite_of_that_table(published, monkeypatch):
    warehouse, live = published
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("UPDATE marts.fct_content_daily SET views = views + 1")

    def broken(*args, **kwargs):
        raise duckdb.InvalidInputException("simulated")

    monkeypatch.setattr(publish, "patch_dated_table", broken)
    outcome = publish_marts(warehouse, live)
    assert outcome.patched["fct_content_daily"].startswith("rewritten (InvalidInputException")
    assert_published_equals_warehouse(warehouse, live)


def test_every_few_publishes_one_is_a_full_rewrite_and_old_files_start_one(published):
    warehouse, live = published
    modes = []
    for step in range(MAX_INCREMENTAL_STREAK + 2):
        with duckdb.connect(str(warehouse)) as conn:
            conn.execute(f"UPDATE marts.fct_content_daily SET views = views + 1 WHERE metric_date = DATE '{FIRST}' + {step}")
        assert publish_marts(warehouse, live).swapped
        modes.append(info(live))
        assert_published_equals_warehouse(warehouse, live)
    assert modes == [("incremental", n) for n in range(1, MAX_INCREMENTAL_STREAK + 1)] + [("full", 0), ("incremental", 1)]
    # a file published before publishes recorded their mode has no streak: the next one is full
    with duckdb.connect(str(live)) as conn:
        conn.execute("ALTER TABLE _publish_info DROP COLUMN incremental_streak")
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("UPDATE marts.rpt_weekly SET views = views + 1")
    assert publish_marts(warehouse, live).mode == "full"
    assert_published_equals_warehouse(warehouse, live)


def test_day_order_is_kept_for_the_new_rows(published):
    warehouse, live = published
    with duckdb.connect(str(warehouse)) as conn:
        add_next_day(conn)
    publish_marts(warehouse, live)
    with duckdb.connect(str(live), read_only=True) as conn:
        days = [r[0] for r in conn.execute("SELECT metric_date FROM fct_content_daily").fetchall()]
    assert days == sorted(days)
