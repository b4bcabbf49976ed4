{#
  One row per short-form content item (content_key = platform || ':' || content_id) across all
  surfaces. Attributes come from the latest snapshot of the content.
  published_date is on the platform day basis: UTC for TikTok / Instagram / Facebook, Pacific time
  (America/Los_Angeles) for YouTube, matching fct_content_daily.metric_date.
  published_date_reporting: the publication day mapped to the reporting zone by the midpoint rule
  (like fct_content_daily.reporting_date), so a post and its day-0 row share a reporting day.
  Same age: views / engagements / watch_seconds at the end of day 1, 7 and 28 after the
  publication day (fct_content_age at age_days = N); null when the post has not reached that age
  or the value is unknown, never zero; is_dN_complete when reached and observed exactly.
#}

with

lifetime_snapshots as (

    select
        platform,
        surface,
        account_id,
        content_id,
        content_key,
        published_at,
        snapshot_date,
        duration_seconds,
        caption,
        permalink,
        views_basis,
        views_cumulative as lifetime_views
    from {{ ref('int_snapshots_unioned') }}

),

youtube_snapshots as (

    select
        platform,
        surface,
        account_id,
        content_id,
        platform || ':' || content_id as content_key,
        published_at,
        snapshot_date,
        duration_seconds,
        caption,
        permalink,
        {{ shortform.youtube_views_basis('snapshot_date') }} as views_basis,
        views as lifetime_views,
        is_short
    from {{ ref('stg_youtube__videos') }}

),

all_snapshots as (

    select * from lifetime_snapshots
    union all
    select
        platform, surface, account_id, content_id, content_key, published_at, snapshot_date,
        duration_seconds, caption, permalink, views_basis, lifetime_views
    from youtube_snapshots
    -- a video is a Short when its latest snapshot says so (checked in `latest` below)

),

{%- set snapshot_columns = ['platform', 'surface', 'account_id', 'content_id', 'published_at', 'duration_seconds', 'caption', 'permalink', 'views_basis', 'lifetime_views'] %}
ranked as (

    -- per content: its latest snapshot's columns, and the first and last snapshot dates
    select
        content_key,
        {{ shortform.latest_row(snapshot_columns, 'snapshot_date') }} as latest_snapshot,
        min(snapshot_date) as first_seen_date,
        max(snapshot_date) as last_seen_date
    from all_snapshots
    group by content_key

),

youtube_shorts as (

    select content_key
    from youtube_snapshots
    group by content_key
    having ({{ shortform.latest_row(['is_short'], 'snapshot_date') }}).is_short

),

latest as (

    select
        content_key,
        {%- for column in snapshot_columns %}
        latest_snapshot.{{ column }} as {{ column }},
        {%- endfor %}
        first_seen_date,
        last_seen_date
    from ranked
    where latest_snapshot.platform <> 'youtube'
        or content_key in (select content_key from youtube_shorts)

),

accounts as (

    select * from {{ ref('dim_account') }}

),

-- same-age values at 1, 7 and 28 days after publication (int_content_daily_cumulative); a post
-- that has not reached an age has no row there, so its values stay null and is_dN_complete false
same_age as (

    select
        content_key,
        {%- for n in [1, 7, 28] %}
        max(case when age_days = {{ n }} then views_cumulative end) as views_d{{ n }},
        max(case when age_days = {{ n }} then engagements_cumulative end) as engagements_d{{ n }},
        max(case when age_days = {{ n }} then watch_seconds_cumulative end) as watch_seconds_d{{ n }},
        max(case when age_days = {{ n }} and is_exact then 1 else 0 end) = 1 as is_d{{ n }}_complete{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_content_daily_cumulative') }}
    where age_days in (1, 7, 28)
    group by content_key

),

final as (

    select
        cast(latest.content_key as {{ dbt.type_string() }}) as content_key,
        cast(latest.content_id as {{ dbt.type_string() }}) as content_id,
        cast(latest.platform as {{ dbt.type_string() }}) as platform,
        cast(latest.surface as {{ dbt.type_string() }}) as surface,
        cast(accounts.brand as {{ dbt.type_string() }}) as brand,
        cast(latest.account_id as {{ dbt.type_string() }}) as account_id,
        cast(latest.published_at as timestamp) as published_at,
        cast({{ shortform.platform_day_of('latest.platform', 'latest.published_at') }} as date) as published_date,
        cast({{ shortform.reporting_date(shortform.platform_day_of('latest.platform', 'latest.published_at'),
                                         shortform.platform_source_timezone('latest.platform')) }} as date) as published_date_reporting,
        cast(latest.duration_seconds as double) as duration_seconds,
        cast(latest.caption as {{ dbt.type_string() }}) as caption,
        cast(latest.permalink as {{ dbt.type_string() }}) as permalink,
        cast(latest.views_basis as {{ dbt.type_string() }}) as views_basis,
        cast(latest.first_seen_date as date) as first_seen_date,
        cast(latest.last_seen_date as date) as last_seen_date,
        cast(latest.lifetime_views as bigint) as lifetime_views,
        {%- for n in [1, 7, 28] %}
        cast(same_age.views_d{{ n }} as bigint) as views_d{{ n }},
        cast(same_age.engagements_d{{ n }} as bigint) as engagements_d{{ n }},
        cast(same_age.watch_seconds_d{{ n }} as decimal(18, 3)) as watch_seconds_d{{ n }},
        {%- endfor %}
        {%- for n in [1, 7, 28] %}
        cast(coalesce(same_age.is_d{{ n }}_complete, false) as boolean) as is_d{{ n }}_complete{{ ',' if not loop.last }}
        {%- endfor %}
    from latest
    left join accounts
        on latest.platform = accounts.platform
        and latest.account_id = accounts.account_id
    left join same_age
        on latest.content_key = same_age.content_key

)

select * from final
