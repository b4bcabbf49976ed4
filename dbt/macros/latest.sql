{# The named columns of the row with the largest `order_by` in each group, as one struct (read
   its fields as `alias.column`). One aggregate instead of a row_number() window over the
   group's rows: the window sorted every snapshot with its caption and text (dim_content: 9 s ->
   2 s at one agency year). The struct is never null, so a null column of the latest row stays
   null (arg_max alone would skip it and return an older value). `order_by` must be unique
   within the group (e.g. snapshot_date per content). #}
{% macro latest_row(columns, order_by) -%}
    {{ return(adapter.dispatch('latest_row', 'shortform')(columns, order_by)) }}
{%- endmacro %}

{% macro default__latest_row(columns, order_by) -%}
    arg_max(struct_pack({% for c in columns %}{{ c }} := {{ c }}{{ ', ' if not loop.last }}{% endfor %}), {{ order_by }})
{%- endmacro %}

{% macro spark__latest_row(columns, order_by) -%}
    max_by(named_struct({% for c in columns %}'{{ c }}', {{ c }}{{ ', ' if not loop.last }}{% endfor %}), {{ order_by }})
{%- endmacro %}
