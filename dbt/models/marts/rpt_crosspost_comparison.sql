{#
  The like-for-like test: the same creative posted on two to four platforms (int_crosspost_groups),
  compared at the same age. One row per group x member post, only for groups with posts on at
  least two platforms.

  Same-age values come from dim_content (cumulative at the end of day 7 after publishing, null
  until the post is that old or when the value is unknown). Rates are recomputed from their
  numerator and denominator, never averaged.
  - completion_rate: the share of views that watched the whole video, where the platform reports
    it: TikTok's full_video_watched_rate (a lifetime ratio on each snapshot), taken from the first
    snapshot dated on or after day 7 (null before). Instagram, Facebook and the YouTube data
    landed today report no completion: null.
  - views_basis: the definition of the post's views at day 7 (fct_content_age), else the latest
    basis of the post; views_bases_differ: the group's members count different events as a view
    (metric_definitions.view_event); null when a member's basis has no known view_event.
  - Winners are picked among the members whose day-7 values are complete (is_d7_complete) and
    present, and only when at least two such members exist: otherwise null for every member. A
    member not judged (incomplete) is null; ties all win.
#}

with

groups as (

    select content_key, crosspost_group_id
    from {{ ref('int_crosspost_groups') }}

),

content as (

    select * from {{ ref('dim_content') }}

),

day7_basis as (

    select content_key, views_basis
    from {{ ref('fct_content_age') }}
    where age_days = 7

),

view_events as (

    select definition_key, view_event
    from {{ ref('metric_definitions') }}
    where view_event is not null

),

tiktok_completion as (

    select content_key, full_video_watched_rate as completion_rate
    from (
        select
            videos.platform || ':' || videos.content_id as content_key,
            videos.full_video_watched_rate,
            row_number() over (
                partition by videos.content_id order by videos.snapshot_date
            ) as snapshot_rank
        from {{ ref('stg_tiktok__videos') }} as videos
        inner join content
            on content.content_key = videos.platform || ':' || videos.content_id
        where videos.snapshot_date >= {{ dbt.dateadd('day', 7, 'content.published_date') }}
    ) as from_day7
    where snapshot_rank = 1

),

members as (

    select
        content.brand,
        groups.crosspost_group_id,
        content.platform,
        content.surface,
        content.content_key,
        content.views_d7,
        content.engagements_d7,
        content.watch_seconds_d7,
        coalesce(content.is_d7_complete, false) as is_d7_complete,
        coalesce(day7_basis.views_basis, content.views_basis) as views_basis,
        tiktok_completion.completion_rate
    from groups
    inner join content
        on groups.content_key = content.content_key
    left join day7_basis
        on content.content_key = day7_basis.content_key
    left join tiktok_completion
        on content.content_key = tiktok_completion.content_key

),

group_platforms as (

    select members.crosspost_group_id, count(distinct members.platform) as n_platforms
    from members
    group by members.crosspost_group_id

),

rated as (

    select
        members.*,
        group_platforms.n_platforms,
        {{ shortform.safe_divide('members.engagements_d7', 'members.views_d7') }} as engagement_rate_d7,
        {{ shortform.safe_divide('members.watch_seconds_d7', 'members.views_d7') }} as watch_seconds_per_view_d7,
        view_events.view_event
    from members
    inner join group_platforms
        on members.crosspost_group_id = group_platforms.crosspost_group_id
    left join view_events
        on members.views_basis = view_events.definition_key
    where group_platforms.n_platforms >= 2

),

judged as (

    select
        rated.*,
        rated.is_d7_complete and rated.views_d7 is not null as is_views_judged,
        rated.is_d7_complete and rated.views_d7 is not null and rated.engagement_rate_d7 is not null
            as is_engagement_judged
    from rated

),

group_stats as (

    select
        crosspost_group_id,
        count(*) as n_rows,
        count(view_event) as n_with_view_event,
        count(distinct view_event) as n_view_events,
        sum(case when is_views_judged then 1 else 0 end) as n_views_judged,
        max(case when is_views_judged then views_d7 end) as best_views_d7,
        sum(case when is_engagement_judged then 1 else 0 end) as n_engagement_judged,
        max(case when is_engagement_judged then engagement_rate_d7 end) as best_engagement_rate_d7
    from judged
    group by crosspost_group_id

),

final as (

    select
        cast(judged.brand as {{ dbt.type_string() }}) as brand,
        cast(judged.crosspost_group_id as {{ dbt.type_string() }}) as crosspost_group_id,
        cast(judged.platform as {{ dbt.type_string() }}) as platform,
        cast(judged.surface as {{ dbt.type_string() }}) as surface,
        cast(judged.content_key as {{ dbt.type_string() }}) as content_key,
        cast(judged.views_d7 as bigint) as views_d7,
        cast(judged.engagement_rate_d7 as double) as engagement_rate_d7,
        cast(judged.watch_seconds_per_view_d7 as double) as watch_seconds_per_view_d7,
        cast(judged.completion_rate as double) as completion_rate,
        cast(judged.is_d7_complete as boolean) as is_d7_complete,
        cast(judged.views_basis as {{ dbt.type_string() }}) as views_basis,
        cast(
            case
                when group_stats.n_with_view_event < group_stats.n_rows then null
                else group_stats.n_view_events > 1
            end
        as boolean) as views_bases_differ,
        cast(
            case
                when group_stats.n_views_judged < 2 or not judged.is_views_judged then null
                else judged.views_d7 = group_stats.best_views_d7
            end
        as boolean) as is_views_winner,
        cast(
            case
                when group_stats.n_engagement_judged < 2 or not judged.is_engagement_judged then null
                else judged.engagement_rate_d7 = group_stats.best_engagement_rate_d7
            end
        as boolean) as is_engagement_winner,
        cast(judged.n_platforms as integer) as n_platforms
    from judged
    inner join group_stats
        on judged.crosspost_group_id = group_stats.crosspost_group_id

)

select * from final
