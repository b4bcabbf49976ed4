"""The dbt step hands dbt's partial-parse file back to the project, so the next dbt call (the
build after source freshness, the next refresh) parses only what changed instead of the whole
project again (issue 7)."""

from __future__ import annotations

import os

from dagster_project.defs.transform.dbt import PARTIAL_PARSE_FILE, keep_partial_parse


def test_the_invocation_file_replaces_the_project_file(tmp_path):
    project, invocation = tmp_path / "target", tmp_path / "target" / "abc123"
    invocation.mkdir(parents=True)
    (project / PARTIAL_PARSE_FILE).write_bytes(b"parsed with another profile")
    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"parsed now")
    keep_partial_parse(invocation, project)
    assert (project / PARTIAL_PARSE_FILE).read_bytes() == b"parsed now"
    assert sorted(os.listdir(project)) == ["abc123", PARTIAL_PARSE_FILE]  # no temporary file left


def test_nothing_happens_without_a_file_or_a_project_directory(tmp_path):
    project, invocation = tmp_path / "target", tmp_path / "run"
    invocation.mkdir()
    project.mkdir()
    (project / PARTIAL_PARSE_FILE).write_bytes(b"kept")
    keep_partial_parse(invocation, project)  # the call failed before dbt parsed
    assert (project / PARTIAL_PARSE_FILE).read_bytes() == b"kept"
    (invocation / PARTIAL_PARSE_FILE).write_bytes(b"new")
    keep_partial_parse(invocation, tmp_path / "missing")
    assert not (tmp_path / "missing").exists()
