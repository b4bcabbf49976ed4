"""Meta organic: Instagram Reels and Facebook Reels lifetime insights (snapshots)."""

from dagster_project.defs.ingest.common import lifetime_asset

raw_instagram_reels = lifetime_asset(
    ["raw", "instagram", "reels"], "instagram_reels", "raw_meta", "iter_instagram_reels",
    "Instagram /{ig-user-id}/media (REELS) with lifetime /{media-id}/insights, stored as the snapshot of "
    "the partition day (raw.instagram_reels).")
raw_facebook_reels = lifetime_asset(
    ["raw", "facebook", "reels"], "facebook_reels", "raw_meta", "iter_facebook_reels",
    "Facebook /{page-id}/video_reels with lifetime /{video-id}/video_insights, stored as the snapshot of "
    "the partition day (raw.facebook_reels).")
