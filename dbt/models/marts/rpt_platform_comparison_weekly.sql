{#
  Weekly comparison per brand and surface. Weeks are ISO weeks (Monday start) of reporting_date:
  each source day (UTC for TikTok / Instagram / Facebook, Pacific time for YouTube Analytics)
  is counted on the reporting-zone day (var reporting_timezone, default UTC) that contains its
  midpoint. With the default UTC every source day keeps its own date, so a YouTube week is the
  Pacific-time week (offset by 7-8 hours from the others).
  days_final: days of the week whose every row is final (older than the restatement window);
  days_restated_down: days of the week with a row flagged is_restated_down (a platform lowered a
  lifetime total); only such a week can have negative views;
  coverage_matches_brand: this surface covers as many days that week as the brand's best-covered
  surface (comparisons of surfaces with fewer days are not like for like).
  Rates are recomputed from the week's sums (never averaged across days or posts); reach is not
  additive and is left out.
  A week whose days count views under two definitions (the week Instagram switched from plays to
  views, 2025-04-21; YouTube's 2025-03-31 change) has views, the per-view rates and views_basis
  null: plays and views are not added up.
#}

{%- set one_basis = 'activity.first_views_basis = activity.views_basis' -%}
{%- set week_views = '(case when ' ~ one_basis ~ ' then activity.views end)' -%}

with

daily as (

    select
        fact_rows.*,
        {{ shortform.iso_week_start('fact_rows.reporting_date') }} as week_start
    from {{ ref('fct_content_daily') }} as fact_rows

),

{{ shortform.weekly_days_final_ctes('daily') }},

activity as (

    select
        brand,
        platform,
        surface,
        week_start,
        count(distinct case when views is not null then content_key end) as active_contents,
        sum(views) as views,
        sum(likes) as likes,
        sum(comments) as comments,
        sum(shares) as shares,
        sum(saves) as saves,
        sum(engagements) as engagements,
        sum(watch_seconds) as watch_seconds,
        count(distinct reporting_date) as days_covered,
        count(distinct case when is_restated_down then reporting_date end) as days_restated_down,
        -- doubles, not decimal literals: Spark averages a decimal(2,1) to a rounded decimal
        avg(case when is_complete then cast(1 as double) else cast(0 as double) end) as complete_share,
        min(views_basis) as first_views_basis,
        max(views_basis) as views_basis
    from daily
    group by brand, platform, surface, week_start

),

published as (

    select
        brand,
        platform,
        surface,
        {{ shortform.iso_week_start('published_date_reporting') }} as week_start,
        count(*) as posts_published,
        max(views_basis) as views_basis
    from {{ ref('dim_content') }}
    group by brand, platform, surface, {{ shortform.iso_week_start('published_date_reporting') }}

),

first_activity as (

    select brand, surface, min(week_start) as first_week_start
    from activity
    group by brand, surface

),

-- every week with activity, plus weeks with publications since the surface's first tracked week
-- (content published long before tracking started does not create empty historical weeks)
weeks as (

    select brand, platform, surface, week_start
    from activity

    union

    select published.brand, published.platform, published.surface, published.week_start
    from published
    inner join first_activity
        on published.brand = first_activity.brand
        and published.surface = first_activity.surface
    where published.week_start >= first_activity.first_week_start

),

final as (

    select
        cast(weeks.brand as {{ dbt.type_string() }}) as brand,
        cast(weeks.platform as {{ dbt.type_string() }}) as platform,
        cast(weeks.surface as {{ dbt.type_string() }}) as surface,
        cast({{ shortform.iso_week_label('weeks.week_start') }} as {{ dbt.type_string() }}) as iso_week,
        cast(weeks.week_start as date) as week_start,
        cast(coalesce(published.posts_published, 0) as bigint) as posts_published,
        cast(coalesce(activity.active_contents, 0) as bigint) as active_contents,
        cast({{ week_views }} as bigint) as views,
        cast(activity.likes as bigint) as likes,
        cast(activity.comments as bigint) as comments,
        cast(activity.shares as bigint) as shares,
        cast(activity.saves as bigint) as saves,
        cast(activity.engagements as bigint) as engagements,
        cast(activity.watch_seconds as decimal(18, 3)) as watch_seconds,
        {{ shortform.per_view('activity.engagements', week_views) }} as engagement_rate,
        {{ shortform.per_view('activity.watch_seconds', week_views) }} as avg_watch_seconds_per_view,
        cast(coalesce(activity.days_covered, 0) as bigint) as days_covered,
        cast(coalesce(maturity.days_final, 0) as bigint) as days_final,
        cast(coalesce(activity.days_restated_down, 0) as bigint) as days_restated_down,
        cast(
            coalesce(activity.days_covered, 0)
                = max(coalesce(activity.days_covered, 0)) over (partition by weeks.brand, weeks.week_start)
        as boolean) as coverage_matches_brand,
        cast(activity.complete_share as double) as complete_share,
        cast(
            case
                when activity.views_basis is null then published.views_basis
                when {{ one_basis }} then activity.views_basis
            end
        as {{ dbt.type_string() }}) as views_basis
    from weeks
    left join activity
        on weeks.brand = activity.brand
        and weeks.surface = activity.surface
        and weeks.week_start = activity.week_start
    left join published
        on weeks.brand = published.brand
        and weeks.surface = published.surface
        and weeks.week_start = published.week_start
    left join maturity
        on weeks.brand = maturity.brand
        and weeks.surface = maturity.surface
        and weeks.week_start = maturity.week_start

)

select * from final
