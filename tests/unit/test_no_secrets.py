"""No credentials are committed: detect-secrets over every tracked file finds nothing."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_detect_secrets_finds_nothing_in_tracked_files():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    scanner = Path(sys.executable).parent / "detect-secrets"
    result = subprocess.run([str(scanner), "scan", *files], cwd=ROOT, capture_output=True, text=True, check=True)
    findings = json.loads(result.stdout)["results"]
    assert findings == {}, {f: [x["type"] for x in v] for f, v in findings.items()}
