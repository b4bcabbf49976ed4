"""No credentials are committed: detect-secrets over every tracked file finds nothing."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_detect_secrets_finds_nothing_in_tracked_files():
    """The scan runs in this process, file by file, through detect-secrets' Python API
    (SecretsCollection.scan_file, the default plugins and filters of `detect-secrets scan`). Its
    command line scans through a multiprocessing pool, which hung a CI run for the whole test
    timeout after one of its workers exited (session 9): the pool waits forever for a lost task."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert len(files) > 100
    with default_settings():
        secrets = SecretsCollection(root=str(ROOT))
        for name in files:
            secrets.scan_file(name)
    findings = secrets.json()
    assert findings == {}, {f: [x["type"] for x in v] for f, v in findings.items()}


def test_the_scan_finds_a_planted_credential(tmp_path):
    """The same scan on a file holding a credential-shaped value reports it (the check can fail)."""
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    planted = tmp_path / "config.py"
    key_id = "AKIA" + "IOSFODNN7" + "EXAMPLE"  # AWS's documented example key, assembled so this file holds none
    planted.write_text(f'AWS_ACCESS_KEY_ID = "{key_id}"\n')
    with default_settings():
        secrets = SecretsCollection(root=str(tmp_path))
        secrets.scan_file("config.py")
    assert secrets.json(), "detect-secrets found nothing in a file with an AWS key"
