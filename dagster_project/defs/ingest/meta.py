"""Meta organic: Instagram Reels and Facebook Reels lifetime insights (snapshots)."""


import dagster as dg

from dagster_project.defs.ingest.common import INGEST_RETRY, run_for_accounts
from dagster_project.defs.ingest.landing import land_lifetime
from dagster_project.defs.partitions import daily_partitions, partition_date
from dagster_project.defs.resources import PlatformsResource, WarehouseResource

ASSET_KW = dict(partitions_def=daily_partitions, group_name="raw_meta", kinds={"python", "duckdb"},
                retry_policy=INGEST_RETRY, pool="warehouse_writer")


@dg.asset(key=["raw", "instagram", "reels"], description="Instagram /{ig-user-id}/media (REELS) with lifetime "
          "/{media-id}/insights, stored as the snapshot of the partition day (raw.instagram_reels).", **ASSET_KW)
def raw_instagram_reels(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                        platforms: PlatformsResource) -> dg.MaterializeResult:
    day = partition_date(context)

    def pull(account):
        records = list(platforms.meta_client(account).iter_instagram_reels(account.account_id))
        with warehouse.connect() as conn:
            return [land_lifetime(conn, "instagram_reels", records, day)]

    return run_for_accounts(context, platforms.accounts().for_platform("instagram"), pull)


@dg.asset(key=["raw", "facebook", "reels"], description="Facebook /{page-id}/video_reels with lifetime "
          "/{video-id}/video_insights, stored as the snapshot of the partition day (raw.facebook_reels).",
          **ASSET_KW)
def raw_facebook_reels(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                       platforms: PlatformsResource) -> dg.MaterializeResult:
    day = partition_date(context)

    def pull(account):
        records = list(platforms.meta_client(account).iter_facebook_reels(account.account_id))
        with warehouse.connect() as conn:
            return [land_lifetime(conn, "facebook_reels", records, day)]

    return run_for_accounts(context, platforms.accounts().for_platform("facebook"), pull)
