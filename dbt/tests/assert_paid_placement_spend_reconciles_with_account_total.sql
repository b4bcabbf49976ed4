{#
  Reels + non-Reels placement spend reconciles with the account total within the tolerance
  (var spend_reconciliation_tolerance, 0.5 %): per account and account-local day, the spend of
  fct_ad_daily's Reels placements (instagram_reels, facebook_reels) plus its other placements
  equals the total spend of every row the ads API reported (staging, before the surface mapping,
  the currency lookup and any join), in the account currency and, converted at the day's rate,
  in the reporting currency (where rows are rounded to cents one by one).
  A placement dropped, duplicated or mis-mapped on the way to the mart fails this test.
#}

{{ config(meta={"dagster": {"ref": {"name": "fct_ad_daily"}}}) }}

{%- set tolerance = var('spend_reconciliation_tolerance', 0.005) -%}

with

reported as (

    select platform, account_id, metric_date, sum(spend_local) as total_spend_local
    from {{ ref('stg_tiktok_ads__ad_days') }}
    group by platform, account_id, metric_date

    union all

    select platform, account_id, metric_date, sum(spend_local) as total_spend_local
    from {{ ref('stg_meta_ads__ad_days') }}
    group by platform, account_id, metric_date

),

mart as (

    select
        platform,
        account_id,
        metric_date,
        sum(case when is_reels_placement then spend_local else 0 end) as reels_spend_local,
        sum(case when not is_reels_placement then spend_local else 0 end) as other_spend_local,
        sum(spend_reporting) as spend_reporting,
        max(fx_rate) as fx_rate
    from {{ ref('fct_ad_daily') }}
    group by platform, account_id, metric_date

),

compared as (

    select
        reported.platform,
        reported.account_id,
        reported.metric_date,
        reported.total_spend_local,
        coalesce(mart.reels_spend_local, 0) + coalesce(mart.other_spend_local, 0) as placement_spend_local,
        mart.spend_reporting,
        reported.total_spend_local * mart.fx_rate as total_spend_reporting
    from reported
    left join mart
        on reported.platform = mart.platform
        and reported.account_id = mart.account_id
        and reported.metric_date = mart.metric_date

)

select *
from compared
where abs(placement_spend_local - total_spend_local) > {{ tolerance }} * abs(total_spend_local) + 0.005
    or abs(spend_reporting - total_spend_reporting) > {{ tolerance }} * abs(total_spend_reporting) + 0.01
