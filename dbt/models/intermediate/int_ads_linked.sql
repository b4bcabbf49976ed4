{#
  Every paid ad (TikTok, Meta) once, with the attributes of its latest ad snapshot and the
  organic content it boosts. Ads seen only in daily report rows (not in any ads snapshot) are
  kept with null attributes, so every fct_ad_daily row has its dim_ad row.
  Boosted content (content_key as in dim_content):
    TikTok Spark Ads: tiktok_item_id -> 'tiktok:<item_id>'.
    Meta: effective_instagram_media_id -> 'instagram:<media id>'; else creative video_id ->
    'facebook:<video id>'; else the post id of effective_object_story_id ('<page>_<post>') ->
    'facebook:<post id>'. The first candidate that is a tracked organic content wins;
    boosted_platform / boosted_object_id keep the ad's own reference even when it matches no
    tracked content (e.g. a post published before tracking started, or not a Reel).
#}

with

ad_snapshots as (

    select
        platform, account_id, ad_id, snapshot_date, ad_name, campaign_id, adset_id, ad_status,
        case when tiktok_item_id is not null then 'tiktok' end as boosted_platform,
        tiktok_item_id as boosted_object_id,
        'tiktok:' || tiktok_item_id as candidate_1,
        cast(null as {{ dbt.type_string() }}) as candidate_2,
        cast(null as {{ dbt.type_string() }}) as candidate_3
    from {{ ref('stg_tiktok_ads__ads') }}

    union all

    select
        platform, account_id, ad_id, snapshot_date, ad_name, campaign_id, adset_id, ad_status,
        case
            when effective_instagram_media_id is not null then 'instagram'
            when creative_video_id is not null or story_post_id is not null then 'facebook'
        end as boosted_platform,
        coalesce(effective_instagram_media_id, creative_video_id, story_post_id) as boosted_object_id,
        'instagram:' || effective_instagram_media_id as candidate_1,
        'facebook:' || creative_video_id as candidate_2,
        'facebook:' || story_post_id as candidate_3
    from {{ ref('stg_meta_ads__ads') }}

),

latest_snapshots as (

    select *
    from (
        select
            ad_snapshots.*,
            row_number() over (partition by platform, ad_id order by snapshot_date desc) as recency_rank
        from ad_snapshots
    ) as ranked
    where recency_rank = 1

),

ads_in_days as (

    select platform, account_id, ad_id, min(metric_date) as first_metric_date, max(metric_date) as last_metric_date
    from {{ ref('int_ad_days_unioned') }}
    group by platform, account_id, ad_id

),

all_ads as (

    select platform, account_id, ad_id from latest_snapshots
    union
    select platform, account_id, ad_id from ads_in_days

),

organic_contents as (

    select distinct content_key
    from {{ ref('int_snapshots_unioned') }}

),

final as (

    select
        all_ads.platform,
        all_ads.account_id,
        all_ads.ad_id,
        all_ads.platform || ':' || all_ads.ad_id as ad_key,
        latest_snapshots.ad_name,
        latest_snapshots.campaign_id,
        latest_snapshots.adset_id,
        latest_snapshots.ad_status,
        latest_snapshots.snapshot_date as last_snapshot_date,
        ads_in_days.first_metric_date,
        ads_in_days.last_metric_date,
        latest_snapshots.boosted_platform,
        latest_snapshots.boosted_object_id,
        coalesce(content_1.content_key, content_2.content_key, content_3.content_key) as boosted_content_key
    from all_ads
    left join latest_snapshots
        on all_ads.platform = latest_snapshots.platform
        and all_ads.ad_id = latest_snapshots.ad_id
    left join ads_in_days
        on all_ads.platform = ads_in_days.platform
        and all_ads.ad_id = ads_in_days.ad_id
    left join organic_contents as content_1
        on latest_snapshots.candidate_1 = content_1.content_key
    left join organic_contents as content_2
        on latest_snapshots.candidate_2 = content_2.content_key
    left join organic_contents as content_3
        on latest_snapshots.candidate_3 = content_3.content_key

)

select * from final
