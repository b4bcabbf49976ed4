{#
  Instagram Reels: one row per Reel per snapshot date, LIFETIME insights through the end of
  snapshot_date (UTC). Rename, cast, unit-fix only.
  Unit fixes: ig_reels_video_view_total_time and ig_reels_avg_watch_time are milliseconds
  -> seconds; timestamp "2026-10-01T12:00:00+0000" -> UTC timestamp.
  `views` is the post-2025-04-21 Instagram definition (every start, replays included). Snapshots
  dated before 2025-04-21 come from an API that only had the retired `plays` metric (starts
  without replays): insights.plays is mapped to views with views_basis 'instagram.plays'. From
  2025-04-21 only insights.views counts; a `plays` key there is drift and leaves views null, which
  fails the not_null test (the meanings are never merged silently). Missing insights (the API
  returns an empty set instead of 0) stay null.
#}
{{ config(**shortform.incremental_config(['account_id', 'content_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set ctx = "'ig_user_id=' || ig_user_id || ', media_id=' || media_id || ', snapshot_date=' || cast(snapshot_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.timestamp', '$.caption', '$.permalink', '$.media_type', '$.media_product_type', '$.insights.plays', '$.insights.views', '$.insights.reach', '$.insights.likes', '$.insights.comments', '$.insights.shares', '$.insights.saved', '$.insights.total_interactions', '$.insights.ig_reels_video_view_total_time', '$.insights.ig_reels_avg_watch_time']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('instagram', 'reels') }}
    {{ shortform.incremental_raw_dates(source('instagram', 'reels'), 'snapshot_date') }}

),

renamed as (

    select
        'instagram' as platform,
        'instagram_reels' as surface,
        cast(ig_user_id as {{ dbt.type_string() }}) as account_id,
        cast(media_id as {{ dbt.type_string() }}) as content_id,
        cast(snapshot_date as date) as snapshot_date,

        {{ shortform.iso_text_to_utc_timestamp(shortform.json_at(f, '$.timestamp')) }} as published_at,
        {{ shortform.json_at(f, '$.caption') }} as caption,
        {{ shortform.json_at(f, '$.permalink') }} as permalink,
        {{ shortform.json_at(f, '$.media_type') }} as media_type,
        {{ shortform.json_at(f, '$.media_product_type') }} as media_product_type,
        cast(null as double) as duration_seconds,

        -- lifetime totals
        case
            when cast(snapshot_date as date) < {{ shortform.instagram_views_from() }}
                and {{ shortform.json_at(f, '$.insights.plays') }} is not null
            then {{ shortform.to_count(shortform.json_at(f, '$.insights.plays'), 'instagram.plays', ctx) }}
            else {{ shortform.to_count(shortform.json_at(f, '$.insights.views'), 'instagram.views', ctx) }}
        end as views,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.reach'), 'instagram.reach', ctx) }} as reach,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.likes'), 'instagram.likes', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.comments'), 'instagram.comments', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.shares'), 'instagram.shares', ctx) }} as shares,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.saved'), 'instagram.saved', ctx) }} as saves,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.total_interactions'), 'instagram.total_interactions', ctx) }} as total_interactions,
        cast(
            {{ shortform.to_decimal(shortform.json_at(f, '$.insights.ig_reels_video_view_total_time'), 'instagram.ig_reels_video_view_total_time', ctx) }}
            * 0.001 as decimal(18, 3)
        ) as watch_seconds,
        {{ shortform.to_decimal(shortform.json_at(f, '$.insights.ig_reels_avg_watch_time'), 'instagram.ig_reels_avg_watch_time', ctx, 'double') }}
            / 1000 as avg_watch_seconds,

        case
            when cast(snapshot_date as date) < {{ shortform.instagram_views_from() }}
                and {{ shortform.json_at(f, '$.insights.plays') }} is not null
            then 'instagram.plays'
            else 'instagram.views'
        end as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

)

select * from renamed
