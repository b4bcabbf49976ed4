{#
  Nothing is lost or double-counted between lifetime snapshots and daily values: for every
  content, the daily views derived from snapshots add up to the latest lifetime total minus the
  first snapshot's total when that first snapshot could not be split into days
  (derivation 'first_snapshot'), and the last derived row carries the latest lifetime total.
#}

{{ config(meta={"dagster": {"ref": {"name": "fct_content_daily"}}}) }}
{#- Depending on fct_content_daily (not only on the models it reads) makes dagster-dbt attach this
    test to marts/fct_content_daily as a check; severity error makes that check blocking. -#}
-- depends_on: {{ ref('fct_content_daily') }}

with

snapshots as (

    select
        content_key,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date
    from {{ ref('int_snapshots_unioned') }}
    group by content_key

),

bounds as (

    select
        snapshots.content_key,
        first_snap.views_cumulative as first_views,
        last_snap.views_cumulative as last_views
    from snapshots
    inner join {{ ref('int_snapshots_unioned') }} as first_snap
        on snapshots.content_key = first_snap.content_key
        and snapshots.first_snapshot_date = first_snap.snapshot_date
    inner join {{ ref('int_snapshots_unioned') }} as last_snap
        on snapshots.content_key = last_snap.content_key
        and snapshots.last_snapshot_date = last_snap.snapshot_date

),

derived as (

    select
        content_key,
        sum(views) as daily_views,
        max(case when derivation = 'first_snapshot' then 1 else 0 end) as starts_unknown,
        max(metric_date) as last_metric_date
    from {{ ref('int_content_daily_derived') }}
    group by content_key

)

select
    bounds.content_key,
    bounds.first_views,
    bounds.last_views,
    derived.daily_views,
    derived.starts_unknown
from bounds
left join derived
    on bounds.content_key = derived.content_key
where bounds.last_views is not null
    and (
        derived.content_key is null
        or coalesce(derived.daily_views, 0)
            <> bounds.last_views - case when derived.starts_unknown = 1 then bounds.first_views else 0 end
    )
