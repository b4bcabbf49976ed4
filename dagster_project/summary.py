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


# --- fair comparisons (issue 4): cross-posted creatives and TikTok vs Meta ---------------------

SHORT_LABELS = {"tiktok": "TikTok", "instagram_reels": "IG Reels", "facebook_reels": "FB Reels",
                "youtube_shorts": "YT Shorts"}
SURFACE_ORDER = ("tiktok", "instagram_reels", "facebook_reels", "youtube_shorts")


def _tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def crosspost_winners(published: Path) -> str:
    """Per brand: cross-posted creatives (groups on 2+ platforms) and how often each platform won
    on 7-day views and on engagement rate (rpt_crosspost_comparison)."""
    conn = duckdb.connect(str(published), read_only=True)
    try:
        if "rpt_crosspost_comparison" not in _tables(conn):
            return "(rpt_crosspost_comparison not published)"
        judged = {b: (g, jv, je) for b, g, jv, je in conn.execute(
            "SELECT brand, count(DISTINCT crosspost_group_id), "
            "count(DISTINCT crosspost_group_id) FILTER (WHERE is_views_winner IS NOT NULL), "
            "count(DISTINCT crosspost_group_id) FILTER (WHERE is_engagement_winner IS NOT NULL) "
            "FROM rpt_crosspost_comparison WHERE n_platforms >= 2 GROUP BY brand").fetchall()}
        wins = conn.execute(
            "SELECT brand, surface, count(*) FILTER (WHERE is_views_winner), "
            "count(*) FILTER (WHERE is_engagement_winner) FROM rpt_crosspost_comparison "
            "WHERE n_platforms >= 2 GROUP BY brand, surface").fetchall()
    finally:
        conn.close()
    if not judged:
        return "Cross-posted creatives: none matched across platforms yet"
    views = {(b, s): v for b, s, v, _ in wins}
    rates = {(b, s): e for b, s, _, e in wins}
    head = (f"{'brand':<10} {'groups':>6}  {'wins on':<16}{'judged':>7}"
            + "".join(f"{SHORT_LABELS[s]:>10}" for s in SURFACE_ORDER))
    lines = ["Cross-posted creatives: which platform won the same creative (day-7 values)", head, "-" * len(head)]
    for brand in sorted(judged):
        groups, *judged_by_metric = judged[brand]
        for i, (label, counts) in enumerate((("7-day views", views), ("engagement rate", rates))):
            lead = f"{brand:<10} {groups:>6}" if i == 0 else f"{'':<10} {'':>6}"
            lines.append(f"{lead}  {label:<16}{judged_by_metric[i]:>7}"
                         + "".join(f"{counts.get((brand, s), 0):>10}" for s in SURFACE_ORDER))
    lines.append("judged: groups with day-7 values on two or more platforms (the others are too young or")
    lines.append("incomplete); tied platforms both count as winners.")
    return "\n".join(lines)


def _fmt_value(metric: str, value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    if metric.startswith("engagement_rate"):
        return f"{value * 100:+.2f}pp" if signed else f"{value * 100:.2f}%"
    sign = "+" if signed and value > 0 else ("-" if value < 0 else "")
    v = abs(value)
    text = f"{v / 1e6:.1f}M" if v >= 1e6 else f"{v / 1e3:.1f}k" if v >= 1e4 else f"{v:,.0f}"
    return sign + text


def _fmt_interval(metric: str, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    strip = (lambda s: s.removesuffix("pp")) if metric.startswith("engagement_rate") else (lambda s: s)
    return f"[{strip(_fmt_value(metric, low, True))}, {strip(_fmt_value(metric, high, True))}]"


def tiktok_vs_meta_verdicts(published: Path, period: str = "all") -> str:
    """Per brand: TikTok against each other surface, per-post medians at day 7, the difference
    (other minus TikTok) with its 95 % bootstrap interval and the verdict (rpt_tiktok_vs_meta)."""
    conn = duckdb.connect(str(published), read_only=True)
    try:
        if "rpt_tiktok_vs_meta" not in _tables(conn):
            return "(rpt_tiktok_vs_meta not published)"
        rows = conn.execute(
            "SELECT brand, other_surface, metric, n_tiktok, n_other, median_tiktok, median_other, "
            "median_diff_other_minus_tiktok, ci_low, ci_high, is_distinguishable, views_bases_differ "
            "FROM rpt_tiktok_vs_meta WHERE period = ? ORDER BY brand, "
            "CASE other_surface WHEN 'instagram_reels' THEN 1 WHEN 'facebook_reels' THEN 2 ELSE 3 END, "
            "CASE metric WHEN 'views_d7' THEN 1 ELSE 2 END", [period]).fetchall()
    finally:
        conn.close()
    if not rows:
        return f"(no rows in rpt_tiktok_vs_meta for period '{period}')"
    head = (f"{'brand':<9}{'vs':<11}{'metric':<10}{'n TT/oth':>8}{'TikTok':>8}{'other':>8}  "
            f"{'other - TikTok [95% CI]':<25}verdict")
    lines = [f"TikTok vs Meta, period '{period}': per-post medians at day 7 over the same publish dates",
             head, "-" * len(head)]
    last = None
    flagged = False
    for brand, other, metric, n_t, n_o, med_t, med_o, diff, low, high, dist, differ in rows:
        if brand != last and last is not None:
            lines.append("")
        label = "views" if metric == "views_d7" else "eng. rate"
        if not n_t or not n_o:
            verdict = "not compared"
        elif dist is None:
            verdict = "too few posts"
        elif not dist:
            verdict = "no clear difference"
        else:
            verdict = f"{SHORT_LABELS.get(other, other)} higher" if diff > 0 else "TikTok higher"
        mark = "*" if differ else ""
        flagged |= bool(differ)
        delta = f"{_fmt_value(metric, diff, True)} {_fmt_interval(metric, low, high)}".strip()
        lines.append(
            f"{brand if brand != last else '':<9}{SHORT_LABELS.get(other, other) + mark:<11}{label:<10}"
            f"{f'{n_t}/{n_o}':>8}{_fmt_value(metric, med_t):>8}{_fmt_value(metric, med_o):>8}  "
            f"{delta:<25}{verdict}")
        last = brand
    lines.append("Interval: 95 % percentile bootstrap of the difference in medians; 'no clear difference':")
    lines.append("the interval includes 0. No interval or verdict below 5 posts a side (docs/uncertainty.md).")
    if flagged:
        lines.append("* the two surfaces count a view differently (views_bases_differ).")
    return "\n".join(lines)
