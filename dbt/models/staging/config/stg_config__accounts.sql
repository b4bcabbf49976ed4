{# Brands and their platform accounts (from the accounts file). Rename, cast only. #}

with

source as (

    select * from {{ source('config', 'accounts') }}

),

renamed as (

    select
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast(brand_timezone as {{ dbt.type_string() }}) as brand_timezone,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(surface as {{ dbt.type_string() }}) as surface,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(loaded_at as timestamp) as loaded_at
    from source

)

select * from renamed
