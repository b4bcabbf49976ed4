"""The comparison summary printed after a refresh, read from the published file (read-only)."""

from __future__ import annotations

from pathlib import Path

import duckdb

SURFACE_LABELS = {
    "tiktok": "TikTok",
    "instagram_reels": "Instagram Reels",
    "facebook_reels": "Facebook Reels",
    "youtube_shorts": "YouTube Shorts",
}

TRY_QUERY = """SELECT brand, surface, iso_week, views, round(engagement_rate, 4) AS engagement_rate,
       round(avg_watch_seconds_per_view, 1) AS watch_s_per_view
FROM rpt_platform_comparison_weekly
ORDER BY week_start DESC, brand, views DESC
LIMIT 12;"""


def comparison_table(published: Path, week_start: str | None = None) -> str:
    conn = duckdb.connect(str(published), read_only=True)
    try:
        if week_start is None:
            # the newest week every surface reports fully (7 days) for every brand, else the newest week
            row = conn.execute(
                "SELECT max(week_start) FROM rpt_platform_comparison_weekly WHERE days_covered = 7"
            ).fetchone()
            if not row or row[0] is None:
                row = conn.execute("SELECT max(week_start) FROM rpt_platform_comparison_weekly").fetchone()
            week_start = str(row[0])
        rows = conn.execute(
            "SELECT brand, surface, iso_week, posts_published, views, engagement_rate, "
            "avg_watch_seconds_per_view, views_basis FROM rpt_platform_comparison_weekly "
            "WHERE week_start = ? ORDER BY brand, surface",
            [week_start],
        ).fetchall()
    finally:
        conn.close()
    if not rows:
        return "(no rows in rpt_platform_comparison_weekly)"
    header = f"{'brand':<10} {'surface':<16} {'posts':>5} {'views':>12} {'eng. rate':>9} {'watch s/view':>12}  views basis"
    lines = [f"Weekly comparison, ISO week {rows[0][2]} (week starting {week_start})", header, "-" * len(header)]
    last_brand = None
    for brand, surface, _week, posts, views, rate, watch, basis in rows:
        shown = brand if brand != last_brand else ""
        last_brand = brand
        lines.append(
            f"{shown:<10} {SURFACE_LABELS.get(surface, surface):<16} {posts or 0:>5} {views or 0:>12,.0f} "
            f"{(rate or 0) * 100:>8.2f}% {watch or 0:>12.1f}  {basis}"
        )
    return "\n".join(lines)


def paid_tables(published: Path, week_start: str | None = None) -> str:
    """Each brand's CPM and cost per view by surface, and the 100 % TikTok-to-Reels scenarios."""
    conn = duckdb.connect(str(published), read_only=True)
    try:
        names = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"rpt_cost_efficiency_weekly", "rpt_budget_reallocation"} <= names:
            return "(no paid marts published)"
        if week_start is None:
            row = conn.execute("SELECT max(week_start) FROM rpt_cost_efficiency_weekly WHERE days_covered = 7").fetchone()
            week_start = str(row[0]) if row and row[0] else None
        cost = conn.execute(
            "SELECT brand, surface, reporting_currency, spend_reporting, cpm_reporting, cost_per_quality_view_reporting, "
            "quality_view_definition FROM rpt_cost_efficiency_weekly WHERE week_start = ? "
            "AND surface IN ('tiktok', 'instagram_reels', 'facebook_reels') ORDER BY brand, surface",
            [week_start],
        ).fetchall()
        scenarios = conn.execute(
            "SELECT brand, target_surface, reporting_currency, shifted_spend_reporting, projected_impressions_change, "
            "projected_views_change, projected_engagements_change FROM rpt_budget_reallocation "
            "WHERE shift_share = 1 ORDER BY brand, target_surface"
        ).fetchall()
    finally:
        conn.close()
    lines = [f"Paid cost efficiency, week starting {week_start} (reporting currency)"]
    header = f"{'brand':<10} {'surface':<16} {'spend':>10} {'CPM':>8} {'cost/view':>10}  view definition"
    lines += [header, "-" * len(header)]
    last = None
    for brand, surface, cur, spend, cpm, cpv, definition in cost:
        lines.append(f"{brand if brand != last else '':<10} {SURFACE_LABELS.get(surface, surface):<16} "
                     f"{spend or 0:>10,.2f} {cpm or 0:>8.2f} {cpv or 0:>10.4f}  {definition} ({cur})")
        last = brand
    lines += ["", "Scenario: move 100 % of TikTok spend (trailing 4 weeks, linear)"]
    header = f"{'brand':<10} {'to':<16} {'moved':>10} {'impressions':>12} {'views':>10} {'engagements':>12}"
    lines += [header, "-" * len(header)]
    last = None
    for brand, target, _cur, moved, d_imp, d_views, d_eng in scenarios:
        lines.append(f"{brand if brand != last else '':<10} {SURFACE_LABELS.get(target, target):<16} "
                     f"{moved or 0:>10,.0f} {d_imp or 0:>+12,.0f} {d_views or 0:>+10,.0f} {d_eng or 0:>+12,.0f}")
        last = brand
    return "\n".join(lines)
