"""The hash chain: each event's hash covers its own fields and the previous hash,
so changing, removing or reordering any recorded event is detectable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

GENESIS = "0" * 64


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"cannot record {type(value).__name__} in the ledger")


def canonical(data: object) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, Decimals as exact text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def event_hash(
    prev_hash: str,
    seq: int,
    workbook: str,
    at: str,
    kind: str,
    sheet: str,
    row: int | None,
    order_id: str | None,
    line_key: str | None,
    data: str,
) -> str:
    body = canonical([seq, workbook, at, kind, sheet, row, order_id, line_key, data])
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def row_hash(event: Mapping[str, object]) -> str:
    """The hash an `events` row should carry, recomputed from its fields."""
    return event_hash(
        str(event["prev_hash"]),
        int(event["seq"]),  # type: ignore[arg-type]
        str(event["workbook"]),
        str(event["at"]),
        str(event["kind"]),
        str(event["sheet"]),
        event["row"],  # type: ignore[arg-type]
        event["order_id"],  # type: ignore[arg-type]
        event["line_key"],  # type: ignore[arg-type]
        str(event["data"]),
    )
