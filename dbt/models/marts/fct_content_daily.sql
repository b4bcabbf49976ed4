{#
  One row per content per day (platform day basis: UTC for TikTok / Instagram / Facebook, Pacific
  time for YouTube Shorts). Daily values are derived from lifetime snapshots (TikTok, Instagram,
  Facebook; see int_content_daily_derived) or read from YouTube Analytics daily rows.
#}

with

daily as (

    select * from {{ ref('int_content_daily_unioned') }}

),

contents as (

    select * from {{ ref('dim_content') }}

),

final as (

    select
        cast(daily.content_key as {{ dbt.type_string() }}) as content_key,
        cast(daily.content_id as {{ dbt.type_string() }}) as content_id,
        cast(daily.platform as {{ dbt.type_string() }}) as platform,
        cast(daily.surface as {{ dbt.type_string() }}) as surface,
        cast(contents.brand as {{ dbt.type_string() }}) as brand,
        cast(daily.account_id as {{ dbt.type_string() }}) as account_id,
        cast(daily.metric_date as date) as metric_date,
        cast({{ shortform.days_between('contents.published_date', 'daily.metric_date') }} as integer) as days_since_publish,
        cast(daily.views as bigint) as views,
        cast(daily.engaged_views as bigint) as engaged_views,
        cast(daily.likes as bigint) as likes,
        cast(daily.comments as bigint) as comments,
        cast(daily.shares as bigint) as shares,
        cast(daily.saves as bigint) as saves,
        cast(daily.likes + daily.comments + daily.shares + coalesce(daily.saves, 0) as bigint) as engagements,
        cast(daily.watch_seconds as decimal(18, 3)) as watch_seconds,
        cast(daily.reach_cumulative as bigint) as reach_cumulative,
        cast(daily.views_cumulative as bigint) as views_cumulative,
        cast(daily.derivation as {{ dbt.type_string() }}) as derivation,
        cast(daily.is_complete as boolean) as is_complete,
        cast(daily.is_restated_down as boolean) as is_restated_down,
        cast(daily.views_basis as {{ dbt.type_string() }}) as views_basis
    from daily
    left join contents
        on daily.content_key = contents.content_key

)

select * from final
