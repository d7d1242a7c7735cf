"""`sheetclerk watch` follows a Google Sheet: one Drive request per look, a pass when the version moved."""

from __future__ import annotations

import logging

from conftest import KEY, starter_tabs

from sync.config import load_settings
from sync.pipeline import run_pass
from sync.watcher import Watcher


def test_the_watcher_polls_the_sheet_and_passes_when_it_moved(fake, connect, tmp_path, caplog):
    fake.add_book(KEY, starter_tabs())
    sheet = connect()
    settings = load_settings(sheet.path)
    now = [0.0]
    results = []

    def pass_fn(source):
        results.append(run_pass(source, settings))
        return results[-1]

    watcher = Watcher([], pass_fn, sheets=[sheet], sheet_interval=30, use_events=False, poll_interval=3600, clock=lambda: now[0])
    watcher.step()
    assert results[-1].status == "synced"
    assert watcher.step() > 0 and len(results) == 1  # not due yet
    for _ in range(3):  # its own write read once, then nothing moves
        now[0] += 30
        watcher.step()
    assert [r.status for r in results[-2:]] == ["unchanged", "unchanged"]
    start = len(fake.log)
    now[0] += 30
    watcher.step()
    assert [h for _, h, _, _ in fake.log[start:]] == ["www.googleapis.com"]  # one Drive request, no Sheets request

    fake.clerk_edit(KEY, lambda book: setattr(book.tab("Orders").cell(1, 4), "value", -3))
    now[0] += 30
    watcher.step()
    assert results[-1].status == "synced" and results[-1].write == "written"

    fake.revoked = True  # a broken key is logged; the watcher goes on
    fake.clerk_edit(KEY, lambda book: None)
    sheet.http.session.credentials.token = None  # force a new sign-in
    with caplog.at_level(logging.ERROR, logger="sheetclerk.watch"):
        now[0] += 30
        watcher.step()
    assert "revoked" in caplog.text
