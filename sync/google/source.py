"""A Google Sheet as a workbook source for the sync pass.

- **fingerprint**: the Drive file's `version` (one Drive request). It moves with
  every edit, so a pass over an unchanged sheet costs that one request and
  nothing else.
- **read**: every tab in one `values:batchGet`, unformatted (numbers as numbers,
  dates as serial numbers, which the rules read as dates; text exactly as
  stored, so `=HYPERLINK(...)` typed as text stays text). Tabs are found by name
  ignoring case and columns by header, like in a workbook file.
- The tab list (titles, ids, grid sizes) is kept between passes; it is
  fetched on first use and again whenever Google says a tab is not where it was.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from google.auth.transport.requests import AuthorizedSession, Request
from gspread.exceptions import APIError
from gspread.urls import DRIVE_FILES_API_V3_URL

from rules.schema import SheetSpec
from rules.table import NumberedRows, RawTable, TableHandler, find_sheet, header_text
from sync.errors import WorkbookUnreadable
from sync.google.address import ledger_name, spreadsheet_key
from sync.google.auth import credentials_file, load_credentials
from sync.google.cells import quoted
from sync.google.http import BoundedBackOffClient, RequestLog, RetryPolicy
from sync.google.problems import translated

DRIVE_FIELDS = "version,modifiedTime,lastModifyingUser(displayName,emailAddress)"
TAB_FIELDS = "sheets.properties(sheetId,title,index,gridProperties(rowCount,columnCount))"
READ_OPTIONS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER", "majorDimension": "ROWS"}


@dataclass(frozen=True)
class Tab:
    sheet_id: int
    title: str
    rows: int
    columns: int


class GoogleSheet:
    """One spreadsheet, read and written through gspread's HTTP client (a `WorkbookSource`)."""

    sidecar = False
    reads_locally = False

    def __init__(self, key: str, http: BoundedBackOffClient, *, account: str = "the service account", home: Path | None = None):
        self.key = key
        self.http = http
        self.account = account
        """The service account's email address, for messages ("share the sheet with …")."""
        self.name = ledger_name(key)
        self.path = (home or Path.cwd()).resolve() / self.name
        """Where its settings and ledger folder are found: beside sheetclerk.toml."""
        self.target = self
        self.tabs: dict[str, Tab] | None = None
        self.drive: dict[str, Any] = {}
        self.snapshot: dict[str, RawTable] = {}
        """The tables the last `read` returned, by spec name: the writer locates rows by them."""

    @property
    def where(self) -> str:
        return f"Google Sheet {self.name}"

    @property
    def log(self) -> RequestLog:
        return self.http.log

    # --- WorkbookSource ---------------------------------------------------------------

    def fingerprint(self) -> str:
        with translated(self.where, self.account):
            response = self.http.request(
                "get", f"{DRIVE_FILES_API_V3_URL}/{self.key}", params={"fields": DRIVE_FIELDS, "supportsAllDrives": True}
            )
        self.drive = response.json()
        return f"drive-version:{self.drive.get('version')}"

    def read(
        self, specs: tuple[SheetSpec, ...], as_read: TableHandler | None = None, meanwhile: Callable[[], None] | None = None
    ) -> dict[str, RawTable]:
        """All tabs in one values:batchGet; the pass reads the tables after (`as_read`, `meanwhile` unused)."""
        for attempt in (1, 2):
            tabs = self.load_tabs() if self.tabs is None or attempt == 2 else self.tabs
            found = {spec.name: find_sheet(tabs, spec.name) for spec in specs}
            missing = [f"tab '{spec.name}' is missing" for spec in specs if spec.required and found[spec.name] is None]
            if missing:
                if attempt == 1:
                    continue  # maybe added or renamed since the tab list was fetched
                raise WorkbookUnreadable(f"{self.where}: " + "; ".join(missing) + ". Add or rename the tab (tabs are found by name).")
            wanted = [(spec, title) for spec in specs if (title := found[spec.name]) is not None]
            try:
                with translated(self.where, self.account):
                    answer = self._batch_get([title for _, title in wanted])
            except _StaleTabs:
                if attempt == 1:
                    continue
                raise WorkbookUnreadable(f"{self.where}: the tabs changed while sheetclerk read them; trying again.") from None
            tables = {spec.name: _table(title, ranged.get("values", [])) for (spec, title), ranged in zip(wanted, answer)}
            self.snapshot = _checked(self.where, tables, specs)
            return self.snapshot
        raise AssertionError("unreachable")  # pragma: no cover

    def modified_at(self) -> str:
        stamp = str(self.drive.get("modifiedTime") or "")
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            moment = datetime.now(UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def modified_by(self) -> str | None:
        user = self.drive.get("lastModifyingUser") or {}
        return user.get("emailAddress") or user.get("displayName") or None

    def default_writer(self):
        from sync.google.writer import GoogleWriter

        return GoogleWriter()

    # --- tabs -------------------------------------------------------------------------

    def load_tabs(self) -> dict[str, Tab]:
        with translated(self.where, self.account):
            meta = self.http.fetch_sheet_metadata(self.key, params={"fields": TAB_FIELDS})
        self.tabs = tabs_of(meta)
        return self.tabs

    def _batch_get(self, titles: list[str]) -> list[dict[str, Any]]:
        try:
            answer = self.http.values_batch_get(self.key, [quoted(t) for t in titles], params=dict(READ_OPTIONS))
        except APIError as e:
            if e.code == 400 and "Unable to parse range" in str(e.error.get("message", "")):
                raise _StaleTabs() from None
            raise
        return answer.get("valueRanges", [])


class _StaleTabs(Exception):
    pass


def tabs_of(meta: dict[str, Any]) -> dict[str, Tab]:
    out = {}
    for sheet in meta.get("sheets", []):
        p = sheet.get("properties", {})
        grid = p.get("gridProperties", {})
        out[p["title"]] = Tab(int(p.get("sheetId", 0)), p["title"], int(grid.get("rowCount", 0)), int(grid.get("columnCount", 0)))
    return out


def _table(title: str, rows: list[list[Any]]) -> RawTable:
    headers = tuple(header_text(v) for v in rows[0]) if rows else ()
    return RawTable(title, headers, NumberedRows(rows, 1))


def _checked(where: str, tables: dict[str, RawTable], specs: tuple[SheetSpec, ...]) -> dict[str, RawTable]:
    problems = []
    for spec in specs:
        table = tables.get(spec.name)
        if table is None:
            continue
        found = table.positions(spec)
        missing = [c.header for c in spec.columns if c.required_header and c.header not in found]
        if missing:
            problems.append(f"tab '{table.sheet}' has no column " + ", ".join(f"'{m}'" for m in missing) + " in row 1")
    if problems:
        raise WorkbookUnreadable(f"{where}: " + "; ".join(problems) + ". See README 'The workbook' for the columns each tab needs.")
    return tables


def open_sheet(
    spreadsheet: str,
    credentials: Path | None = None,
    *,
    home: Path | None = None,
    transport: requests.adapters.BaseAdapter | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> GoogleSheet:
    """The configured sheet with a client signed in as the service account.

    `transport` (tests) is mounted on the session for every https:// URL.
    """
    key = spreadsheet_key(spreadsheet)
    creds = load_credentials(credentials_file(credentials))
    token_session = requests.Session()
    if transport is not None:
        token_session.mount("https://", transport)
    session = AuthorizedSession(creds, auth_request=Request(token_session))
    if transport is not None:
        session.mount("https://", transport)
    http = BoundedBackOffClient(creds, session=session, policy=policy, sleep=sleep, rng=rng)
    return GoogleSheet(key, http, account=creds.service_account_email, home=home)


def from_settings(settings: Any, **kwargs: Any) -> GoogleSheet:
    """The sheet `settings.google` names (CannotRun with a plain message when it cannot be used)."""
    g = settings.google
    return open_sheet(g.spreadsheet, g.credentials, **kwargs)
