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
