{#
  TikTok business/get daily account metrics: one row per account per UTC day (true daily values,
  not lifetime). Rename, cast only. Daily likes are not net of unlikes (API behaviour).
#}
{{ config(**shortform.incremental_config(['account_id', 'metric_date'], 'metric_date')) }}
{%- set ctx = "'business_id=' || business_id || ', metric_date=' || cast(metric_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.video_views', '$.unique_video_views', '$.profile_views', '$.likes', '$.comments', '$.shares', '$.followers_count', '$.daily_new_followers', '$.daily_lost_followers', '$.engaged_audience']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('tiktok', 'account_days') }}
    {{ shortform.incremental_raw_dates(source('tiktok', 'account_days'), 'metric_date') }}

),

renamed as (

    select
        'tiktok' as platform,
        'tiktok' as surface,
        cast(business_id as {{ dbt.type_string() }}) as account_id,
        cast(metric_date as date) as metric_date,

        {{ shortform.to_count(shortform.json_at(f, '$.video_views'), 'tiktok.video_views', ctx) }} as views,
        {{ shortform.to_count(shortform.json_at(f, '$.unique_video_views'), 'tiktok.unique_video_views', ctx) }} as unique_views,
        {{ shortform.to_count(shortform.json_at(f, '$.profile_views'), 'tiktok.profile_views', ctx) }} as profile_views,
        {{ shortform.to_count(shortform.json_at(f, '$.likes'), 'tiktok.likes', ctx) }} as likes,
        {{ shortform.to_count(shortform.json_at(f, '$.comments'), 'tiktok.comments', ctx) }} as comments,
        {{ shortform.to_count(shortform.json_at(f, '$.shares'), 'tiktok.shares', ctx) }} as shares,
        {{ shortform.to_count(shortform.json_at(f, '$.followers_count'), 'tiktok.followers_count', ctx) }} as followers_count,
        {{ shortform.to_count(shortform.json_at(f, '$.daily_new_followers'), 'tiktok.daily_new_followers', ctx) }} as new_followers,
        {{ shortform.to_count(shortform.json_at(f, '$.daily_lost_followers'), 'tiktok.daily_lost_followers', ctx) }} as lost_followers,
        {{ shortform.to_count(shortform.json_at(f, '$.engaged_audience'), 'tiktok.engaged_audience', ctx) }} as engaged_audience,

        'tiktok.video_views' as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

)

select * from renamed
