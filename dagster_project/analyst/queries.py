"""The figures the dashboard and the weekly report show, each one SQL on the published file.

Filters: ``brands`` and ``surfaces`` (empty or None = all), ``start``/``end`` (inclusive days on
each platform's own day basis: UTC for TikTok / Instagram / Facebook, Pacific for YouTube).
Rates are always recomputed from sums (engagements / views, watch seconds / views, spend /
impressions), never averaged; reach is never summed. Paid marts are optional: their helpers return
None when the published file does not have them (yet).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from dagster_project.analyst.db import PUBLISH_INFO_TABLE, Catalog, connect, quote_ident
from dagster_project.analyst.serving import ACTIVE_RUNS, AD_SURFACE_DAILY, SURFACE_DAILY

PathLike = str | os.PathLike[str] | None

ORGANIC_DAILY = "fct_content_daily"
WEEKLY = "rpt_platform_comparison_weekly"
CONTENT = "dim_content"
AD_DAILY = "fct_ad_daily"
COST_WEEKLY = "rpt_cost_efficiency_weekly"
BUDGET = "rpt_budget_reallocation"
CROSSPOST = "rpt_crosspost_comparison"
BENCHMARKS = "rpt_content_benchmarks"
BOOSTED = "rpt_boosted_content_weekly"


@dataclass(frozen=True)
class Filters:
    brands: tuple[str, ...] = ()
    surfaces: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    @classmethod
    def of(cls, brands: Sequence[str] | None = None, surfaces: Sequence[str] | None = None,
           start: date | None = None, end: date | None = None) -> Filters:
        return cls(tuple(brands or ()), tuple(surfaces or ()), start, end)

    def where(self, date_col: str | None = "metric_date", prefix: str = "", brand_col: str = "brand",
              surface_col: str = "surface", week: bool = False) -> tuple[str, list[Any]]:
        """A WHERE clause (with leading ' WHERE ' or '') and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.brands and brand_col:
            clauses.append(f"{prefix}{brand_col} IN ({', '.join('?' for _ in self.brands)})")
            params += list(self.brands)
        if self.surfaces and surface_col:
            clauses.append(f"{prefix}{surface_col} IN ({', '.join('?' for _ in self.surfaces)})")
            params += list(self.surfaces)
        if date_col and self.start:
            # a week belongs to the range when any of its days does
            clauses.append(f"{prefix}{date_col} >= ?")
            params.append(self.start - timedelta(days=6) if week else self.start)
        if date_col and self.end:
            clauses.append(f"{prefix}{date_col} <= ?")
            params.append(self.end)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _df(sql: str, params: Sequence[Any], path: PathLike) -> pd.DataFrame:
    with connect(path) as conn:
        return conn.execute(sql, list(params)).df(date_as_object=True)


def _serving(conn: Any, use_serving: bool | None = None) -> bool:
    """Whether to read the serving tables (analyst.serving): as use_serving says, else when the
    published file has them; otherwise the panels read fct_content_daily directly, with the same
    figures."""
    if use_serving is not None:
        return use_serving
    return conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        f"AND table_name IN ('{SURFACE_DAILY}', '{ACTIVE_RUNS}')").fetchone()[0] == 2


def _df_pick(serving_sql: str, serving_params: Sequence[Any], direct_sql: str, direct_params: Sequence[Any],
             path: PathLike, use_serving: bool | None = None) -> pd.DataFrame:
    """Run the serving-table form of a query when the file has those tables (or as use_serving says)."""
    with connect(path) as conn:
        sql, params = (serving_sql, serving_params) if _serving(conn, use_serving) else (direct_sql, direct_params)
        return conn.execute(sql, list(params)).df(date_as_object=True)


def filter_options(path: PathLike = None, use_serving: bool | None = None) -> dict[str, Any]:
    """Brands, surfaces and the day range the published file covers (the surfaces and days from
    srv_surface_daily when the file has it: the same values, without a scan of every day row)."""
    with connect(path) as conn:
        days = SURFACE_DAILY if _serving(conn, use_serving) else ORGANIC_DAILY
        brands = [r[0] for r in conn.execute(f"SELECT DISTINCT brand FROM {CONTENT} WHERE brand IS NOT NULL ORDER BY 1").fetchall()]
        surfaces = [r[0] for r in conn.execute(f"SELECT DISTINCT surface FROM {days} ORDER BY 1").fetchall()]
        lo, hi = conn.execute(f"SELECT min(metric_date), max(metric_date) FROM {days}").fetchone()
    return {"brands": brands, "surfaces": surfaces, "min_date": lo, "max_date": hi}


def surface_summary(filters: Filters, path: PathLike = None, by_brand: bool = False,
                    use_serving: bool | None = None) -> pd.DataFrame:
    """Organic totals per surface (and brand) over the filtered days; rates from the sums. Read
    from the serving tables when the file has them (use_serving None), else from the day rows."""
    keys = "brand, surface" if by_brand else "surface"
    where, params = filters.where("metric_date")
    pwhere, pparams = filters.where("published_date")
    posts = f"posts AS (SELECT {keys}, count(*) AS posts FROM {CONTENT}{pwhere} GROUP BY {keys})"

    def outer(active_contents: str, joins: str = "") -> str:
        return f"""
        SELECT {', '.join('daily.' + k.strip() for k in keys.split(','))},
               CAST(daily.views AS BIGINT) AS views,
               CAST(daily.engagements AS BIGINT) AS engagements,
               CAST(daily.watch_seconds AS DOUBLE) AS watch_seconds,
               CAST(daily.engagements AS DOUBLE) / nullif(daily.views, 0) AS engagement_rate,
               CAST(daily.watch_seconds AS DOUBLE) / nullif(daily.views, 0) AS watch_seconds_per_view,
               CAST(coalesce(posts.posts, 0) AS BIGINT) AS posts,
               {active_contents} AS active_contents, daily.days, daily.complete_share, daily.views_basis
        FROM daily LEFT JOIN posts USING ({keys}){joins}
        ORDER BY {keys}"""

    sql = f"""
        WITH daily AS (
            SELECT {keys}, sum(views) AS views, sum(engagements) AS engagements,
                   sum(watch_seconds) AS watch_seconds, count(DISTINCT metric_date) AS days,
                   count(DISTINCT CASE WHEN views IS NOT NULL THEN content_key END) AS active_contents,
                   avg(CASE WHEN is_complete THEN 1.0 ELSE 0.0 END) AS complete_share,
                   max(views_basis) AS views_basis
            FROM {ORGANIC_DAILY}{where}
            GROUP BY {keys}
        ),
        {posts}""" + outer("daily.active_contents")
    # the same columns from the serving tables: day sums, and runs of active days for the posts
    swhere, sparams = filters.where(None)
    run_clauses = [c for c in ("last_date >= ?" if filters.start else "", "first_date <= ?" if filters.end else "") if c]
    run_params = [d for d in (filters.start, filters.end) if d]
    rwhere = swhere + (" AND " if swhere else " WHERE ") + " AND ".join(run_clauses) if run_clauses else swhere
    serving_sql = f"""
        WITH daily AS (
            SELECT {keys}, sum(views) AS views, sum(engagements) AS engagements,
                   sum(watch_seconds) AS watch_seconds, count(DISTINCT metric_date) AS days,
                   CAST(sum(complete_rows) AS DOUBLE) / sum(row_count) AS complete_share,
                   max(views_basis) AS views_basis
            FROM {SURFACE_DAILY}{where}
            GROUP BY {keys}
        ),
        active AS (
            SELECT {keys}, count(DISTINCT content_key) AS active_contents FROM {ACTIVE_RUNS}{rwhere} GROUP BY {keys}
        ),
        {posts}""" + outer("coalesce(active.active_contents, 0)", f" LEFT JOIN active USING ({keys})")
    return _df_pick(serving_sql, params + sparams + run_params + pparams, sql, params + pparams, path, use_serving)


def weekly_trend(filters: Filters, path: PathLike = None, weeks: int | None = None) -> pd.DataFrame:
    """Per surface and ISO week, summed over the selected brands (rates recomputed)."""
    where, params = filters.where("week_start", week=True)
    sql = f"""
        SELECT surface, iso_week, week_start,
               CAST(sum(views) AS BIGINT) AS views,
               CAST(sum(engagements) AS BIGINT) AS engagements,
               CAST(sum(watch_seconds) AS DOUBLE) AS watch_seconds,
               CAST(sum(engagements) AS DOUBLE) / nullif(sum(views), 0) AS engagement_rate,
               CAST(sum(watch_seconds) AS DOUBLE) / nullif(sum(views), 0) AS watch_seconds_per_view,
               CAST(sum(posts_published) AS BIGINT) AS posts,
               min(days_covered) AS min_days_covered,
               CAST(sum(complete_share * days_covered) AS DOUBLE) / nullif(sum(days_covered), 0) AS complete_share,
               max(views_basis) AS views_basis
        FROM {WEEKLY}{where}
        GROUP BY surface, iso_week, week_start
        ORDER BY week_start, surface
    """
    df = _df(sql, params, path)
    if weeks is not None and not df.empty:
        keep = sorted(df["week_start"].unique())[-weeks:]
        df = df[df["week_start"].isin(keep)].reset_index(drop=True)
    return df


def top_content(filters: Filters, path: PathLike = None, limit: int = 20) -> pd.DataFrame:
    """The posts with the most views over the filtered days, with their rates. The day rows are
    summed per content first and only the top rows are joined with dim_content (grouping the day
    rows by the content's text columns cost 2.5x more at one year of `agency`)."""
    where, params = filters.where("metric_date")
    sql = f"""
        WITH summed AS (
            SELECT content_key, sum(views) AS views, sum(engagements) AS engagements,
                   sum(watch_seconds) AS watch_seconds
            FROM {ORGANIC_DAILY}{where}
            GROUP BY content_key
            HAVING sum(views) IS NOT NULL
        )
        SELECT c.brand, c.surface, c.content_id, c.published_date,
               left(coalesce(c.caption, ''), 80) AS caption,
               CAST(s.views AS BIGINT) AS views,
               CAST(s.engagements AS DOUBLE) / nullif(s.views, 0) AS engagement_rate,
               CAST(s.watch_seconds AS DOUBLE) / nullif(s.views, 0) AS watch_seconds_per_view,
               c.lifetime_views, c.views_basis, c.permalink
        FROM summed s JOIN {CONTENT} c USING (content_key)
        ORDER BY views DESC, c.content_id
        LIMIT {int(limit)}
    """
    return _df(sql, params, path)


# --- paid (optional marts) ---------------------------------------------------------------------


@dataclass(frozen=True)
class PaidColumns:
    """The columns of fct_ad_daily the dashboard needs, as found in the published file."""

    date: str
    spend: str
    impressions: str | None
    views: tuple[tuple[str, str | None], ...]  # (count column, column naming its definition)
    engagements: str | None
    brand: str | None
    surface: str | None
    currency: str | None


def paid_columns(catalog: Catalog) -> PaidColumns | None:
    if AD_DAILY not in catalog.columns:
        return None
    t = AD_DAILY
    date_col = catalog.find(t, "metric_date", "date", "stat_date", "report_date", "date_local", prefix="metric_date")
    spend = catalog.find(t, "spend_reporting", "spend_usd", prefix="spend_", exclude=("local", "currency", "rate"))
    spend = spend or catalog.find(t, "spend")
    if not date_col or not spend:
        return None
    views: list[tuple[str, str | None]] = []
    for count_col, def_col in (("short_views", "short_view_definition"), ("quality_views", "quality_view_definition")):
        if catalog.has(t, count_col):
            views.append((count_col, def_col if catalog.has(t, def_col) else None))
    if not views:
        fallback = catalog.find(t, "video_views", "paid_views", "views", prefix="video_views")
        if fallback:
            views.append((fallback, None))
    return PaidColumns(
        date=date_col,
        spend=spend,
        impressions=catalog.find(t, "impressions"),
        views=tuple(views),
        engagements=catalog.find(t, "engagements"),
        brand=catalog.find(t, "brand"),
        surface=catalog.find(t, "surface"),
        currency=catalog.find(t, "reporting_currency"),
    )


def paid_summary(filters: Filters, catalog: Catalog, path: PathLike = None) -> pd.DataFrame | None:
    """Spend, impressions, CPM and cost per view (each view definition named) per surface, from
    fct_ad_daily sums; None when the published file has no paid mart."""
    cols = paid_columns(catalog)
    if cols is None or cols.surface is None:
        return None
    q = quote_ident
    where, params = filters.where(q(cols.date), brand_col=q(cols.brand) if cols.brand else "",
                                  surface_col=q(cols.surface))
    spend = f"CAST(sum({q(cols.spend)}) AS DOUBLE)"
    imp = f"sum({q(cols.impressions)})" if cols.impressions else "NULL"
    select = [
        f"{q(cols.surface)} AS surface",
        f"{spend} AS spend",
        f"string_agg(DISTINCT {q(cols.currency)}, ', ') AS currency" if cols.currency else "NULL AS currency",
        f"CAST({imp} AS BIGINT) AS impressions",
        f"{spend} * 1000 / nullif({imp}, 0) AS cpm",
    ]
    for count_col, def_col in cols.views:
        select.append(f"CAST(sum({q(count_col)}) AS BIGINT) AS {q(count_col)}")
        select.append(f"{spend} / nullif(sum({q(count_col)}), 0) AS {q('cost_per_' + count_col.removesuffix('s'))}")
        if def_col:
            select.append(f"string_agg(DISTINCT {q(def_col)}, ', ' ORDER BY {q(def_col)}) AS {q(def_col)}")
    if cols.engagements:
        select.append(f"CAST(sum({q(cols.engagements)}) AS BIGINT) AS engagements")
        select.append(f"{spend} / nullif(sum({q(cols.engagements)}), 0) AS cost_per_engagement")
    sql = f"SELECT {', '.join(select)} FROM {AD_DAILY}{where} GROUP BY 1 ORDER BY 1"
    df = _df(sql, params, path)
    df.attrs["columns"] = cols
    return df


def table_rows(table: str, filters: Filters, catalog: Catalog, path: PathLike = None,
               date_candidates: Sequence[str] = ("week_start", "metric_date", "published_date"),
               order: str | None = None, limit: int = 500) -> pd.DataFrame | None:
    """Rows of an optional mart with whichever of the brand / surface / date filters it supports."""
    if table not in catalog.columns:
        return None
    cols = catalog.cols(table)
    date_col = next((c for c in date_candidates if c in cols), None)
    where, params = filters.where(
        date_col, brand_col="brand" if "brand" in cols else "",
        surface_col="surface" if "surface" in cols else "", week=date_col == "week_start",
    )
    order_by = f" ORDER BY {order}" if order else (f" ORDER BY {date_col} DESC" if date_col else "")
    return _df(f"SELECT * FROM {table}{where}{order_by} LIMIT {int(limit)}", params, path)


def budget_scenarios(brands: Sequence[str], catalog: Catalog, path: PathLike = None) -> tuple[pd.DataFrame, str | None] | None:
    """The budget-reallocation mart for the brands, and the name of its "share moved" column."""
    if BUDGET not in catalog.columns:
        return None
    share_col = catalog.find(BUDGET, "share_moved", "moved_share", "share_of_spend_moved", "shift_share",
                             "scenario_share", "share_pct", "pct_moved", "percent_moved", prefix="share")
    if share_col is None:
        share_col = next((c for c in catalog.cols(BUDGET) if "share" in c or "pct" in c or "percent" in c), None)
    df = table_rows(BUDGET, Filters.of(brands), catalog, path, date_candidates=(),
                    order=", ".join(c for c in ("brand", share_col) if c and c in catalog.cols(BUDGET)) or None)
    return df, share_col


# --- data status -------------------------------------------------------------------------------


def publish_info(path: PathLike = None) -> dict[str, Any] | None:
    with connect(path) as conn:
        try:
            df = conn.execute(f"SELECT * FROM {PUBLISH_INFO_TABLE} ORDER BY published_at DESC LIMIT 1").df(date_as_object=True)
        except Exception:  # noqa: BLE001 - an older file without the table
            return None
    if df.empty:
        return None
    info = df.iloc[0].to_dict()
    hashes = info.get("table_hashes")
    if isinstance(hashes, str):
        try:
            info["table_hashes"] = json.loads(hashes)
        except ValueError:
            pass
    return info


def freshness(catalog: Catalog, path: PathLike = None, use_serving: bool | None = None) -> pd.DataFrame:
    """Per surface: newest day, rows, share of complete rows and (when the mart has it) final rows;
    the organic part from srv_surface_daily and the paid part from srv_ad_surface_daily when the file
    has them (a whole-history scan otherwise)."""
    final = "avg(CASE WHEN is_final THEN 1.0 ELSE 0.0 END)" if catalog.has(ORGANIC_DAILY, "is_final") else "NULL"
    parts = [f"""
        SELECT 'organic' AS source, surface, max(metric_date) AS newest_day, count(*) AS rows,
               avg(CASE WHEN is_complete THEN 1.0 ELSE 0.0 END) AS complete_share,
               CAST({final} AS DOUBLE) AS final_share
        FROM {ORGANIC_DAILY} GROUP BY surface"""]
    cols = paid_columns(catalog)
    if cols is not None and cols.surface:
        pfinal = "avg(CASE WHEN is_final THEN 1.0 ELSE 0.0 END)" if catalog.has(AD_DAILY, "is_final") else "NULL"
        parts.append(f"""
        SELECT 'paid' AS source, {quote_ident(cols.surface)} AS surface, max({quote_ident(cols.date)}) AS newest_day,
               count(*) AS rows, NULL AS complete_share, CAST({pfinal} AS DOUBLE) AS final_share
        FROM {AD_DAILY} GROUP BY 2""")
    paid_serving = parts[1:]
    if paid_serving and (cols.surface, cols.date) == ("surface", "metric_date") and catalog.has(AD_SURFACE_DAILY):
        served_final = "CAST(sum(final_rows) AS DOUBLE) / sum(row_count)" if catalog.has(AD_DAILY, "is_final") else "NULL"
        paid_serving = [f"""
        SELECT 'paid' AS source, surface, max(metric_date) AS newest_day, CAST(sum(row_count) AS BIGINT) AS rows,
               NULL AS complete_share, CAST({served_final} AS DOUBLE) AS final_share
        FROM {AD_SURFACE_DAILY} GROUP BY surface"""]
    serving = [f"""
        SELECT 'organic' AS source, surface, max(metric_date) AS newest_day, CAST(sum(row_count) AS BIGINT) AS rows,
               CAST(sum(complete_rows) AS DOUBLE) / sum(row_count) AS complete_share,
               CAST({"CAST(sum(final_rows) AS DOUBLE) / sum(row_count)" if final != "NULL" else "NULL"} AS DOUBLE)
                   AS final_share
        FROM {SURFACE_DAILY} GROUP BY surface""", *paid_serving]
    order = " ORDER BY source, surface"
    return _df_pick(" UNION ALL ".join(serving) + order, [], " UNION ALL ".join(parts) + order, [], path, use_serving)


def not_final_days(catalog: Catalog, path: PathLike = None, use_serving: bool | None = None) -> pd.DataFrame:
    """Days per surface whose rows may still change: not is_final when the mart says, else not is_complete."""
    flag = "NOT is_final" if catalog.has(ORGANIC_DAILY, "is_final") else "NOT is_complete"
    sql = f"""
        SELECT surface, metric_date, count(*) AS rows, '{flag}' AS criterion
        FROM {ORGANIC_DAILY} WHERE {flag}
        GROUP BY surface, metric_date ORDER BY metric_date DESC, surface
    """
    counted = "not_final_rows" if flag == "NOT is_final" else "not_complete_rows"
    serving_sql = f"""
        SELECT surface, metric_date, CAST(sum({counted}) AS BIGINT) AS rows, '{flag}' AS criterion
        FROM {SURFACE_DAILY}
        GROUP BY surface, metric_date HAVING sum({counted}) > 0 ORDER BY metric_date DESC, surface
    """
    return _df_pick(serving_sql, [], sql, [], path, use_serving)


def weekly_cpm(filters: Filters, catalog: Catalog, path: PathLike = None) -> pd.DataFrame | None:
    """Paid CPM per surface and ISO week from fct_ad_daily sums (None without the paid mart)."""
    cols = paid_columns(catalog)
    if cols is None or cols.surface is None or cols.impressions is None:
        return None
    q = quote_ident
    where, params = filters.where(q(cols.date), brand_col=q(cols.brand) if cols.brand else "",
                                  surface_col=q(cols.surface))
    week = f"CAST(date_trunc('week', {q(cols.date)}) AS DATE)"
    sql = f"""
        SELECT {q(cols.surface)} AS surface, {week} AS week_start, strftime({week}, '%G-W%V') AS iso_week,
               CAST(sum({q(cols.spend)}) AS DOUBLE) * 1000 / nullif(sum({q(cols.impressions)}), 0) AS cpm,
               '' AS views_basis
        FROM {AD_DAILY}{where}
        GROUP BY 1, 2, 3 ORDER BY 2, 1
    """
    df = _df(sql, params, path)
    df.attrs["source"] = f"fct_ad_daily.{cols.spend} / fct_ad_daily.{cols.impressions}"
    return df
