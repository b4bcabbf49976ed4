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

  The steps are the stage macros of macros/crosspost.sql. On DuckDB they are CTEs of this one
  query (the unit tests give dim_content and the overrides seed); on Spark (var crosspost_staged)
  each stage is a table model (int_crosspost_posts, _pairs, _edges, _labels, _pruned) and this
  model reads them: Spark would inline the chained stages into one plan too large to build.
#}

{{ config(materialized='table') }}  {# a pairwise join: computed once, read by the mart and tests #}

{%- set max_hours_apart = var('crosspost_max_hours_apart', 72) -%}
{%- set duration_tolerance = var('crosspost_duration_tolerance_seconds', 1.5) -%}
{%- set min_similarity = var('crosspost_min_caption_similarity', 0.8) -%}
{%- set label_rounds = var('crosspost_label_rounds', 4) %}

with

{{ shortform.crosspost_overrides_cte(ref('crosspost_overrides')) }},

{% if shortform.crosspost_staged() %}

{{ shortform.crosspost_final_ctes(
    pruned=ref('int_crosspost_pruned'), posts=ref('int_crosspost_posts'),
    edges=ref('int_crosspost_edges'), overrides='overrides') }}

{% else %}

{{ shortform.crosspost_posts_ctes(ref('dim_content'), 'overrides') }},

{{ shortform.crosspost_pairs_ctes('crosspost_posts', max_hours_apart, duration_tolerance, min_similarity) }},

{{ shortform.crosspost_edges_ctes('crosspost_pairs') }},

{{ shortform.crosspost_labels_ctes('crosspost_posts', 'crosspost_edges', label_rounds) }},

{{ shortform.crosspost_pruned_ctes('crosspost_labels', 'crosspost_edges') }},

{{ shortform.crosspost_final_ctes(
    pruned='crosspost_pruned', posts='crosspost_posts', edges='crosspost_edges', overrides='overrides') }}

{% endif %}

select * from crosspost_final
