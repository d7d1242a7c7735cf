"""`xl/calcChain.xml`: Excel's list of formula cells, kept in step when a formula is overwritten.

Each `<c r="B2" i="1"/>` names a formula cell and the sheetId it is on; a
missing `i` means "same sheet as the entry before". Entries of overwritten
cells are removed (moving an `i` to the next entry when it depends on it). A
chain left empty is removed with its relationship and content-type entry;
Excel rebuilds it.
"""

from __future__ import annotations

import re

from sync.xlsx_xml import local, parse, serialize


def drop_cells(data: bytes, cells: set[tuple[int, str]]) -> bytes | None:
    """The chain without the (sheetId, cell) entries; None when nothing is left."""
    root = parse(data)
    sheet: str | None = None
    previous_kept: str | None = None
    kept = 0
    changed = False
    for c in list(root):
        if local(c.tag) != "c":
            continue
        explicit = c.get("i")
        if explicit is not None:
            sheet = explicit
        if sheet is not None and sheet.isdigit() and (int(sheet), c.get("r", "").replace("$", "")) in cells:
            root.remove(c)
            changed = True
            continue
        if explicit is None and sheet is not None and sheet != previous_kept:
            c.set("i", sheet)
        previous_kept = sheet
        kept += 1
    if not kept:
        return None
    return serialize(root, data) if changed else data


def without_relationship(rels: bytes, target_name: str) -> bytes:
    """Relationships XML without the `<Relationship>` whose Target ends with `target_name`."""
    pattern = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*?\bTarget\s*=\s*[\"'][^\"']*" + re.escape(target_name.encode()) + rb"[\"'][^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Relationship>)")
    return pattern.sub(b"", rels, count=1)


def without_override(types: bytes, part: str) -> bytes:
    """`[Content_Types].xml` without the `<Override>` for `part`."""
    pattern = re.compile(rb"<(?:[\w.-]+:)?Override\b[^>]*?\bPartName\s*=\s*[\"']/" + re.escape(part.encode()) + rb"[\"'][^>]*?(?:/>|>\s*</(?:[\w.-]+:)?Override>)")
    return pattern.sub(b"", types, count=1)
