{#
  One reporting currency per mart: every row's `column_name` (default reporting_currency) is
  the dbt var `reporting_currency`, so no mart mixes two reporting currencies (e.g. after a
  partial rebuild with another --vars value). Model-level usage:
    data_tests:
      - one_reporting_currency
#}
{% test one_reporting_currency(model, column_name='reporting_currency') %}

select {{ column_name }} as reporting_currency, count(*) as n_rows
from {{ model }}
where {{ column_name }} is null or {{ column_name }} <> {{ shortform.reporting_currency() }}
group by {{ column_name }}

{% endtest %}
