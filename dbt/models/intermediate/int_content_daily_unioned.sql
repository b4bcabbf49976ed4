{#
  Daily rows of every surface in one shape: derived from lifetime snapshots for TikTok,
  Instagram Reels and Facebook Reels (UTC days), from YouTube Analytics for YouTube Shorts
  (Pacific-time days). engaged_views exists for YouTube only.
#}

{%- set columns = [
    ('platform', dbt.type_string()),
    ('surface', dbt.type_string()),
    ('account_id', dbt.type_string()),
    ('content_id', dbt.type_string()),
    ('content_key', dbt.type_string()),
    ('published_at', 'timestamp'),
    ('metric_date', 'date'),
    ('snapshot_date', 'date'),
    ('derivation', dbt.type_string()),
    ('is_complete', 'boolean'),
    ('is_restated_down', 'boolean'),
    ('views', 'bigint'),
    ('engaged_views', 'bigint'),
    ('likes', 'bigint'),
    ('comments', 'bigint'),
    ('shares', 'bigint'),
    ('saves', 'bigint'),
    ('watch_seconds', 'decimal(18, 3)'),
    ('views_cumulative', 'bigint'),
    ('reach_cumulative', 'bigint'),
    ('views_basis', dbt.type_string()),
] -%}

with

derived as (

    select
        *,
        cast(null as bigint) as engaged_views
    from {{ ref('int_content_daily_derived') }}

),

youtube as (

    select * from {{ ref('int_youtube_daily') }}

),

unioned as (

    {% for relation in ['derived', 'youtube'] %}
    select
        {%- for name, data_type in columns %}
        cast({{ name }} as {{ data_type }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
