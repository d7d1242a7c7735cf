"""Reading `.xlsx` / `.xlsm` workbooks into raw tables, with python-calamine.

calamine reads a 100k-row sheet about 15x faster than openpyxl and never
evaluates anything: a formula's cached value is what arrives. Sheets are found
by name ignoring case and outer spaces; columns by header (see `rules.schema`).
Anything that stops the whole read raises `WorkbookUnreadable` with a message
that names the file (and sheet, and header) and says what to do.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial
from pathlib import Path

from python_calamine import CalamineWorkbook

from rules.schema import INPUT_SHEETS, ORDERS, SheetSpec
from rules.table import NumberedRows, RawTable, TableHandler, find_sheet, header_text
from sync.errors import WorkbookUnreadable

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, so that what is hashed is exactly what is read."""
    if not path.exists():
        raise WorkbookUnreadable(f"{path}: no such file.")
    if path.is_dir():
        raise WorkbookUnreadable(f"{path}: is a folder, not a workbook file.")
    try:
        return path.read_bytes()
    except OSError as e:
        raise WorkbookUnreadable(f"{path}: cannot be opened ({e.strerror or e}).") from None


def _sniff(path: Path, data: bytes | None = None) -> None:
    """Refuse, with a reason, anything that is not a readable .xlsx/.xlsm file."""
    if data is None:
        if not path.exists():
            raise WorkbookUnreadable(f"{path}: no such file.")
        if path.is_dir():
            raise WorkbookUnreadable(f"{path}: is a folder, not a workbook file.")
        try:
            with path.open("rb") as f:
                head = f.read(8)
        except OSError as e:
            raise WorkbookUnreadable(f"{path}: cannot be opened ({e.strerror or e}).") from None
    else:
        head = data[:8]
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in (data if data is not None else path.read_bytes()):
            raise WorkbookUnreadable(
                f"{path}: is password-protected. Remove the password in Excel "
                "(File > Info > Protect Workbook > Encrypt with Password) and save again."
            )
        raise WorkbookUnreadable(f"{path}: is an old-style .xls workbook. Open it in Excel and save it as .xlsx.")
    if not head.startswith(_ZIP_MAGIC):
        if not head:
            raise WorkbookUnreadable(f"{path}: is empty (0 bytes); it may still be being copied or saved.")
        raise WorkbookUnreadable(f"{path}: is not an Excel workbook (.xlsx or .xlsm).")
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError):
        # NotImplementedError: zipfile's answer to a damaged "version needed" field.
        raise WorkbookUnreadable(
            f"{path}: is damaged or incomplete (truncated while copying or saving?). "
            "Open it in Excel to repair it, or restore a copy."
        ) from None
    if "xl/workbook.xml" not in names:
        kind = "an OpenDocument spreadsheet" if "content.xml" in names else "a zip file but not an Excel workbook"
        raise WorkbookUnreadable(f"{path}: is {kind}. Save it from Excel as .xlsx.")


#: The sheet that holds most of a workbook: with `as_read`, it loads in a thread while the rest are read.
_BIG_SHEET = ORDERS.name


def read_workbook(
    path: Path | str,
    specs: tuple[SheetSpec, ...] = INPUT_SHEETS,
    data: bytes | None = None,
    as_read: TableHandler | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, RawTable]:
    """Raw tables for the spec's sheets, keyed by spec name; absent optional sheets are left out.

    With `data`, those bytes are read (named `path` in messages) instead of the file.
    Every missing required sheet and header is reported at once, so one round of
    fixing is enough.

    With `as_read`, each table is handed to it as soon as it is read: the Orders
    sheet loads in a second thread (calamine parses without holding the GIL), so
    the caller's work on the small sheets overlaps the big one's loading, on a
    second core. `meanwhile` is called once the small sheets are handed over,
    while Orders is still loading (or after the read, when nothing loads apart).
    The tables returned, and the errors raised, are the same either way.
    """
    path = Path(path)
    _sniff(path, data)
    open_book = partial(_open_book, path, data)
    book = open_book()
    problems: dict[str, str] = {}
    """Spec name -> what is wrong with its sheet: reported in the specs' order."""
    try:
        names = list(book.sheet_names)
        found: list[tuple[SheetSpec, str]] = []
        for spec in specs:
            actual = find_sheet(names, spec.name)
            if actual is not None:
                found.append((spec, actual))
            elif spec.required:
                problems[spec.name] = f"sheet '{spec.name}' is missing"
        concurrent = (as_read is not None or meanwhile is not None) and len(found) > 1
        big = next(((s, a) for s, a in found if s.name == _BIG_SHEET), None) if concurrent else None
        tables = _read_sheets(book, open_book, path, specs, found, big, problems, as_read, meanwhile)
    finally:
        book.close()
    if problems:
        listed = [problems[spec.name] for spec in specs if spec.name in problems]
        raise WorkbookUnreadable(f"{path}: " + "; ".join(listed) + ". See README 'The workbook' for the columns each sheet needs.")
    return {spec.name: tables[spec.name] for spec in specs if spec.name in tables}


def _open_book(path: Path, data: bytes | None) -> CalamineWorkbook:
    try:
        if data is not None:
            return CalamineWorkbook.from_filelike(io.BytesIO(data))
        return CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises its own types for every kind of damage
        raise WorkbookUnreadable(f"{path}: cannot be read as a workbook ({_short(e)}).") from None


def _read_sheets(
    book: CalamineWorkbook,
    open_book: Callable[[], CalamineWorkbook],
    path: Path,
    specs: tuple[SheetSpec, ...],
    found: list[tuple[SheetSpec, str]],
    big: tuple[SheetSpec, str] | None,
    problems: dict[str, str],
    as_read: TableHandler | None,
    meanwhile: Callable[[], None] | None,
) -> dict[str, RawTable]:
    """The found sheets' tables; `big` (if any) loads from `book` in its own thread meanwhile.

    An unreadable sheet raises as a one-by-one read in the specs' order would: the
    first unreadable one in that order is the one named.
    """
    tables: dict[str, RawTable] = {}
    unreadable: list[tuple[int, WorkbookUnreadable]] = []
    """(the sheet's place in `specs`, its error)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheetclerk-read") if big else nullcontext() as pool:
        # The big sheet starts at once from the book already open; the small ones come from a
        # second book, opened meanwhile (a calamine book is used by one thread at a time).
        loading = pool.submit(_sheet_rows, book, path, big[1]) if big else None
        small = open_book() if big else book
        try:
            for spec, actual in found:
                if big is not None and spec is big[0]:
                    continue
                try:
                    rows = _sheet_rows(small, path, actual)
                except WorkbookUnreadable as e:
                    unreadable.append((specs.index(spec), e))
                    break
                tables[spec.name] = _table(spec, actual, rows, problems)
                if as_read is not None:
                    as_read(spec.name, tables[spec.name])
        finally:
            if small is not book:
                small.close()
        if meanwhile is not None and not problems and not unreadable:
            meanwhile()
        if loading is not None:
            try:
                rows = loading.result()
            except WorkbookUnreadable as e:
                unreadable.append((specs.index(big[0]), e))
            if not unreadable:
                tables[big[0].name] = table = _table(big[0], big[1], rows, problems)
                if as_read is not None:
                    as_read(big[0].name, table)
    if unreadable:
        raise min(unreadable, key=lambda found_at: found_at[0])[1]
    return tables


def _sheet_rows(book: CalamineWorkbook, path: Path, actual: str) -> list[list[object]]:
    try:
        return book.get_sheet_by_name(actual).to_python(skip_empty_area=False)
    except Exception as e:  # noqa: BLE001
        raise WorkbookUnreadable(f"{path}, sheet '{actual}': cannot be read ({_short(e)}).") from None


def _table(spec: SheetSpec, actual: str, rows: list[list[object]], problems: dict[str, str]) -> RawTable:
    """The sheet's raw table; the required headers it lacks are filed in `problems`."""
    headers = tuple(header_text(v) for v in rows[0]) if rows else ()
    table = RawTable(actual, headers, NumberedRows(rows, 1))
    found = table.positions(spec)
    missing = [c.header for c in spec.columns if c.required_header and c.header not in found]
    if missing:
        problems[spec.name] = (f"sheet '{actual}' has no column " + ", ".join(f"'{m}'" for m in missing) + " in row 1")
    return table


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
