"""The result of carrying out lifecycle steps in a pass."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rules.flags import Flag
from sync.documents.registry import Issued
from sync.ledger.state import LineState
from sync.writeback import CellWrite


@dataclass
class Acted:
    documents: list[Issued] = field(default_factory=list)
    statuses: dict[int, str] = field(default_factory=dict)
    """Orders row -> its status after the step."""
    flags: list[Flag] = field(default_factory=list)
    cells: dict[str, list[CellWrite]] = field(default_factory=dict)
    """Sheet -> extra cells to write (Tracking No, Returns Status / Credit Note No, an exchange's new row)."""

    def merge(self, other: Acted) -> Acted:
        self.documents += other.documents
        self.statuses.update(other.statuses)
        self.flags += other.flags
        for sheet, cells in other.cells.items():
            self.cells.setdefault(sheet, []).extend(cells)
        return self


def invoiced_quantity(s: LineState, fallback: int | None) -> int:
    """The quantity the line was invoiced with (the sheet may have been changed since; that is flagged)."""
    if s.invoiced:
        q = json.loads(s.invoiced).get("quantity")
        if isinstance(q, int):
            return q
    return fallback or 0
