"""TikTok organic: lifetime per-video totals (snapshots) and daily account metrics."""


from datetime import timedelta

import dagster as dg

from dagster_project.defs.ingest.common import INGEST_RETRY, run_for_accounts
from dagster_project.defs.ingest.landing import land_daily, land_lifetime
from dagster_project.defs.partitions import daily_partitions, partition_date
from dagster_project.defs.resources import PlatformsResource, WarehouseResource

ASSET_KW = dict(partitions_def=daily_partitions, group_name="raw_tiktok", kinds={"python", "duckdb"},
                retry_policy=INGEST_RETRY, pool="warehouse_writer")


@dg.asset(key=["raw", "tiktok", "videos"], description="TikTok business/video/list: lifetime totals per video, "
          "stored as the snapshot of the partition day (raw.tiktok_videos).", **ASSET_KW)
def raw_tiktok_videos(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                      platforms: PlatformsResource) -> dg.MaterializeResult:
    day = partition_date(context)

    def pull(account):
        records = list(platforms.tiktok_client(account).iter_videos(account.account_id))
        with warehouse.connect() as conn:
            return [land_lifetime(conn, "tiktok_videos", records, day)]

    return run_for_accounts(context, platforms.accounts().for_platform("tiktok"), pull)


@dg.asset(key=["raw", "tiktok", "account_days"], description="TikTok business/get: daily account metrics for the "
          "partition day and the lookback window (raw.tiktok_account_days).", **ASSET_KW)
def raw_tiktok_account_days(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                            platforms: PlatformsResource) -> dg.MaterializeResult:
    day = partition_date(context)
    start = day - timedelta(days=platforms.daily_lookback_days)

    def pull(account):
        records = list(platforms.tiktok_client(account).iter_account_days(account.account_id, start, day))
        with warehouse.connect() as conn:
            return [land_daily(conn, "tiktok_account_days", records)]

    return run_for_accounts(context, platforms.accounts().for_platform("tiktok"), pull)
