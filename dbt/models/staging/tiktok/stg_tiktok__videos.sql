{#
  TikTok business/video/list: one row per video per snapshot date, LIFETIME totals through the
  end of snapshot_date (UTC). Rename, cast, unit-fix only.
  Units: total_time_watched / average_time_watched / video_duration are seconds already;
  create_time is epoch seconds (UTC).
#}
{{ config(**shortform.incremental_config(['account_id', 'content_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set ctx = "'business_id=' || business_id || ', item_id=' || item_id || ', snapshot_date=' || cast(snapshot_date as " ~ dbt.type_string() ~ ")" -%}

with

source as (

    select * from {{ source('tiktok', 'videos') }}
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
            shortform.to_count(shortform.json_text('payload', '$.create_time'), 'tiktok.create_time', ctx)
        ) }} as published_at,
        {{ shortform.json_text('payload', '$.caption') }} as caption,
        {{ shortform.json_text('payload', '$.share_url') }} as permalink,
        {{ shortform.json_text('payload', '$.media_type') }} as media_type,
        {{ shortform.to_boolean(shortform.json_text('payload', '$.is_ad'), 'tiktok.is_ad', ctx) }} as is_ad,
        {{ shortform.to_decimal(shortform.json_text('payload', '$.video_duration'), 'tiktok.video_duration', ctx, 'double') }} as duration_seconds,

        -- lifetime totals
        {{ shortform.to_count(shortform.json_text('payload', '$.video_views'), 'tiktok.video_views', ctx) }} as views,
        {{ shortform.to_count(shortform.json_text('payload', '$.reach'), 'tiktok.reach', ctx) }} as reach,
        {{ shortform.to_count(shortform.json_text('payload', '$.likes'), 'tiktok.likes', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_text('payload', '$.comments'), 'tiktok.comments', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_text('payload', '$.shares'), 'tiktok.shares', ctx) }} as shares,
        {{ shortform.to_count(shortform.json_text('payload', '$.favorites'), 'tiktok.favorites', ctx) }} as saves,
        {{ shortform.to_decimal(shortform.json_text('payload', '$.total_time_watched'), 'tiktok.total_time_watched', ctx) }} as watch_seconds,
        {{ shortform.to_decimal(shortform.json_text('payload', '$.average_time_watched'), 'tiktok.average_time_watched', ctx, 'double') }} as avg_watch_seconds,
        {{ shortform.to_decimal(shortform.json_text('payload', '$.full_video_watched_rate'), 'tiktok.full_video_watched_rate', ctx, 'double') }} as full_video_watched_rate,
        {{ shortform.to_count(shortform.json_text('payload', '$.new_followers'), 'tiktok.new_followers', ctx) }} as new_followers,
        {{ shortform.to_count(shortform.json_text('payload', '$.profile_views'), 'tiktok.profile_views', ctx) }} as profile_views,

        'tiktok.video_views' as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

)

select * from renamed
