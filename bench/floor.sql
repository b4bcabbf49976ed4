-- The floor of the dbt benchmark (issue 7): the dbt marts (every one but rpt_tiktok_vs_meta, a
-- Python bootstrap model) written as one hand-optimised DuckDB script over the same raw tables
-- (raw.*) and seeds. Same rows as the dbt marts (tests/bench/test_floor.py proves it) but no view
-- layers: every JSON payload is parsed once (json_extract_string with a list of paths, or one
-- json_transform for Meta's action arrays), lifetime snapshots become days with window functions and
-- only the rare multi-day gaps are expanded, reporting dates are a per-zone day table, caption word
-- sets are lists. Intermediates are temp tables; outputs land in schema floor under the mart names.
-- Run by bench/floor.py (run_floor), which substitutes {seeds} (the dbt seeds directory).
-- The dbt vars are fixed at their defaults: reporting_timezone UTC, reporting_currency USD,
-- content_age_max_days 90, max_spread_days 3660, restatement_window_days, reallocation_shares,
-- crosspost_* matcher settings.
-- Not reproduced: the strict casts' checks (a count such as "12.5" fails the dbt build with a message
-- naming the field; here a plain cast applies) and the dbt data tests.

create schema if not exists floor;

create or replace temp table metric_definitions as
select * from read_csv('{seeds}/metric_definitions.csv', header = true, auto_detect = false, columns = {
    'definition_key': 'VARCHAR', 'platform': 'VARCHAR', 'surface': 'VARCHAR', 'metric': 'VARCHAR',
    'api_field': 'VARCHAR', 'valid_from': 'DATE', 'valid_to': 'DATE', 'counts': 'VARCHAR', 'unit': 'VARCHAR',
    'view_event': 'VARCHAR', 'additive_across_days': 'VARCHAR', 'additive_across_posts': 'VARCHAR'});

create or replace temp table restatement_windows (platform varchar, window_days integer);
insert into restatement_windows values
    ('tiktok', 7), ('instagram', 3), ('facebook', 3), ('youtube', 7), ('tiktok_ads', 7), ('meta_ads', 28);

-- ----------------------------------------------------------------------------------- dim_account
create or replace table floor.dim_account as
select
    platform || ':' || account_id as account_key,
    brand, brand_timezone, platform, surface, account_id,
    cast(loaded_at as timestamp) as loaded_at
from raw.accounts;

-- ------------------------------------------------------------- lifetime snapshots, parsed once
create or replace temp table snapshots as
with
tt as materialized (
    select business_id as account_id, item_id as content_id, snapshot_date,
        json_extract_string(payload, ['$.create_time', '$.caption', '$.share_url', '$.video_duration',
            '$.video_views', '$.reach', '$.likes', '$.comments', '$.shares', '$.favorites',
            '$.total_time_watched', '$.full_video_watched_rate']) as j
    from raw.tiktok_videos
),
ig as materialized (
    select ig_user_id as account_id, media_id as content_id, snapshot_date,
        json_extract_string(payload, ['$.timestamp', '$.caption', '$.permalink', '$.insights.plays',
            '$.insights.views', '$.insights.reach', '$.insights.likes', '$.insights.comments',
            '$.insights.shares', '$.insights.saved', '$.insights.ig_reels_video_view_total_time']) as j
    from raw.instagram_reels
),
fb as materialized (
    select page_id as account_id, video_id as content_id, snapshot_date,
        json_extract_string(payload, ['$.created_time', '$.description', '$.title', '$.permalink_url',
            '$.length', '$.insights.fb_reels_total_plays', '$.insights.post_impressions_unique',
            '$.insights.post_video_view_time']) as j,
        json_extract(payload, ['$.insights.post_video_likes_by_reaction_type',
            '$.insights.post_video_social_actions']) as o
    from raw.facebook_reels
)
select
    'tiktok' as platform, 'tiktok' as surface, account_id, content_id, 'tiktok:' || content_id as content_key,
    make_timestamp(cast(j[1] as bigint) * 1000000) as published_at,
    snapshot_date,
    cast(j[5] as bigint) as views_c, cast(j[6] as bigint) as reach_c, cast(j[7] as bigint) as likes_c,
    cast(j[8] as bigint) as comments_c, cast(j[9] as bigint) as shares_c, cast(j[10] as bigint) as saves_c,
    cast(j[11] as decimal(18, 3)) as watch_seconds_c,
    cast(j[4] as double) as duration_seconds, j[2] as caption, j[3] as permalink,
    'tiktok.video_views' as views_basis,
    cast(j[12] as double) as full_video_watched_rate
from tt
union all
select
    'instagram', 'instagram_reels', account_id, content_id, 'instagram:' || content_id,
    timezone('UTC', cast(j[1] as timestamptz)),
    snapshot_date,
    cast(case when snapshot_date < date '2025-04-21' and j[4] is not null then j[4] else j[5] end as bigint),
    cast(j[6] as bigint), cast(j[7] as bigint), cast(j[8] as bigint), cast(j[9] as bigint), cast(j[10] as bigint),
    cast(cast(j[11] as decimal(18, 3)) * 0.001 as decimal(18, 3)),
    cast(null as double), j[2], j[3],
    case when snapshot_date < date '2025-04-21' and j[4] is not null then 'instagram.plays' else 'instagram.views' end,
    cast(null as double)
from ig
union all
select
    'facebook', 'facebook_reels', account_id, content_id, 'facebook:' || content_id,
    timezone('UTC', cast(j[1] as timestamptz)),
    snapshot_date,
    cast(j[6] as bigint), cast(j[7] as bigint),
    case when json_type(o[1]) = 'OBJECT'
        then coalesce(cast(list_sum(map_values(json_transform(o[1], '"MAP(VARCHAR, BIGINT)"'))) as bigint), 0) end,
    case when json_type(o[2]) = 'OBJECT' then coalesce(cast(o[2] ->> 'COMMENT' as bigint), 0) end,
    case when json_type(o[2]) = 'OBJECT' then coalesce(cast(o[2] ->> 'SHARE' as bigint), 0) end,
    cast(null as bigint),
    cast(cast(j[8] as decimal(18, 3)) * 0.001 as decimal(18, 3)),
    cast(j[5] as double), coalesce(j[2], j[3]), j[4],
    'facebook.fb_reels_total_plays',
    cast(null as double)
from fb;

-- --------------------------------------------------------------------------------- YouTube
create or replace temp table yt_videos as
select
    channel_id as account_id, video_id as content_id, 'youtube:' || video_id as content_key, snapshot_date,
    timezone('UTC', cast(j[1] as timestamptz)) as published_at,
    j[2] as caption,
    'https://www.youtube.com/shorts/' || video_id as permalink,
    cast(case
        when regexp_full_match(j[3], 'P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?') and j[3] not in ('P', 'PT') then
              coalesce(cast(nullif(regexp_extract(j[3], 'P([0-9]+)D', 1), '') as bigint), 0) * 86400
            + coalesce(cast(nullif(regexp_extract(j[3], 'T([0-9]+)H', 1), '') as bigint), 0) * 3600
            + coalesce(cast(nullif(regexp_extract(j[3], 'T(?:[0-9]+H)?([0-9]+)M', 1), '') as bigint), 0) * 60
            + coalesce(cast(nullif(regexp_extract(j[3], '([0-9]+)S', 1), '') as bigint), 0)
    end as double) as duration_seconds,
    cast(j[4] as bigint) as views
from (
    select channel_id, video_id, snapshot_date,
        json_extract_string(payload, ['$.snippet.publishedAt', '$.snippet.title', '$.contentDetails.duration',
            '$.statistics.viewCount']) as j
    from raw.youtube_videos
);

-- the latest videos.list snapshot of each video decides whether it is a Short
create or replace temp table yt_latest as
select
    content_id, content_key, account_id, published_at, snapshot_date as last_seen_date, caption, permalink,
    duration_seconds, views, first_seen_date,
    case
        when duration_seconds is null or published_at is null then null
        when published_at >= timestamp '2024-10-15' then duration_seconds <= 180
        else duration_seconds <= 60
    end as is_short
from (
    select *, min(snapshot_date) over (partition by content_id) as first_seen_date
    from yt_videos
)
qualify row_number() over (partition by content_id order by snapshot_date desc) = 1;

create or replace temp table yt_daily as
select
    d.channel_id as account_id, d.video_id as content_id, 'youtube:' || d.video_id as content_key,
    v.published_at, d.metric_date,
    cast(j[1] as bigint) as views, cast(j[2] as bigint) as engaged_views, cast(j[3] as bigint) as likes,
    cast(j[4] as bigint) as comments, cast(j[5] as bigint) as shares,
    cast(cast(j[6] as decimal(18, 3)) * 60 as decimal(18, 3)) as watch_seconds,
    case when d.metric_date < date '2025-03-31' then 'youtube.views_legacy' else 'youtube.views' end as views_basis
from (
    select channel_id, video_id, metric_date,
        json_extract_string(payload, ['$.views', '$.engagedViews', '$.likes', '$.comments', '$.shares',
            '$.estimatedMinutesWatched']) as j
    from raw.youtube_video_days
) as d
inner join yt_latest as v on d.video_id = v.content_id
where v.is_short;

-- ------------------------------------------------------------------------------ as-of per account
create or replace temp table as_of as
select platform, account_id, max(snapshot_date) as data_as_of_date, max(snapshot_date) as latest_metric_date
from snapshots
group by all
union all
select 'youtube', p.account_id, p.data_as_of_date, d.latest_metric_date
from (select account_id, max(snapshot_date) as data_as_of_date from yt_videos group by all) as p
left join (select channel_id as account_id, max(metric_date) as latest_metric_date
           from raw.youtube_video_days group by all) as d
    on p.account_id = d.account_id;

-- ------------------------------------------- lifetime snapshots -> days (deltas, spread over gaps)
create or replace temp table intervals as
with sequenced as (
    select
        s.*,
        cast(watch_seconds_c * 1000 as bigint) as watch_ms_c,
        lag(snapshot_date) over w as prev_date,
        lag(views_basis) over w as prev_basis,
        lag(views_c) over w as prev_views_c,
        lag(likes_c) over w as prev_likes_c,
        lag(comments_c) over w as prev_comments_c,
        lag(shares_c) over w as prev_shares_c,
        lag(saves_c) over w as prev_saves_c,
        lag(cast(watch_seconds_c * 1000 as bigint)) over w as prev_watch_ms_c,
        coalesce(cast(published_at as date) >= snapshot_date, false) as published_by
    from snapshots as s
    window w as (partition by content_key order by snapshot_date)
),
deltas as (
    select
        *,
        coalesce(prev_basis <> views_basis, false) as is_basis_change,
        case when prev_date is null then 1 else date_diff('day', prev_date, snapshot_date) end as span_days,
        case
            when prev_basis <> views_basis then null
            when prev_date is not null then views_c - prev_views_c
            when published_by then views_c
        end as views_d,
        case when prev_date is not null then likes_c - prev_likes_c when published_by then likes_c end as likes_d,
        case when prev_date is not null then comments_c - prev_comments_c when published_by then comments_c end as comments_d,
        case when prev_date is not null then shares_c - prev_shares_c when published_by then shares_c end as shares_d,
        case when prev_date is not null then saves_c - prev_saves_c when published_by then saves_c end as saves_d,
        case when prev_date is not null then watch_ms_c - prev_watch_ms_c when published_by then watch_ms_c end as watch_ms_d
    from sequenced
)
select
    *,
    case
        when prev_date is null and published_by then 'snapshot_delta'
        when prev_date is null then 'first_snapshot'
        when is_basis_change then 'basis_change'
        when span_days = 1 then 'snapshot_delta'
        else 'snapshot_spread'
    end as derivation,
    coalesce(views_d < 0, false) or coalesce(likes_d < 0, false) or coalesce(comments_d < 0, false)
        or coalesce(shares_d < 0, false) or coalesce(saves_d < 0, false) or coalesce(watch_ms_d < 0, false)
        as is_restated_down
from deltas;

-- one row per content per day: an interval of one day is its own row; a gap of N days becomes N
-- rows (truncating division, the remainder on the snapshot day)
create or replace temp table lifetime_daily as
with expanded as (
    select *, span_days - 1 as day_offset from intervals where span_days = 1
    union all
    select *, unnest(range(least(span_days, 3660))) as day_offset from intervals where span_days > 1
)
select
    platform, surface, account_id, content_id, content_key, published_at,
    snapshot_date + cast(day_offset - (span_days - 1) as integer) as metric_date,
    snapshot_date, derivation, derivation = 'snapshot_delta' as is_complete, is_restated_down,
    case when is_snap then views_d - (span_days - 1) * (views_d // span_days) else views_d // span_days end as views,
    case when is_snap then likes_d - (span_days - 1) * (likes_d // span_days) else likes_d // span_days end as likes,
    case when is_snap then comments_d - (span_days - 1) * (comments_d // span_days) else comments_d // span_days end as comments,
    case when is_snap then shares_d - (span_days - 1) * (shares_d // span_days) else shares_d // span_days end as shares,
    case when is_snap then saves_d - (span_days - 1) * (saves_d // span_days) else saves_d // span_days end as saves,
    cast(cast(case when is_snap then watch_ms_d - (span_days - 1) * (watch_ms_d // span_days)
                   else watch_ms_d // span_days end as decimal(18, 0)) * 0.001 as decimal(18, 3)) as watch_seconds,
    case when is_snap then views_c else prev_views_c + (day_offset + 1) * (views_d // span_days) end as views_c,
    case when is_snap then likes_c else prev_likes_c + (day_offset + 1) * (likes_d // span_days) end as likes_c,
    case when is_snap then comments_c else prev_comments_c + (day_offset + 1) * (comments_d // span_days) end as comments_c,
    case when is_snap then shares_c else prev_shares_c + (day_offset + 1) * (shares_d // span_days) end as shares_c,
    case when is_snap then saves_c else prev_saves_c + (day_offset + 1) * (saves_d // span_days) end as saves_c,
    cast(cast(case when is_snap then watch_ms_c else prev_watch_ms_c + (day_offset + 1) * (watch_ms_d // span_days) end
              as decimal(18, 0)) * 0.001 as decimal(18, 3)) as watch_seconds_c,
    is_snap as is_observed,
    case when is_snap then reach_c end as reach_c,
    views_basis
from (select *, day_offset = span_days - 1 as is_snap from expanded);

-- ============================================= paid media: FX, ad accounts, daily ad rows
-- FX: reporting units (USD) per 1 local unit, cross rates of the seed's EUR-based rates
create or replace temp table fx as
with
seed as (
    select
        rate_date, upper(quote_currency) as currency, cast(rate as double) as eur_rate, published_date
    from read_csv('{seeds}/fx_rates_daily.csv', header = true, auto_detect = false, columns = {
        'rate_date': 'DATE', 'base_currency': 'VARCHAR', 'quote_currency': 'VARCHAR', 'rate': 'DECIMAL(18, 6)',
        'published_date': 'DATE'})
    where upper(base_currency) = 'EUR'
),
eur_rates as (
    select * from seed
    union all
    select rate_date, 'EUR', 1.0, max(published_date) from seed group by rate_date
)
select
    e.rate_date, e.currency,
    cast(r.eur_rate / e.eur_rate as decimal(18, 10)) as fx_rate,
    greatest(e.published_date, r.published_date) as published_date
from eur_rates as e
inner join eur_rates as r on e.rate_date = r.rate_date and r.currency = 'USD';

-- ad accounts: the latest advertiser / ad account snapshot, with the brand of the accounts file
create or replace temp table ad_accounts as
select l.platform, l.account_id, a.brand, l.currency, l.source_timezone, l.snapshot_date as last_seen_date
from (
    select 'tiktok_ads' as platform, advertiser_id as account_id, snapshot_date,
        upper(payload ->> '$.currency') as currency,
        coalesce(payload ->> '$.timezone', payload ->> '$.display_timezone') as source_timezone
    from raw.tiktok_advertisers
    union all
    select 'meta_ads', 'act_' || regexp_replace(ad_account_id, '^act_', ''), snapshot_date,
        upper(payload ->> '$.currency'), payload ->> '$.timezone_name'
    from raw.meta_ad_accounts
) as l
left join raw.accounts as a on l.platform = a.platform and l.account_id = a.account_id
qualify row_number() over (partition by l.platform, l.account_id order by l.snapshot_date desc) = 1;

-- the sum of `value` over the entries of one Meta action list with the given action type (null when
-- the list is absent or has none)
create or replace temp macro action_sum(actions, kind) as
    list_sum(list_transform(list_filter(actions, lambda e: e.action_type = kind), lambda e: cast(e.value as bigint)));

-- daily ad rows of both platforms in one shape; Meta's action arrays are parsed once per row
create or replace temp table ad_days as
with
meta as (
    select
        'act_' || regexp_replace(ad_account_id, '^act_', '') as account_id, ad_placement_key,
        metric_date as key_date,
        json_transform(payload, '{"ad_id": "VARCHAR", "date_start": "VARCHAR", "publisher_platform": "VARCHAR",
            "platform_position": "VARCHAR", "account_currency": "VARCHAR", "spend": "VARCHAR",
            "impressions": "VARCHAR", "clicks": "VARCHAR", "reach": "VARCHAR",
            "video_play_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_continuous_2_sec_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_thruplay_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_p25_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_p50_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_p75_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_p95_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_p100_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "video_30_sec_watched_actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}],
            "actions": [{"action_type": "VARCHAR", "value": "VARCHAR"}]}') as p,
        pulled_at
    from raw.meta_ad_days
),
-- per row, the sum of `value` per metric's action type, read from each action list in place (an
-- absent field or one without that action type is 0, as Meta omits empty action fields). Unnesting
-- the lists and regrouping them by row spilled tens of GB on `large` (docs/BENCHMARKS.md).
meta_actions as (
    select
        m.*,
        action_sum(p.video_play_actions, 'video_view') as video_plays,
        action_sum(p.video_continuous_2_sec_watched_actions, 'video_view') as video_2s_views,
        action_sum(p.video_thruplay_watched_actions, 'video_view') as thruplays,
        action_sum(p.video_p25_watched_actions, 'video_view') as video_p25_views,
        action_sum(p.video_p50_watched_actions, 'video_view') as video_p50_views,
        action_sum(p.video_p75_watched_actions, 'video_view') as video_p75_views,
        action_sum(p.video_p95_watched_actions, 'video_view') as video_p95_views,
        action_sum(p.video_p100_watched_actions, 'video_view') as video_p100_views,
        action_sum(p.video_30_sec_watched_actions, 'video_view') as video_30s_views,
        action_sum(p.actions, 'video_view') as video_3s_views,
        action_sum(p.actions, 'post_reaction') as likes,
        action_sum(p.actions, 'comment') as comments,
        action_sum(p.actions, 'post') as shares,
        action_sum(p.actions, 'onsite_conversion.post_save') as saves,
        action_sum(p.actions, 'like') as follows,
        action_sum(p.actions, 'post_engagement') as post_engagements
    from meta as m
),
meta_days as (
    select
        'meta_ads' as platform, m.account_id,
        coalesce(m.p.ad_id, split_part(m.ad_placement_key, '|', 1)) as ad_id,
        coalesce(cast(m.p.date_start as date), m.key_date) as metric_date,
        coalesce(m.p.publisher_platform, split_part(m.ad_placement_key, '|', 2)) as publisher_platform,
        coalesce(m.p.platform_position, split_part(m.ad_placement_key, '|', 3)) as platform_position,
        upper(m.p.account_currency) as row_currency,
        cast(m.p.spend as decimal(18, 2)) as spend_local,
        cast(m.p.impressions as bigint) as impressions, cast(m.p.clicks as bigint) as clicks,
        cast(m.p.reach as bigint) as reach,
        coalesce(m.video_plays, 0) as video_plays, coalesce(m.video_2s_views, 0) as video_2s_views, coalesce(m.video_3s_views, 0) as video_3s_views,
        cast(null as bigint) as video_6s_views,
        coalesce(m.thruplays, 0) as thruplays, coalesce(m.video_p25_views, 0) as video_p25_views, coalesce(m.video_p50_views, 0) as video_p50_views, coalesce(m.video_p75_views, 0) as video_p75_views,
        coalesce(m.video_p95_views, 0) as video_p95_views, coalesce(m.video_p100_views, 0) as video_p100_views, coalesce(m.video_30s_views, 0) as video_30s_views,
        coalesce(m.likes, 0) as likes, coalesce(m.comments, 0) as comments, coalesce(m.shares, 0) as shares, coalesce(m.saves, 0) as saves, coalesce(m.follows, 0) as follows,
        cast(null as bigint) as profile_visits,
        coalesce(m.post_engagements, 0) as post_engagements,
        m.pulled_at
    from meta_actions as m
),
tiktok_days as (
    select
        'tiktok_ads' as platform, advertiser_id as account_id, ad_id,
        coalesce(cast(substring(j[1], 1, 10) as date), metric_date) as metric_date,
        'tiktok' as publisher_platform, 'all' as platform_position,
        upper(j[2]) as row_currency,
        cast(j[3] as decimal(18, 2)) as spend_local,
        cast(j[4] as bigint) as impressions, cast(j[5] as bigint) as clicks, cast(j[6] as bigint) as reach,
        cast(j[7] as bigint) as video_plays, cast(j[8] as bigint) as video_2s_views,
        cast(null as bigint) as video_3s_views, cast(j[9] as bigint) as video_6s_views,
        cast(null as bigint) as thruplays,
        cast(j[10] as bigint) as video_p25_views, cast(j[11] as bigint) as video_p50_views,
        cast(j[12] as bigint) as video_p75_views, cast(null as bigint) as video_p95_views,
        cast(j[13] as bigint) as video_p100_views, cast(null as bigint) as video_30s_views,
        cast(j[14] as bigint) as likes, cast(j[15] as bigint) as comments, cast(j[16] as bigint) as shares,
        cast(null as bigint) as saves, cast(j[17] as bigint) as follows, cast(j[18] as bigint) as profile_visits,
        cast(null as bigint) as post_engagements,
        pulled_at
    from (
        select advertiser_id, ad_id, metric_date, pulled_at,
            json_extract_string(payload, ['$.dimensions.stat_time_day', '$.metrics.currency', '$.metrics.spend',
                '$.metrics.impressions', '$.metrics.clicks', '$.metrics.reach', '$.metrics.video_play_actions',
                '$.metrics.video_watched_2s', '$.metrics.video_watched_6s', '$.metrics.video_views_p25',
                '$.metrics.video_views_p50', '$.metrics.video_views_p75', '$.metrics.video_views_p100',
                '$.metrics.likes', '$.metrics.comments', '$.metrics.shares', '$.metrics.follows',
                '$.metrics.profile_visits']) as j
        from raw.tiktok_ad_days
    )
),
unioned as (
    select
        *,
        case
            when publisher_platform = 'instagram' and platform_position = 'instagram_reels' then 'instagram_reels'
            when publisher_platform = 'facebook' and platform_position = 'facebook_reels' then 'facebook_reels'
            else 'meta_other'
        end as surface
    from meta_days
    union all by name
    select *, 'tiktok' as surface from tiktok_days
)
select
    u.* exclude (row_currency),
    u.platform || ':' || u.ad_id as ad_key,
    u.publisher_platform || ':' || u.platform_position as placement,
    a.brand, a.source_timezone, a.last_seen_date as data_as_of_date,
    coalesce(u.row_currency, a.currency) as currency
from unioned as u
left join ad_accounts as a on u.platform = a.platform and u.account_id = a.account_id;

-- reporting_date (the reporting-zone day of the source day's midpoint) once per zone and day of the
-- data, joined instead of converting time zones on every row; a day outside the range falls back to
-- the conversion itself
create or replace temp table reporting_days as
select
    z.source_timezone, d.source_date,
    cast(timezone('UTC', timezone(z.source_timezone, cast(d.source_date as timestamp) + interval 12 hour)) as date)
        as reporting_date
from (
    select 'UTC' as source_timezone
    union select 'America/Los_Angeles'
    union select source_timezone from ad_accounts where source_timezone is not null
) as z
cross join (
    select cast(unnest(range(cast(lo as timestamp), cast(hi as timestamp) + interval 1 day, interval 1 day)) as date)
        as source_date
    from (
        select min(lo) as lo, max(hi) as hi
        from (
            select min(metric_date) as lo, max(metric_date) as hi from lifetime_daily
            union all select min(metric_date), max(metric_date) from yt_daily
            union all select min(metric_date), max(metric_date) from ad_days
        )
    )
) as d;

-- -------------------------------------------------- same-age series (int_content_daily_cumulative)
create or replace temp table content_ages as
with
contents as (
    -- attributes of each content's newest day, and the first day its history has
    select
        content_key,
        arg_max(platform, metric_date) as platform,
        arg_max(account_id, metric_date) as account_id,
        arg_max(content_id, metric_date) as content_id,
        arg_max(published_at, metric_date) as published_at,
        min(metric_date) as first_history_date
    from (
        select platform, account_id, content_id, content_key, published_at, metric_date from lifetime_daily
        union all
        select 'youtube', account_id, content_id, content_key, published_at, metric_date from yt_daily
    )
    group by content_key
),
grid as (
    select
        c.platform, c.account_id, c.content_id, c.content_key, c.published_date, c.first_history_date,
        age_days, c.published_date + cast(age_days as integer) as metric_date, a.data_as_of_date
    from (
        select *,
            case when platform = 'youtube'
                then cast(timezone('America/Los_Angeles', timezone('UTC', published_at)) as date)
                else cast(published_at as date) end as published_date
        from contents
    ) as c
    inner join as_of as a on c.platform = a.platform and c.account_id = a.account_id
    cross join lateral unnest(range(least(date_diff('day', c.published_date, a.latest_metric_date), 90) + 1)) as t(age_days)
),
grid_with_basis as (
    select grid.*, d.definition_key as day_basis
    from grid
    left join metric_definitions as d
        on d.metric = 'views' and grid.platform = d.platform
        and (d.valid_from is null or d.valid_from <= grid.metric_date)
        and (d.valid_to is null or d.valid_to >= grid.metric_date)
),
lifetime_values as (
    select
        g.platform, g.account_id, g.content_id, g.content_key, g.published_date, g.age_days, g.metric_date,
        g.data_as_of_date,
        l.views_c as views_cumulative,
        l.likes_c + l.comments_c + l.shares_c + coalesce(l.saves_c, 0) as engagements_cumulative,
        l.watch_seconds_c as watch_seconds_cumulative,
        coalesce(l.is_observed, false) and l.views_c is not null as is_exact,
        coalesce(l.views_basis, g.day_basis) as views_basis
    from grid_with_basis as g
    left join lifetime_daily as l on g.content_key = l.content_key and g.metric_date = l.metric_date
    where g.platform <> 'youtube'
),
youtube_running as (
    select
        g.*,
        g.first_history_date = g.published_date as has_full_history,
        sum(coalesce(y.views, 0)) over w as views_sum,
        sum(coalesce(y.likes + y.comments + y.shares, 0)) over w as engagements_sum,
        sum(coalesce(y.watch_seconds, 0)) over w as watch_seconds_sum,
        sum(case when cd.metric_date is null then 1 else 0 end) over w as unpulled_days,
        min(g.day_basis) over w as first_basis,
        max(g.day_basis) over w as last_basis
    from grid_with_basis as g
    left join yt_daily as y on g.content_key = y.content_key and g.metric_date = y.metric_date
    left join (select distinct account_id, metric_date from yt_daily) as cd
        on g.account_id = cd.account_id and g.metric_date = cd.metric_date
    where g.platform = 'youtube'
    window w as (partition by g.content_key order by g.age_days rows between unbounded preceding and current row)
),
youtube_values as (
    select
        platform, account_id, content_id, content_key, published_date, age_days, metric_date, data_as_of_date,
        case when has_full_history and unpulled_days = 0 and first_basis = last_basis then views_sum end,
        case when has_full_history and unpulled_days = 0 then engagements_sum end,
        case when has_full_history and unpulled_days = 0 then watch_seconds_sum end,
        has_full_history and unpulled_days = 0 and first_basis = last_basis,
        day_basis
    from youtube_running
)
select
    u.*,
    coalesce(date_diff('day', u.metric_date, u.data_as_of_date) > r.window_days, false) as is_final
from (select * from lifetime_values union all select * from youtube_values) as u
left join restatement_windows as r on u.platform = r.platform;

-- ----------------------------------------------------------------------------------- dim_content
create or replace table floor.dim_content as
with
latest as (
    select
        content_key, content_id, platform, surface, account_id, published_at, duration_seconds, caption,
        permalink, views_basis, first_seen_date, snapshot_date as last_seen_date, views_c as lifetime_views
    from (select *, min(snapshot_date) over (partition by content_key) as first_seen_date from snapshots)
    qualify row_number() over (partition by content_key order by snapshot_date desc) = 1
    union all
    select
        content_key, content_id, 'youtube', 'youtube_shorts', account_id, published_at, duration_seconds, caption,
        permalink,
        case when last_seen_date < date '2025-03-31' then 'youtube.views_legacy' else 'youtube.views' end,
        first_seen_date, last_seen_date, views
    from yt_latest
    where is_short
),
same_age as (
    select
        content_key,
        max(views_cumulative) filter (age_days = 1) as views_d1,
        max(engagements_cumulative) filter (age_days = 1) as engagements_d1,
        max(watch_seconds_cumulative) filter (age_days = 1) as watch_seconds_d1,
        max(views_cumulative) filter (age_days = 7) as views_d7,
        max(engagements_cumulative) filter (age_days = 7) as engagements_d7,
        max(watch_seconds_cumulative) filter (age_days = 7) as watch_seconds_d7,
        max(views_cumulative) filter (age_days = 28) as views_d28,
        max(engagements_cumulative) filter (age_days = 28) as engagements_d28,
        max(watch_seconds_cumulative) filter (age_days = 28) as watch_seconds_d28,
        coalesce(bool_or(is_exact) filter (age_days = 1), false) as is_d1_complete,
        coalesce(bool_or(is_exact) filter (age_days = 7), false) as is_d7_complete,
        coalesce(bool_or(is_exact) filter (age_days = 28), false) as is_d28_complete
    from content_ages
    where age_days in (1, 7, 28)
    group by content_key
)
select
    l.content_key, l.content_id, l.platform, l.surface, a.brand, l.account_id, l.published_at,
    p.published_date,
    cast(timezone('UTC', timezone(p.source_tz, cast(p.published_date as timestamp) + interval 12 hour)) as date)
        as published_date_reporting,
    l.duration_seconds, l.caption, l.permalink, l.views_basis, l.first_seen_date, l.last_seen_date,
    l.lifetime_views,
    s.views_d1, s.engagements_d1, s.watch_seconds_d1,
    s.views_d7, s.engagements_d7, s.watch_seconds_d7,
    s.views_d28, s.engagements_d28, s.watch_seconds_d28,
    coalesce(s.is_d1_complete, false) as is_d1_complete,
    coalesce(s.is_d7_complete, false) as is_d7_complete,
    coalesce(s.is_d28_complete, false) as is_d28_complete
from latest as l
cross join lateral (
    select
        case when l.platform = 'youtube'
            then cast(timezone('America/Los_Angeles', timezone('UTC', l.published_at)) as date)
            else cast(l.published_at as date) end as published_date,
        case when l.platform = 'youtube' then 'America/Los_Angeles' else 'UTC' end as source_tz
) as p
left join floor.dim_account as a on l.platform = a.platform and l.account_id = a.account_id
left join same_age as s on l.content_key = s.content_key;

-- ---------------------------------------------------------------------------- fct_content_daily
create or replace table floor.fct_content_daily as
with daily as (
    select
        content_key, content_id, platform, surface, account_id, metric_date,
        views, cast(null as bigint) as engaged_views, likes, comments, shares, saves, watch_seconds,
        reach_c as reach_cumulative, views_c as views_cumulative,
        derivation, is_complete, is_restated_down, views_basis
    from lifetime_daily
    union all
    select
        y.content_key, y.content_id, 'youtube', 'youtube_shorts', y.account_id, y.metric_date,
        y.views, y.engaged_views, y.likes, y.comments, y.shares, cast(null as bigint), y.watch_seconds,
        cast(null as bigint),
        case when min(y.views_basis) over w = y.views_basis and max(y.views_basis) over w = y.views_basis
            then sum(y.views) over w end,
        'daily_api', true, false, y.views_basis
    from yt_daily as y
    window w as (partition by y.content_id order by y.metric_date rows between unbounded preceding and current row)
)
select
    d.content_key, d.content_id, d.platform, d.surface, c.brand, d.account_id, d.metric_date,
    cast(date_diff('day', c.published_date, d.metric_date) as integer) as days_since_publish,
    d.views, d.engaged_views, d.likes, d.comments, d.shares, d.saves,
    d.likes + d.comments + d.shares + coalesce(d.saves, 0) as engagements,
    d.watch_seconds, d.reach_cumulative, d.views_cumulative, d.derivation, d.is_complete, d.is_restated_down,
    d.views_basis,
    d.source_timezone,
    case when rd.reporting_date is null
        then cast(timezone('UTC', timezone(d.source_timezone, cast(d.metric_date as timestamp) + interval 12 hour)) as date)
        else rd.reporting_date end as reporting_date,
    a.data_as_of_date,
    coalesce(date_diff('day', d.metric_date, a.data_as_of_date) > r.window_days, false) as is_final
from (
    select *, case when platform = 'youtube' then 'America/Los_Angeles' else 'UTC' end as source_timezone from daily
) as d
left join reporting_days as rd on d.source_timezone = rd.source_timezone and d.metric_date = rd.source_date
left join floor.dim_content as c on d.content_key = c.content_key
left join as_of as a on d.platform = a.platform and d.account_id = a.account_id
left join restatement_windows as r on d.platform = r.platform;

-- ------------------------------------------------------------------------------ fct_content_age
create or replace table floor.fct_content_age as
select
    g.content_key, g.content_id, g.platform, c.surface, c.brand, g.account_id, g.published_date,
    cast(g.age_days as integer) as age_days, g.metric_date,
    cast(g.views_cumulative as bigint) as views_cumulative,
    cast(g.engagements_cumulative as bigint) as engagements_cumulative,
    cast(g.watch_seconds_cumulative as decimal(18, 3)) as watch_seconds_cumulative,
    g.is_exact, g.is_final, g.views_basis,
    g.source_timezone,
    case when rd.reporting_date is null
        then cast(timezone('UTC', timezone(g.source_timezone, cast(g.metric_date as timestamp) + interval 12 hour)) as date)
        else rd.reporting_date end as reporting_date
from (
    select *, case when platform = 'youtube' then 'America/Los_Angeles' else 'UTC' end as source_timezone
    from content_ages
) as g
inner join floor.dim_content as c on g.content_key = c.content_key
left join reporting_days as rd on g.source_timezone = rd.source_timezone and g.metric_date = rd.source_date;

-- ------------------------------------------------------------- rpt_platform_comparison_weekly
create or replace table floor.rpt_platform_comparison_weekly as
with
daily as (
    select *, cast(date_trunc('week', reporting_date) as date) as week_start
    from floor.fct_content_daily
),
maturity as (
    select brand, surface, week_start, sum(is_day_final) as days_final
    from (
        select brand, surface, week_start, reporting_date, min(case when is_final then 1 else 0 end) as is_day_final
        from daily
        group by all
    )
    group by all
),
activity as (
    select
        brand, platform, surface, week_start,
        count(distinct case when views is not null then content_key end) as active_contents,
        sum(views) as views, sum(likes) as likes, sum(comments) as comments, sum(shares) as shares,
        sum(saves) as saves, sum(engagements) as engagements, sum(watch_seconds) as watch_seconds,
        count(distinct reporting_date) as days_covered,
        count(distinct case when is_restated_down then reporting_date end) as days_restated_down,
        avg(case when is_complete then 1.0::double else 0.0::double end) as complete_share,
        min(views_basis) as first_views_basis,
        max(views_basis) as views_basis
    from daily
    group by all
),
published as (
    select brand, platform, surface, cast(date_trunc('week', published_date_reporting) as date) as week_start,
        count(*) as posts_published, max(views_basis) as views_basis
    from floor.dim_content
    group by all
),
weeks as (
    select brand, platform, surface, week_start from activity
    union
    select p.brand, p.platform, p.surface, p.week_start
    from published as p
    inner join (select brand, surface, min(week_start) as first_week_start from activity group by all) as f
        on p.brand = f.brand and p.surface = f.surface
    where p.week_start >= f.first_week_start
)
select
    w.brand, w.platform, w.surface,
    strftime(w.week_start, '%G-W%V') as iso_week,
    w.week_start,
    coalesce(p.posts_published, 0) as posts_published,
    coalesce(a.active_contents, 0) as active_contents,
    case when a.first_views_basis = a.views_basis then a.views end as views,
    a.likes, a.comments, a.shares, a.saves, a.engagements, a.watch_seconds,
    case when a.first_views_basis = a.views_basis and a.views > 0
        then cast(a.engagements as double) / cast(a.views as double) end as engagement_rate,
    case when a.first_views_basis = a.views_basis and a.views > 0
        then cast(a.watch_seconds as double) / cast(a.views as double) end as avg_watch_seconds_per_view,
    coalesce(a.days_covered, 0) as days_covered,
    coalesce(m.days_final, 0) as days_final,
    coalesce(a.days_restated_down, 0) as days_restated_down,
    coalesce(a.days_covered, 0) = max(coalesce(a.days_covered, 0)) over (partition by w.brand, w.week_start)
        as coverage_matches_brand,
    a.complete_share,
    case when a.views_basis is null then p.views_basis when a.first_views_basis = a.views_basis then a.views_basis end
        as views_basis
from weeks as w
left join activity as a on w.brand = a.brand and w.surface = a.surface and w.week_start = a.week_start
left join published as p on w.brand = p.brand and w.surface = p.surface and w.week_start = p.week_start
left join maturity as m on w.brand = m.brand and w.surface = m.surface and w.week_start = m.week_start;

-- ================================================================================ paid media
-- every ad once: latest snapshot attributes and the tracked organic content it boosts
create or replace temp table ads_linked as
with
latest as (
    select * from (
    select
        'tiktok_ads' as platform, advertiser_id as account_id, ad_id, snapshot_date,
        j[1] as ad_name, j[2] as campaign_id, j[3] as adset_id, coalesce(j[4], j[5]) as ad_status,
        case when nullif(trim(j[6]), '') is not null then 'tiktok' end as boosted_platform,
        nullif(trim(j[6]), '') as boosted_object_id,
        'tiktok:' || nullif(trim(j[6]), '') as candidate_1,
        cast(null as varchar) as candidate_2, cast(null as varchar) as candidate_3
    from (
        select advertiser_id, ad_id, snapshot_date,
            json_extract_string(payload, ['$.ad_name', '$.campaign_id', '$.adgroup_id', '$.operation_status',
                '$.secondary_status', '$.tiktok_item_id']) as j
        from raw.tiktok_ads
    )
    union all
    select
        'meta_ads', account_id, ad_id, snapshot_date, j[1], j[2], j[3], j[4],
        case
            when ig_media is not null then 'instagram'
            when video is not null or story_post is not null then 'facebook'
        end,
        coalesce(ig_media, video, story_post),
        'instagram:' || ig_media, 'facebook:' || video, 'facebook:' || story_post
    from (
        select
            'act_' || regexp_replace(ad_account_id, '^act_', '') as account_id, ad_id, snapshot_date, j,
            nullif(j[5], '') as ig_media, nullif(j[6], '') as video,
            nullif(regexp_extract(j[7], '^[0-9]+_([0-9]+)$', 1), '') as story_post
        from (
            select ad_account_id, ad_id, snapshot_date,
                json_extract_string(payload, ['$.name', '$.campaign_id', '$.adset_id', '$.effective_status',
                    '$.creative.effective_instagram_media_id', '$.creative.video_id',
                    '$.creative.effective_object_story_id']) as j
            from raw.meta_ads
        )
    )
    )
    qualify row_number() over (partition by platform, ad_id order by snapshot_date desc) = 1
),
in_days as (
    select platform, account_id, ad_id, min(metric_date) as first_metric_date, max(metric_date) as last_metric_date
    from ad_days
    group by all
),
all_ads as (
    select platform, account_id, ad_id from latest
    union
    select platform, account_id, ad_id from in_days
),
organic as (select distinct content_key from snapshots)
select
    x.platform, x.account_id, x.ad_id, x.platform || ':' || x.ad_id as ad_key,
    l.ad_name, l.campaign_id, l.adset_id, l.ad_status, l.snapshot_date as last_snapshot_date,
    d.first_metric_date, d.last_metric_date, l.boosted_platform, l.boosted_object_id,
    coalesce(c1.content_key, c2.content_key, c3.content_key) as boosted_content_key
from all_ads as x
left join latest as l on x.platform = l.platform and x.ad_id = l.ad_id
left join in_days as d on x.platform = d.platform and x.ad_id = d.ad_id
left join organic as c1 on l.candidate_1 = c1.content_key
left join organic as c2 on l.candidate_2 = c2.content_key
left join organic as c3 on l.candidate_3 = c3.content_key;

-- ----------------------------------------------------------------------------------- fct_ad_daily
create or replace table floor.fct_ad_daily as
select
    d.ad_key, d.ad_id, d.platform, d.account_id, d.brand, d.metric_date,
    'account_local' as date_basis,
    d.source_timezone,
    coalesce(
        case when rd.reporting_date is null
            then cast(timezone('UTC', timezone(d.source_timezone, cast(d.metric_date as timestamp) + interval 12 hour)) as date)
            else rd.reporting_date end,
        d.metric_date) as reporting_date,
    d.data_as_of_date,
    coalesce(date_diff('day', d.metric_date, d.data_as_of_date) > r.window_days, false) as is_final,
    d.placement, d.publisher_platform, d.platform_position, d.surface,
    d.surface in ('instagram_reels', 'facebook_reels') as is_reels_placement,
    d.currency, d.spend_local,
    'USD' as reporting_currency,
    cast(round(d.spend_local * fx.fx_rate, 2) as decimal(18, 2)) as spend_reporting,
    fx.fx_rate, fx.rate_date as fx_rate_date, fx.published_date as fx_published_date,
    d.impressions, d.reach, d.clicks, d.video_plays, d.video_2s_views, d.video_3s_views, d.video_6s_views,
    d.thruplays, d.video_p25_views, d.video_p50_views, d.video_p75_views, d.video_p95_views, d.video_p100_views,
    d.video_30s_views,
    case when d.platform = 'tiktok_ads' then d.video_6s_views else d.thruplays end as quality_views,
    case when d.platform = 'tiktok_ads' then 'tiktok.video_watched_6s' else 'meta.video_thruplay_watched_actions' end
        as quality_view_definition,
    d.video_2s_views as short_views,
    case when d.platform = 'tiktok_ads' then 'tiktok.video_watched_2s' else 'meta.video_continuous_2_sec_watched_actions' end
        as short_view_definition,
    d.likes, d.comments, d.shares, d.saves,
    d.likes + d.comments + d.shares + coalesce(d.saves, 0) as engagements,
    d.post_engagements, d.follows, d.profile_visits,
    l.boosted_content_key,
    d.pulled_at
from ad_days as d
left join reporting_days as rd on d.source_timezone = rd.source_timezone and d.metric_date = rd.source_date
left join fx on d.metric_date = fx.rate_date and d.currency = fx.currency
left join ads_linked as l on d.ad_key = l.ad_key
left join restatement_windows as r on d.platform = r.platform;

-- ---------------------------------------------------------------------------------------- dim_ad
create or replace table floor.dim_ad as
select
    l.ad_key, l.ad_id, l.platform, l.account_id, l.platform || ':' || l.account_id as account_key,
    coalesce(a.brand, c.brand) as brand,
    l.ad_name, l.campaign_id, l.adset_id, l.ad_status, a.currency, a.source_timezone,
    l.boosted_platform, l.boosted_object_id, l.boosted_content_key,
    l.boosted_content_key is not null as is_boosting_tracked_content,
    l.first_metric_date, l.last_metric_date, l.last_snapshot_date
from ads_linked as l
left join ad_accounts as a on l.platform = a.platform and l.account_id = a.account_id
left join raw.accounts as c on l.platform = c.platform and l.account_id = c.account_id;

-- ----------------------------------------------------------------------- rpt_cost_efficiency_weekly
create or replace table floor.rpt_cost_efficiency_weekly as
with
daily as (
    select *, cast(date_trunc('week', reporting_date) as date) as week_start
    from floor.fct_ad_daily
),
maturity as (
    select brand, surface, week_start, sum(is_day_final) as days_final
    from (
        select brand, surface, week_start, reporting_date, min(case when is_final then 1 else 0 end) as is_day_final
        from daily
        group by all
    )
    group by all
),
weekly as (
    select
        brand, platform, surface, week_start,
        max(reporting_currency) as reporting_currency,
        count(distinct currency) as currencies,
        max(currency) as currency,
        sum(spend_local) as spend_local, sum(spend_reporting) as spend_reporting,
        sum(impressions) as impressions, sum(clicks) as clicks, sum(engagements) as engagements,
        sum(follows) as follows, sum(quality_views) as quality_views,
        max(quality_view_definition) as quality_view_definition,
        sum(short_views) as short_views, max(short_view_definition) as short_view_definition,
        count(distinct ad_key) as active_ads, count(distinct reporting_date) as days_covered
    from daily
    group by all
)
select
    w.brand, w.platform, w.surface, strftime(w.week_start, '%G-W%V') as iso_week, w.week_start,
    'account_local' as date_basis, w.reporting_currency,
    case when w.currencies = 1 then w.currency end as currency,
    case when w.currencies = 1 then w.spend_local end as spend_local,
    w.spend_reporting, w.impressions, w.clicks, w.engagements, w.follows, w.quality_views,
    w.quality_view_definition, w.short_views, w.short_view_definition,
    1000 * (cast(w.spend_reporting as double) / cast(nullif(w.impressions, 0) as double)) as cpm_reporting,
    cast(w.spend_reporting as double) / cast(nullif(w.quality_views, 0) as double) as cost_per_quality_view_reporting,
    cast(w.spend_reporting as double) / cast(nullif(w.short_views, 0) as double) as cost_per_short_view_reporting,
    cast(w.spend_reporting as double) / cast(nullif(w.engagements, 0) as double) as cost_per_engagement_reporting,
    cast(w.spend_reporting as double) / cast(nullif(w.follows, 0) as double) as cost_per_follow_reporting,
    cast(w.spend_reporting as double) / cast(nullif(w.clicks, 0) as double) as cost_per_click_reporting,
    w.active_ads, w.days_covered, coalesce(m.days_final, 0) as days_final
from weekly as w
left join maturity as m on w.brand = m.brand and w.surface = m.surface and w.week_start = m.week_start;

-- ----------------------------------------------------------------------- rpt_boosted_content_weekly
create or replace table floor.rpt_boosted_content_weekly as
with
contents as (
    select c.*, b.boosting_ads
    from floor.dim_content as c
    inner join (
        select boosted_content_key as content_key, count(*) as boosting_ads
        from floor.dim_ad
        where boosted_content_key is not null
        group by all
    ) as b on c.content_key = b.content_key
),
organic as (
    select content_key, cast(date_trunc('week', metric_date) as date) as week_start,
        sum(views) as organic_views
    from floor.fct_content_daily
    where content_key in (select content_key from contents)
    group by all
),
paid as (
    select
        boosted_content_key as content_key, cast(date_trunc('week', metric_date) as date) as week_start,
        sum(video_plays) as paid_views, sum(quality_views) as paid_quality_views,
        sum(impressions) as paid_impressions, sum(spend_reporting) as paid_spend_reporting,
        count(distinct currency) as currencies, max(currency) as currency, sum(spend_local) as paid_spend_local,
        count(distinct ad_key) as active_ads
    from floor.fct_ad_daily
    where boosted_content_key is not null
    group by all
),
weeks as (
    select content_key, week_start from organic
    union
    select content_key, week_start from paid
)
select
    c.brand, w.content_key, c.platform, c.surface, strftime(w.week_start, '%G-W%V') as iso_week, w.week_start,
    c.boosting_ads,
    coalesce(p.active_ads, 0) as active_ads,
    o.organic_views,
    c.views_basis as organic_views_basis,
    case when c.platform = 'youtube' then 'pacific' else 'utc' end as organic_date_basis,
    coalesce(p.paid_views, 0) as paid_views,
    'ads.video_play_actions' as paid_views_basis,
    coalesce(p.paid_quality_views, 0) as paid_quality_views,
    case when c.platform = 'tiktok' then 'tiktok.video_watched_6s' else 'meta.video_thruplay_watched_actions' end
        as paid_quality_view_definition,
    coalesce(p.paid_impressions, 0) as paid_impressions,
    'account_local' as paid_date_basis,
    'USD' as reporting_currency,
    coalesce(p.paid_spend_reporting, 0) as paid_spend_reporting,
    case when p.currencies = 1 then p.currency end as currency,
    case when p.currencies = 1 then p.paid_spend_local end as paid_spend_local,
    c.platform = 'tiktok' as organic_includes_paid_views,
    case
        when c.platform = 'tiktok'
            then 'TikTok organic video_views include the paid (Spark Ads) views: organic_views is the total, do not add paid_views'
        else 'Organic insights exclude paid delivery: organic_views and paid_views are separate'
    end as organic_paid_note
from weeks as w
inner join contents as c on w.content_key = c.content_key
left join organic as o on w.content_key = o.content_key and w.week_start = o.week_start
left join paid as p on w.content_key = p.content_key and w.week_start = p.week_start;

-- -------------------------------------------------------------------------- rpt_budget_reallocation
create or replace table floor.rpt_budget_reallocation as
with
windows as (
    select brand, max(reporting_currency) as reporting_currency, max(metric_date) as window_end,
        cast(max(metric_date) - 27 as date) as window_start
    from floor.fct_ad_daily
    group by brand
),
surface_window as (
    select
        d.brand, d.surface,
        sum(d.spend_reporting) as spend_reporting, count(distinct d.currency) as currencies,
        max(d.currency) as currency, sum(d.spend_local) as spend_local, sum(d.impressions) as impressions,
        sum(d.quality_views) as views, max(d.quality_view_definition) as view_definition,
        sum(d.engagements) as engagements
    from floor.fct_ad_daily as d
    inner join windows as w on d.brand = w.brand and d.metric_date between w.window_start and w.window_end
    group by all
),
scenarios as (
    select target_surface, cast(shift_share as decimal(5, 4)) as shift_share
    from (values ('instagram_reels', 0.25), ('instagram_reels', 0.5), ('instagram_reels', 1.0),
                 ('facebook_reels', 0.25), ('facebook_reels', 0.5), ('facebook_reels', 1.0)) as t(target_surface, shift_share)
),
rates as (
    select
        *,
        cast(round(source_spend * shift_share, 2) as decimal(18, 2)) as shifted_spend,
        cast(round(source_spend_local * shift_share, 2) as decimal(18, 2)) as shifted_spend_local,
        cast(source_impressions as double) / cast(nullif(source_spend, 0) as double) as source_impressions_per_unit,
        cast(source_views as double) / cast(nullif(source_spend, 0) as double) as source_views_per_unit,
        cast(source_engagements as double) / cast(nullif(source_spend, 0) as double) as source_engagements_per_unit,
        cast(target_impressions as double) / cast(nullif(target_spend, 0) as double) as target_impressions_per_unit,
        cast(target_views as double) / cast(nullif(target_spend, 0) as double) as target_views_per_unit,
        cast(target_engagements as double) / cast(nullif(target_spend, 0) as double) as target_engagements_per_unit,
        target_spend > 0 as is_projectable
    from (
        select
            w.brand, w.reporting_currency, w.window_start, w.window_end, sc.target_surface, sc.shift_share,
            coalesce(s.spend_reporting, 0) as source_spend,
            case when s.currencies = 1 then s.currency end as source_currency,
            case when s.currencies = 1 then s.spend_local end as source_spend_local,
            case when t.currencies = 1 then t.currency end as target_currency,
            case when t.currencies = 1 then t.spend_local end as target_spend_local,
            coalesce(s.impressions, 0) as source_impressions, coalesce(s.views, 0) as source_views,
            coalesce(s.engagements, 0) as source_engagements,
            coalesce(s.view_definition, 'tiktok.video_watched_6s') as source_view_definition,
            coalesce(t.spend_reporting, 0) as target_spend, coalesce(t.impressions, 0) as target_impressions,
            coalesce(t.views, 0) as target_views, coalesce(t.engagements, 0) as target_engagements,
            coalesce(t.view_definition, 'meta.video_thruplay_watched_actions') as target_view_definition
        from windows as w
        cross join scenarios as sc
        left join surface_window as s on w.brand = s.brand and s.surface = 'tiktok'
        left join surface_window as t on w.brand = t.brand and sc.target_surface = t.surface
    )
)
select
    brand,
    'tiktok_to_' || target_surface || '_' || cast(cast(shift_share * 100 as integer) as varchar) || 'pct' as scenario,
    'tiktok' as source_surface, target_surface, shift_share, 'linear' as method, window_start, window_end,
    cast(date_diff('day', window_start, window_end) + 1 as integer) as window_days,
    'account_local' as date_basis, reporting_currency, source_view_definition, target_view_definition, is_projectable,
    source_spend as source_spend_reporting, target_spend as target_spend_reporting,
    shifted_spend as shifted_spend_reporting, source_currency, source_spend_local, shifted_spend_local,
    target_currency, target_spend_local, source_impressions, source_views, source_engagements,
    target_impressions, target_views, target_engagements,
    source_impressions_per_unit, source_views_per_unit, source_engagements_per_unit,
    target_impressions_per_unit, target_views_per_unit, target_engagements_per_unit,
    case when is_projectable then source_impressions - coalesce(shifted_spend * source_impressions_per_unit, 0) end
        as projected_source_impressions,
    case when is_projectable then target_impressions + shifted_spend * target_impressions_per_unit end
        as projected_target_impressions,
    case when is_projectable then shifted_spend * target_impressions_per_unit
        - coalesce(shifted_spend * source_impressions_per_unit, 0) end as projected_impressions_change,
    case when is_projectable then source_views - coalesce(shifted_spend * source_views_per_unit, 0) end
        as projected_source_views,
    case when is_projectable then target_views + shifted_spend * target_views_per_unit end as projected_target_views,
    case when is_projectable then shifted_spend * target_views_per_unit
        - coalesce(shifted_spend * source_views_per_unit, 0) end as projected_views_change,
    case when is_projectable then source_engagements - coalesce(shifted_spend * source_engagements_per_unit, 0) end
        as projected_source_engagements,
    case when is_projectable then target_engagements + shifted_spend * target_engagements_per_unit end
        as projected_target_engagements,
    case when is_projectable then shifted_spend * target_engagements_per_unit
        - coalesce(shifted_spend * source_engagements_per_unit, 0) end as projected_engagements_change
from rates;

-- --------------------------------------------------------------------------- rpt_content_benchmarks
create or replace temp table view_events as
select definition_key, view_event from metric_definitions where view_event is not null and view_event <> '';

create or replace table floor.rpt_content_benchmarks as
with
age_basis as (
    select
        content_key,
        max(views_basis) filter (age_days = 7) as views_basis_d7,
        max(views_basis) filter (age_days = 28) as views_basis_d28
    from content_ages
    where age_days in (7, 28)
    group by content_key
),
posts as (
    select
        c.content_key, c.content_id, c.brand, c.platform, c.surface, c.account_id, c.published_date,
        c.published_date_reporting,
        b.views_basis_d7 as views_basis,
        case when c.is_d28_complete then b.views_basis_d28 end as views_basis_d28,
        c.views_d7, c.engagements_d7, cast(c.watch_seconds_d7 as double) as watch_seconds_d7,
        cast(c.engagements_d7 as double) / cast(nullif(c.views_d7, 0) as double) as engagement_rate_d7,
        cast(c.watch_seconds_d7 as double) / cast(nullif(c.views_d7, 0) as double) as watch_seconds_per_view_d7,
        c.is_d28_complete,
        case when c.is_d28_complete then c.views_d28 end as views_d28,
        case when c.is_d28_complete then c.engagements_d28 end as engagements_d28,
        case when c.is_d28_complete then cast(c.watch_seconds_d28 as double) end as watch_seconds_d28,
        case when c.is_d28_complete
            then cast(c.engagements_d28 as double) / cast(nullif(c.views_d28, 0) as double) end as engagement_rate_d28,
        case when c.is_d28_complete
            then cast(c.watch_seconds_d28 as double) / cast(nullif(c.views_d28, 0) as double) end
            as watch_seconds_per_view_d28
    from floor.dim_content as c
    -- the rows of floor.fct_content_age at ages 7 and 28 are content_ages rows of contents in dim_content
    left join age_basis as b on c.content_key = b.content_key
    where c.is_d7_complete
)
select
    p.content_key, p.content_id, p.brand, p.platform, p.surface, p.account_id, p.published_date,
    p.published_date_reporting, p.views_basis, v.view_event,
    count(*) over (partition by p.brand, p.surface, p.views_basis) as posts_in_brand_group,
    count(*) over (partition by p.surface, p.views_basis) as posts_in_portfolio_group,
    p.views_d7, p.engagements_d7, p.watch_seconds_d7, p.engagement_rate_d7, p.watch_seconds_per_view_d7,
    p.is_d28_complete, p.views_basis_d28, p.views_d28, p.engagements_d28, p.watch_seconds_d28,
    p.engagement_rate_d28, p.watch_seconds_per_view_d28,
    case when views_d7 is not null then percent_rank() over (
        partition by brand, surface, views_basis, views_d7 is null order by views_d7) end as views_d7_pct_rank_brand,
    case when views_d7 is not null then percent_rank() over (
        partition by surface, views_basis, views_d7 is null order by views_d7) end as views_d7_pct_rank_portfolio,
    case when engagement_rate_d7 is not null then percent_rank() over (
        partition by brand, surface, views_basis, engagement_rate_d7 is null order by engagement_rate_d7) end as engagement_rate_d7_pct_rank_brand,
    case when engagement_rate_d7 is not null then percent_rank() over (
        partition by surface, views_basis, engagement_rate_d7 is null order by engagement_rate_d7) end as engagement_rate_d7_pct_rank_portfolio,
    case when watch_seconds_per_view_d7 is not null then percent_rank() over (
        partition by brand, surface, views_basis, watch_seconds_per_view_d7 is null order by watch_seconds_per_view_d7) end as watch_seconds_per_view_d7_pct_rank_brand,
    case when watch_seconds_per_view_d7 is not null then percent_rank() over (
        partition by surface, views_basis, watch_seconds_per_view_d7 is null order by watch_seconds_per_view_d7) end as watch_seconds_per_view_d7_pct_rank_portfolio,
    case when views_d28 is not null then percent_rank() over (
        partition by brand, surface, views_basis_d28, views_d28 is null order by views_d28) end as views_d28_pct_rank_brand,
    case when views_d28 is not null then percent_rank() over (
        partition by surface, views_basis_d28, views_d28 is null order by views_d28) end as views_d28_pct_rank_portfolio,
    case when engagement_rate_d28 is not null then percent_rank() over (
        partition by brand, surface, views_basis_d28, engagement_rate_d28 is null order by engagement_rate_d28) end as engagement_rate_d28_pct_rank_brand,
    case when engagement_rate_d28 is not null then percent_rank() over (
        partition by surface, views_basis_d28, engagement_rate_d28 is null order by engagement_rate_d28) end as engagement_rate_d28_pct_rank_portfolio,
    case when watch_seconds_per_view_d28 is not null then percent_rank() over (
        partition by brand, surface, views_basis_d28, watch_seconds_per_view_d28 is null order by watch_seconds_per_view_d28) end as watch_seconds_per_view_d28_pct_rank_brand,
    case when watch_seconds_per_view_d28 is not null then percent_rank() over (
        partition by surface, views_basis_d28, watch_seconds_per_view_d28 is null order by watch_seconds_per_view_d28) end as watch_seconds_per_view_d28_pct_rank_portfolio
from posts as p
left join view_events as v on p.views_basis = v.definition_key;

-- --------------------------------------------------------------------------- rpt_surface_benchmarks
create or replace table floor.rpt_surface_benchmarks as
with
long_form as (
    select brand, surface, published_date_reporting, u.*
    from floor.rpt_content_benchmarks
    cross join lateral (
        select * from (values
            (views_basis, 'views_d7', 7, cast(views_d7 as double)),
            (views_basis, 'engagement_rate_d7', 7, engagement_rate_d7),
            (views_basis, 'watch_seconds_per_view_d7', 7, watch_seconds_per_view_d7),
            (views_basis_d28, 'views_d28', 28, cast(views_d28 as double)),
            (views_basis_d28, 'engagement_rate_d28', 28, engagement_rate_d28),
            (views_basis_d28, 'watch_seconds_per_view_d28', 28, watch_seconds_per_view_d28)
        ) as t(views_basis, metric, age_days, metric_value)
        where metric_value is not null
    ) as u
),
aggregated as (
    select
        benchmark_scope, brand, surface, views_basis, metric, age_days,
        count(*) as n_posts,
        percentile_cont(0.25) within group (order by metric_value) as p25,
        percentile_cont(0.5) within group (order by metric_value) as median,
        percentile_cont(0.75) within group (order by metric_value) as p75,
        min(published_date_reporting) as first_published_date,
        max(published_date_reporting) as last_published_date
    from (
        select 'brand' as benchmark_scope, brand, surface, views_basis, metric, age_days, published_date_reporting,
            metric_value
        from long_form
        union all
        select 'portfolio', cast(null as varchar), surface, views_basis, metric, age_days, published_date_reporting,
            metric_value
        from long_form
    )
    group by all
)
select
    a.benchmark_scope || ':' || coalesce(a.brand, '*') || ':' || a.surface || ':' || coalesce(a.views_basis, '?')
        || ':' || a.metric as benchmark_key,
    a.benchmark_scope, a.brand, a.surface, a.views_basis, v.view_event, a.metric,
    cast(a.age_days as integer) as age_days, a.n_posts, a.p25, a.median, a.p75, a.p75 - a.p25 as iqr,
    a.first_published_date, a.last_published_date
from aggregated as a
left join view_events as v on a.views_basis = v.definition_key;

-- ============================================================================ cross-posted creatives
-- int_crosspost_groups as the dbt model does it (docs/crosspost.md), with caption word sets as
-- lists (list_intersect) instead of a word table and a three-way join
create or replace temp table xp_content as
select
    content_key, brand, platform, published_at, duration_seconds,
    trim(regexp_replace(regexp_replace(lower(caption), '#[\p{L}\p{N}_]+', ' ', 'g'), '[^\p{L}\p{N}]+', ' ', 'g'))
        as caption_normalized,
    row_number() over (order by published_at nulls last, content_key) as post_order
from floor.dim_content;

create or replace temp table xp_overrides as
select content_key, lower(trim(action)) as override_action, group_label
from read_csv('{seeds}/crosspost_overrides.csv', header = true, auto_detect = false, columns = {
    'content_key': 'VARCHAR', 'action': 'VARCHAR', 'group_label': 'VARCHAR', 'note': 'VARCHAR'})
where content_key is not null;

-- words: the caption's distinct words; time_bucket: 72-hour buckets, so that close pairs are found
-- by an equality join on (brand, neighbouring bucket) instead of comparing every two posts of a brand
create or replace temp table xp_matchable as
select
    *, len(words) as n_words,
    cast(floor(epoch(published_at) / (72 * 3600)) as bigint) as time_bucket
from (
    select c.*, list_distinct([w for w in string_split(c.caption_normalized, ' ') if w <> '']) as words
    from xp_content as c
    where c.brand is not null and c.content_key not in (select content_key from xp_overrides)
);

create or replace temp table xp_edges as
with candidate_pairs as (
    select left_key, right_key, left_platform, right_platform, seconds_apart,
        cast(n_shared as double) / cast(n_left + n_right - n_shared as double) as similarity
    from (
        select
            l.content_key as left_key, r.content_key as right_key, l.platform as left_platform,
            r.platform as right_platform,
            abs(date_diff('second', l.published_at, r.published_at)) as seconds_apart,
            len(list_intersect(l.words, r.words)) as n_shared, l.n_words as n_left, r.n_words as n_right
        from (select *, unnest([time_bucket - 1, time_bucket, time_bucket + 1]) as near_bucket from xp_matchable) as l
        inner join xp_matchable as r
            on l.brand = r.brand and l.near_bucket = r.time_bucket
            and l.platform <> r.platform and l.content_key < r.content_key
        where abs(date_diff('second', l.published_at, r.published_at)) <= 72 * 3600
            and (l.duration_seconds is null or r.duration_seconds is null
                 or abs(l.duration_seconds - r.duration_seconds) <= 1.5)
            and l.n_words > 0 and r.n_words > 0
            -- Jaccard <= shorter / longer: pairs whose word counts differ by more cannot reach 0.8
            and 5 * least(l.n_words, r.n_words) >= 4 * greatest(l.n_words, r.n_words)
    )
    where n_shared > 0 and cast(n_shared as double) / cast(n_left + n_right - n_shared as double) >= 0.8
)
select
    *,
    row_number() over (partition by content_key, partner_platform order by similarity desc, seconds_apart, partner_key)
        as partner_rank
from (
    select left_key as content_key, right_key as partner_key, right_platform as partner_platform, similarity, seconds_apart
    from candidate_pairs
    union all
    select right_key, left_key, left_platform, similarity, seconds_apart
    from candidate_pairs
);

create or replace temp table xp_accepted as
select f.content_key, f.partner_key
from xp_edges as f
inner join xp_edges as b on f.content_key = b.partner_key and f.partner_key = b.content_key
where f.partner_rank = 1 and b.partner_rank = 1;

create or replace temp table xp_labels as select content_key, post_order as group_label from xp_matchable;
create or replace temp table xp_labels as
select content_key, min(group_label) as group_label
from (
    select content_key, group_label from xp_labels
    union all
    select a.content_key, p.group_label from xp_accepted as a inner join xp_labels as p on a.partner_key = p.content_key
)
group by content_key;
create or replace temp table xp_labels as
select content_key, min(group_label) as group_label
from (
    select content_key, group_label from xp_labels
    union all
    select a.content_key, p.group_label from xp_accepted as a inner join xp_labels as p on a.partner_key = p.content_key
)
group by content_key;
create or replace temp table xp_labels as
select content_key, min(group_label) as group_label
from (
    select content_key, group_label from xp_labels
    union all
    select a.content_key, p.group_label from xp_accepted as a inner join xp_labels as p on a.partner_key = p.content_key
)
group by content_key;
create or replace temp table xp_labels as
select content_key, min(group_label) as group_label
from (
    select content_key, group_label from xp_labels
    union all
    select a.content_key, p.group_label from xp_accepted as a inner join xp_labels as p on a.partner_key = p.content_key
)
group by content_key;

create or replace temp table xp_grouped as
with
labelled as (
    select m.content_key, m.platform, m.post_order, l.group_label
    from xp_matchable as m inner join xp_labels as l on m.content_key = l.content_key
),
links as (
    select l.content_key, count(p.content_key) as n_links
    from labelled as l
    left join xp_edges as e on l.content_key = e.content_key
    left join labelled as p on e.partner_key = p.content_key and p.group_label = l.group_label
    group by l.content_key
)
select
    l.content_key, l.post_order,
    case
        when row_number() over (partition by l.group_label, l.platform order by k.n_links desc, l.post_order) = 1
            then l.group_label
        else -l.post_order
    end as group_label
from labelled as l
inner join links as k on l.content_key = k.content_key;
create or replace temp table xp_grouped as
select
    content_key, post_order,
    case
        when n_misfits > 0 and row_number() over (partition by group_label order by n_misfits desc, post_order desc) = 1
            then -post_order
        else group_label
    end as group_label
from (
    select m.content_key, m.post_order, m.group_label, count(f.content_key) - count(e.partner_key) as n_misfits
    from xp_grouped as m
    left join xp_grouped as f on m.group_label = f.group_label and m.content_key <> f.content_key
    left join xp_edges as e on m.content_key = e.content_key and f.content_key = e.partner_key
    group by all
);
create or replace temp table xp_grouped as
select
    content_key, post_order,
    case
        when n_misfits > 0 and row_number() over (partition by group_label order by n_misfits desc, post_order desc) = 1
            then -post_order
        else group_label
    end as group_label
from (
    select m.content_key, m.post_order, m.group_label, count(f.content_key) - count(e.partner_key) as n_misfits
    from xp_grouped as m
    left join xp_grouped as f on m.group_label = f.group_label and m.content_key <> f.content_key
    left join xp_edges as e on m.content_key = e.content_key and f.content_key = e.partner_key
    group by all
);
create or replace temp table xp_grouped as
select
    content_key, post_order,
    case
        when n_misfits > 0 and row_number() over (partition by group_label order by n_misfits desc, post_order desc) = 1
            then -post_order
        else group_label
    end as group_label
from (
    select m.content_key, m.post_order, m.group_label, count(f.content_key) - count(e.partner_key) as n_misfits
    from xp_grouped as m
    left join xp_grouped as f on m.group_label = f.group_label and m.content_key <> f.content_key
    left join xp_edges as e on m.content_key = e.content_key and f.content_key = e.partner_key
    group by all
);

create or replace temp table crosspost_groups as
with
auto_groups as (
    select
        content_key, group_label,
        count(*) over (partition by group_label) as n_members,
        min(post_order) over (partition by group_label) as first_post_order
    from xp_grouped
),
auto_scores as (
    select g.content_key, min(e.similarity) as match_score
    from auto_groups as g
    inner join auto_groups as f on g.group_label = f.group_label and g.content_key <> f.content_key
    inner join xp_edges as e on g.content_key = e.content_key and f.content_key = e.partner_key
    group by g.content_key
),
overridden as (
    select
        c.content_key,
        min(c.post_order) over (partition by
            case when o.override_action = 'pin' and o.group_label is not null then 'pin:' || o.group_label
                 else 'split:' || c.content_key end) as first_post_order
    from xp_content as c
    inner join xp_overrides as o on c.content_key = o.content_key
),
all_groups as (
    select g.content_key, fp.content_key as crosspost_group_id,
        case when g.n_members > 1 then 'auto' else 'single' end as match_method,
        case when g.n_members > 1 then s.match_score end as match_score
    from auto_groups as g
    inner join xp_content as fp on g.first_post_order = fp.post_order
    left join auto_scores as s on g.content_key = s.content_key
    union all
    select o.content_key, fp.content_key, 'override', cast(null as double)
    from overridden as o
    inner join xp_content as fp on o.first_post_order = fp.post_order
    union all
    select content_key, content_key, 'single', cast(null as double)
    from xp_content
    where brand is null and content_key not in (select content_key from xp_overrides)
)
select g.content_key, c.brand, g.crosspost_group_id, g.match_method, g.match_score
from all_groups as g
inner join xp_content as c on g.content_key = c.content_key;

-- ------------------------------------------------------------------------- rpt_crosspost_comparison
create or replace table floor.rpt_crosspost_comparison as
with
tiktok_completion as (
    select s.content_key, s.full_video_watched_rate as completion_rate
    from snapshots as s
    inner join floor.dim_content as c on c.content_key = s.content_key
    where s.platform = 'tiktok' and s.snapshot_date >= c.published_date + interval 7 day
    qualify row_number() over (partition by s.content_id order by s.snapshot_date) = 1
),
members as (
    select
        c.brand, g.crosspost_group_id, c.platform, c.surface, c.content_key, c.views_d7, c.engagements_d7,
        c.watch_seconds_d7, c.is_d7_complete,
        coalesce(a.views_basis, c.views_basis) as views_basis,
        t.completion_rate
    from crosspost_groups as g
    inner join floor.dim_content as c on g.content_key = c.content_key
    left join (select content_key, views_basis from content_ages where age_days = 7) as a
        on c.content_key = a.content_key
    left join tiktok_completion as t on c.content_key = t.content_key
),
judged as (
    select
        *,
        is_d7_complete and views_d7 is not null as is_views_judged,
        is_d7_complete and views_d7 is not null and engagement_rate_d7 is not null as is_engagement_judged
    from (
        select
            m.*,
            count(distinct m.platform) over (partition by m.crosspost_group_id) as n_platforms,
            cast(m.engagements_d7 as double) / cast(nullif(m.views_d7, 0) as double) as engagement_rate_d7,
            cast(m.watch_seconds_d7 as double) / cast(nullif(m.views_d7, 0) as double) as watch_seconds_per_view_d7,
            v.view_event
        from members as m
        left join view_events as v on m.views_basis = v.definition_key
    )
    where n_platforms >= 2
),
group_stats as (
    select
        crosspost_group_id,
        count(*) as n_rows, count(view_event) as n_with_view_event, count(distinct view_event) as n_view_events,
        count(*) filter (is_views_judged) as n_views_judged,
        max(views_d7) filter (is_views_judged) as best_views_d7,
        count(*) filter (is_engagement_judged) as n_engagement_judged,
        max(engagement_rate_d7) filter (is_engagement_judged) as best_engagement_rate_d7
    from judged
    group by crosspost_group_id
)
select
    j.brand, j.crosspost_group_id, j.platform, j.surface, j.content_key, j.views_d7, j.engagement_rate_d7,
    j.watch_seconds_per_view_d7, j.completion_rate, j.is_d7_complete, j.views_basis,
    case when s.n_with_view_event < s.n_rows then null else s.n_view_events > 1 end as views_bases_differ,
    case when s.n_views_judged < 2 or not j.is_views_judged then null else j.views_d7 = s.best_views_d7 end
        as is_views_winner,
    case when s.n_engagement_judged < 2 or not j.is_engagement_judged then null
        else j.engagement_rate_d7 = s.best_engagement_rate_d7 end as is_engagement_winner,
    cast(j.n_platforms as integer) as n_platforms
from judged as j
inner join group_stats as s on j.crosspost_group_id = s.crosspost_group_id;
