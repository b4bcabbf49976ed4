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
#}

with

ages as (

    select * from {{ ref('int_content_daily_cumulative') }}

),

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
