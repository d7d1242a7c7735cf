"""`xl/sharedStrings.xml`, read only: the text of the shared strings some cells point to.

sheetclerk never writes shared strings (its text goes into the cell, as an
inline string), so this part is never changed. It is read in one streaming
pass that goes only as far as the highest entry asked for so far.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from sync.xlsx_xml import local, unescape_text


class SharedStrings:
    def __init__(self, data: bytes | None):
        self._texts: list[str] = []
        self._items: Iterator[etree._Element] | None = self._stream(data) if data else None

    def text(self, index: int) -> str | None:
        """The entry's text (None: no such entry)."""
        while index >= len(self._texts) and self._items is not None:
            item = next(self._items, None)
            if item is None:
                self._items = None
                break
            self._texts.append(item_text(item))
            item.clear()
            parent = item.getparent()
            while parent is not None and item.getprevious() is not None:
                del parent[0]
        return self._texts[index] if 0 <= index < len(self._texts) else None

    @staticmethod
    def _stream(data: bytes) -> Iterator[etree._Element]:
        events = etree.iterparse(
            io.BytesIO(data), events=("end",), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
        )
        for _, element in events:
            if local(element.tag) == "si":
                yield element


def item_text(element: etree._Element) -> str:
    """The text of an `<si>` or `<is>`: its `<t>`, or its runs' `<t>`s, without phonetic runs."""
    parts: list[str] = []
    for child in element:
        name = local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if local(t.tag) == "t")
    return unescape_text("".join(parts))
