{#
  Strict casts for numbers that arrive as JSON numbers or numeric strings.

  Garbage must fail the build loudly, never be rounded or nulled silently. DuckDB 2.0 casts
  '12.5' to BIGINT as 13 (and '1e3' as 1000), so a plain cast is NOT strict: each value is
  matched against a pattern first and anything else raises an error naming the field and the
  row. `label` names the field (e.g. 'tiktok.video_views'); `context` is an optional SQL
  expression yielding text that identifies the row (e.g. "'item_id=' || item_id").
#}

{% macro _cast_error_message(value, label, context) -%}
    'shortform: {{ label }} is not a valid value: "' || {{ value }} || '"'
    {%- if context %} || ' (' || {{ context }} || ')'{% endif %}
{%- endmacro %}


{# A count: an optionally signed integer, e.g. 12 or "12" (not 12.5, not "1e3"). #}
{% macro to_count(value, label, context=none) -%}
    case
        when {{ value }} is null then null
        when {{ shortform.matches_pattern(value, '-?[0-9]{1,18}') }} then cast({{ value }} as bigint)
        else cast({{ shortform.raise_error(shortform._cast_error_message(value, label, context)) }} as bigint)
    end
{%- endmacro %}


{# A measured quantity (seconds, milliseconds, minutes): a decimal number, optionally with an
   exponent (12, "12.5", 1.5e3). decimal(18, 3) by default so sums stay exact. #}
{% macro to_decimal(value, label, context=none, data_type='decimal(18, 3)') -%}
    case
        when {{ value }} is null then null
        when {{ shortform.matches_pattern(value, '-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?') }}
            then cast({{ value }} as {{ data_type }})
        else cast({{ shortform.raise_error(shortform._cast_error_message(value, label, context)) }} as {{ data_type }})
    end
{%- endmacro %}


{# A JSON boolean (true/false) or its text. #}
{% macro to_boolean(value, label, context=none) -%}
    case
        when {{ value }} is null then null
        when lower({{ value }}) = 'true' then true
        when lower({{ value }}) = 'false' then false
        else cast({{ shortform.raise_error(shortform._cast_error_message(value, label, context)) }} as boolean)
    end
{%- endmacro %}


{# Whole-string regular-expression match. #}
{% macro matches_pattern(value, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'shortform')(value, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(value, pattern) -%}
    regexp_full_match({{ value }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__matches_pattern(value, pattern) -%}
    ({{ value }} rlike '^({{ pattern }})$')
{%- endmacro %}


{# Raise a runtime error with a message (a SQL text expression); typed as null. #}
{% macro raise_error(message_sql) -%}
    {{ return(adapter.dispatch('raise_error', 'shortform')(message_sql)) }}
{%- endmacro %}

{% macro default__raise_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}

{% macro spark__raise_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}
