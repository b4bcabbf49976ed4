{#
  TikTok business/video/list: one row per video per snapshot date, LIFETIME totals through the
  end of snapshot_date (UTC). Rename, cast, unit-fix only.
  Units: total_time_watched / average_time_watched / video_duration are seconds already;
  create_time is epoch seconds (UTC).
#}
{{ config(**shortform.incremental_config(['account_id', 'content_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set ctx = "'business_id=' || business_id || ', item_id=' || item_id || ', snapshot_date=' || cast(snapshot_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.create_time', '$.caption', '$.share_url', '$.media_type', '$.is_ad', '$.video_duration', '$.video_views', '$.reach', '$.likes', '$.comments', '$.shares', '$.favorites', '$.total_time_watched', '$.average_time_watched', '$.full_video_watched_rate', '$.new_followers', '$.profile_views']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('tiktok', 'videos') }}
    {{ shortform.incremental_raw_dates(source('tiktok', 'videos'), 'snapshot_date') }}

),

renamed as (

    select
        'tiktok' as platform,
        'tiktok' as surface,
        cast(business_id as {{ dbt.type_string() }}) as account_id,
        cast(item_id as {{ dbt.type_string() }}) as content_id,
        cast(snapshot_date as date) as snapshot_date,

        {{ shortform.epoch_seconds_to_utc_timestamp(
            shortform.to_count(shortform.json_at(f, '$.create_time'), 'tiktok.create_time', ctx)
        ) }} as published_at,
        {{ shortform.json_at(f, '$.caption') }} as caption,
        {{ shortform.json_at(f, '$.share_url') }} as permalink,
        {{ shortform.json_at(f, '$.media_type') }} as media_type,
        {{ shortform.to_boolean(shortform.json_at(f, '$.is_ad'), 'tiktok.is_ad', ctx) }} as is_ad,
        {{ shortform.to_decimal(shortform.json_at(f, '$.video_duration'), 'tiktok.video_duration', ctx, 'double') }} as duration_seconds,

        -- lifetime totals
        {{ shortform.to_count(shortform.json_at(f, '$.video_views'), 'tiktok.video_views', ctx) }} as views,
        {{ shortform.to_count(shortform.json_at(f, '$.reach'), 'tiktok.reach', ctx) }} as reach,
        {{ shortform.to_count(shortform.json_at(f, '$.likes'), 'tiktok.likes', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_at(f, '$.comments'), 'tiktok.comments', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_at(f, '$.shares'), 'tiktok.shares', ctx) }} as shares,
        {{ shortform.to_count(shortform.json_at(f, '$.favorites'), 'tiktok.favorites', ctx) }} as saves,
        {{ shortform.to_decimal(shortform.json_at(f, '$.total_time_watched'), 'tiktok.total_time_watched', ctx) }} as watch_seconds,
        {{ shortform.to_decimal(shortform.json_at(f, '$.average_time_watched'), 'tiktok.average_time_watched', ctx, 'double') }} as avg_watch_seconds,
        {{ shortform.to_decimal(shortform.json_at(f, '$.full_video_watched_rate'), 'tiktok.full_video_watched_rate', ctx, 'double') }} as full_video_watched_rate,
        {{ shortform.to_count(shortform.json_at(f, '$.new_followers'), 'tiktok.new_followers', ctx) }} as new_followers,
        {{ shortform.to_count(shortform.json_at(f, '$.profile_views'), 'tiktok.profile_views', ctx) }} as profile_views,

        'tiktok.video_views' as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

)

select * from renamed
