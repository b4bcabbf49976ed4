{#
  One row per paid ad x placement x day. Date basis: metric_date is the AD ACCOUNT's local day
  (TikTok advertiser / Meta ad account time zone, kept in source_timezone), as the ads APIs
  report it; it is not a UTC day (date_basis = 'account_local').
  Money: spend_local in the account currency; spend_reporting in the reporting currency (dbt
  var reporting_currency) at fx_rate, the seed's rate of fx_rate_date (= metric_date; weekend
  and holiday rates are the previous ECB working day's, see fx_published_date), rounded to cents
  per row. A missing rate leaves fx_rate / spend_reporting null and fails the fx tests.
  reach is unique people for that ad, placement and day: never sum it across rows.
  reporting_date: the reporting-zone day (var reporting_timezone) of the account day's midpoint
  (the account day itself when the zone is unknown). is_final: older than the platform's
  restatement window (tiktok_ads 7, meta_ads 28 days) as of the account's latest pull.
  View thresholds: see the column descriptions; quality_views / short_views name the
  platform's definition in quality_view_definition / short_view_definition.
#}

with

days as (

    select * from {{ ref('int_ad_days_unioned') }}

),

fx as (

    select * from {{ ref('int_fx_rates_daily') }}

),

ads as (

    select * from {{ ref('int_ads_linked') }}

),

-- the account's latest pull (its newest advertiser / ad account snapshot): maturity is counted from it
accounts as (

    select platform, account_id, last_seen_date as data_as_of_date
    from {{ ref('int_ad_accounts_latest') }}

),

reporting_days as (

    {{ shortform.reporting_days('days', 'metric_date', 'source_timezone') }}

),

final as (

    select
        cast(days.ad_key as {{ dbt.type_string() }}) as ad_key,
        cast(days.ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(days.platform as {{ dbt.type_string() }}) as platform,
        cast(days.account_id as {{ dbt.type_string() }}) as account_id,
        cast(days.brand as {{ dbt.type_string() }}) as brand,
        cast(days.metric_date as date) as metric_date,
        cast('account_local' as {{ dbt.type_string() }}) as date_basis,
        cast(days.source_timezone as {{ dbt.type_string() }}) as source_timezone,
        cast(coalesce(reporting_days.reporting_date, days.metric_date) as date) as reporting_date,
        cast(accounts.data_as_of_date as date) as data_as_of_date,
        cast({{ shortform.is_final('days.metric_date', 'accounts.data_as_of_date', 'days.platform') }} as boolean) as is_final,
        cast(days.placement as {{ dbt.type_string() }}) as placement,
        cast(days.publisher_platform as {{ dbt.type_string() }}) as publisher_platform,
        cast(days.platform_position as {{ dbt.type_string() }}) as platform_position,
        cast(days.surface as {{ dbt.type_string() }}) as surface,
        cast(days.surface in ('instagram_reels', 'facebook_reels') as boolean) as is_reels_placement,

        cast(days.currency as {{ dbt.type_string() }}) as currency,
        cast(days.spend_local as decimal(18, 2)) as spend_local,
        cast({{ shortform.reporting_currency() }} as {{ dbt.type_string() }}) as reporting_currency,
        {{ shortform.to_reporting_money('days.spend_local', 'fx.fx_rate') }} as spend_reporting,
        cast(fx.fx_rate as decimal(18, 10)) as fx_rate,
        cast(fx.rate_date as date) as fx_rate_date,
        cast(fx.published_date as date) as fx_published_date,

        cast(days.impressions as bigint) as impressions,
        cast(days.reach as bigint) as reach,
        cast(days.clicks as bigint) as clicks,
        cast(days.video_plays as bigint) as video_plays,
        cast(days.video_2s_views as bigint) as video_2s_views,
        cast(days.video_3s_views as bigint) as video_3s_views,
        cast(days.video_6s_views as bigint) as video_6s_views,
        cast(days.thruplays as bigint) as thruplays,
        cast(days.video_p25_views as bigint) as video_p25_views,
        cast(days.video_p50_views as bigint) as video_p50_views,
        cast(days.video_p75_views as bigint) as video_p75_views,
        cast(days.video_p95_views as bigint) as video_p95_views,
        cast(days.video_p100_views as bigint) as video_p100_views,
        cast(days.video_30s_views as bigint) as video_30s_views,
        cast(case when days.platform = 'tiktok_ads' then days.video_6s_views else days.thruplays end as bigint) as quality_views,
        cast(case when days.platform = 'tiktok_ads' then 'tiktok.video_watched_6s' else 'meta.video_thruplay_watched_actions' end
            as {{ dbt.type_string() }}) as quality_view_definition,
        cast(days.video_2s_views as bigint) as short_views,
        cast(case when days.platform = 'tiktok_ads' then 'tiktok.video_watched_2s' else 'meta.video_continuous_2_sec_watched_actions' end
            as {{ dbt.type_string() }}) as short_view_definition,
        cast(days.likes as bigint) as likes,
        cast(days.comments as bigint) as comments,
        cast(days.shares as bigint) as shares,
        cast(days.saves as bigint) as saves,
        cast(days.likes + days.comments + days.shares + coalesce(days.saves, 0) as bigint) as engagements,
        cast(days.post_engagements as bigint) as post_engagements,
        cast(days.follows as bigint) as follows,
        cast(days.profile_visits as bigint) as profile_visits,

        cast(ads.boosted_content_key as {{ dbt.type_string() }}) as boosted_content_key,
        cast(days.pulled_at as timestamp) as pulled_at
    from days
    left join fx
        on days.metric_date = fx.rate_date
        and days.currency = fx.currency
    left join ads
        on days.ad_key = ads.ad_key
    left join accounts
        on days.platform = accounts.platform
        and days.account_id = accounts.account_id
    left join reporting_days
        on days.metric_date = reporting_days.source_date
        and days.source_timezone = reporting_days.source_timezone

)

select * from final
