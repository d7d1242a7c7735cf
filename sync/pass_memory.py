"""What a long-running process keeps from one pass of a workbook to the next, so the next reads only what changed.

The daemon syncs the same workbook over and over, and a clerk's save changes a
few of its thousands of rows. Each sheet's last reading (`rules.intake.SheetReading`)
lets intake read only the rows that differ and hand back the very record objects
of the others, so what a pass works out from a record alone (the line's ledger
spelling, `sync.row_keys.line_json`) is remembered by that object's identity.

Nothing here decides anything: every remembered value is what its function
gives for the same input, so a memory that is empty, stale or from other
settings only costs the time it would have saved. The price is memory: the last
pass's raw rows and records stay resident between passes (about 180 MB for a
100,000-line workbook).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, is_not
from pathlib import Path
from typing import Any

from rules.intake import DeskIntake, SheetReading
from rules.models import OrderLine, Record
from rules.schema import INPUT_SHEETS
from sync.row_keys import ANCHOR_FIELDS, anchors, desk_anchors, line_json

_log = logging.getLogger("sheetclerk.memory")


@dataclass
class PassMemory:
    """One workbook's last pass, as far as the next one can use it."""

    readings: dict[str, SheetReading] = field(default_factory=dict)
    """Spec name -> the sheet's last reading (`DeskIntake.readings`)."""
    spellings: dict[int, tuple[OrderLine, str]] = field(default_factory=dict)
    """id(line) -> (that line, its `line_json`): the line is kept so that its id stays its own."""
    anchored: dict[str, tuple[Sequence[Record], dict[int, str]]] = field(default_factory=dict)
    """Sheet -> (its records, their `anchors`) as the last pass worked them out."""

    def anchors(self, sheet: str, records: Sequence[Record]) -> dict[int, str]:
        """`anchors(sheet, records)`; the last pass's when no record changed its row or identifying fields."""
        last = self.anchored.get(sheet)
        same = last is not None and _same_anchoring(last[0], records, ANCHOR_FIELDS[sheet])
        out = last[1] if same else anchors(sheet, records)  # type: ignore[index]
        self.anchored[sheet] = (records, out)
        return dict(out)  # the pass's own: what it does with it cannot reach the memory


def _same_anchoring(before: Sequence[Record], now: Sequence[Record], fields: tuple[str, ...]) -> bool:
    """Both sequences anchor alike: same length, and each record the same object or alike in row and `fields`."""
    if len(before) != len(now):
        return False
    identity = attrgetter("row", *fields)
    return all(identity(before[i]) == identity(now[i]) for i in compress(range(len(now)), map(is_not, before, now)))


class RememberingPasses:
    """A `pass_fn` for the Watcher: `run_pass` with one `PassMemory` per workbook, kept between its passes.

    A workbook file that a pass found unchanged while its memory is empty (the
    daemon's first look after a start) is read once more, right then, to fill
    the memory: the daemon is idle, and the clerk's first save no longer pays a
    full reading. The Watcher runs one pass at a time, so a memory is never
    shared by two passes at once.
    """

    #: Workbooks remembered at most: the most recently passed. A watched folder may see many come and go.
    MAX_WORKBOOKS = 16

    def __init__(self, run_pass: Callable[..., Any]) -> None:
        self._run_pass = run_pass
        self._memories: dict[object, PassMemory] = {}
        """Workbook -> its memory, least recently passed first."""

    def __call__(self, source: Path | str | object) -> Any:
        key = Path(source).resolve() if isinstance(source, (str, Path)) else id(source)
        memory = self._memories.pop(key, None) or PassMemory()
        self._memories[key] = memory
        self._forget_beyond(self.MAX_WORKBOOKS)
        result = self._run_pass(source, memory=memory)
        if isinstance(key, Path) and not memory.readings and getattr(result, "status", None) == "unchanged":
            remember_file(memory, key)
        return result

    def _forget_beyond(self, keep: int) -> None:
        """Drop the memories of workbook files that are gone, then the least recently passed beyond `keep`."""
        for key in [k for k in self._memories if isinstance(k, Path) and not k.exists()]:
            del self._memories[key]
        while len(self._memories) > keep:
            del self._memories[next(iter(self._memories))]


def remember_file(memory: PassMemory, path: Path) -> None:
    """Fill `memory` with the workbook as it is on disk, as a pass would have read it.

    Only a cache is at stake: a file that cannot be read (or changes meanwhile) leaves
    the memory as it was or holding what was read, and the next pass reads what it needs.
    """
    from sync.config import load_settings
    from sync.xlsx_reader import read_workbook

    started = time.perf_counter()
    try:
        intake = DeskIntake(load_settings(path).policy().day_first)
        desk, _ = intake.desk(read_workbook(path, INPUT_SHEETS, as_read=intake.add))
    except Exception as e:  # noqa: BLE001 - a daemon's cache never stops the daemon
        _log.debug("%s: not remembered (%s)", path.name, type(e).__name__,
                   extra={"workbook": path.name, "event": "not_remembered", "error": type(e).__name__})
        return
    memory.readings = intake.readings
    memory.spellings = {id(line): (line, line_json(line)) for line in desk.lines}
    desk_anchors(desk, memory.anchors)
    took = time.perf_counter() - started
    _log.info("%s: read into memory for the next pass (%d order lines) in %.2f s", path.name, len(desk.lines), took,
              extra={"workbook": path.name, "event": "remembered", "duration": took})
