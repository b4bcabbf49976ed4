"""The analyst-facing layer: read-only access to the published marts.

Everything here opens only the published file (``SHORTFORM_PUBLISHED_DB``), read-only, with
external access disabled, for as short as one query batch (ARCHITECTURE.md rule 3): a reader never
blocks a refresh, and never sees unchecked data. Nothing here imports Dagster or dbt.

- ``db``: the connection helper and table/column discovery (paid marts may or may not exist).
- ``queries``: the numbers the dashboard and the weekly report show, one SQL per figure.
- ``definitions``: what every number means (views basis per platform, units, additivity).
- ``report``: the self-contained weekly client report (HTML, inline SVG charts).
- ``sql_shell``: ``shortform sql``, a locked-down read-only SQL shell.
- ``cookbook``: the SQL blocks of docs/cookbook.md.
- ``cli``: ``register(subparsers)`` adding ``report`` and ``sql`` to ``shortform``.
"""
