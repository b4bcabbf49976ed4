"""Paid media: TikTok Marketing API and Meta Marketing API accounts, ads and daily ad delivery.

Daily delivery is re-read over a lookback window on every pull (Meta restates up to 28 days,
TikTok settles within days) and upserted, so restated days converge to the platform's final value.
"""

from dagster_project.defs.ingest.common import daily_asset, lifetime_asset

raw_tiktok_advertisers = lifetime_asset(
    ["raw", "tiktok_ads", "advertisers"], "tiktok_advertisers", "raw_tiktok", "get_advertiser",
    "TikTok advertiser/info: currency and time zone of each advertiser (raw.tiktok_advertisers).")
raw_tiktok_ads = lifetime_asset(
    ["raw", "tiktok_ads", "ads"], "tiktok_ads", "raw_tiktok", "iter_ads",
    "TikTok ad/get: ads with the organic video a Spark Ad boosts (raw.tiktok_ads).")
raw_tiktok_ad_days = daily_asset(
    ["raw", "tiktok_ads", "ad_days"], "tiktok_ad_days", "raw_tiktok", "iter_ad_days", "tiktok_ads_lookback_days",
    "TikTok report/integrated/get: daily delivery per ad in the advertiser's time zone, re-read over "
    "the lookback window (raw.tiktok_ad_days).")
raw_meta_ad_accounts = lifetime_asset(
    ["raw", "meta_ads", "ad_accounts"], "meta_ad_accounts", "raw_meta", "get_ad_account",
    "Meta /act_{id}: currency and time zone of each ad account (raw.meta_ad_accounts).")
raw_meta_ads = lifetime_asset(
    ["raw", "meta_ads", "ads"], "meta_ads", "raw_meta", "iter_ads",
    "Meta /act_{id}/ads: ads with the organic Reel their creative boosts (raw.meta_ads).")
raw_meta_ad_days = daily_asset(
    ["raw", "meta_ads", "ad_days"], "meta_ad_days", "raw_meta", "iter_ad_days", "meta_ads_lookback_days",
    "Meta /act_{id}/insights: daily delivery per ad and placement (publisher_platform, platform_position) "
    "in the ad account's time zone, re-read over the 28-day restatement window (raw.meta_ad_days).")
