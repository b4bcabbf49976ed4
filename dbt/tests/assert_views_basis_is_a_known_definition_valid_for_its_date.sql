{#
  Every views basis the marts show is a definition_key of seeds/metric_definitions.csv whose
  validity (valid_from .. valid_to) covers the row's date (for weekly rows: overlaps the week).
  Returns the offending rows: an unknown key, or a key used outside its dates (e.g.
  instagram.plays on a 2026 day, youtube.views on a 2025-03-20 day).
#}

{{ config(meta={"dagster": {"ref": {"name": "fct_content_daily"}}}) }}

{%- set checks = [
    ('fct_content_daily', 'views_basis', 'metric_date', 'metric_date'),
    ('fct_content_age', 'views_basis', 'metric_date', 'metric_date'),
    ('dim_content', 'views_basis', 'last_seen_date', 'last_seen_date'),
    ('rpt_platform_comparison_weekly', 'views_basis', 'week_start', shortform.add_days('week_start', 6)),
    ('fct_ad_daily', 'quality_view_definition', 'metric_date', 'metric_date'),
    ('fct_ad_daily', 'short_view_definition', 'metric_date', 'metric_date'),
] -%}

with

definitions as (

    select * from {{ ref('metric_definitions') }}

),

used as (

    {% for model, column, first_date, last_date in checks %}
    select
        '{{ model }}.{{ column }}' as used_in,
        {{ column }} as definition_key,
        {{ first_date }} as first_date,
        {{ last_date }} as last_date,
        count(*) as row_count
    from {{ ref(model) }}
    where {{ column }} is not null
    group by {{ column }}, {{ first_date }}, {{ last_date }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select used.*
from used
left join definitions
    on used.definition_key = definitions.definition_key
where definitions.definition_key is null
    or (definitions.valid_from is not null and used.last_date < definitions.valid_from)
    or (definitions.valid_to is not null and used.first_date > definitions.valid_to)
