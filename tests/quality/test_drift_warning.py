"""C5: drift of the daily-views distribution against the last published file is a WARN with
quantile and KL metadata; it never blocks."""

from __future__ import annotations

import dagster as dg
import duckdb
import numpy as np

from dagster_project.defs.publish import publish_marts
from dagster_project.defs.quality.drift import (
    DRIFT_CHECK,
    drift_for_paths,
    drift_result,
    kl_divergence,
    views_distribution_drift,
)
from dagster_project.defs.resources import PublishResource, WarehouseResource


def _lognormal(seed: int, n: int = 400, scale: float = 1.0) -> np.ndarray:
    return np.round(np.random.default_rng(seed).lognormal(5, 1.2, n) * scale)


def test_same_distribution_passes_and_reports_quantiles_and_kl():
    base = {"tiktok": _lognormal(1), "youtube_shorts": _lognormal(2)}
    cur = {"tiktok": _lognormal(3), "youtube_shorts": _lognormal(4)}
    result = drift_result(cur, base)
    assert result.passed and result.severity == dg.AssetCheckSeverity.WARN
    per = result.metadata["per_surface"].value
    assert per["tiktok"]["kl"] < 0.1 and set(per["tiktok"]["quantiles"]) == {"p10", "p50", "p90", "p99"}


def test_tenfold_views_on_one_surface_warns():
    base = {"tiktok": _lognormal(1), "youtube_shorts": _lognormal(2)}
    cur = {"tiktok": _lognormal(3, scale=10.0), "youtube_shorts": _lognormal(4)}
    result = drift_result(cur, base)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN  # surfaced, not blocking
    assert result.metadata["drifted_surfaces"].value == ["tiktok"]
    assert result.metadata["per_surface"].value["tiktok"]["kl"] > 0.5
    assert result.metadata["per_surface"].value["tiktok"]["median_ratio"] > 3


def test_too_few_rows_are_not_judged_and_first_run_passes():
    result = drift_result({"tiktok": np.array([1.0, 2.0])}, {"tiktok": np.array([1000.0] * 5)})
    assert result.passed and result.metadata["per_surface"].value["tiktok"]["judged"] is False
    assert drift_result({"tiktok": _lognormal(1)}, None).passed


def test_kl_is_zero_for_identical_samples_and_grows_with_shift():
    x = _lognormal(9)
    assert kl_divergence(x, x) < 1e-9
    assert kl_divergence(x * 3, x) < kl_divergence(x * 30, x)


def test_the_check_against_the_published_file(make_warehouse, tmp_path):
    warehouse, published = make_warehouse(), tmp_path / "pub.duckdb"
    assert drift_for_paths(warehouse, published).passed  # nothing published: no baseline
    publish_marts(warehouse, published, run_id="good")
    check = views_distribution_drift(warehouse=WarehouseResource(db_path=str(warehouse)),
                                     publish=PublishResource(published_path=str(published)))
    assert check.passed and check.check_name == DRIFT_CHECK

    conn = duckdb.connect(str(warehouse))
    conn.execute("UPDATE marts.fct_content_daily SET views = views * 50 WHERE surface = 'instagram_reels'")
    conn.close()
    drifted = drift_for_paths(warehouse, published)
    assert not drifted.passed and drifted.severity == dg.AssetCheckSeverity.WARN
    assert "instagram_reels" in drifted.metadata["drifted_surfaces"].value
