"""C5 distribution drift of daily views: a WARN-severity check (surfaced, never blocks publish).

Per surface (views mean a different event on each platform, so surfaces are never pooled), the
non-negative, unflagged daily views of the last ``WINDOW_DAYS`` days of the mart are compared with
the same window of the last published (= last good) file:

- quantiles p10 / p50 / p90 / p99 of both, and the ratio of the medians;
- KL divergence KL(current || baseline) over ``BINS`` bins of log1p(views) whose edges are the
  baseline's quantiles (equal-mass bins), with additive smoothing so empty bins stay finite.

A surface warns when KL > ``MAX_KL`` or the median moved by more than a factor ``MAX_MEDIAN_RATIO``.
Surfaces with fewer than ``MIN_ROWS`` rows on either side are reported but not judged. No published
file (first run) passes with "no baseline".
"""


import math
from pathlib import Path

import dagster as dg
import numpy as np

from dagster_project.defs.quality.baseline import published_recent_views, recent_views
from dagster_project.defs.resources import PublishResource, WarehouseResource, open_duckdb

DRIFT_CHECK = "views_distribution_drift"
CONTENT_DAILY = dg.AssetKey(["marts", "fct_content_daily"])
WINDOW_DAYS = 7
BINS = 10
MAX_KL = 0.5
MAX_MEDIAN_RATIO = 3.0
MIN_ROWS = 30
QUANTILES = (0.1, 0.5, 0.9, 0.99)


def kl_divergence(current: np.ndarray, baseline: np.ndarray, bins: int = BINS, eps: float = 0.5) -> float:
    """KL(current || baseline) over equal-mass bins of the baseline, on log1p(values)."""
    cur, base = np.log1p(current), np.log1p(baseline)
    inner = np.unique(np.quantile(base, np.linspace(0, 1, bins + 1)[1:-1]))
    edges = np.concatenate(([-np.inf], inner, [np.inf]))
    p = np.histogram(cur, edges)[0] + eps
    q = np.histogram(base, edges)[0] + eps
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum(p * np.log(p / q)))


def surface_drift(current: np.ndarray, baseline: np.ndarray) -> dict:
    out: dict = {"rows": int(current.size), "baseline_rows": int(baseline.size)}
    if current.size < MIN_ROWS or baseline.size < MIN_ROWS:
        out["judged"] = False
        out["drift"] = False
        return out
    cq = np.quantile(current, QUANTILES)
    bq = np.quantile(baseline, QUANTILES)
    kl = kl_divergence(current, baseline)
    ratio = (cq[1] + 1.0) / (bq[1] + 1.0)
    out.update({
        "judged": True,
        "quantiles": {f"p{int(q * 100)}": round(float(v), 2) for q, v in zip(QUANTILES, cq, strict=True)},
        "baseline_quantiles": {f"p{int(q * 100)}": round(float(v), 2) for q, v in zip(QUANTILES, bq, strict=True)},
        "kl": round(kl, 4),
        "median_ratio": round(float(ratio), 4),
    })
    out["drift"] = bool(kl > MAX_KL or ratio > MAX_MEDIAN_RATIO or ratio < 1 / MAX_MEDIAN_RATIO)
    return out


def drift_result(current: dict[str, np.ndarray], baseline: dict[str, np.ndarray] | None) -> dg.AssetCheckResult:
    if baseline is None:
        return dg.AssetCheckResult(asset_key=CONTENT_DAILY, check_name=DRIFT_CHECK, passed=True,
                                   severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"baseline": "none: nothing published yet"})
    per_surface = {s: surface_drift(current.get(s, np.empty(0)), baseline.get(s, np.empty(0)))
                   for s in sorted(set(current) | set(baseline))}
    drifted = sorted(s for s, d in per_surface.items() if d["drift"])
    max_kl = max((d.get("kl", 0.0) for d in per_surface.values()), default=0.0)
    return dg.AssetCheckResult(
        asset_key=CONTENT_DAILY, check_name=DRIFT_CHECK, passed=not drifted, severity=dg.AssetCheckSeverity.WARN,
        description=None if not drifted else (
            "daily views distribution drifted against the last publish on " + ", ".join(
                f"{s} (KL {per_surface[s]['kl']}, median x{per_surface[s]['median_ratio']})" for s in drifted)),
        metadata={
            "window_days": WINDOW_DAYS, "max_kl": MAX_KL, "max_median_ratio": MAX_MEDIAN_RATIO,
            "max_observed_kl": float(max_kl) if math.isfinite(max_kl) else -1.0,
            "drifted_surfaces": dg.MetadataValue.json(drifted),
            "per_surface": dg.MetadataValue.json(per_surface),
        },
    )


def drift_for_paths(warehouse_path: Path, published_path: Path) -> dg.AssetCheckResult:
    conn = open_duckdb(warehouse_path, read_only=True)
    try:
        current = recent_views(conn, "marts.fct_content_daily", WINDOW_DAYS)
    finally:
        conn.close()
    return drift_result(current, published_recent_views(published_path, WINDOW_DAYS))


@dg.asset_check(asset=CONTENT_DAILY, name=DRIFT_CHECK, blocking=False,
                description="C5: quantiles and KL divergence of daily views per surface against the last "
                "published file. WARN only.")
def views_distribution_drift(warehouse: WarehouseResource, publish: PublishResource) -> dg.AssetCheckResult:
    return drift_for_paths(warehouse.path(), publish.path())
