{#
  A cross-post group holds one brand's posts, at most one per platform. The automatic matcher
  cannot break this; a `pin` in seeds/crosspost_overrides.csv can (posts of two brands, or two
  posts of one platform, under one group_label). Returns the offending groups.
#}

{{ config(meta={"dagster": {"ref": {"name": "int_crosspost_groups"}}}) }}

with

members as (

    select
        groups.crosspost_group_id,
        groups.match_method,
        content.brand,
        content.platform,
        content.content_key
    from {{ ref('int_crosspost_groups') }} as groups
    inner join {{ ref('dim_content') }} as content
        on groups.content_key = content.content_key

)

select
    crosspost_group_id,
    min(match_method) as match_method,
    count(distinct brand) as n_brands,
    count(*) as n_posts,
    count(distinct platform) as n_platforms,
    min(content_key) || ' .. ' || max(content_key) as example_posts
from members
group by crosspost_group_id
having count(distinct brand) > 1
    or count(*) > count(distinct platform)
    or (count(distinct brand) = 0 and count(*) > 1)
