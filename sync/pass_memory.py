"""What a long-running process keeps from one pass of a workbook to the next, so the next reads only what changed.

The daemon syncs the same workbook over and over, and a clerk's save changes a
few of its thousands of rows. Each sheet's last reading (`rules.intake.SheetReading`)
lets intake read only the rows that differ and hand back the very record objects
of the others, so what a pass works out from a record alone (the line's ledger
spelling, `sync.row_keys.line_json`) is remembered by that object's identity.

Nothing here decides anything: every remembered value is what its function
gives for the same input, so a memory that is empty, stale or from other
settings only costs the time it would have saved. The price is memory: the last
pass's raw rows and records stay resident between passes (about 1.5 KB a line).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, is_not
from pathlib import Path
from typing import Any

from rules.intake import SheetReading
from rules.models import OrderLine, Record
from sync.row_keys import ANCHOR_FIELDS, anchors, line_json


@dataclass
class PassMemory:
    """One workbook's last pass, as far as the next one can use it."""

    readings: dict[str, SheetReading] = field(default_factory=dict)
    """Spec name -> the sheet's last reading (`DeskIntake.readings`)."""
    spellings: dict[int, tuple[OrderLine, str]] = field(default_factory=dict)
    """id(line) -> (that line, its `line_json`): the line is kept so that its id stays its own."""
    anchored: dict[str, tuple[Sequence[Record], dict[int, str]]] = field(default_factory=dict)
    """Sheet -> (its records, their `anchors`) as the last pass worked them out."""

    def spelled(self, line: OrderLine) -> str | None:
        """The line's `line_json` if the last pass spelled this very object, else None."""
        hit = self.spellings.get(id(line))
        return hit[1] if hit is not None and hit[0] is line else None

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

    The Watcher runs one pass at a time, so a memory is never shared by two passes at once.
    """

    def __init__(self, run_pass: Callable[..., Any]) -> None:
        self._run_pass = run_pass
        self._memories: dict[object, PassMemory] = {}

    def __call__(self, source: Path | str | object) -> Any:
        key = Path(source).resolve() if isinstance(source, (str, Path)) else id(source)
        memory = self._memories.setdefault(key, PassMemory())
        return self._run_pass(source, memory=memory)
