{#
  The cross-post matcher (int_crosspost_groups, docs/crosspost.md) in stages. Each macro below
  returns comma-separated CTE definitions whose last CTE is the stage's result (crosspost_posts,
  crosspost_pairs, crosspost_edges, crosspost_labels, crosspost_pruned, crosspost_final); its
  inputs are relation names (a ref or the name of an earlier stage's CTE).

  The same stages are assembled two ways (var crosspost_staged, default: true on Spark only):
  * inline (DuckDB): int_crosspost_groups chains every stage as CTEs of one query, so its unit
    tests give dim_content and crosspost_overrides directly;
  * staged (Spark): each stage is a table model (int_crosspost_posts, _pairs, _edges, _labels,
    _pruned) and int_crosspost_groups reads them. Spark inlines every CTE at each reference, and
    the matcher's stages each read the previous one two or three times, so one query grows
    exponentially with the rounds (the Java heap ran out); a table per stage keeps every plan
    small. The parity test (tests/spark) proves both assemblies give the same groups.

  Label propagation is written so each round reads the previous round once: an accepted edge
  from every post to itself carries the post's own label (min(own, partners') = min over the
  edges of the partner's label), so the rounds stay a linear chain on either engine.
#}

{% macro crosspost_staged() -%}
    {{ return(var('crosspost_staged', target.type == 'spark')) }}
{%- endmacro %}

{# The overrides seed, typed and normalized. #}
{% macro crosspost_overrides_cte(seed) %}
overrides as (

    select
        cast(content_key as {{ dbt.type_string() }}) as content_key,
        lower(trim(cast(action as {{ dbt.type_string() }}))) as override_action,
        cast(group_label as {{ dbt.type_string() }}) as group_label
    from {{ seed }}
    where content_key is not null

)
{% endmacro %}

{#
  Every post of dim_content with its order (published_at, content_key) and whether the automatic
  matcher may use it: an override always wins, and a post without a brand is never matched
  (matching is within one brand).
#}
{% macro crosspost_posts_ctes(dim_content, overrides) %}
content as (

    select
        content_key,
        brand,
        platform,
        published_at,
        duration_seconds,
        {{ shortform.normalize_caption('caption') }} as caption_normalized,
        row_number() over (order by published_at nulls last, content_key) as post_order
    from {{ dim_content }}

),

crosspost_posts as (

    select
        content.*,
        case
            when overridden.content_key is null and content.brand is not null then true
            else false
        end as is_matchable
    from content
    left join (select distinct content_key from {{ overrides }}) as overridden
        on content.content_key = overridden.content_key

)
{% endmacro %}

{# Candidate pairs (each once, left_key < right_key) with their caption similarity. #}
{% macro crosspost_pairs_ctes(posts, max_hours_apart, duration_tolerance, min_similarity) %}
matchable as (

    select * from {{ posts }}
    where is_matchable

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

{% if target.type == 'duckdb' %}
-- DuckDB: each post's word set as a list, intersected per close pair. A join of the two sides'
-- words on `word` let the optimizer (which estimates CTE scans far too small) join every post's
-- words with every other post's first: at one year of the agency world (52,033 posts) that spilled
-- more than 38 GB and held 20 GB of memory. Same counts: caption_words are distinct per post.
word_sets as (

    select content_key, list(word) as words
    from caption_words
    group by content_key

),

shared_words as (

    select left_key, right_key, n_shared
    from (
        select
            close_pairs.left_key,
            close_pairs.right_key,
            len(list_intersect(left_words.words, right_words.words)) as n_shared
        from close_pairs
        inner join word_sets as left_words
            on close_pairs.left_key = left_words.content_key
        inner join word_sets as right_words
            on close_pairs.right_key = right_words.content_key
    ) as pair_overlaps
    where n_shared > 0

),
{% else %}
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
{% endif %}

-- candidate pairs: close pairs whose captions are similar enough
crosspost_pairs as (

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

)
{% endmacro %}

{#
  Both directions of every candidate pair; is_accepted when each side is the other's best
  candidate on that platform (highest similarity, then closest in time, then content_key).
#}
{% macro crosspost_edges_ctes(pairs) %}
candidate_edges as (

    select left_key as content_key, right_key as partner_key, right_platform as partner_platform,
        similarity, seconds_apart
    from {{ pairs }}
    union all
    select right_key as content_key, left_key as partner_key, left_platform as partner_platform,
        similarity, seconds_apart
    from {{ pairs }}

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

crosspost_edges as (

    select
        forward.content_key,
        forward.partner_key,
        forward.partner_platform,
        forward.similarity,
        forward.seconds_apart,
        case
            when forward.partner_rank = 1 and backward.partner_rank = 1 then true
            else false
        end as is_accepted
    from ranked_edges as forward
    left join ranked_edges as backward
        on forward.content_key = backward.partner_key
        and forward.partner_key = backward.content_key

)
{% endmacro %}

{#
  Label propagation over the accepted edges (every post starts with its post_order and takes the
  smallest label among itself and its accepted partners, `label_rounds` times), then at most one
  post per platform per group (most candidate pairs inside the group, then earliest); the others
  become groups of their own (label -post_order).
#}
{% macro crosspost_labels_ctes(posts, edges, label_rounds) %}
label_posts as (

    select content_key, platform, post_order
    from {{ posts }}
    where is_matchable

),

-- accepted edges plus one from every post to itself (it keeps its own label on offer)
label_edges as (

    select content_key, partner_key
    from {{ edges }}
    where is_accepted
    union all
    select content_key, content_key as partner_key
    from label_posts

),

labels_0 as (

    select content_key, post_order as group_label
    from label_posts

),

{% for round in range(1, label_rounds + 1) %}
labels_{{ round }} as (

    select label_edges.content_key, min(partner_labels.group_label) as group_label
    from label_edges
    inner join labels_{{ round - 1 }} as partner_labels
        on label_edges.partner_key = partner_labels.content_key
    group by label_edges.content_key

),
{% endfor %}

labelled as (

    select
        label_posts.content_key,
        label_posts.platform,
        label_posts.post_order,
        labels.group_label
    from label_posts
    inner join labels_{{ label_rounds }} as labels
        on label_posts.content_key = labels.content_key

),

-- candidate pairs inside each label group
labelled_links as (

    select labelled.content_key, count(partners.content_key) as n_links
    from labelled
    left join {{ edges }} as candidate_edges
        on labelled.content_key = candidate_edges.content_key
    left join labelled as partners
        on candidate_edges.partner_key = partners.content_key
        and partners.group_label = labelled.group_label
    group by labelled.content_key

),

-- one post per platform per group; the others become groups of their own
crosspost_labels as (

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

)
{% endmacro %}

{#
  Pruning: each round drops, per group, the member that is not a candidate pair with the most
  other members (ties: the latest); it becomes a group of its own. Three rounds suffice: a group
  has at most four platforms.
#}
{% macro crosspost_pruned_ctes(labels, edges, prune_rounds=3) %}
{% set ns = namespace(previous=labels) %}
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
    left join {{ edges }} as candidate_edges
        on member.content_key = candidate_edges.content_key
        and fellow.content_key = candidate_edges.partner_key
    group by member.content_key, member.post_order, member.group_label

),

{{ 'crosspost_pruned' if round == prune_rounds else 'pruned_' ~ round }} as (

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

){{ ',' if round < prune_rounds }}
{% set ns.previous = 'pruned_' ~ round %}
{% endfor %}
{% endmacro %}

{#
  The groups: automatic ones (crosspost_group_id = the earliest member; match_score = the lowest
  similarity to the other members), overrides (pin rows with one group_label form a group, a
  split row is a group of its own), and posts without a brand (single).
#}
{% macro crosspost_final_ctes(pruned, posts, edges, overrides) %}
auto_groups as (

    select
        grouped.content_key,
        grouped.group_label,
        count(*) over (partition by grouped.group_label) as n_members,
        min(grouped.post_order) over (partition by grouped.group_label) as first_post_order
    from {{ pruned }} as grouped

),

auto_scores as (

    select
        auto_groups.content_key,
        min(candidate_edges.similarity) as match_score
    from auto_groups
    inner join auto_groups as fellow
        on auto_groups.group_label = fellow.group_label
        and auto_groups.content_key <> fellow.content_key
    inner join {{ edges }} as candidate_edges
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
    inner join {{ posts }} as first_post
        on auto_groups.first_post_order = first_post.post_order
    left join auto_scores
        on auto_groups.content_key = auto_scores.content_key

),

-- posts of dim_content listed in the overrides seed (rows for posts not in dim_content are
-- ignored here; a warn-level test on the seed lists them)
overridden as (

    select
        posts.content_key,
        posts.post_order,
        case
            when overrides.override_action = 'pin' and overrides.group_label is not null
                then 'pin:' || overrides.group_label
            else 'split:' || posts.content_key
        end as override_group
    from {{ posts }} as posts
    inner join {{ overrides }} as overrides
        on posts.content_key = overrides.content_key

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
    inner join {{ posts }} as first_post
        on overridden.first_post_order = first_post.post_order

),

-- posts without a brand: never matched
unbranded as (

    select
        posts.content_key,
        posts.content_key as crosspost_group_id,
        'single' as match_method,
        cast(null as double) as match_score
    from {{ posts }} as posts
    left join {{ overrides }} as overrides
        on posts.content_key = overrides.content_key
    where overrides.content_key is null
        and posts.brand is null

),

all_groups as (

    select * from automatic
    union all
    select * from overridden_groups
    union all
    select * from unbranded

),

crosspost_final as (

    select
        cast(all_groups.content_key as {{ dbt.type_string() }}) as content_key,
        cast(posts.brand as {{ dbt.type_string() }}) as brand,
        cast(all_groups.crosspost_group_id as {{ dbt.type_string() }}) as crosspost_group_id,
        cast(all_groups.match_method as {{ dbt.type_string() }}) as match_method,
        cast(all_groups.match_score as double) as match_score
    from all_groups
    inner join {{ posts }} as posts
        on all_groups.content_key = posts.content_key

)
{% endmacro %}
