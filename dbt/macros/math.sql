{# numerator / denominator as a double; null when the denominator is null or zero. #}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as double) / cast({{ denominator }} as double)
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
