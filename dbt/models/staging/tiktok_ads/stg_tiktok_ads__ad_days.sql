{#
  TikTok Marketing API daily report rows (report/integrated/get, BASIC, AUCTION_AD, dimensions
  ad_id + stat_time_day), one row per ad per advertiser-local day. Rename, cast only.
  Metrics arrive mostly as numeric strings, some as JSON numbers: both are cast strictly.
  stat_time_day ("YYYY-MM-DD 00:00:00") -> metric_date (the advertiser's local day).
  spend is in the advertiser currency (stg_tiktok_ads__advertisers.currency); `currency` is the
  row's own `currency` metric when it was requested, else null (the advertiser's applies).
  Mapping (TikTok metric -> column):
    spend -> spend_local; impressions, clicks, reach (unique, not additive);
    video_play_actions -> video_plays (plays, each start counted);
    video_watched_2s -> video_2s_views; video_watched_6s -> video_6s_views;
    video_views_p25/p50/p75/p100 -> video_p25_views ... video_p100_views;
    likes, comments, shares; follows; profile_visits.
  TikTok has no placement breakdown here: publisher_platform 'tiktok', platform_position 'all'.
#}
{{ config(**shortform.incremental_config(['account_id', 'ad_id', 'metric_date'], 'metric_date')) }}
{%- set ctx = "'advertiser_id=' || advertiser_id || ', ad_id=' || ad_id || ', metric_date=' || cast(metric_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.dimensions.stat_time_day', '$.metrics.currency', '$.metrics.spend', '$.metrics.impressions', '$.metrics.clicks', '$.metrics.reach', '$.metrics.video_play_actions', '$.metrics.video_watched_2s', '$.metrics.video_watched_6s', '$.metrics.video_views_p25', '$.metrics.video_views_p50', '$.metrics.video_views_p75', '$.metrics.video_views_p100', '$.metrics.likes', '$.metrics.comments', '$.metrics.shares', '$.metrics.follows', '$.metrics.profile_visits']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('tiktok_ads', 'ad_days') }}
    {{ shortform.incremental_raw_dates(source('tiktok_ads', 'ad_days'), 'metric_date') }}

),

renamed as (

    select
        'tiktok_ads' as platform,
        cast(advertiser_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        case
            when {{ shortform.json_at(f, '$.dimensions.stat_time_day') }} is null then cast(metric_date as date)
            when {{ shortform.matches_pattern(shortform.json_at(f, '$.dimensions.stat_time_day'), '[0-9]{4}-[0-9]{2}-[0-9]{2}( 00:00:00)?') }}
                then cast(substring({{ shortform.json_at(f, '$.dimensions.stat_time_day') }}, 1, 10) as date)
            else cast({{ shortform.raise_error(shortform._cast_error_message(shortform.json_at(f, '$.dimensions.stat_time_day'), 'tiktok_ads.stat_time_day', ctx)) }} as date)
        end as metric_date,
        'tiktok' as publisher_platform,
        'all' as platform_position,
        upper({{ shortform.json_at(f, '$.metrics.currency') }}) as currency,

        {{ shortform.to_decimal(shortform.json_at(f, '$.metrics.spend'), 'tiktok_ads.spend', ctx, 'decimal(18, 2)') }} as spend_local,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.impressions'), 'tiktok_ads.impressions', ctx) }} as impressions,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.clicks'), 'tiktok_ads.clicks', ctx) }} as clicks,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.reach'), 'tiktok_ads.reach', ctx) }} as reach,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_play_actions'), 'tiktok_ads.video_play_actions', ctx) }} as video_plays,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_watched_2s'), 'tiktok_ads.video_watched_2s', ctx) }} as video_2s_views,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_watched_6s'), 'tiktok_ads.video_watched_6s', ctx) }} as video_6s_views,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_views_p25'), 'tiktok_ads.video_views_p25', ctx) }} as video_p25_views,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_views_p50'), 'tiktok_ads.video_views_p50', ctx) }} as video_p50_views,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_views_p75'), 'tiktok_ads.video_views_p75', ctx) }} as video_p75_views,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.video_views_p100'), 'tiktok_ads.video_views_p100', ctx) }} as video_p100_views,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.likes'), 'tiktok_ads.likes', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.comments'), 'tiktok_ads.comments', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.shares'), 'tiktok_ads.shares', ctx) }} as shares,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.follows'), 'tiktok_ads.follows', ctx) }} as follows,
        {{ shortform.to_count(shortform.json_at(f, '$.metrics.profile_visits'), 'tiktok_ads.profile_visits', ctx) }} as profile_visits,

        cast(pulled_at as timestamp) as pulled_at
    from source

)

select * from renamed
