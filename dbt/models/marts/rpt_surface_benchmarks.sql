{#
  What a typical post does on each surface at the same age: n, 25th percentile, median, 75th
  percentile and interquartile range (p75 - p25) of the same-age metrics of rpt_content_benchmarks
  (posts with complete values only). One row per scope x brand x surface x views basis x metric:
    benchmark_scope 'brand'      one brand's posts on the surface (brand set)
    benchmark_scope 'portfolio'  every brand's posts on the surface (brand null)
  Percentiles are continuous (interpolated, percentile_cont); medians and quartiles rather than
  means because post performance is heavily skewed (a few posts take most of the views).
  Surfaces are never pooled: their views count different events (views_basis / view_event).
#}

{%- set metrics = [
    ('views_d7', 'views_basis', 7), ('engagement_rate_d7', 'views_basis', 7),
    ('watch_seconds_per_view_d7', 'views_basis', 7),
    ('views_d28', 'views_basis_d28', 28), ('engagement_rate_d28', 'views_basis_d28', 28),
    ('watch_seconds_per_view_d28', 'views_basis_d28', 28),
] -%}

with

long_form as (

    {%- for metric, basis, age in metrics %}
    select
        brand,
        surface,
        {{ basis }} as views_basis,
        '{{ metric }}' as metric,
        {{ age }} as age_days,
        published_date_reporting,
        cast({{ metric }} as double) as metric_value
    from {{ ref('rpt_content_benchmarks') }}
    where {{ metric }} is not null
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

scoped as (

    select 'brand' as benchmark_scope, brand, surface, views_basis, metric, age_days,
        published_date_reporting, metric_value
    from long_form

    union all

    select 'portfolio' as benchmark_scope, cast(null as {{ dbt.type_string() }}) as brand, surface, views_basis,
        metric, age_days, published_date_reporting, metric_value
    from long_form

),

aggregated as (

    select
        benchmark_scope,
        brand,
        surface,
        views_basis,
        metric,
        age_days,
        count(*) as n_posts,
        {{ shortform.percentile_cont('metric_value', 0.25) }} as p25,
        {{ shortform.percentile_cont('metric_value', 0.5) }} as median,
        {{ shortform.percentile_cont('metric_value', 0.75) }} as p75,
        min(published_date_reporting) as first_published_date,
        max(published_date_reporting) as last_published_date
    from scoped
    group by benchmark_scope, brand, surface, views_basis, metric, age_days

),

view_events as (

    select definition_key, view_event
    from {{ ref('metric_definitions') }}
    where view_event is not null and view_event <> ''

),

final as (

    select
        cast(
            aggregated.benchmark_scope || ':' || coalesce(aggregated.brand, '*') || ':' || aggregated.surface
            || ':' || coalesce(aggregated.views_basis, '?') || ':' || aggregated.metric
            as {{ dbt.type_string() }}
        ) as benchmark_key,
        cast(aggregated.benchmark_scope as {{ dbt.type_string() }}) as benchmark_scope,
        cast(aggregated.brand as {{ dbt.type_string() }}) as brand,
        cast(aggregated.surface as {{ dbt.type_string() }}) as surface,
        cast(aggregated.views_basis as {{ dbt.type_string() }}) as views_basis,
        cast(view_events.view_event as {{ dbt.type_string() }}) as view_event,
        cast(aggregated.metric as {{ dbt.type_string() }}) as metric,
        cast(aggregated.age_days as integer) as age_days,
        cast(aggregated.n_posts as bigint) as n_posts,
        cast(aggregated.p25 as double) as p25,
        cast(aggregated.median as double) as median,
        cast(aggregated.p75 as double) as p75,
        cast(aggregated.p75 - aggregated.p25 as double) as iqr,
        cast(aggregated.first_published_date as date) as first_published_date,
        cast(aggregated.last_published_date as date) as last_published_date
    from aggregated
    left join view_events
        on aggregated.views_basis = view_events.definition_key

)

select * from final
