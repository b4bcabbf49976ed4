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

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from dagster_project.stats.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_N,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    IntervalMemo,
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


class _Side:
    """One brand's posts on one surface, as arrays in the input's order (the comparison asks for
    many windows of the same posts: boolean masks on arrays instead of a pandas filter and sort per
    window, which made the model take 46 s at one year of `agency`)."""

    def __init__(self, posts: pd.DataFrame):
        self.day = np.array([d.toordinal() for d in posts["day"]], dtype=np.int64)
        self.basis = posts["views_basis"].to_numpy(dtype=object)
        self.basis_missing = posts["views_basis"].isna().to_numpy()
        self.event = posts["view_event"].to_numpy(dtype=object)
        self.metrics = {m: posts[m].astype(float).to_numpy() for m in METRICS}

    def __len__(self) -> int:
        return len(self.day)

    def first_day(self) -> date:
        return date.fromordinal(int(self.day.min()))

    def last_day(self) -> date:
        return date.fromordinal(int(self.day.max()))

    def window(self, window: tuple[date, date] | None) -> _Kept:
        """The posts inside the window, of its newest views basis: the basis of the row that sorts
        last by (day, views_basis), a missing basis sorting after any other; the rest are dropped."""
        if window is None:
            return _Kept.empty()
        inside = (self.day >= window[0].toordinal()) & (self.day <= window[1].toordinal())
        if not inside.any():
            return _Kept.empty()
        newest_day = self.day[inside].max()
        last = inside & (self.day == newest_day)
        if self.basis_missing[last].any():
            kept = inside & self.basis_missing
        else:
            kept = inside & ~self.basis_missing & (self.basis == max(self.basis[last]))
        first = int(np.argmax(kept))
        days = self.day[kept]
        return _Kept(
            n=int(kept.sum()), dropped=int(inside.sum() - kept.sum()), basis=self.basis[first],
            event=self.event[first], first_day=date.fromordinal(int(days.min())),
            last_day=date.fromordinal(int(days.max())),
            values={m: v[kept][~np.isnan(v[kept])] for m, v in self.metrics.items()},
        )


@dataclass(frozen=True)
class _Kept:
    n: int
    dropped: int
    basis: Any
    event: Any
    first_day: date | None
    last_day: date | None
    values: dict[str, np.ndarray]

    @classmethod
    def empty(cls) -> _Kept:
        return cls(0, 0, None, None, None, None, {m: np.empty(0) for m in METRICS})


def _verdict(other: str, r, metric: str) -> str:
    if r.is_distinguishable is None:
        return f"too few posts (< {r.min_n} per side)"
    if not r.is_distinguishable:
        return "no clear difference"
    return f"{other} higher" if r.difference > 0 else f"{BASELINE} higher"


def compare(frame: pd.DataFrame, *, n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
            min_n: int = DEFAULT_MIN_N, confidence: float = DEFAULT_CONFIDENCE,
            memo: IntervalMemo | None = None) -> pd.DataFrame:
    """The comparison table. ``memo``: bootstrap intervals of an earlier build, reused where a
    comparison's samples and settings are the same (see IntervalMemo); the result is the same."""
    posts = prepare_posts(frame)
    rows: list[dict[str, Any]] = []
    sides = {key: _Side(group) for key, group in posts.groupby(["brand", "surface"], sort=False)}
    no_posts = _Side(posts.iloc[0:0])
    for brand in sorted(posts["brand"].unique()):
        base_all = sides.get((brand, BASELINE), no_posts)
        for other in OTHER_SURFACES:
            other_all = sides.get((brand, other), no_posts)
            cover = None
            if len(base_all) and len(other_all):
                lo = max(base_all.first_day(), other_all.first_day())
                hi = min(base_all.last_day(), other_all.last_day())
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
                base = base_all.window(window)
                oth = other_all.window(window)
                b_basis = base.basis if base.n else None
                o_basis = oth.basis if oth.n else None
                differ = None if b_basis is None or o_basis is None else bool(base.event != oth.event)
                for metric in METRICS:
                    s = key_seed(seed, brand, period, other, metric)
                    r = bootstrap_median_difference(base.values[metric], oth.values[metric],
                                                    n_resamples=n_resamples, confidence=confidence,
                                                    min_n=min_n, seed=s, memo=memo)
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
                        "tiktok_first_published_date": base.first_day, "tiktok_last_published_date": base.last_day,
                        "other_first_published_date": oth.first_day, "other_last_published_date": oth.last_day,
                        "tiktok_posts_other_basis": base.dropped, "other_posts_other_basis": oth.dropped,
                    })
    out = pd.DataFrame(rows, columns=[c for c, _ in COLUMNS])
    return out.astype(object).where(out.notna(), None)
