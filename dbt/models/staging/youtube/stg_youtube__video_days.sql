{#
  YouTube Analytics reports.query (dimensions=day, filters=video==id): one row per video per day.
  Days are Pacific-time days (YouTube Analytics basis). True daily values, not lifetime.
  Rename, cast, unit-fix only: estimatedMinutesWatched minutes -> watch_seconds (x 60);
  averageViewDuration is seconds already.
  views: since 2025-03-31 a Shorts view counts every start or replay (views_basis
  'youtube.views'); for days before 2025-03-31 the same `views` column counted the older
  methodology (basis 'youtube.views_legacy', the meaning engagedViews keeps).
#}
{{ config(**shortform.incremental_config(['account_id', 'content_id', 'metric_date'], 'metric_date')) }}
{%- set ctx = "'channel_id=' || channel_id || ', video_id=' || video_id || ', metric_date=' || cast(metric_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.views', '$.engagedViews', '$.likes', '$.comments', '$.shares', '$.estimatedMinutesWatched', '$.averageViewDuration', '$.subscribersGained']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('youtube', 'video_days') }}
    {{ shortform.incremental_raw_dates(source('youtube', 'video_days'), 'metric_date') }}

),

renamed as (

    select
        'youtube' as platform,
        'youtube_shorts' as surface,
        cast(channel_id as {{ dbt.type_string() }}) as account_id,
        cast(video_id as {{ dbt.type_string() }}) as content_id,
        cast(metric_date as date) as metric_date,

        {{ shortform.to_count(shortform.json_at(f, '$.views'), 'youtube.views', ctx) }} as views,
        {{ shortform.to_count(shortform.json_at(f, '$.engagedViews'), 'youtube.engagedViews', ctx) }} as engaged_views,
        cast(null as bigint) as reach,
        {{ shortform.to_count(shortform.json_at(f, '$.likes'), 'youtube.likes', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_at(f, '$.comments'), 'youtube.comments', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_at(f, '$.shares'), 'youtube.shares', ctx) }} as shares,
        cast(null as bigint) as saves,
        cast(
            {{ shortform.to_decimal(shortform.json_at(f, '$.estimatedMinutesWatched'), 'youtube.estimatedMinutesWatched', ctx) }}
            * 60 as decimal(18, 3)
        ) as watch_seconds,
        {{ shortform.to_decimal(shortform.json_at(f, '$.averageViewDuration'), 'youtube.averageViewDuration', ctx, 'double') }} as avg_watch_seconds,
        {{ shortform.to_count(shortform.json_at(f, '$.subscribersGained'), 'youtube.subscribersGained', ctx) }} as subscribers_gained,

        {{ shortform.youtube_views_basis('cast(metric_date as date)') }} as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

)

select * from renamed
