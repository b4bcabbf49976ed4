{#
  Nothing is lost or double-counted between lifetime snapshots and daily values: for every
  content, the daily views derived from snapshots add up to the latest lifetime total minus the
  first snapshot's total when that first snapshot could not be split into days
  (derivation 'first_snapshot'), and the last derived row carries the latest lifetime total.
  A change of views definition (views_basis, e.g. Instagram plays -> views) starts a new
  segment: totals of two definitions are not comparable, so the daily views after the latest
  change must add up to the latest total minus the total of the first snapshot on the new basis.
#}

{{ config(meta={"dagster": {"ref": {"name": "fct_content_daily"}}}) }}
{#- Depending on fct_content_daily (not only on the models it reads) makes dagster-dbt attach this
    test to marts/fct_content_daily as a check; severity error makes that check blocking. -#}
-- depends_on: {{ ref('fct_content_daily') }}

with

basis_changes as (

    -- the first snapshot on the current views basis, for content whose basis changed
    select content_key, max(snapshot_date) as basis_start_date
    from (
        select
            content_key,
            snapshot_date,
            views_basis,
            lag(views_basis) over (partition by content_key order by snapshot_date) as prev_views_basis
        from {{ ref('int_snapshots_unioned') }}
    ) as sequenced
    where prev_views_basis <> views_basis
    group by content_key

),

snapshots as (

    select
        unioned.content_key,
        max(basis_changes.basis_start_date) as basis_start_date,
        coalesce(max(basis_changes.basis_start_date), min(unioned.snapshot_date)) as first_snapshot_date,
        max(unioned.snapshot_date) as last_snapshot_date
    from {{ ref('int_snapshots_unioned') }} as unioned
    left join basis_changes
        on unioned.content_key = basis_changes.content_key
    group by unioned.content_key

),

bounds as (

    select
        snapshots.content_key,
        snapshots.basis_start_date,
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
        days.content_key,
        sum(case
            when bounds.basis_start_date is null or days.metric_date > bounds.basis_start_date then days.views
        end) as daily_views,
        max(case
            when days.derivation = 'first_snapshot' or bounds.basis_start_date is not null then 1 else 0
        end) as starts_unknown,
        max(days.metric_date) as last_metric_date
    from {{ ref('int_content_daily_derived') }} as days
    inner join bounds
        on days.content_key = bounds.content_key
    group by days.content_key

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
