{#
  Organic vs paid for boosted content: one row per boosted organic content (a dim_content row
  that at least one dim_ad boosts) per ISO week.
  organic_views: fct_content_daily views (platform definition in organic_views_basis; UTC days
  for TikTok / Instagram / Facebook). paid_views: video plays of the ads boosting it
  (video_play_actions on both ads APIs), paid_quality_views: TikTok 6-second views / Meta
  ThruPlays; paid days are the ad account's local days, so a week boundary may differ by the
  account's UTC offset.
  TikTok organic video_views INCLUDE the views a Spark Ad brings to the boosted video: for
  TikTok, organic_views is the total and must not be added to paid_views
  (organic_includes_paid_views true). Instagram and Facebook organic insights count organic
  delivery only, so organic and paid are reported separately (organic_includes_paid_views false).
#}

with

boosting as (

    select
        boosted_content_key as content_key,
        count(*) as boosting_ads
    from {{ ref('dim_ad') }}
    where boosted_content_key is not null
    group by boosted_content_key

),

contents as (

    select dim_content.*, boosting.boosting_ads
    from {{ ref('dim_content') }} as dim_content
    inner join boosting
        on dim_content.content_key = boosting.content_key

),

organic as (

    select
        content_key,
        {{ shortform.iso_week_start('metric_date') }} as week_start,
        sum(views) as organic_views,
        count(distinct metric_date) as organic_days
    from {{ ref('fct_content_daily') }}
    where content_key in (select content_key from contents)
    group by content_key, {{ shortform.iso_week_start('metric_date') }}

),

paid as (

    select
        boosted_content_key as content_key,
        {{ shortform.iso_week_start('metric_date') }} as week_start,
        sum(video_plays) as paid_views,
        sum(quality_views) as paid_quality_views,
        sum(impressions) as paid_impressions,
        sum(spend_reporting) as paid_spend_reporting,
        count(distinct currency) as currencies,
        max(currency) as currency,
        sum(spend_local) as paid_spend_local,
        max(reporting_currency) as reporting_currency,
        count(distinct ad_key) as active_ads
    from {{ ref('fct_ad_daily') }}
    where boosted_content_key is not null
    group by boosted_content_key, {{ shortform.iso_week_start('metric_date') }}

),

weeks as (

    select content_key, week_start from organic
    union
    select content_key, week_start from paid

),

final as (

    select
        cast(contents.brand as {{ dbt.type_string() }}) as brand,
        cast(weeks.content_key as {{ dbt.type_string() }}) as content_key,
        cast(contents.platform as {{ dbt.type_string() }}) as platform,
        cast(contents.surface as {{ dbt.type_string() }}) as surface,
        cast({{ shortform.iso_week_label('weeks.week_start') }} as {{ dbt.type_string() }}) as iso_week,
        cast(weeks.week_start as date) as week_start,
        cast(contents.boosting_ads as bigint) as boosting_ads,
        cast(coalesce(paid.active_ads, 0) as bigint) as active_ads,
        cast(organic.organic_views as bigint) as organic_views,
        cast(contents.views_basis as {{ dbt.type_string() }}) as organic_views_basis,
        cast(case when contents.platform = 'youtube' then 'pacific' else 'utc' end as {{ dbt.type_string() }}) as organic_date_basis,
        cast(coalesce(paid.paid_views, 0) as bigint) as paid_views,
        cast('ads.video_play_actions' as {{ dbt.type_string() }}) as paid_views_basis,
        cast(coalesce(paid.paid_quality_views, 0) as bigint) as paid_quality_views,
        cast(case when contents.platform = 'tiktok' then 'tiktok.video_watched_6s' else 'meta.video_thruplay_watched_actions' end
            as {{ dbt.type_string() }}) as paid_quality_view_definition,
        cast(coalesce(paid.paid_impressions, 0) as bigint) as paid_impressions,
        cast('account_local' as {{ dbt.type_string() }}) as paid_date_basis,
        cast({{ shortform.reporting_currency() }} as {{ dbt.type_string() }}) as reporting_currency,
        cast(coalesce(paid.paid_spend_reporting, 0) as decimal(18, 2)) as paid_spend_reporting,
        cast(case when paid.currencies = 1 then paid.currency end as {{ dbt.type_string() }}) as currency,
        cast(case when paid.currencies = 1 then paid.paid_spend_local end as decimal(18, 2)) as paid_spend_local,
        cast(contents.platform = 'tiktok' as boolean) as organic_includes_paid_views,
        cast(case
            when contents.platform = 'tiktok'
                then 'TikTok organic video_views include the paid (Spark Ads) views: organic_views is the total, do not add paid_views'
            else 'Organic insights exclude paid delivery: organic_views and paid_views are separate'
        end as {{ dbt.type_string() }}) as organic_paid_note
    from weeks
    inner join contents
        on weeks.content_key = contents.content_key
    left join organic
        on weeks.content_key = organic.content_key
        and weeks.week_start = organic.week_start
    left join paid
        on weeks.content_key = paid.content_key
        and weeks.week_start = paid.week_start

)

select * from final
