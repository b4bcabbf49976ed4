"""The Dagster definitions load as `dagster dev` would load them, with one lineage graph."""

import dagster as dg

from dagster_project.definitions import defs


def test_definitions_validate_and_expose_jobs_and_schedules():
    dg.Definitions.validate_loadable(defs)
    assert {"daily_pull", "refresh", "pull_tiktok", "pull_meta", "pull_youtube"} <= {
        j.name for j in defs.resolve_all_job_defs()}
    assert defs.resolve_schedule_def("daily_pull_schedule").cron_schedule == "0 6 * * *"
    assert defs.resolve_schedule_def("weekly_refresh_schedule").cron_schedule == "0 8 * * 1"


def test_dbt_sources_hang_off_the_raw_ingest_assets():
    graph = defs.resolve_asset_graph()
    stg = graph.get(dg.AssetKey(["staging", "stg_tiktok__videos"]))
    assert dg.AssetKey(["raw", "tiktok", "videos"]) in stg.parent_keys
    raw = graph.get(dg.AssetKey(["raw", "tiktok", "videos"]))
    assert raw.is_materializable and raw.partitions_def is not None


def test_publish_is_downstream_of_every_mart_and_guarded_by_a_blocking_check():
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["published", "marts"]))
    assert dg.AssetKey(["marts", "rpt_platform_comparison_weekly"]) in publish.parent_keys
    assert dg.AssetKey(["marts", "fct_content_daily"]) in publish.parent_keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("marts/rpt_platform_comparison_weekly", "gx_comparison_suite") in checks
    gx_defs = [c for c in defs.asset_checks if getattr(c, "check_specs", None)]
    assert any(s.blocking for d in gx_defs for s in d.check_specs if s.name == "gx_comparison_suite")
