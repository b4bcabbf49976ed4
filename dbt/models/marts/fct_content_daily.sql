{#
  One row per content per day (platform day basis: UTC for TikTok / Instagram / Facebook, Pacific
  time for YouTube Shorts). Daily values are derived from lifetime snapshots (TikTok, Instagram,
  Facebook; see int_content_daily_derived) or read from YouTube Analytics daily rows.
  Maturity: is_final once metric_date is older than the platform's restatement window (var
  restatement_window_days) as seen from the account's latest pull (data_as_of_date).
  Reporting day: source_timezone is the zone of metric_date (UTC, or America/Los_Angeles for
  YouTube); reporting_date is the reporting-zone day (var reporting_timezone) of the source day's
  midpoint.

  Incremental (issue 7; DuckDB, a table on Spark): a run merges, by (content_key, metric_date), the
  rows of every day on or after the oldest day that has an upstream row landed or changed since
  the last build (pulled_at >= the watermark: new snapshots, restated days, late snapshots, whose
  later rows change too), plus every row of a content new to the mart. The other rows' as-of,
  reporting day, brand and age columns are then synced and vanished contents deleted (macros/content_daily_sync.sql).
#}

{{ config(
    post_hook=[
        "{{ shortform.content_daily_sync_as_of() }}",
        "{{ shortform.content_daily_sync_reporting_date() }}",
        "{{ shortform.content_daily_sync_contents() }}",
        "{{ shortform.content_daily_delete_vanished() }}",
        "{{ shortform.store_watermark(shortform.content_daily_sources()) }}",
    ],
    **shortform.incremental_mart_config(['content_key', 'metric_date'])
) }}

with

upstream as (

    select * from {{ ref('int_content_daily_unioned') }}

),

{% if is_incremental() -%}
-- the oldest day with a row landed or changed since the last build, read from the two tables the
-- view above unions (int_content_daily_unioned computes YouTube's running sums over every day)
changed as (

    {% if shortform.watermark_exists() -%}
    select coalesce(min(metric_date), cast('9999-12-31' as date)) as cutoff_date
    from ({{ shortform.content_daily_changed_rows(['metric_date']) }}) as changed_rows
    {%- else -%}
    select cast('1900-01-01' as date) as cutoff_date
    {%- endif %}

),

-- every content upstream is in dim_content (its snapshots, or its latest videos.list snapshot)
new_contents as (

    select content_key from {{ ref('dim_content') }}
    except
    select distinct content_key from {{ this }}

),

daily as (

    select upstream.*
    from upstream
    cross join changed
    where upstream.metric_date >= changed.cutoff_date
        or upstream.content_key in (select content_key from new_contents)

),
{%- else -%}
daily as (

    select * from upstream

),
{%- endif %}

contents as (

    select * from {{ ref('dim_content') }}

),

as_of as (

    select * from {{ ref('int_content_daily_as_of') }}

),

reporting_days as (

    {{ shortform.reporting_days('daily', 'metric_date', shortform.platform_source_timezone('platform')) }}

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
        cast(daily.views_basis as {{ dbt.type_string() }}) as views_basis,
        cast({{ shortform.platform_source_timezone('daily.platform') }} as {{ dbt.type_string() }}) as source_timezone,
        cast(reporting_days.reporting_date as date) as reporting_date,
        cast(as_of.data_as_of_date as date) as data_as_of_date,
        cast({{ shortform.is_final('daily.metric_date', 'as_of.data_as_of_date', 'daily.platform') }} as boolean) as is_final
    from daily
    left join contents
        on daily.content_key = contents.content_key
    left join as_of
        on daily.platform = as_of.platform
        and daily.account_id = as_of.account_id
    left join reporting_days
        on daily.metric_date = reporting_days.source_date
        and {{ shortform.platform_source_timezone('daily.platform') }} = reporting_days.source_timezone

)

select * from final
