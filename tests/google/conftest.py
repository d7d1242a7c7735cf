"""Fixtures for the Google Sheets tests: the local fake, a service-account key, the starter desk as tabs."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from python_calamine import CalamineWorkbook

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from fake_google import FakeGoogle  # noqa: E402

from sync.google.source import open_sheet  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "workbooks" / "orders.xlsx"
KEY = "1DeskSheetKeyForTests_abcdefghijklmnopqrstu"
ACCOUNT = "sheetclerk@desk-project.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


@pytest.fixture
def key_file(tmp_path: Path, private_key_pem: str) -> Path:
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "desk-project", "private_key_id": "k1",
        "private_key": private_key_pem, "client_email": ACCOUNT, "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }))
    return path


@pytest.fixture
def fake():
    google = FakeGoogle(account=ACCOUNT).start()
    yield google
    google.stop()


def starter_tabs() -> dict[str, list[list[object]]]:
    """The starter workbook's sheets, as a person would find them after importing it into Google Sheets."""
    book = CalamineWorkbook.from_path(str(STARTER))
    try:
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    finally:
        book.close()


@pytest.fixture
def connect(fake: FakeGoogle, key_file: Path, tmp_path: Path):
    """`connect(key)` -> a GoogleSheet talking to the fake, with fake time for its back-off."""

    def make(key: str = KEY, **kwargs):
        kwargs.setdefault("sleep", fake.sleep)
        kwargs.setdefault("rng", random.Random(7))
        return open_sheet(key, key_file, home=tmp_path, transport=fake.adapter(), **kwargs)

    return make
