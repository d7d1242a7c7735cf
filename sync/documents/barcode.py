"""Code 128 and GS1-128 as bar widths, for shipping labels.

fpdf2 draws Code 39 and interleaved 2 of 5, but carriers print tracking
numbers in Code 128 and GS1 wants an SSCC in GS1-128 (Code 128 that starts with
FNC1, then application identifier 00 and the 18 digits). The symbol table below
is ISO/IEC 15417's; encoding uses code set C (two digits per symbol) for runs
of digits and code set B for everything else.

A barcode is returned as a value — the human-readable text and the alternating
bar/space widths in modules, bar first — or None when the data cannot be
carried (Code 128 B holds printable ASCII only); the renderer prints the text
instead of bars then.
"""

from __future__ import annotations

from typing import NamedTuple

#: Bar/space widths of symbol values 0..106 (bar, space, bar, space, bar, space; 106 = stop, 7 elements).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)

CODE_C, CODE_B, FNC1 = 99, 100, 102
START_B, START_C, STOP = 104, 105, 106
QUIET_ZONE = 10
"""Modules of white required on each side of the symbol."""


class Barcode(NamedTuple):
    text: str
    """Printed under the bars."""
    widths: tuple[int, ...]
    """Alternating bar and space widths in modules, starting and ending with a bar."""

    @property
    def modules(self) -> int:
        return sum(self.widths)


def code128(data: str) -> Barcode | None:
    """Code 128 of printable-ASCII `data`; None when it is empty or holds anything else."""
    values = _values(data, gs1=False)
    return Barcode(data, _widths(values)) if values is not None else None


def gs1_128(ai: str, data: str) -> Barcode | None:
    """GS1-128 of one fixed-length element string, e.g. ("00", SSCC); printed as "(00) 1234…"."""
    values = _values(ai + data, gs1=True)
    return Barcode(f"({ai}) {data}", _widths(values)) if values is not None else None


def checksum(values: list[int]) -> int:
    """Start value plus each following value times its position, modulo 103."""
    return (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103


def _digit_run(data: str, i: int) -> int:
    n = i
    while n < len(data) and data[n].isdigit() and data[n].isascii():
        n += 1
    return n - i


def _values(data: str, gs1: bool) -> list[int] | None:
    """Symbol values from start to check digit (stop not included)."""
    if not data or any(not 32 <= ord(c) < 127 for c in data):
        return None
    run = _digit_run(data, 0)
    in_c = run >= 4 or run == len(data) and run % 2 == 0
    values = [START_C if in_c else START_B]
    if gs1:
        values.append(FNC1)
    i = 0
    while i < len(data):
        run = _digit_run(data, i)
        if in_c:
            if run >= 2:
                values.append(int(data[i:i + 2]))
                i += 2
                continue
            values.append(CODE_B)
            in_c = False
        if run >= 6 or run >= 4 and i + run == len(data):
            if run % 2:
                values.append(ord(data[i]) - 32)
                i += 1
            values.append(CODE_C)
            in_c = True
            continue
        values.append(ord(data[i]) - 32)
        i += 1
    values.append(checksum(values))
    return values


def _widths(values: list[int]) -> tuple[int, ...]:
    return tuple(int(w) for v in (*values, STOP) for w in PATTERNS[v])
