"""Where `SheetPart` finds rows: the quick index (every row `<row r="N"`, N ascending) and the
tag-by-tag one agree with a plain reading of the XML, whatever the spelling of the rows."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sync.xlsx_sheet import SheetPart, _RowIndex

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _plain_reading(xml: bytes, prefix: bytes = b"") -> list[tuple[int, int, int]]:
    """(number, start, end) of every row, as the XML says: numbered by `r`, else one after the previous."""
    out, number = [], 0
    for m in re.finditer(rb"<" + re.escape(prefix) + rb"row\b([^>]*?)(/?)>", xml):
        r = re.search(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""", m.group(1))
        number = int(r.group(1)) if r else number + 1
        end = m.end() if m.group(2) else xml.index(b"</" + prefix + b"row>", m.end()) + len(prefix) + 6
        out.append((number, m.start(), end))
    return out


@st.composite
def _sheets(draw):
    """Row XML in the spellings met in the wild; `regular` when every row is `<row r="N"` ascending."""
    count = draw(st.integers(0, 30))
    gaps = draw(st.lists(st.integers(1, 3), min_size=count, max_size=count))
    spellings = st.sampled_from(["plain", "plain", "plain", "spans_after", "empty", "spans_first", "no_r", "single", "zero"])
    rows, number = [], 0
    for gap in gaps:
        number += gap
        kind = draw(spellings)
        cell = f'<c r="A{number}"><v>{number}</v></c>'
        rows.append(
            {
                "plain": f'<row r="{number}">{cell}</row>',
                "spans_after": f'<row r="{number}" spans="1:1">{cell}</row>',
                "empty": f'<row r="{number}"/>',
                "spans_first": f'<row spans="1:1" r="{number}">{cell}</row>',
                "single": f"<row r='{number}'>{cell}</row>",
                "no_r": f"<row>{cell}</row>",
                "zero": f'<row r="0{number}">{cell}</row>',
            }[kind]
        )
        if kind == "no_r":
            number = len(rows) and _last_number(rows)
    if draw(st.booleans()) and len(rows) > 2:  # out of order or repeated: not the quick index
        i = draw(st.integers(0, len(rows) - 1))
        j = (i + draw(st.integers(1, len(rows) - 1))) % len(rows)
        rows[i], rows[j] = rows[j], rows[i]
    return "".join(rows)


def _last_number(rows: list[str]) -> int:
    return _plain_reading("".join(rows).encode())[-1][0]


def _part(rows: str) -> tuple[bytes, SheetPart]:
    xml = f'<worksheet xmlns="{MAIN}"><dimension ref="A1"/><sheetData>{rows}</sheetData></worksheet>'.encode()
    return xml, SheetPart(xml)


@settings(max_examples=300)
@given(_sheets())
def test_the_index_finds_every_row_where_the_xml_has_it(rows):
    xml, part = _part(rows)
    plain = _plain_reading(xml)
    index = part._index()
    assert index.numbers == [n for n, _, _ in plain]
    for i in reversed(range(len(plain))):  # from the end: each search is bounded by rows found before
        assert (index.start(i), index.end(i)) == plain[i][1:]
    for number in {n for n, _, _ in plain}:
        assert index.position(number) == next(i for i, (n, _, _) in enumerate(plain) if n == number)


@settings(max_examples=300)
@given(_sheets(), st.lists(st.integers(1, 70), max_size=6))
def test_a_value_lands_in_the_row_with_that_number(rows, targets):
    xml, part = _part(rows)
    for number in sorted(targets):
        cell = part.cell(number, 2, create=True)
        cell.set("t", "inlineStr")
        etree.SubElement(etree.SubElement(cell, f"{{{MAIN}}}is"), f"{{{MAIN}}}t").text = f"v{number}"
        part.changed(number)
    out = part.to_bytes()
    tree = etree.fromstring(out)
    numbered: dict[int, etree._Element] = {}
    last = 0
    for row in tree.iter(f"{{{MAIN}}}row"):
        last = int(row.get("r")) if row.get("r") else last + 1
        numbered.setdefault(last, row)
    for number in targets:
        texts = [t.text for t in numbered[number].iter(f"{{{MAIN}}}t")]
        assert f"v{number}" in texts
    if not targets:
        assert out == xml


def test_the_quick_index_is_taken_only_for_regular_rows():
    regular = '<row r="2"><c r="A2"/></row><row r="5" spans="1:2"/><row r="9"></row>'
    assert _RowIndex(*_args(regular))._first is None
    for odd in ('<row r="2"/><row spans="1:1" r="3"/>', '<row r="3"/><row r="2"/>', '<row r="2"/><row r="2"/>',
                '<row r="2"/><row/>', "<row r='2'/>", '<row r="2"/><rowx/>', '<row r="1"/><row r="02"/>', '<row r="0"/>'):
        index = _RowIndex(*_args(odd))
        assert index._first is not None, odd
        xml = _args(odd)[0]
        assert index.numbers == [n for n, _, _ in _plain_reading(xml)]


def _args(rows: str) -> tuple[bytes, bytes, tuple[int, int]]:
    xml = f"<sheetData>{rows}</sheetData>".encode()
    return xml, b"", (len(b"<sheetData>"), len(xml) - len(b"</sheetData>"))


def test_a_prefixed_sheet_uses_its_prefix():
    rows = '<x:row r="1"><x:c r="A1"/></x:row><x:row r="3"/>'
    xml = f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'.encode()
    part = SheetPart(xml)
    assert part._index().numbers == [1, 3]
    assert part._index()._first is None
    assert part.cell(3, 1, create=True) is not None
    assert b'<x:row r="3"><x:c r="A3"/></x:row>' in part.to_bytes()


def test_a_row_number_spelt_with_a_leading_zero_is_found():
    xml, part = _part('<row r="1"><c r="A1"/></row><row r="02"><c r="A2"/></row><row r="3"/>')
    assert part._index().numbers == [1, 2, 3]
    assert part.cell(2, 2, create=True) is not None
    part.changed(2)
    assert b'<row r="02"><c r="A2"/><c r="B2"/></row>' in part.to_bytes()
