"""What every number means: surfaces, the platform metric behind "views", units and additivity.

The marts carry ``views_basis`` on every row; this module turns those keys into sentences. Column
descriptions are read from the dbt YAML of the marts when the project tree is present, so the
dashboard's definitions and ``make docs`` say the same thing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SURFACES = ("tiktok", "instagram_reels", "facebook_reels", "youtube_shorts")
SURFACE_LABELS = {
    "tiktok": "TikTok",
    "instagram_reels": "Instagram Reels",
    "facebook_reels": "Facebook Reels",
    "youtube_shorts": "YouTube Shorts",
    "meta_other": "Meta, other placements",
}
SURFACE_COLORS = {
    "tiktok": "#111111",
    "instagram_reels": "#c13584",
    "facebook_reels": "#1877f2",
    "youtube_shorts": "#ff0000",
    "meta_other": "#8a8a8a",
}
DAY_BASIS = {
    "tiktok": "UTC days",
    "instagram_reels": "UTC days",
    "facebook_reels": "UTC days",
    "youtube_shorts": "Pacific-time days (YouTube Analytics)",
}

VIEWS_BASIS = {
    "tiktok.video_views": "TikTok video_views: plays of the video, counted from the first frame, replays included.",
    "instagram.views": "Instagram views: plays and replays of the Reel (replaced 'plays' from 2025-04-21).",
    "instagram.plays": "Instagram plays: the retired pre-2025-04-21 Reels play count.",
    "facebook.fb_reels_total_plays": "Facebook fb_reels_total_plays: plays of the Reel, replays included.",
    "youtube.views": "YouTube views: Shorts views counting every start or replay (from 2025-03-31).",
    "youtube.engagedViews": "YouTube engagedViews: the pre-2025-03-31 Shorts view methodology.",
}

METRICS = {
    "views": "Sum of daily views on each platform's own definition (see views basis); additive over days and posts of one surface, not the same event across surfaces.",
    "engagement_rate": "Engagements / views over the period (likes + comments + shares + saves), recomputed from the sums, never averaged.",
    "watch_seconds_per_view": "Watch time in seconds / views over the period, recomputed from the sums.",
    "posts": "Posts published in the period (by publication date on the platform day basis).",
    "engagements": "likes + comments + shares + saves (Facebook likes = all reactions; saves only TikTok and Instagram).",
    "watch_seconds": "Watch time, seconds; additive.",
    "complete_share": "Share of daily rows observed exactly (consecutive snapshots or a daily API row), rather than spread over missed days or unknown.",
    "spend": "Ad spend in the reporting currency (converted at dated rates); additive.",
    "cpm": "Spend / impressions x 1000, recomputed from the sums.",
    "cost_per_view": "Spend / paid video views on the platform's paid view definition, recomputed from the sums.",
}


def surface_label(surface: str) -> str:
    return SURFACE_LABELS.get(surface, surface)


def basis_text(basis: str | None) -> str:
    if not basis:
        return "views basis unknown"
    return VIEWS_BASIS.get(basis, basis)


def _marts_yaml_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "dbt" / "models" / "marts"


@lru_cache(maxsize=1)
def column_descriptions() -> dict[str, dict[str, str]]:
    """{model: {column: description}} from the marts' dbt YAML (empty when the tree is absent)."""
    import yaml

    out: dict[str, dict[str, str]] = {}
    folder = _marts_yaml_dir()
    if not folder.is_dir():
        return out
    for file in sorted(folder.glob("*.yml")):
        try:
            doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for model in doc.get("models") or []:
            if not isinstance(model, dict) or "name" not in model:
                continue
            cols = out.setdefault(model["name"], {})
            if model.get("description"):
                cols["__model__"] = " ".join(str(model["description"]).split())
            for col in model.get("columns") or []:
                if isinstance(col, dict) and col.get("name") and col.get("description"):
                    cols[col["name"]] = " ".join(str(col["description"]).split())
    return out


def describe(table: str, column: str) -> str:
    return column_descriptions().get(table, {}).get(column, "")
