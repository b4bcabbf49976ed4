{#
  Meta ads (GET act_{id}/ads with creative{id,effective_object_story_id,
  effective_instagram_media_id,video_id}), one row per ad per snapshot date. Rename, cast only.
  Boosted organic content: effective_instagram_media_id is the Instagram media (Reel) the ad
  promotes; effective_object_story_id is '<page_id>_<post_id>' of the Facebook post it promotes
  (story_post_id is the part after the underscore); creative_video_id is the video the creative
  uses (for a boosted Facebook Reel, the Reel's video id).
#}
{{ config(**shortform.incremental_config(['account_id', 'ad_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set f = shortform.json_fields('payload', ['$.name', '$.campaign_id', '$.adset_id', '$.effective_status', '$.creative.id', '$.creative.effective_object_story_id', '$.creative.effective_instagram_media_id', '$.creative.video_id']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('meta_ads', 'ads') }}
    {{ shortform.incremental_raw_dates(source('meta_ads', 'ads'), 'snapshot_date') }}

),

renamed as (

    select
        'meta_ads' as platform,
        'act_' || regexp_replace(cast(ad_account_id as {{ dbt.type_string() }}), '^act_', '') as account_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(snapshot_date as date) as snapshot_date,
        {{ shortform.json_at(f, '$.name') }} as ad_name,
        {{ shortform.json_at(f, '$.campaign_id') }} as campaign_id,
        {{ shortform.json_at(f, '$.adset_id') }} as adset_id,
        {{ shortform.json_at(f, '$.effective_status') }} as ad_status,
        {{ shortform.json_at(f, '$.creative.id') }} as creative_id,
        nullif({{ shortform.json_at(f, '$.creative.effective_object_story_id') }}, '') as effective_object_story_id,
        nullif(regexp_extract({{ shortform.json_at(f, '$.creative.effective_object_story_id') }}, '^[0-9]+_([0-9]+)$', 1), '') as story_post_id,
        nullif({{ shortform.json_at(f, '$.creative.effective_instagram_media_id') }}, '') as effective_instagram_media_id,
        nullif({{ shortform.json_at(f, '$.creative.video_id') }}, '') as creative_video_id,
        cast(pulled_at as timestamp) as pulled_at
    from source

)

select * from renamed
