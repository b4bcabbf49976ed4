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

per_content as (

    select
        content_key,
        min(snapshot_date) as first_any_date,
        max(snapshot_date) as last_snapshot_date,
        min(views_basis) <> max(views_basis) as basis_varies
    from {{ ref('int_snapshots_unioned') }}
    group by content_key

),

basis_changes as (

    -- the first snapshot on the current views basis, for content whose basis changed. Few do:
    -- the window (a sort of every snapshot, most of this test's time when it ran on all of them)
    -- runs on their snapshots only.
    select content_key, max(snapshot_date) as basis_start_date
    from (
        select
            unioned.content_key,
            unioned.snapshot_date,
            unioned.views_basis,
            lag(unioned.views_basis) over (
                partition by unioned.content_key order by unioned.snapshot_date
            ) as prev_views_basis
        from {{ ref('int_snapshots_unioned') }} as unioned
        inner join per_content
            on unioned.content_key = per_content.content_key
            and per_content.basis_varies
    ) as sequenced
    where prev_views_basis <> views_basis
    group by content_key

),

dates as (

    select
        per_content.content_key,
        basis_changes.basis_start_date,
        coalesce(basis_changes.basis_start_date, per_content.first_any_date) as first_snapshot_date,
        per_content.last_snapshot_date
    from per_content
    left join basis_changes
        on per_content.content_key = basis_changes.content_key

),

bounds as (

    -- the lifetime totals at the first and the last of those dates, in one more pass
    select
        dates.content_key,
        max(dates.basis_start_date) as basis_start_date,
        max(case when unioned.snapshot_date = dates.first_snapshot_date then unioned.views_cumulative end)
            as first_views,
        max(case when unioned.snapshot_date = dates.last_snapshot_date then unioned.views_cumulative end)
            as last_views
    from dates
    inner join {{ ref('int_snapshots_unioned') }} as unioned
        on dates.content_key = unioned.content_key
        and unioned.snapshot_date in (dates.first_snapshot_date, dates.last_snapshot_date)
    group by dates.content_key

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
