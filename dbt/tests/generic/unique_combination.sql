{#
  Compound primary key: no two rows share the same values of `combination_of_columns`.
  Usage (model level):
    data_tests:
      - unique_combination:
          arguments:
            combination_of_columns: [content_key, metric_date]
#}
{% test unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
