{#
  Every money row has a rate: each (account currency, account-local day) of fct_ad_daily has a
  rate to the reporting currency in seeds/fx_rates_daily.csv. A missing rate fails the build
  (blocking); it is never a silent null or a default. The failing rows name the currency and
  day to add to the seed.
#}

{{ config(meta={"dagster": {"ref": {"name": "fct_ad_daily"}}}) }}

select
    currency,
    reporting_currency,
    metric_date,
    count(*) as rows_without_rate,
    sum(spend_local) as spend_local_without_rate
from {{ ref('fct_ad_daily') }}
where fx_rate is null or fx_rate_date is null or spend_reporting is null or currency is null
group by currency, reporting_currency, metric_date
