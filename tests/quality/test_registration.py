"""The new checks load together with the project's definitions (as the registration lines for
dagster_project/definitions.py would add them), attach to the real mart assets, and are blocking
exactly where they should be."""

import dagster as dg

from dagster_project.defs.quality.registry import QUALITY_CHECKS

BLOCKING = {"row_count_vs_last_publish", "no_pii_in_text", "columns_allow_listed",
            "surfaces_complete_recent_days", "gx_daily_no_unflagged_negatives",
            "views_basis_single_or_flagged", "date_coverage_matches", "no_reach_summed"}
WARN_ONLY = {"gx_daily_likes_not_above_views", "views_distribution_drift", "payload_keys_known"}


def _merged() -> dg.Definitions:
    from dagster_project.definitions import defs

    already = {spec.key for c in (defs.asset_checks or []) for spec in c.check_specs}
    new = [c for c in QUALITY_CHECKS if not {s.key for s in c.check_specs} & already]
    return dg.Definitions.merge(defs, dg.Definitions(asset_checks=new))


def test_checks_load_with_the_project_definitions_and_join_the_refresh_job():
    merged = _merged()
    dg.Definitions.validate_loadable(merged)
    graph = merged.resolve_asset_graph()
    keys = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert ("marts/fct_content_daily", "surfaces_complete_recent_days") in keys
    assert ("marts/rpt_platform_comparison_weekly", "row_count_vs_last_publish") in keys
    assert ("marts/dim_content", "no_pii_in_text") in keys
    refresh = merged.resolve_job_def("refresh")
    job_checks = {k.name for k in refresh.asset_layer.asset_graph.asset_check_keys}
    assert (BLOCKING | WARN_ONLY) - {"payload_keys_known"} <= job_checks
    pull = merged.resolve_job_def("daily_pull")  # the raw payload-key checks run with the pulls
    assert "payload_keys_known" in {k.name for k in pull.asset_layer.asset_graph.asset_check_keys}


def test_blocking_flags():
    specs = [s for c in QUALITY_CHECKS for s in c.check_specs]
    assert {s.name for s in specs} == BLOCKING | WARN_ONLY
    for s in specs:
        assert s.blocking == (s.name in BLOCKING), s.name
