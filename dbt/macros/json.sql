{#
  JSON access. Payloads in raw.* are the API objects exactly as received.
  Paths are JSONPath strings such as '$.insights.views'; DuckDB and Spark both accept them.
  The default implementation is DuckDB's; spark__ versions are written for the Spark port
  and are not exercised by the test suite yet.
#}

{# The value at `path` as text (a JSON string unquoted, a number as its literal text, an object
   or array as JSON text); null when the key is absent or JSON null. #}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'shortform')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}


{# True when the value at `path` is a JSON object (e.g. a Meta insights metric whose value is
   {"COMMENT": 3, "SHARE": 1}); null/false otherwise. #}
{% macro json_is_object(column, path) -%}
    {{ return(adapter.dispatch('json_is_object', 'shortform')(column, path)) }}
{%- endmacro %}

{% macro default__json_is_object(column, path) -%}
    (json_type({{ column }}, '{{ path }}') = 'OBJECT')
{%- endmacro %}

{% macro spark__json_is_object(column, path) -%}
    (substring(trim(get_json_object({{ column }}, '{{ path }}')), 1, 1) = chr(123))
{%- endmacro %}


{# Sum of the values of the JSON object at `path`, each cast strictly as a count (see to_count).
   Null when there is no object at `path`; 0 for an empty object. Used for Facebook's
   post_video_likes_by_reaction_type, whose set of keys is open-ended. #}
{% macro json_sum_counts(column, path, label, context=none) -%}
    {{ return(adapter.dispatch('json_sum_counts', 'shortform')(column, path, label, context)) }}
{%- endmacro %}

{% macro default__json_sum_counts(column, path, label, context) -%}
    {#- the object's values as text, summed in a list (a correlated json_each subquery per row
        took 30 s of the 36 s of stg_facebook__reels at one agency year) #}
    case
        when {{ shortform.json_is_object(column, path) }} then coalesce(list_sum(list_transform(
            map_values(json_transform(json_extract({{ column }}, '{{ path }}'), '"MAP(VARCHAR, VARCHAR)"')),
            lambda reaction_count: {{ shortform.to_count('reaction_count', label, context) }}
        )), 0)
    end
{%- endmacro %}

{% macro spark__json_sum_counts(column, path, label, context) -%}
    case
        when {{ shortform.json_is_object(column, path) }} then aggregate(
            map_values(from_json(get_json_object({{ column }}, '{{ path }}'), 'map<string,string>')),
            cast(0 as bigint),
            (acc, v) -> acc + {{ shortform.to_count('v', label, context) }}
        )
    end
{%- endmacro %}


{# Many paths of one JSON column, parsed once per row. DuckDB parses the whole document for every
   json_extract_string call (and a strict cast repeats its value three times), so a staging
   model reading sixteen fields parsed each payload about fifty times; one call with a list of
   paths parses it once (24 s -> 3 s for the 2.4 M Facebook Reels snapshots of one agency year).

     {%- set f = shortform.json_fields('payload', ['$.a', '$.b.c'], ['$.b.d']) -%}
     with source as (select *, {{ f.select }} from ...),
     renamed as (select {{ shortform.json_at(f, '$.a') }} as a, {{ shortform.json_at(f, '$.b.d', 'json') }} as d_json, ...)

   `json_at(f, path)`: the value as json_text gives it (a string unquoted, a number as its literal
   text, an object or array as JSON text; null when absent or JSON null). `json_at(f, path,
   'json')`: the value as JSON (a string keeps its quotes, so json_type tells a string from an
   array). A path not given to json_fields stops the compilation (a plain dict lookup would render
   nothing). `f.select`: the select-list items that compute them, to put in the CTE below the one
   reading them. Spark reads each path with get_json_object where it is used, as json_text does.

   `action_paths`: top-level Meta action arrays ([{"action_type": ..., "value": ...}]), read by
   json_action_count (paid.sql). Each is also a JSON path (`json_at(f, path, 'json')`), and DuckDB
   parses them all into typed lists with one from_json of the document (`json_at(f, path,
   'actions')`): parsing each array's fragment again per action type took 60 % of
   stg_meta_ads__ad_days. #}
{% macro json_fields(column, text_paths, json_paths=[], action_paths=[]) -%}
    {{ return(adapter.dispatch('json_fields', 'shortform')(column, text_paths, json_paths, action_paths)) }}
{%- endmacro %}

{% macro default__json_fields(column, text_paths, json_paths, action_paths) -%}
    {%- set json_paths = json_paths + (action_paths | reject('in', json_paths) | list) -%}
    {%- set at = {} -%}
    {%- set as_json = {} -%}
    {%- set actions = {} -%}
    {%- for path in text_paths -%}{%- do at.update({path: '_json_texts[' ~ loop.index ~ ']'}) -%}{%- endfor -%}
    {%- for path in json_paths -%}{%- do as_json.update({path: '_json_values[' ~ loop.index ~ ']'}) -%}{%- endfor -%}
    {%- set items = ["json_extract_string(" ~ column ~ ", ['" ~ text_paths | join("', '") ~ "']) as _json_texts"] -%}
    {%- if json_paths -%}
        {%- do items.append("json_extract(" ~ column ~ ", ['" ~ json_paths | join("', '") ~ "']) as _json_values") -%}
    {%- endif -%}
    {%- if action_paths -%}
        {%- set members = [] -%}
        {%- for path in action_paths -%}
            {%- set name = path[2:] -%}
            {%- if not path.startswith('$.') or not modules.re.fullmatch('[a-z0-9_]+', name) -%}
                {{ exceptions.raise_compiler_error("json_fields: action path " ~ path ~ " is not a top-level key ($.name)") }}
            {%- endif -%}
            {%- do members.append('"' ~ name ~ '": [{"action_type": "VARCHAR", "value": "VARCHAR"}]') -%}
            {%- do actions.update({path: '_json_actions."' ~ name ~ '"'}) -%}
        {%- endfor -%}
        {#- non-strict: a key that is absent, JSON null or not an array gives a null list #}
        {%- do items.append("from_json(" ~ column ~ ", '{" ~ members | join(', ') ~ "}') as _json_actions") -%}
    {%- endif -%}
    {{ return({'select': items | join(', '), 'at': at, 'json': as_json, 'actions': actions}) }}
{%- endmacro %}

{% macro spark__json_fields(column, text_paths, json_paths, action_paths) -%}
    {#- get_json_object gives both kinds the same way; action arrays are parsed where they are read #}
    {%- set at = {} -%}
    {%- for path in text_paths + json_paths + action_paths -%}{%- do at.update({path: shortform.json_text(column, path)}) -%}{%- endfor -%}
    {{ return({'select': 'cast(null as string) as _json_texts', 'at': at, 'json': at, 'actions': {}}) }}
{%- endmacro %}

{% macro json_at(fields, path, kind='at') -%}
    {%- if path not in fields[kind] -%}
        {{ exceptions.raise_compiler_error("json_at: " ~ path ~ " is not among the "
                                           ~ {'at': 'text', 'json': 'JSON', 'actions': 'action'}[kind]
                                           ~ " paths given to json_fields") }}
    {%- endif -%}
    {{ return(fields[kind][path]) }}
{%- endmacro %}
