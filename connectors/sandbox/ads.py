"""Paid media of the sandbox world: TikTok advertisers and Meta ad accounts, their ads and daily delivery.

Pure Python, deterministic from `WorldSettings`, and drawn from random streams of its own (seeded
`.../ads/...`), so adding paid media leaves the organic world byte-identical.

Model
-----
* Each brand has one TikTok advertiser (`advertiser_id`, 16 or 19 digits) and one Meta ad account
  (`act_<15-16 digits>`), both in the brand's ad currency (`AD_CURRENCIES`: acme EUR, bloom USD,
  cobalt GBP, ...) and each in its own IANA time zone (`AD_TIMEZONES`; may differ from the brand's).
* Campaigns > ad groups (TikTok) / ad sets (Meta) > ads. Every ad has a flight (first and last
  delivery day, account-local days). Flights are drawn relative to `history_start`, independent of
  `end`, so a longer world keeps every earlier ad and day.
* Spark Ads: some TikTok ads boost an organic TikTok video of the same brand (`tiktok_item_id` =
  the organic `item_id`, identity_type BC_AUTH_TT), published before the flight starts. Some Meta ads
  boost an organic Instagram Reel (creative.effective_instagram_media_id = media id) or Facebook Reel
  (creative.video_id = video id, effective_object_story_id = "<page_id>_<video_id>").
* Delivery, per ad, day and placement (Meta: publisher_platform x platform_position; TikTok: one
  placement): spend in integer minor units of the account currency, impressions from a
  placement-specific CPM (in USD, converted at `USD_RATES`; Meta dearer per impression than TikTok on
  average), reach, clicks, video plays and watch thresholds, likes, comments, shares, follows. A row
  exists only with delivery (impressions >= 50 in its final value).
* Restatements: the final value of a (row, metric) is reached `settle_days` after the day; before
  that the served value is floor(final * (1 - deficit(age))), age = as_of - day in days, with a
  deficit that shrinks linearly to 0. Meta: 28 days, deficit up to 2 % (delivery: spend,
  impressions, reach, video) and up to 8 % (clicks and actions). TikTok: 1 or 2 days per ad,
  deficit up to 4 % / 10 %. Served values therefore only ever grow towards the final value.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # pragma: no cover
    from .world import Brand, Content, World

TIKTOK_ADS = "tiktok_ads"
META_ADS = "meta_ads"

# the ad currency of brand i (cycled); units of the currency per USD (only used to size budgets)
AD_CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP", "USD", "AUD", "GBP", "CAD", "EUR")
USD_RATES: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "AUD": 1.52, "CAD": 1.38}
# (TikTok advertiser zone, Meta ad account zone) of brand i; later brands: brand zone / Los Angeles
AD_TIMEZONES: tuple[tuple[str, str], ...] = (
    ("Europe/Berlin", "Europe/London"),  # acme (brand zone Europe/Berlin)
    ("America/Los_Angeles", "America/New_York"),  # bloom (brand zone America/New_York)
    ("Europe/London", "Asia/Tokyo"),  # cobalt (brand zone Asia/Tokyo)
)
_COUNTRY = {"EUR": "DE", "USD": "US", "GBP": "GB", "AUD": "AU", "CAD": "CA"}

META_RESTATEMENT_DAYS = 28
TIKTOK_SETTLE_DAYS = (1, 2)
MIN_IMPRESSIONS = 50

# publisher_platform, platform_position, CPM in USD, spend weight, CTR
META_POSITIONS: tuple[tuple[str, str, float, float, float], ...] = (
    ("facebook", "feed", 10.5, 0.16, 0.012),
    ("facebook", "facebook_reels", 7.5, 0.10, 0.006),
    ("facebook", "facebook_stories", 7.0, 0.05, 0.005),
    ("facebook", "video_feeds", 6.5, 0.03, 0.004),
    ("facebook", "marketplace", 6.0, 0.02, 0.008),
    ("instagram", "feed", 12.0, 0.18, 0.010),
    ("instagram", "instagram_reels", 9.5, 0.24, 0.007),
    ("instagram", "instagram_stories", 8.5, 0.12, 0.006),
    ("instagram", "instagram_explore", 8.0, 0.03, 0.006),
    ("audience_network", "an_classic", 3.0, 0.04, 0.009),
    ("messenger", "messenger_stories", 5.0, 0.015, 0.004),
    ("messenger", "messenger_inbox", 4.5, 0.015, 0.005),
)
_META_POS = {(p, q): (cpm, w, ctr) for p, q, cpm, w, ctr in META_POSITIONS}
_PLACEMENT_SETS: dict[str, tuple[tuple[str, str], ...]] = {
    "advantage_plus": tuple((p, q) for p, q, *_ in META_POSITIONS),
    "reels_only": (("facebook", "facebook_reels"), ("instagram", "instagram_reels")),
    "instagram_only": (
        ("instagram", "feed"), ("instagram", "instagram_reels"),
        ("instagram", "instagram_stories"), ("instagram", "instagram_explore"),
    ),
    "facebook_only": (
        ("facebook", "feed"), ("facebook", "facebook_reels"), ("facebook", "facebook_stories"),
        ("facebook", "video_feeds"), ("facebook", "marketplace"),
    ),
    "facebook_reel_boost": (("facebook", "feed"), ("facebook", "facebook_reels"), ("facebook", "video_feeds")),
}  # fmt: skip
TIKTOK_CPM_USD = 6.0
TIKTOK_CTR = 0.009

# final integer metrics of a delivery row (spend in minor units); which restate with which deficit
DELIVERY_KEYS = (
    "spend_minor", "impressions", "reach", "video_plays", "video_views_2s", "video_views_3s", "video_views_6s",
    "thruplays", "video_views_p25", "video_views_p50", "video_views_p75", "video_views_p95", "video_views_p100",
    "video_views_30s",
)  # fmt: skip
ENGAGEMENT_KEYS = ("clicks", "likes", "comments", "shares", "follows", "profile_visits", "link_clicks")
# a delivery row's final metrics, in the order its `final` dict has always had
FINAL_KEYS = (
    "spend_minor", "impressions", "reach", "clicks", "video_plays", "video_views_2s", "video_views_3s",
    "video_views_6s", "thruplays", "video_views_p25", "video_views_p50", "video_views_p75", "video_views_p95",
    "video_views_p100", "video_views_30s", "likes", "comments", "shares", "follows", "profile_visits", "link_clicks",
)  # fmt: skip
_IS_ENGAGEMENT = tuple(k in ENGAGEMENT_KEYS for k in FINAL_KEYS)


def _rng(*parts: object) -> random.Random:
    return random.Random("/".join(str(p) for p in parts))


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (process independent)."""
    return (zlib.crc32("/".join(str(p) for p in parts).encode()) & 0xFFFFFF) / float(1 << 24)


# ------------------------------------------------------------------------------------ data model


@dataclass
class AdAccount:
    platform: str  # tiktok_ads | meta_ads
    brand: str
    account_id: str  # TikTok advertiser_id (digits) | Meta "act_<digits>"
    name: str
    currency: str
    timezone: str
    created_at: datetime  # UTC
    country: str

    @property
    def numeric_id(self) -> str:
        return self.account_id.removeprefix("act_")


@dataclass
class Ad:
    platform: str
    brand: str
    account_id: str
    campaign_id: str
    campaign_name: str
    adgroup_id: str  # TikTok ad group / Meta ad set
    adgroup_name: str
    ad_id: str
    ad_name: str
    first_day: date  # account-local days, inclusive
    last_day: date
    created_at: datetime  # UTC
    boosted_content_id: str | None = None
    boosted_platform: str | None = None  # tiktok | instagram | facebook
    placements: tuple[tuple[str | None, str | None], ...] = ((None, None),)
    creative_id: str | None = None
    video_id: str | None = None  # TikTok ad video id / Meta creative video id
    story_id: str | None = None  # Meta effective_object_story_id
    text: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def is_spark(self) -> bool:
        return self.platform == TIKTOK_ADS and self.boosted_content_id is not None

    def created_day(self, tz: str) -> date:
        return self.created_at.astimezone(ZoneInfo(tz)).date()


@dataclass(slots=True)
class DeliveryRow:
    """One ad x day x placement with its final (settled) integer metrics.

    The metrics are kept as one array of FINAL_KEYS' values (~0.2 KB), not a dict (~1.8 KB with its
    int objects): two years of `large` hold ~12 M rows, which as dicts did not fit in 24 GB."""

    account: AdAccount
    ad: Ad
    day: date
    publisher_platform: str | None
    platform_position: str | None
    values: array  # final metrics, FINAL_KEYS order
    avg_watch_seconds: float
    settle_days: int
    r_delivery: float
    r_engagement: float

    @property
    def final(self) -> dict[str, int]:
        return dict(zip(FINAL_KEYS, self.values, strict=True))

    def served(self, as_of: date | None) -> dict[str, int]:
        """The integer metrics as served on `as_of` (None: final)."""
        if as_of is None:
            return self.final
        age = (as_of - self.day).days
        if age >= self.settle_days:
            return self.final
        frac = 1.0 - max(0, age) / self.settle_days
        fd = 1.0 - self.r_delivery * frac
        fe = 1.0 - self.r_engagement * frac
        return {k: int(v * (fe if eng else fd)) for k, v, eng in zip(FINAL_KEYS, self.values, _IS_ENGAGEMENT, strict=True)}

    @property
    def placement_key(self) -> str:
        return f"{self.ad.ad_id}|{self.publisher_platform}|{self.platform_position}"


def _row_day(row: DeliveryRow) -> date:
    return row.day


# ---------------------------------------------------------------------------------------- model


class AdBook:
    """The paid side of a `World`: accounts (eager, cheap), ads and delivery (lazy)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seed = world.settings.seed
        self.accounts: list[AdAccount] = []
        self._by_id: dict[tuple[str, str], AdAccount] = {}
        self._by_brand: dict[tuple[str, str], AdAccount] = {}
        for i, b in enumerate(world.brands):
            for acc in self._make_accounts(i, b):
                self.accounts.append(acc)
                self._by_id[(acc.platform, acc.account_id)] = acc
                self._by_brand[(acc.platform, acc.brand)] = acc
        self._ads: list[Ad] | None = None
        self._rows: dict[str, list[DeliveryRow]] = {}  # account id -> its delivery, built on first use
        self._ads_by_account: dict[str, list[Ad]] | None = None
        self._lock = threading.RLock()  # lazy builds happen once, even under concurrent requests

    # ---------------------------------------------------------------- lookups

    def account(self, platform: str, account_id: str) -> AdAccount | None:
        return self._by_id.get((platform, account_id))

    def brand_account(self, platform: str, brand: str) -> AdAccount:
        return self._by_brand[(platform, brand)]

    @property
    def ads(self) -> list[Ad]:
        with self._lock:
            if self._ads is None:
                ads: list[Ad] = []
                for b in self.world.brands:
                    ads.extend(self._make_ads(b, self._by_brand[(TIKTOK_ADS, b.slug)]))
                    ads.extend(self._make_ads(b, self._by_brand[(META_ADS, b.slug)]))
                self._ads = ads
            return self._ads

    def account_ads(self, account: AdAccount, as_of: date | None = None) -> list[Ad]:
        """Ads of an account created on or before `as_of` (account-local day), by creation then id."""
        out = [
            a
            for a in self.ads
            if a.platform == account.platform
            and a.account_id == account.account_id
            and (as_of is None or a.created_day(account.timezone) <= as_of)
        ]
        out.sort(key=lambda a: (a.created_at, a.ad_id))
        return out

    def rows(self, account: AdAccount) -> list[DeliveryRow]:
        """Every delivery row of an account through the world's end, by day, ad id, placement.

        Built per account on first use (each ad's delivery depends only on its own seeded draws): a
        process that serves or bulk-writes one platform holds that platform's rows only (two years of
        `large` hold ~10 M Meta and ~2 M TikTok rows, several GB as Python objects)."""
        with self._lock:
            built = self._rows.get(account.account_id)
            if built is None:
                if self._ads_by_account is None:
                    by_acc: dict[str, list[Ad]] = {a.account_id: [] for a in self.accounts}
                    for ad in self.ads:
                        by_acc[ad.account_id].append(ad)
                    self._ads_by_account = by_acc
                built = [r for ad in self._ads_by_account[account.account_id] for r in self._deliver(ad)]
                built.sort(key=lambda r: (r.day, r.ad.ad_id, r.publisher_platform or "", r.platform_position or ""))
                self._rows[account.account_id] = built
            return built

    def rows_between(self, account: AdAccount, start: date, end: date) -> Iterator[DeliveryRow]:
        """The account's rows of days start..end, found by bisection (rows are sorted by day): a
        day's report no longer walks the account's whole history (two years of a `large` Meta
        account hold ~50,000 rows, asked for once per account and day by a bulk write)."""
        rows = self.rows(account)
        lo = bisect.bisect_left(rows, start, key=_row_day)
        hi = bisect.bisect_right(rows, end, lo=lo, key=_row_day)
        return iter(rows[lo:hi])

    # ---------------------------------------------------------------- generation

    def _make_accounts(self, index: int, b: Brand) -> list[AdAccount]:
        rng = _rng(self.seed, "ads", "accounts", index, b.slug)
        currency = AD_CURRENCIES[index % len(AD_CURRENCIES)]
        if index < len(AD_TIMEZONES):
            tt_tz, meta_tz = AD_TIMEZONES[index]
        else:
            tt_tz, meta_tz = b.timezone, "America/Los_Angeles"
        start = self.world.start
        adv = self._unique(lambda: _digits(rng, rng.choice((16, 19))))
        act = "act_" + self._unique(lambda: "1" + _digits(rng, rng.choice((14, 15))))
        created = datetime.combine(start - timedelta(days=rng.randint(200, 900)), time(12), tzinfo=UTC)
        country = _COUNTRY.get(currency, "US")
        return [
            AdAccount(TIKTOK_ADS, b.slug, adv, f"{b.name} TikTok Ads", currency, tt_tz,
                      created + timedelta(seconds=rng.randint(0, 86399)), country),
            AdAccount(META_ADS, b.slug, act, f"{b.name} Ads ({currency})", currency, meta_tz,
                      created + timedelta(days=3, seconds=rng.randint(0, 86399)), country),
        ]  # fmt: skip

    def _unique(self, make: Any) -> str:
        ids = self.world._ids  # noqa: SLF001 - shared id space of the world
        while True:
            new = make()
            if new not in ids:
                ids.add(new)
                return new

    def _make_ads(self, b: Brand, acc: AdAccount) -> list[Ad]:
        tiktok = acc.platform == TIKTOK_ADS
        rng = _rng(self.seed, "ads", "structure", acc.platform, b.slug)
        tz = ZoneInfo(acc.timezone)
        start, end = self.world.start, self.world.end
        organic_platforms = ("tiktok",) if tiktok else ("instagram", "facebook")
        organic = [
            c for c in self.world.all_contents() if c.brand == b.slug and c.is_short and c.platform in organic_platforms
        ]
        out: list[Ad] = []
        objectives = ("Video views", "Reach", "Engagement", "Community")
        camp_first = start
        ci = -1
        # campaigns start every 1-4 weeks (the first on history_start) until the world's end; drawing
        # them in sequence keeps every earlier campaign when `end` moves later
        while camp_first <= end:
            ci += 1
            if ci:
                camp_first += timedelta(days=rng.randint(7, 28))
                if camp_first > end:
                    break
            camp_id = self._unique(self._id_maker(rng, tiktok))
            objective = rng.choice(objectives)
            camp_name = f"{b.name} | {objective} | {camp_first:%b %Y}"
            for gi in range(rng.randint(1, 3)):
                group_id = self._unique(self._id_maker(rng, tiktok))
                group_name = f"{camp_name} | {'Broad' if gi == 0 else f'Interest {gi}'}"
                placement_set = rng.choice(
                    ("advantage_plus", "advantage_plus", "reels_only", "instagram_only", "facebook_only")
                )
                for ai in range(rng.randint(2, 3)):
                    ad_id = self._unique(self._id_maker(rng, tiktok))
                    first = camp_first + timedelta(days=rng.randint(0, 20))
                    length = rng.randint(14, 60) if (ci or gi) else 10000  # one always-on ad group
                    last = first + timedelta(days=length - 1)
                    created_local = datetime.combine(
                        first - timedelta(days=rng.randint(1, 3)),
                        time(rng.randint(8, 18), rng.randint(0, 59)),
                        tzinfo=tz,
                    )
                    boost_u, pick_u, _spare = rng.random(), rng.random(), rng.random()
                    video_digits = _digits(rng, 16)
                    story_digits = _digits(rng, 15)
                    creative_digits = _digits(rng, 14)
                    text = rng.choice(("Shop the drop", "New in", "Watch till the end", "Made for mornings",
                                       "Tested by our team", "Now on sale"))  # fmt: skip
                    if first > end:
                        continue
                    ad = Ad(
                        platform=acc.platform,
                        brand=b.slug,
                        account_id=acc.account_id,
                        campaign_id=camp_id,
                        campaign_name=camp_name,
                        adgroup_id=group_id,
                        adgroup_name=group_name,
                        ad_id=ad_id,
                        ad_name=f"{b.name} {objective.lower()} {ci + 1}.{gi + 1}.{ai + 1}",
                        first_day=first,
                        last_day=last,
                        created_at=created_local.astimezone(UTC),
                        text=text,
                    )
                    # boosted organic content: published (platform day) before the ad was created
                    limit_day = ad.created_at.date() - timedelta(days=1)
                    if tiktok:
                        cands = [c for c in organic if c.day0 <= limit_day and c.day0 >= limit_day - timedelta(days=40)]
                        if boost_u < 0.45 and cands:
                            c = cands[int(pick_u * len(cands))]
                            ad.boosted_content_id, ad.boosted_platform = c.content_id, "tiktok"
                            ad.ad_name += " | Spark"
                        else:
                            ad.video_id = "v10033g50000" + format(int(video_digits) % (1 << 64), "x").rjust(16, "0")
                        ad.placements = ((None, None),)
                    else:
                        ig = [c for c in organic if c.platform == "instagram" and limit_day - timedelta(days=40)
                              <= c.day0 <= limit_day]  # fmt: skip
                        fb = [c for c in organic if c.platform == "facebook" and limit_day - timedelta(days=40)
                              <= c.day0 <= limit_day]  # fmt: skip
                        page_id = b.fb_page_id
                        ad.creative_id = "1202" + creative_digits
                        ad.placements = _PLACEMENT_SETS[placement_set]
                        if boost_u < 0.30 and ig:
                            c = ig[int(pick_u * len(ig))]
                            ad.boosted_content_id, ad.boosted_platform = c.content_id, "instagram"
                            ad.placements = _PLACEMENT_SETS["instagram_only"]
                            ad.attrs["instagram_permalink_url"] = (
                                f"https://www.instagram.com/reel/{c.attrs['shortcode']}/"
                            )
                            ad.ad_name += " | Boosted reel"
                        elif boost_u < 0.45 and fb:
                            c = fb[int(pick_u * len(fb))]
                            ad.boosted_content_id, ad.boosted_platform = c.content_id, "facebook"
                            ad.video_id = c.content_id
                            ad.story_id = f"{page_id}_{c.content_id}"
                            ad.placements = _PLACEMENT_SETS["facebook_reel_boost"]
                            ad.ad_name += " | Boosted FB reel"
                        else:
                            ad.video_id = "1" + video_digits[1:]
                            ad.story_id = f"{page_id}_1{story_digits[1:]}"
                    out.append(ad)
        return out

    @staticmethod
    def _id_maker(rng: random.Random, tiktok: bool) -> Any:
        if tiktok:
            return lambda: "18" + _digits(rng, 17)
        return lambda: "1202" + _digits(rng, 14)

    def _deliver(self, ad: Ad) -> list[DeliveryRow]:
        acc = self._by_id[(ad.platform, ad.account_id)]
        tiktok = ad.platform == TIKTOK_ADS
        rate = USD_RATES[acc.currency]
        prm = _rng(self.seed, "ads", "params", ad.ad_id)
        budget_usd = (45.0 if tiktok else 55.0) * math.exp(prm.gauss(0.0, 0.5))
        cpm_factor = math.exp(prm.gauss(0.0, 0.2))
        ctr_factor = math.exp(prm.gauss(0.0, 0.3))
        play_rate = prm.uniform(0.85, 0.98)
        v2 = prm.uniform(0.45, 0.70)
        v6 = prm.uniform(0.45, 0.65)
        thru = prm.uniform(0.25, 0.45)
        p25 = prm.uniform(0.30, 0.45)
        p50 = prm.uniform(0.55, 0.70)
        p75 = prm.uniform(0.65, 0.80)
        p100 = prm.uniform(0.60, 0.80)
        like_rate = prm.uniform(0.006, 0.025) if tiktok else prm.uniform(0.003, 0.012)
        if ad.boosted_content_id:
            like_rate *= 1.3
        comment_share = prm.uniform(0.04, 0.10)
        share_share = prm.uniform(0.08, 0.16)
        follow_rate = prm.uniform(0.0005, 0.002)
        freq = prm.uniform(1.05, 1.6)
        avg_watch = prm.uniform(2.5, 8.0)
        settle = prm.choice(TIKTOK_SETTLE_DAYS) if tiktok else META_RESTATEMENT_DAYS
        weights = [1.0] if tiktok else [_META_POS[p][1] for p in ad.placements]
        noise = _rng(self.seed, "ads", "noise", ad.ad_id)
        out: list[DeliveryRow] = []
        day = ad.first_day
        last = min(ad.last_day, self.world.end)
        while day <= last:
            # a fixed number of draws per day, so a longer world keeps every earlier day
            off_u = noise.random()
            day_mult = noise.uniform(0.7, 1.05) * (1.12 if day.weekday() >= 5 else 1.0)
            place_noise = [math.exp(noise.gauss(0.0, 0.3)) for _ in weights]
            cpm_noise = [math.exp(noise.gauss(0.0, 0.1)) for _ in weights]
            jitter = [noise.random() for _ in range(8)]
            if off_u >= 0.03:  # 3 % of days without delivery
                total_w = sum(w * n for w, n in zip(weights, place_noise, strict=True))
                for k, (pp, pos) in enumerate(ad.placements):
                    share = weights[k] * place_noise[k] / total_w
                    spend_usd = budget_usd * day_mult * share
                    if tiktok:
                        cpm_usd, ctr = TIKTOK_CPM_USD, TIKTOK_CTR
                    else:
                        cpm_usd, _w, ctr = _META_POS[(pp, pos)]  # type: ignore[index]
                    cpm_usd *= cpm_factor * cpm_noise[k]
                    impressions = int(spend_usd / cpm_usd * 1000.0)
                    if impressions < MIN_IMPRESSIONS:
                        continue
                    spend_minor = max(1, round(spend_usd * rate * 100))
                    j = [(x + 0.37 * k) % 1.0 for x in jitter]
                    plays = int(impressions * play_rate)
                    views2 = int(plays * v2)
                    likes = int(plays * like_rate * (0.8 + 0.4 * j[0]))
                    f = {
                        "spend_minor": spend_minor,
                        "impressions": impressions,
                        "reach": max(1, int(impressions / (freq * (0.95 + 0.1 * j[1])))),
                        "clicks": int(impressions * ctr * ctr_factor * (0.8 + 0.4 * j[2])),
                        "video_plays": plays,
                        "video_views_2s": views2,
                        "video_views_3s": int(views2 * 0.86),
                        "video_views_6s": int(views2 * v6),
                        "thruplays": int(views2 * thru),
                        "video_views_p25": int(plays * p25),
                        "video_views_p50": int(plays * p25 * p50),
                        "video_views_p75": int(plays * p25 * p50 * p75),
                        "video_views_p95": int(plays * p25 * p50 * p75 * 0.88),
                        "video_views_p100": int(plays * p25 * p50 * p75 * 0.88 * p100),
                        "video_views_30s": int(views2 * thru * 0.5),
                        "likes": likes,
                        "comments": int(likes * comment_share * (0.7 + 0.6 * j[3])),
                        "shares": int(likes * share_share * (0.7 + 0.6 * j[4])),
                        "follows": int(plays * follow_rate * (0.6 + 0.8 * j[5])),
                        "profile_visits": int(plays * follow_rate * 6 * (0.6 + 0.8 * j[6])),
                    }
                    f["link_clicks"] = int(f["clicks"] * 0.7)
                    key = (ad.ad_id, day.isoformat(), pp, pos)
                    if tiktok:
                        r_d, r_e = 0.01 + 0.03 * _unit("rd", *key), 0.03 + 0.07 * _unit("re", *key)
                    else:
                        r_d, r_e = 0.003 + 0.017 * _unit("rd", *key), 0.02 + 0.06 * _unit("re", *key)
                    out.append(
                        DeliveryRow(
                            acc, ad, day, pp, pos, array("q", [f[k] for k in FINAL_KEYS]),
                            round(avg_watch * (0.9 + 0.2 * j[7]), 2), settle, r_d, r_e,
                        )
                    )
            day += timedelta(days=1)
        return out


# ------------------------------------------------------------------------------------ truth rows


def format_minor(minor: int) -> str:
    """Minor units as the APIs print money: "20.00"."""
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return f"{sign}{minor // 100}.{minor % 100:02d}"


def truth_row(r: DeliveryRow, as_of: date | None) -> dict[str, Any]:
    v = r.served(as_of)
    tiktok = r.account.platform == TIKTOK_ADS
    return {
        "platform": r.account.platform,
        "brand": r.account.brand,
        "account_id": r.account.account_id,
        "campaign_id": r.ad.campaign_id,
        "adgroup_id": r.ad.adgroup_id,
        "ad_id": r.ad.ad_id,
        "metric_date": r.day,
        "timezone": r.account.timezone,
        "publisher_platform": r.publisher_platform,
        "platform_position": r.platform_position,
        "currency": r.account.currency,
        "spend": v["spend_minor"] / 100.0,
        "spend_minor": v["spend_minor"],
        "impressions": v["impressions"],
        "reach": v["reach"],
        "clicks": v["clicks"],
        "video_plays": v["video_plays"],
        "video_views_2s": v["video_views_2s"],
        "video_views_6s": v["video_views_6s"] if tiktok else None,
        "thruplays": None if tiktok else v["thruplays"],
        "video_views_p25": v["video_views_p25"],
        "video_views_p50": v["video_views_p50"],
        "video_views_p75": v["video_views_p75"],
        "video_views_p100": v["video_views_p100"],
        "likes": v["likes"],
        "comments": v["comments"],
        "shares": v["shares"],
        "follows": v["follows"],
        "boosted_content_id": r.ad.boosted_content_id,
        "boosted_platform": r.ad.boosted_platform,
        "is_final": as_of is None or (as_of - r.day).days >= r.settle_days,
    }


def organic_content_of(world: World, ad: Ad) -> Content | None:
    return world.content(ad.boosted_content_id) if ad.boosted_content_id else None
