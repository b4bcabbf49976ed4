{#
  Every non-null value lies within [min_value, max_value]; rows are judged only where
  `row_condition` holds (SQL, default true). Used as a warn-only plausibility band.
#}
{% test value_between(model, column_name, min_value, max_value, row_condition='true') %}

select {{ column_name }}
from {{ model }}
where ({{ row_condition }})
    and {{ column_name }} is not null
    and ({{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }})

{% endtest %}
