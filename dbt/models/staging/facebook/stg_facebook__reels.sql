{#
  Facebook Page Reels: one row per Reel per snapshot date, LIFETIME video_insights through the
  end of snapshot_date (UTC). Rename, cast, unit-fix only.
  Mapping:
    views    = fb_reels_total_plays (plays including replays; blue_reels_play_count excludes them)
    reach    = post_impressions_unique
    likes    = sum of ALL reaction counts in post_video_likes_by_reaction_type (like, love, haha,
               wow, sad, angry, ...): a Facebook reaction is the analogue of a like elsewhere.
               REACTION_LIKE alone is kept as like_reactions.
    comments = post_video_social_actions.COMMENT, shares = post_video_social_actions.SHARE
               (a missing key inside a present object means 0)
    saves    = null (not exposed for Reels)
  Unit fixes: post_video_view_time / post_video_avg_time_watched ms -> seconds;
  created_time "+0000" -> UTC timestamp; length is float seconds.
#}
{{ config(**shortform.incremental_config(['account_id', 'content_id', 'snapshot_date'], 'snapshot_date')) }}
{%- set ctx = "'page_id=' || page_id || ', video_id=' || video_id || ', snapshot_date=' || cast(snapshot_date as " ~ dbt.type_string() ~ ")" -%}
{%- set f = shortform.json_fields('payload', ['$.created_time', '$.description', '$.title', '$.permalink_url', '$.published', '$.length', '$.insights.fb_reels_total_plays', '$.insights.blue_reels_play_count', '$.insights.fb_reels_replay_count', '$.insights.post_impressions_unique', '$.insights.post_video_likes_by_reaction_type.REACTION_LIKE', '$.insights.post_video_social_actions.COMMENT', '$.insights.post_video_social_actions.SHARE', '$.insights.post_video_view_time', '$.insights.post_video_avg_time_watched', '$.insights.post_video_followers'], ['$.insights.post_video_likes_by_reaction_type', '$.insights.post_video_social_actions']) -%}

with

source as (

    select *, {{ f.select }} from {{ source('facebook', 'reels') }}
    {{ shortform.incremental_raw_dates(source('facebook', 'reels'), 'snapshot_date') }}

),

renamed as (

    select
        'facebook' as platform,
        'facebook_reels' as surface,
        cast(page_id as {{ dbt.type_string() }}) as account_id,
        cast(video_id as {{ dbt.type_string() }}) as content_id,
        cast(snapshot_date as date) as snapshot_date,

        {{ shortform.iso_text_to_utc_timestamp(shortform.json_at(f, '$.created_time')) }} as published_at,
        coalesce(
            {{ shortform.json_at(f, '$.description') }},
            {{ shortform.json_at(f, '$.title') }}
        ) as caption,
        {{ shortform.json_at(f, '$.permalink_url') }} as permalink,
        {{ shortform.to_boolean(shortform.json_at(f, '$.published'), 'facebook.published', ctx) }} as is_published,
        {{ shortform.to_decimal(shortform.json_at(f, '$.length'), 'facebook.length', ctx, 'double') }} as duration_seconds,

        -- lifetime totals
        {{ shortform.to_count(shortform.json_at(f, '$.insights.fb_reels_total_plays'), 'facebook.fb_reels_total_plays', ctx) }} as views,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.blue_reels_play_count'), 'facebook.blue_reels_play_count', ctx) }} as initial_plays,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.fb_reels_replay_count'), 'facebook.fb_reels_replay_count', ctx) }} as replays,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.post_impressions_unique'), 'facebook.post_impressions_unique', ctx) }} as reach,
        {{ shortform.json_sum_counts(shortform.json_at(f, '$.insights.post_video_likes_by_reaction_type', 'json'), '$', 'facebook.post_video_likes_by_reaction_type', ctx) }} as likes,
        case
            when {{ shortform.json_is_object(shortform.json_at(f, '$.insights.post_video_likes_by_reaction_type', 'json'), '$') }} then coalesce(
                {{ shortform.to_count(shortform.json_at(f, '$.insights.post_video_likes_by_reaction_type.REACTION_LIKE'), 'facebook.REACTION_LIKE', ctx) }}, 0)
        end as like_reactions,
        case
            when {{ shortform.json_is_object(shortform.json_at(f, '$.insights.post_video_social_actions', 'json'), '$') }} then coalesce(
                {{ shortform.to_count(shortform.json_at(f, '$.insights.post_video_social_actions.COMMENT'), 'facebook.social_actions.COMMENT', ctx) }}, 0)
        end as comments,
        case
            when {{ shortform.json_is_object(shortform.json_at(f, '$.insights.post_video_social_actions', 'json'), '$') }} then coalesce(
                {{ shortform.to_count(shortform.json_at(f, '$.insights.post_video_social_actions.SHARE'), 'facebook.social_actions.SHARE', ctx) }}, 0)
        end as shares,
        cast(null as bigint) as saves,
        cast(
            {{ shortform.to_decimal(shortform.json_at(f, '$.insights.post_video_view_time'), 'facebook.post_video_view_time', ctx) }}
            * 0.001 as decimal(18, 3)
        ) as watch_seconds,
        {{ shortform.to_decimal(shortform.json_at(f, '$.insights.post_video_avg_time_watched'), 'facebook.post_video_avg_time_watched', ctx, 'double') }}
            / 1000 as avg_watch_seconds,
        {{ shortform.to_count(shortform.json_at(f, '$.insights.post_video_followers'), 'facebook.post_video_followers', ctx) }} as new_followers,

        'facebook.fb_reels_total_plays' as views_basis,
        cast(pulled_at as timestamp) as pulled_at

    from source

)

select * from renamed
