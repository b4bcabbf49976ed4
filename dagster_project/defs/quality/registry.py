"""Every quality check of this package besides gx_comparison_suite, for dagster_project/definitions.py.

    from dagster_project.defs.quality.registry import QUALITY_CHECKS
    asset_checks=[gx_comparison_suite, *QUALITY_CHECKS]

Blocking (ERROR; a failure keeps the publish asset from running):
  marts/*                      row_count_vs_last_publish          C4
  marts/*                      no_pii_in_text, columns_allow_listed   E3
  marts/fct_content_daily      surfaces_complete_recent_days      B2
  marts/fct_content_daily      gx_daily_no_unflagged_negatives    C1
  marts/rpt_* (comparisons)    views_basis_single_or_flagged, date_coverage_matches   issue 4
  marts/*                      no_reach_summed                    issue 4
WARN (surfaced in metadata, never blocks):
  marts/fct_content_daily      gx_daily_likes_not_above_views     C2
  marts/fct_content_daily      views_distribution_drift           C5
  raw/*                        payload_keys_known                 A13
"""

from dagster_project.defs.quality.drift import views_distribution_drift
from dagster_project.defs.quality.fairness import marts_fair_comparisons
from dagster_project.defs.quality.gx_checks import gx_content_daily_suite
from dagster_project.defs.quality.pii import marts_no_personal_data
from dagster_project.defs.quality.schema_changes import SCHEMA_CHANGE_CHECKS
from dagster_project.defs.quality.volume import marts_row_count_vs_last_publish, surfaces_complete_recent_days

QUALITY_CHECKS = [
    marts_row_count_vs_last_publish,
    surfaces_complete_recent_days,
    views_distribution_drift,
    gx_content_daily_suite,
    marts_no_personal_data,
    *SCHEMA_CHANGE_CHECKS,
    marts_fair_comparisons,
]
