{#
  TikTok and Meta daily ad rows in one shape: one row per ad x placement x account-local day.
  placement = publisher_platform || ':' || platform_position ('tiktok:all' for TikTok, which has
  no placement breakdown here). surface: TikTok -> 'tiktok'; Meta instagram/instagram_reels ->
  'instagram_reels', facebook/facebook_reels -> 'facebook_reels', every other placement ->
  'meta_other'. currency: the row's own (Meta account_currency, TikTok `currency` metric when
  requested), else the account's (advertiser/info, ad account). source_timezone: the account's zone, the
  basis of metric_date. Metrics absent on one platform are null there (not zero).
#}

{%- set metrics = [
    ('spend_local', 'decimal(18, 2)'),
    ('impressions', 'bigint'), ('clicks', 'bigint'), ('reach', 'bigint'),
    ('video_plays', 'bigint'), ('video_2s_views', 'bigint'), ('video_3s_views', 'bigint'),
    ('video_6s_views', 'bigint'), ('thruplays', 'bigint'),
    ('video_p25_views', 'bigint'), ('video_p50_views', 'bigint'), ('video_p75_views', 'bigint'),
    ('video_p95_views', 'bigint'), ('video_p100_views', 'bigint'), ('video_30s_views', 'bigint'),
    ('likes', 'bigint'), ('comments', 'bigint'), ('shares', 'bigint'), ('saves', 'bigint'),
    ('follows', 'bigint'), ('profile_visits', 'bigint'), ('post_engagements', 'bigint'),
] -%}
{%- set tiktok_only = ['video_6s_views', 'profile_visits'] -%}
{%- set meta_only = ['video_3s_views', 'thruplays', 'video_p95_views', 'video_30s_views', 'saves', 'post_engagements'] -%}

with

tiktok as (

    select
        platform,
        account_id,
        ad_id,
        metric_date,
        publisher_platform,
        platform_position,
        'tiktok' as surface,
        currency as row_currency,
        {%- for name, data_type in metrics %}
        cast({{ 'null' if name in meta_only else name }} as {{ data_type }}) as {{ name }},
        {%- endfor %}
        pulled_at
    from {{ ref('stg_tiktok_ads__ad_days') }}

),

meta as (

    select
        platform,
        account_id,
        ad_id,
        metric_date,
        publisher_platform,
        platform_position,
        {{ shortform.meta_placement_surface('publisher_platform', 'platform_position') }} as surface,
        currency as row_currency,
        {%- for name, data_type in metrics %}
        cast({{ 'null' if name in tiktok_only else name }} as {{ data_type }}) as {{ name }},
        {%- endfor %}
        pulled_at
    from {{ ref('stg_meta_ads__ad_days') }}

),

unioned as (

    select * from tiktok
    union all
    select * from meta

),

accounts as (

    select * from {{ ref('int_ad_accounts_latest') }}

),

final as (

    select
        unioned.platform,
        unioned.account_id,
        accounts.brand,
        unioned.ad_id,
        unioned.platform || ':' || unioned.ad_id as ad_key,
        unioned.metric_date,
        accounts.source_timezone,
        unioned.publisher_platform,
        unioned.platform_position,
        unioned.publisher_platform || ':' || unioned.platform_position as placement,
        unioned.surface,
        coalesce(unioned.row_currency, accounts.currency) as currency,
        {%- for name, data_type in metrics %}
        unioned.{{ name }},
        {%- endfor %}
        unioned.pulled_at
    from unioned
    left join accounts
        on unioned.platform = accounts.platform
        and unioned.account_id = accounts.account_id

)

select * from final
