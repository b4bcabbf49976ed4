{#
  TikTok Marketing API ads (ad/get), one row per ad per snapshot date. Rename, cast only.
  tiktok_item_id is set on Spark Ads: the organic TikTok video (item_id) the ad boosts
  (an empty string means none).
#}
{{ config(**shortform.incremental_config(['account_id', 'ad_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set f = shortform.json_fields('payload', ['$.ad_name', '$.campaign_id', '$.adgroup_id', '$.operation_status', '$.secondary_status', '$.tiktok_item_id']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('tiktok_ads', 'ads') }}
    {{ shortform.incremental_raw_dates(source('tiktok_ads', 'ads'), 'snapshot_date') }}

),

renamed as (

    select
        'tiktok_ads' as platform,
        cast(advertiser_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(snapshot_date as date) as snapshot_date,
        {{ shortform.json_at(f, '$.ad_name') }} as ad_name,
        {{ shortform.json_at(f, '$.campaign_id') }} as campaign_id,
        {{ shortform.json_at(f, '$.adgroup_id') }} as adset_id,
        coalesce(
            {{ shortform.json_at(f, '$.operation_status') }},
            {{ shortform.json_at(f, '$.secondary_status') }}
        ) as ad_status,
        nullif(trim({{ shortform.json_at(f, '$.tiktok_item_id') }}), '') as tiktok_item_id,
        cast(pulled_at as timestamp) as pulled_at
    from source

)

select * from renamed
