"""Which spreadsheet: a key, a browser URL, or `gsheet:<key>` all name the same one."""

from __future__ import annotations

import re

from sync.errors import ConfigError

PREFIX = "gsheet:"
_URL = re.compile(r"docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_KEY = re.compile(r"[A-Za-z0-9_-]{10,}")


def is_google(name: object) -> bool:
    """Does this command-line argument or setting name a Google Sheet rather than a file?"""
    text = str(name).strip()
    return text.startswith(PREFIX) or bool(_URL.search(text))


def spreadsheet_key(text: str) -> str:
    """The spreadsheet's key from a key, a URL copied from the browser, or `gsheet:<key>`."""
    raw = str(text).strip()
    if raw.startswith(PREFIX):
        raw = raw[len(PREFIX):]
    m = _URL.search(raw)
    if m:
        return m.group(1)
    if _KEY.fullmatch(raw):
        return raw
    raise ConfigError(
        f"'{text}' is not a Google Sheet key or URL. Copy the address from the browser "
        "(https://docs.google.com/spreadsheets/d/<key>/edit) into [google] spreadsheet in sheetclerk.toml."
    )


def ledger_name(key: str) -> str:
    """How the ledger identifies the sheet (a file is identified by its path)."""
    return f"{PREFIX}{key}"
