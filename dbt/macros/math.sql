{# numerator / denominator as a double; null when the denominator is null or zero. #}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as double) / cast({{ denominator }} as double)
    end
{%- endmacro %}


{# A rate per view: null unless the views are positive. A week's views can be negative (a platform's
   downward restatement, e.g. spam removal, larger than the week's new views; docs/metrics.md), and
   a rate over a negative or zero count of views means nothing. #}
{% macro per_view(numerator, views) -%}
    case
        when {{ views }} is null or {{ views }} <= 0 then null
        else cast({{ numerator }} as double) / cast({{ views }} as double)
    end
{%- endmacro %}


{# Integer division truncating toward zero (DuckDB `//` and Spark `div` both truncate; `/`
   returns a double on both engines). #}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'shortform')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    ({{ numerator }} // {{ denominator }})
{%- endmacro %}

{% macro spark__int_div(numerator, denominator) -%}
    ({{ numerator }} div {{ denominator }})
{%- endmacro %}
