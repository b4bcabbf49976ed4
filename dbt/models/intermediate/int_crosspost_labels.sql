{#- Stage 4 of the cross-post matcher on Spark (macros/crosspost.sql; inline CTEs on DuckDB). -#}
{{ config(materialized='table', enabled=shortform.crosspost_staged()) }}

with

{{ shortform.crosspost_labels_ctes(
    ref('int_crosspost_posts'), ref('int_crosspost_edges'), var('crosspost_label_rounds', 4)) }}

select * from crosspost_labels
