{#
  Meta Marketing API insights rows (level=ad, time_increment=1, breakdowns publisher_platform,
  platform_position), one row per ad x placement x ad-account-local day. Rename, cast only.
  Scalars arrive as strings and are cast strictly; spend is in account_currency.
  metric_date = date_start (= date_stop with time_increment=1), the ad account's local day.
  Action arrays [{action_type, value}] -> one column per metric (the `value` entry, i.e. the
  account's default attribution; per-window keys such as 7d_click are ignored):
    video_play_actions[video_view]             -> video_plays (video starts, per impression, replays excluded)
    video_continuous_2_sec_watched_actions[video_view] -> video_2s_views (2-second continuous views)
    actions[video_view]                        -> video_3s_views (Meta's 3-second video plays)
    video_thruplay_watched_actions[video_view] -> thruplays (ThruPlay: played to completion, or >= 15 s)
    video_p25/p50/p75/p95/p100_watched_actions[video_view] -> video_p25_views ... video_p100_views
    video_30_sec_watched_actions[video_view]   -> video_30s_views
    actions[post_reaction]                     -> likes (reactions, the analogue of a like)
    actions[comment]                           -> comments
    actions[post]                              -> shares
    actions[onsite_conversion.post_save]       -> saves
    actions[like]                              -> follows (Page likes attributed to the ad; Meta
                                                  insights report no Instagram follows)
    actions[post_engagement]                   -> post_engagements (Meta's own total, as reported)
  An action field that is absent means no actions (0): Meta omits empty action fields, and the
  connector requests every field above (connectors/meta.py AD_INSIGHTS_FIELDS).
#}
{{ config(**shortform.incremental_config(['account_id', 'ad_placement_key', 'metric_date'], 'metric_date')) }}
{%- set ctx = "'ad_account_id=' || ad_account_id || ', ad_placement_key=' || ad_placement_key || ', metric_date=' || cast(metric_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.ad_id', '$.date_start', '$.date_stop', '$.publisher_platform', '$.platform_position', '$.campaign_id', '$.adset_id', '$.account_currency', '$.spend', '$.impressions', '$.clicks', '$.reach'], [], ['$.video_play_actions', '$.video_continuous_2_sec_watched_actions', '$.actions', '$.video_thruplay_watched_actions', '$.video_p25_watched_actions', '$.video_p50_watched_actions', '$.video_p75_watched_actions', '$.video_p95_watched_actions', '$.video_p100_watched_actions', '$.video_30_sec_watched_actions']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('meta_ads', 'ad_days') }}
    {{ shortform.incremental_raw_dates(source('meta_ads', 'ad_days'), 'metric_date') }}

),

renamed as (

    select
        'meta_ads' as platform,
        'act_' || regexp_replace(cast(ad_account_id as {{ dbt.type_string() }}), '^act_', '') as account_id,
        cast(ad_placement_key as {{ dbt.type_string() }}) as ad_placement_key,
        coalesce({{ shortform.json_at(f, '$.ad_id') }}, split_part(ad_placement_key, '|', 1)) as ad_id,
        case
            when {{ shortform.json_at(f, '$.date_start') }} is null then cast(metric_date as date)
            when coalesce({{ shortform.json_at(f, '$.date_stop') }}, {{ shortform.json_at(f, '$.date_start') }})
                    <> {{ shortform.json_at(f, '$.date_start') }}
                then cast({{ shortform.raise_error(shortform._cast_error_message(
                    shortform.json_at(f, '$.date_start') ~ " || '..' || " ~ shortform.json_at(f, '$.date_stop'),
                    'meta_ads.date_start..date_stop (not one day: time_increment must be 1)', ctx)) }} as date)
            when {{ shortform.matches_pattern(shortform.json_at(f, '$.date_start'), '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
                then cast({{ shortform.json_at(f, '$.date_start') }} as date)
            else cast({{ shortform.raise_error(shortform._cast_error_message(shortform.json_at(f, '$.date_start'), 'meta_ads.date_start', ctx)) }} as date)
        end as metric_date,
        coalesce({{ shortform.json_at(f, '$.publisher_platform') }}, split_part(ad_placement_key, '|', 2)) as publisher_platform,
        coalesce({{ shortform.json_at(f, '$.platform_position') }}, split_part(ad_placement_key, '|', 3)) as platform_position,
        {{ shortform.json_at(f, '$.campaign_id') }} as campaign_id,
        {{ shortform.json_at(f, '$.adset_id') }} as adset_id,
        upper({{ shortform.json_at(f, '$.account_currency') }}) as currency,

        {{ shortform.to_decimal(shortform.json_at(f, '$.spend'), 'meta_ads.spend', ctx, 'decimal(18, 2)') }} as spend_local,
        {{ shortform.to_count(shortform.json_at(f, '$.impressions'), 'meta_ads.impressions', ctx) }} as impressions,
        {{ shortform.to_count(shortform.json_at(f, '$.clicks'), 'meta_ads.clicks', ctx) }} as clicks,
        {{ shortform.to_count(shortform.json_at(f, '$.reach'), 'meta_ads.reach', ctx) }} as reach,
        {{ shortform.json_action_count(f, '$.video_play_actions', 'video_view', 'meta_ads.video_play_actions', ctx) }} as video_plays,
        {{ shortform.json_action_count(f, '$.video_continuous_2_sec_watched_actions', 'video_view', 'meta_ads.video_continuous_2_sec_watched_actions', ctx) }} as video_2s_views,
        {{ shortform.json_action_count(f, '$.actions', 'video_view', 'meta_ads.actions.video_view', ctx) }} as video_3s_views,
        {{ shortform.json_action_count(f, '$.video_thruplay_watched_actions', 'video_view', 'meta_ads.video_thruplay_watched_actions', ctx) }} as thruplays,
        {{ shortform.json_action_count(f, '$.video_p25_watched_actions', 'video_view', 'meta_ads.video_p25_watched_actions', ctx) }} as video_p25_views,
        {{ shortform.json_action_count(f, '$.video_p50_watched_actions', 'video_view', 'meta_ads.video_p50_watched_actions', ctx) }} as video_p50_views,
        {{ shortform.json_action_count(f, '$.video_p75_watched_actions', 'video_view', 'meta_ads.video_p75_watched_actions', ctx) }} as video_p75_views,
        {{ shortform.json_action_count(f, '$.video_p95_watched_actions', 'video_view', 'meta_ads.video_p95_watched_actions', ctx) }} as video_p95_views,
        {{ shortform.json_action_count(f, '$.video_p100_watched_actions', 'video_view', 'meta_ads.video_p100_watched_actions', ctx) }} as video_p100_views,
        {{ shortform.json_action_count(f, '$.video_30_sec_watched_actions', 'video_view', 'meta_ads.video_30_sec_watched_actions', ctx) }} as video_30s_views,
        {{ shortform.json_action_count(f, '$.actions', 'post_reaction', 'meta_ads.actions.post_reaction', ctx) }} as likes,
        {{ shortform.json_action_count(f, '$.actions', 'comment', 'meta_ads.actions.comment', ctx) }} as comments,
        {{ shortform.json_action_count(f, '$.actions', 'post', 'meta_ads.actions.post', ctx) }} as shares,
        {{ shortform.json_action_count(f, '$.actions', 'onsite_conversion.post_save', 'meta_ads.actions.post_save', ctx) }} as saves,
        {{ shortform.json_action_count(f, '$.actions', 'like', 'meta_ads.actions.like', ctx) }} as follows,
        {{ shortform.json_action_count(f, '$.actions', 'post_engagement', 'meta_ads.actions.post_engagement', ctx) }} as post_engagements,

        cast(pulled_at as timestamp) as pulled_at
    from source

)

select * from renamed
