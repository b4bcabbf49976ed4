"""Statistics helpers without Dagster or DuckDB dependencies (importable from dbt Python models)."""
