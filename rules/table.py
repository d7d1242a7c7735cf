"""A sheet as the readers hand it over: header texts and raw cell values by row.

Readers (the `.xlsx` reader, later the Google Sheets source) produce this; intake
turns it into records. Nothing here knows where the values came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import count, islice

from rules.schema import SheetSpec, header_key


def header_text(value: object) -> str:
    """A row-1 cell as header text: a number typed as a header reads as `2026`, not `2026.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def find_sheet(names: Iterable[str], wanted: str) -> str | None:
    """The workbook's own spelling of a sheet name, matched ignoring case and surrounding spaces."""
    folded = wanted.casefold()
    return next((n for n in names if n.strip().casefold() == folded), None)


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


#: Called with (spec name, table) for each table as soon as a reader has it (`read_workbook(as_read=...)`).
TableHandler = Callable[[str, RawTable], None]


class NumberedRows(Sequence[tuple[int, Sequence[object]]]):
    """`(Excel row number, values)` over a reader's list of rows, without a tuple per row.

    `rows[0]` is Excel row 1; the view starts at `rows[skip]` (1 skips the header row).
    """

    __slots__ = ("_rows", "_skip")

    def __init__(self, rows: Sequence[Sequence[object]], skip: int = 1) -> None:
        self._rows = rows
        self._skip = skip

    def __len__(self) -> int:
        return max(len(self._rows) - self._skip, 0)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return (i + self._skip + 1, self._rows[i + self._skip])

    def __iter__(self) -> Iterator[tuple[int, Sequence[object]]]:
        return zip(count(self._skip + 1), islice(self._rows, self._skip, None))

    def numbers(self) -> Iterator[int]:
        """The Excel row numbers, in order."""
        return count(self._skip + 1)

    def values(self) -> Sequence[Sequence[object]]:
        """The rows' values, in order (the reader's own lists, not copies)."""
        return self._rows[self._skip :] if self._skip else self._rows
