"""The weekly client report: one self-contained HTML file (inline SVG charts, no network needed).

``write_report(published_path, week, brand, out_path)`` compares the platforms for one ISO week
and shows the trend over the last eight weeks, with what each number means and how mature the data
is. Figures come straight from ``rpt_platform_comparison_weekly`` (for one brand, the mart's own
row; for all brands, sums per surface with rates recomputed from the sums) and, when published,
from the paid marts. The numbers are also embedded as JSON (``<script id="report-data">``).
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from dagster_project.analyst import definitions as defs
from dagster_project.analyst import queries
from dagster_project.analyst.db import Catalog, connect, published_path

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
TREND_WEEKS = 8


class ReportError(ValueError):
    """A report that cannot be made (bad week, unknown brand, no data)."""


def parse_week(week: str) -> date:
    """'YYYY-Www' -> the Monday of that ISO week."""
    m = WEEK_RE.match(week or "")
    if not m:
        raise ReportError(f"week must look like YYYY-Www (ISO week), got {week!r}")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as exc:
        raise ReportError(f"no such ISO week: {week!r} ({exc})") from None


def iso_week_label(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def latest_complete_week(path: str | os.PathLike[str] | None = None, brand: str | None = None) -> str:
    """The newest ISO week every surface covers with 7 days (else the newest week)."""
    params: list[Any] = []
    where = ""
    if brand:
        where, params = " WHERE brand = ?", [brand]
    with connect(path) as conn:
        row = conn.execute(
            f"SELECT week_start FROM {queries.WEEKLY}{where} GROUP BY week_start "
            "HAVING min(days_covered) = 7 ORDER BY week_start DESC LIMIT 1", params).fetchone()
        if not row:
            row = conn.execute(f"SELECT max(week_start) FROM {queries.WEEKLY}{where}", params).fetchone()
    if not row or row[0] is None:
        raise ReportError("the published file has no weekly rows yet")
    return iso_week_label(row[0])


@dataclass
class ReportData:
    week: str
    week_start: date
    brand: str | None
    surfaces: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    paid: list[dict[str, Any]] | None
    publish: dict[str, Any] | None
    not_final_days: dict[str, int] = field(default_factory=dict)
    # surface -> (brands whose week holds a downward restatement, most such days of one brand)
    restated_down: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _clean(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _records(df) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict("records")]


def collect(path: str | os.PathLike[str] | None, week: str, brand: str | None) -> ReportData:
    start = parse_week(week)
    end = start + timedelta(days=6)
    catalog = Catalog.load(path)
    options = queries.filter_options(path)
    if brand and brand not in options["brands"]:
        raise ReportError(f"unknown brand {brand!r}; the published file has {', '.join(options['brands'])}")
    brands = (brand,) if brand else ()
    week_filter = queries.Filters.of(brands, None, start, end)
    # one ISO week: exactly that week's rows (Filters.where(week=True) would also take the week before)
    this_week = queries.Filters.of(brands, None, start + timedelta(days=6), end)
    surfaces = queries.weekly_trend(this_week, path)
    surfaces = surfaces[surfaces["iso_week"] == week]
    if surfaces.empty:
        raise ReportError(f"no rows for ISO week {week}{' and brand ' + brand if brand else ''} in the published file")
    trend_filter = queries.Filters.of(brands, None, start - timedelta(weeks=TREND_WEEKS - 1), end)
    trend = queries.weekly_trend(trend_filter, path)
    paid_df = queries.paid_summary(week_filter, catalog, path)
    if paid_df is not None:
        paid_df.attrs.clear()
    data = ReportData(
        week=week, week_start=start, brand=brand,
        surfaces=_records(surfaces), trend=_records(trend),
        paid=_records(paid_df) if paid_df is not None else None,
        publish={k: _clean(v) for k, v in (queries.publish_info(path) or {}).items() if k != "table_hashes"} or None,
    )
    flag = "is_final" if catalog.has(queries.ORGANIC_DAILY, "is_final") else None
    bwhere = " AND brand = ?" if brand else ""
    with connect(path) as conn:
        if flag:
            rows = conn.execute(
                f"SELECT surface, count(DISTINCT metric_date) FROM {queries.ORGANIC_DAILY} "
                f"WHERE metric_date BETWEEN ? AND ? AND NOT is_final{bwhere} GROUP BY surface",
                [start, end, *brands]).fetchall()
            data.not_final_days = {s: int(n) for s, n in rows}
        if catalog.has(queries.WEEKLY, "days_restated_down"):
            rows = conn.execute(
                f"SELECT surface, count(*), max(days_restated_down) FROM {queries.WEEKLY} "
                f"WHERE week_start = ? AND days_restated_down > 0{bwhere} GROUP BY surface",
                [start, *brands]).fetchall()
            data.restated_down = {s: (int(k), int(n)) for s, k, n in rows}
    for row in data.surfaces:
        label = defs.surface_label(row["surface"])
        if (row["min_days_covered"] or 0) < 7:
            data.notes.append(f"{label}: only {row['min_days_covered']} of 7 days have daily rows this week "
                              "(a partial week; numbers will grow).")
        if row["complete_share"] is not None and row["complete_share"] < 1:
            data.notes.append(f"{label}: {row['complete_share'] * 100:.0f}% of the week's daily rows were observed "
                              "exactly; the rest were spread over missed snapshot days or are unknown (first "
                              "snapshot of older posts).")
        if data.not_final_days.get(row["surface"]):
            data.notes.append(f"{label}: {data.not_final_days[row['surface']]} day(s) of this week are inside the "
                              "platform's restatement window (not final): they can still change.")
        if row["surface"] in data.restated_down:
            k, n = data.restated_down[row["surface"]]
            whose = "" if brand else f" for {k} brand(s)"
            data.notes.append(f"{label}: the platform lowered lifetime totals (a downward restatement, e.g. spam "
                              f"removal) on {n} day(s) of this week{whose}; views are net of it and can look low "
                              "or negative.")
    if not flag:
        data.notes.append("Day finality (is_final) is not in the published marts yet: recent days of lifetime-total "
                          "platforms (TikTok, Instagram, Facebook) can still be restated.")
    return data


# --- rendering ---------------------------------------------------------------------------------


def _fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{float(value) * 100:.2f}%"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "money4":
        return f"{float(value):,.4f}"
    return f"{float(value):,.1f}"


def svg_line_chart(series: dict[str, list[tuple[str, float | None]]], colors: dict[str, str], title: str,
                   kind: str = "int", width: int = 620, height: int = 260) -> str:
    """A small line chart as inline SVG (no scripts, no external resources)."""
    left, right, top, bottom = 70, 150, 30, 40
    xs = sorted({x for pts in series.values() for x, _ in pts})
    values = [v for pts in series.values() for _, v in pts if v is not None]
    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(title)}">',
             f'<text x="{left}" y="18" font-size="13" font-weight="bold">{e(title)}</text>']
    if not xs or not values:
        parts.append(f'<text x="{left}" y="{height / 2}" font-size="12">no data</text></svg>')
        return "".join(parts)
    lo, hi = min(0.0, min(values)), max(values)
    hi = hi if hi > lo else lo + 1
    pw, ph = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + (pw * i / max(len(xs) - 1, 1))

    def py(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = py(v)
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{e(_fmt(v, kind))}</text>')
    for i, x in enumerate(xs):
        parts.append(f'<text x="{px(i):.1f}" y="{height - bottom + 16}" font-size="10" text-anchor="middle">{e(x[-3:])}</text>')
    for n, (name, pts) in enumerate(series.items()):
        color = colors.get(name, "#666")
        lookup = dict(pts)
        coords = [(px(i), py(lookup[x])) for i, x in enumerate(xs) if lookup.get(x) is not None]
        if len(coords) > 1:
            d = " ".join(f"{'M' if j == 0 else 'L'}{cx:.1f},{cy:.1f}" for j, (cx, cy) in enumerate(coords))
            parts.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
        for cx, cy in coords:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{color}"/>')
        ly = top + 14 + n * 18
        parts.append(f'<rect x="{left + pw + 14}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{left + pw + 30}" y="{ly}" font-size="11">{e(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:32px auto;max-width:980px;color:#222}
h1{font-size:24px;margin-bottom:4px} h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{padding:6px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left} th{background:#f6f6f6}
.muted{color:#666;font-size:12px} .note{background:#fff8e1;padding:8px 12px;border-left:3px solid #f0b400;margin:6px 0}
.charts{display:flex;flex-wrap:wrap;gap:12px}
"""

ORGANIC_COLUMNS = [
    ("posts", "Posts", "int", "posts"),
    ("views", "Views", "int", "views"),
    ("engagement_rate", "Engagement rate", "pct", "engagement_rate"),
    ("watch_seconds_per_view", "Watch s / view", "num", "watch_seconds_per_view"),
    ("engagements", "Engagements", "int", "engagements"),
    ("min_days_covered", "Days covered", "int", None),
    ("complete_share", "Exact rows", "pct", "complete_share"),
]


def render_html(data: ReportData) -> str:
    e = html.escape
    who = data.brand or "all brands"
    end = data.week_start + timedelta(days=6)
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>Short-form weekly report {e(data.week)} · {e(who)}</title><style>{CSS}</style></head><body>",
           "<h1>Short-form video: weekly platform comparison</h1>",
           f"<p><b>{e(who)}</b> · ISO week <b>{e(data.week)}</b> ({data.week_start} to {end}, each platform's own day "
           "basis: UTC days for TikTok, Instagram and Facebook, Pacific-time days for YouTube Shorts)</p>"]
    if data.publish:
        out.append(f"<p class='muted'>Data as published {e(str(data.publish.get('published_at', ''))[:19])} UTC "
                   f"(content hash {e(str(data.publish.get('content_hash', ''))[:12])}); only data that passed every "
                   "blocking check is published.</p>")

    out.append("<h2>This week by platform (organic)</h2><table id='organic'><tr><th>Surface</th>")
    out += [f"<th>{e(label)}</th>" for _, label, _, _ in ORGANIC_COLUMNS]
    out.append("</tr>")
    for row in data.surfaces:
        out.append(f"<tr data-surface='{e(row['surface'])}'><td>{e(defs.surface_label(row['surface']))}</td>")
        out += [f"<td data-metric='{key}'>{e(_fmt(row.get(key), kind))}</td>" for key, _, kind, _ in ORGANIC_COLUMNS]
        out.append("</tr>")
    out.append("</table>")

    if data.paid:
        view_cols = [k for k in data.paid[0] if k.startswith("cost_per_") and k != "cost_per_engagement"]
        out.append("<h2>This week by platform (paid)</h2><table id='paid'><tr><th>Surface</th><th>Spend</th>"
                   "<th>Currency</th><th>Impressions</th><th>CPM</th>")
        for k in view_cols:
            out.append(f"<th>{e(k.replace('_', ' ').capitalize())}</th><th>View definition</th>")
        out.append("</tr>")
        for row in data.paid:
            out.append(f"<tr data-surface='{e(str(row['surface']))}'><td>{e(defs.surface_label(str(row['surface'])))}</td>"
                       f"<td data-metric='spend'>{e(_fmt(row.get('spend'), 'money'))}</td>"
                       f"<td>{e(str(row.get('currency') or ''))}</td>"
                       f"<td data-metric='impressions'>{e(_fmt(row.get('impressions'), 'int'))}</td>"
                       f"<td data-metric='cpm'>{e(_fmt(row.get('cpm'), 'money'))}</td>")
            for k in view_cols:
                count_col = k.replace("cost_per_", "") + "s"
                definition = row.get(count_col.removesuffix("s") + "_definition") or count_col
                out.append(f"<td data-metric='{e(k)}'>{e(_fmt(row.get(k), 'money4'))}</td>"
                           f"<td class='muted'>{e(str(definition))}</td>")
            out.append("</tr>")
        out.append("</table><p class='muted'>Paid days are the ad accounts' local days; money in the reporting "
                   "currency at dated exchange rates; CPM and cost per view recomputed from the week's sums. "
                   "YouTube has no cost data (Google Ads is not connected).</p>")
    elif data.paid is None:
        out.append("<p class='muted'>Paid media: not in the published marts yet.</p>")

    out.append(f"<h2>Trend, last {TREND_WEEKS} weeks</h2><div class='charts'>")
    colors = {defs.surface_label(s): c for s, c in defs.SURFACE_COLORS.items()}
    for key, title, kind in (("views", "Views (platform definitions)", "int"),
                             ("engagement_rate", "Engagement rate", "pct"),
                             ("watch_seconds_per_view", "Watch seconds per view", "num"),
                             ("posts", "Posts published", "int")):
        series: dict[str, list[tuple[str, float | None]]] = {}
        for row in data.trend:
            series.setdefault(defs.surface_label(row["surface"]), []).append((row["iso_week"], row.get(key)))
        out.append(svg_line_chart(series, colors, title, kind, width=470))
    out.append("</div><table id='trend'><tr><th>Week</th><th>Surface</th><th>Views</th><th>Engagement rate</th>"
               "<th>Watch s / view</th><th>Posts</th><th>Days covered</th></tr>")
    for row in data.trend:
        out.append(f"<tr><td>{e(row['iso_week'])}</td><td>{e(defs.surface_label(row['surface']))}</td>"
                   f"<td>{e(_fmt(row['views'], 'int'))}</td><td>{e(_fmt(row['engagement_rate'], 'pct'))}</td>"
                   f"<td>{e(_fmt(row['watch_seconds_per_view'], 'num'))}</td><td>{e(_fmt(row['posts'], 'int'))}</td>"
                   f"<td>{e(_fmt(row['min_days_covered'], 'int'))}</td></tr>")
    out.append("</table>")

    out.append("<h2>Data maturity</h2>")
    out += [f"<div class='note'>{e(n)}</div>" for n in data.notes] or ["<p>Every day of this week is final.</p>"]

    out.append("<h2>Definitions</h2><ul>")
    for row in data.surfaces:
        out.append(f"<li><b>{e(defs.surface_label(row['surface']))}</b> views = <code>{e(str(row['views_basis']))}</code>: "
                   f"{e(defs.basis_text(row['views_basis']))}</li>")
    out.append("</ul><ul>")
    for _key, label, _, metric in ORGANIC_COLUMNS:
        if metric and metric in defs.METRICS:
            out.append(f"<li><b>{e(label)}</b>: {e(defs.METRICS[metric])}</li>")
    out.append("<li><b>Days covered</b>: days of the week with daily rows (the smallest over the brands shown).</li>")
    out.append("</ul><p class='muted'>A view is not the same event on every platform: compare trends within a "
               "platform, and levels across platforms with the definitions above in mind. Reach is never summed.</p>")
    payload = json.dumps({"week": data.week, "brand": data.brand, "surfaces": data.surfaces, "trend": data.trend,
                          "paid": data.paid, "notes": data.notes}, default=str, sort_keys=True)
    payload = payload.replace("</", "<\\/")
    out.append(f"<script type='application/json' id='report-data'>{payload}</script>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(published_path_: str | os.PathLike[str] | None, week: str, brand: str | None,
                 out_path: str | os.PathLike[str]) -> ReportData:
    """Write the weekly report for ISO week 'YYYY-Www' (and one brand, or all) to out_path."""
    data = collect(published_path(published_path_), week, brand)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render_html(data), encoding="utf-8")
    os.replace(tmp, out)
    return data


def default_report_path(week: str, brand: str | None, folder: str | os.PathLike[str] = "data/reports") -> Path:
    return Path(folder) / f"weekly_{week}{'_' + brand if brand else ''}.html"
