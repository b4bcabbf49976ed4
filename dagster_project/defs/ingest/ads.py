"""Paid media: TikTok Marketing API and Meta Marketing API accounts, ads and daily ad delivery.

Daily delivery is re-read over a lookback window on every pull (Meta restates up to 28 days,
TikTok settles within days) and upserted, so restated days converge to the platform's final value.
"""

from datetime import timedelta

import dagster as dg

from dagster_project.defs.ingest.common import INGEST_RETRY, run_for_accounts
from dagster_project.defs.ingest.landing import land_daily, land_lifetime
from dagster_project.defs.partitions import daily_partitions, partition_date
from dagster_project.defs.resources import PlatformsResource, WarehouseResource

COMMON = dict(partitions_def=daily_partitions, kinds={"python", "duckdb"}, retry_policy=INGEST_RETRY,
              pool="warehouse_writer")


def _snapshot_asset(platform: str, entity: str, table: str, group: str, client: str, method: str, doc: str):
    @dg.asset(key=["raw", platform, entity], group_name=group, description=doc, **COMMON)
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               platforms: PlatformsResource) -> dg.MaterializeResult:
        day = partition_date(context)

        def pull(account):
            fetch = getattr(getattr(platforms, client)(account), method)
            result = fetch(account.account_id)
            records = [result] if hasattr(result, "payload") else list(result)
            with warehouse.connect() as conn:
                return [land_lifetime(conn, table, records, day)]

        return run_for_accounts(context, platforms.accounts().for_platform(platform), pull)

    return _asset


def _daily_asset(platform: str, table: str, group: str, client: str, lookback_field: str, doc: str):
    @dg.asset(key=["raw", platform, "ad_days"], group_name=group, description=doc, **COMMON)
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               platforms: PlatformsResource) -> dg.MaterializeResult:
        day = partition_date(context)
        start = day - timedelta(days=getattr(platforms, lookback_field))

        def pull(account):
            records = list(getattr(platforms, client)(account).iter_ad_days(account.account_id, start, day))
            with warehouse.connect() as conn:
                return [land_daily(conn, table, records)]

        return run_for_accounts(context, platforms.accounts().for_platform(platform), pull)

    return _asset


raw_tiktok_advertisers = _snapshot_asset(
    "tiktok_ads", "advertisers", "tiktok_advertisers", "raw_tiktok", "tiktok_client", "get_advertiser",
    "TikTok advertiser/info: currency and time zone of each advertiser (raw.tiktok_advertisers).")
raw_tiktok_ads = _snapshot_asset(
    "tiktok_ads", "ads", "tiktok_ads", "raw_tiktok", "tiktok_client", "iter_ads",
    "TikTok ad/get: ads with the organic video a Spark Ad boosts (raw.tiktok_ads).")
raw_tiktok_ad_days = _daily_asset(
    "tiktok_ads", "tiktok_ad_days", "raw_tiktok", "tiktok_client", "tiktok_ads_lookback_days",
    "TikTok report/integrated/get: daily delivery per ad in the advertiser's time zone, re-read over "
    "the lookback window (raw.tiktok_ad_days).")
raw_meta_ad_accounts = _snapshot_asset(
    "meta_ads", "ad_accounts", "meta_ad_accounts", "raw_meta", "meta_client", "get_ad_account",
    "Meta /act_{id}: currency and time zone of each ad account (raw.meta_ad_accounts).")
raw_meta_ads = _snapshot_asset(
    "meta_ads", "ads", "meta_ads", "raw_meta", "meta_client", "iter_ads",
    "Meta /act_{id}/ads: ads with the organic Reel their creative boosts (raw.meta_ads).")
raw_meta_ad_days = _daily_asset(
    "meta_ads", "meta_ad_days", "raw_meta", "meta_client", "meta_ads_lookback_days",
    "Meta /act_{id}/insights: daily delivery per ad and placement (publisher_platform, platform_position) "
    "in the ad account's time zone, re-read over the 28-day restatement window (raw.meta_ad_days).")
