{#
  Post-hooks of the incremental fct_content_daily (DuckDB; nothing on Spark, where it is a table;
  content_daily_sync_as_of serves int_content_daily_cumulative too, and the same-age models have
  their own below). An incremental run merges the rows of the changed days only; these bring every other row's
  columns that come from elsewhere to what a full build gives:
  - data_as_of_date and is_final, from the account's latest pull (int_content_daily_as_of): they
    move on every row of an account each day it is pulled (~0.3 s for 8 M rows);
  - reporting_date, from the day and the reporting zone (var reporting_timezone may differ from
    the last build's);
  - brand and days_since_publish, from dim_content (a brand re-mapped in accounts.yml, a
    publication time corrected by the platform);
  - rows of contents no longer upstream (a YouTube video whose latest snapshot says it is not a
    Short any more) are deleted.
  Each statement touches only rows that differ. tests/dbt/test_incremental.py compares every table
  of an incremental build with a full one.
#}

{% macro content_daily_sync_as_of() -%}
    {%- if target.type != 'spark' -%}
    {%- set final = shortform.is_final('t.metric_date', 'a.data_as_of_date', 't.platform') -%}
    update {{ this }} as t
    set data_as_of_date = a.data_as_of_date,
        is_final = cast({{ final }} as boolean)
    from (
        select platform, account_id, data_as_of_date from {{ ref('int_content_daily_as_of') }}
        union all
        -- accounts no longer there: what the full build's left join gives (null, not final)
        select distinct t0.platform, t0.account_id, cast(null as date)
        from {{ this }} as t0
        where not exists (
            select 1 from {{ ref('int_content_daily_as_of') }} as a0
            where a0.platform = t0.platform and a0.account_id = t0.account_id
        )
    ) as a
    where t.platform = a.platform
        and t.account_id = a.account_id
        and (t.data_as_of_date is distinct from a.data_as_of_date
             or t.is_final is distinct from cast({{ final }} as boolean))
    {%- endif -%}
{%- endmacro %}

{% macro content_daily_sync_contents() -%}
    {%- if target.type != 'spark' -%}
    {%- set age = 'cast(' ~ shortform.days_between('c.published_date', 't.metric_date') ~ ' as integer)' -%}
    update {{ this }} as t
    set brand = c.brand,
        days_since_publish = {{ age }}
    from (
        select keys.content_key, contents.brand, contents.published_date
        from (select distinct content_key from {{ this }}) as keys
        left join {{ ref('dim_content') }} as contents
            on keys.content_key = contents.content_key
    ) as c
    where t.content_key = c.content_key
        and (t.brand is distinct from c.brand or t.days_since_publish is distinct from {{ age }})
    {%- endif -%}
{%- endmacro %}

{% macro content_daily_delete_vanished() -%}
    {%- if target.type != 'spark' -%}
    delete from {{ this }}
    where content_key not in ({{ shortform.content_daily_keys() }})
    {%- endif -%}
{%- endmacro %}

{% macro content_daily_sync_reporting_date() -%}
    {%- if target.type != 'spark' -%}
    {%- set zone = shortform.platform_source_timezone('t.platform') -%}
    update {{ this }} as t
    set reporting_date = r.reporting_date
    from ({{ shortform.reporting_days(this, 'metric_date', shortform.platform_source_timezone('platform')) }}) as r
    where t.metric_date = r.source_date
        and {{ zone }} = r.source_timezone
        and t.reporting_date is distinct from r.reporting_date
    {%- endif -%}
{%- endmacro %}

{#
  int_content_daily_cumulative (incremental on DuckDB): delete the rows a full build would not
  have: contents no longer upstream, accounts without an as-of row, and days after the account's
  latest metric day (the grid's last age; the recomputed contents are replaced whole before).
#}
{% macro content_age_delete_vanished() -%}
    {%- if target.type != 'spark' -%}
    delete from {{ this }} as t
    where not exists (
            select 1
            from {{ ref('int_content_daily_as_of') }} as a
            where a.platform = t.platform
                and a.account_id = t.account_id
                and t.metric_date <= a.latest_metric_date
        )
        or t.content_key not in ({{ shortform.content_daily_keys() }})
    {%- endif -%}
{%- endmacro %}

{# One row per content: its row count and the XOR of its rows' hashes over `columns` (DuckDB). #}
{% macro content_fingerprints(relation, columns) -%}
    select
        content_key,
        count(*) as row_count,
        bit_xor(hash({{ columns | join(', ') }})) as row_hash
    from {{ relation }}
    group by content_key
{%- endmacro %}

{#
  fct_content_age (incremental on DuckDB), three post-hooks: delete the contents no longer in
  int_content_daily_cumulative or dim_content (the full build's inner join); bring is_final (from
  the upstream row of the same age), then brand and surface (from dim_content), to the full
  build's values on the rows that differ.
#}
{% macro content_age_delete_vanished_contents() -%}
    {%- if target.type != 'spark' -%}
    delete from {{ this }} as t
    where t.content_key not in (
        select upstream.content_key
        from (select distinct content_key from {{ ref('int_content_daily_cumulative') }}) as upstream
        inner join {{ ref('dim_content') }} as contents
            on upstream.content_key = contents.content_key
    )
    {%- endif -%}
{%- endmacro %}

{% macro content_age_sync_final() -%}
    {%- if target.type != 'spark' -%}
    update {{ this }} as t
    set is_final = u.is_final
    from {{ ref('int_content_daily_cumulative') }} as u
    where t.content_key = u.content_key
        and t.age_days = u.age_days
        and t.is_final is distinct from u.is_final
    {%- endif -%}
{%- endmacro %}

{% macro content_age_sync_contents() -%}
    {%- if target.type != 'spark' -%}
    update {{ this }} as t
    set brand = c.brand,
        surface = c.surface
    from {{ ref('dim_content') }} as c
    where t.content_key = c.content_key
        and (t.brand is distinct from c.brand or t.surface is distinct from c.surface)
    {%- endif -%}
{%- endmacro %}

{#
  int_content_daily_cumulative: a digest of the views definitions (seeds/metric_definitions.csv)
  its rows were built with. A post-hook keeps it in cache.<model>__inputs; an incremental run that
  finds another digest recomputes every content (a definition added or moved changes views_basis
  and the nulls of views on any day).
#}
{% macro views_definitions_digest() -%}
    select md5(coalesce(string_agg(
        platform || '|' || definition_key || '|' || coalesce(cast(valid_from as varchar), '') || '|'
            || coalesce(cast(valid_to as varchar), ''),
        ';' order by platform, definition_key, valid_from), '')) as digest
    from {{ ref('metric_definitions') }}
    where metric = 'views'
{%- endmacro %}

{% macro store_views_definitions_digest() -%}
    {%- if target.type != 'spark' -%}
    create or replace table {{ shortform.cache_relation('inputs') }} as
    {{ shortform.views_definitions_digest() }}
    {%- endif -%}
{%- endmacro %}

{#
  The two tables under the daily rows (int_content_daily_unioned is a view over them): the
  watermark sources of fct_content_daily and int_content_daily_cumulative.
#}
{% macro content_daily_sources() -%}
    {%- do return([ref('int_content_daily_derived'), ref('stg_youtube__video_days')]) -%}
{%- endmacro %}

{# `columns` of the rows of those tables landed or changed since this model's watermark #}
{% macro content_daily_changed_rows(columns) -%}
    select {{ columns | join(', ') }}
    from (
        {%- for relation in shortform.content_daily_sources() %}
        select {{ columns | join(', ') }}, pulled_at from {{ relation }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ) as sources
    where pulled_at >= (select max(built_through) from {{ shortform.watermark_relation() }})
{%- endmacro %}

{# every content with daily rows: those of the two tables' readers int_content_daily_derived and int_youtube_daily #}
{% macro content_daily_keys() -%}
    select content_key from {{ ref('int_content_daily_derived') }}
    union
    select content_key from {{ ref('int_youtube_daily') }}
{%- endmacro %}
