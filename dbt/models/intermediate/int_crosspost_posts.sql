{#- Stage 1 of the cross-post matcher on Spark (macros/crosspost.sql; inline CTEs on DuckDB). -#}
{{ config(materialized='table', enabled=shortform.crosspost_staged()) }}

with

{{ shortform.crosspost_overrides_cte(ref('crosspost_overrides')) }},

{{ shortform.crosspost_posts_ctes(ref('dim_content'), 'overrides') }}

select * from crosspost_posts
