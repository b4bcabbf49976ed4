{#
  YouTube Shorts daily rows: YouTube Analytics gives true daily values (Pacific-time days), so no
  derivation is needed ('daily_api', complete). Only videos whose LATEST videos.list snapshot
  classifies them as Shorts (stg_youtube__videos.is_short) are kept; rows of videos without any
  videos.list snapshot cannot be classified and are left out (a warn-level relationships test on
  stg_youtube__video_days reports them).
  views_cumulative is the running sum of the landed daily views (equals lifetime views when the
  daily history was pulled since publication); it is null once the summed days mix two views
  definitions (youtube.views_legacy before 2025-03-31, youtube.views from then on), since such a
  sum counts two different events.
#}

with

video_days as (

    select * from {{ ref('stg_youtube__video_days') }}

),

latest_videos as (

    select *
    from (
        select
            stg_youtube__videos.*,
            row_number() over (partition by content_id order by snapshot_date desc) as recency_rank
        from {{ ref('stg_youtube__videos') }}
    ) as ranked
    where recency_rank = 1

),

shorts_days as (

    select
        video_days.platform,
        video_days.surface,
        video_days.account_id,
        video_days.content_id,
        video_days.platform || ':' || video_days.content_id as content_key,
        latest_videos.published_at,
        video_days.metric_date,
        cast(null as date) as snapshot_date,
        'daily_api' as derivation,
        true as is_complete,
        false as is_restated_down,
        video_days.views,
        video_days.engaged_views,
        video_days.likes,
        video_days.comments,
        video_days.shares,
        video_days.saves,
        video_days.watch_seconds,
        case
            when min(video_days.views_basis) over (
                    partition by video_days.content_id
                    order by video_days.metric_date
                    rows between unbounded preceding and current row
                ) = video_days.views_basis
                and max(video_days.views_basis) over (
                    partition by video_days.content_id
                    order by video_days.metric_date
                    rows between unbounded preceding and current row
                ) = video_days.views_basis
            then sum(video_days.views) over (
                partition by video_days.content_id
                order by video_days.metric_date
                rows between unbounded preceding and current row
            )
        end as views_cumulative,
        video_days.reach as reach_cumulative,
        video_days.views_basis
    from video_days
    inner join latest_videos
        on video_days.content_id = latest_videos.content_id
    where latest_videos.is_short

)

select * from shorts_days
