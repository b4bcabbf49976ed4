"""TikTok organic: lifetime per-video totals (snapshots) and daily account metrics."""

from dagster_project.defs.ingest.common import daily_asset, lifetime_asset

raw_tiktok_videos = lifetime_asset(
    ["raw", "tiktok", "videos"], "tiktok_videos", "raw_tiktok", "iter_videos",
    "TikTok business/video/list: lifetime totals per video, stored as the snapshot of the partition day "
    "(raw.tiktok_videos).")
raw_tiktok_account_days = daily_asset(
    ["raw", "tiktok", "account_days"], "tiktok_account_days", "raw_tiktok", "iter_account_days",
    "daily_lookback_days",
    "TikTok business/get: daily account metrics for the partition day and the lookback window "
    "(raw.tiktok_account_days).")
