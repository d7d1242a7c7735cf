"""The daemon loop: run a sync pass on a workbook once each time a clerk saves it.

What a pass does is not this module's business: `Watcher` takes a
`pass_fn(path) -> object` and calls it once per settled change per workbook.

How a change is found (watchfiles' shape, watchdog's events):

* **The scan is the truth.** Every `poll_interval` seconds each workbook gets a
  *look* (`sync.watch_files.look`: SHA-256 of its bytes, size, mtime, whether
  it is a readable zip). Network shares deliver no file events, so with
  `use_events=False` (`--poll`) the scan is all there is.
* **Events are hints.** A watchdog observer (inotify on Linux) reports that
  something happened to a name; the workbook it concerns is looked at early.
  Excel saves by writing a temp file, deleting the original and renaming the
  temp onto the name: about 8 events and no "modified" event for the workbook,
  so every kind of event on the name counts, and the rest are ignored (lock
  files, temp files, the `*.review.xlsx` sidecar, hidden files).
* **Settle, then act once.** After the first hint a workbook is *pending*.
  While hints keep coming the looks are put off until `quiet` seconds pass
  without one, but never later than `max_wait` after the first (debounce with a
  maximum wait). Then it is looked at every `quiet` seconds until
  `settle_checks` consecutive looks agree on size, mtime and content and the
  file is a readable zip. Past `max_wait`, one consistent look of a readable
  zip is enough, so a file saved over and over still gets a pass in bounded
  time. A file that is not a readable zip is never passed.
* **Only real changes.** A pass runs when the settled content differs from the
  last one processed: an mtime-only touch does not count, and neither does the
  pass's own write (if what `pass_fn` returns has a `sha256_after` string, that
  is taken as the file's content after the pass).
* **Never dies.** An exception from `pass_fn` is logged on one line (type and
  message, card-like numbers masked, no traceback above DEBUG) and the same
  content is retried with back-off; an error in the loop itself is logged and
  the loop goes on. The watchdog handler only queues the path and cannot raise.
  A dead observer thread or emitter is restarted. A missing, unreadable or
  broken workbook is reported once per state and watched for its return.
* **Retry.** If the result's `status` is `"locked"` (the write found the
  workbook open in Excel or LibreOffice) or it has a truthy `retry` attribute,
  the pass is run again for the same content once no lock file (`~$name.xlsx`,
  `.~lock.name.xlsx#`) is left beside the workbook; if its `status` is `"busy"`
  (it kept changing under the pass), again after a back-off.
* **Catch up at start.** With `initial_pass=True` (the default) every
  workbook gets one pass when first seen, for changes made while the daemon was
  down; with False the content found at start counts as processed.

Typical use (what `sheetclerk watch` does)::

    stop = threading.Event()
    restore = install_signal_handlers(stop)   # SIGINT / SIGTERM set `stop`
    logging.getLogger("sheetclerk").addHandler(make_log_handler(json=log_json))
    logging.getLogger("sheetclerk").setLevel(logging.INFO)
    try:
        Watcher(paths, run_pass, use_events=not poll).run(stop)
    finally:
        restore()
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from sync.watch_files import (
    WORKBOOK_SUFFIXES,
    Look,
    LookKind,
    is_lock_name,
    is_locked,
    is_workbook_name,
    list_workbooks,
    lock_matches,
    look,
)
from sync.watch_log import describe_error, make_log_handler

__all__ = ["Watcher", "install_signal_handlers", "make_log_handler", "describe_error"]

#: Event types that can mean a workbook changed. Opens, reads and attribute
#: changes are left out: the watcher's own reads must not wake it up again.
EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]

_MAX_BACKOFF = 3600.0
_MAX_RESULT_TEXT = 200


@dataclass(eq=False)
class _Book:
    """What the watcher knows about one workbook. Touched only by the loop thread."""

    path: Path
    explicit: bool
    """Named on the command line (not found in a folder)."""
    initial: bool = True
    """Not settled yet since the watcher started."""
    settled: Look | None = None
    """The last look the workbook settled on."""
    done_sha: str | None = None
    """Content that needs no pass: what the last pass left (or failed on; see retry_at)."""
    # --- the current batch of changes ---
    since: float | None = None
    """When the first hint of the current batch came; None: not pending."""
    next_look: float = 0.0
    previous: Look | None = None
    stable: int = 0
    force: bool = False
    """Pass even if the content is done_sha (a retry)."""
    # --- retries of the same content ---
    attempts: int = 0
    attempt_sha: str | None = None
    retry_at: float | None = None
    retry_unlocked: bool = False
    # --- for status() ---
    passes: int = 0
    failures: int = 0
    last_pass: float | None = None
    last_duration: float | None = None
    last_result: str | None = None
    last_error: str | None = None

    @property
    def name(self) -> str:
        return self.path.name


class _Hints(FileSystemEventHandler):
    """The watchdog handler: queue the event's paths and wake the loop. Never raises.

    watchdog's observer thread dies on an exception from a handler, so this does
    no file system work and catches everything.
    """

    def __init__(self, queue: deque, wake: threading.Event, log: logging.Logger) -> None:
        super().__init__()
        self._queue = queue
        self._wake = wake
        self._log = log

    def dispatch(self, event: FileSystemEvent) -> None:
        try:
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if raw:
                    self._queue.append((os.fsdecode(raw), event.is_directory))
            self._wake.set()
        except Exception as exc:  # noqa: BLE001 - the observer thread must survive anything
            try:
                self._log.error("event handler error: %s", describe_error(exc), extra={"event": "handler_error"})
            except Exception:  # noqa: BLE001
                pass


#: Seconds a file must stay unchanged between two agreeing looks. Excel's save (temp file, delete,
#: rename) is over in milliseconds; half a second keeps save-to-write-back on 10k lines under 2 s.
DEFAULT_QUIET = 0.5


class Watcher:
    """Watches workbooks and folders and calls `pass_fn(path)` once per settled change.

    `paths`: workbook files (watched even while missing) and folders (every
    `*.xlsx` / `*.xlsm` directly inside, not the `*.review.xlsx` sidecars;
    workbooks added later are picked up). Times are in seconds of `clock`.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        pass_fn: Callable[[Path], object],
        *,
        poll_interval: float = 30.0,
        use_events: bool = True,
        quiet: float = DEFAULT_QUIET,
        max_wait: float = 10.0,
        settle_checks: int = 2,
        initial_pass: bool = True,
        clock: Callable[[], float] = time.monotonic,
        log: logging.Logger = logging.getLogger("sheetclerk.watch"),
        sheets: Sequence[object] = (),
        sheet_interval: float = 30.0,
    ) -> None:
        if not paths and not sheets:
            raise ValueError("nothing to watch: give at least one workbook or folder")
        if poll_interval <= 0 or quiet < 0 or max_wait < 0 or settle_checks < 1:
            raise ValueError("poll_interval must be > 0, quiet and max_wait >= 0, settle_checks >= 1")
        self._pass_fn = pass_fn
        self.poll_interval = float(poll_interval)
        self.use_events = use_events
        self.quiet = float(quiet)
        self.max_wait = float(max_wait)
        self.settle_checks = int(settle_checks)
        self.initial_pass = initial_pass
        self._clock = clock
        self._log = log

        self._lock = threading.Lock()  # guards _books for status() from other threads
        self._books: dict[Path, _Book] = {}
        self._folders: list[Path] = []
        for raw in paths:
            p = _absolute(Path(raw))
            if p.is_dir() or (not p.exists() and p.suffix.casefold() not in WORKBOOK_SUFFIXES):
                if p not in self._folders:
                    self._folders.append(p)
            elif p.suffix.casefold() in WORKBOOK_SUFFIXES:
                self._books.setdefault(p, _Book(p, explicit=True))
            else:
                raise ValueError(f"{p.name} is neither a folder nor an .xlsx / .xlsm workbook")
        self._folder_errors: dict[Path, str | None] = {}

        self._hints: deque[tuple[str, bool]] = deque()
        self._wake = threading.Event()
        self._stop: threading.Event | None = None
        self._observer = None
        # folder -> (watchdog's ObservedWatch, the folder's (device, inode) when it was scheduled)
        self._watches: dict[Path, tuple[object, tuple[int, int]]] = {}
        self._watch_errors: dict[Path, str] = {}
        self._next_health = clock()
        self._next_scan = clock()
        # Google Sheets (`sync.google.GoogleSheet`): `pass_fn(sheet)` every `sheet_interval` seconds; the
        # pass itself asks Drive for the file's version (one request) and reads only when it moved.
        self.sheet_interval = float(sheet_interval)
        self._sheets: list[list] = [[sheet, clock()] for sheet in sheets]
        self._observer_started = False
        self._scanned = False

    # ------------------------------------------------------------------ public

    def run(self, stop: threading.Event) -> None:
        """Watch until `stop` is set; a pass under way is finished first. Never raises for a workbook."""
        self._stop = stop
        threading.Thread(target=self._wake_on, args=(stop,), name="sheetclerk-watch-stop", daemon=True).start()
        self._log.info(
            "watching %d workbook(s) and %d folder(s), %s",
            len(self._books), len(self._folders),
            f"events + scan every {self.poll_interval:g} s" if self.use_events else f"scan every {self.poll_interval:g} s",
            extra={"event": "start", "status": "events" if self.use_events else "poll"},
        )
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    delay = self.step()
                except Exception as exc:  # noqa: BLE001 - the loop never dies
                    self._log.error("watch loop error: %s", describe_error(exc), extra={"event": "loop_error", "error": describe_error(exc)})
                    self._log_frames(exc)
                    delay = min(1.0, self.poll_interval)
                if not stop.is_set():
                    self._wake.wait(min(max(delay, 0.0), 5.0))
        finally:
            self._stop_observer()
            self._log.info("stopped", extra={"event": "stop"})

    def step(self) -> float:
        """Do everything that is due now (events, scan, looks, passes); seconds until more is due."""
        if self.use_events:
            self._ensure_observer()
        return self._tick()

    def _tick(self) -> float:
        self._drain_hints()
        now = self._clock()
        if now >= self._next_scan:
            self._scan(now)
            self._next_scan = now + self.poll_interval
        self._start_due_retries(now)
        self._look_at_pending()
        self._poll_sheets(now)
        return self._delay()

    def _poll_sheets(self, now: float) -> None:
        for entry in self._sheets:
            sheet, due = entry
            if now < due:
                continue
            entry[1] = now + self.sheet_interval
            name = getattr(sheet, "name", str(sheet))
            try:
                result = self._pass_fn(sheet)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - one sheet's trouble never stops the watcher
                self._log.error("%s: %s", name, describe_error(exc), extra={"event": "pass_error", "workbook": name})
                continue
            status = _status_of(result)
            if status not in (None, "unchanged"):
                self._log.info("%s: %s", name, _result_text(result), extra={"event": "pass", "workbook": name, "status": status})

    def run_once(self, timeout: float = 60.0) -> list[Path]:
        """Scan everything now, settle what changed and run its passes; the workbooks passed.

        No events are used. Sleeps (real time) between looks; gives up on
        workbooks still not settled after `timeout` seconds (they stay pending).
        """
        before = {p: b.passes for p, b in self._books.items()}
        self._next_scan = self._clock()
        deadline = time.monotonic() + timeout
        while True:
            delay = self._tick()
            if not self._settling() or time.monotonic() >= deadline:
                break
            time.sleep(max(0.0, min(delay, deadline - time.monotonic(), 1.0)))
        return [p for p, b in self._books.items() if b.passes > before.get(p, 0)]

    def notify(self, path: Path) -> None:
        """A hint from outside (an add-in, a test): `path` may have changed. Thread-safe."""
        self._hints.append((os.fspath(_absolute(Path(path))), False))
        self._wake.set()

    def status(self) -> list[dict]:
        """One snapshot per workbook: path, state, pending, last pass time / duration / result / error."""
        with self._lock:
            books = list(self._books.values())
        return [
            {
                "path": str(b.path),
                "workbook": b.name,
                "state": b.settled.kind.value if b.settled else None,
                "pending": b.since is not None or b.retry_at is not None,
                "last_pass": _iso(b.last_pass),
                "last_duration": b.last_duration,
                "last_result": b.last_result,
                "last_error": b.last_error,
                "passes": b.passes,
                "failures": b.failures,
            }
            for b in books
        ]

    # ------------------------------------------------------------------ events

    def _wake_on(self, stop: threading.Event) -> None:
        stop.wait()
        self._wake.set()

    def _ensure_observer(self) -> None:
        """Start the observer, restart it if its thread died, (re)schedule dead or missing watches."""
        now = self._clock()
        if now < self._next_health:
            return
        self._next_health = now + min(2.0, self.poll_interval)
        if self._observer is None or not self._observer.is_alive():
            if self._observer_started:
                self._log.warning("event observer stopped; restarting it", extra={"event": "observer_restart"})
                self._stop_observer()
            try:
                observer = Observer()
                observer.start()
            except Exception as exc:  # noqa: BLE001 - the scan still works without events
                self._log.warning("file events unavailable: %s", describe_error(exc), extra={"event": "observer_error", "error": describe_error(exc)})
                return
            self._observer, self._watches, self._observer_started = observer, {}, True
        alive = {e.watch for e in list(self._observer.emitters) if e.is_alive()}
        handler = _Hints(self._hints, self._wake, self._log)
        for folder in self._watch_folders():
            identity = _identity(folder)
            watch, watched = self._watches.get(folder, (None, None))
            if watch is not None and watch in alive and watched == identity:
                continue
            if watch is not None:  # its emitter died, or the folder was replaced (moved away, remounted)
                try:
                    self._observer.unschedule(watch)
                except Exception:  # noqa: BLE001 - already gone
                    pass
                self._watches.pop(folder, None)
            if identity is None:
                continue  # the scan reports the missing folder; schedule when it is back
            try:
                watch = self._observer.schedule(handler, os.fspath(folder), recursive=False, event_filter=EVENT_TYPES)
                self._watches[folder] = (watch, identity)
                if self._watch_errors.pop(folder, None) is not None:
                    self._log.info("file events for folder %s again", folder.name, extra={"event": "events_back"})
                # anything may have happened while the folder was not watched
                self._next_scan = min(self._next_scan, now)
            except Exception as exc:  # noqa: BLE001 - e.g. the inotify watch limit; the scan covers it
                error = describe_error(exc)
                if self._watch_errors.get(folder) != error:
                    self._log.warning(
                        "no file events for folder %s (%s); relying on the scan", folder.name, error,
                        extra={"event": "events_unavailable", "error": error},
                    )
                self._watch_errors[folder] = error

    def _watch_folders(self) -> list[Path]:
        folders = list(self._folders)
        for b in list(self._books.values()):
            if b.explicit and b.path.parent not in folders:
                folders.append(b.path.parent)
        return folders

    def _stop_observer(self) -> None:
        observer, self._observer, self._watches = self._observer, None, {}
        if observer is None:
            return
        try:
            observer.stop()
            observer.join(timeout=5.0)
        except Exception as exc:  # noqa: BLE001
            self._log.debug("stopping the observer: %s", describe_error(exc))

    def _drain_hints(self) -> None:
        now = self._clock()
        while self._hints:
            raw, is_dir = self._hints.popleft()
            path = Path(raw)
            if is_dir:
                if path in self._folders or path in self._watches:
                    self._next_health = now  # a watched folder went away: re-check the watches
                    self._next_scan = min(self._next_scan, now)
                continue
            book = self._books.get(path)
            if book is None and path.parent in self._folders and is_workbook_name(path.name):
                book = self._add(path)
            if book is not None:
                self._hint(book, now)
            elif is_lock_name(path.name):
                for b in list(self._books.values()):
                    if b.path.parent == path.parent and lock_matches(path.name, b.name):
                        self._maybe_retry(b, now)

    # ------------------------------------------------------------------ scan

    def _scan(self, now: float) -> None:
        for folder in self._folders:
            try:
                found = list_workbooks(folder)
            except OSError as exc:
                error = describe_error(exc)
                if self._folder_errors.get(folder) != error:
                    self._log.warning("cannot list folder %s: %s", folder.name, error, extra={"event": "folder_error", "error": error})
                self._folder_errors[folder] = error
                continue
            if self._folder_errors.get(folder):
                self._log.info("folder %s readable again", folder.name, extra={"event": "folder_back"})
            self._folder_errors[folder] = None
            for p in found:
                if p not in self._books:
                    self._add(p)
        self._scanned = True
        for book in list(self._books.values()):
            if book.since is not None:
                continue  # already settling
            if self._maybe_retry(book, now):
                continue
            seen = look(book.path)
            if book.settled is not None and seen.kind is not LookKind.UNSTABLE and seen.state == book.settled.state:
                continue
            self._begin(book, now)
            self._judge(book, seen, now)

    def _add(self, path: Path) -> _Book:
        book = _Book(path, explicit=False, initial=not self._scanned)
        with self._lock:
            self._books[path] = book
        return book

    # ------------------------------------------------------------------ settling

    def _begin(self, book: _Book, now: float) -> None:
        if book.since is None:
            book.since, book.previous, book.stable = now, None, 0
            book.next_look = now + self.quiet

    def _hint(self, book: _Book, now: float) -> None:
        """Something happened to the name: put the looks off until it has been quiet (up to max_wait)."""
        if book.since is None:
            self._begin(book, now)
        if now < book.since + self.max_wait:
            book.stable = 0
            book.next_look = min(now + self.quiet, book.since + self.max_wait)

    def _maybe_retry(self, book: _Book, now: float) -> bool:
        """Start a forced pass of unchanged content when a retry is due (and the lock gone)."""
        if book.retry_at is None or book.since is not None or now < book.retry_at:
            return False
        if book.retry_unlocked and is_locked(book.path):
            return False
        book.force = True
        self._begin(book, now)
        return True

    def _start_due_retries(self, now: float) -> None:
        for book in list(self._books.values()):
            if book.retry_at is not None:
                self._maybe_retry(book, now)

    def _settling(self) -> bool:
        return any(b.since is not None for b in list(self._books.values()))

    def _look_at_pending(self) -> None:
        for book in list(self._books.values()):
            if self._stop is not None and self._stop.is_set():
                return
            now = self._clock()
            if book.since is None or now < book.next_look:
                continue
            self._judge(book, look(book.path), now)

    def _judge(self, book: _Book, seen: Look, now: float) -> None:
        """Count the look towards settling; settle (and maybe pass) when enough agree."""
        if seen.same_as(book.previous):
            book.stable += 1
        else:
            book.stable = 0 if seen.kind is LookKind.UNSTABLE else 1
        book.previous = seen
        overdue = now >= book.since + self.max_wait
        if book.stable >= self.settle_checks or (overdue and seen.kind is LookKind.OK):
            self._settle(book, seen)
        else:
            book.next_look = now + self.quiet

    def _settle(self, book: _Book, seen: Look) -> None:
        before, force, first = book.settled, book.force, book.initial
        book.settled, book.since, book.previous, book.stable, book.force, book.initial = seen, None, None, 0, False, False
        extra = {"workbook": book.name, "status": seen.kind.value}
        if seen.kind is LookKind.OK:
            if before is not None and before.kind is not LookKind.OK:
                again = "back" if before.kind is LookKind.MISSING else "readable again"
                self._log.info("%s: workbook %s", book.name, again, extra={**extra, "event": "back"})
            if first and not self.initial_pass:
                book.done_sha = seen.sha256
                return
            if seen.sha256 == book.done_sha and not force:
                self._log.debug("%s: content unchanged, no pass", book.name, extra={**extra, "event": "unchanged"})
                return
            self._run_pass(book, seen)
            return
        book.retry_at, book.retry_unlocked = None, False  # nothing to retry on; its next good save gets a pass
        if before is None or before.state != seen.state:
            if seen.kind is LookKind.MISSING:
                self._log.warning("%s: workbook missing; watching for it to come back", book.name, extra={**extra, "event": "missing"})
            elif seen.kind is LookKind.INVALID:
                self._log.warning("%s: not a readable workbook (not a complete zip file); waiting for a good save", book.name, extra={**extra, "event": "invalid"})
            else:
                self._log.warning("%s: cannot read the workbook (%s)", book.name, seen.error, extra={**extra, "event": "unreadable", "error": seen.error})

    # ------------------------------------------------------------------ passes

    def _run_pass(self, book: _Book, seen: Look) -> None:
        if seen.sha256 != book.attempt_sha:
            book.attempts, book.attempt_sha = 0, seen.sha256
        book.retry_at, book.retry_unlocked = None, False
        started, wall = self._clock(), time.time()
        self._log.info("%s: pass started", book.name, extra={"workbook": book.name, "event": "pass_start"})
        try:
            result = self._pass_fn(book.path)
        except Exception as exc:  # noqa: BLE001 - one bad workbook never stops the others
            duration = self._clock() - started
            error = _without_folder(describe_error(exc), book.path)
            book.failures += 1
            book.attempts += 1
            book.last_error = error
            book.done_sha = seen.sha256
            book.retry_at = self._clock() + self._backoff(book.attempts)
            book.last_pass, book.last_duration, book.last_result = wall, duration, None
            self._log.error(
                "%s: pass failed after %.2f s: %s", book.name, duration, error,
                extra={"workbook": book.name, "event": "pass_failed", "duration": duration, "status": "failed", "error": error},
            )
            self._log_frames(exc)
            return
        finally:
            book.passes += 1
        duration = self._clock() - started
        after = getattr(result, "sha256_after", None)
        book.done_sha = after if isinstance(after, str) and after else seen.sha256
        book.last_pass, book.last_duration, book.last_error = wall, duration, None
        book.last_result = _result_text(result)
        status = _status_of(result)
        retry = _retry_kind(result)
        if retry is None:
            book.attempts = 0
        else:
            book.attempts += 1
            book.retry_unlocked = retry == "unlocked"
            first = book.attempts == 1 and book.retry_unlocked
            book.retry_at = self._clock() + (0.0 if first else self._backoff(book.attempts))
        self._log.info(
            "%s: pass done in %.2f s%s", book.name, duration, f" ({status})" if status else "",
            extra={"workbook": book.name, "event": "pass", "duration": duration, "status": status or "done"},
        )

    def _backoff(self, attempts: int) -> float:
        return min(self.poll_interval * 2 ** max(attempts - 1, 0), _MAX_BACKOFF)

    def _delay(self) -> float:
        now = self._clock()
        due = [self._next_scan, *(entry[1] for entry in self._sheets)]
        if self.use_events:
            due.append(self._next_health)
        for b in list(self._books.values()):
            if b.since is not None:
                due.append(b.next_look)
            elif b.retry_at is not None and b.retry_at > now:
                due.append(b.retry_at)  # one waiting for a lock to go is checked on events and scans
        return max(0.0, min(due) - now)

    def _log_frames(self, exc: BaseException) -> None:
        """Where it happened, at DEBUG: file, line and function of each frame, never the message."""
        if self._log.isEnabledFor(logging.DEBUG):
            frames = "; ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__))
            self._log.debug("%s at %s", type(exc).__name__, frames, extra={"event": "traceback"})


# ---------------------------------------------------------------------- helpers


def install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    """SIGINT and SIGTERM set `stop` (the pass under way finishes); returns a function restoring the old handlers.

    A second SIGINT while stopping raises KeyboardInterrupt, for a pass that
    hangs. Call from the main thread.
    """

    def handle(signum: int, frame: object) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _without_folder(text: str, path: Path) -> str:
    """The workbook's folder taken out of a message (a path may hold a person's name); the file name stays."""
    try:
        resolved = str(path.resolve().parent)
    except (OSError, RuntimeError):
        resolved = str(path.parent)
    for folder in {str(path.parent), resolved}:
        text = text.replace(folder + os.sep, "")
    return text


def _identity(folder: Path) -> tuple[int, int] | None:
    """(device, inode) of a folder; None if it is not there."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if os.path.isdir(folder) else None


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser()))


def _iso(wall: float | None) -> str | None:
    return None if wall is None else datetime.fromtimestamp(wall, UTC).isoformat(timespec="seconds")


def _status_of(result: object) -> str | None:
    status = getattr(result, "status", None)
    if status is None:
        return None
    return str(getattr(status, "value", status))


def _result_text(result: object) -> str:
    status = _status_of(result)
    if status is not None:
        return status
    text = repr(result)
    return text if len(text) <= _MAX_RESULT_TEXT else text[: _MAX_RESULT_TEXT - 1] + "…"


def _retry_kind(result: object) -> str | None:
    """"unlocked": run again once the lock file is gone; "later": after a back-off; None: done."""
    status = _status_of(result)
    if status == "locked" or (status != "busy" and getattr(result, "retry", False)):
        return "unlocked"
    if status == "busy":
        return "later"
    return None
