{#
  Budget reallocation scenarios per brand: move 25 %, 50 % and 100 % (var reallocation_shares)
  of the brand's TikTok spend of the trailing four weeks to Instagram Reels or to Facebook Reels
  placements, and project impressions, views and engagements.
  Method 'linear': every surface keeps its own efficiency of the trailing window (results per
  unit of reporting currency = window sum / window spend); the TikTok side loses
  shifted_spend x TikTok efficiency, the target side gains shifted_spend x target efficiency.
  No saturation, auction or frequency effects are modelled.
  Window: the 28 account-local days ending on the brand's latest paid day (window_end).
  Money: *_reporting in the reporting currency (the scenario moves money between accounts that
  may have different currencies); *_local in the surface's account currency (source_currency /
  target_currency), null when the surface's rows mix currencies.
  Views: each surface's quality view (TikTok 6-second views, Meta ThruPlays), named in
  source_view_definition / target_view_definition: the totals add views of two definitions.
  A scenario whose target surface had no spend in the window cannot be projected
  (is_projectable false, projections null).
#}

{%- set shares = var('reallocation_shares', [0.25, 0.5, 1.0]) -%}
{%- set targets = ['instagram_reels', 'facebook_reels'] -%}

with

daily as (

    select * from {{ ref('fct_ad_daily') }}

),

windows as (

    select
        brand,
        max(reporting_currency) as reporting_currency,
        max(metric_date) as window_end,
        {{ shortform.add_days('max(metric_date)', -27) }} as window_start
    from daily
    group by brand

),

surface_window as (

    select
        daily.brand,
        daily.surface,
        sum(daily.spend_reporting) as spend_reporting,
        count(distinct daily.currency) as currencies,
        max(daily.currency) as currency,
        sum(daily.spend_local) as spend_local,
        sum(daily.impressions) as impressions,
        sum(daily.quality_views) as views,
        max(daily.quality_view_definition) as view_definition,
        sum(daily.engagements) as engagements
    from daily
    inner join windows
        on daily.brand = windows.brand
        and daily.metric_date between windows.window_start and windows.window_end
    group by daily.brand, daily.surface

),

scenarios as (

    {%- for target in targets %}
    {%- set outer_loop = loop %}
    {%- for share in shares %}
    select
        '{{ target }}' as target_surface,
        cast({{ share }} as decimal(5, 4)) as shift_share
    {% if not (outer_loop.last and loop.last) %}union all{% endif %}
    {%- endfor %}
    {%- endfor %}

),

joined as (

    select
        windows.brand,
        windows.reporting_currency,
        windows.window_start,
        windows.window_end,
        scenarios.target_surface,
        scenarios.shift_share,
        coalesce(source.spend_reporting, 0) as source_spend,
        case when source.currencies = 1 then source.currency end as source_currency,
        case when source.currencies = 1 then source.spend_local end as source_spend_local,
        case when target.currencies = 1 then target.currency end as target_currency,
        case when target.currencies = 1 then target.spend_local end as target_spend_local,
        coalesce(source.impressions, 0) as source_impressions,
        coalesce(source.views, 0) as source_views,
        coalesce(source.engagements, 0) as source_engagements,
        coalesce(source.view_definition, 'tiktok.video_watched_6s') as source_view_definition,
        coalesce(target.spend_reporting, 0) as target_spend,
        coalesce(target.impressions, 0) as target_impressions,
        coalesce(target.views, 0) as target_views,
        coalesce(target.engagements, 0) as target_engagements,
        coalesce(target.view_definition, 'meta.video_thruplay_watched_actions') as target_view_definition
    from windows
    cross join scenarios
    left join surface_window as source
        on windows.brand = source.brand
        and source.surface = 'tiktok'
    left join surface_window as target
        on windows.brand = target.brand
        and scenarios.target_surface = target.surface

),

rates as (

    select
        joined.*,
        cast(round(source_spend * shift_share, 2) as decimal(18, 2)) as shifted_spend,
        cast(round(source_spend_local * shift_share, 2) as decimal(18, 2)) as shifted_spend_local,
        {{ shortform.safe_divide('source_impressions', 'source_spend') }} as source_impressions_per_unit,
        {{ shortform.safe_divide('source_views', 'source_spend') }} as source_views_per_unit,
        {{ shortform.safe_divide('source_engagements', 'source_spend') }} as source_engagements_per_unit,
        {{ shortform.safe_divide('target_impressions', 'target_spend') }} as target_impressions_per_unit,
        {{ shortform.safe_divide('target_views', 'target_spend') }} as target_views_per_unit,
        {{ shortform.safe_divide('target_engagements', 'target_spend') }} as target_engagements_per_unit,
        (target_spend > 0) as is_projectable
    from joined

),

final as (

    select
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast('tiktok_to_' || target_surface || '_' || cast(cast(shift_share * 100 as integer) as {{ dbt.type_string() }}) || 'pct'
            as {{ dbt.type_string() }}) as scenario,
        cast('tiktok' as {{ dbt.type_string() }}) as source_surface,
        cast(target_surface as {{ dbt.type_string() }}) as target_surface,
        cast(shift_share as decimal(5, 4)) as shift_share,
        cast('linear' as {{ dbt.type_string() }}) as method,
        cast(window_start as date) as window_start,
        cast(window_end as date) as window_end,
        cast({{ shortform.days_between('window_start', 'window_end') }} + 1 as integer) as window_days,
        cast('account_local' as {{ dbt.type_string() }}) as date_basis,
        cast(reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
        cast(source_view_definition as {{ dbt.type_string() }}) as source_view_definition,
        cast(target_view_definition as {{ dbt.type_string() }}) as target_view_definition,
        cast(is_projectable as boolean) as is_projectable,

        cast(source_spend as decimal(18, 2)) as source_spend_reporting,
        cast(target_spend as decimal(18, 2)) as target_spend_reporting,
        cast(shifted_spend as decimal(18, 2)) as shifted_spend_reporting,
        cast(source_currency as {{ dbt.type_string() }}) as source_currency,
        cast(source_spend_local as decimal(18, 2)) as source_spend_local,
        cast(shifted_spend_local as decimal(18, 2)) as shifted_spend_local,
        cast(target_currency as {{ dbt.type_string() }}) as target_currency,
        cast(target_spend_local as decimal(18, 2)) as target_spend_local,
        cast(source_impressions as bigint) as source_impressions,
        cast(source_views as bigint) as source_views,
        cast(source_engagements as bigint) as source_engagements,
        cast(target_impressions as bigint) as target_impressions,
        cast(target_views as bigint) as target_views,
        cast(target_engagements as bigint) as target_engagements,
        cast(source_impressions_per_unit as double) as source_impressions_per_unit,
        cast(source_views_per_unit as double) as source_views_per_unit,
        cast(source_engagements_per_unit as double) as source_engagements_per_unit,
        cast(target_impressions_per_unit as double) as target_impressions_per_unit,
        cast(target_views_per_unit as double) as target_views_per_unit,
        cast(target_engagements_per_unit as double) as target_engagements_per_unit,

        {%- for metric in ['impressions', 'views', 'engagements'] %}
        cast(case when is_projectable then
            source_{{ metric }} - coalesce(shifted_spend * source_{{ metric }}_per_unit, 0)
        end as double) as projected_source_{{ metric }},
        cast(case when is_projectable then
            target_{{ metric }} + shifted_spend * target_{{ metric }}_per_unit
        end as double) as projected_target_{{ metric }},
        cast(case when is_projectable then
            shifted_spend * target_{{ metric }}_per_unit - coalesce(shifted_spend * source_{{ metric }}_per_unit, 0)
        end as double) as projected_{{ metric }}_change{{ ',' if not loop.last }}
        {%- endfor %}
    from rates

)

select * from final
