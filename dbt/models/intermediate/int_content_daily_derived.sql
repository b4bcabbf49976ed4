{#
  Rule 1 of the architecture: lifetime totals are snapshots, not days. Consecutive lifetime
  snapshots of one content become daily values (one row per content per UTC day):

  (a) first snapshot, content published ON the snapshot date (UTC): the day's value is the
      snapshot itself (delta from zero); derivation 'snapshot_delta', complete.
  (b) first snapshot, content published BEFORE it: history cannot be backfilled, so one row on
      the snapshot date with null daily values; derivation 'first_snapshot', incomplete;
      cumulative values kept.
  (c) snapshots one day apart: the delta; 'snapshot_delta', complete.
  (d) a gap of N days (N-1 missed snapshot days): the delta is spread evenly over the N days
      ending on the snapshot date, integer-safe (truncating division; the remainder goes on the
      last day, so the N values sum exactly to the delta); 'snapshot_spread', incomplete.
      watch_seconds is spread in whole milliseconds for the same reason.
  (e) a negative delta (downward restatement by the platform) is kept negative and the rows of
      that interval are flagged is_restated_down.

  (f) a change of views definition between two snapshots (views_basis differs, e.g. Instagram
      `plays` before 2025-04-21 and `views` from then on): the two totals count different events,
      so their difference is not a number of views. views is null on every day of that interval,
      derivation 'basis_change', incomplete; the other metrics keep their deltas.

  reach is not additive: only reach_cumulative (lifetime unique reach as of the day) is kept, and
  only on observed snapshot days (null on spread days, where it is unknown).
  *_cumulative (views, likes, comments, shares, saves, watch_seconds) are the lifetime totals as of
  the end of the day: the snapshot itself on snapshot days (is_observed, exact even when tracking
  started after publication), prior snapshot + spread values on the missed days of a gap
  (interpolated, is_observed false). views_cumulative is null on the missed days of a
  basis_change interval (no honest interpolation between two definitions).
#}

{#
  Incremental (issue 7): a row depends only on its content's snapshot and the one before it. An
  incremental run recomputes the rows of every snapshot dated on or after cutoff_date: the oldest
  snapshot landed or changed since the last build (staging pulled_at >= the newest pulled_at built;
  a late-arriving snapshot also changes the interval of the snapshot after it, which is later, so
  it is included), and never later than var incremental_lookback_days (a small margin, see
  dbt_project.yml) before the newest snapshot built. Each content's newest snapshot before
  cutoff_date is read too, as the `lag` anchor of its first recomputed interval (exact after a gap
  of any length), but its own rows are not rewritten.
  Rows are keyed by (content_key, metric_date) for merge (DuckDB); on Spark the date partitions
  are snapshot_date (the snapshot that produced the row), so every overwritten partition is whole.
#}
{{ config(**shortform.incremental_config(['content_key', 'metric_date'], 'snapshot_date')) }}

{%- set additive = ['views', 'likes', 'comments', 'shares', 'saves', 'watch_ms'] -%}
{%- set by_content = 'over (partition by content_key order by snapshot_date)' -%}

with

snapshots_all as (

    select
        platform,
        surface,
        account_id,
        content_id,
        content_key,
        published_at,
        snapshot_date,
        views_cumulative,
        reach_cumulative,
        likes_cumulative,
        comments_cumulative,
        shares_cumulative,
        saves_cumulative,
        cast(watch_seconds_cumulative * 1000 as bigint) as watch_ms_cumulative,
        views_basis,
        pulled_at
    from {{ ref('int_snapshots_unioned') }}

),

bounds as (

    {% if is_incremental() -%}
    select
        coalesce(least(
            (
                select min(snapshot_date)
                from snapshots_all
                where pulled_at >= (select max(pulled_at) from {{ this }})
            ),
            (
                select {{ shortform.add_days('max(snapshot_date)', '-' ~ (var('incremental_lookback_days') | int)) }}
                from {{ this }}
            )
        ), cast('1900-01-01' as date)) as cutoff_date
    {%- else -%}
    select cast('1900-01-01' as date) as cutoff_date
    {%- endif %}

),

anchors as (

    select snapshots_all.content_key, max(snapshots_all.snapshot_date) as anchor_date
    from snapshots_all
    cross join bounds
    where snapshots_all.snapshot_date < bounds.cutoff_date
    group by snapshots_all.content_key

),

snapshots as (

    select snapshots_all.*
    from snapshots_all
    cross join bounds
    where snapshots_all.snapshot_date >= bounds.cutoff_date

    union all

    select snapshots_all.*
    from snapshots_all
    inner join anchors
        on snapshots_all.content_key = anchors.content_key
        and snapshots_all.snapshot_date = anchors.anchor_date

),

sequenced as (

    select
        snapshots.*,
        lag(snapshot_date) {{ by_content }} as prev_snapshot_date,
        lag(views_basis) {{ by_content }} as prev_views_basis,
        {%- for metric in additive %}
        lag({{ metric }}_cumulative) {{ by_content }} as prev_{{ metric }}_cumulative,
        {%- endfor %}
        case
            when published_at is null then false
            else cast(published_at as date) >= snapshot_date
        end as is_published_by_snapshot_date
    from snapshots

),

intervals as (

    select
        sequenced.*,
        case
            when prev_snapshot_date is null and is_published_by_snapshot_date then 'snapshot_delta'
            when prev_snapshot_date is null then 'first_snapshot'
            when prev_views_basis <> views_basis then 'basis_change'
            when {{ shortform.days_between('prev_snapshot_date', 'snapshot_date') }} = 1 then 'snapshot_delta'
            else 'snapshot_spread'
        end as derivation,
        coalesce(prev_views_basis <> views_basis, false) as is_basis_change,
        case
            when prev_snapshot_date is null then 1
            else {{ shortform.days_between('prev_snapshot_date', 'snapshot_date') }}
        end as span_days,
        {%- for metric in additive %}
        case
            {%- if metric == 'views' %}
            when coalesce(prev_views_basis <> views_basis, false) then null
            {%- endif %}
            when prev_snapshot_date is not null then {{ metric }}_cumulative - prev_{{ metric }}_cumulative
            when is_published_by_snapshot_date then {{ metric }}_cumulative
        end as {{ metric }}_delta{{ ',' if not loop.last }}
        {%- endfor %}
    from sequenced

),

flagged as (

    select
        intervals.*,
        (
            {%- for metric in additive %}
            coalesce({{ metric }}_delta < 0, false){{ ' or' if not loop.last }}
            {%- endfor %}
        ) as is_restated_down
    from intervals

),

day_offsets as (

    select generated_number - 1 as day_offset
    from ({{ dbt.generate_series(var('max_spread_days')) }}) as series

),

expanded as (

    select
        flagged.*,
        day_offsets.day_offset,
        day_offsets.day_offset = flagged.span_days - 1 as is_snapshot_day,
        {{ shortform.add_days('flagged.snapshot_date', 'day_offsets.day_offset - (flagged.span_days - 1)') }} as metric_date
    from flagged
    inner join day_offsets
        on day_offsets.day_offset < flagged.span_days

),

daily as (

    select
        platform,
        surface,
        account_id,
        content_id,
        content_key,
        published_at,
        metric_date,
        snapshot_date,
        derivation,
        derivation = 'snapshot_delta' as is_complete,
        is_restated_down,
        {%- for metric in additive %}
        case
            when is_snapshot_day
                then {{ metric }}_delta - (span_days - 1) * {{ shortform.int_div(metric ~ '_delta', 'span_days') }}
            else {{ shortform.int_div(metric ~ '_delta', 'span_days') }}
        end as {{ metric }},
        {%- endfor %}
        {%- for metric in additive %}
        case
            when is_snapshot_day then {{ metric }}_cumulative
            else prev_{{ metric }}_cumulative + (day_offset + 1) * {{ shortform.int_div(metric ~ '_delta', 'span_days') }}
        end as {{ metric }}_cumulative,
        {%- endfor %}
        is_snapshot_day as is_observed,
        case when is_snapshot_day then reach_cumulative end as reach_cumulative,
        -- the missed days of a basis_change interval dated before the new definition existed
        -- belong to the old one (views is null on them either way); Instagram's 2025-04-21
        -- switch is the only definition change of a lifetime total
        case
            when derivation = 'basis_change' and not is_snapshot_day
                and views_basis = 'instagram.views'
                and metric_date < {{ shortform.instagram_views_from() }} then prev_views_basis
            else views_basis
        end as views_basis,
        pulled_at
    from expanded

),

final as (

    select
        platform,
        surface,
        account_id,
        content_id,
        content_key,
        published_at,
        cast(metric_date as date) as metric_date,
        snapshot_date,
        derivation,
        is_complete,
        is_restated_down,
        cast(views as bigint) as views,
        cast(likes as bigint) as likes,
        cast(comments as bigint) as comments,
        cast(shares as bigint) as shares,
        cast(saves as bigint) as saves,
        cast(cast(watch_ms as decimal(18, 0)) * 0.001 as decimal(18, 3)) as watch_seconds,
        cast(views_cumulative as bigint) as views_cumulative,
        cast(likes_cumulative as bigint) as likes_cumulative,
        cast(comments_cumulative as bigint) as comments_cumulative,
        cast(shares_cumulative as bigint) as shares_cumulative,
        cast(saves_cumulative as bigint) as saves_cumulative,
        cast(cast(watch_ms_cumulative as decimal(18, 0)) * 0.001 as decimal(18, 3)) as watch_seconds_cumulative,
        is_observed,
        cast(reach_cumulative as bigint) as reach_cumulative,
        views_basis,
        cast(pulled_at as timestamp) as pulled_at
    from daily
    where snapshot_date >= (select cutoff_date from bounds)

)

select * from final
