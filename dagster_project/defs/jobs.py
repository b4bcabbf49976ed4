"""Jobs and schedules: daily pulls per partition, a weekly full refresh (build, check, publish)."""

from __future__ import annotations

import dagster as dg

DAILY_PULL_SELECTION = dg.AssetSelection.groups("raw_tiktok", "raw_meta", "raw_youtube")

daily_pull_job = dg.define_asset_job(
    "daily_pull", selection=DAILY_PULL_SELECTION,
    description="Pull one UTC day from every platform into raw.* (lifetime snapshots + daily rows).",
)

platform_pull_jobs = {
    family: dg.define_asset_job(f"pull_{family}", selection=dg.AssetSelection.groups(f"raw_{family}"),
                                description=f"Pull one UTC day from {family} into raw.*")
    for family in ("tiktok", "meta", "youtube")
}

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.groups("raw_config")
    | dg.AssetSelection.groups("seeds", "staging", "intermediate", "marts")
    | dg.AssetSelection.groups("publish", "reports"),
    description="Accounts, dbt freshness + build + tests, Great Expectations checks, publish, weekly reports.",
)

daily_pull_schedule = dg.build_schedule_from_partitioned_job(
    daily_pull_job, hour_of_day=6, minute_of_hour=0, name="daily_pull_schedule",
    description="Every day at 06:00 UTC: pull the previous UTC day from every platform.",
)

weekly_refresh_schedule = dg.ScheduleDefinition(
    name="weekly_refresh_schedule", job=refresh_job, cron_schedule="0 8 * * 1", execution_timezone="UTC",
    description="Mondays 08:00 UTC: rebuild every model, run the checks, publish if they pass.",
)
