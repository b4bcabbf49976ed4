{# Every non-null value is an ISO 4217 alphabetic code: exactly three upper-case letters. #}
{% test iso_currency_code(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not {{ shortform.matches_pattern(column_name, '[A-Z]{3}') }}

{% endtest %}
