"""Google's error answers as plain messages that name the fix.

Every failure of a request ends here and becomes `GoogleProblem` (a
`CannotRun`): the CLI prints it, the daemon logs it and tries again later.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from gspread.exceptions import APIError

from sync.errors import CannotRun


class GoogleProblem(CannotRun):
    """A Google Sheet could not be read or written; the message says why and what to do."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry
        """A passing condition (quota, outage, network): trying again later may work."""


def explain(error: BaseException, where: str, account: str) -> GoogleProblem:
    """The message for `error` met while working on `where` (e.g. "Google Sheet gsheet:1AbC")."""
    if isinstance(error, RefreshError):
        return GoogleProblem(
            f"{where}: Google refused the service account's key ({_short(error)}). The key was deleted or revoked, "
            f"or the account disabled: create a new JSON key for {account} in the Google Cloud console "
            "and point [google] credentials at it."
        )
    if isinstance(error, (TransportError, requests.ConnectionError, requests.Timeout)):
        return GoogleProblem(f"{where}: Google could not be reached ({_short(error)}); trying again later.", retry=True)
    if isinstance(error, GoogleAuthError):
        return GoogleProblem(f"{where}: signing in to Google failed ({_short(error)}); check [google] credentials.")
    if isinstance(error, APIError):
        code, status, message = error.code, str(error.error.get("status", "")), str(error.error.get("message", ""))
        if code == 403 and status == "PERMISSION_DENIED" and "API has not been used" in message:
            return GoogleProblem(f"{where}: {message} Enable the Google Sheets API and the Google Drive API for the project.")
        if code in (403, 404) and ("permission" in message.lower() or status == "PERMISSION_DENIED"):
            return GoogleProblem(
                f"{where}: the sheet is not shared with the service account. In Google Sheets: Share > add "
                f"{account} as Editor."
            )
        if code == 404:
            return GoogleProblem(
                f"{where}: no such spreadsheet (or it is not shared with {account}). Check the key or URL in "
                "[google] spreadsheet, and share the sheet with that address as Editor."
            )
        if code == 401:
            return GoogleProblem(
                f"{where}: Google did not accept the service account's credentials ({message}); create a new key "
                f"for {account} and point [google] credentials at it."
            )
        if code == 429 or status == "RESOURCE_EXHAUSTED":
            return GoogleProblem(
                f"{where}: Google's request quota is used up ({message}); the pass is tried again in a minute.", retry=True
            )
        if code >= 500 or code in (408, -1):
            return GoogleProblem(f"{where}: Google answered with an error ({code} {message}); trying again later.", retry=True)
        if code == 400 and "protected" in message.lower():
            return GoogleProblem(
                f"{where}: a protected range blocks sheetclerk's columns ({message}). Let {account} edit the "
                "Line Total, Status, Check and Invoice No columns and the Review tab."
            )
        return GoogleProblem(f"{where}: Google refused the request ({code} {status}: {message}).")
    return GoogleProblem(f"{where}: {type(error).__name__}: {_short(error)}.")


@contextmanager
def translated(where: str, account: str) -> Iterator[None]:
    """Turn any Google, auth or network failure inside the block into a `GoogleProblem`."""
    try:
        yield
    except GoogleProblem:
        raise
    except (APIError, GoogleAuthError, requests.RequestException) as e:
        raise explain(e, where, account) from None


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
