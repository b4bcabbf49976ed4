{#
  Raw landing for Spark (issue 8). The raw tables arrive as Parquet directories, one per table
  and named as in DuckDB's schema raw, Hive-partitioned by platform and pull date
  (<root>/tiktok_videos/platform=tiktok/snapshot_date=2026-10-08/*.parquet; accounts by platform).
  This operation declares each as an external (unmanaged) Spark table raw.<name> over its
  directory, with the schema and partitions read from the files, so the dbt sources
  (schema raw, same identifiers) resolve on Spark exactly as on DuckDB:

      dbt run-operation register_raw_parquet --args '{root: /abs/path/to/parquet}' --target spark

  Re-running it re-reads the directories (new partitions, new files). Spark only.
#}
{% macro register_raw_parquet(root=none) %}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error("register_raw_parquet is for the spark target (target.type is " ~ target.type ~ ")") }}
    {%- endif -%}
    {%- set root = root or env_var('SHORTFORM_SPARK_RAW', '') -%}
    {%- if not root -%}
        {{ exceptions.raise_compiler_error("register_raw_parquet needs root (or SHORTFORM_SPARK_RAW): the directory of the raw Parquet tables") }}
    {%- endif -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.schema == 'raw' -%}
        {%- if node.identifier not in tables -%}{%- do tables.append(node.identifier) -%}{%- endif -%}
    {%- endfor -%}
    {% do run_query("create database if not exists raw") %}
    {%- for name in tables | sort %}
        {% do run_query("drop table if exists raw." ~ name) %}
        {% do run_query("create table raw." ~ name ~ " using parquet location '" ~ root ~ "/" ~ name ~ "'") %}
        {#- Partitions found in the directory are recorded in the metastore only by a repair. -#}
        {% set described = run_query("describe table raw." ~ name).columns[0].values() %}
        {% if '# Partition Information' in described %}
            {% do run_query("msck repair table raw." ~ name) %}
        {% endif %}
        {% set n = run_query("select count(*) from raw." ~ name).columns[0].values()[0] %}
        {% do log("raw." ~ name ~ ": " ~ n ~ " rows", info=true) %}
    {%- endfor %}
{% endmacro %}
