"""The gates in a Dagster run: the checks of dagster_project.defs.quality.registry plus the comparison
suite, on stand-in mart assets (the sample's marts, already in the warehouse file) and the real
publish asset. A failed blocking check means no publish and a byte-identical published file; a WARN
failure publishes. (B2 recipe: Meta missing for recent days -> completeness fails -> previous file served.)"""

import hashlib

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.publish import mart_model_keys, published_marts
from dagster_project.defs.quality.gx_checks import gx_comparison_suite
from dagster_project.defs.quality.registry import QUALITY_CHECKS
from dagster_project.defs.resources import PlatformsResource, PublishResource, WarehouseResource

PUBLISHED = dg.AssetKey(["published", "marts"])


@dg.multi_asset(specs=[dg.AssetSpec(k, skippable=True) for k in mart_model_keys()], can_subset=True)
def stand_in_marts(context: dg.AssetExecutionContext):
    """The marts are already in the warehouse file; this only reports them materialized."""
    for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
        yield dg.MaterializeResult(asset_key=key)


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(warehouse, published, accounts_file):
    defs = dg.Definitions(
        assets=[stand_in_marts, published_marts],
        asset_checks=[gx_comparison_suite, *QUALITY_CHECKS],
        resources={"warehouse": WarehouseResource(db_path=str(warehouse)),
                   "publish": PublishResource(published_path=str(published)),
                   "platforms": PlatformsResource(accounts_file=str(accounts_file))},
    )
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in
                   (ev.event_specific_data for ev in result.all_events
                    if ev.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION)}
    published_now = PUBLISHED in {ev.asset_key for ev in result.all_events
                                  if ev.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION}
    return evaluations, published_now


def _failed(evaluations) -> set[tuple[str, str]]:
    return {k for k, e in evaluations.items() if not e.passed}


@pytest.mark.slow
def test_blocking_failures_keep_the_previous_file_and_warnings_publish(make_warehouse, accounts_file, tmp_path):
    published = tmp_path / "published" / "marts.duckdb"
    warehouse = make_warehouse()

    evaluations, published_now = _run(warehouse, published, accounts_file)
    assert _failed(evaluations) == set(), _failed(evaluations)
    assert published_now and published.exists()
    assert ("marts/fct_content_daily", "surfaces_complete_recent_days") in evaluations
    assert ("marts/dim_content", "no_pii_in_text") in evaluations
    assert ("marts/fct_content_daily", "row_count_vs_last_publish") in evaluations
    good = _sha(published)

    # B2: Meta (Instagram + Facebook) missing for the last 3 days for every brand
    conn = duckdb.connect(str(warehouse))
    conn.execute("CREATE TABLE keep AS SELECT * FROM marts.fct_content_daily")
    conn.execute("DELETE FROM marts.fct_content_daily WHERE surface IN ('instagram_reels', 'facebook_reels') "
                 "AND metric_date > (SELECT max(metric_date) - 3 FROM marts.fct_content_daily)")
    conn.close()
    evaluations, published_now = _run(warehouse, published, accounts_file)
    assert ("marts/fct_content_daily", "surfaces_complete_recent_days") in _failed(evaluations)
    assert not published_now and _sha(published) == good

    # C4 (a multi-asset check): dim_content collapses to a quarter
    conn = duckdb.connect(str(warehouse))
    conn.execute("CREATE OR REPLACE TABLE marts.fct_content_daily AS SELECT * FROM keep")
    conn.execute("DELETE FROM marts.dim_content WHERE brand = 'globex' OR surface <> 'tiktok'")
    conn.close()
    evaluations, published_now = _run(warehouse, published, accounts_file)
    assert ("marts/dim_content", "row_count_vs_last_publish") in _failed(evaluations)
    assert not published_now and _sha(published) == good

    # C1 (GX, ERROR): one unflagged negative day of views
    conn = duckdb.connect(str(warehouse))
    conn.execute("DROP TABLE marts.dim_content")
    conn.execute(f"ATTACH '{published}' AS pub (READ_ONLY)")
    conn.execute("CREATE TABLE marts.dim_content AS SELECT * FROM pub.main.dim_content")
    conn.execute("DETACH pub")
    conn.execute("UPDATE marts.fct_content_daily SET views = -7 WHERE content_key = "
                 "(SELECT min(content_key) FROM marts.fct_content_daily WHERE views > 0) AND views > 0")
    conn.close()
    evaluations, published_now = _run(warehouse, published, accounts_file)
    assert _failed(evaluations) == {("marts/fct_content_daily", "gx_daily_no_unflagged_negatives"),
                                    ("marts/fct_content_daily", "gx_daily_likes_not_above_views")}  # -7 < likes
    assert not published_now and _sha(published) == good

    # C2 only (WARN): likes above views on one row -> surfaced, and the refresh still publishes
    conn = duckdb.connect(str(warehouse))
    conn.execute("CREATE OR REPLACE TABLE marts.fct_content_daily AS SELECT * FROM keep")
    conn.execute("UPDATE marts.fct_content_daily SET likes = views + 5 WHERE content_key = "
                 "(SELECT min(content_key) FROM marts.fct_content_daily WHERE views > 0) AND views > 0")
    conn.execute("DROP TABLE keep")
    conn.close()
    evaluations, published_now = _run(warehouse, published, accounts_file)
    assert _failed(evaluations) == {("marts/fct_content_daily", "gx_daily_likes_not_above_views")}
    assert evaluations[("marts/fct_content_daily", "gx_daily_likes_not_above_views")].severity == \
        dg.AssetCheckSeverity.WARN
    assert published_now and _sha(published) != good
