{#
  Incremental models (issue 7). A staging model of a raw snapshot/daily table re-reads, on an
  incremental run, only the raw rows of the dates (snapshot_date / metric_date) that received a row
  landed or changed since its last build: the landing upsert sets pulled_at on every new or
  changed row (a restated re-pull of an old day included) and leaves unchanged rows alone, so
  `pulled_at >= max(pulled_at) already built` finds exactly the new snapshots and the restated
  days. Whole dates are re-read (not only the changed rows) so the Spark strategy, which replaces
  whole date partitions, never drops the unchanged rows of a partially restated day.

  Strategy per engine (one model config, chosen by target.type):
    DuckDB: incremental_strategy 'merge' on unique_key (the raw table's key, renamed).
    Spark:  'insert_overwrite' of the date partitions (partition_by the date column, Parquet;
            no Delta/Iceberg jars here, so no MERGE on Spark).
  A full rebuild: `dbt build --full-refresh` (`shortform refresh --full-refresh`).
  on_schema_change 'fail': a model whose columns changed must be rebuilt with --full-refresh
  (appending a column would leave it null on the old rows: a silent difference from a full build).
#}

{% macro incremental_config(unique_key, date_column) -%}
    {%- if target.type == 'spark' -%}
        {%- do return({
            'materialized': 'incremental',
            'incremental_strategy': 'insert_overwrite',
            'partition_by': [date_column],
            'file_format': 'parquet',
            'on_schema_change': 'fail',
        }) -%}
    {%- else -%}
        {%- do return({
            'materialized': 'incremental',
            'incremental_strategy': 'merge',
            'unique_key': unique_key,
            'on_schema_change': 'fail',
        }) -%}
    {%- endif -%}
{%- endmacro %}


{#
  The where clause of a staging model's source CTE: on an incremental run, the raw rows of every
  date that has a row pulled at or after the newest pulled_at already in {{ this }}. `>=` (not `>`)
  so rows landed with the same pulled_at as the last build are never skipped (re-merging them is
  harmless). A full build reads everything.
#}
{% macro incremental_raw_dates(source_relation, raw_date_column) -%}
    {%- if is_incremental() -%}
    where cast({{ raw_date_column }} as date) in (
        select distinct cast({{ raw_date_column }} as date)
        from {{ source_relation }}
        where cast(pulled_at as timestamp) >= (
            select coalesce(max(pulled_at), cast('1900-01-01 00:00:00' as timestamp)) from {{ this }}
        )
    )
    {%- endif -%}
{%- endmacro %}


{#
  Incremental marts (issue 7): a day-grain mart whose rows are merged by key on DuckDB; on Spark a
  table rebuilt whole (its Parquet tables take no UPDATE, which the marts' as-of sync needs).
  The watermark of such a mart is the newest upstream pulled_at its last build read, kept in
  cache.<model>__watermark (not in the mart: it is no analyst's column, and a mart never publishes
  it); without it an incremental run re-merges every row (correct, only slow).
  strategy 'delete+insert' with unique_key content_key replaces every row of each content the run
  recomputes (the same-age models: a content's rows are its ages, whose number can change).
#}
{% macro incremental_mart_config(unique_key, strategy='merge') -%}
    {%- if target.type == 'spark' -%}
        {%- do return({'materialized': 'table'}) -%}
    {%- else -%}
        {%- set config = shortform.incremental_config(unique_key, none) -%}
        {%- do config.update({'incremental_strategy': strategy}) -%}
        {%- do return(config) -%}
    {%- endif -%}
{%- endmacro %}

{% macro watermark_relation() -%}
    {{ shortform.cache_relation('watermark') }}
{%- endmacro %}

{% macro watermark_exists() -%}
    {%- do return(shortform.cache_exists('watermark')) -%}
{%- endmacro %}

{# a model's own bookkeeping table in schema cache: cache.<model>__<suffix> #}
{% macro cache_relation(suffix) -%}
    "{{ this.database }}"."cache"."{{ this.identifier }}__{{ suffix }}"
{%- endmacro %}

{% macro cache_exists(suffix) -%}
    {%- set relation = adapter.get_relation(database=this.database, schema='cache',
                                            identifier=this.identifier ~ '__' ~ suffix) -%}
    {%- do return(relation is not none) -%}
{%- endmacro %}

{# a post-hook: the newest pulled_at of `source_relations` (what this build read) becomes the
   watermark (schema cache: created by the project's on-run-start) #}

{% macro store_watermark(source_relations) -%}
    {%- if target.type != 'spark' -%}
    create or replace table {{ shortform.watermark_relation() }} as
    select max(pulled_at) as built_through from (
        {%- for relation in source_relations %}
        select max(pulled_at) as pulled_at from {{ relation }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ) as newest
    {%- endif -%}
{%- endmacro %}
