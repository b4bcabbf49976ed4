"""The sandbox's deterministic world: brands, accounts, content, metric series and ground truth.

Pure Python (stdlib only). Everything is derived from `WorldSettings`: the same settings give the
same world, byte for byte, on every machine (string-seeded `random.Random`, no hash randomisation).
Changing only `end` keeps every earlier post and every earlier day's numbers: schedules are drawn
day by day and each post's metrics come from a generator seeded by its own id.

Model
-----
* Each brand has one account per platform (TikTok business_id, Instagram user id, Facebook page id,
  YouTube channel id) and an IANA time zone (it posts in its local daytime): the first 26 brands
  have distinct zones, later brands (slugs acme2, bloom2 ...) reuse them in turn.
* Creatives: a brand posts some creatives to 2-4 platforms within a day or two, with the same
  caption and duration (shared `creative_id`); other posts live on one platform only. YouTube also
  gets long-form videos (> 180 s, not Shorts); Instagram also gets FEED images (not Reels).
* Per post, every metric is a cumulative integer series, one value per *platform day* from the
  publish day to `settings.end`: the total through the end of that day. Platform day = UTC day for
  TikTok, Instagram and Facebook, America/Los_Angeles day for YouTube. Daily truth is the
  difference of consecutive cumulative values, so the truth summed through day A equals the
  lifetime total the server serves at as-of A, exactly.
* Views grow along a saturating two-speed curve (platform specific) with a per-post random scale
  and a little day-to-day noise. Likes, comments, shares, saves, watch time and reach derive from
  the *gross* views with per-post rates.
* Restatements: about `restatement_share` of TikTok / Instagram / Facebook short posts have one day
  where cumulative views drop by 1-5 % (spam removal); the truth for that day is negative. Reach
  follows the restated views; likes, comments, shares, saves and watch time do not drop.
* Paid media (ads.py, separate random streams, so the organic world above is unchanged): one TikTok
  advertiser and one Meta ad account per brand, their ads (Spark Ads / boosted Reels pointing at
  organic posts) and daily delivery per ad and placement; `truth_ad_daily()`, `ads()`,
  `ad_accounts()`.
* Metric definition changes (docs/DESIGN.md "Fair comparisons"): Instagram Reels insights
  answered `plays` (starts, replays excluded) before 2025-04-21 and `views` (every start) from
  then on; YouTube Analytics `views` of days before 2025-03-31 counted the older methodology (equal
  to `engagedViews`). The `plays` series of Instagram posts comes from its own random stream, so
  every other number of the world is unchanged; `truth_daily()` carries `plays` (Instagram) and
  `engaged_views` (YouTube) next to `views`.
* Watch time is kept in integer milliseconds. YouTube Analytics serves integer minutes per day:
  the YouTube cumulative minutes are floor(cumulative ms / 60000) and the truth watch_seconds of
  a YouTube day is its served minutes * 60.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

LOS_ANGELES = ZoneInfo("America/Los_Angeles")

PLATFORMS: tuple[str, ...] = ("tiktok", "instagram", "facebook", "youtube")
SURFACES: dict[str, str] = {
    "tiktok": "tiktok",
    "instagram": "instagram_reels",
    "facebook": "facebook_reels",
    "youtube": "youtube_shorts",
}
# posts that are not short-form get their own surface name (they are not part of the comparison)
_NON_SHORT_SURFACES: dict[str, str] = {"long_form": "youtube_long_form", "feed_image": "instagram_feed"}
LIFETIME_PLATFORMS: frozenset[str] = frozenset({"tiktok", "instagram", "facebook"})
# Definition changes: Instagram insights serve `views` from this as-of date (`plays` before it);
# YouTube Analytics `views` of days before this date are the older methodology (= engagedViews).
INSTAGRAM_VIEWS_FROM = date(2025, 4, 21)
YOUTUBE_VIEWS_FROM = date(2025, 3, 31)
SHORTS_MAX_SECONDS = 180

KIND_SHORT = "short"  # TikTok video, IG Reel, FB Reel, YouTube Short
KIND_LONG_FORM = "long_form"  # YouTube video longer than 180 s
KIND_FEED_IMAGE = "feed_image"  # Instagram FEED image

BRAND_SLUGS: tuple[str, ...] = (
    "acme", "bloom", "cobalt", "dune", "ember", "fjord", "grove", "halo", "ivory", "jade",
    "kite", "lumen", "mosaic", "nova", "orbit", "pico", "quill", "ridge", "sol", "tide",
    "umber", "vale", "wren", "xeno", "yarrow", "zephyr",
)  # fmt: skip
BRAND_TIMEZONES: tuple[str, ...] = (
    "Europe/Berlin", "America/New_York", "Asia/Tokyo", "America/Los_Angeles", "Australia/Sydney",
    "Europe/London", "America/Sao_Paulo", "Asia/Kolkata", "America/Chicago", "Asia/Singapore",
    "Europe/Madrid", "America/Mexico_City", "Asia/Dubai", "Pacific/Auckland", "Europe/Stockholm",
    "Africa/Johannesburg", "America/Denver", "Asia/Seoul", "Europe/Warsaw", "America/Toronto",
    "Asia/Jakarta", "Europe/Istanbul", "America/Bogota", "Asia/Manila", "Europe/Athens",
    "America/Halifax",
)  # fmt: skip

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B64URL = _B62 + "-_"

_HOOKS = (
    "3 ways to", "Stop scrolling:", "POV: you finally", "The secret to", "Nobody tells you how to",
    "Watch this before you", "Day 12 of trying to", "We tested whether you can", "How we",
    "Quick tip:", "Behind the scenes:", "Try this if you",
)  # fmt: skip
_TOPICS = (
    "pack a carry-on", "brew better coffee", "fix a squeaky door", "style a white tee",
    "plan a week of lunches", "clean sneakers", "grow basil indoors", "wake up earlier",
    "organise your desk", "choose a running shoe", "keep plants alive", "make cold foam",
    "wrap a gift fast", "label a pantry", "pick a sunscreen", "stretch after work",
)  # fmt: skip
_EMOJI = ("✨", "🔥", "☕", "👟", "🌿", "📦", "💡", "🎁", "")
_TAGS = ("tips", "howto", "lifehack", "diy", "fyp", "reels", "shorts", "daily", "weekend", "new")


# --------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class WorldSettings:
    """Everything the world is derived from."""

    seed: int = 42
    n_brands: int = 3
    history_start: date = date(2026, 9, 1)  # first publish dates (brand-local days)
    end: date = date(2026, 11, 28)  # last simulated day; default as-of of the server
    posts_per_week: float | Mapping[str, float] = 3.0  # short-form posts per surface per week
    cross_post_share: float = 0.6  # share of short posts that belong to a cross-posted creative
    long_form_per_week: float = 1.0  # YouTube long-form videos (not Shorts) per week
    feed_images_per_week: float = 1.0  # Instagram FEED images (not Reels) per week
    restatement_share: float = 0.05  # share of lifetime-platform short posts with a restatement

    def __post_init__(self) -> None:
        if self.n_brands < 1:
            raise ValueError("n_brands must be >= 1")
        if self.end < self.history_start:
            raise ValueError("end must not be before history_start")
        if not 0.0 <= self.cross_post_share <= 1.0:
            raise ValueError("cross_post_share must be within [0, 1]")

    def weekly_rate(self, platform: str) -> float:
        ppw = self.posts_per_week
        if isinstance(ppw, Mapping):
            return float(ppw.get(platform, ppw.get(SURFACES[platform], 0.0)))
        return float(ppw)


# ------------------------------------------------------------------------------------ data model


@dataclass
class Brand:
    slug: str
    name: str
    timezone: str
    tiktok_business_id: str
    tiktok_username: str
    ig_user_id: str
    ig_username: str
    fb_page_id: str
    youtube_channel_id: str
    tiktok_latency_days: int  # business/get daily rows lag (1-2 days)
    youtube_latency_days: int  # YouTube Analytics daily rows lag (2-3 days)
    tiktok_followers_base: int
    ig_followers_base: int
    fb_followers_base: int
    youtube_subscribers_base: int

    def account_id(self, platform: str) -> str:
        return {
            "tiktok": self.tiktok_business_id,
            "instagram": self.ig_user_id,
            "facebook": self.fb_page_id,
            "youtube": self.youtube_channel_id,
        }[platform]


@dataclass
class Content:
    """One post on one platform, with its cumulative metric series (index 0 = publish day)."""

    platform: str
    surface: str
    brand: str
    account_id: str
    content_id: str
    creative_id: str
    is_cross_posted: bool
    published_at: datetime  # UTC, aware, whole seconds
    duration_seconds: float | None  # None for images
    caption: str
    kind: str
    day0: date  # publish day on the platform day basis (UTC, or Los Angeles for YouTube)
    series: dict[str, list[int]] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    restatement_date: date | None = None
    _daily_cache: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_short(self) -> bool:
        return self.kind == KIND_SHORT

    @property
    def n_days(self) -> int:
        return len(self.series["views"])

    def index(self, as_of: date) -> int | None:
        """Series index of the platform day `as_of` (clamped to the last day), None if unpublished."""
        i = (as_of - self.day0).days
        if i < 0:
            return None
        return min(i, self.n_days - 1)

    def exists(self, as_of: date) -> bool:
        return self.day0 <= as_of

    def cum(self, name: str, as_of: date) -> int:
        i = self.index(as_of)
        if i is None:
            return 0
        return self.series[name][i]

    def daily_series(self, name: str) -> list[int]:
        """Per-day amounts of a cumulative series (cached)."""
        out = self._daily_cache.get(name)
        if out is None:
            ser = self.series[name]
            out = self._daily_cache[name] = [ser[0]] + [ser[i] - ser[i - 1] for i in range(1, len(ser))]
        return out

    def daily(self, name: str, day: date) -> int:
        i = (day - self.day0).days
        if i < 0 or i >= self.n_days:
            return 0
        s = self.series[name]
        return s[i] - (s[i - 1] if i else 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "surface": self.surface,
            "brand": self.brand,
            "account_id": self.account_id,
            "content_id": self.content_id,
            "creative_id": self.creative_id,
            "is_cross_posted": self.is_cross_posted,
            "published_at": self.published_at,
            "published_date": self.day0,
            "duration_seconds": self.duration_seconds,
            "caption": self.caption,
            "kind": self.kind,
            "is_short": self.is_short,
            "media_type": self.attrs.get("media_type"),
            "restatement_date": self.restatement_date,
        }


# ------------------------------------------------------------------------------ metric profiles


@dataclass(frozen=True)
class _Profile:
    median_views: float
    sigma: float
    w_fast: float  # weight of the fast component of the views curve
    tau_fast: float  # days
    tau_slow: float  # days
    like: float
    comment: float
    share: float
    save: float | None
    reach: tuple[float, float] | None  # unique viewers / views
    watch: tuple[float, float] | None  # average watch / duration


_PROFILES: dict[tuple[str, str], _Profile] = {
    ("tiktok", KIND_SHORT): _Profile(9000, 1.1, 0.85, 1.2, 12, 0.070, 0.0040, 0.0060, 0.008, (0.60, 0.85), (0.35, 0.95)),
    ("instagram", KIND_SHORT): _Profile(3500, 1.0, 0.70, 2.5, 18, 0.050, 0.0030, 0.0040, 0.006, (0.55, 0.80), (0.30, 0.80)),
    ("instagram", KIND_FEED_IMAGE): _Profile(1800, 0.8, 0.90, 0.8, 8, 0.060, 0.0040, 0.0020, 0.004, (0.50, 0.80), None),
    ("facebook", KIND_SHORT): _Profile(2000, 1.0, 0.70, 2.0, 25, 0.030, 0.0020, 0.0040, None, (0.60, 0.90), (0.25, 0.70)),
    ("youtube", KIND_SHORT): _Profile(5000, 1.0, 0.45, 2.0, 45, 0.040, 0.0020, 0.0020, None, None, (0.50, 0.95)),
    ("youtube", KIND_LONG_FORM): _Profile(2500, 0.9, 0.35, 4.0, 60, 0.035, 0.0040, 0.0020, None, None, (0.25, 0.55)),
}  # fmt: skip

_FB_REACTIONS: tuple[tuple[str, float], ...] = (
    ("REACTION_LIKE", 0.76), ("REACTION_LOVE", 0.14), ("REACTION_HAHA", 0.05),
    ("REACTION_WOW", 0.03), ("REACTION_SAD", 0.01), ("REACTION_ANGRY", 0.01),
)  # fmt: skip


# ------------------------------------------------------------------------------------- helpers


def _rng(*parts: object) -> random.Random:
    return random.Random("/".join(str(p) for p in parts))


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _draw_count(rng: random.Random, rate: float) -> int:
    """Integer part of `rate` plus a Bernoulli draw for its fraction (one draw per call)."""
    whole = int(rate)
    return whole + (1 if rng.random() < rate - whole else 0)


def _lognormal(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma))


def stable_hash(*parts: object) -> int:
    """Deterministic (process independent) hash, for per-object quirks."""
    return zlib.crc32("/".join(str(p) for p in parts).encode())


def _daterange(start: date, end: date) -> Iterable[date]:
    for i in range((end - start).days + 1):
        yield start + timedelta(days=i)


def day_basis_tz(platform: str) -> ZoneInfo | timezone:
    """The time zone whose calendar days a platform's daily numbers use."""
    return LOS_ANGELES if platform == "youtube" else UTC


def platform_day(platform: str, moment: datetime) -> date:
    return moment.astimezone(day_basis_tz(platform)).date()


def end_of_day_utc(platform: str, day: date) -> datetime:
    """The UTC instant at which the platform day `day` ends."""
    tz = day_basis_tz(platform)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


# ---------------------------------------------------------------------------------------- world


class World:
    """A deterministic world of brands, accounts, posts and their metrics."""

    def __init__(self, settings: WorldSettings | None = None) -> None:
        self.settings = settings or WorldSettings()
        self.start = self.settings.history_start
        self.end = self.settings.end
        self.brands: list[Brand] = [self._make_brand(i) for i in range(self.settings.n_brands)]
        self._brand_by_slug = {b.slug: b for b in self.brands}
        self._ids: set[str] = set()
        self._eod_cache: dict[tuple[bool, date], float] = {}
        for b in self.brands:
            self._ids.update(b.account_id(p) for p in PLATFORMS)
        self._contents: list[Content] = []
        for b in self.brands:
            self._contents.extend(self._make_contents(b))
        self._contents.sort(key=lambda c: (c.published_at, c.platform, c.content_id))
        self._by_id = {c.content_id: c for c in self._contents}
        # per account lists, newest first
        self._by_account: dict[tuple[str, str], list[Content]] = {}
        for c in self._contents:
            self._by_account.setdefault((c.platform, c.account_id), []).append(c)
        for lst in self._by_account.values():
            lst.reverse()
        self._account_owner: dict[tuple[str, str], Brand] = {
            (p, b.account_id(p)): b for b in self.brands for p in PLATFORMS
        }
        self._tiktok_days = {b.tiktok_business_id: self._tiktok_account_days(b) for b in self.brands}
        # paid media: separate random streams, built after the organic world (which it never alters)
        from .ads import AdBook

        self.ad_book = AdBook(self)

    # ------------------------------------------------------------------ public API (DESIGN.md)

    def accounts_config(self) -> dict[str, Any]:
        """The world's accounts in the accounts.yml shape."""
        return {
            "brands": {
                b.slug: {
                    "timezone": b.timezone,
                    "tiktok": {
                        "business_id": b.tiktok_business_id,
                        "advertiser_id": self.ad_book.brand_account("tiktok_ads", b.slug).account_id,
                    },
                    "instagram": {"ig_user_id": b.ig_user_id},
                    "facebook": {"page_id": b.fb_page_id},
                    "meta_ads": {"ad_account_id": self.ad_book.brand_account("meta_ads", b.slug).account_id},
                    "youtube": {"channel_id": b.youtube_channel_id},
                }
                for b in self.brands
            }
        }

    def contents(self, as_of: date | None = None, shorts_only: bool = False) -> list[dict[str, Any]]:
        """Every post (published on or before `as_of` on its platform day basis), oldest first.

        Includes YouTube long-form videos and Instagram FEED images (`is_short` False, `kind`
        "long_form" / "feed_image") unless `shorts_only`.
        """
        return [
            c.to_dict()
            for c in self._contents
            if (as_of is None or c.exists(as_of)) and (c.is_short or not shorts_only)
        ]

    def truth_daily(self, as_of: date | None = None, shorts_only: bool = True) -> list[dict[str, Any]]:
        """Ground truth: one row per post per platform day from its publish day to `as_of` (or end).

        Short-form posts only by default (TikTok videos, IG Reels, FB Reels, YouTube Shorts).
        `views/likes/comments/shares/saves` are the day's true amounts (views may be negative on a
        restatement day); `saves` is None for Facebook and YouTube; `watch_seconds` is a float
        (ms / 1000; YouTube: served minutes * 60); `reach_cumulative` is None for YouTube.
        `views` is always the current definition (every start, replays included). Per-basis truth:
        `plays` (Instagram only: starts excluding replays, what insights served as `plays` before
        2025-04-21) and `engaged_views` (YouTube only: what Analytics served as `views` for days
        before 2025-03-31, and as `engagedViews` always); None on other platforms.
        """
        last = min(as_of or self.end, self.end)
        rows: list[dict[str, Any]] = []
        for c in sorted(self._contents, key=lambda c: (c.platform, c.brand, c.published_at, c.content_id)):
            if not c.is_short and shorts_only:
                continue
            if c.day0 > last:
                continue
            s = c.series
            has_saves = "saves" in s
            watch = s.get("watch_min") if c.platform == "youtube" else s.get("watch_ms")
            reach = s.get("reach")
            plays = s.get("plays") if c.platform == "instagram" else None
            engaged = s.get("engaged_views") if c.platform == "youtube" else None
            for i in range((last - c.day0).days + 1):
                prev = i - 1

                def d(series: list[int]) -> int:
                    return series[i] - (series[prev] if i else 0)  # noqa: B023

                if watch is None:
                    watch_seconds = 0.0
                elif c.platform == "youtube":
                    watch_seconds = float(d(watch) * 60)
                else:
                    watch_seconds = d(watch) / 1000.0
                rows.append(
                    {
                        "platform": c.platform,
                        "surface": c.surface,
                        "brand": c.brand,
                        "account_id": c.account_id,
                        "content_id": c.content_id,
                        "creative_id": c.creative_id,
                        "metric_date": c.day0 + timedelta(days=i),
                        "views": d(s["views"]),
                        "likes": d(s["likes"]),
                        "comments": d(s["comments"]),
                        "shares": d(s["shares"]),
                        "saves": d(s["saves"]) if has_saves else None,
                        "watch_seconds": watch_seconds,
                        "reach_cumulative": reach[i] if reach is not None else None,
                        "is_short": c.is_short,
                        "plays": d(plays) if plays is not None else None,
                        "engaged_views": d(engaged) if engaged is not None else None,
                    }
                )
        return rows

    def ad_accounts(self) -> list[dict[str, Any]]:
        """Paid accounts: platform (tiktok_ads|meta_ads), brand, account_id, name, currency, timezone."""
        return [
            {
                "platform": a.platform,
                "brand": a.brand,
                "account_id": a.account_id,
                "name": a.name,
                "currency": a.currency,
                "timezone": a.timezone,
            }
            for a in self.ad_book.accounts
        ]

    def ads(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """Every ad (created on or before `as_of`, account-local day), with its boosted organic content."""
        out = []
        for acc in self.ad_book.accounts:
            for ad in self.ad_book.account_ads(acc, as_of):
                out.append(
                    {
                        "platform": ad.platform,
                        "brand": ad.brand,
                        "account_id": ad.account_id,
                        "campaign_id": ad.campaign_id,
                        "adgroup_id": ad.adgroup_id,
                        "ad_id": ad.ad_id,
                        "ad_name": ad.ad_name,
                        "first_day": ad.first_day,
                        "last_day": ad.last_day,
                        "created_at": ad.created_at,
                        "placements": list(ad.placements),
                        "boosted_content_id": ad.boosted_content_id,
                        "boosted_platform": ad.boosted_platform,
                        "is_spark": ad.is_spark,
                    }
                )
        return out

    def truth_ad_daily(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """Paid ground truth: one row per ad x account-local day x placement with delivery.

        `as_of` None: final (settled) values of every day through `end`. With `as_of`: the days
        <= as_of with the values the sandbox serves at that as-of date (recent days not yet settled:
        Meta 28 days, TikTok 1-2 days). Rows: platform ('tiktok_ads'|'meta_ads'), brand,
        account_id (advertiser_id | act_...), campaign_id, adgroup_id, ad_id, metric_date (account
        time zone), timezone, publisher_platform/platform_position (None for TikTok), currency,
        spend (account currency, 2 decimals) and spend_minor (integer cents), impressions, reach,
        clicks, video_plays, video_views_2s, video_views_6s (TikTok; None for Meta), thruplays
        (Meta; None for TikTok), video_views_p25/p50/p75/p100, likes, comments, shares, follows,
        boosted_content_id / boosted_platform (organic content the ad boosts, else None), is_final.
        """
        from .ads import truth_row

        last = self.end if as_of is None else min(as_of, self.end)
        rows: list[dict[str, Any]] = []
        for acc in self.ad_book.accounts:
            for r in self.ad_book.rows(acc):
                if r.day <= last:
                    rows.append(truth_row(r, as_of))
        return rows

    def lifetime_totals(self, content_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        """Totals through the end of platform day `as_of` (default: end), None if not yet published."""
        c = self._by_id[content_id]
        i = c.index(as_of or self.end)
        if i is None:
            return None
        s = c.series
        if c.platform == "youtube":
            watch_seconds = float(s["watch_min"][i] * 60)
        elif "watch_ms" in s:
            watch_seconds = s["watch_ms"][i] / 1000.0
        else:
            watch_seconds = 0.0
        out: dict[str, Any] = {
            "platform": c.platform,
            "content_id": c.content_id,
            "as_of": c.day0 + timedelta(days=i),
            "views": s["views"][i],
            "likes": s["likes"][i],
            "comments": s["comments"][i],
            "shares": s["shares"][i],
            "saves": s["saves"][i] if "saves" in s else None,
            "watch_seconds": watch_seconds,
            "watch_ms": s["watch_ms"][i] if "watch_ms" in s else None,
            "reach": s["reach"][i] if "reach" in s else None,
        }
        return out

    # ------------------------------------------------------------------------- lookups

    def brand(self, slug: str) -> Brand:
        return self._brand_by_slug[slug]

    def content(self, content_id: str) -> Content | None:
        return self._by_id.get(content_id)

    def all_contents(self) -> list[Content]:
        return list(self._contents)

    def account_brand(self, platform: str, account_id: str) -> Brand | None:
        return self._account_owner.get((platform, account_id))

    def account_contents(self, platform: str, account_id: str, as_of: date | None = None) -> list[Content]:
        """Posts of one account, newest first, that exist at `as_of`."""
        lst = self._by_account.get((platform, account_id), [])
        if as_of is None:
            return list(lst)
        return [c for c in lst if c.day0 <= as_of]

    def tiktok_account_day(self, business_id: str, day: date) -> dict[str, int]:
        """Daily account metrics of a TikTok account (zeros outside the simulated range)."""
        days = self._tiktok_days[business_id]
        row = days.get(day)
        if row is not None:
            return row
        brand = self._account_owner[("tiktok", business_id)]
        if day < self.start - timedelta(days=1):
            followers = brand.tiktok_followers_base
        else:
            followers = days[self.end]["followers_count"]
        return {
            "video_views": 0, "profile_views": 0, "likes": 0, "comments": 0, "shares": 0,
            "daily_new_followers": 0, "daily_lost_followers": 0, "followers_count": followers,
        }  # fmt: skip

    # ------------------------------------------------------------------------- generation

    def _make_brand(self, index: int) -> Brand:
        seed = self.settings.seed
        base = BRAND_SLUGS[index % len(BRAND_SLUGS)]
        slug = base if index < len(BRAND_SLUGS) else f"{base}{index // len(BRAND_SLUGS) + 1}"
        rng = _rng(seed, "brand", index, slug)
        # brands beyond the 26 slugs: generated slugs (acme2, bloom2 ...) and the zones cycled
        tz = BRAND_TIMEZONES[index % len(BRAND_TIMEZONES)]
        channel = "UC" + _chars(rng, _B64URL, 21) + rng.choice("AQgw")
        return Brand(
            slug=slug,
            name=slug.capitalize(),
            timezone=tz,
            tiktok_business_id="-000" + _chars(rng, _B62, 32),
            tiktok_username=f"{slug}.official",
            ig_user_id="17841" + _digits(rng, 12),
            ig_username=f"{slug}hq",
            fb_page_id="1" + _digits(rng, 14),
            youtube_channel_id=channel,
            tiktok_latency_days=rng.choice((1, 2)),
            youtube_latency_days=rng.choice((2, 3)),
            tiktok_followers_base=int(20000 * _lognormal(rng, 0.8)),
            ig_followers_base=int(15000 * _lognormal(rng, 0.8)),
            fb_followers_base=int(10000 * _lognormal(rng, 0.8)),
            youtube_subscribers_base=int(8000 * _lognormal(rng, 0.8)),
        )

    def _new_id(self, make: Any) -> str:
        while True:
            new = make()
            if new not in self._ids:
                self._ids.add(new)
                return new

    def _caption(self, rng: random.Random) -> str:
        hook, topic, emoji = rng.choice(_HOOKS), rng.choice(_TOPICS), rng.choice(_EMOJI)
        tags = rng.sample(_TAGS, 2)
        text = f"{hook} {topic}"
        if emoji:
            text += f" {emoji}"
        return f"{text} #{tags[0]} #{tags[1]}"

    def _make_contents(self, brand: Brand) -> list[Content]:
        st = self.settings
        seed = st.seed
        sched = _rng(seed, "schedule", brand.slug)
        tz = ZoneInfo(brand.timezone)
        rates = {p: st.weekly_rate(p) / 7.0 for p in PLATFORMS}
        mean_rate = sum(rates.values()) / len(PLATFORMS)
        eligible = [p for p in PLATFORMS if rates[p] > 0]
        cross_rate = st.cross_post_share * mean_rate * 4.0 / 3.0  # k ~ U{2,3,4}: 3 of 4 platforms
        if len(eligible) < 2:
            cross_rate = 0.0
        quality = {p: _lognormal(_rng(seed, "brandq", brand.slug, p), 0.5) for p in PLATFORMS}
        used_seconds: dict[str, set[int]] = {p: set() for p in PLATFORMS}
        out: list[Content] = []
        n_creative = 0

        def local_moment(day: date) -> datetime:
            t = time(sched.randint(7, 21), sched.randint(0, 59), sched.randint(0, 59))
            return datetime.combine(day, t, tzinfo=tz).astimezone(UTC)

        def add(platform: str, kind: str, published: datetime, creative: str, cross: bool,
                duration: float | None, caption: str, creative_q: float) -> None:  # fmt: skip
            ts = int(published.timestamp())
            while ts in used_seconds[platform]:
                ts += 1
            used_seconds[platform].add(ts)
            published = datetime.fromtimestamp(ts, UTC)
            day0 = platform_day(platform, published)
            content_id = self._content_id(platform, ts, sched)  # drawn even if dropped below
            if day0 > st.end:
                self._ids.discard(content_id)
                return
            if platform == "youtube" and duration is not None:
                duration = float(round(duration))
            c = Content(
                platform=platform,
                surface=_NON_SHORT_SURFACES.get(kind, SURFACES[platform]),
                brand=brand.slug,
                account_id=brand.account_id(platform),
                content_id=content_id,
                creative_id=creative,
                is_cross_posted=cross,
                published_at=published,
                duration_seconds=duration,
                caption=caption,
                kind=kind,
                day0=day0,
            )
            self._fill_series(c, quality[platform] * creative_q)
            out.append(c)

        for day in _daterange(st.history_start, st.end):
            for _ in range(_draw_count(sched, cross_rate)):
                n_creative += 1
                creative = f"cr_{brand.slug}_{n_creative:05d}"
                k = sched.choice((2, 3, 4))
                platforms = sched.sample(eligible, min(k, len(eligible)))
                caption = self._caption(sched)
                duration = round(sched.uniform(7.0, 90.0), 3)
                base = local_moment(day)
                cq = _lognormal(sched, 0.5)
                for j, p in enumerate(platforms):
                    offset = 0 if j == 0 else sched.randint(0, 36 * 3600)
                    add(p, KIND_SHORT, base + timedelta(seconds=offset), creative, True, duration, caption, cq)
            for p in PLATFORMS:
                for _ in range(_draw_count(sched, (1.0 - st.cross_post_share) * rates[p])):
                    n_creative += 1
                    creative = f"cr_{brand.slug}_{n_creative:05d}"
                    hi = {"tiktok": 150.0, "youtube": 180.0}.get(p, 90.0)
                    duration = round(sched.uniform(5.0, hi), 3)
                    if p == "youtube":
                        duration = float(min(SHORTS_MAX_SECONDS, round(duration)))
                    caption = self._caption(sched)
                    add(p, KIND_SHORT, local_moment(day), creative, False, duration, caption, 1.0)
            for _ in range(_draw_count(sched, st.long_form_per_week / 7.0)):
                n_creative += 1
                duration = float(int(math.exp(sched.uniform(math.log(181), math.log(1500)))))
                caption = self._caption(sched)
                add("youtube", KIND_LONG_FORM, local_moment(day), f"cr_{brand.slug}_{n_creative:05d}",
                    False, max(181.0, duration), caption, 1.0)  # fmt: skip
            for _ in range(_draw_count(sched, st.feed_images_per_week / 7.0)):
                n_creative += 1
                caption = self._caption(sched)
                add("instagram", KIND_FEED_IMAGE, local_moment(day), f"cr_{brand.slug}_{n_creative:05d}",
                    False, None, caption, 1.0)  # fmt: skip
        return out

    def _eod(self, platform: str, day: date) -> float:
        key = (platform == "youtube", day)
        v = self._eod_cache.get(key)
        if v is None:
            v = self._eod_cache[key] = end_of_day_utc(platform, day).timestamp()
        return v

    def _content_id(self, platform: str, ts: int, rng: random.Random) -> str:
        if platform == "tiktok":
            # TikTok ids carry the creation second in their upper 32 bits: 19 digits in 2026
            return self._new_id(lambda: str((ts << 32) | rng.getrandbits(32)))
        if platform == "instagram":
            return self._new_id(lambda: rng.choice(("178", "179", "180")) + _digits(rng, 14))
        if platform == "facebook":
            return self._new_id(lambda: "1" + _digits(rng, rng.choice((14, 15))))
        return self._new_id(lambda: _chars(rng, _B64URL, 10) + rng.choice("AEIMQUYcgkosw048"))

    def _fill_series(self, c: Content, quality: float) -> None:
        st = self.settings
        prof = _PROFILES[(c.platform, c.kind)]
        # parameters come from `rng` (a fixed number of draws) and day-to-day noise from `noise`,
        # so a longer world (later `end`) keeps every earlier day's numbers
        rng = _rng(st.seed, "series", c.content_id)
        noise = _rng(st.seed, "noise", c.content_id)
        n = (st.end - c.day0).days + 1
        pub = c.published_at.timestamp()
        ages = [max(0.0, (self._eod(c.platform, c.day0 + timedelta(days=i)) - pub) / 86400.0) for i in range(n)]
        scale = prof.median_views * _lognormal(rng, prof.sigma) * quality
        w = prof.w_fast
        tf = prof.tau_fast * _lognormal(rng, 0.25)
        ts = prof.tau_slow * _lognormal(rng, 0.25)

        def curve(a: float) -> float:
            return w * (1.0 - math.exp(-a / tf)) + (1.0 - w) * (1.0 - math.exp(-a / ts))

        gross: list[int] = []
        watch_noise: list[float] = []
        acc, prev_f = 0.0, 0.0
        # the same draws and the same float operations as `_lognormal`, inlined (hot loop)
        gauss, exp = noise.gauss, math.exp
        for a in ages:
            f = curve(a)
            acc += scale * (f - prev_f) * exp(gauss(0.0, 0.25))
            watch_noise.append(exp(gauss(0.0, 0.08)))
            prev_f = f
            gross.append(int(acc))
        boost_base = [exp(-a / 5.0) for a in ages]  # shared by every derived series

        def derived(rate: float, early_boost: float = 0.15) -> list[int]:
            out: list[int] = []
            append = out.append
            last = 0
            if early_boost == 0.0:  # 1.0 + 0.0 * x == 1.0 exactly: same numbers without the factor
                for g in gross:
                    v = int(g * rate * 1.0)
                    if v > last:
                        last = v
                    append(last)
                return out
            for g, e in zip(gross, boost_base, strict=True):
                v = int(g * rate * (1.0 + early_boost * e))
                if v > last:
                    last = v
                append(last)
            return out

        def rate(base: float) -> float:
            return base * _lognormal(rng, 0.3)

        views = list(gross)
        restate_u, k, pct = rng.random(), rng.randint(3, 40), rng.uniform(0.01, 0.05)
        restated = c.platform in LIFETIME_PLATFORMS and c.is_short and restate_u < st.restatement_share
        if restated and k < n and gross[k - 1] >= 20:
            # spam removal: on day k the cumulative views fall by pct of the previous day's total
            removed = max(1, round(gross[k - 1] * pct))
            drop = gross[k] - gross[k - 1] + removed
            views = gross[:k] + [g - drop for g in gross[k:]]
            c.restatement_date = c.day0 + timedelta(days=k)
        s = c.series
        s["views"] = views
        s["likes"] = derived(rate(prof.like))
        s["comments"] = derived(rate(prof.comment))
        s["shares"] = derived(rate(prof.share))
        if prof.save is not None:
            s["saves"] = derived(rate(prof.save))
        if prof.reach is not None:
            r = rng.uniform(*prof.reach)
            s["reach"] = [int(v * r) for v in views]
        if prof.watch is not None and c.duration_seconds:
            frac = rng.uniform(*prof.watch)
            avg_ms = c.duration_seconds * 1000.0 * frac
            # each day's new views watch avg_ms give or take a little; kept cumulative in integer ms
            watch, w_acc, prev_g = [], 0.0, 0
            for g, wn in zip(gross, watch_noise, strict=True):
                w_acc += (g - prev_g) * avg_ms * wn
                prev_g = g
                watch.append(int(w_acc))
            s["watch_ms"] = watch
            c.attrs["watch_fraction"] = frac
        if c.platform == "tiktok":
            s["new_followers"] = derived(rate(0.002), 0.0)
            s["profile_views"] = derived(rate(0.01), 0.0)
            frac = c.attrs.get("watch_fraction", 0.5)
            c.attrs["full_video_watched_rate"] = round(min(0.95, max(0.005, frac**3 * 0.6)), 4)
        elif c.platform == "instagram":
            # plays (retired 2025-04-21): starts without replays, a per-post share of the views;
            # drawn from its own stream so that adding it changed no other number
            plays_share = _rng(st.seed, "ig-plays", c.content_id).uniform(0.70, 0.90)
            s["plays"] = [int(v * plays_share) for v in views]
            c.attrs["shortcode"] = _chars(rng, _B64URL, 11)
            c.attrs["media_type"] = "VIDEO" if c.is_short else "IMAGE"
            c.attrs["media_product_type"] = "REELS" if c.is_short else "FEED"
        elif c.platform == "facebook":
            replay_share = rng.uniform(0.10, 0.30)
            s["replays"] = [int(v * replay_share) for v in views]
            total_like_rate = rate(prof.like)
            like_sum = [0] * n
            for name, share in _FB_REACTIONS:
                ser = derived(total_like_rate * share)
                s["reaction_" + name] = ser
                like_sum = [a + b for a, b in zip(like_sum, ser, strict=True)]
            s["likes"] = like_sum
            s["followers"] = derived(rate(0.002), 0.0)
            c.attrs["title"] = c.caption.split(" #")[0] if rng.random() < 0.3 else None
            c.attrs["post_suffix"] = _digits(rng, 15)
        elif c.platform == "youtube":
            s["engaged_views"] = derived(rng.uniform(0.55, 0.85), 0.0)
            s["dislikes"] = derived(rate(prof.like) * 0.03, 0.0)
            s["subs_gained"] = derived(rate(0.002), 0.0)
            lost = [int(g * 0.15) for g in s["subs_gained"]]
            s["subs_lost"] = lost
            s["watch_min"] = [ms // 60000 for ms in s["watch_ms"]]
            c.attrs["title"] = c.caption.split(" #")[0][:90] + (" #shorts" if c.is_short else "")

    def _tiktok_account_days(self, brand: Brand) -> dict[date, dict[str, int]]:
        rng = _rng(self.settings.seed, "tiktok-account", brand.slug)
        vids = self._by_account.get(("tiktok", brand.tiktok_business_id), [])
        followers = brand.tiktok_followers_base
        out: dict[date, dict[str, int]] = {}
        first = self.start - timedelta(days=1)
        n_days = (self.end - first).days + 1
        # per-day sums over the account's videos (integer sums: order does not matter), one pass
        # per video instead of one pass over every video per day
        names = ("views", "profile_views", "likes", "comments", "shares", "new_followers")
        sums = {name: [0] * n_days for name in names}
        for c in vids:
            offset = (c.day0 - first).days
            for name in names:
                total, ser, prev = sums[name], c.series[name], 0
                for i, cum in enumerate(ser):  # daily amount = cum - previous cum (not cached)
                    v, prev = cum - prev, cum
                    j = offset + i
                    if 0 <= j < n_days:
                        total[j] += max(0, v) if name == "views" else v
        for k, day in enumerate(_daterange(first, self.end)):
            row = {"video_views": sums["views"][k], "profile_views": sums["profile_views"][k],
                   "likes": sums["likes"][k], "comments": sums["comments"][k], "shares": sums["shares"][k]}
            new_f = rng.randint(0, 12)
            new_f += sums["new_followers"][k]
            row["profile_views"] += rng.randint(5, 60)
            lost = int(new_f * rng.uniform(0.05, 0.25)) + rng.randint(0, 4)
            followers += new_f - lost
            row["daily_new_followers"] = new_f
            row["daily_lost_followers"] = lost
            row["followers_count"] = followers
            out[day] = row
        return out
