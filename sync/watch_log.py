"""The daemon's logs: one line per thing that happened, as text or JSON lines.

Records carry structured fields through `extra` (`workbook`, `event`,
`duration`, `status`, `error`); only those fields are written, so nothing else a
caller attaches leaks into the log. File names only, never folders (a path may
hold a person's name) and never cell contents: `describe_error` reduces an
exception to its type and a one-line message with anything that looks like a
card number masked.
"""

from __future__ import annotations

import json as _json
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

#: `extra` fields a watcher log record may carry, in output order.
FIELDS: tuple[str, ...] = ("workbook", "event", "duration", "status", "error")

_MAX_MESSAGE = 300
# 13-19 digits, spaces or dashes allowed between them: what SPEC calls a card number.
_CARD_LIKE = re.compile(r"\d(?:[ -]?\d){12,18}")


def describe_error(exc: BaseException) -> str:
    """`Type: message` on one line: no traceback, no folders, card-like numbers masked."""
    if isinstance(exc, OSError) and exc.strerror:
        message = exc.strerror
        if exc.filename:
            message += f": {Path(str(exc.filename)).name}"
    else:
        message = str(exc)
    message = _CARD_LIKE.sub("[number]", " ".join(message.split()))
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {k: getattr(record, k) for k in FIELDS if getattr(record, k, None) is not None}


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, message, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _fields(record).items():
            out[key] = round(value, 3) if isinstance(value, float) else value
        return _json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`2026-11-02 09:15:01 INFO orders.xlsx: pass done in 0.41 s (verified)`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")


def make_log_handler(json: bool = False, stream: TextIO | None = None) -> logging.Handler:
    """A stderr handler (or `stream`) writing JSON lines (`--log-json`) or plain text."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonLinesFormatter() if json else TextFormatter())
    return handler
