{#
  Text helpers for matching captions across platforms (int_crosspost_groups).
  Defaults are DuckDB's (RE2 regular expressions); spark__ versions are for the Spark port (Java
  regular expressions). Both engines understand the Unicode classes used here (\p{L}, \p{N}), so
  captions in any script keep their words.
#}

{# A caption reduced to its words: lower case, hashtags removed (a hashtag is '#' followed by
   letters, digits or '_'; platforms add or swap tags such as #shorts / #reels / #fyp per post),
   every run of characters that are not letters or digits (emoji, punctuation, whitespace)
   turned into one space, trimmed. '' when nothing is left; null stays null. #}
{% macro normalize_caption(value) -%}
    {{ return(adapter.dispatch('normalize_caption', 'shortform')(value)) }}
{%- endmacro %}

{% macro default__normalize_caption(value) -%}
    trim(regexp_replace(
        regexp_replace(lower({{ value }}), '#[\p{L}\p{N}_]+', ' ', 'g'),
        '[^\p{L}\p{N}]+', ' ', 'g'
    ))
{%- endmacro %}

{% macro spark__normalize_caption(value) -%}
    trim(regexp_replace(
        regexp_replace(lower({{ value }}), '#[\\p{L}\\p{N}_]+', ' '),
        '[^\\p{L}\\p{N}]+', ' '
    ))
{%- endmacro %}


{# One output row per space-separated word of `value`: use as the only generator in a select
   list (`select key, {{ shortform.split_words('text') }} as word from ...`). Empty strings can
   come out of an empty input: filter them. #}
{% macro split_words(value) -%}
    {{ return(adapter.dispatch('split_words', 'shortform')(value)) }}
{%- endmacro %}

{% macro default__split_words(value) -%}
    unnest(string_split({{ value }}, ' '))
{%- endmacro %}

{% macro spark__split_words(value) -%}
    explode(split({{ value }}, ' '))
{%- endmacro %}
