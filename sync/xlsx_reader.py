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
from pathlib import Path

from python_calamine import CalamineWorkbook

from rules.schema import INPUT_SHEETS, SheetSpec
from rules.table import NumberedRows, RawTable, find_sheet, header_text
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


def read_workbook(
    path: Path | str, specs: tuple[SheetSpec, ...] = INPUT_SHEETS, data: bytes | None = None
) -> dict[str, RawTable]:
    """Raw tables for the spec's sheets, keyed by spec name; absent optional sheets are left out.

    With `data`, those bytes are read (named `path` in messages) instead of the file.
    Every missing required sheet and header is reported at once, so one round of
    fixing is enough.
    """
    path = Path(path)
    _sniff(path, data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data)) if data is not None else CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - calamine raises its own types for every kind of damage
        raise WorkbookUnreadable(f"{path}: cannot be read as a workbook ({_short(e)}).") from None
    try:
        names = list(book.sheet_names)
        problems: list[str] = []
        tables: dict[str, RawTable] = {}
        for spec in specs:
            actual = find_sheet(names, spec.name)
            if actual is None:
                if spec.required:
                    problems.append(f"sheet '{spec.name}' is missing")
                continue
            try:
                rows = book.get_sheet_by_name(actual).to_python(skip_empty_area=False)
            except Exception as e:  # noqa: BLE001
                raise WorkbookUnreadable(f"{path}, sheet '{actual}': cannot be read ({_short(e)}).") from None
            headers = tuple(header_text(v) for v in rows[0]) if rows else ()
            table = RawTable(actual, headers, NumberedRows(rows, 1))
            found = table.positions(spec)
            missing = [c.header for c in spec.columns if c.required_header and c.header not in found]
            if missing:
                problems.append(
                    f"sheet '{actual}' has no column " + ", ".join(f"'{m}'" for m in missing) + " in row 1"
                )
            tables[spec.name] = table
    finally:
        book.close()
    if problems:
        raise WorkbookUnreadable(f"{path}: " + "; ".join(problems) + ". See README 'The workbook' for the columns each sheet needs.")
    return tables


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
