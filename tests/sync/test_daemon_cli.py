"""`sheetclerk watch` and `sheetclerk status` as a person runs them (real process, real signals)."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sync.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from sync.cli import main; sys.exit(main(sys.argv[1:]))"]


def starter_desk(tmp_path: Path) -> Path:
    assert main(["init", str(tmp_path / "desk")]) == 0
    return tmp_path / "desk"


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_watch_syncs_a_saved_workbook_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    folder = starter_desk(tmp_path)
    workbook = folder / "orders.xlsx"
    daemon = subprocess.Popen([*CLI, "watch", str(folder), "--interval", "1", "--quiet", "0.1"], stderr=subprocess.PIPE, text=True)
    try:
        status_file = folder / "sheetclerk-data" / "watch-status.json"
        assert wait_for(lambda: (folder / "orders.review.xlsx").exists() and status_file.exists())
        first = workbook.read_bytes()
        # A clerk's Excel-style save of a changed file: temp written, original deleted, temp renamed.
        shutil.copy2(ROOT / "workbooks" / "orders.xlsx", folder / "A1B2C3D4")
        workbook.unlink()
        (folder / "A1B2C3D4").rename(workbook)
        assert wait_for(lambda: workbook.read_bytes() not in (first, (ROOT / "workbooks" / "orders.xlsx").read_bytes()))
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
    assert "pass done" in err
    assert json.loads(status_file.read_text())["stopped"] is True


def test_status_reports_the_last_pass_flags_and_ledger(tmp_path: Path, capsys) -> None:
    folder = starter_desk(tmp_path)
    assert main(["status", str(folder)]) == 0
    assert "not synced yet" in capsys.readouterr().out
    main(["sync", str(folder / "orders.xlsx")])
    capsys.readouterr()
    assert main(["status", str(folder), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["ledger"] and row["chain_ok"] and row["errors"] == 14 and not row["write_pending"]
