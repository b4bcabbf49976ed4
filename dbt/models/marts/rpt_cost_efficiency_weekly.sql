{#
  Paid cost efficiency per brand x surface x ISO week. Weeks are ISO weeks (Monday start) of
  fct_ad_daily.reporting_date: each AD ACCOUNT day (date_basis 'account_local') counted on the
  reporting-zone day (var reporting_timezone, default UTC) that contains its midpoint; with UTC,
  accounts within 12 hours of UTC keep their own dates, so a week of a Los Angeles account and
  one of a Berlin account are offset by their zones. days_final: days of the week whose every
  row is final (older than the restatement window: Meta 28 days, TikTok 7). Surfaces: tiktok, instagram_reels,
  facebook_reels, meta_other (every other Meta placement).
  Every rate is recomputed from the week's sums (never an average of daily rates): CPM =
  spend / impressions x 1000; cost per view = spend / views for each named view definition;
  cost per engagement, per follow, per click likewise. Money is in the reporting currency
  (row-converted at each day's rate, then summed); spend_local only when the group has one
  account currency. reach is not summable and is left out.
#}

with

daily as (

    select
        fact_rows.*,
        {{ shortform.iso_week_start('fact_rows.reporting_date') }} as week_start
    from {{ ref('fct_ad_daily') }} as fact_rows

),

{{ shortform.weekly_days_final_ctes('daily') }},

weekly as (

    select
        brand,
        platform,
        surface,
        week_start,
        max(reporting_currency) as reporting_currency,
        count(distinct currency) as currencies,
        max(currency) as currency,
        sum(spend_local) as spend_local,
        sum(spend_reporting) as spend_reporting,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(engagements) as engagements,
        sum(follows) as follows,
        sum(quality_views) as quality_views,
        max(quality_view_definition) as quality_view_definition,
        sum(short_views) as short_views,
        max(short_view_definition) as short_view_definition,
        count(distinct ad_key) as active_ads,
        count(distinct reporting_date) as days_covered
    from daily
    group by brand, platform, surface, week_start

),

weekly_with_maturity as (

    select
        weekly.*,
        maturity.days_final
    from weekly
    left join maturity
        on weekly.brand = maturity.brand
        and weekly.surface = maturity.surface
        and weekly.week_start = maturity.week_start

),

final as (

    select
        cast(brand as {{ dbt.type_string() }}) as brand,
        cast(platform as {{ dbt.type_string() }}) as platform,
        cast(surface as {{ dbt.type_string() }}) as surface,
        cast({{ shortform.iso_week_label('week_start') }} as {{ dbt.type_string() }}) as iso_week,
        cast(week_start as date) as week_start,
        cast('account_local' as {{ dbt.type_string() }}) as date_basis,
        cast(reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
        cast(case when currencies = 1 then currency end as {{ dbt.type_string() }}) as currency,
        cast(case when currencies = 1 then spend_local end as decimal(18, 2)) as spend_local,
        cast(spend_reporting as decimal(18, 2)) as spend_reporting,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(engagements as bigint) as engagements,
        cast(follows as bigint) as follows,
        cast(quality_views as bigint) as quality_views,
        cast(quality_view_definition as {{ dbt.type_string() }}) as quality_view_definition,
        cast(short_views as bigint) as short_views,
        cast(short_view_definition as {{ dbt.type_string() }}) as short_view_definition,
        cast(1000 * {{ shortform.safe_divide('spend_reporting', 'impressions') }} as double) as cpm_reporting,
        cast({{ shortform.safe_divide('spend_reporting', 'quality_views') }} as double) as cost_per_quality_view_reporting,
        cast({{ shortform.safe_divide('spend_reporting', 'short_views') }} as double) as cost_per_short_view_reporting,
        cast({{ shortform.safe_divide('spend_reporting', 'engagements') }} as double) as cost_per_engagement_reporting,
        cast({{ shortform.safe_divide('spend_reporting', 'follows') }} as double) as cost_per_follow_reporting,
        cast({{ shortform.safe_divide('spend_reporting', 'clicks') }} as double) as cost_per_click_reporting,
        cast(active_ads as bigint) as active_ads,
        cast(days_covered as bigint) as days_covered,
        cast(coalesce(days_final, 0) as bigint) as days_final
    from weekly_with_maturity

)

select * from final
