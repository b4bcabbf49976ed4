{#
  The weekly marts' maturity: `days_final` per brand x surface x week_start = the reporting days
  of that week on which every row of `daily_cte` is final (is_final). Emits two CTEs, `days` and
  `maturity`, to be placed inside a `with` list after `daily_cte` (which must have brand,
  surface, week_start, reporting_date and is_final).
#}
{% macro weekly_days_final_ctes(daily_cte) %}
-- one row per brand x surface x reporting day: is every row of that day final?
days as (

    select
        brand,
        surface,
        week_start,
        reporting_date,
        min(case when is_final then 1 else 0 end) as is_day_final
    from {{ daily_cte }}
    group by brand, surface, week_start, reporting_date

),

maturity as (

    select brand, surface, week_start, sum(is_day_final) as days_final
    from days
    group by brand, surface, week_start

)
{%- endmacro %}
