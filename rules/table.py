"""A sheet as the readers hand it over: header texts and raw cell values by row.

Readers (the `.xlsx` reader, later the Google Sheets source) produce this; intake
turns it into records. Nothing here knows where the values came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rules.schema import SheetSpec, header_key


@dataclass(frozen=True, slots=True)
class RawTable:
    sheet: str
    """The sheet's name as the workbook spells it."""
    headers: tuple[str, ...]
    """Row-1 header texts, one per column position ("" for an empty header cell)."""
    rows: Sequence[tuple[int, Sequence[object]]] = ()
    """(Excel row number, cell values by column position), header row excluded."""

    def positions(self, spec: SheetSpec) -> dict[str, int]:
        """Map each of the spec's headers found in row 1 to its column position.

        When a header appears twice the first one wins; clerks' own columns
        (headers the spec does not know) are simply not in the map.
        """
        by_key: dict[str, int] = {}
        for i, h in enumerate(self.headers):
            by_key.setdefault(header_key(h), i)
        found: dict[str, int] = {}
        for column in spec.columns:
            for k in column.keys:
                if k in by_key:
                    found[column.header] = by_key[k]
                    break
        return found

    def header_text(self, spec: SheetSpec) -> dict[str, str]:
        """The workbook's own spelling of each spec header it has."""
        return {name: self.headers[i] for name, i in self.positions(spec).items()}
