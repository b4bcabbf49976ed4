"""Named sandbox worlds: `demo` (what `make run` uses), `agency`, `large` and `tiny`.

    from connectors.sandbox.worlds import world_settings
    World(world_settings("agency"))            # 50 brands, one year
    World(world_settings("tiny", seed=7))      # any WorldSettings field can be overridden

Sizes (short posts are TikTok videos, Instagram Reels, Facebook Reels and YouTube Shorts; every
world also has YouTube long-form videos and Instagram FEED images, which are snapshotted too):

* `demo`: `WorldSettings()` unchanged (3 brands, 2026-09-01..2026-11-28, 3 short posts a week on
  each surface); its numbers must never change (tests compare the warehouse with its truth).
* `agency`: 50 brands, 5 short posts a week on each surface, one year ending 2026-11-28
  (2025-11-29..2026-11-28). About 20 short + 2 other posts per brand and week: ~57,000 posts.
  Lifetime snapshots hold one row per live post per pull day, so the raw tables of a year of
  daily pulls grow with posts x days / 2: ~10.5 million snapshot rows (plus ~0.2 M daily rows).
* `large`: 200 brands, two years ending 2026-11-28 (2024-11-29..2026-11-28), 1 short post a week
  on each surface and a long-form video / FEED image every 4 weeks each. Why so few: snapshot rows
  grow with brands x rate x days^2 / 2, so at `agency`'s rate two years of 200 brands would be
  ~170 million snapshot rows (about a day of generation and tens of GB). At 1 post a week the
  world has ~47,000 posts and ~17 million snapshot rows: the bulk raw stays feasible on a
  2-core / 24 GiB machine while the warehouse still has 4x the brands and 2x the history.
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
        posts_per_week=1.0,
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
