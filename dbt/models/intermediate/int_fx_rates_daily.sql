{#
  Daily rates from every currency of the FX seed (and EUR, its base) to the reporting currency
  (dbt var `reporting_currency`, default USD): fx_rate = reporting units per 1 local unit, the
  cross rate of the seed's EUR-based reference rates (ECB convention: 1 EUR = rate x quote).
  One row per rate_date x currency; a date or currency absent from the seed has no row, so the
  conversion in fct_ad_daily yields null and the fx-rate tests fail (never a silent default).
#}

with

seed as (

    select
        cast(rate_date as date) as rate_date,
        upper(cast(base_currency as {{ dbt.type_string() }})) as base_currency,
        upper(cast(quote_currency as {{ dbt.type_string() }})) as quote_currency,
        cast(rate as double) as rate,
        cast(published_date as date) as published_date
    from {{ ref('fx_rates_daily') }}
    where upper(cast(base_currency as {{ dbt.type_string() }})) = 'EUR'

),

eur_rates as (

    select rate_date, quote_currency as currency, rate as eur_rate, published_date
    from seed

    union all

    -- the base currency itself
    select rate_date, 'EUR' as currency, 1.0 as eur_rate, max(published_date) as published_date
    from seed
    group by rate_date

),

reporting as (

    select rate_date, eur_rate as reporting_eur_rate, published_date as reporting_published_date
    from eur_rates
    where currency = {{ shortform.reporting_currency() }}

),

final as (

    select
        eur_rates.rate_date,
        eur_rates.currency,
        {{ shortform.reporting_currency() }} as reporting_currency,
        cast(reporting.reporting_eur_rate / eur_rates.eur_rate as decimal(18, 10)) as fx_rate,
        greatest(eur_rates.published_date, reporting.reporting_published_date) as published_date
    from eur_rates
    inner join reporting
        on eur_rates.rate_date = reporting.rate_date

)

select * from final
