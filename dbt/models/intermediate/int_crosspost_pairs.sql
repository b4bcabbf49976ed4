{#- Stage 2 of the cross-post matcher on Spark (macros/crosspost.sql; inline CTEs on DuckDB). -#}
{{ config(materialized='table', enabled=shortform.crosspost_staged()) }}

with

{{ shortform.crosspost_pairs_ctes(
    ref('int_crosspost_posts'),
    var('crosspost_max_hours_apart', 72),
    var('crosspost_duration_tolerance_seconds', 1.5),
    var('crosspost_min_caption_similarity', 0.8)) }}

select * from crosspost_pairs
