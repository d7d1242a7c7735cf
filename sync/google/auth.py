"""Service-account credentials: from the configured file, else GOOGLE_APPLICATION_CREDENTIALS.

A service account is a robot Google user with its own email address; the
spreadsheet must be shared with that address (Editor), like with a colleague.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from google.oauth2.service_account import Credentials

from sync.errors import ConfigError

SCOPES: tuple[str, ...] = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
ENV = "GOOGLE_APPLICATION_CREDENTIALS"


def credentials_file(configured: Path | None) -> Path:
    """The key file to use: the configured one, else the one GOOGLE_APPLICATION_CREDENTIALS names."""
    path = configured or (Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if path is None:
        raise ConfigError(
            "No Google service-account key file: set [google] credentials in sheetclerk.toml "
            f"(or {ENV}) to the JSON key downloaded from the Google Cloud console."
        )
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"The Google service-account key file {path} does not exist; check [google] credentials (or {ENV}).")
    return path


def load_credentials(path: Path) -> Credentials:
    """Credentials from a service-account JSON key file, or a message saying what is wrong with it."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as e:
        raise ConfigError(f"{path} cannot be read as a Google service-account key ({e}).") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ConfigError(
            f"{path} is not a service-account key (its \"type\" is not \"service_account\"). In the Google Cloud "
            "console: IAM & Admin > Service accounts > Keys > Add key > JSON."
        )
    try:
        return Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except (ValueError, KeyError) as e:
        raise ConfigError(f"{path}: the service-account key is incomplete or damaged ({e}); download a new JSON key.") from None
