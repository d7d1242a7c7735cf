"""The workbook's map of parts: which worksheet part holds which sheet, where styles,
shared strings and the calculation chain live, and how to add a worksheet.

Found the way Excel finds them: `_rels/.rels` names the workbook part, its
relationships name the others. Adding a sheet edits `workbook.xml`, its
relationships and `[Content_Types].xml` by inserting text before their
closing tags, so everything else in them stays as it was.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree

from sync.xlsx_strings import SharedStrings
from sync.xlsx_xml import REL_NS, STRICT_REL_NS, local, parse
from sync.xlsx_zip import PackageError, ZipPackage

_OFFICE_DOCUMENT = "/officeDocument"
WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


@dataclass(frozen=True, slots=True)
class SheetEntry:
    name: str
    sheet_id: int
    part: str | None
    """Zip member name of the sheet's part (None: the relationship points nowhere)."""
    kind: str
    """Relationship type's last word: 'worksheet', 'chartsheet', 'dialogsheet', ..."""


@dataclass(frozen=True, slots=True)
class Relationship:
    id: str
    type: str
    target: str
    """Zip member name the relationship points to."""


class Book:
    def __init__(self, package: ZipPackage):
        self.package = package
        self.workbook_part = self._workbook_part()
        if self.workbook_part not in package:
            raise PackageError("it has no workbook part (xl/workbook.xml)")
        self.workbook_xml = package.read(self.workbook_part)
        self.rels_part = _rels_of(self.workbook_part)
        self.rels_xml = package.read(self.rels_part) if self.rels_part in package else None
        self.rels = _relationships(self.rels_xml, self.workbook_part) if self.rels_xml else {}
        root = parse(self.workbook_xml)
        self._ns = root.tag[1:].partition("}")[0]
        self.date1904 = any(
            (pr.get("date1904") or "").lower() in ("1", "true") for pr in root if local(pr.tag) == "workbookPr"
        )
        self.sheets = self._sheets(root)
        self.styles_part = self._target("/styles")
        self.strings_part = self._target("/sharedStrings")
        self.calc_chain_part = self._target("/calcChain")
        self._types_xml: bytes | None = None
        self.shared_strings = SharedStrings(package.read(self.strings_part) if self.strings_part else None)

    def _workbook_part(self) -> str:
        if "_rels/.rels" in self.package:
            for rel in _relationships(self.package.read("_rels/.rels"), "").values():
                if rel.type.endswith(_OFFICE_DOCUMENT):
                    return rel.target
        return "xl/workbook.xml"

    def _target(self, suffix: str) -> str | None:
        for rel in self.rels.values():
            if rel.type.endswith(suffix) and rel.target in self.package:
                return rel.target
        return None

    def _sheets(self, root: etree._Element) -> tuple[SheetEntry, ...]:
        out: list[SheetEntry] = []
        for sheets in root:
            if local(sheets.tag) != "sheets":
                continue
            for sheet in sheets:
                if local(sheet.tag) != "sheet":
                    continue
                rid = sheet.get(f"{{{REL_NS}}}id") or sheet.get(f"{{{STRICT_REL_NS}}}id") or ""
                rel = self.rels.get(rid)
                sheet_id = int(sheet.get("sheetId", "0")) if (sheet.get("sheetId") or "").isdigit() else 0
                part = rel.target if rel is not None and rel.target in self.package else None
                kind = rel.type.rpartition("/")[2] if rel is not None else ""
                out.append(SheetEntry(sheet.get("name", ""), sheet_id, part, kind))
        return tuple(out)

    def find_sheet(self, name: str) -> SheetEntry | None:
        """The sheet named `name`, ignoring case and outer spaces (as the reader finds sheets)."""
        folded = name.strip().casefold()
        return next((s for s in self.sheets if s.name.strip().casefold() == folded), None)

    # --- adding parts ------------------------------------------------------------

    def add_sheet(self, name: str) -> tuple[str, dict[str, bytes]]:
        """A new worksheet's member name, and the new content of the parts that list it."""
        taken = set(self.package.names)
        n = 1
        while f"xl/worksheets/sheet{n}.xml" in taken:
            n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        rid, rels = self._add_relationship(WORKSHEET_REL, part)
        sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1
        prefix = _main_prefix(self.workbook_xml)
        r = self._r_prefix()
        rid_attr = f'{r}:id="{rid}"' if r else f'xmlns:r="{REL_NS}" r:id="{rid}"'
        element = f"<{prefix}sheet name={quoteattr(name)} sheetId=\"{sheet_id}\" {rid_attr}/>"
        close = f"</{prefix}sheets>".encode()
        at = self.workbook_xml.find(close)
        if at < 0:
            raise PackageError("its workbook.xml has no <sheets>")
        workbook = self.workbook_xml[:at] + element.encode("utf-8") + self.workbook_xml[at:]
        changed = {self.workbook_part: workbook, self.rels_part: rels}
        changed["[Content_Types].xml"] = self._add_override(part, WORKSHEET_CONTENT_TYPE)
        return part, changed

    def add_styles(self) -> tuple[str, dict[str, bytes]]:
        """A styles part for a package without one: its member name and the parts that list it."""
        part = posixpath.join(posixpath.dirname(self.workbook_part), "styles.xml")
        if part in self.package:
            part = posixpath.join(posixpath.dirname(self.workbook_part), "sheetclerk-styles.xml")
        _, rels = self._add_relationship(STYLES_REL, part)
        return part, {self.rels_part: rels, "[Content_Types].xml": self._add_override(part, STYLES_CONTENT_TYPE)}

    def _r_prefix(self) -> str | None:
        m = re.search(rb"\bxmlns:([\w.-]+)=[\"']" + re.escape(REL_NS.encode()) + rb"[\"']", _root_tag(self.workbook_xml))
        return m.group(1).decode() if m else None

    def _add_relationship(self, rel_type: str, part: str) -> tuple[str, bytes]:
        ids = set(self.rels)
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        target = posixpath.relpath(part, posixpath.dirname(self.workbook_part) or ".")
        element = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
        if self.rels_xml is None:
            self.rels_xml = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
            )
        self.rels_xml = _insert_before_close(self.rels_xml, "Relationships", element)
        self.rels[rid] = Relationship(rid, rel_type, part)
        return rid, self.rels_xml

    def _add_override(self, part: str, content_type: str) -> bytes:
        if self._types_xml is None:
            self._types_xml = self.package.read("[Content_Types].xml")
        element = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        self._types_xml = _insert_before_close(self._types_xml, "Types", element)
        return self._types_xml


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(data: bytes, source_part: str) -> dict[str, Relationship]:
    root = parse(data)
    base = posixpath.dirname(source_part)
    out: dict[str, Relationship] = {}
    for rel in root:
        if local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = Relationship(rel.get("Id", ""), rel.get("Type", ""), path)
    return out


_ROOT_TAG = re.compile(rb"<(?![?!])[^>]*>")


def _root_tag(data: bytes) -> bytes:
    m = _ROOT_TAG.search(data)
    return m.group() if m else b""


def _main_prefix(data: bytes) -> str:
    """'x:' when the root element is written `<x:workbook ...>`, else ''."""
    m = re.match(rb"<([\w.-]+:)?", _root_tag(data))
    return m.group(1).decode() if m and m.group(1) else ""


def _insert_before_close(data: bytes, element: str, text: str) -> bytes:
    """`text` inserted before the root's closing tag `</element>` (or into `<element/>`)."""
    prefix = _main_prefix(data)
    close = f"</{prefix}{element}>".encode()
    at = data.rfind(close)
    if at >= 0:
        return data[:at] + text.encode("utf-8") + data[at:]
    empty = re.search(rb"<" + re.escape(f"{prefix}{element}".encode()) + rb"\b[^>]*?/>", data)
    if empty is None:
        raise PackageError(f"cannot find <{element}> to add to")
    return data[: empty.end() - 2] + b">" + text.encode("utf-8") + close + data[empty.end() :]

