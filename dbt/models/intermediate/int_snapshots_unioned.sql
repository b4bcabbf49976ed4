{#
  Lifetime snapshots of TikTok, Instagram Reels and Facebook Reels in one shape: one row per
  content per snapshot date, *_cumulative = lifetime totals through the end of snapshot_date
  (UTC). YouTube is not here: YouTube Analytics gives true daily rows (int_youtube_daily).
#}

{%- set sources = [
    ref('stg_tiktok__videos'),
    ref('stg_instagram__reels'),
    ref('stg_facebook__reels'),
] -%}

with

{% for relation in sources %}
snapshots_{{ loop.index }} as (

    select
        platform,
        surface,
        account_id,
        content_id,
        platform || ':' || content_id as content_key,
        published_at,
        snapshot_date,
        cast(views as bigint) as views_cumulative,
        cast(reach as bigint) as reach_cumulative,
        cast(likes as bigint) as likes_cumulative,
        cast(comments as bigint) as comments_cumulative,
        cast(shares as bigint) as shares_cumulative,
        cast(saves as bigint) as saves_cumulative,
        cast(watch_seconds as decimal(18, 3)) as watch_seconds_cumulative,
        cast(duration_seconds as double) as duration_seconds,
        caption,
        permalink,
        views_basis,
        pulled_at
    from {{ relation }}

),
{% endfor %}

unioned as (

    {% for relation in sources %}
    select * from snapshots_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
