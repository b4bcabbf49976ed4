{#- Stage 3 of the cross-post matcher on Spark (macros/crosspost.sql; inline CTEs on DuckDB). -#}
{{ config(materialized='table', enabled=shortform.crosspost_staged()) }}

with

{{ shortform.crosspost_edges_ctes(ref('int_crosspost_pairs')) }}

select * from crosspost_edges
