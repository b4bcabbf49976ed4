"""YouTube: lifetime video statistics (snapshots) and true daily Analytics rows for Shorts."""

from datetime import datetime, timedelta

import dagster as dg

from dagster_project.defs.ingest.common import ASSET_DEFAULTS, lifetime_asset, run_for_accounts
from dagster_project.defs.ingest.landing import Lander
from dagster_project.defs.partitions import partition_date
from dagster_project.defs.resources import PlatformsResource, WarehouseResource

SHORTS_MAX_SECONDS = 180  # Shorts may last up to 3 minutes since 2024-10-15; dbt applies the exact rule


raw_youtube_videos = lifetime_asset(
    ["raw", "youtube", "videos"], "youtube_videos", "raw_youtube", "iter_videos",
    "YouTube Data API uploads (channels, playlistItems, videos.list): lifetime statistics per video as the "
    "snapshot of the partition day (raw.youtube_videos).")


@dg.asset(key=["raw", "youtube", "video_days"], deps=[raw_youtube_videos],
          description="YouTube Analytics reports (dimensions=day, filters=video==ID) for the channel's "
          "Shorts, over the partition day and the lookback window (raw.youtube_video_days).",
          group_name="raw_youtube", **ASSET_DEFAULTS)
def raw_youtube_video_days(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                           platforms: PlatformsResource) -> dg.MaterializeResult:
    from connectors.youtube import parse_iso8601_duration

    day = partition_date(context)
    start = day - timedelta(days=platforms.daily_lookback_days)
    oldest = day - timedelta(days=platforms.youtube_max_age_days)

    accounts = platforms.accounts().for_platform("youtube")
    with warehouse.connect() as conn:  # one connection (and few transactions) for every account
        lander = Lander(conn, "youtube_video_days")
        # the day's Shorts of every channel, read here: the fetches run in threads without the connection
        shorts: dict[str, list[str]] = {}
        for channel, vid, duration, published in conn.execute(
            "SELECT channel_id, video_id, json_extract_string(payload, '$.contentDetails.duration'), "
            "json_extract_string(payload, '$.snippet.publishedAt') FROM raw.youtube_videos "
            "WHERE snapshot_date = ? ORDER BY channel_id, video_id",
            [day],
        ).fetchall():
            if (duration and parse_iso8601_duration(duration) <= SHORTS_MAX_SECONDS and published
                    and datetime.fromisoformat(published.replace("Z", "+00:00")).date() >= oldest):
                shorts.setdefault(channel, []).append(vid)

        def fetch(account):
            ids = shorts.get(account.account_id, [])
            return list(platforms.youtube_client(account).iter_video_days(account.account_id, ids, start, day))

        def stage(account, records):
            lander.daily(account.account_id, records)

        return run_for_accounts(context, accounts, fetch, stage, lander)
