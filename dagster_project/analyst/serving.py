"""Serving tables: small aggregates of `fct_content_daily`, written into the published file next
to the marts, so the dashboard's all-brand panels do not scan every day row of the window.

* `srv_surface_daily`: one row per brand, surface and day: the sums, the row counts by flag
  (complete, final, spread from a lifetime snapshot, restated down), and the definition of views. Sums over any day range are the sums of the day rows; shares are
  ratios of the counts, exactly what averaging the 0/1 flags over the rows gives.
* `srv_content_active_runs`: one row per run of consecutive days on which a post has views. The
  posts active in a range are those with a run overlapping it, so the distinct count of active
  posts, which no daily sum can give, reads one row per post instead of one per post and day.
* `srv_ad_surface_daily`: one row per paid surface and day of `fct_ad_daily`: its row count and
  final rows, for the freshness page (which scanned every ad row: 88 ms at p95 on `large`).

They are derived at publish time from the checked marts (not marts of their own: no separate
checks, schema contract or Spark build). A published file without them (published before they
existed, or a hand-built file) is read from `fct_content_daily` directly; both give the same
figures (tests/unit/analyst/test_serving.py).
"""

from __future__ import annotations

import duckdb

SURFACE_DAILY = "srv_surface_daily"
ACTIVE_RUNS = "srv_content_active_runs"
AD_SURFACE_DAILY = "srv_ad_surface_daily"
SERVING_TABLES = (SURFACE_DAILY, ACTIVE_RUNS)  # the organic pair the panels read together
SOURCE = "fct_content_daily"
AD_SOURCE = "fct_ad_daily"
AD_REQUIRED_COLUMNS = frozenset({"surface", "metric_date"})
REQUIRED_COLUMNS = frozenset({"brand", "surface", "metric_date", "content_key", "views", "engagements",
                              "watch_seconds", "views_basis", "is_complete"})
# counted when the mart has the column they read (a NULL count otherwise)
OPTIONAL_COUNTS = {
    "final_rows": ("is_final", "is_final"),
    "not_final_rows": ("is_final", "NOT is_final"),
    "spread_rows": ("derivation", "derivation = 'snapshot_spread'"),
    "restated_down_rows": ("is_restated_down", "is_restated_down"),
}


def create_serving_tables(conn: duckdb.DuckDBPyConnection, schema: str = "main") -> list[str]:
    """Create the serving tables in `schema` (e.g. "pub.main") from its fct_content_daily and
    fct_ad_daily; the names of the tables created (none for a mart the schema lacks, or that lacks
    the columns its tables need, so a publish never fails for want of them)."""
    created = _create_ad_surface_daily(conn, schema)
    columns = _columns(conn, schema, SOURCE)
    if not REQUIRED_COLUMNS <= columns:  # a file without the mart, or a hand-made one: nothing to serve
        return created
    src = f"{schema}.{SOURCE}"
    counts = ",\n               ".join(
        f"{f'count(*) FILTER (WHERE {condition})' if column in columns else 'CAST(NULL AS BIGINT)'} AS {counted}"
        for counted, (column, condition) in OPTIONAL_COUNTS.items())
    conn.execute(f"""
        CREATE OR REPLACE TABLE {schema}.{SURFACE_DAILY} AS
        SELECT brand, surface, metric_date,
               count(*) AS row_count,
               count(*) FILTER (WHERE is_complete) AS complete_rows,
               count(*) FILTER (WHERE NOT is_complete) AS not_complete_rows,
               {counts},
               sum(views) AS views, sum(engagements) AS engagements, sum(watch_seconds) AS watch_seconds,
               max(views_basis) AS views_basis
        FROM {src}
        GROUP BY brand, surface, metric_date
        ORDER BY metric_date, brand, surface
    """)
    conn.execute(f"""
        CREATE OR REPLACE TABLE {schema}.{ACTIVE_RUNS} AS
        WITH active AS (
            SELECT brand, surface, content_key, metric_date,
                   metric_date - CAST(dense_rank() OVER (PARTITION BY content_key ORDER BY metric_date) AS INTEGER)
                       AS run_anchor
            FROM {src}
            WHERE views IS NOT NULL
        )
        SELECT brand, surface, content_key, min(metric_date) AS first_date, max(metric_date) AS last_date
        FROM active
        GROUP BY brand, surface, content_key, run_anchor
        ORDER BY first_date, content_key
    """)
    return [*SERVING_TABLES, *created]


def _columns(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    catalog, _, name = schema.rpartition(".")
    return {r[0] for r in conn.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?"
        + (" AND database_name = ?" if catalog else " AND database_name = current_database()"),
        [name, table, *([catalog] if catalog else [])],
    ).fetchall()}


def _create_ad_surface_daily(conn: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """srv_ad_surface_daily when fct_ad_daily has its columns (final_rows null without is_final)."""
    columns = _columns(conn, schema, AD_SOURCE)
    if not AD_REQUIRED_COLUMNS <= columns:
        return []
    final = "count(*) FILTER (WHERE is_final)" if "is_final" in columns else "CAST(NULL AS BIGINT)"
    conn.execute(f"""
        CREATE OR REPLACE TABLE {schema}.{AD_SURFACE_DAILY} AS
        SELECT surface, metric_date, count(*) AS row_count, {final} AS final_rows
        FROM {schema}.{AD_SOURCE}
        GROUP BY surface, metric_date
        ORDER BY metric_date, surface
    """)
    return [AD_SURFACE_DAILY]
