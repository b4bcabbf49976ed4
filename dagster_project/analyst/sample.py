"""A small synthetic published file with the marts' schemas, for tests and demos.

Column names and types come from the marts' dbt YAML (so the sample follows the contracts as they
evolve); values are deterministic. Paid marts are added on request, with the YAML's columns when
the YAML defines them, else with the column names the paid marts use today. Columns the generator
does not know are left null.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dagster_project.analyst.db import release
from dagster_project.analyst.serving import create_serving_tables

SAMPLE_BRANDS = ("acme", "globex")
SAMPLE_START = date(2026, 10, 26)  # a Monday: ISO week 2026-W44
SAMPLE_DAYS = 21
# the ages of dim_content's same-age columns (views_d1, views_d7, views_d28, ...)
SAME_AGE_DAYS = (1, 7, 28)
BASIS = {
    "tiktok": ("tiktok", "tiktok.video_views"),
    "instagram_reels": ("instagram", "instagram.views"),
    "facebook_reels": ("facebook", "facebook.fb_reels_total_plays"),
    "youtube_shorts": ("youtube", "youtube.views"),
}

FALLBACK_SCHEMAS: dict[str, dict[str, str]] = {
    "fct_ad_daily": {
        "ad_key": "varchar", "ad_id": "varchar", "platform": "varchar", "account_id": "varchar", "brand": "varchar",
        "metric_date": "date", "date_basis": "varchar", "surface": "varchar", "currency": "varchar",
        "spend_local": "decimal(18,2)", "reporting_currency": "varchar", "spend_reporting": "decimal(18,2)",
        "impressions": "bigint", "reach": "bigint", "clicks": "bigint", "quality_views": "bigint",
        "quality_view_definition": "varchar", "short_views": "bigint", "short_view_definition": "varchar",
        "engagements": "bigint", "follows": "bigint",
    },
    "rpt_cost_efficiency_weekly": {
        "brand": "varchar", "platform": "varchar", "surface": "varchar", "iso_week": "varchar", "week_start": "date",
        "date_basis": "varchar", "reporting_currency": "varchar", "spend_reporting": "decimal(18,2)",
        "impressions": "bigint", "engagements": "bigint", "quality_views": "bigint",
        "quality_view_definition": "varchar", "short_views": "bigint", "short_view_definition": "varchar",
        "cpm_reporting": "double", "cost_per_quality_view_reporting": "double",
        "cost_per_short_view_reporting": "double", "cost_per_engagement_reporting": "double", "days_covered": "bigint",
    },
    "rpt_budget_reallocation": {
        "brand": "varchar", "scenario": "varchar", "source_surface": "varchar", "target_surface": "varchar",
        "shift_share": "decimal(5,4)", "method": "varchar", "window_days": "integer", "reporting_currency": "varchar",
        "source_view_definition": "varchar", "target_view_definition": "varchar", "is_projectable": "boolean",
        "source_spend_reporting": "decimal(18,2)", "shifted_spend_reporting": "decimal(18,2)",
        "projected_impressions_change": "double", "projected_views_change": "double",
        "projected_engagements_change": "double",
    },
}


def mart_schemas(yaml_dir: Path | None = None) -> dict[str, dict[str, str]]:
    """{model: {column: data_type}} from the marts' dbt YAML."""
    import yaml

    folder = yaml_dir or Path(__file__).resolve().parents[2] / "dbt" / "models" / "marts"
    out: dict[str, dict[str, str]] = {}
    for file in sorted(folder.glob("*.yml")):
        doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            cols = {c["name"]: str(c.get("data_type") or "varchar") for c in model.get("columns") or [] if "name" in c}
            if cols:
                out[model["name"]] = cols
    return out


def _organic(rng: random.Random, brands: tuple[str, ...], start: date, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    end = start + timedelta(days=days - 1)
    contents, daily = [], []
    for b_i, brand in enumerate(brands):
        for surface, (platform, basis) in BASIS.items():
            account_id = f"{platform[:2]}{b_i}{len(surface)}"
            for n, offset in enumerate((-3, 2, 9, 15)):
                published = start + timedelta(days=offset)
                content_id = f"{brand[:2]}{platform[:2]}{n:04d}"
                key = f"{platform}:{content_id}"
                first_seen = max(published, start)
                cum = 0
                eng_cum, watch_cum = 0, 0.0
                same_age: dict[str, Any] = {}  # dim_content's views_dN / engagements_dN / is_dN_complete
                rows_here = 0
                day = first_seen
                while day <= end:
                    age = (day - published).days
                    base = rng.randint(200, 4000) // (1 + age // 4)
                    derivation, complete, views = "snapshot_delta", True, base
                    if platform == "youtube":
                        derivation = "daily_api"
                    elif day == start and published < start:
                        derivation, complete, views = "first_snapshot", False, None
                    elif rows_here == 5 and n == 1:
                        derivation, complete = "snapshot_spread", False
                    likes = None if views is None else views // rng.randint(8, 20)
                    comments = None if views is None else views // rng.randint(60, 200)
                    shares = None if views is None else views // rng.randint(40, 150)
                    saves = None if views is None or platform in ("facebook", "youtube") else views // rng.randint(50, 120)
                    engagements = None if views is None else likes + comments + shares + (saves or 0)
                    watch = None if views is None else round(views * rng.uniform(4, 14), 3)
                    cum += views or rng.randint(1000, 5000)
                    eng_cum += engagements or 0
                    watch_cum += watch or 0.0
                    if age in SAME_AGE_DAYS:
                        same_age |= {f"views_d{age}": cum, f"engagements_d{age}": eng_cum,
                                     f"watch_seconds_d{age}": round(watch_cum, 3),
                                     f"is_d{age}_complete": complete}
                    daily.append({
                        "content_key": key, "content_id": content_id, "platform": platform, "surface": surface,
                        "brand": brand, "account_id": account_id, "metric_date": day, "days_since_publish": age,
                        "views": views, "engaged_views": (views * 3 // 4 if views is not None and platform == "youtube" else None),
                        "likes": likes, "comments": comments, "shares": shares, "saves": saves,
                        "engagements": engagements, "watch_seconds": watch,
                        "reach_cumulative": None if platform == "youtube" else cum * 2 // 3,
                        "views_cumulative": cum, "derivation": derivation, "is_complete": complete,
                        "is_restated_down": False, "views_basis": basis,
                        "is_final": (end - day).days > (28 if platform in ("instagram", "facebook") else 3),
                    })
                    rows_here += 1
                    day += timedelta(days=1)
                contents.append({
                    "content_key": key, "content_id": content_id, "platform": platform, "surface": surface,
                    "brand": brand, "account_id": account_id,
                    "published_at": datetime.combine(published, datetime.min.time()) + timedelta(hours=15),
                    "published_date": published, "duration_seconds": float(rng.randint(8, 58)),
                    "caption": f"{brand} clip {n} on {surface}", "permalink": f"https://example.invalid/{key}",
                    "views_basis": basis, "first_seen_date": first_seen, "last_seen_date": end, "lifetime_views": cum,
                    **{f"is_d{n}_complete": False for n in SAME_AGE_DAYS}, **same_age,
                })
    return pd.DataFrame(contents), pd.DataFrame(daily)


def _paid(rng: random.Random, brands: tuple[str, ...], start: date, days: int) -> pd.DataFrame:
    rows = []
    cpm = {"tiktok": 6.0, "instagram_reels": 9.0, "facebook_reels": 8.0, "meta_other": 7.0}
    for brand in brands:
        for surface, base_cpm in cpm.items():
            platform = "tiktok_ads" if surface == "tiktok" else "meta_ads"
            for d in range(days):
                day = start + timedelta(days=d)
                impressions = rng.randint(5000, 40000)
                spend = round(impressions * base_cpm * rng.uniform(0.8, 1.2) / 1000, 2)
                short = impressions * rng.randint(20, 40) // 100
                rows.append({
                    "ad_key": f"{platform}:{brand}-{surface}", "ad_id": f"{brand}-{surface}", "platform": platform,
                    "account_id": f"act_{brand}", "brand": brand, "metric_date": day, "date_basis": "account_local",
                    "surface": surface, "currency": "USD", "spend_local": spend, "reporting_currency": "USD",
                    "spend_reporting": spend, "impressions": impressions, "reach": impressions * 3 // 4,
                    "clicks": impressions // 100, "short_views": short, "quality_views": short // 3,
                    "short_view_definition": "tiktok.video_watched_2s" if platform == "tiktok_ads" else "meta.video_play_actions",
                    "quality_view_definition": "tiktok.video_watched_6s" if platform == "tiktok_ads"
                    else "meta.video_thruplay_watched_actions",
                    "engagements": short // 20, "follows": short // 400,
                })
    return pd.DataFrame(rows)


def _budget(ads: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for brand, g in ads.groupby("brand"):
        spend = {sf: float(x["spend_reporting"].sum()) for sf, x in g.groupby("surface")}
        eff = {sf: [float(x[c].sum()) / spend[sf] for c in ("impressions", "quality_views", "engagements")]
               for sf, x in g.groupby("surface")}
        for share in (0.25, 0.5, 1.0):
            for target in ("instagram_reels", "facebook_reels"):
                moved = round(spend["tiktok"] * share, 2)
                change = [moved * (eff[target][i] - eff["tiktok"][i]) for i in range(3)]
                rows.append({
                    "brand": brand, "scenario": f"tiktok_to_{target}_{int(share * 100)}pct", "source_surface": "tiktok",
                    "target_surface": target, "shift_share": share, "method": "linear", "window_days": 28,
                    "reporting_currency": "USD", "source_view_definition": "tiktok.video_watched_6s",
                    "target_view_definition": "meta.video_thruplay_watched_actions", "is_projectable": True,
                    "source_spend_reporting": round(spend["tiktok"], 2), "shifted_spend_reporting": moved,
                    "projected_impressions_change": change[0], "projected_views_change": change[1],
                    "projected_engagements_change": change[2],
                })
    return pd.DataFrame(rows)


def _create(conn: duckdb.DuckDBPyConnection, table: str, schema: dict[str, str], df: pd.DataFrame) -> None:
    cols = ", ".join(f'"{c}" {t}' for c, t in schema.items())
    conn.execute(f'CREATE TABLE "{table}" ({cols})')
    shared = [c for c in schema if c in df.columns]
    conn.register("_frame", df[shared])
    conn.execute(f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in shared)}) '
                 f'SELECT {", ".join(chr(34) + c + chr(34) for c in shared)} FROM _frame')
    conn.unregister("_frame")


WEEKLY_SQL = """
WITH d AS (SELECT *, CAST(date_trunc('week', metric_date) AS DATE) AS week_start FROM fct_content_daily),
act AS (
    SELECT brand, platform, surface, week_start,
           count(DISTINCT CASE WHEN views IS NOT NULL THEN content_key END) AS active_contents,
           sum(views) AS views, sum(likes) AS likes, sum(comments) AS comments, sum(shares) AS shares,
           sum(saves) AS saves, sum(engagements) AS engagements, sum(watch_seconds) AS watch_seconds,
           count(DISTINCT metric_date) AS days_covered,
           count(DISTINCT CASE WHEN is_restated_down THEN metric_date END) AS days_restated_down,
           avg(CASE WHEN is_complete THEN 1.0 ELSE 0.0 END) AS complete_share, max(views_basis) AS views_basis
    FROM d GROUP BY ALL),
pub AS (
    SELECT brand, surface, CAST(date_trunc('week', published_date) AS DATE) AS week_start, count(*) AS posts_published
    FROM dim_content GROUP BY ALL)
SELECT act.brand, act.platform, act.surface, strftime(act.week_start, '%G-W%V') AS iso_week, act.week_start,
       coalesce(pub.posts_published, 0) AS posts_published, active_contents, views, likes, comments, shares,
       saves, engagements, watch_seconds,
       CAST(engagements AS DOUBLE) / nullif(views, 0) AS engagement_rate,
       CAST(watch_seconds AS DOUBLE) / nullif(views, 0) AS avg_watch_seconds_per_view,
       days_covered, days_restated_down, complete_share, views_basis,
       days_covered = max(days_covered) OVER (PARTITION BY act.brand, act.week_start) AS coverage_matches_brand
FROM act LEFT JOIN pub USING (brand, surface, week_start)
"""

COST_SQL = """
SELECT brand, max(platform) AS platform, surface, 'account_local' AS date_basis, max(7) AS days_covered, strftime(CAST(date_trunc('week', metric_date) AS DATE), '%G-W%V') AS iso_week,
       CAST(date_trunc('week', metric_date) AS DATE) AS week_start, max(reporting_currency) AS reporting_currency,
       sum(spend_reporting) AS spend_reporting, sum(impressions) AS impressions,
       CAST(sum(spend_reporting) AS DOUBLE) * 1000 / nullif(sum(impressions), 0) AS cpm_reporting,
       sum(engagements) AS engagements,
       CAST(sum(spend_reporting) AS DOUBLE) / nullif(sum(engagements), 0) AS cost_per_engagement_reporting,
       max(short_view_definition) AS short_view_definition, max(quality_view_definition) AS quality_view_definition,
       sum(short_views) AS short_views,
       CAST(sum(spend_reporting) AS DOUBLE) / nullif(sum(short_views), 0) AS cost_per_short_view_reporting,
       sum(quality_views) AS quality_views,
       CAST(sum(spend_reporting) AS DOUBLE) / nullif(sum(quality_views), 0) AS cost_per_quality_view_reporting
FROM fct_ad_daily GROUP BY ALL
"""


def build_sample_published(path: str | Path, *, paid: bool = False, brands: tuple[str, ...] = SAMPLE_BRANDS,
                           start: date = SAMPLE_START, days: int = SAMPLE_DAYS, seed: int = 7) -> Path:
    """Write a synthetic published file at path (replacing it) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    release(path)  # this process's open instance of an earlier sample at path
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    schemas = mart_schemas()
    contents, daily = _organic(rng, brands, start, days)
    accounts = contents[["brand", "platform", "surface", "account_id"]].drop_duplicates().assign(
        account_key=lambda d: d["platform"] + ":" + d["account_id"], brand_timezone="UTC",
        loaded_at=datetime(2026, 11, 20, 6, 0))
    conn = duckdb.connect(str(path), config={"storage_compatibility_version": "v1.4.0"})
    try:
        _create(conn, "dim_account", schemas.get("dim_account", {}), accounts)
        _create(conn, "dim_content", schemas["dim_content"], contents)
        daily_schema = dict(schemas["fct_content_daily"])
        daily_schema.setdefault("is_final", "boolean")
        _create(conn, "fct_content_daily", daily_schema, daily)
        weekly = conn.execute(WEEKLY_SQL).df()
        _create(conn, "rpt_platform_comparison_weekly", schemas["rpt_platform_comparison_weekly"], weekly)
        tables = ["dim_account", "dim_content", "fct_content_daily", "rpt_platform_comparison_weekly"]
        if paid:
            ads = _paid(rng, brands, start, days)
            _create(conn, "fct_ad_daily", schemas.get("fct_ad_daily") or FALLBACK_SCHEMAS["fct_ad_daily"], ads)
            _create(conn, "rpt_cost_efficiency_weekly",
                    schemas.get("rpt_cost_efficiency_weekly") or FALLBACK_SCHEMAS["rpt_cost_efficiency_weekly"],
                    conn.execute(COST_SQL).df())
            _create(conn, "rpt_budget_reallocation",
                    schemas.get("rpt_budget_reallocation") or FALLBACK_SCHEMAS["rpt_budget_reallocation"], _budget(ads))
            tables += ["fct_ad_daily", "rpt_cost_efficiency_weekly", "rpt_budget_reallocation"]
        create_serving_tables(conn)  # as publish writes them
        hashes: dict[str, Any] = {
            t: f"{conn.execute(f'SELECT count(*) FROM {t}').fetchone()[0]}:sample" for t in tables}
        conn.execute("CREATE TABLE _publish_info (published_at TIMESTAMP, run_id VARCHAR, content_hash VARCHAR, "
                     "table_hashes JSON, storage_compatibility_version VARCHAR)")
        conn.execute("INSERT INTO _publish_info VALUES (?, ?, ?, ?, ?)",
                     [datetime(2026, 11, 16, 8, 0), "sample-run", "0" * 64, json.dumps(hashes), "v1.4.0"])
    finally:
        conn.close()
    return path
