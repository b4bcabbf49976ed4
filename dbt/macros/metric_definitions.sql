{#
  Dates at which a platform changed what a metric counts. The registry of definitions is the seed
  seeds/metric_definitions.csv (valid_from / valid_to); staging cannot join it (rename, cast,
  unit-fix only), so the two boundaries staging needs are here, and the data test
  assert_views_basis_is_a_known_definition_valid_for_its_date checks every views_basis the
  models produce against the seed.
#}

{# First snapshot date whose Instagram insights count `views` (before: `plays`). #}
{% macro instagram_views_from() -%}
    cast('2025-04-21' as date)
{%- endmacro %}


{# First YouTube Analytics day whose `views` count every start or replay (before: the engaged-view
   methodology, basis youtube.views_legacy). #}
{% macro youtube_views_from() -%}
    cast('2025-03-31' as date)
{%- endmacro %}


{# The views definition_key of YouTube Analytics rows of `metric_date`. #}
{% macro youtube_views_basis(metric_date) -%}
    case when {{ metric_date }} < {{ shortform.youtube_views_from() }} then 'youtube.views_legacy' else 'youtube.views' end
{%- endmacro %}
