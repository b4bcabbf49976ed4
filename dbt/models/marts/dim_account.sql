{# One row per platform account (platform + account_id) with its brand, from the accounts file. #}

with

accounts as (

    select * from {{ ref('stg_config__accounts') }}

),

final as (

    select
        cast(platform || ':' || account_id as {{ dbt.type_string() }}) as account_key,
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast(brand_timezone as {{ dbt.type_string() }}) as brand_timezone,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(surface as {{ dbt.type_string() }}) as surface,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(loaded_at as timestamp) as loaded_at
    from accounts

)

select * from final
