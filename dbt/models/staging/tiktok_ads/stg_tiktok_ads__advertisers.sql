{#
  TikTok Marketing API advertisers (advertiser/info), one row per advertiser per snapshot date.
  Rename, cast only. currency is the ISO 4217 code of every money amount of the advertiser;
  timezone is the IANA zone of its report days (stat_time_day).
#}
{{ config(**shortform.incremental_config(['account_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set f = shortform.json_fields('payload', ['$.name', '$.currency', '$.timezone', '$.display_timezone']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('tiktok_ads', 'advertisers') }}
    {{ shortform.incremental_raw_dates(source('tiktok_ads', 'advertisers'), 'snapshot_date') }}

),

renamed as (

    select
        'tiktok_ads' as platform,
        cast(advertiser_id as {{ dbt.type_string() }}) as account_id,
        cast(snapshot_date as date) as snapshot_date,
        {{ shortform.json_at(f, '$.name') }} as account_name,
        upper({{ shortform.json_at(f, '$.currency') }}) as currency,
        coalesce(
            {{ shortform.json_at(f, '$.timezone') }},
            {{ shortform.json_at(f, '$.display_timezone') }}
        ) as source_timezone,
        cast(pulled_at as timestamp) as pulled_at
    from source

)

select * from renamed
