"""Named sandbox worlds: `demo` (what `make run` uses), `agency`, `large` and `tiny`.

    from connectors.sandbox.worlds import world_settings
    World(world_settings("agency"))            # 50 brands, one year
    World(world_settings("tiny", seed=7))      # any WorldSettings field can be overridden

Sizes (short posts are TikTok videos, Instagram Reels, Facebook Reels and YouTube Shorts; every
world also has YouTube long-form videos and Instagram FEED images, which are snapshotted too):

* `demo`: `WorldSettings()` unchanged (3 brands, 2026-09-01..2026-11-28, 3 short posts a week on
  each surface); its numbers must never change (tests compare the warehouse with its truth).
* `agency`: 50 brands, 5 short posts a week on each surface, one year ending 2026-11-28
  (2025-11-29..2026-11-28): ~58,000 posts. Lifetime snapshots hold one row per live post (and
  per listed ad) per pull day, so a year of daily pulls grows with posts x days / 2. Measured on
  3 brands (x 50/3): ~14.7 M raw rows (organic snapshots ~10 M, paid ~3.3 M, daily rows ~1.3 M),
  a ~3.3 GB DuckDB file, ~2,000 CPU seconds of `bulk.write_raw` (7,300 rows per CPU second).
  `World(...)` builds in ~100 s (one core) and holds ~2.5 GB.
* `large`: 200 brands, two years ending 2026-11-28 (2024-11-29..2026-11-28), 0.5 short posts a
  week on each surface and a long-form video / FEED image every 4 weeks. Why so few: snapshot rows
  grow with brands x rate x days^2 / 2, so at `agency`'s rate two years of 200 brands would be
  ~170 M organic snapshot rows. At this rate the world has ~50,000 posts and ~17 M organic
  snapshot rows (measured on 10 brands x 20). Paid media do not depend on the posting rate (a
  campaign every 1-4 weeks per brand). Written in session 12 through 2026-11-27, one platform per
  process: organic 18.5 M rows (4-12 min per platform), TikTok ads 17.3 M (42 min, peak 10.7 GiB),
  Meta ads 25.5 M (66 min, peak 15.6 GiB: its ~10 M delivery rows at ~500 bytes each beside the
  world). So on 24 GB, `shortform sandbox bulk --jobs 2` suits `agency` and `large`'s organic
  platforms; `large`'s two paid platforms together would not fit.
* `tiny`: 2 brands, three weeks ending 2026-11-28: the smoke world of tests and `make bench-smoke`.

Brands beyond the 26 built-in slugs get generated slugs (`acme2`, `bloom2` ...) and the 26 time
zones cycled; the first 26 brands of any world are the same as in every other world.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from .world import WorldSettings

WORLDS_END = date(2026, 11, 28)

NAMED_WORLDS: dict[str, WorldSettings] = {
    "demo": WorldSettings(),
    "agency": WorldSettings(
        n_brands=50,
        history_start=date(2025, 11, 29),
        end=WORLDS_END,
        posts_per_week=5.0,
    ),
    "large": WorldSettings(
        n_brands=200,
        history_start=date(2024, 11, 29),
        end=WORLDS_END,
        posts_per_week=0.5,
        long_form_per_week=0.25,
        feed_images_per_week=0.25,
    ),
    "tiny": WorldSettings(
        n_brands=2,
        history_start=date(2026, 11, 8),
        end=WORLDS_END,
    ),
}


def world_settings(name: str, **overrides: Any) -> WorldSettings:
    """The named world's settings, with any `WorldSettings` field overridden."""
    try:
        base = NAMED_WORLDS[name]
    except KeyError:
        raise ValueError(f"unknown world {name!r}: known worlds are {', '.join(NAMED_WORLDS)}") from None
    return replace(base, **overrides) if overrides else base
