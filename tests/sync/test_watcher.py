"""The watch daemon loop, with real files, real watchdog events and a pass that records its calls.

Times are short (quiet 0.05-0.1 s) but every wait is "eventually, within a
generous deadline"; a fixed sleep only ever follows to show that nothing *more*
happens. The debounce arithmetic itself is pinned down with a hand-driven clock.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import secrets
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers import write_workbook
from sync.watch_files import LookKind, is_lock_name, is_locked, is_workbook_name, look
from sync.watch_log import describe_error
from sync.watcher import Watcher, install_signal_handlers, make_log_handler

DEADLINE = 8.0
"""Seconds an 'eventually' may take: far above the ~0.2 s these take on an idle machine."""

FAST = {"quiet": 0.05, "poll_interval": 0.2, "max_wait": 2.0}
CARD = "4111 1111 1111 1111"


# --- helpers ------------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def workbook(path: Path, n: int) -> Path:
    """A small valid workbook whose content depends on n."""
    return write_workbook(path, {"Orders": [["Order ID", "Quantity"], [f"SO-{n}", n]]})


def excel_save(path: Path, n: int) -> str:
    """Save the way Excel does: a temp file with a random 8-hex name, delete the original, rename."""
    temp = path.with_name(secrets.token_hex(4).upper())
    workbook(temp, n)
    digest = sha(temp)
    if path.exists():
        path.unlink()
    os.rename(temp, path)
    return digest


def save_in_place(path: Path, n: int) -> str:
    workbook(path, n)
    return sha(path)


@dataclass
class Calls:
    """A real pass function: records (path, sha256 at call time, monotonic time)."""

    calls: list[tuple[Path, str, float]] = field(default_factory=list)
    fail_for: set[str] = field(default_factory=set)
    """File names whose pass always raises."""
    fail_first: int = 0
    """Raise on this many first calls."""
    lock = threading.Lock()

    def __call__(self, path: Path) -> object:
        with self.lock:
            self.calls.append((path, sha(path), time.monotonic()))
            n = len(self.calls)
        if path.name in self.fail_for or n <= self.fail_first:
            raise RuntimeError(f"pass broke on card {CARD} in {path}")
        return SimpleNamespace(status="verified")

    def __len__(self) -> int:
        return len(self.calls)

    def for_(self, name: str) -> list[tuple[Path, str, float]]:
        return [c for c in self.calls if c[0].name == name]


def eventually(predicate: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.005)


def idle(w: Watcher) -> bool:
    """Every workbook has settled and nothing is pending."""
    s = w.status()
    return bool(s) and all(b["state"] is not None and not b["pending"] for b in s)


def settle_down(w: Watcher, seconds: float = 0.25) -> None:
    """Wait until idle, then a while longer (several quiet periods and scans): for asserting that nothing more happens."""
    eventually(lambda: idle(w), "watcher idle")
    time.sleep(seconds)
    eventually(lambda: idle(w), "watcher idle")


@contextmanager
def running(w: Watcher) -> Iterator[threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=w.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(DEADLINE)
        assert not thread.is_alive(), "watcher did not stop"


def state_of(w: Watcher, name: str) -> dict:
    return next(b for b in w.status() if b["workbook"] == name)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "desk"
    d.mkdir()
    return d


# --- names and looks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("orders.xlsx", True), ("Orders.XLSM", True), ("orders.review.xlsx", False),
        ("~$orders.xlsx", False), ("~$ders.xlsx", False), (".~lock.orders.xlsx#", False),
        (".~sheetclerk-1a2b.tmp", False), ("orders.xlsx.tmp", False), ("A1B2C3D4", False),
        ("._orders.xlsx", False), ("orders.csv", False), ("orders.xls", False),
    ],
)
def test_workbook_names(name: str, expected: bool) -> None:
    assert is_workbook_name(name) is expected


def test_lock_names(folder: Path) -> None:
    assert is_lock_name("~$ders.xlsx") and is_lock_name(".~lock.orders.xlsx#") and not is_lock_name("orders.xlsx")
    wb = workbook(folder / "orders.xlsx", 1)
    assert not is_locked(wb)
    (folder / "~$ders.xlsx").write_bytes(b"owner")  # Excel drops the first two characters of longer names
    assert is_locked(wb)


def test_look_kinds(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    ok = look(wb)
    assert ok.kind is LookKind.OK and ok.sha256 == sha(wb) and ok.size == wb.stat().st_size
    assert look(folder / "gone.xlsx").kind is LookKind.MISSING
    data = wb.read_bytes()
    (folder / "half.xlsx").write_bytes(data[: len(data) // 2])
    assert look(folder / "half.xlsx").kind is LookKind.INVALID
    (folder / "text.xlsx").write_text("Order ID,Quantity\n")
    assert look(folder / "text.xlsx").kind is LookKind.INVALID
    (folder / "dir.xlsx").mkdir()
    unreadable = look(folder / "dir.xlsx")
    assert unreadable.kind is LookKind.UNREADABLE and unreadable.error


# --- saves ----------------------------------------------------------------------------


def test_start_passes_each_workbook_once_then_a_save_triggers_exactly_one_pass(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([folder], calls, **FAST)
    with running(w):
        eventually(lambda: len(calls) == 1, "the catch-up pass at start")
        assert calls.calls[0][:2] == (wb, sha(wb))
        settle_down(w, 0.3)
        final = save_in_place(wb, 2)
        eventually(lambda: len(calls) == 2, "one pass for the save")
        settle_down(w)
    assert len(calls) == 2
    assert calls.calls[1][:2] == (wb, final)
    s = state_of(w, "orders.xlsx")
    assert s["state"] == "ok" and s["last_result"] == "verified" and s["last_error"] is None and s["last_pass"]


def test_excel_style_save_triggers_one_pass_with_the_final_content(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([wb], calls, initial_pass=False, **FAST)
    with running(w):
        eventually(lambda: idle(w), "settled at start")
        final = excel_save(wb, 2)
        saved = time.monotonic()
        eventually(lambda: len(calls) == 1, "a pass for the Excel-style save")
        settle_down(w)
    assert [(p, h) for p, h, _ in calls.calls] == [(wb, final)]
    latency = calls.calls[0][2] - saved
    assert 2 * 0.05 - 0.01 <= latency < 3.0  # two looks `quiet` apart after the last event (~0.1 s measured)


def test_lock_file_present_during_the_save_is_ignored(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([folder], calls, initial_pass=False, **FAST)
    with running(w):
        eventually(lambda: idle(w), "settled at start")
        excel_lock = folder / "~$orders.xlsx"
        office_lock = folder / ".~lock.orders.xlsx#"
        excel_lock.write_bytes(b"\x05Lena " + b"\x00" * 50)  # owner file, open in Excel
        office_lock.write_text("Lena,host,12345;")
        final = excel_save(wb, 2)
        eventually(lambda: len(calls) == 1, "a pass for the save")
        excel_lock.unlink()
        office_lock.unlink()
        settle_down(w)
    assert [(p.name, h) for p, h, _ in calls.calls] == [("orders.xlsx", final)]
    assert [b["workbook"] for b in w.status()] == ["orders.xlsx"]


def test_rapid_saves_are_batched_and_the_last_pass_sees_the_final_content(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 0)
    calls = Calls()
    w = Watcher([wb], calls, initial_pass=False, quiet=0.25, poll_interval=0.3, max_wait=5.0)
    with running(w):
        eventually(lambda: idle(w), "settled at start")
        for n in range(1, 11):
            final = excel_save(wb, n)
            time.sleep(0.01)
        eventually(lambda: len(calls) >= 1, "a pass after the burst")
        settle_down(w)
    assert 1 <= len(calls) <= 2
    assert calls.calls[-1][1] == final


def test_max_wait_bounds_the_delay_while_saves_keep_coming(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 0)
    calls = Calls()
    w = Watcher([wb], calls, initial_pass=False, quiet=0.25, poll_interval=0.5, max_wait=0.4)
    with running(w):
        eventually(lambda: idle(w), "settled at start")
        first = time.monotonic()
        n = 0
        while time.monotonic() - first < 1.2:  # never quiet for 0.25 s
            n += 1
            final = excel_save(wb, n)
            time.sleep(0.05)
        burst_end = time.monotonic()
        eventually(lambda: calls.calls and calls.calls[-1][1] == final, "a pass with the final content")
        settle_down(w)
    assert calls.calls[0][2] < burst_end, "max_wait should force a pass during the burst"
    assert calls.calls[0][2] - first < 0.4 + 0.8


def test_max_wait_with_a_hand_driven_clock(folder: Path) -> None:
    """Hints every 0.5 s never leave the 1 s quiet; the look is forced at first hint + max_wait."""
    wb = workbook(folder / "orders.xlsx", 0)
    now = [0.0]
    calls: list[float] = []
    w = Watcher([wb], lambda p: calls.append(now[0]), use_events=False, quiet=1.0, max_wait=3.0,
                poll_interval=1000.0, initial_pass=False, clock=lambda: now[0])
    w.step()  # scan: first look
    now[0] = 1.0
    w.step()  # second look agrees: settled, content found at start counts as processed
    assert idle(w) and calls == []
    workbook(wb, 1)
    for t in [10.0 + 0.5 * i for i in range(20)]:
        now[0] = t
        w.notify(wb)
        w.step()
    assert calls == [13.0]


def test_settle_checks_with_a_hand_driven_clock(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 0)
    now = [0.0]
    calls: list[float] = []
    w = Watcher([wb], lambda p: calls.append(now[0]), use_events=False, quiet=1.0, max_wait=100.0,
                settle_checks=3, poll_interval=1000.0, clock=lambda: now[0])
    for t in (0.0, 1.0):
        now[0] = t
        w.step()
    assert calls == []  # two agreeing looks are not three
    now[0] = 2.0
    w.step()
    assert calls == [2.0]  # the catch-up pass at start
    data = wb.read_bytes()
    wb.write_bytes(data[:100])  # half written
    w.notify(wb)
    for t in range(3, 20):
        now[0] = float(t)
        w.step()
    assert calls == [2.0] and state_of(w, "orders.xlsx")["state"] == "invalid"


# --- what must not trigger ------------------------------------------------------------


def test_own_writes_do_not_trigger_a_pass(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    seen: list[str] = []

    def pass_that_writes(path: Path) -> object:
        seen.append(sha(path))
        data = path.read_bytes()
        temp = path.with_name(f".~sheetclerk-{secrets.token_hex(4)}.tmp")
        workbook(temp, 1000 + len(seen))  # what the writer leaves: new content, atomically replaced
        os.replace(temp, path)
        assert sha(path) != hashlib.sha256(data).hexdigest()
        return SimpleNamespace(status="written", sha256_after=sha(path))

    w = Watcher([folder], pass_that_writes, **FAST)
    with running(w):
        eventually(lambda: len(seen) == 1, "the catch-up pass")
        settle_down(w)
        assert len(seen) == 1
        final = excel_save(wb, 2)
        eventually(lambda: len(seen) == 2, "a pass for the clerk's save")
        settle_down(w)
    assert seen[1] == final and len(seen) == 2


def test_a_touch_or_identical_rewrite_does_not_trigger(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([folder], calls, initial_pass=False, **FAST)
    with running(w):
        eventually(lambda: idle(w), "settled at start")
        later = time.time() + 60
        os.utime(wb, (later, later))
        wb.write_bytes(wb.read_bytes())  # modify + close events, same content
        settle_down(w, 0.45)  # two scans
    assert len(calls) == 0


# --- modes and failures ------------------------------------------------------------------


def test_poll_mode_catches_changes_by_scanning(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([folder], calls, use_events=False, initial_pass=False, quiet=0.05, poll_interval=0.1)
    with running(w):
        eventually(lambda: idle(w), "settled at start")
        assert w._observer is None  # no events in --poll mode
        final = excel_save(wb, 2)
        eventually(lambda: len(calls) == 1, "the scan finds the save")
        new = folder / "march.xlsm"
        workbook(new, 3)
        eventually(lambda: len(calls) == 2, "the scan finds a new workbook")
        settle_down(w)
    assert [(p.name, h) for p, h, _ in calls.calls] == [("orders.xlsx", final), ("march.xlsm", sha(new))]


def test_a_pass_that_raises_does_not_stop_the_watcher(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls(fail_first=1)
    w = Watcher([wb], calls, initial_pass=False, quiet=0.05, poll_interval=5.0, max_wait=2.0)
    with caplog.at_level(logging.INFO, logger="sheetclerk.watch"), running(w):
        eventually(lambda: idle(w), "settled at start")
        excel_save(wb, 2)
        eventually(lambda: state_of(w, "orders.xlsx")["last_error"], "the failure recorded")
        final = excel_save(wb, 3)
        eventually(lambda: len(calls) == 2, "the next save processed")
        eventually(lambda: state_of(w, "orders.xlsx")["last_error"] is None, "the success recorded")
    assert calls.calls[1][1] == final
    failed = [r for r in caplog.records if getattr(r, "event", None) == "pass_failed"]
    assert len(failed) == 1
    line = failed[0].getMessage()
    assert "RuntimeError" in line and "\n" not in line and CARD not in line and "1111" not in line
    assert "orders.xlsx" in line and str(folder) not in line
    assert state_of(w, "orders.xlsx")["failures"] == 1


def test_a_failed_pass_is_retried_with_backoff(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls(fail_first=1)
    w = Watcher([wb], calls, use_events=False, quiet=0.05, poll_interval=0.1)
    with running(w):
        eventually(lambda: len(calls) == 2, "the failed catch-up pass retried")
        settle_down(w, 0.3)
    assert len(calls) == 2 and calls.calls[0][1] == calls.calls[1][1] == sha(wb)


def test_a_truncated_or_non_zip_file_waits_for_a_valid_save(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    good = wb.read_bytes()
    calls = Calls()
    w = Watcher([folder], calls, initial_pass=False, **FAST)
    with caplog.at_level(logging.INFO, logger="sheetclerk.watch"), running(w):
        eventually(lambda: idle(w), "settled at start")
        wb.write_bytes(good[: len(good) // 2])
        eventually(lambda: state_of(w, "orders.xlsx")["state"] == "invalid", "the truncated file seen")
        wb.write_bytes(b"PK\x03\x04 not really a zip")
        settle_down(w)
        assert len(calls) == 0
        final = save_in_place(wb, 2)
        eventually(lambda: len(calls) == 1, "a pass once the file is a workbook again")
        settle_down(w)
    assert calls.calls[0][1] == final
    assert state_of(w, "orders.xlsx")["state"] == "ok"
    assert [r.event for r in caplog.records if getattr(r, "event", None) in {"invalid", "back"}][-1] == "back"


def test_a_deleted_workbook_is_reported_once_and_picked_up_again(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([wb], calls, initial_pass=False, **FAST)
    with caplog.at_level(logging.INFO, logger="sheetclerk.watch"), running(w):
        eventually(lambda: idle(w), "settled at start")
        wb.unlink()
        eventually(lambda: state_of(w, "orders.xlsx")["state"] == "missing", "the deletion seen")
        settle_down(w, 0.45)  # two scans of a missing file
        final = excel_save(wb, 2)
        eventually(lambda: len(calls) == 1, "a pass for the re-created workbook")
        settle_down(w)
    assert calls.calls[0][1] == final
    assert len([r for r in caplog.records if getattr(r, "event", None) == "missing"]) == 1


def test_one_failing_workbook_does_not_stop_the_other(folder: Path) -> None:
    good = workbook(folder / "good.xlsx", 1)
    bad = workbook(folder / "bad.xlsx", 1)
    calls = Calls(fail_for={"bad.xlsx"})
    w = Watcher([folder], calls, **FAST)
    with running(w):
        eventually(lambda: len(calls.for_("good.xlsx")) == 1 and len(calls.for_("bad.xlsx")) == 1, "both passed at start")
        for n in (2, 3):
            excel_save(bad, n)
            final = excel_save(good, n)
            eventually(lambda: calls.for_("good.xlsx")[-1][1] == final, f"good.xlsx save {n} processed")
        eventually(lambda: len(calls.for_("bad.xlsx")) >= 3, "bad.xlsx still tried on each save")
    assert state_of(w, "good.xlsx")["last_error"] is None
    assert state_of(w, "bad.xlsx")["last_error"].startswith("RuntimeError")


def test_stop_finishes_the_pass_under_way(folder: Path) -> None:
    """SIGTERM sets the stop event; the pass in progress runs to its end, then run() returns."""
    wb = workbook(folder / "orders.xlsx", 1)
    started, gate, log = threading.Event(), threading.Event(), []

    def slow_pass(path: Path) -> str:
        log.append("start")
        started.set()
        gate.wait(DEADLINE)
        log.append("end")
        return "done"

    w = Watcher([wb], slow_pass, **FAST)
    stop = threading.Event()
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    restore = install_signal_handlers(stop)
    try:
        thread = threading.Thread(target=w.run, args=(stop,), daemon=True)
        thread.start()
        assert started.wait(DEADLINE)
        signal.raise_signal(signal.SIGTERM)
        assert stop.is_set() and thread.is_alive()
        excel_save(wb, 2)  # a change during shutdown is left for the next start
        gate.set()
        thread.join(DEADLINE)
        assert not thread.is_alive()
    finally:
        restore()
        gate.set()
    assert log == ["start", "end"]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_locked_write_is_retried_when_the_lock_goes(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    lock = folder / "~$ders.xlsx"
    lock.write_bytes(b"owner")
    results = iter(["locked", "written"])
    calls: list[str] = []

    def pass_fn(path: Path) -> object:
        calls.append(sha(path))
        return SimpleNamespace(status=next(results, "written"))

    w = Watcher([folder], pass_fn, **FAST)
    with running(w):
        eventually(lambda: len(calls) == 1, "the first pass, locked out")
        time.sleep(0.45)  # two scans while the lock is there
        assert len(calls) == 1  # still open in Excel: no retry yet
        lock.unlink()
        eventually(lambda: len(calls) == 2, "the retry once Excel closed the workbook")
        settle_down(w)
    assert calls == [sha(wb), sha(wb)]


def test_a_busy_pass_is_retried_after_a_back_off(folder: Path) -> None:
    """`busy` (the file kept changing under the pass): same content again after poll_interval, then done."""
    wb = workbook(folder / "orders.xlsx", 1)
    now = [0.0]
    results = iter(["busy", "synced"])
    calls: list[float] = []

    def pass_fn(path: Path) -> object:
        calls.append(now[0])
        return SimpleNamespace(status=next(results, "synced"), sha256_after=sha(path))

    w = Watcher([wb], pass_fn, use_events=False, quiet=1.0, poll_interval=10.0, clock=lambda: now[0])
    for t in range(0, 60):
        now[0] = float(t)
        w.step()
    assert calls == [1.0, 13.0]  # settled at 1; retry due at 11, looked at 12 and 13
    assert idle(w)


def test_the_observer_is_restarted_when_its_thread_dies(folder: Path) -> None:
    wb = workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([wb], calls, initial_pass=False, quiet=0.05, poll_interval=0.3, max_wait=2.0)
    with running(w):
        eventually(lambda: idle(w) and w._observer is not None, "watching")
        dead = w._observer
        dead.stop()
        dead.join(DEADLINE)
        eventually(lambda: w._observer is not dead and w._observer is not None and w._observer.is_alive(), "a new observer")
        final = excel_save(wb, 2)
        eventually(lambda: len(calls) == 1, "a pass after the restart")
    assert calls.calls[0][1] == final


@pytest.mark.parametrize("how", ["deleted", "moved away"])
def test_a_watched_folder_replaced_is_watched_again(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    workbook(folder / "orders.xlsx", 1)
    calls = Calls()
    w = Watcher([folder], calls, initial_pass=False, quiet=0.05, poll_interval=0.3, max_wait=2.0)
    with running(w):
        eventually(lambda: idle(w) and folder in w._watches, "watching")
        if how == "deleted":
            shutil.rmtree(folder)
        else:
            folder.rename(tmp_path / "old share")
        eventually(lambda: state_of(w, "orders.xlsx")["state"] == "missing", "the folder gone")
        folder.mkdir()
        final = excel_save(folder / "orders.xlsx", 2)
        eventually(lambda: len(calls) == 1, "the workbook in the re-created folder")
        eventually(lambda: folder in w._watches and w._watches[folder][1] == (folder.stat().st_dev, folder.stat().st_ino),
                   "events for the new folder")
        final = excel_save(folder / "orders.xlsx", 3)
        eventually(lambda: len(calls) == 2, "the next save")
    assert calls.calls[-1][1] == final
    assert [c[0] for c in calls.calls] == [folder / "orders.xlsx"] * 2


def test_the_event_handler_never_raises() -> None:
    from collections import deque

    from sync.watcher import _Hints

    queue: deque = deque()
    handler = _Hints(queue, threading.Event(), logging.getLogger("sheetclerk.watch"))
    handler.dispatch(object())  # not an event at all
    handler.dispatch(SimpleNamespace(src_path=b"/x/orders.xlsx", dest_path="", is_directory=False))
    assert queue == deque([("/x/orders.xlsx", False)])


def test_folders_are_not_recursive_and_skip_sidecars(folder: Path) -> None:
    workbook(folder / "orders.xlsx", 1)
    workbook(folder / "orders.review.xlsx", 1)
    (folder / "archive").mkdir()
    workbook(folder / "archive" / "2025.xlsx", 1)
    (folder / "orders.csv").write_text("a,b\n")
    calls = Calls()
    w = Watcher([folder], calls, use_events=False, quiet=0.02, poll_interval=0.1)
    assert w.run_once() == [folder / "orders.xlsx"]
    assert w.run_once() == []
    save_in_place(folder / "orders.xlsx", 2)
    assert w.run_once() == [folder / "orders.xlsx"]
    assert [p.name for p, _, _ in calls.calls] == ["orders.xlsx", "orders.xlsx"]


def test_bad_arguments_are_errors(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("x")
    with pytest.raises(ValueError):
        Watcher([], print)
    with pytest.raises(ValueError):
        Watcher([tmp_path / "orders.csv"], print)
    with pytest.raises(ValueError):
        Watcher([tmp_path], print, settle_checks=0)


# --- logs -----------------------------------------------------------------------------


def test_json_log_lines_carry_the_fields(folder: Path) -> None:
    stream = io.StringIO()
    log = logging.getLogger("sheetclerk.watch.test-json")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(make_log_handler(json=True, stream=stream))
    workbook(folder / "orders.xlsx", 1)
    w = Watcher([folder], lambda p: SimpleNamespace(status="verified"), use_events=False, quiet=0.02, log=log)
    w.run_once()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    done = next(r for r in lines if r.get("event") == "pass")
    assert done["workbook"] == "orders.xlsx" and done["status"] == "verified" and done["level"] == "info"
    assert isinstance(done["duration"], float) and done["ts"].endswith("+00:00")
    assert str(folder) not in stream.getvalue()


def test_describe_error_is_one_line_without_card_numbers_or_folders(tmp_path: Path) -> None:
    assert describe_error(ValueError(f"bad cell\n{CARD}")) == "ValueError: bad cell [number]"
    text = describe_error(PermissionError(13, "Permission denied", str(tmp_path / "lena" / "orders.xlsx")))
    assert text == "PermissionError: Permission denied: orders.xlsx"


def test_the_command_line_and_the_watcher_settle_files_alike() -> None:
    """`sheetclerk watch` spells the Watcher's default quiet (the CLI does not import the watcher to start)."""
    import inspect

    from sync.cli import watch
    from sync.watcher import DEFAULT_QUIET, Watcher

    assert inspect.signature(Watcher).parameters["quiet"].default == DEFAULT_QUIET
    assert inspect.signature(watch).parameters["quiet"].default == DEFAULT_QUIET
