{#
  Each post's standing among comparable posts, at the same age (issue 4, portfolio benchmarks).

  Only posts whose day-7 values are complete (dim_content.is_d7_complete: the post reached age 7
  and the value was observed, not spread or guessed); day-28 columns only where is_d28_complete.
  Per-post rates are recomputed from the post's own same-age numerator and denominator.

  Percentiles are percent_rank (0 = lowest, 1 = highest, ties share the lower rank) among posts:
    *_pct_rank_brand      same brand, same surface, same views basis
    *_pct_rank_portfolio  every brand of the portfolio, same surface, same views basis
  Views of different surfaces count different events (views_basis), so a post is never ranked
  against another surface's posts; a definition change (e.g. Instagram plays -> views) splits the
  groups the same way. A null metric (e.g. engagement rate of a post with 0 views) gets no rank and
  does not count in the others' ranks.
#}

{%- set ages = [7, 28] -%}
{%- set rates = ['views', 'engagement_rate', 'watch_seconds_per_view'] -%}

with

content as (

    select *
    from {{ ref('dim_content') }}
    where is_d7_complete

),

age_basis as (

    select
        content_key,
        max(case when age_days = 7 then views_basis end) as views_basis_d7,
        max(case when age_days = 28 then views_basis end) as views_basis_d28
    from {{ ref('fct_content_age') }}
    where age_days in (7, 28)
    group by content_key

),

view_events as (

    select definition_key, view_event
    from {{ ref('metric_definitions') }}
    where view_event is not null and view_event <> ''

),

posts as (

    select
        content.content_key,
        content.content_id,
        content.brand,
        content.platform,
        content.surface,
        content.account_id,
        content.published_date,
        content.published_date_reporting,
        age_basis.views_basis_d7 as views_basis,
        case when content.is_d28_complete then age_basis.views_basis_d28 end as views_basis_d28,
        content.views_d7,
        content.engagements_d7,
        cast(content.watch_seconds_d7 as double) as watch_seconds_d7,
        {{ shortform.safe_divide('content.engagements_d7', 'content.views_d7') }} as engagement_rate_d7,
        {{ shortform.safe_divide('content.watch_seconds_d7', 'content.views_d7') }} as watch_seconds_per_view_d7,
        coalesce(content.is_d28_complete, false) as is_d28_complete,
        case when content.is_d28_complete then content.views_d28 end as views_d28,
        case when content.is_d28_complete then content.engagements_d28 end as engagements_d28,
        case when content.is_d28_complete then cast(content.watch_seconds_d28 as double) end as watch_seconds_d28,
        case when content.is_d28_complete
            then {{ shortform.safe_divide('content.engagements_d28', 'content.views_d28') }} end as engagement_rate_d28,
        case when content.is_d28_complete
            then {{ shortform.safe_divide('content.watch_seconds_d28', 'content.views_d28') }} end
            as watch_seconds_per_view_d28
    from content
    left join age_basis
        on content.content_key = age_basis.content_key

),

ranked as (

    select
        posts.*,
        count(*) over (partition by brand, surface, views_basis) as posts_in_brand_group,
        count(*) over (partition by surface, views_basis) as posts_in_portfolio_group,
        {%- for age in ages %}
        {%- set basis = 'views_basis' if age == 7 else 'views_basis_d28' %}
        {%- for rate in rates %}
        {{ shortform.percent_rank_of_present(rate ~ '_d' ~ age, 'brand, surface, ' ~ basis) }}
            as {{ rate }}_d{{ age }}_pct_rank_brand,
        {{ shortform.percent_rank_of_present(rate ~ '_d' ~ age, 'surface, ' ~ basis) }}
            as {{ rate }}_d{{ age }}_pct_rank_portfolio{{ ',' if not loop.last or age != ages[-1] }}
        {%- endfor %}
        {%- endfor %}
    from posts

),

final as (

    select
        cast(ranked.content_key as {{ dbt.type_string() }}) as content_key,
        cast(ranked.content_id as {{ dbt.type_string() }}) as content_id,
        cast(ranked.brand as {{ dbt.type_string() }}) as brand,
        cast(ranked.platform as {{ dbt.type_string() }}) as platform,
        cast(ranked.surface as {{ dbt.type_string() }}) as surface,
        cast(ranked.account_id as {{ dbt.type_string() }}) as account_id,
        cast(ranked.published_date as date) as published_date,
        cast(ranked.published_date_reporting as date) as published_date_reporting,
        cast(ranked.views_basis as {{ dbt.type_string() }}) as views_basis,
        cast(view_events.view_event as {{ dbt.type_string() }}) as view_event,
        cast(ranked.posts_in_brand_group as bigint) as posts_in_brand_group,
        cast(ranked.posts_in_portfolio_group as bigint) as posts_in_portfolio_group,
        cast(ranked.views_d7 as bigint) as views_d7,
        cast(ranked.engagements_d7 as bigint) as engagements_d7,
        cast(ranked.watch_seconds_d7 as double) as watch_seconds_d7,
        cast(ranked.engagement_rate_d7 as double) as engagement_rate_d7,
        cast(ranked.watch_seconds_per_view_d7 as double) as watch_seconds_per_view_d7,
        cast(ranked.is_d28_complete as boolean) as is_d28_complete,
        cast(ranked.views_basis_d28 as {{ dbt.type_string() }}) as views_basis_d28,
        cast(ranked.views_d28 as bigint) as views_d28,
        cast(ranked.engagements_d28 as bigint) as engagements_d28,
        cast(ranked.watch_seconds_d28 as double) as watch_seconds_d28,
        cast(ranked.engagement_rate_d28 as double) as engagement_rate_d28,
        cast(ranked.watch_seconds_per_view_d28 as double) as watch_seconds_per_view_d28,
        {%- for age in ages %}
        {%- for rate in rates %}
        cast(ranked.{{ rate }}_d{{ age }}_pct_rank_brand as double) as {{ rate }}_d{{ age }}_pct_rank_brand,
        cast(ranked.{{ rate }}_d{{ age }}_pct_rank_portfolio as double)
            as {{ rate }}_d{{ age }}_pct_rank_portfolio{{ ',' if not loop.last or age != ages[-1] }}
        {%- endfor %}
        {%- endfor %}
    from ranked
    left join view_events
        on ranked.views_basis = view_events.definition_key

)

select * from final
