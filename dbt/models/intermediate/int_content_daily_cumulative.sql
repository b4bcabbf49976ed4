{#
  Same-age series: one row per content x age_days, the cumulative values at the END of the
  publication day + age_days (platform day basis: UTC for TikTok / Instagram / Facebook, Pacific
  time for YouTube). Ages run from 0 (the publication day) up to var content_age_max_days and
  never beyond the account's latest_metric_date (int_content_daily_as_of).

  Lifetime platforms (TikTok, Instagram, Facebook), from int_content_daily_derived:
  - a snapshot day: the snapshot itself, exact (is_exact) even when tracking started after
    publication (a lifetime total needs no history);
  - a missed day inside a gap between two snapshots: the prior snapshot plus the spread daily
    values (interpolated, not exact); views null when the gap spans a change of views definition;
  - a day before the first snapshot: unknown (null), not exact. Never zero.
  - a downward restatement is kept as the platform reported it (the later snapshot is lower).
  YouTube Shorts, from int_youtube_daily (true daily rows): the running sum of the Analytics days
  from the publication day. It is exact only when the video's daily history starts ON its
  publication day; otherwise the early days are missing and every value is null (a partial sum
  would understate). A video's missing row on a day the channel has other Analytics rows counts
  0 (Analytics omits empty rows); a day on which the whole channel has no row was not pulled
  (e.g. pulls stopped for longer than the lookback): from there on the values are null. A video
  whose publication day itself had no views looks like a late start and stays null
  (conservative). views is null once the summed days span two views definitions
  (youtube.views_legacy before 2025-03-31, youtube.views from then on).

  engagements = likes + comments + shares + saves (saves 0 where the platform has none).
  views_basis: the observed row's definition; where views are unknown, and for YouTube, the
  platform's views definition valid on metric_date (seeds/metric_definitions.csv).
#}

{#
  Materialized, not a view like the other intermediate models: dim_content, fct_content_age and
  this model's data tests each re-ran the whole grid as a view (about 5 s per reader at one year of
  `agency`, 50 s per build).

  Incremental on DuckDB (session 10; a table on Spark): a run recomputes whole contents (delete +
  insert by content_key: a content's rows are its ages, and their number can change), namely
  - contents new to the table, or whose publication day or account changed, or whose last age
    differs from what the account's latest metric day allows (the grid grew or shrank);
  - every content of an account with an upstream row landed or changed since the last build
    (pulled_at >= the watermark, in int_content_daily_derived or stg_youtube__video_days) on or
    before the content's last possible age: the oldest such day of the account counts, because a
    late snapshot also changes the spread days after it, whose pulled_at is older; and a YouTube
    channel's new day turns its other videos' missing rows that day from unknown into 0.
  A daily pull thus recomputes the contents published in the last content_age_max_days days.
  Every content is recomputed when the views definitions (seeds/metric_definitions.csv) differ
  from those of the last build (a digest kept in cache.int_content_daily_cumulative__inputs).
  Post-hooks then delete the rows of contents (or accounts, or days past the account's latest
  metric day) no longer upstream, bring data_as_of_date and is_final to the account's latest
  pull on every other row, and store the watermark and the definitions' digest. tests/dbt/test_incremental.py compares an
  incremental build with a full one.
#}
{{ config(
    post_hook=[
        "{{ shortform.content_age_delete_vanished() }}",
        "{{ shortform.content_daily_sync_as_of() }}",
        "{{ shortform.store_watermark(shortform.content_daily_sources()) }}",
        "{{ shortform.store_views_definitions_digest() }}",
    ],
    **shortform.incremental_mart_config(['content_key'], 'delete+insert')
) }}

{%- set max_age = var('content_age_max_days') | int -%}

with

as_of as (

    select * from {{ ref('int_content_daily_as_of') }}

),

all_days as (

    select platform, account_id, content_id, content_key, published_at, metric_date
    from {{ ref('int_content_daily_derived') }}
    union all
    select platform, account_id, content_id, content_key, published_at, metric_date
    from {{ ref('int_youtube_daily') }}

),

all_contents as (

    -- one row per content: attributes of its newest row (the newest snapshot for lifetime
    -- platforms, like dim_content), and the first day its daily history has
    select
        platform,
        account_id,
        content_id,
        content_key,
        {{ shortform.platform_day_of('platform', 'published_at') }} as published_date,
        first_history_date
    from (
        select
            all_days.*,
            min(metric_date) over (partition by content_key) as first_history_date,
            row_number() over (partition by content_key order by metric_date desc) as recency_rank
        from all_days
    ) as ranked
    where recency_rank = 1

),

{% if is_incremental() -%}
-- per account, the oldest day with an upstream row landed or changed since the last build
changed_accounts as (

    {% if shortform.watermark_exists() -%}
    select platform, account_id, min(metric_date) as changed_from
    from ({{ shortform.content_daily_changed_rows(['platform', 'account_id', 'metric_date']) }}) as changed_rows
    group by platform, account_id
    {%- else -%}
    select platform, account_id, cast('1900-01-01' as date) as changed_from
    from all_days
    group by platform, account_id
    {%- endif %}

),

built as (

    select
        content_key,
        max(account_id) as account_id,
        max(published_date) as published_date,
        max(age_days) as last_age
    from {{ this }}
    group by content_key

),

contents as (

    select all_contents.*
    from all_contents
    left join as_of
        on all_contents.platform = as_of.platform
        and all_contents.account_id = as_of.account_id
    left join built
        on all_contents.content_key = built.content_key
    left join changed_accounts
        on all_contents.platform = changed_accounts.platform
        and all_contents.account_id = changed_accounts.account_id
    where built.content_key is null
        or built.account_id <> all_contents.account_id
        or built.published_date <> all_contents.published_date
        or built.last_age <> least({{ max_age }}, {{ shortform.days_between('all_contents.published_date', 'as_of.latest_metric_date') }})
        or as_of.latest_metric_date is null
        or changed_accounts.changed_from <= {{ shortform.add_days('all_contents.published_date', max_age) }}
        {% if shortform.cache_exists('inputs') -%}
        or (select max(digest) from {{ shortform.cache_relation('inputs') }})
            is distinct from ({{ shortform.views_definitions_digest() }})
        {%- else -%}
        or true  /* no record of the views definitions the rows were built with */
        {%- endif %}

),
{%- else -%}
contents as (

    select * from all_contents

),
{%- endif %}

lifetime_days as (

    select
        content_key,
        metric_date,
        is_observed,
        views_cumulative,
        likes_cumulative + comments_cumulative + shares_cumulative + coalesce(saves_cumulative, 0) as engagements_cumulative,
        watch_seconds_cumulative,
        views_basis
    from {{ ref('int_content_daily_derived') }}
    {% if is_incremental() -%}
    where content_key in (select content_key from contents)
    {%- endif %}

),

youtube_days as (

    select
        content_key,
        metric_date,
        views,
        likes + comments + shares + coalesce(saves, 0) as engagements,
        watch_seconds,
        views_basis
    from {{ ref('int_youtube_daily') }}
    {% if is_incremental() -%}
    where content_key in (select content_key from contents)
    {%- endif %}

),

ages as (

    select generated_number - 1 as age_days
    from ({{ dbt.generate_series(max_age + 1) }}) as series

),

-- the platform's views definition valid on each day (seeds/metric_definitions.csv)
views_definitions as (

    select platform, definition_key, valid_from, valid_to
    from {{ ref('metric_definitions') }}
    where metric = 'views'

),

-- days on which a YouTube channel has at least one Analytics row: a day without any row for the
-- whole channel was not pulled (unknown), unlike one video's missing row (0 that day)
youtube_channel_days as (

    select distinct account_id, metric_date
    from {{ ref('int_youtube_daily') }}

),

grid as (

    select
        contents.platform,
        contents.account_id,
        contents.content_id,
        contents.content_key,
        contents.published_date,
        contents.first_history_date,
        ages.age_days,
        {{ shortform.add_days('contents.published_date', 'ages.age_days') }} as metric_date,
        as_of.data_as_of_date
    from contents
    inner join as_of
        on contents.platform = as_of.platform
        and contents.account_id = as_of.account_id
    inner join ages
        on ages.age_days <= {{ shortform.days_between('contents.published_date', 'as_of.latest_metric_date') }}

),

grid_with_basis as (

    select
        grid.*,
        views_definitions.definition_key as day_basis
    from grid
    left join views_definitions
        on grid.platform = views_definitions.platform
        and (views_definitions.valid_from is null or views_definitions.valid_from <= grid.metric_date)
        and (views_definitions.valid_to is null or views_definitions.valid_to >= grid.metric_date)

),

lifetime_values as (

    select
        grid.platform, grid.account_id, grid.content_id, grid.content_key, grid.published_date,
        grid.age_days, grid.metric_date, grid.data_as_of_date,
        lifetime_days.views_cumulative,
        lifetime_days.engagements_cumulative,
        lifetime_days.watch_seconds_cumulative,
        coalesce(lifetime_days.is_observed, false) and lifetime_days.views_cumulative is not null as is_exact,
        -- the observed row's own definition; where unknown, the definition valid that day
        coalesce(lifetime_days.views_basis, grid.day_basis) as views_basis
    from grid_with_basis as grid
    left join lifetime_days
        on grid.content_key = lifetime_days.content_key
        and grid.metric_date = lifetime_days.metric_date
    where grid.platform <> 'youtube'

),

youtube_running as (

    select
        grid.*,
        grid.first_history_date = grid.published_date as has_full_history,
        {%- set running = 'over (partition by grid.content_key order by grid.age_days rows between unbounded preceding and current row)' %}
        sum(coalesce(youtube_days.views, 0)) {{ running }} as views_sum,
        sum(coalesce(youtube_days.engagements, 0)) {{ running }} as engagements_sum,
        sum(coalesce(youtube_days.watch_seconds, 0)) {{ running }} as watch_seconds_sum,
        sum(case when youtube_channel_days.metric_date is null then 1 else 0 end) {{ running }} as unpulled_days,
        min(grid.day_basis) {{ running }} as first_basis,
        max(grid.day_basis) {{ running }} as last_basis
    from grid_with_basis as grid
    left join youtube_days
        on grid.content_key = youtube_days.content_key
        and grid.metric_date = youtube_days.metric_date
    left join youtube_channel_days
        on grid.account_id = youtube_channel_days.account_id
        and grid.metric_date = youtube_channel_days.metric_date
    where grid.platform = 'youtube'

),

youtube_values as (

    select
        platform, account_id, content_id, content_key, published_date, age_days, metric_date,
        data_as_of_date,
        case when has_full_history and unpulled_days = 0 and first_basis = last_basis then views_sum end as views_cumulative,
        case when has_full_history and unpulled_days = 0 then engagements_sum end as engagements_cumulative,
        case when has_full_history and unpulled_days = 0 then watch_seconds_sum end as watch_seconds_cumulative,
        has_full_history and unpulled_days = 0 and first_basis = last_basis as is_exact,
        day_basis as views_basis
    from youtube_running

),

unioned as (

    select * from lifetime_values
    union all
    select * from youtube_values

),

final as (

    select
        cast(content_key as {{ dbt.type_string() }}) as content_key,
        cast(content_id as {{ dbt.type_string() }}) as content_id,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(published_date as date) as published_date,
        cast(age_days as integer) as age_days,
        cast(metric_date as date) as metric_date,
        cast(views_cumulative as bigint) as views_cumulative,
        cast(engagements_cumulative as bigint) as engagements_cumulative,
        cast(watch_seconds_cumulative as decimal(18, 3)) as watch_seconds_cumulative,
        cast(is_exact as boolean) as is_exact,
        cast(data_as_of_date as date) as data_as_of_date,
        cast({{ shortform.is_final('metric_date', 'data_as_of_date', 'platform') }} as boolean) as is_final,
        cast(views_basis as {{ dbt.type_string() }}) as views_basis
    from unioned

)

select * from final
