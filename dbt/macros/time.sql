{#
  Time conversions. Every *_at column is a naive TIMESTAMP holding UTC.
  Defaults are DuckDB (ICU time zones are built in); spark__ versions are for the Spark port.
#}

{# An ISO-8601 / RFC 3339 text with an offset ("2026-10-01T12:00:00+0000",
   "2026-10-01T12:00:00Z") -> UTC timestamp, independent of the session time zone. #}
{% macro iso_text_to_utc_timestamp(value) -%}
    {{ return(adapter.dispatch('iso_text_to_utc_timestamp', 'shortform')(value)) }}
{%- endmacro %}

{% macro default__iso_text_to_utc_timestamp(value) -%}
    timezone('UTC', cast({{ value }} as timestamptz))
{%- endmacro %}

{% macro spark__iso_text_to_utc_timestamp(value) -%}
    to_utc_timestamp(to_timestamp({{ value }}), current_timezone())
{%- endmacro %}


{# Epoch seconds (a bigint expression) -> UTC timestamp. #}
{% macro epoch_seconds_to_utc_timestamp(value) -%}
    {{ return(adapter.dispatch('epoch_seconds_to_utc_timestamp', 'shortform')(value)) }}
{%- endmacro %}

{% macro default__epoch_seconds_to_utc_timestamp(value) -%}
    make_timestamp(cast({{ value }} as bigint) * 1000000)
{%- endmacro %}

{% macro spark__epoch_seconds_to_utc_timestamp(value) -%}
    to_utc_timestamp(timestamp_seconds({{ value }}), current_timezone())
{%- endmacro %}


{# The calendar date, in IANA zone `tz` (a quoted literal, e.g. "'America/Los_Angeles'"), of a UTC
   timestamp. #}
{% macro utc_timestamp_to_local_date(value, tz) -%}
    {{ return(adapter.dispatch('utc_timestamp_to_local_date', 'shortform')(value, tz)) }}
{%- endmacro %}

{% macro default__utc_timestamp_to_local_date(value, tz) -%}
    cast(timezone({{ tz }}, timezone('UTC', {{ value }})) as date)
{%- endmacro %}

{% macro spark__utc_timestamp_to_local_date(value, tz) -%}
    cast(from_utc_timestamp({{ value }}, {{ tz }}) as date)
{%- endmacro %}


{# ISO-8601 duration ("PT45S", "PT1M30S", "PT1H2M3S", "P1DT2H", "P0D") -> whole seconds.
   Null when the text is not a duration of that form (a not_null test then fails loudly). #}
{% macro iso8601_duration_to_seconds(value) -%}
    case
        when {{ shortform.matches_pattern(value, 'P([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?') }}
            and {{ value }} not in ('P', 'PT')
        then
              coalesce(cast(nullif(regexp_extract({{ value }}, 'P([0-9]+)D', 1), '') as bigint), 0) * 86400
            + coalesce(cast(nullif(regexp_extract({{ value }}, 'T([0-9]+)H', 1), '') as bigint), 0) * 3600
            + coalesce(cast(nullif(regexp_extract({{ value }}, 'T(?:[0-9]+H)?([0-9]+)M', 1), '') as bigint), 0) * 60
            + coalesce(cast(nullif(regexp_extract({{ value }}, '([0-9]+)S', 1), '') as bigint), 0)
    end
{%- endmacro %}


{# ISO week label 'YYYY-Www' (ISO year, Monday-based weeks) of a date. #}
{% macro iso_week_label(value) -%}
    {{ return(adapter.dispatch('iso_week_label', 'shortform')(value)) }}
{%- endmacro %}

{% macro default__iso_week_label(value) -%}
    strftime({{ value }}, '%G-W%V')
{%- endmacro %}

{% macro spark__iso_week_label(value) -%}
    concat(cast(extract(YEAROFWEEK from {{ value }}) as string), '-W', lpad(cast(weekofyear({{ value }}) as string), 2, '0'))
{%- endmacro %}


{# Monday of the ISO week of a date, as a date. #}
{% macro iso_week_start(value) -%}
    cast({{ dbt.date_trunc('week', value) }} as date)
{%- endmacro %}


{# A date plus n days (n an integer expression), as a date. #}
{% macro add_days(value, n) -%}
    cast({{ dbt.dateadd('day', n, value) }} as date)
{%- endmacro %}


{# Whole days from first_date to second_date. #}
{% macro days_between(first_date, second_date) -%}
    {{ dbt.datediff(first_date, second_date, 'day') }}
{%- endmacro %}


{# The platform day (the day basis of a platform's daily numbers) of a UTC timestamp: the
   America/Los_Angeles date for YouTube (YouTube Analytics days), the UTC date otherwise.
   `platform` is a column or expression holding the platform name. #}
{% macro platform_day_of(platform, value) -%}
    case
        when {{ platform }} = 'youtube'
            then {{ shortform.utc_timestamp_to_local_date(value, "'America/Los_Angeles'") }}
        else cast({{ value }} as date)
    end
{%- endmacro %}


{# The IANA zone of a content platform's day basis (UTC, or America/Los_Angeles for YouTube). #}
{% macro platform_source_timezone(platform) -%}
    case when {{ platform }} = 'youtube' then 'America/Los_Angeles' else 'UTC' end
{%- endmacro %}


{# Days after which a platform no longer restates a day (dbt var restatement_window_days, a map
   platform -> days). Null for a platform the map does not name. #}
{% macro restatement_window_days(platform) -%}
    case {{ platform }}
        {%- for name, days in var('restatement_window_days').items() %}
        when '{{ name }}' then {{ days | int }}
        {%- endfor %}
    end
{%- endmacro %}


{# is_final: the day is older than the platform's restatement window as seen from the account's
   latest pull (data_as_of_date - metric_date > window). False when either date or the window
   is unknown. #}
{% macro is_final(metric_date, data_as_of_date, platform) -%}
    coalesce({{ shortform.days_between(metric_date, data_as_of_date) }} > {{ shortform.restatement_window_days(platform) }}, false)
{%- endmacro %}


{# The reporting zone (dbt var reporting_timezone, default UTC) as a quoted SQL literal. #}
{% macro reporting_timezone() -%}
    '{{ var("reporting_timezone", "UTC") }}'
{%- endmacro %}


{# reporting_date: the date, in the reporting zone, of the source day's midpoint (12:00 in the
   source zone `source_tz`, an IANA zone expression) - the reporting day that overlaps the source
   day most. Noon never falls in a DST gap, and a zone offset up to +-11:59 from the reporting
   zone keeps the same calendar day; further apart (e.g. Pacific/Kiritimati, UTC+14, reported
   in UTC) the source day lands on the neighbouring reporting day. #}
{% macro reporting_date(source_date, source_tz) -%}
    {{ return(adapter.dispatch('reporting_date', 'shortform')(source_date, source_tz)) }}
{%- endmacro %}

{% macro default__reporting_date(source_date, source_tz) -%}
    cast(timezone({{ shortform.reporting_timezone() }}, timezone({{ source_tz }}, cast({{ source_date }} as timestamp) + interval 12 hour)) as date)
{%- endmacro %}

{% macro spark__reporting_date(source_date, source_tz) -%}
    cast(from_utc_timestamp(to_utc_timestamp(cast({{ source_date }} as timestamp) + interval 12 hours, {{ source_tz }}), {{ shortform.reporting_timezone() }}) as date)
{%- endmacro %}


{# reporting_days: the reporting_date of every distinct (source day, source zone) pair of a
   relation, as the body of a CTE (source_date, source_timezone, reporting_date) to join on both.
   The zone conversion costs ~0.5 microseconds a row (two ICU conversions): on the day-grain marts'
   8 M rows that was ~4 s of CPU per build, against well under a second for the distinct pairs (a
   year has ~365 days per zone) and the join. #}
{% macro reporting_days(relation, date_column, timezone_expression) -%}
    select
        source_days.source_date,
        source_days.source_timezone,
        {{ shortform.reporting_date('source_days.source_date', 'source_days.source_timezone') }} as reporting_date
    from (
        select distinct
            {{ date_column }} as source_date,
            {{ timezone_expression }} as source_timezone
        from {{ relation }}
    ) as source_days
{%- endmacro %}
