{#
  Paid-media helpers (issue 3): Meta action arrays, placement -> surface, currency conversion.
#}

{# The summed `value` of the entries of the action array at `path` whose action_type is
   `action_type` (Meta insights: video metrics and `actions` are arrays of
   {"action_type": ..., "value": "123"}), `path` being one of the `action_paths` of the model's
   json_fields `fields`. Each value is cast strictly as a count (see to_count). When the array holds
   no entry of that type: 0. When the field is absent or JSON null: `absent` (0 for the fields the
   connector requests, because Meta omits an action field that has no actions; null for fields it
   does not request, which are unknown rather than zero). Any other value stops the build, naming
   the field and the row. #}
{% macro json_action_count(fields, path, action_type, label, context=none, absent='0') -%}
    {{ return(adapter.dispatch('json_action_count', 'shortform')(fields, path, action_type, label, context, absent)) }}
{%- endmacro %}

{% macro default__json_action_count(fields, path, action_type, label, context, absent) -%}
    {%- set fragment = shortform.json_at(fields, path, 'json') -%}
    {%- set parsed = shortform.json_at(fields, path, 'actions') -%}
    case
        {#- the list json_fields parsed from the document: null unless the value is an array (a
            correlated json_each subquery per metric cost 18 GB of memory on the agency world:
            docs/BENCHMARKS.md) #}
        when {{ parsed }} is not null then coalesce(list_sum(list_transform(
            list_filter(
                {{ parsed }},
                lambda action_item: action_item.action_type = '{{ action_type }}'
            ),
            lambda action_item: {{ shortform.to_count('action_item.value', label, context) }}
        )), 0)
        when {{ shortform.json_text(fragment, '$') }} is null then {{ absent }}
        else cast({{ shortform.raise_error(shortform._cast_error_message(shortform.json_text(fragment, '$'), label ~ ' (not an action array)', context)) }} as bigint)
    end
{%- endmacro %}

{% macro spark__json_action_count(fields, path, action_type, label, context, absent) -%}
    {%- set value = shortform.json_at(fields, path, 'json') -%}
    case
        when {{ value }} is null then {{ absent }}
        else coalesce(aggregate(
            filter(
                from_json({{ value }}, 'array<struct<action_type:string,value:string>>'),
                a -> a.action_type = '{{ action_type }}'
            ),
            cast(0 as bigint),
            (acc, a) -> acc + {{ shortform.to_count('a.value', label, context) }}
        ), 0)
    end
{%- endmacro %}


{# Meta placement (publisher_platform, platform_position) -> surface:
   instagram + instagram_reels -> instagram_reels, facebook + facebook_reels -> facebook_reels,
   anything else (Feed, Stories, Explore, Reels overlay, Audience Network, Messenger...) ->
   meta_other (the placement itself is kept in its own columns). #}
{% macro meta_placement_surface(publisher_platform, platform_position) -%}
    case
        when {{ publisher_platform }} = 'instagram' and {{ platform_position }} = 'instagram_reels' then 'instagram_reels'
        when {{ publisher_platform }} = 'facebook' and {{ platform_position }} = 'facebook_reels' then 'facebook_reels'
        else 'meta_other'
    end
{%- endmacro %}


{# The reporting currency (dbt var `reporting_currency`, default USD), as a SQL literal. #}
{% macro reporting_currency() -%}
    '{{ var("reporting_currency", "USD") | upper }}'
{%- endmacro %}


{# An amount in local currency converted at `rate` (local -> reporting), rounded to cents. #}
{% macro to_reporting_money(amount_local, rate) -%}
    cast(round(cast({{ amount_local }} as decimal(18, 2)) * cast({{ rate }} as decimal(18, 10)), 2) as decimal(18, 2))
{%- endmacro %}
