"""A local fake of the Google endpoints gspread and sheetclerk use, served over HTTP on 127.0.0.1.

Sheets v4 (spreadsheets get with ranges / includeGridData / fields; values
get, batchGet, update, batchUpdate, append, clear, batchClear; spreadsheets
batchUpdate with addSheet, deleteSheet, updateSheetProperties,
updateSpreadsheetProperties, repeatCell, updateCells, appendDimension,
insertDimension, deleteDimension, sortRange), Drive v3 (files get with
`version` / `modifiedTime` / `lastModifyingUser`, create, delete) and the OAuth
token endpoint, with Google's error bodies, per-minute quotas answered with 429
RESOURCE_EXHAUSTED, and injectable faults. The real gspread client talks to it
through `LocalGoogleAdapter`, mounted on its requests session, which sends
Google's hosts here. Checked against recorded Google traffic by
`test_conformance.py`.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from requests.adapters import HTTPAdapter

EPOCH = date(1899, 12, 30)
GOOGLE_HOSTS = ("sheets.googleapis.com", "www.googleapis.com", "oauth2.googleapis.com")

DEFAULT_PROPERTIES: dict[str, Any] = {
    "locale": "en_US",
    "autoRecalc": "ON_CHANGE",
    "timeZone": "Etc/GMT",
    "defaultFormat": {
        "backgroundColor": {"red": 1, "green": 1, "blue": 1},
        "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
        "verticalAlignment": "BOTTOM",
        "wrapStrategy": "OVERFLOW_CELL",
        "textFormat": {
            "foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10, "bold": False,
            "italic": False, "strikethrough": False, "underline": False, "foregroundColorStyle": {"rgbColor": {}},
        },
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
    },
}


class ApiError(Exception):
    def __init__(self, code: int, message: str, status: str, drive: bool = False, reason: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.drive, self.reason = code, message, status, drive, reason

    def body(self) -> dict[str, Any]:
        if self.drive:
            return {"error": {"code": self.code, "message": self.message, "errors": [
                {"message": self.message, "domain": "global", "reason": self.reason or "notFound",
                 "location": "fileId", "locationType": "parameter"}]}}
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def bad(message: str) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT")


# --- cells and sheets ----------------------------------------------------------------------


@dataclass
class Cell:
    value: Any = None
    """str, int/float, bool, or None."""
    formula: str | None = None
    note: str | None = None
    background: dict[str, float] | None = None
    number_format: dict[str, str] | None = None

    @property
    def empty(self) -> bool:
        return self.value is None and self.formula is None and self.note is None and self.background is None and self.number_format is None


@dataclass
class Sheet:
    sheet_id: int
    title: str
    index: int
    rows: int = 1000
    columns: int = 26
    frozen_rows: int = 0
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    """(row, column), both 0-based."""

    def cell(self, r: int, c: int) -> Cell:
        return self.cells.setdefault((r, c), Cell())

    def value(self, r: int, c: int) -> Any:
        cell = self.cells.get((r, c))
        return None if cell is None else cell.value

    def properties(self) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": self.rows, "columnCount": self.columns}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        return {"sheetId": self.sheet_id, "title": self.title, "index": self.index, "sheetType": "GRID", "gridProperties": grid}


@dataclass
class Spreadsheet:
    key: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    version: int = 1
    modified: datetime = field(default_factory=lambda: datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    modified_by: str = "clerk@office.example"
    properties: dict[str, Any] = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_PROPERTIES)))
    next_sheet_id: Any = field(default_factory=lambda: itertools.count(1_000_001))

    def tab(self, title: str) -> Sheet:
        for s in self.sheets:
            if s.title.casefold() == title.casefold():
                return s
        raise bad(f"Unable to parse range: {title}")

    def by_id(self, sheet_id: int) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise bad(f"No grid with id: {sheet_id}")

    def changed(self, who: str, at: datetime) -> None:
        self.version += 1
        self.modified, self.modified_by = at, who

    def resource(self) -> dict[str, Any]:
        return {
            "spreadsheetId": self.key,
            "properties": {"title": self.title, **self.properties},
            "sheets": [{"properties": s.properties()} for s in self.sheets],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit",
        }


# --- A1 ----------------------------------------------------------------------------------------

_A1 = re.compile(r"^([A-Za-z]*)(\d*)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(i: int) -> str:
    s, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def split_range(text: str) -> tuple[str | None, str]:
    """"'My sheet'!A1:B2" -> ("My sheet", "A1:B2"); "Sheet1" -> ("Sheet1", "")."""
    text = text.strip()
    if text.startswith("'"):
        i, title = 1, ""
        while i < len(text):
            if text[i] == "'" and text[i + 1 : i + 2] == "'":
                title, i = title + "'", i + 2
            elif text[i] == "'":
                break
            else:
                title, i = title + text[i], i + 1
        rest = text[i + 1 :]
        return title, rest[1:] if rest.startswith("!") else rest
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


@dataclass
class Box:
    sheet: Sheet
    r0: int
    c0: int
    r1: int
    """Exclusive."""
    c1: int

    def a1(self) -> str:
        title = self.sheet.title
        name = title if re.fullmatch(r"[A-Za-z0-9_]+", title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", title) else "'" + title.replace("'", "''") + "'"
        start = f"{col_letters(self.c0)}{self.r0 + 1}"
        end = f"{col_letters(self.c1 - 1)}{self.r1}"
        return f"{name}!{start}" if start == end else f"{name}!{start}:{end}"


def parse_range(book: Spreadsheet, text: str) -> Box:
    title, cells = split_range(text)
    if title is None:
        try:  # a bare sheet name
            sheet = book.tab(cells)
            cells = ""
        except ApiError:
            sheet = book.sheets[0]
    else:
        try:
            sheet = book.tab(title)
        except ApiError:
            raise bad(f"Unable to parse range: {text}") from None
    if not cells:
        return Box(sheet, 0, 0, sheet.rows, sheet.columns)
    parts = cells.split(":")
    if len(parts) > 2:
        raise bad(f"Unable to parse range: {text}")
    ends = []
    for p in parts:
        m = _A1.match(p)
        if not m or not (m[1] or m[2]):
            raise bad(f"Unable to parse range: {text}")
        ends.append((col_index(m[1]) if m[1] else None, int(m[2]) - 1 if m[2] else None))
    (ca, ra), (cb, rb) = ends[0], ends[-1]
    r0 = ra if ra is not None else 0
    c0 = ca if ca is not None else 0
    r1 = (rb + 1) if rb is not None else sheet.rows
    c1 = (cb + 1) if cb is not None else sheet.columns
    if len(parts) == 1:
        r1, c1 = r0 + 1, c0 + 1
    return Box(sheet, min(r0, r1 - 1), min(c0, c1 - 1), max(r0 + 1, r1), max(c0 + 1, c1))


# --- values ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SIMPLE_FORMULA = re.compile(r"^=\s*([-+*/().\d\s]+)$")


def number(x: float) -> int | float:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def enter(cell: Cell, raw: Any, option: str) -> None:
    """Put a value in a cell as values.update does with RAW or USER_ENTERED."""
    cell.formula = None
    if raw is None:
        return
    if raw == "":
        cell.value = None
        return
    if option == "RAW" or not isinstance(raw, str):
        cell.value = number(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw
        return
    text = raw
    if text.startswith("'"):
        cell.value = text[1:]
    elif text.startswith("="):
        cell.formula = text
        m = _SIMPLE_FORMULA.match(text)
        try:
            cell.value = number(eval(m[1], {"__builtins__": {}})) if m else "#NAME?"  # noqa: S307 - digits and operators only
        except Exception:  # noqa: BLE001
            cell.value = "#ERROR!"
    elif _NUMBER.match(text.replace(",", "")):
        cell.value = number(float(text.replace(",", "")))
        if "," in text:
            decimals = len(text.rpartition(".")[2]) if "." in text else 0
            cell.number_format = {"type": "NUMBER", "pattern": "#,##0" + ("." + "0" * decimals if decimals else "")}
    elif text.upper() in ("TRUE", "FALSE"):
        cell.value = text.upper() == "TRUE"
    elif text.endswith("%") and _NUMBER.match(text[:-1]):
        cell.value, cell.number_format = float(text[:-1]) / 100, {"type": "PERCENT", "pattern": "0.00%"}
    elif (m := _ISO.match(text)):
        cell.value = (date(int(m[1]), int(m[2]), int(m[3])) - EPOCH).days
        cell.number_format = {"type": "DATE", "pattern": "yyyy-mm-dd"}
    else:
        cell.value = text


def formatted(cell: Cell | None, dates: str = "SERIAL_NUMBER", render: str = "FORMATTED_VALUE") -> Any:
    if cell is None or cell.value is None:
        return ""
    v = cell.value
    if render == "FORMULA" and cell.formula:
        return cell.formula
    kind = (cell.number_format or {}).get("type")
    if isinstance(v, bool):
        return v if render != "FORMATTED_VALUE" else ("TRUE" if v else "FALSE")
    if isinstance(v, (int, float)):
        if kind in ("DATE", "DATE_TIME") and (render == "FORMATTED_VALUE" or dates == "FORMATTED_STRING"):
            return (EPOCH + timedelta(days=int(v))).isoformat()
        if render != "FORMATTED_VALUE":
            return v
        if kind == "PERCENT":
            return f"{v * 100:.2f}%"
        if kind == "NUMBER" and "#,##0" in cell.number_format.get("pattern", ""):
            decimals = len(cell.number_format["pattern"].rpartition(".")[2]) if "." in cell.number_format["pattern"] else 0
            return f"{v:,.{decimals}f}"
        return str(number(v)) if not isinstance(v, float) or v != int(v) else str(int(v))
    return v


def extended(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, (int, float)):
        return {"numberValue": v}
    if isinstance(v, str) and v.startswith("#") and v.endswith(("!", "?")):
        return {"errorValue": {"type": "ERROR", "message": v}}
    return {"stringValue": v}


def grid_values(sheet: Sheet, box: Box, render: str, dates: str, major: str = "ROWS") -> list[list[Any]]:
    """A range's values with trailing empty rows and cells left out, as Google answers."""
    rows = []
    for r in range(box.r0, min(box.r1, sheet.rows)):
        rows.append([formatted(sheet.cells.get((r, c)), dates, render) for c in range(box.c0, min(box.c1, sheet.columns))])
    if major == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[r[c] for r in rows] for c in range(width)]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


# --- fields masks ------------------------------------------------------------------------------


def parse_fields(text: str) -> dict[str, Any]:
    """"a,b(c,d/e),f.g" -> {"a": None, "b": {"c": None, "d": {"e": None}}, "f": {"g": None}}."""
    pos = 0

    def node() -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while pos < len(text):
            m = re.compile(r"[A-Za-z0-9_*]+(?:[./][A-Za-z0-9_*]+)*").match(text, pos)
            if not m:
                raise bad(f"Invalid field selection {text}")
            path = re.split(r"[./]", m.group(0))
            pos = m.end()
            sub = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = node()
                pos += 1  # ")"
            target = out
            for name in path[:-1]:
                nxt = target.get(name)
                if not isinstance(nxt, dict):
                    nxt = target[name] = {}
                target = nxt
            last = path[-1]
            if sub is None:
                target[last] = None
            else:
                prev = target.get(last)
                target[last] = {**prev, **sub} if isinstance(prev, dict) else sub
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            break
        return out

    return node()


def select(value: Any, mask: dict[str, Any] | None) -> Any:
    if mask is None or "*" in (mask or {}):
        return value
    if isinstance(value, list):
        return [select(v, mask) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, sub in mask.items():
        if k in value:
            picked = select(value[k], sub)
            if picked not in ({}, []) or sub is None:
                out[k] = picked
    return out


# --- the fake ----------------------------------------------------------------------------------


@dataclass
class Fault:
    when: Callable[[str, str], bool]
    status: int
    times: int


class FakeGoogle:
    """The whole fake: state, quotas, faults, and the HTTP server (start() / stop())."""

    def __init__(self, *, account: str = "sheetclerk@desk-project.iam.gserviceaccount.com",
                 reads_per_minute: int = 60, writes_per_minute: int = 60,
                 clock: Callable[[], float] | None = None) -> None:
        self.account = account
        self.books: dict[str, Spreadsheet] = {}
        self.shared: set[str] = set()
        self.revoked = False
        self.reads_per_minute, self.writes_per_minute = reads_per_minute, writes_per_minute
        self.now = 0.0
        self.clock = clock or (lambda: self.now)
        self.used: Counter[tuple[str, int]] = Counter()
        self.faults: list[Fault] = []
        self.before: list[tuple[Callable[[str, str, dict], bool], Callable[[], None]]] = []
        self.log: list[tuple[str, str, str, int]] = []
        """(method, host, path, status) of every request answered."""
        self.lock = threading.RLock()
        self.ids = itertools.count(1)
        self.server: ThreadingHTTPServer | None = None

    # --- test helpers --------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """A `sleep` for the client under test: fake time passes, no real waiting."""
        self.now += seconds

    def add_book(self, key: str, tabs: dict[str, list[list[Any]]], *, share: bool = True, title: str = "Order desk") -> Spreadsheet:
        book = Spreadsheet(key, title)
        for i, (name, rows) in enumerate(tabs.items()):
            sheet = Sheet(next(book.next_sheet_id) if i else 0, name, i, max(1000, len(rows) + 10), max(26, max((len(r) for r in rows), default=0)))
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    if v is None or v == "":
                        continue
                    cell = sheet.cell(r, c)
                    if isinstance(v, datetime):
                        cell.value, cell.number_format = (v - datetime(1899, 12, 30, tzinfo=v.tzinfo)).total_seconds() / 86400, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}
                    elif isinstance(v, date):
                        cell.value, cell.number_format = (v - EPOCH).days, {"type": "DATE", "pattern": "yyyy-mm-dd"}
                    else:
                        enter(cell, v, "RAW")
            book.sheets.append(sheet)
        self.books[key] = book
        if share:
            self.shared.add(key)
        return book

    def values(self, key: str, title: str) -> list[list[Any]]:
        """A tab's unformatted values, trailing blanks trimmed (what a person sees, for assertions)."""
        sheet = self.books[key].tab(title)
        return grid_values(sheet, Box(sheet, 0, 0, sheet.rows, sheet.columns), "UNFORMATTED_VALUE", "SERIAL_NUMBER")

    def clerk_edit(self, key: str, change: Callable[[Spreadsheet], None], who: str = "clerk@office.example") -> None:
        """A person changes the sheet in the browser (the version moves)."""
        with self.lock:
            book = self.books[key]
            change(book)
            book.changed(who, book.modified + timedelta(minutes=1))

    def fail(self, status: int, times: int = 1, when: Callable[[str, str], bool] = lambda m, p: True) -> None:
        self.faults.append(Fault(when, status, times))

    def before_request(self, when: Callable[[str, str, dict], bool], action: Callable[[], None]) -> None:
        """Run `action` once, right before the first request `when` matches (a clerk acting mid-pass)."""
        self.before.append((when, action))

    def count(self, host: str | None = None) -> int:
        return sum(1 for _, h, _, _ in self.log if host is None or h == host)

    # --- server ----------------------------------------------------------------------------

    def start(self) -> FakeGoogle:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _go(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload, headers = fake.handle(self.command, self.headers.get("X-Fake-Host", ""), self.path, body, dict(self.headers))
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if payload is not None:
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _go

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def adapter(self) -> LocalGoogleAdapter:
        return LocalGoogleAdapter(self.port)

    # --- dispatch --------------------------------------------------------------------------

    def handle(self, method: str, host: str, target: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(target)
        path, query = unquote(parts.path), parse_qs(parts.query, keep_blank_values=True)
        for i, (when, action) in enumerate(list(self.before)):
            if when(method, path, query):
                self.before.pop(i)
                action()
                break
        with self.lock:
            try:
                status, payload, extra = self._handle(method, host, path, query, body, headers)
            except ApiError as e:
                status, payload, extra = e.code, e.body(), {}
        self.log.append((method, host, path, status))
        return status, payload, extra

    def _handle(self, method, host, path, query, body, headers):
        if host == "oauth2.googleapis.com":
            if self.revoked:
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, {}
            return 200, {"access_token": f"ya29.fake-{next(self.ids)}", "expires_in": 3599, "token_type": "Bearer"}, {}
        if not (headers.get("Authorization") or headers.get("authorization") or "").startswith("Bearer "):
            raise ApiError(401, "Request is missing required authentication credential.", "UNAUTHENTICATED")
        for fault in self.faults:
            if fault.times and fault.when(method, path):
                fault.times -= 1
                if fault.status == 429:
                    raise ApiError(429, "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com'.", "RESOURCE_EXHAUSTED")
                raise ApiError(fault.status, "The service is currently unavailable.", "UNAVAILABLE" if fault.status == 503 else "INTERNAL")
        data = json.loads(body) if body else None
        if host == "www.googleapis.com" and path.startswith("/drive/v3/files"):
            return self._drive(method, path, query, data)
        if host == "sheets.googleapis.com" and path.startswith("/v4/spreadsheets"):
            self._quota("read" if method == "GET" else "write")
            return self._sheets(method, path[len("/v4/spreadsheets"):], query, data)
        raise ApiError(404, f"Not found: {path}", "NOT_FOUND")

    def _quota(self, kind: str) -> None:
        minute = int(self.clock() // 60)
        limit = self.reads_per_minute if kind == "read" else self.writes_per_minute
        if self.used[(kind, minute)] >= limit:
            what = "Read" if kind == "read" else "Write"
            raise ApiError(429, f"Quota exceeded for quota metric '{what} requests' and limit '{what} requests per minute per user' "
                                "of service 'sheets.googleapis.com' for consumer 'project_number:1'.", "RESOURCE_EXHAUSTED")
        self.used[(kind, minute)] += 1

    def _book(self, key: str, drive: bool = False) -> Spreadsheet:
        book = self.books.get(key)
        if book is None:
            if drive:
                raise ApiError(404, f"File not found: {key}.", "", drive=True)
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        if key not in self.shared:
            if drive:
                raise ApiError(404, f"File not found: {key}.", "", drive=True)
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        return book

    # --- Drive -----------------------------------------------------------------------------

    def _drive(self, method, path, query, data):
        rest = path[len("/drive/v3/files"):].strip("/")
        if method == "POST" and not rest:
            key = f"1fake{next(self.ids):040d}"[:44]
            self.add_book(key, {"Sheet1": []}, title=(data or {}).get("name", "Untitled spreadsheet"))
            return 200, {"kind": "drive#file", "id": key, "name": self.books[key].title, "mimeType": "application/vnd.google-apps.spreadsheet"}, {}
        key = rest.split("/")[0]
        if method == "DELETE":
            self._book(key, drive=True)
            del self.books[key]
            return 204, None, {}
        if method == "GET" and "/" not in rest:
            book = self._book(key, drive=True)
            stamp = book.modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{book.modified.microsecond // 1000:03d}Z"
            resource = {
                "kind": "drive#file", "id": key, "name": book.title, "mimeType": "application/vnd.google-apps.spreadsheet",
                "version": str(book.version), "createdTime": "2026-11-01T08:00:00.000Z", "modifiedTime": stamp,
                "lastModifyingUser": {"kind": "drive#user", "displayName": book.modified_by.split("@")[0].title(),
                                      "emailAddress": book.modified_by},
            }
            fields = query.get("fields", [""])[0]
            return 200, select(resource, parse_fields(fields)) if fields else {k: resource[k] for k in ("kind", "id", "name", "mimeType")}, {}
        raise ApiError(404, f"Not found: {path}", "", drive=True)

    # --- Sheets ----------------------------------------------------------------------------

    def _sheets(self, method, rest, query, data):
        m = re.match(r"^/([^/:]+)(.*)$", rest)
        if not m:
            raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")
        key, tail = m.group(1), m.group(2)
        book = self._book(key)
        if tail == "" and method == "GET":
            return 200, self._get(book, query), {}
        if tail == ":batchUpdate" and method == "POST":
            return 200, self._batch_update(book, data or {}), {}
        if tail == "/values:batchGet" and method == "GET":
            return 200, {"spreadsheetId": key, "valueRanges": [self._values_get(book, r, query) for r in query.get("ranges", [])]}, {}
        if tail == "/values:batchUpdate" and method == "POST":
            return 200, self._values_batch_update(book, data or {}), {}
        if tail == "/values:batchClear" and method == "POST":
            ranges = [self._clear(book, r) for r in (data or {}).get("ranges", [])]
            return 200, {"spreadsheetId": key, "clearedRanges": ranges}, {}
        vm = re.match(r"^/values/(.+?)(:append|:clear)?$", tail)
        if vm:
            rng, action = vm.group(1), vm.group(2)
            if action is None and method == "GET":
                return 200, self._values_get(book, rng, query), {}
            if action is None and method == "PUT":
                option = query.get("valueInputOption", [""])[0]
                return 200, {"spreadsheetId": key, **self._update(book, rng, data or {}, option)}, {}
            if action == ":clear" and method == "POST":
                return 200, {"spreadsheetId": key, "clearedRange": self._clear(book, rng)}, {}
            if action == ":append" and method == "POST":
                return 200, self._append(book, rng, data or {}, query), {}
        raise ApiError(404, "Requested entity was not found.", "NOT_FOUND")

    def _get(self, book: Spreadsheet, query) -> dict[str, Any]:
        out = book.resource()
        ranges = query.get("ranges", [])
        grid = query.get("includeGridData", ["false"])[0] == "true"
        if ranges:
            boxes = [parse_range(book, r) for r in ranges]
            ids = {b.sheet.sheet_id for b in boxes}
            out["sheets"] = [s for s in out["sheets"] if s["properties"]["sheetId"] in ids]
            if grid:
                for entry in out["sheets"]:
                    sheet = book.by_id(entry["properties"]["sheetId"])
                    entry["data"] = [self._grid(sheet, b) for b in boxes if b.sheet is sheet]
        elif grid:
            for entry in out["sheets"]:
                sheet = book.by_id(entry["properties"]["sheetId"])
                entry["data"] = [self._grid(sheet, Box(sheet, 0, 0, sheet.rows, sheet.columns))]
        fields = query.get("fields", [""])[0]
        return select(out, parse_fields(fields)) if fields else out

    def _grid(self, sheet: Sheet, box: Box) -> dict[str, Any]:
        rows = []
        last_row = max((r for (r, c), cell in sheet.cells.items() if not cell.empty and box.r0 <= r < box.r1 and box.c0 <= c < box.c1), default=box.r0 - 1)
        for r in range(box.r0, last_row + 1):
            values = []
            last_col = max((c for (rr, c), cell in sheet.cells.items() if rr == r and not cell.empty and box.c0 <= c < box.c1), default=box.c0 - 1)
            for c in range(box.c0, last_col + 1):
                cell = sheet.cells.get((r, c))
                entry: dict[str, Any] = {}
                if cell is not None and not cell.empty:
                    if cell.value is not None:
                        entry["userEnteredValue"] = {"formulaValue": cell.formula} if cell.formula else extended(cell.value)
                        entry["effectiveValue"] = extended(cell.value)
                        entry["formattedValue"] = str(formatted(cell))
                    fmt = {}
                    if cell.background:
                        fmt["backgroundColor"] = cell.background
                    if cell.number_format:
                        fmt["numberFormat"] = cell.number_format
                    if fmt:
                        entry["userEnteredFormat"] = fmt
                    if cell.note:
                        entry["note"] = cell.note
                values.append(entry)
            rows.append({"values": values} if values else {})
        data: dict[str, Any] = {"rowData": rows} if rows else {}
        if box.r0:
            data["startRow"] = box.r0
        if box.c0:
            data["startColumn"] = box.c0
        return data

    def _values_get(self, book: Spreadsheet, rng: str, query) -> dict[str, Any]:
        box = parse_range(book, rng)
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        dates = query.get("dateTimeRenderOption", ["SERIAL_NUMBER"])[0]
        major = query.get("majorDimension", ["ROWS"])[0]
        out: dict[str, Any] = {"range": box.a1(), "majorDimension": major}
        values = grid_values(box.sheet, box, render, dates, major)
        if values:
            out["values"] = values
        return out

    def _update(self, book: Spreadsheet, rng: str, data: dict[str, Any], option: str) -> dict[str, Any]:
        if option not in ("RAW", "USER_ENTERED"):
            raise bad("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        box = parse_range(book, rng)
        values = data.get("values") or []
        if data.get("majorDimension") == "COLUMNS":
            width = max((len(r) for r in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        height, width = len(values), max((len(r) for r in values), default=0)
        explicit = ":" in split_range(rng)[1]
        if explicit and (height > box.r1 - box.r0 or width > box.c1 - box.c0):
            raise bad(f"Requested writing within range [{rng}], but tried writing to row [{box.r0 + height}]")
        sheet = box.sheet
        sheet.rows = max(sheet.rows, box.r0 + height)
        sheet.columns = max(sheet.columns, box.c0 + width)
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                enter(sheet.cell(box.r0 + i, box.c0 + j), v, option)
        book.changed(self.account, book.modified + timedelta(seconds=1))
        if not height or not width:
            return {"updatedRange": box.a1()}
        done = Box(sheet, box.r0, box.c0, box.r0 + height, box.c0 + width)
        cells = sum(1 for r in values for v in r if v is not None)
        return {"updatedRange": done.a1(), "updatedRows": height, "updatedColumns": width, "updatedCells": cells}

    def _values_batch_update(self, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        option = body.get("valueInputOption", "")
        for d in body.get("data", []):
            parse_range(book, d.get("range", ""))  # all-or-nothing: check every range first
        responses = [{"spreadsheetId": book.key, **self._update(book, d["range"], d, option)} for d in body.get("data", [])]
        rows, columns = set(), set()
        for r in responses:
            if "updatedRows" in r:
                box = parse_range(book, r["updatedRange"])
                rows |= {(box.sheet.sheet_id, i) for i in range(box.r0, box.r1)}
                columns |= {(box.sheet.sheet_id, j) for j in range(box.c0, box.c1)}
        if not responses:
            return {"spreadsheetId": book.key}
        return {"spreadsheetId": book.key, "totalUpdatedRows": len(rows), "totalUpdatedColumns": len(columns),
                "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].split("!")[0] for r in responses}), "responses": responses}

    def _clear(self, book: Spreadsheet, rng: str) -> str:
        box = parse_range(book, rng)
        for (r, c), cell in box.sheet.cells.items():
            if box.r0 <= r < box.r1 and box.c0 <= c < box.c1:
                cell.value = cell.formula = None
        book.changed(self.account, book.modified + timedelta(seconds=1))
        return box.a1()

    def _append(self, book: Spreadsheet, rng: str, data: dict[str, Any], query) -> dict[str, Any]:
        box = parse_range(book, rng)
        sheet = box.sheet
        used = [(r, c) for (r, c), cell in sheet.cells.items() if cell.value is not None and box.c0 <= c < box.c1 and r >= box.r0]
        start = max(r for r, _ in used) + 1 if used else box.r0
        first = min(c for _, c in used) if used else box.c0
        values = data.get("values") or []
        table = Box(sheet, min(r for r, _ in used), first, start, max(c for _, c in used) + 1) if used else None
        option = query.get("valueInputOption", ["RAW"])[0]
        where = Box(sheet, start, first, start + 1, first + 1).a1()
        updates = self._update(book, where, {"values": values}, option)
        out = {"spreadsheetId": book.key, "updates": {"spreadsheetId": book.key, **updates}}
        if table is not None:
            out["tableRange"] = table.a1()
        return out

    # --- spreadsheets.batchUpdate --------------------------------------------------------------

    def _batch_update(self, book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
        snapshot = json.dumps(book.resource()), {id(s): (dict(s.cells), s.rows, s.columns, s.title, s.index) for s in book.sheets}, list(book.sheets)
        replies = []
        try:
            for i, request in enumerate(body.get("requests", [])):
                (kind, args), = request.items()
                handler = getattr(self, f"_r_{kind}", None)
                if handler is None:
                    raise bad(f"Invalid requests[{i}]: unsupported by the fake: {kind}")
                replies.append(handler(book, args, i) or {})
        except ApiError:
            book.sheets = snapshot[2]  # all or nothing
            for s in book.sheets:
                s.cells, s.rows, s.columns, s.title, s.index = snapshot[1][id(s)]
            raise
        book.changed(self.account, book.modified + timedelta(seconds=1))
        out: dict[str, Any] = {"spreadsheetId": book.key, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = book.resource()
        return out

    def _range(self, book: Spreadsheet, gr: dict[str, Any], i: int, kind: str) -> Box:
        sheet = book.by_id(int(gr.get("sheetId", 0)))
        box = Box(sheet, gr.get("startRowIndex", 0), gr.get("startColumnIndex", 0), gr.get("endRowIndex", sheet.rows), gr.get("endColumnIndex", sheet.columns))
        if box.r1 > sheet.rows or box.c1 > sheet.columns:
            raise bad(f"Invalid requests[{i}].{kind}: GridRange exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.columns}")
        return box

    def _r_addSheet(self, book, args, i):
        p = dict(args.get("properties", {}))
        title = p.get("title") or f"Sheet{len(book.sheets) + 1}"
        if any(s.title.casefold() == title.casefold() for s in book.sheets):
            raise bad(f"Invalid requests[{i}].addSheet: A sheet with the name \"{title}\" already exists. Please enter another name.")
        grid = p.get("gridProperties", {})
        sheet = Sheet(p.get("sheetId", next(book.next_sheet_id)), title, p.get("index", len(book.sheets)),
                      grid.get("rowCount", 1000), grid.get("columnCount", 26), grid.get("frozenRowCount", 0))
        book.sheets.insert(sheet.index, sheet)
        for n, s in enumerate(book.sheets):
            s.index = n
        return {"addSheet": {"properties": sheet.properties()}}

    def _r_deleteSheet(self, book, args, i):
        sheet = book.by_id(int(args["sheetId"]))
        book.sheets.remove(sheet)
        for n, s in enumerate(book.sheets):
            s.index = n

    def _r_updateSheetProperties(self, book, args, i):
        p = args.get("properties", {})
        sheet = book.by_id(int(p.get("sheetId", 0)))
        fields = args.get("fields", "")
        if "title" in fields and "title" in p:
            sheet.title = p["title"]
        grid = p.get("gridProperties", {})
        if "rowCount" in grid:
            sheet.rows = grid["rowCount"]
        if "columnCount" in grid:
            sheet.columns = grid["columnCount"]
        if "frozenRowCount" in grid or "gridProperties.frozenRowCount" in fields:
            sheet.frozen_rows = grid.get("frozenRowCount", 0)
        if "index" in p and "index" in fields:
            book.sheets.remove(sheet)
            book.sheets.insert(p["index"], sheet)
            for n, s in enumerate(book.sheets):
                s.index = n

    def _r_updateSpreadsheetProperties(self, book, args, i):
        p = args.get("properties", {})
        for f in (args.get("fields") or "").split(","):
            f = f.strip()
            if f == "title":
                book.title = p.get("title", book.title)
            elif f:
                book.properties[f] = p.get(f)

    def _apply(self, cell: Cell, data: dict[str, Any], fields: list[str]) -> None:
        for f in fields:
            if f in ("note",):
                cell.note = data.get("note") or None
            elif f in ("userEnteredFormat.backgroundColor", "userEnteredFormat/backgroundColor"):
                cell.background = (data.get("userEnteredFormat") or {}).get("backgroundColor")
            elif f == "userEnteredFormat.numberFormat":
                cell.number_format = (data.get("userEnteredFormat") or {}).get("numberFormat")
            elif f == "userEnteredFormat":
                fmt = data.get("userEnteredFormat") or {}
                cell.background, cell.number_format = fmt.get("backgroundColor"), fmt.get("numberFormat")
            elif f == "userEnteredValue":
                v = data.get("userEnteredValue") or {}
                cell.formula = v.get("formulaValue")
                cell.value = None if not v else (v.get("stringValue", v.get("numberValue", v.get("boolValue"))) if not cell.formula else "#NAME?")

    def _r_repeatCell(self, book, args, i):
        box = self._range(book, args.get("range", {}), i, "repeatCell")
        fields = [f.strip() for f in args.get("fields", "").split(",") if f.strip()]
        for r in range(box.r0, box.r1):
            for c in range(box.c0, box.c1):
                self._apply(box.sheet.cell(r, c), args.get("cell", {}), fields)

    def _r_updateCells(self, book, args, i):
        fields = [f.strip() for f in args.get("fields", "").split(",") if f.strip()]
        if "range" in args:
            box = self._range(book, args["range"], i, "updateCells")
            r0, c0, sheet = box.r0, box.c0, box.sheet
        else:
            start = args.get("start", {})
            sheet, r0, c0 = book.by_id(int(start.get("sheetId", 0))), start.get("rowIndex", 0), start.get("columnIndex", 0)
        for r, row in enumerate(args.get("rows", [])):
            for c, data in enumerate(row.get("values", [])):
                if r0 + r >= sheet.rows or c0 + c >= sheet.columns:
                    raise bad(f"Invalid requests[{i}].updateCells: GridCoordinate exceeds grid limits.")
                self._apply(sheet.cell(r0 + r, c0 + c), data, fields)

    def _r_appendDimension(self, book, args, i):
        sheet = book.by_id(int(args["sheetId"]))
        if args["dimension"] == "ROWS":
            sheet.rows += int(args["length"])
        else:
            sheet.columns += int(args["length"])

    def _shift(self, sheet: Sheet, dimension: str, start: int, delta: int) -> None:
        moved = {}
        for (r, c), cell in sheet.cells.items():
            at = r if dimension == "ROWS" else c
            if delta < 0 and start <= at < start - delta:
                continue
            if at >= start:
                at += delta
            moved[(at, c) if dimension == "ROWS" else (r, at)] = cell
        sheet.cells = moved

    def _r_insertDimension(self, book, args, i):
        rng = args["range"]
        sheet = book.by_id(int(rng.get("sheetId", 0)))
        n = rng["endIndex"] - rng["startIndex"]
        self._shift(sheet, rng["dimension"], rng["startIndex"], n)
        if rng["dimension"] == "ROWS":
            sheet.rows += n
        else:
            sheet.columns += n

    def _r_deleteDimension(self, book, args, i):
        rng = args["range"]
        sheet = book.by_id(int(rng.get("sheetId", 0)))
        n = rng["endIndex"] - rng["startIndex"]
        self._shift(sheet, rng["dimension"], rng["startIndex"], -n)
        if rng["dimension"] == "ROWS":
            sheet.rows -= n
        else:
            sheet.columns -= n

    def _r_sortRange(self, book, args, i):
        box = self._range(book, args["range"], i, "sortRange")
        sheet = box.sheet
        rows = list(range(box.r0, min(box.r1, max((r for r, _ in sheet.cells), default=0) + 1)))
        contents = {r: {c: sheet.cells.get((r, c)) for c in range(box.c0, box.c1)} for r in rows}

        def sort_key(r: int):
            out = []
            for spec in args.get("sortSpecs", []):
                v = sheet.value(r, spec.get("dimensionIndex", 0))
                k = (v is None, 0 if isinstance(v, (int, float)) else 1, v if isinstance(v, (int, float)) else str(v or "").casefold())
                out.append(k)
            return out

        order = sorted(rows, key=sort_key)
        for spec in reversed(args.get("sortSpecs", [])):
            if spec.get("sortOrder") == "DESCENDING":
                order = sorted(rows, key=sort_key, reverse=True)
        for target, source in zip(rows, order):
            for c in range(box.c0, box.c1):
                cell = contents[source][c]
                if cell is None:
                    sheet.cells.pop((target, c), None)
                else:
                    sheet.cells[(target, c)] = cell


class LocalGoogleAdapter(HTTPAdapter):
    """Sends requests for Google's hosts to the fake on 127.0.0.1 (gspread's URLs are fixed constants)."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def send(self, request, **kwargs):  # type: ignore[override]
        parts = urlsplit(request.url)
        if parts.hostname in GOOGLE_HOSTS:
            request.headers["X-Fake-Host"] = parts.hostname
            request.url = urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path, parts.query, ""))
        return super().send(request, **kwargs)
