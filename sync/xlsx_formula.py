"""Moving a formula's relative references, as Excel does when it copies a formula.

Needed when sheetclerk overwrites the first cell of a *shared* formula (a
formula filled down a column is stored once, in its first cell): the other
cells then get their own copy of the formula, shifted to their position.
Text in quotes, sheet names in quotes and structured references in brackets
are left alone; `$`-anchored parts do not move.

    >>> shift("A2*$B$1+SUM(C2:C9)", 3, 1)
    'B5*$B$1+SUM(D5:D12)'
    >>> shift('IF(A1="A1",1,0)', 1, 0)
    'IF(A2="A1",1,0)'
"""

from __future__ import annotations

import re

from sync.xlsx_xml import MAX_COLUMN, MAX_ROW, column_index, column_letters

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"]|"")*")
  | (?P<sheet>'(?:[^']|'')*')
  | (?P<bracket>\[[^\]]*(?:\][^\]\[]*)*?\])
  | (?P<cols>(?<![\w.$:])(?P<c1d>\$?)(?P<c1>[A-Za-z]{1,3}):(?P<c2d>\$?)(?P<c2>[A-Za-z]{1,3})(?![\w(!:]))
  | (?P<rows>(?<![\w.$:])(?P<r1d>\$?)(?P<r1>\d{1,7}):(?P<r2d>\$?)(?P<r2>\d{1,7})(?![\w(.:]))
  | (?P<cell>(?<![\w.$])(?P<cd>\$?)(?P<col>[A-Za-z]{1,3})(?P<rd>\$?)(?P<row>\d{1,7})(?![\w(!]))
    """,
    re.VERBOSE,
)


def shift(formula: str, rows: int, columns: int) -> str:
    """The formula with its relative references moved by `rows` down and `columns` right."""

    def move(m: re.Match[str]) -> str:
        if m.group("cell"):
            col = _col(m.group("col"), m.group("cd"), columns)
            row = _row(m.group("row"), m.group("rd"), rows)
            if col is None or row is None:
                return "#REF!"
            return f"{m.group('cd')}{col}{m.group('rd')}{row}"
        if m.group("cols"):
            a, b = _col(m.group("c1"), m.group("c1d"), columns), _col(m.group("c2"), m.group("c2d"), columns)
            if a is None or b is None:
                return "#REF!"
            return f"{m.group('c1d')}{a}:{m.group('c2d')}{b}"
        if m.group("rows"):
            a, b = _row(m.group("r1"), m.group("r1d"), rows), _row(m.group("r2"), m.group("r2d"), rows)
            if a is None or b is None:
                return "#REF!"
            return f"{m.group('r1d')}{a}:{m.group('r2d')}{b}"
        return m.group()

    return _TOKEN.sub(move, formula)


def _col(letters: str, anchor: str, by: int) -> str | None:
    index = column_index(letters)
    if index > MAX_COLUMN:
        return None
    if anchor:
        return letters
    index += by
    return column_letters(index) if 1 <= index <= MAX_COLUMN else None


def _row(digits: str, anchor: str, by: int) -> int | None:
    row = int(digits)
    if anchor:
        return row
    row += by
    return row if 1 <= row <= MAX_ROW else None
