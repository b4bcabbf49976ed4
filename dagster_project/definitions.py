"""The one Dagster entry point: `dagster dev -m dagster_project.definitions`."""

from __future__ import annotations

import dagster as dg

from dagster_project.analyst.assets import weekly_client_report
from dagster_project.defs.ingest import accounts, ads, meta, tiktok, youtube
from dagster_project.defs.jobs import (
    daily_pull_job,
    daily_pull_schedule,
    platform_pull_jobs,
    refresh_job,
    weekly_refresh_schedule,
)
from dagster_project.defs.publish import published_marts
from dagster_project.defs.quality.gx_checks import gx_comparison_suite
from dagster_project.defs.quality.registry import QUALITY_CHECKS
from dagster_project.defs.resources import PlatformsResource, PublishResource, WarehouseResource
from dagster_project.defs.sensors import record_run_failures
from dagster_project.defs.transform.dbt import dbt_resource, shortform_dbt_models

defs = dg.Definitions(
    assets=[
        *dg.load_assets_from_modules([tiktok, meta, youtube, ads, accounts]),
        shortform_dbt_models,
        published_marts,
        weekly_client_report,
    ],
    asset_checks=[gx_comparison_suite, *QUALITY_CHECKS],
    jobs=[daily_pull_job, refresh_job, *platform_pull_jobs.values()],
    schedules=[daily_pull_schedule, weekly_refresh_schedule],
    sensors=[record_run_failures],
    resources={
        "warehouse": WarehouseResource(),
        "publish": PublishResource(),
        "platforms": PlatformsResource(),
        "dbt": dbt_resource(),
    },
)
