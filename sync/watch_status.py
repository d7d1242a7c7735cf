"""What `sheetclerk status` shows: each workbook's last pass, flags and ledger health
from its ledger, and the daemon's heartbeat from the status file it keeps.

The daemon writes `watch-status.json` into each watched workbook's data folder
every few seconds, so another process can tell whether it is alive and what it
is doing without talking to it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from sync.config import load_settings
from sync.ledger import Ledger, schema
from sync.ledger.store import data_dir_for

STATUS_NAME = "watch-status.json"
HEARTBEAT_SECONDS = 5.0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StatusFile:
    """Keeps `watch-status.json` up to date beside each watched workbook's ledger."""

    def __init__(self, paths: Sequence[Path], watcher: object) -> None:
        self._watcher = watcher
        self._folders = sorted({(p if p.is_dir() else p.parent).resolve() for p in paths})

    def start(self, stop: threading.Event) -> None:
        def beat() -> None:
            while not stop.wait(HEARTBEAT_SECONDS):
                self.write()

        self.write()
        threading.Thread(target=beat, name="sheetclerk-status", daemon=True).start()

    def write(self, *, stopped: bool = False) -> None:
        try:
            books = self._watcher.status()  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a status file must never stop the daemon
            return
        for folder in self._folders:
            mine = [b for b in books if Path(str(b.get("path", ""))).parent == folder]
            target = data_dir_for(folder / "any.xlsx") / STATUS_NAME
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{STATUS_NAME}.tmp")
                data = {"heartbeat": _now(), "pid": os.getpid(), "stopped": stopped, "workbooks": mine}
                tmp.write_text(json.dumps(data, default=str))
                os.replace(tmp, target)
            except OSError:
                continue


def workbook_status(path: Path) -> dict[str, object]:
    """One workbook's state as its ledger (and the daemon's status file, if any) record it."""
    path = path.resolve()
    out: dict[str, object] = {"workbook": str(path), "ledger": False}
    settings = load_settings(path)
    folder = data_dir_for(path, settings.data_dir)
    if not settings.ledger_url and not (folder / "ledger.sqlite").exists():
        return out  # never synced: do not create a ledger just to look
    ledger = Ledger.for_workbook(path, settings)
    try:
        with ledger.read() as conn:
            p = conn.execute(select(schema.passes).where(schema.passes.c.workbook == str(path))).mappings().first()
            counts = dict(
                conn.execute(
                    select(schema.flags.c.severity, func.count())
                    .where(schema.flags.c.workbook == str(path))
                    .group_by(schema.flags.c.severity)
                ).all()
            )
        chain = ledger.verify()
    finally:
        ledger.close()
    out.update(
        ledger=True,
        last_pass=p["at"] if p else None,
        result=p["result"] if p else None,
        write_pending=bool(p["write_pending"]) if p else False,
        errors=counts.get("error", 0),
        warnings=counts.get("warning", 0),
        events=chain.events,
        chain_ok=chain.ok,
    )
    status_file = folder / STATUS_NAME
    try:
        data = json.loads(status_file.read_text())
        mine = next((b for b in data.get("workbooks", []) if Path(str(b.get("path"))) == path), None)
        state = "stopped" if data.get("stopped") else (mine or {}).get("state", "starting")
        out["daemon"] = {"heartbeat": data.get("heartbeat"), "pid": data.get("pid"), "state": state}
    except (OSError, ValueError):
        pass
    return out
