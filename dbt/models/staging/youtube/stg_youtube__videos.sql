{#
  YouTube Data API videos.list: one row per video per snapshot date. Rename, cast, unit-fix only.
  Unit fixes: contentDetails.duration ISO-8601 ("PT45S") -> seconds; snippet.publishedAt
  RFC 3339 -> UTC timestamp; statistics.* strings -> counts (lifetime counters).
  is_short: the Data API has no Shorts flag; heuristic duration <= 180 s for videos published on
  or after 2024-10-15 (when Shorts could reach 3 minutes), <= 60 s before.
#}
{{ config(**shortform.incremental_config(['account_id', 'content_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set ctx = "'channel_id=' || channel_id || ', video_id=' || video_id || ', snapshot_date=' || cast(snapshot_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.snippet.publishedAt', '$.snippet.title', '$.contentDetails.duration', '$.statistics.viewCount', '$.statistics.likeCount', '$.statistics.commentCount', '$.statistics.favoriteCount']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('youtube', 'videos') }}
    {{ shortform.incremental_raw_dates(source('youtube', 'videos'), 'snapshot_date') }}

),

renamed as (

    select
        'youtube' as platform,
        'youtube_shorts' as surface,
        cast(channel_id as {{ dbt.type_string() }}) as account_id,
        cast(video_id as {{ dbt.type_string() }}) as content_id,
        cast(snapshot_date as date) as snapshot_date,

        {{ shortform.iso_text_to_utc_timestamp(shortform.json_at(f, '$.snippet.publishedAt')) }} as published_at,
        {{ shortform.json_at(f, '$.snippet.title') }} as caption,
        'https://www.youtube.com/shorts/' || cast(video_id as {{ dbt.type_string() }}) as permalink,
        {{ shortform.json_at(f, '$.contentDetails.duration') }} as duration_iso8601,
        cast({{ shortform.iso8601_duration_to_seconds(shortform.json_at(f, '$.contentDetails.duration')) }} as double) as duration_seconds,

        -- lifetime counters (strings in the API)
        {{ shortform.to_count(shortform.json_at(f, '$.statistics.viewCount'), 'youtube.viewCount', ctx) }} as views,
        {{ shortform.to_count(shortform.json_at(f, '$.statistics.likeCount'), 'youtube.likeCount', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_at(f, '$.statistics.commentCount'), 'youtube.commentCount', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_at(f, '$.statistics.favoriteCount'), 'youtube.favoriteCount', ctx) }} as favorites,

        'youtube.viewCount' as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

),

classified as (

    select
        renamed.*,
        case
            when duration_seconds is null or published_at is null then null
            when published_at >= cast('2024-10-15' as timestamp) then duration_seconds <= 180
            else duration_seconds <= 60
        end as is_short
    from renamed

)

select * from classified
