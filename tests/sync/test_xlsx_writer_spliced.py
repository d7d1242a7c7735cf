"""The write-back cases of `test_xlsx_writer` again, with every deflated member read block by block
and written back by splicing (`sync.deflate_splice`): in real use only large members are."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_xlsx_writer import *

from sync.deflate_splice import inflate_blocks

pytestmark = pytest.mark.skipif(inflate_blocks(b"\x03\x00", 0) is None, reason="no zlib library to load")


@pytest.fixture(autouse=True, scope="module")
def _every_member_spliced() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sync.xlsx_zip._SPLICE_FROM", 0)
        yield
