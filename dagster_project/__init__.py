"""Dagster orchestration of the shortform warehouse: ingest, transform, check, publish."""
