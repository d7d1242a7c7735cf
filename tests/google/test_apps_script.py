"""The bound Apps Script (addin/google/Code.gs) runs under Node with small fakes of SpreadsheetApp."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.mark.skipif(shutil.which("node") is None and not IN_CI, reason="Node.js is not installed (Debian package nodejs); CI installs it")
def test_apps_script_under_node():
    run = subprocess.run(["node", "--test", str(ROOT / "addin" / "google" / "test")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
