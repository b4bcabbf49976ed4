{#- Stage 5 of the cross-post matcher on Spark (macros/crosspost.sql; inline CTEs on DuckDB). -#}
{{ config(materialized='table', enabled=shortform.crosspost_staged()) }}

with

{{ shortform.crosspost_pruned_ctes(ref('int_crosspost_labels'), ref('int_crosspost_edges')) }}

select * from crosspost_pruned
