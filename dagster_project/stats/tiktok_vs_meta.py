"""TikTok against Instagram Reels, Facebook Reels and YouTube Shorts per brand and period, with
bootstrap intervals: the logic of the dbt Python model ``rpt_tiktok_vs_meta`` (pandas + numpy only,
so pytest can run it without dbt).

Input: the rows of ``rpt_content_benchmarks`` (one per post with a complete day-7 value).
Output: one row per brand x period x other surface x metric (see ``COLUMNS``).

Rules (docs/uncertainty.md says why):

* Periods: each calendar month of publish (reporting day, ``YYYY-MM``) and ``all``.
* Same dates on both sides: a side's coverage is the first .. last publish date of its complete
  posts for the brand; a period compares only posts published inside the intersection of the
  period with both sides' coverage (``window_start`` .. ``window_end``). So a surface tracked
  for fewer weeks, or one whose newest posts have not reached day 7 yet, does not pull the other
  side's window along.
* One views basis per side: inside the window each side keeps the posts of its newest basis (the
  basis of its most recently published post) and counts the others in ``*_posts_other_basis``,
  so a column never mixes two kinds of view. ``views_bases_differ`` says when the two sides' view
  events differ (the comparison then stands, but compares different events).
* Metrics: ``views_d7`` and ``engagement_rate_d7`` (per post: engagements / views at day 7); the
  difference is median(other) - median(TikTok), with a percentile bootstrap interval
  (dagster_project/stats/bootstrap.py) and ``is_distinguishable`` (null below ``min_n`` posts).
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from dagster_project.stats.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_N,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    bootstrap_median_difference,
    key_seed,
)

BASELINE = "tiktok"
OTHER_SURFACES = ("instagram_reels", "facebook_reels", "youtube_shorts")
METRICS = ("views_d7", "engagement_rate_d7")
ALL_PERIOD = "all"

# (column, DuckDB type); the model casts its output to these.
COLUMNS: list[tuple[str, str]] = [
    ("comparison_key", "varchar"),
    ("brand", "varchar"),
    ("period", "varchar"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("baseline_surface", "varchar"),
    ("other_surface", "varchar"),
    ("metric", "varchar"),
    ("window_start", "date"),
    ("window_end", "date"),
    ("n_tiktok", "bigint"),
    ("n_other", "bigint"),
    ("median_tiktok", "double"),
    ("median_other", "double"),
    ("median_diff_other_minus_tiktok", "double"),
    ("ci_low", "double"),
    ("ci_high", "double"),
    ("confidence_level", "double"),
    ("is_distinguishable", "boolean"),
    ("verdict", "varchar"),
    ("min_n", "integer"),
    ("n_resamples", "integer"),
    ("seed", "bigint"),
    ("tiktok_views_basis", "varchar"),
    ("other_views_basis", "varchar"),
    ("views_bases_differ", "boolean"),
    ("tiktok_first_published_date", "date"),
    ("tiktok_last_published_date", "date"),
    ("other_first_published_date", "date"),
    ("other_last_published_date", "date"),
    ("tiktok_posts_other_basis", "bigint"),
    ("other_posts_other_basis", "bigint"),
]


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, date.fromordinal(nxt.toordinal() - 1)


def _months(lo: date, hi: date) -> Iterable[tuple[str, date, date]]:
    day = lo.replace(day=1)
    while day <= hi:
        start, end = _month_bounds(day)
        yield f"{start:%Y-%m}", start, end
        day = date.fromordinal(end.toordinal() + 1)


def prepare_posts(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the comparison needs, with a python-date `day` (reporting publish day)."""
    needed = {"brand", "surface", "views_basis", "view_event", "views_d7", "engagement_rate_d7", "published_date"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"rpt_tiktok_vs_meta: input lacks columns {sorted(missing)}")
    posts = frame.copy()
    day = posts["published_date_reporting"] if "published_date_reporting" in posts else posts["published_date"]
    posts["day"] = [_as_date(d) or _as_date(f) for d, f in zip(day, posts["published_date"], strict=True)]
    bad = posts[posts["day"].isna() | posts["brand"].isna()]
    if len(bad):
        first = bad.iloc[0]
        raise ValueError(f"rpt_tiktok_vs_meta: {len(bad)} post(s) without a brand or publish date, e.g. "
                         f"{first.get('content_key', '?')} on {first['surface']}")
    posts = posts[posts["views_d7"].notna()]
    return posts


def _one_basis(side: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The posts of the side's newest basis, and how many posts of other bases were left out."""
    if side.empty:
        return side, 0
    newest = side.sort_values(["day", "views_basis"]).iloc[-1]["views_basis"]
    kept = side[side["views_basis"] == newest] if pd.notna(newest) else side[side["views_basis"].isna()]
    return kept, len(side) - len(kept)


def _verdict(other: str, r, metric: str) -> str:
    if r.is_distinguishable is None:
        return f"too few posts (< {r.min_n} per side)"
    if not r.is_distinguishable:
        return "no clear difference"
    return f"{other} higher" if r.difference > 0 else f"{BASELINE} higher"


def compare(frame: pd.DataFrame, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
            min_n: int = DEFAULT_MIN_N, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    posts = prepare_posts(frame)
    rows: list[dict[str, Any]] = []
    for brand in sorted(posts["brand"].unique()):
        mine = posts[posts["brand"] == brand]
        base_all = mine[mine["surface"] == BASELINE]
        for other in OTHER_SURFACES:
            other_all = mine[mine["surface"] == other]
            cover = None
            if len(base_all) and len(other_all):
                lo = max(base_all["day"].min(), other_all["day"].min())
                hi = min(base_all["day"].max(), other_all["day"].max())
                cover = (lo, hi) if lo <= hi else None
            periods: list[tuple[str, date | None, date | None]] = [(ALL_PERIOD, None, None)]
            if cover:
                periods += list(_months(*cover))
            for period, p0, p1 in periods:
                window = None
                if cover:
                    w0 = max(cover[0], p0) if p0 else cover[0]
                    w1 = min(cover[1], p1) if p1 else cover[1]
                    window = (w0, w1) if w0 <= w1 else None

                def side(df: pd.DataFrame, window=window) -> tuple[pd.DataFrame, int]:
                    if window is None:
                        return df.iloc[0:0], 0
                    return _one_basis(df[(df["day"] >= window[0]) & (df["day"] <= window[1])])

                base, base_dropped = side(base_all)
                oth, oth_dropped = side(other_all)
                b_basis = base["views_basis"].iloc[0] if len(base) else None
                o_basis = oth["views_basis"].iloc[0] if len(oth) else None
                b_event = base["view_event"].iloc[0] if len(base) else None
                o_event = oth["view_event"].iloc[0] if len(oth) else None
                differ = None if b_basis is None or o_basis is None else bool(b_event != o_event)
                for metric in METRICS:
                    a = base[metric].dropna().astype(float).to_numpy()
                    b = oth[metric].dropna().astype(float).to_numpy()
                    s = key_seed(seed, brand, period, other, metric)
                    r = bootstrap_median_difference(a, b, n_resamples=n_resamples, confidence=confidence,
                                                    min_n=min_n, seed=s)
                    rows.append({
                        "comparison_key": f"{brand}|{period}|{other}|{metric}",
                        "brand": brand, "period": period, "period_start": p0, "period_end": p1,
                        "baseline_surface": BASELINE, "other_surface": other, "metric": metric,
                        "window_start": window[0] if window else None, "window_end": window[1] if window else None,
                        "n_tiktok": r.n_baseline, "n_other": r.n_other,
                        "median_tiktok": r.median_baseline, "median_other": r.median_other,
                        "median_diff_other_minus_tiktok": r.difference,
                        "ci_low": r.ci_low, "ci_high": r.ci_high, "confidence_level": confidence,
                        "is_distinguishable": r.is_distinguishable, "verdict": _verdict(other, r, metric),
                        "min_n": min_n, "n_resamples": n_resamples, "seed": s,
                        "tiktok_views_basis": b_basis, "other_views_basis": o_basis, "views_bases_differ": differ,
                        "tiktok_first_published_date": base["day"].min() if len(base) else None,
                        "tiktok_last_published_date": base["day"].max() if len(base) else None,
                        "other_first_published_date": oth["day"].min() if len(oth) else None,
                        "other_last_published_date": oth["day"].max() if len(oth) else None,
                        "tiktok_posts_other_basis": base_dropped, "other_posts_other_basis": oth_dropped,
                    })
    out = pd.DataFrame(rows, columns=[c for c, _ in COLUMNS])
    return out.astype(object).where(out.notna(), None)
