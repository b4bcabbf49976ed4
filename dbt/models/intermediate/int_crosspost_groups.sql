{#
  Cross-posted creatives: one row per short-form post of dim_content, with the group of posts
  (one brand, one post per platform) that are the same creative. The platforms' APIs have no
  shared creative id, so posts are matched on what they do share (docs/crosspost.md):

  1. Candidate pairs: same brand, different platforms, published at most
     `crosspost_max_hours_apart` apart, durations within `crosspost_duration_tolerance_seconds`
     (a missing duration, e.g. Instagram's, neither helps nor hurts), and captions whose word
     sets (normalize_caption: lower case, no hashtags / emoji / punctuation) have a Jaccard
     similarity of at least `crosspost_min_caption_similarity`. A caption without words never
     matches.
  2. Each post keeps, per other platform, its best candidate (highest similarity, then closest
     in time, then content_key); a pair is accepted when each side is the other's best.
  3. Accepted pairs are joined into groups by label propagation: every post starts with its own
     position in (published_at, content_key) order and takes the smallest label among its
     accepted partners, `crosspost_label_rounds` times.
  4. A group keeps at most one post per platform (the one with the most candidate pairs inside
     the group, then the earliest), and then drops, one at a time, the member that is not a
     candidate pair with the most other members (ties: the latest), until every two members are a
     candidate pair. Three rounds suffice: a group has at most four platforms. A dropped post is
     a group of its own.

  Overrides (seed crosspost_overrides) always win: posts listed there never take part in the
  automatic matching; `pin` rows with the same group_label form one group, a `split` row is a
  group of its own. Their match_method is 'override'.

  crosspost_group_id = the content_key of the group's earliest post (published_at, content_key).
  match_score = the lowest caption similarity between the post and the other members of its
  automatic group (1.0 = identical words); null for single posts and overrides.
  Deterministic: every choice has a total order ending in content_key.
#}

{{ config(materialized='table') }}  {# a pairwise join: computed once, read by the mart and tests #}

{%- set max_hours_apart = var('crosspost_max_hours_apart', 72) -%}
{%- set duration_tolerance = var('crosspost_duration_tolerance_seconds', 1.5) -%}
{%- set min_similarity = var('crosspost_min_caption_similarity', 0.8) -%}
{%- set label_rounds = var('crosspost_label_rounds', 4) -%}
{%- set prune_rounds = 3 -%}

with

content as (

    select
        content_key,
        brand,
        platform,
        published_at,
        duration_seconds,
        {{ shortform.normalize_caption('caption') }} as caption_normalized,
        row_number() over (order by published_at nulls last, content_key) as post_order
    from {{ ref('dim_content') }}

),

overrides as (

    select
        cast(content_key as {{ dbt.type_string() }}) as content_key,
        lower(trim(cast(action as {{ dbt.type_string() }}))) as override_action,
        cast(group_label as {{ dbt.type_string() }}) as group_label
    from {{ ref('crosspost_overrides') }}
    where content_key is not null

),

-- posts left to the automatic matcher (an override always wins; a post without a brand is
-- never matched: matching is within one brand)
matchable as (

    select content.*
    from content
    left join overrides
        on content.content_key = overrides.content_key
    where overrides.content_key is null
        and content.brand is not null

),

caption_words as (

    select distinct content_key, word
    from (
        select content_key, {{ shortform.split_words('caption_normalized') }} as word
        from matchable
        where caption_normalized is not null
    ) as split_captions
    where word <> ''

),

word_counts as (

    select content_key, count(*) as n_words
    from caption_words
    group by content_key

),

-- same brand, different platforms, close in time, compatible durations; each pair once
close_pairs as (

    select
        left_post.content_key as left_key,
        right_post.content_key as right_key,
        left_post.platform as left_platform,
        right_post.platform as right_platform,
        abs({{ dbt.datediff('left_post.published_at', 'right_post.published_at', 'second') }}) as seconds_apart
    from matchable as left_post
    inner join matchable as right_post
        on left_post.brand = right_post.brand
        and left_post.platform <> right_post.platform
        and left_post.content_key < right_post.content_key
    where abs({{ dbt.datediff('left_post.published_at', 'right_post.published_at', 'second') }})
            <= {{ max_hours_apart }} * 3600
        and (
            left_post.duration_seconds is null
            or right_post.duration_seconds is null
            or abs(left_post.duration_seconds - right_post.duration_seconds) <= {{ duration_tolerance }}
        )

),

shared_words as (

    select
        close_pairs.left_key,
        close_pairs.right_key,
        count(*) as n_shared
    from close_pairs
    inner join caption_words as left_words
        on close_pairs.left_key = left_words.content_key
    inner join caption_words as right_words
        on close_pairs.right_key = right_words.content_key
        and left_words.word = right_words.word
    group by close_pairs.left_key, close_pairs.right_key

),

-- candidate pairs: close pairs whose captions are similar enough
candidate_pairs as (

    select
        close_pairs.left_key,
        close_pairs.right_key,
        close_pairs.left_platform,
        close_pairs.right_platform,
        close_pairs.seconds_apart,
        cast(shared_words.n_shared as double)
            / cast(left_counts.n_words + right_counts.n_words - shared_words.n_shared as double) as similarity
    from close_pairs
    inner join shared_words
        on close_pairs.left_key = shared_words.left_key
        and close_pairs.right_key = shared_words.right_key
    inner join word_counts as left_counts
        on close_pairs.left_key = left_counts.content_key
    inner join word_counts as right_counts
        on close_pairs.right_key = right_counts.content_key
    where cast(shared_words.n_shared as double)
            / cast(left_counts.n_words + right_counts.n_words - shared_words.n_shared as double)
            >= {{ min_similarity }}

),

-- both directions of every candidate pair
candidate_edges as (

    select left_key as content_key, right_key as partner_key, right_platform as partner_platform,
        similarity, seconds_apart
    from candidate_pairs
    union all
    select right_key as content_key, left_key as partner_key, left_platform as partner_platform,
        similarity, seconds_apart
    from candidate_pairs

),

ranked_edges as (

    select
        candidate_edges.*,
        row_number() over (
            partition by content_key, partner_platform
            order by similarity desc, seconds_apart, partner_key
        ) as partner_rank
    from candidate_edges

),

-- accepted pairs (both directions): each side is the other's best on that platform
accepted_edges as (

    select forward.content_key, forward.partner_key
    from ranked_edges as forward
    inner join ranked_edges as backward
        on forward.content_key = backward.partner_key
        and forward.partner_key = backward.content_key
    where forward.partner_rank = 1
        and backward.partner_rank = 1

),

labels_0 as (

    select content_key, post_order as group_label
    from matchable

),

{% for round in range(1, label_rounds + 1) %}
labels_{{ round }} as (

    select content_key, min(group_label) as group_label
    from (
        select content_key, group_label
        from labels_{{ round - 1 }}
        union all
        select accepted_edges.content_key, partner_labels.group_label
        from accepted_edges
        inner join labels_{{ round - 1 }} as partner_labels
            on accepted_edges.partner_key = partner_labels.content_key
    ) as offered_labels
    group by content_key

),
{% endfor %}

labelled as (

    select
        matchable.content_key,
        matchable.platform,
        matchable.post_order,
        labels.group_label
    from matchable
    inner join labels_{{ label_rounds }} as labels
        on matchable.content_key = labels.content_key

),

-- candidate pairs inside each label group
labelled_links as (

    select labelled.content_key, count(partners.content_key) as n_links
    from labelled
    left join candidate_edges
        on labelled.content_key = candidate_edges.content_key
    left join labelled as partners
        on candidate_edges.partner_key = partners.content_key
        and partners.group_label = labelled.group_label
    group by labelled.content_key

),

-- one post per platform per group; the others become groups of their own
one_per_platform as (

    select
        labelled.content_key,
        labelled.post_order,
        case
            when row_number() over (
                partition by labelled.group_label, labelled.platform
                order by labelled_links.n_links desc, labelled.post_order
            ) = 1 then labelled.group_label
            else -labelled.post_order
        end as group_label
    from labelled
    inner join labelled_links
        on labelled.content_key = labelled_links.content_key

),

{% set ns = namespace(previous='one_per_platform') %}
{% for round in range(1, prune_rounds + 1) %}
-- round {{ round }}: drop the member with the most non-candidate fellow members (ties: latest)
misfits_{{ round }} as (

    select
        member.content_key,
        member.post_order,
        member.group_label,
        count(fellow.content_key) - count(candidate_edges.partner_key) as n_misfits
    from {{ ns.previous }} as member
    left join {{ ns.previous }} as fellow
        on member.group_label = fellow.group_label
        and member.content_key <> fellow.content_key
    left join candidate_edges
        on member.content_key = candidate_edges.content_key
        and fellow.content_key = candidate_edges.partner_key
    group by member.content_key, member.post_order, member.group_label

),

pruned_{{ round }} as (

    select
        content_key,
        post_order,
        case
            when n_misfits > 0
                and row_number() over (
                    partition by group_label order by n_misfits desc, post_order desc
                ) = 1
                then -post_order
            else group_label
        end as group_label
    from misfits_{{ round }}

),
{% set ns.previous = 'pruned_' ~ round %}
{% endfor %}

auto_groups as (

    select
        grouped.content_key,
        grouped.group_label,
        count(*) over (partition by grouped.group_label) as n_members,
        min(grouped.post_order) over (partition by grouped.group_label) as first_post_order
    from {{ ns.previous }} as grouped

),

auto_scores as (

    select
        auto_groups.content_key,
        min(candidate_edges.similarity) as match_score
    from auto_groups
    inner join auto_groups as fellow
        on auto_groups.group_label = fellow.group_label
        and auto_groups.content_key <> fellow.content_key
    inner join candidate_edges
        on auto_groups.content_key = candidate_edges.content_key
        and fellow.content_key = candidate_edges.partner_key
    group by auto_groups.content_key

),

automatic as (

    select
        auto_groups.content_key,
        first_post.content_key as crosspost_group_id,
        case when auto_groups.n_members > 1 then 'auto' else 'single' end as match_method,
        case when auto_groups.n_members > 1 then auto_scores.match_score end as match_score
    from auto_groups
    inner join content as first_post
        on auto_groups.first_post_order = first_post.post_order
    left join auto_scores
        on auto_groups.content_key = auto_scores.content_key

),

-- posts of dim_content listed in the overrides seed (rows for posts not in dim_content are
-- ignored here; a warn-level test on the seed lists them)
overridden as (

    select
        content.content_key,
        content.post_order,
        case
            when overrides.override_action = 'pin' and overrides.group_label is not null
                then 'pin:' || overrides.group_label
            else 'split:' || content.content_key
        end as override_group
    from content
    inner join overrides
        on content.content_key = overrides.content_key

),

overridden_groups as (

    select
        overridden.content_key,
        first_post.content_key as crosspost_group_id,
        'override' as match_method,
        cast(null as double) as match_score
    from (
        select
            content_key,
            min(post_order) over (partition by override_group) as first_post_order
        from overridden
    ) as overridden
    inner join content as first_post
        on overridden.first_post_order = first_post.post_order

),

-- posts without a brand: never matched
unbranded as (

    select
        content.content_key,
        content.content_key as crosspost_group_id,
        'single' as match_method,
        cast(null as double) as match_score
    from content
    left join overrides
        on content.content_key = overrides.content_key
    where overrides.content_key is null
        and content.brand is null

),

all_groups as (

    select * from automatic
    union all
    select * from overridden_groups
    union all
    select * from unbranded

),

final as (

    select
        cast(all_groups.content_key as {{ dbt.type_string() }}) as content_key,
        cast(content.brand as {{ dbt.type_string() }}) as brand,
        cast(all_groups.crosspost_group_id as {{ dbt.type_string() }}) as crosspost_group_id,
        cast(all_groups.match_method as {{ dbt.type_string() }}) as match_method,
        cast(all_groups.match_score as double) as match_score
    from all_groups
    inner join content
        on all_groups.content_key = content.content_key

)

select * from final
