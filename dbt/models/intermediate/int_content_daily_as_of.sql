{#
  How current each organic account's data is, one row per platform x account_id:
  - data_as_of_date: the account's latest pull, i.e. its newest lifetime snapshot date (TikTok
    video/list, Instagram media, Facebook video_reels, YouTube videos.list). Maturity (is_final)
    is counted from it.
  - latest_metric_date: the newest day the account's daily numbers can exist for. Lifetime
    platforms: the newest snapshot date (a snapshot holds the totals through the end of that
    day). YouTube: the newest YouTube Analytics day landed for the channel (Analytics lags the
    pull by 2-3 days).
#}

with

lifetime_accounts as (

    select
        platform,
        account_id,
        max(snapshot_date) as data_as_of_date,
        max(snapshot_date) as latest_metric_date
    from {{ ref('int_snapshots_unioned') }}
    group by platform, account_id

),

youtube_pulls as (

    select account_id, max(snapshot_date) as data_as_of_date
    from {{ ref('stg_youtube__videos') }}
    group by account_id

),

youtube_days as (

    select account_id, max(metric_date) as latest_metric_date
    from {{ ref('stg_youtube__video_days') }}
    group by account_id

),

youtube_accounts as (

    select
        'youtube' as platform,
        youtube_pulls.account_id,
        youtube_pulls.data_as_of_date,
        youtube_days.latest_metric_date
    from youtube_pulls
    left join youtube_days
        on youtube_pulls.account_id = youtube_days.account_id

),

final as (

    select
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(data_as_of_date as date) as data_as_of_date,
        cast(latest_metric_date as date) as latest_metric_date
    from lifetime_accounts

    union all

    select
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(data_as_of_date as date) as data_as_of_date,
        cast(latest_metric_date as date) as latest_metric_date
    from youtube_accounts

)

select * from final
