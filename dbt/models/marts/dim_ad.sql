{#
  One row per paid ad (TikTok Marketing API, Meta Marketing API): its latest attributes, its
  account's brand, currency and time zone, and the organic content it boosts
  (boosted_content_key -> dim_content; see int_ads_linked for the matching rules).
#}

with

ads as (

    select * from {{ ref('int_ads_linked') }}

),

accounts as (

    select * from {{ ref('int_ad_accounts_latest') }}

),

config_accounts as (

    select * from {{ ref('stg_config__accounts') }}

),

final as (

    select
        cast(ads.ad_key as {{ dbt.type_string() }}) as ad_key,
        cast(ads.ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(ads.platform as {{ dbt.type_string() }}) as platform,
        cast(ads.account_id as {{ dbt.type_string() }}) as account_id,
        cast(ads.platform || ':' || ads.account_id as {{ dbt.type_string() }}) as account_key,
        cast(coalesce(accounts.brand, config_accounts.brand) as {{ dbt.type_string() }}) as brand,
        cast(ads.ad_name as {{ dbt.type_string() }}) as ad_name,
        cast(ads.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ads.adset_id as {{ dbt.type_string() }}) as adset_id,
        cast(ads.ad_status as {{ dbt.type_string() }}) as ad_status,
        cast(accounts.currency as {{ dbt.type_string() }}) as currency,
        cast(accounts.source_timezone as {{ dbt.type_string() }}) as source_timezone,
        cast(ads.boosted_platform as {{ dbt.type_string() }}) as boosted_platform,
        cast(ads.boosted_object_id as {{ dbt.type_string() }}) as boosted_object_id,
        cast(ads.boosted_content_key as {{ dbt.type_string() }}) as boosted_content_key,
        cast(ads.boosted_content_key is not null as boolean) as is_boosting_tracked_content,
        cast(ads.first_metric_date as date) as first_metric_date,
        cast(ads.last_metric_date as date) as last_metric_date,
        cast(ads.last_snapshot_date as date) as last_snapshot_date
    from ads
    left join accounts
        on ads.platform = accounts.platform
        and ads.account_id = accounts.account_id
    left join config_accounts
        on ads.platform = config_accounts.platform
        and ads.account_id = config_accounts.account_id

)

select * from final
