{#
  Same-age metrics: one row per content x age_days (0 = the publication day on the platform day
  basis: UTC for TikTok / Instagram / Facebook, Pacific time for YouTube), with the CUMULATIVE
  views, engagements and watch time at the end of that day. Compare posts at the same age, not
  over the same calendar week: a 2-day-old post and a 20-day-old post are at different points of
  their growth.
  Ages run up to var content_age_max_days (default 90) and never beyond the data's as-of date.
  Values are null where unknown (before the first snapshot of content tracked after publication;
  YouTube videos whose daily history does not start on the publication day), never zero.
  is_exact: the value was observed (a snapshot, or a complete YouTube daily history), not spread
  over missed snapshot days. See int_content_daily_cumulative for the rules.

  Incremental on DuckDB (session 10; a table on Spark): a run replaces (delete + insert by
  content_key) the rows of every content whose rows in int_content_daily_cumulative differ from
  this table's, found by comparing a per-content fingerprint (row count and XOR of row hashes)
  of the columns read from there, is_final left out. That is self-correcting: it does not depend
  on which contents the upstream's last run recomputed, or on this model having run since. Post-
  hooks then delete contents gone from there or from dim_content, and bring is_final (which moves
  with the account's latest pull), brand, surface and reporting_date to what a full build gives.
#}

{{ config(
    post_hook=[
        "{{ shortform.content_age_delete_vanished_contents() }}",
        "{{ shortform.content_age_sync_final() }}",
        "{{ shortform.content_age_sync_contents() }}",
        "{{ shortform.content_daily_sync_reporting_date() }}",
    ],
    **shortform.incremental_mart_config(['content_key'], 'delete+insert')
) }}

{%- set compared = ['content_id', 'platform', 'account_id', 'published_date', 'age_days', 'metric_date',
                    'views_cumulative', 'engagements_cumulative', 'watch_seconds_cumulative', 'is_exact',
                    'views_basis'] -%}

with

{% if is_incremental() -%}
changed_contents as (

    select upstream.content_key
    from (
        {{ shortform.content_fingerprints(ref('int_content_daily_cumulative'), compared) }}
    ) as upstream
    left join (
        {{ shortform.content_fingerprints(this, compared) }}
    ) as built
        on upstream.content_key = built.content_key
    where built.content_key is null
        or built.row_count <> upstream.row_count
        or built.row_hash <> upstream.row_hash

),

ages as (

    select *
    from {{ ref('int_content_daily_cumulative') }}
    where content_key in (select content_key from changed_contents)

),
{%- else -%}
ages as (

    select * from {{ ref('int_content_daily_cumulative') }}

),
{%- endif %}

contents as (

    select * from {{ ref('dim_content') }}

),

reporting_days as (

    {{ shortform.reporting_days('ages', 'metric_date', shortform.platform_source_timezone('platform')) }}

),

final as (

    select
        cast(ages.content_key as {{ dbt.type_string() }}) as content_key,
        cast(ages.content_id as {{ dbt.type_string() }}) as content_id,
        cast(ages.platform as {{ dbt.type_string() }}) as platform,
        cast(contents.surface as {{ dbt.type_string() }}) as surface,
        cast(contents.brand as {{ dbt.type_string() }}) as brand,
        cast(ages.account_id as {{ dbt.type_string() }}) as account_id,
        cast(ages.published_date as date) as published_date,
        cast(ages.age_days as integer) as age_days,
        cast(ages.metric_date as date) as metric_date,
        cast(ages.views_cumulative as bigint) as views_cumulative,
        cast(ages.engagements_cumulative as bigint) as engagements_cumulative,
        cast(ages.watch_seconds_cumulative as decimal(18, 3)) as watch_seconds_cumulative,
        cast(ages.is_exact as boolean) as is_exact,
        cast(ages.is_final as boolean) as is_final,
        cast(ages.views_basis as {{ dbt.type_string() }}) as views_basis,
        cast({{ shortform.platform_source_timezone('ages.platform') }} as {{ dbt.type_string() }}) as source_timezone,
        cast(reporting_days.reporting_date as date) as reporting_date
    from ages
    inner join contents
        on ages.content_key = contents.content_key
    left join reporting_days
        on ages.metric_date = reporting_days.source_date
        and {{ shortform.platform_source_timezone('ages.platform') }} = reporting_days.source_timezone

)

select * from final
