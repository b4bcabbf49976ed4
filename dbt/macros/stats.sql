{#
  Order statistics for the benchmark marts, written so DuckDB and Spark SQL (3.4+) both run them:
  both have percent_rank() as a window function and percentile_cont(p) WITHIN GROUP (ORDER BY x)
  as an ordered-set aggregate. Dispatched, so another engine can bring its own spelling.
#}

{# Continuous (interpolated) percentile p of expr in the group; nulls ignored; null for no values. #}
{% macro percentile_cont(expr, p) -%}
    {{ return(adapter.dispatch('percentile_cont', 'shortform')(expr, p)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}


{#
  percent_rank of value among the rows of its partition that have a value: 0 for the lowest,
  1 for the highest, ties share the lower rank; null where value is null (nulls neither rank
  nor count). A partition of one row gets 0.
#}
{% macro percent_rank_of_present(value, partition_by) -%}
    case
        when {{ value }} is not null then percent_rank() over (
            partition by {{ partition_by }}, case when {{ value }} is null then 1 else 0 end
            order by {{ value }}
        )
    end
{%- endmacro %}
