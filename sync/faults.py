"""Crash points for the exactly-once tests: `SHEETCLERK_CRASH_AT=<point>` kills the
process there with SIGKILL, as a power cut or `kill -9` would. Unset (always, in
real use) each point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

#: Every point where a pass may be killed, in the order a pass reaches them.
POINTS: tuple[str, ...] = (
    "after_read",
    "mid_record",
    "before_commit",
    "after_commit",
    "after_documents",
    "after_write",
    "after_bookkeeping",
)


def crash_point(name: str) -> None:
    if os.environ.get("SHEETCLERK_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
