{#
  Meta ad accounts (GET act_{id}?fields=account_id,currency,timezone_name,
  timezone_offset_hours_utc), one row per ad account per snapshot date. Rename, cast only.
  account_id is normalized to 'act_<digits>' (the form in raw.accounts), whatever form landed.
#}
{{ config(**shortform.incremental_config(['account_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set ctx = "'ad_account_id=' || ad_account_id" -%}
{%- set f = shortform.json_fields('payload', ['$.name', '$.currency', '$.timezone_name', '$.timezone_offset_hours_utc']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('meta_ads', 'ad_accounts') }}
    {{ shortform.incremental_raw_dates(source('meta_ads', 'ad_accounts'), 'snapshot_date') }}

),

renamed as (

    select
        'meta_ads' as platform,
        'act_' || regexp_replace(cast(ad_account_id as {{ dbt.type_string() }}), '^act_', '') as account_id,
        cast(snapshot_date as date) as snapshot_date,
        {{ shortform.json_at(f, '$.name') }} as account_name,
        upper({{ shortform.json_at(f, '$.currency') }}) as currency,
        {{ shortform.json_at(f, '$.timezone_name') }} as source_timezone,
        {{ shortform.to_decimal(shortform.json_at(f, '$.timezone_offset_hours_utc'), 'meta_ads.timezone_offset_hours_utc', ctx, 'double') }} as timezone_offset_hours_utc,
        cast(pulled_at as timestamp) as pulled_at
    from source

)

select * from renamed
