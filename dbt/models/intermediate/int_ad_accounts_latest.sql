{#
  Paid ad accounts (TikTok advertisers, Meta ad accounts) from their latest snapshot: currency
  and source time zone, with the brand from the accounts file. One row per platform x account.
#}

with

snapshots as (

    select platform, account_id, snapshot_date, account_name, currency, source_timezone
    from {{ ref('stg_tiktok_ads__advertisers') }}

    union all

    select platform, account_id, snapshot_date, account_name, currency, source_timezone
    from {{ ref('stg_meta_ads__ad_accounts') }}

),

latest as (

    select *
    from (
        select
            snapshots.*,
            row_number() over (partition by platform, account_id order by snapshot_date desc) as recency_rank
        from snapshots
    ) as ranked
    where recency_rank = 1

),

accounts as (

    select * from {{ ref('stg_config__accounts') }}

),

final as (

    select
        latest.platform,
        latest.account_id,
        accounts.brand,
        latest.account_name,
        latest.currency,
        latest.source_timezone,
        latest.snapshot_date as last_seen_date
    from latest
    left join accounts
        on latest.platform = accounts.platform
        and latest.account_id = accounts.account_id

)

select * from final
