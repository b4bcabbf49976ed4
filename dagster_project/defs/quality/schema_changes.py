"""A13: schema changes in what the platforms send, surfaced as WARN checks on every raw asset.

The raw layer keeps each answer as JSON, so a field the connector does not know lands without
breaking anything and staging ignores it (the marts are unaffected). That is also how a new metric
or a renamed field would go unnoticed. One non-blocking check per raw asset compares the payload
keys of the latest pull of every account (top-level keys, and the keys one level inside the
objects listed in ``NESTED``) with the allow-list of the fields we request or know the API sends,
and warns with the unexpected keys per raw table. Removed or retyped fields are the staging
contract's job (A14, blocking), not this check's.

The allow-lists are the documented answers (docs/API_CONTRACTS.md) of the fields each connector
requests; extend them when a connector requests more.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg
import duckdb

from dagster_project.defs.ingest.landing import RAW_TABLES
from dagster_project.defs.resources import WarehouseResource, open_duckdb

SCHEMA_CHECK = "payload_keys_known"


@dataclass(frozen=True)
class PayloadSchema:
    table: str  # raw.<table>
    asset_key: tuple[str, ...]
    top: frozenset[str]  # allowed top-level keys
    nested: dict[str, frozenset[str]]  # object key -> allowed keys inside it

    def allowed(self) -> set[str]:
        return set(self.top) | {f"{k}.{child}" for k, kids in self.nested.items() for child in kids}


def _keys(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TIKTOK_AD_METRICS = _keys("""spend impressions clicks reach video_play_actions video_watched_2s video_watched_6s
    video_views_p25 video_views_p50 video_views_p75 video_views_p100 likes comments shares follows
    cpm cpc ctr conversion cost_per_conversion profile_visits""")
_META_INSIGHTS = _keys("""account_currency account_id actions ad_id ad_name adset_id campaign_id clicks cpm cpc
    ctr date_start date_stop frequency impressions platform_position publisher_platform reach spend
    video_30_sec_watched_actions video_avg_time_watched_actions video_continuous_2_sec_watched_actions
    video_p100_watched_actions video_p25_watched_actions video_p50_watched_actions
    video_p75_watched_actions video_p95_watched_actions video_play_actions
    video_thruplay_watched_actions""")

SCHEMAS: tuple[PayloadSchema, ...] = (
    PayloadSchema("tiktok_videos", ("raw", "tiktok", "videos"), _keys("""item_id create_time caption media_type
        share_url embed_url thumbnail_url video_duration video_views likes comments shares favorites reach
        total_time_watched average_time_watched full_video_watched_rate new_followers profile_views is_ad
        impression_sources audience_countries"""), {}),
    PayloadSchema("tiktok_account_days", ("raw", "tiktok", "account_days"), _keys("""date video_views
        unique_video_views profile_views likes comments shares followers_count daily_total_followers
        daily_new_followers daily_lost_followers engaged_audience"""), {}),
    PayloadSchema("instagram_reels", ("raw", "instagram", "reels"), _keys("""id caption media_type
        media_product_type permalink timestamp like_count comments_count shortcode insights"""),
        {"insights": _keys("""views reach likes comments shares saved total_interactions
            ig_reels_avg_watch_time ig_reels_video_view_total_time""")}),
    PayloadSchema("facebook_reels", ("raw", "facebook", "reels"), _keys("""id description title created_time
        length permalink_url published insights"""),
        {"insights": _keys("""blue_reels_play_count fb_reels_total_plays fb_reels_replay_count
            post_impressions_unique post_video_avg_time_watched post_video_view_time post_video_social_actions
            post_video_likes_by_reaction_type post_video_followers""")}),
    PayloadSchema("youtube_videos", ("raw", "youtube", "videos"), _keys("kind etag id snippet contentDetails statistics"),
                  {"snippet": _keys("""publishedAt channelId title description thumbnails channelTitle tags
                      categoryId liveBroadcastContent localized defaultLanguage defaultAudioLanguage"""),
                   "contentDetails": _keys("""duration dimension definition caption licensedContent
                      contentRating projection regionRestriction hasCustomThumbnail"""),
                   "statistics": _keys("viewCount likeCount dislikeCount favoriteCount commentCount")}),
    PayloadSchema("youtube_video_days", ("raw", "youtube", "video_days"), _keys("""day video views engagedViews
        likes comments shares subscribersGained subscribersLost estimatedMinutesWatched
        averageViewDuration averageViewPercentage"""), {}),
    PayloadSchema("tiktok_advertisers", ("raw", "tiktok_ads", "advertisers"), _keys("""advertiser_id name
        currency timezone display_timezone country status"""), {}),
    PayloadSchema("tiktok_ads", ("raw", "tiktok_ads", "ads"), _keys("""advertiser_id campaign_id campaign_name
        adgroup_id adgroup_name ad_id ad_name ad_text ad_format call_to_action identity_id identity_type
        is_aco tiktok_item_id video_id image_ids operation_status secondary_status create_time
        modify_time landing_page_url display_name"""), {}),
    PayloadSchema("tiktok_ad_days", ("raw", "tiktok_ads", "ad_days"), _keys("dimensions metrics"),
                  {"dimensions": _keys("ad_id stat_time_day"), "metrics": _TIKTOK_AD_METRICS}),
    PayloadSchema("meta_ad_accounts", ("raw", "meta_ads", "ad_accounts"), _keys("""id account_id currency
        timezone_name timezone_offset_hours_utc"""), {}),
    PayloadSchema("meta_ads", ("raw", "meta_ads", "ads"), _keys("id name campaign_id adset_id effective_status creative"),
                  {"creative": _keys("id video_id effective_instagram_media_id effective_object_story_id")}),
    PayloadSchema("meta_ad_days", ("raw", "meta_ads", "ad_days"), _META_INSIGHTS, {}),
)
SCHEMA_BY_TABLE = {s.table: s for s in SCHEMAS}


def latest_pull_keys(conn: duckdb.DuckDBPyConnection, schema: PayloadSchema) -> dict[str, int] | None:
    """Every payload key path (top level, and one level inside NESTED objects) of each account's
    latest pull, with the number of rows carrying it; None when the table does not exist yet."""
    table = RAW_TABLES[schema.table]
    exists = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
                          "AND table_name = ?", [schema.table]).fetchone()[0]
    if not exists:
        return None
    # a snapshot table's latest pull is its newest snapshot day; a daily table's is its newest
    # pulled_at (one pull rewrites a whole lookback window of metric days)
    newest = table.date_column if table.date_column == "snapshot_date" else "pulled_at"
    latest = (f"SELECT payload FROM {table.qualified} "
              f"QUALIFY {newest} = max({newest}) OVER (PARTITION BY {table.account_column})")
    counts: dict[str, int] = {}
    rows = conn.execute(f"SELECT k, count(*) FROM (SELECT unnest(json_keys(payload)) AS k FROM ({latest})) "
                        "GROUP BY k").fetchall()
    counts.update({k: n for k, n in rows})
    for parent in schema.nested:
        path = "$." + parent
        rows = conn.execute(
            f"SELECT k, count(*) FROM (SELECT unnest(json_keys(payload, ?)) AS k FROM ({latest}) "
            "WHERE json_type(payload, ?) = 'OBJECT') GROUP BY k", [path, path]).fetchall()
        counts.update({f"{parent}.{k}": n for k, n in rows})
    return counts


def unexpected_keys(counts: dict[str, int], schema: PayloadSchema) -> dict[str, int]:
    allowed = schema.allowed()
    return {k: n for k, n in sorted(counts.items()) if k not in allowed}


def schema_result(schema: PayloadSchema, counts: dict[str, int] | None) -> dg.AssetCheckResult:
    key = dg.AssetKey(list(schema.asset_key))
    if counts is None:
        return dg.AssetCheckResult(asset_key=key, check_name=SCHEMA_CHECK, passed=True,
                                   severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"raw_table": f"raw.{schema.table}", "note": "no rows landed yet"})
    extra = unexpected_keys(counts, schema)
    platform = schema.asset_key[1]
    return dg.AssetCheckResult(
        asset_key=key, check_name=SCHEMA_CHECK, passed=not extra, severity=dg.AssetCheckSeverity.WARN,
        description=None if not extra else (
            f"{platform} raw.{schema.table}: the latest pull carries {len(extra)} unexpected payload "
            f"key(s) {sorted(extra)}: stored in raw JSON, ignored by staging; check the API changelog "
            f"and extend the connector or the allow-list in schema_changes.py"),
        metadata={
            "raw_table": f"raw.{schema.table}",
            "platform": platform,
            "unexpected_keys": dg.MetadataValue.json(extra),
            "known_keys_seen": len(counts) - len(extra),
        },
    )


def check_tables(conn: duckdb.DuckDBPyConnection, tables: Iterable[str] | None = None) -> list[dg.AssetCheckResult]:
    """The check results for the given raw tables (all by default) on an open connection."""
    return [schema_result(SCHEMA_BY_TABLE[t], latest_pull_keys(conn, SCHEMA_BY_TABLE[t]))
            for t in (tables or SCHEMA_BY_TABLE)]


def _schema_check(schema: PayloadSchema) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dg.AssetKey(list(schema.asset_key)), name=SCHEMA_CHECK, blocking=False,
                    description=f"A13: payload keys of the latest pull of raw.{schema.table} outside the known "
                    "fields (new or renamed API fields). WARN only: the raw JSON keeps them, the marts ignore them.")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        conn = open_duckdb(warehouse.path(), read_only=True)
        try:
            return schema_result(schema, latest_pull_keys(conn, schema))
        finally:
            conn.close()

    return _check


SCHEMA_CHANGE_CHECKS = [_schema_check(s) for s in SCHEMAS]
