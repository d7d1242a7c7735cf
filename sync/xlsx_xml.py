"""Small XML and cell-reference helpers shared by the `.xlsx` package editor.

Parts are parsed with lxml, which keeps namespace prefixes, attribute order and
everything it does not understand (`mc:Ignorable`, `x14ac:` attributes,
`extLst`), and never loads DTDs or resolves entities.
"""

from __future__ import annotations

import re

from lxml import etree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_blank_text=False
)


def parse(data: bytes) -> etree._Element:
    """A part's root element; raises `etree.XMLSyntaxError` for malformed XML."""
    return etree.fromstring(data, _PARSER)


def serialize(root: etree._Element, original: bytes) -> bytes:
    """The re-serialized part, keeping the original XML declaration (and anything before the root)."""
    return prolog(original) + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


_ROOT_START = re.compile(rb"<(?![?!])")


def prolog(data: bytes) -> bytes:
    """Everything before the root element's start tag (XML declaration, comments)."""
    m = _ROOT_START.search(data)
    while m is not None and data.startswith(b"<!--", m.start()):
        m = _ROOT_START.search(data, data.index(b"-->", m.start()) + 3)
    return data[: m.start()] if m else b""


def local(tag: object) -> str:
    """An element's name without its namespace (comments and PIs give '')."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def canonical(element: etree._Element) -> tuple:
    """A comparable value for an element: names, attributes (order ignored), text, children."""
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        (element.text or "").strip(),
        tuple(canonical(child) for child in element if isinstance(child.tag, str)),
    )


def without_namespace(element: etree._Element, ns: str) -> str:
    """The element as XML text with the `ns` namespace dropped: `<fill><patternFill .../></fill>`."""
    copy = etree.fromstring(etree.tostring(element))
    prefix = "{" + ns + "}"
    for e in copy.iter():
        if isinstance(e.tag, str) and e.tag.startswith(prefix):
            e.tag = e.tag[len(prefix) :]
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy, encoding="unicode")


def into_namespace(text: str, ns: str) -> etree._Element:
    """Parse XML written by `without_namespace` back into the `ns` namespace."""
    element = etree.fromstring(text.encode("utf-8"), _PARSER)
    for e in element.iter():
        if isinstance(e.tag, str) and not e.tag.startswith("{"):
            e.tag = "{" + ns + "}" + e.tag
    return element


# --- text in cells ---------------------------------------------------------------

_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape_text(text: str) -> str:
    """Cell text as OOXML stores it: characters XML cannot hold become `_xHHHH_`, and a
    literal `_xHHHH_` is protected as `_x005F_xHHHH_` so Excel shows it unchanged."""
    text = _ESCAPED.sub(r"_x005F_\1", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def unescape_text(text: str) -> str:
    """The text a person sees for stored cell text (inverse of `escape_text`)."""
    if "_x" not in text:
        return text
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- cell references -----------------------------------------------------------------

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
MAX_COLUMN = 16384
MAX_ROW = 1048576


def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    out = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def split_ref(ref: str) -> tuple[int, int] | None:
    """'B7' -> (7, 2): row and column, or None if it is not a cell reference."""
    m = _REF.match(ref.strip())
    if not m:
        return None
    return int(m.group(2)), column_index(m.group(1))


def cell_ref(row: int, column: int) -> str:
    return f"{column_letters(column)}{row}"


def split_range(ref: str) -> tuple[int, int, int, int] | None:
    """'A1:C9' (or 'B2') -> (first row, first column, last row, last column)."""
    first, _, last = ref.strip().partition(":")
    a = split_ref(first)
    b = split_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])
