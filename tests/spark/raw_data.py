"""Raw data for the Spark parity test: a small sandbox world pulled for a few days (organic and
paid assets, the real asset code) into a DuckDB warehouse, then every raw table exported to
Parquet, partitioned the way Spark lands it (by platform and pull date).

Layout under <root>: <table>/platform=<p>/<date_column>=<YYYY-MM-DD>/*.parquet, one
directory per raw table named as in DuckDB (raw.tiktok_videos -> tiktok_videos/); `accounts`
(configuration, not a pull) is partitioned by platform only. The payload column is JSON text.

Runs under the main .venv (it needs the sandbox and the Dagster assets):
    .venv/bin/python -m tests.spark.raw_data <root>
writes <root>/warehouse.duckdb and <root>/parquet/.
"""

import sys
from datetime import date, timedelta
from pathlib import Path

from connectors.sandbox import World
from connectors.sandbox.world import WorldSettings

# The platform of each raw table (a Hive partition column; the table's own columns stay as landed).
RAW_PLATFORMS = {
    "tiktok_videos": "tiktok", "tiktok_account_days": "tiktok", "instagram_reels": "instagram",
    "facebook_reels": "facebook", "youtube_videos": "youtube", "youtube_video_days": "youtube",
    "tiktok_advertisers": "tiktok_ads", "tiktok_ads": "tiktok_ads", "tiktok_ad_days": "tiktok_ads",
    "meta_ad_accounts": "meta_ads", "meta_ads": "meta_ads", "meta_ad_days": "meta_ads",
}

FIRST_PULL = date(2026, 10, 8)
PULL_DAYS = 5
WORLD_SETTINGS = WorldSettings(n_brands=1, history_start=date(2026, 9, 28), end=date(2026, 10, 12))

ASSET_NAMES = (
    "raw_tiktok_videos", "raw_tiktok_account_days", "raw_instagram_reels", "raw_facebook_reels",
    "raw_youtube_videos", "raw_youtube_video_days", "raw_tiktok_advertisers", "raw_tiktok_ads",
    "raw_tiktok_ad_days", "raw_meta_ad_accounts", "raw_meta_ads", "raw_meta_ad_days",
)


def land_raw(tmp: Path) -> Path:
    """Pull PULL_DAYS days of the small world into tmp/warehouse.duckdb (organic and paid); its path."""
    import dagster as dg
    import duckdb

    from dagster_project import settings
    from dagster_project.defs.ingest import ads, meta, tiktok, youtube
    from dagster_project.defs.ingest.landing import ensure_raw_schema, land_accounts
    from dagster_project.defs.resources import PlatformsResource, WarehouseResource
    from tests.integration.sandbox_run import sandbox_env

    world = World(WORLD_SETTINGS)
    db = tmp / "warehouse.duckdb"
    with sandbox_env(world, tmp) as server:
        with duckdb.connect(str(db)) as conn:
            ensure_raw_schema(conn)
            land_accounts(conn, settings.load_accounts().accounts)
        modules = (tiktok, meta, youtube, ads)
        missing = [n for n in ASSET_NAMES if not any(hasattr(m, n) for m in modules)]
        if missing:
            raise RuntimeError(f"raw assets not found: {missing}")
        assets = [getattr(m, n) for n in ASSET_NAMES for m in modules if hasattr(m, n)]
        warehouse = WarehouseResource(db_path=str(db))
        platforms = PlatformsResource()
        instance = dg.DagsterInstance.ephemeral()
        for i in range(PULL_DAYS):
            day = FIRST_PULL + timedelta(days=i)
            server.set_as_of(day)
            for asset in assets:
                context = dg.build_asset_context(partition_key=day.isoformat(), instance=instance)
                asset(context, warehouse=warehouse, platforms=platforms)
    return db


def export_parquet(db: Path, out: Path) -> dict[str, int]:
    """Every raw.* table of db as Hive-partitioned Parquet under out/<table>/; rows per table."""
    import duckdb

    from dagster_project.defs.ingest.landing import RAW_TABLES

    counts: dict[str, int] = {}
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db), read_only=True) as conn:
        for name, table in RAW_TABLES.items():
            target = out / name
            select = (f"SELECT * EXCLUDE (payload), CAST(payload AS VARCHAR) AS payload, "
                      f"'{RAW_PLATFORMS[name]}' AS platform FROM raw.{name}")
            counts[name] = conn.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
            if counts[name] == 0:  # an empty table still needs its schema: one file, no rows
                target.mkdir(parents=True, exist_ok=True)
                conn.execute(f"COPY ({select}) TO '{target}/empty.parquet' (FORMAT parquet)")
                continue
            conn.execute(f"COPY ({select}) TO '{target}' "
                         f"(FORMAT parquet, PARTITION_BY (platform, {table.date_column}), OVERWRITE_OR_IGNORE)")
        target = out / "accounts"
        counts["accounts"] = conn.execute("SELECT count(*) FROM raw.accounts").fetchone()[0]
        conn.execute(f"COPY (SELECT * FROM raw.accounts) TO '{target}' "
                     f"(FORMAT parquet, PARTITION_BY (platform), OVERWRITE_OR_IGNORE)")
    return counts


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve()
    root.mkdir(parents=True, exist_ok=True)
    import os

    from dagster_project.settings import ALLOWED_DIRS_ENV

    allowed = [p for p in (os.environ.get(ALLOWED_DIRS_ENV) or "").split(os.pathsep) if p]
    os.environ[ALLOWED_DIRS_ENV] = os.pathsep.join([*allowed, str(root)])
    db = land_raw(root)
    counts = export_parquet(db, root / "parquet")
    for name, n in sorted(counts.items()):
        print(f"{name}: {n} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
