"""Ledger tables (SQLAlchemy Core). Migrations in `migrations/` create them.

`events` is the truth: append-only, each row hash-chained to the one before.
The other tables are the current state, updated in the same transaction as the
events that change it, so they never disagree with the stream.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

#: Integer primary keys that autoincrement as BIGINT on PostgreSQL and as ROWID on SQLite.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("seq", _SEQ, primary_key=True, autoincrement=False),
    Column("workbook", Text, nullable=False),
    Column("at", String(32), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("sheet", Text, nullable=False, server_default=""),
    Column("row", Integer),
    Column("order_id", Text),
    Column("line_key", Text),
    Column("data", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

#: One row: the newest event's seq and hash. Writers lock it, so the chain never forks.
chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", _SEQ, nullable=False),
    Column("hash", String(64), nullable=False),
)

lines = Table(
    "lines",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("line_key", Text, nullable=False),
    Column("order_key", Text, nullable=False),
    Column("order_id", Text, nullable=False),
    Column("row", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("invoice_no", Text),
    Column("present", Boolean, nullable=False),
    Column("invoiced", Text),
    Column("shipped", BigInteger, nullable=False, server_default="0"),
    Column("returned", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("workbook", "line_key"),
    Index("ix_lines_status", "workbook", "present", "status"),
)

stock = Table(
    "stock",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("sku_key", Text, nullable=False),
    Column("location_key", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("book", BigInteger, nullable=False),
    Column("sheet_seen", BigInteger),
    PrimaryKeyConstraint("workbook", "sku_key", "location_key"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("line_key", Text, nullable=False),
    Column("sku_key", Text, nullable=False),
    Column("location_key", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    PrimaryKeyConstraint("workbook", "line_key", "location_key"),
)

moves = Table(
    "moves",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("move_key", Text, nullable=False),
    Column("seq", _SEQ, nullable=False),
    PrimaryKeyConstraint("workbook", "move_key"),
)

approvals = Table(
    "approvals",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("order_key", Text, nullable=False),
    Column("by", Text, nullable=False),
    Column("at", String(32), nullable=False),
    PrimaryKeyConstraint("workbook", "order_key"),
)

flags = Table(
    "flags",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("anchor", Text, nullable=False),
    Column("column", Text, nullable=False),
    Column("code", String(40), nullable=False),
    Column("row", Integer),
    Column("severity", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("since", String(32), nullable=False),
    PrimaryKeyConstraint("workbook", "sheet", "anchor", "column", "code"),
)

#: Cells sheetclerk has coloured, and the fill each had before, to put it back when the flag clears.
fills = Table(
    "fills",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("sheet", Text, nullable=False),
    Column("anchor", Text, nullable=False),
    Column("column", Text, nullable=False),
    Column("original", Text),
    PrimaryKeyConstraint("workbook", "sheet", "anchor", "column"),
)

passes = Table(
    "passes",
    metadata,
    Column("workbook", Text, primary_key=True),
    Column("read_sha", String(64)),
    Column("written_sha", String(64)),
    Column("write_pending", Boolean, nullable=False, server_default=false()),
    Column("at", String(32)),
    Column("result", Text),
    # JSON: the open flags and status counts the pass that wrote `written_sha` left (NULL: read the tables)
    Column("summary", Text),
)

#: One row per document series (`INV-2026-`): the last number issued in it.
document_series = Table(
    "document_series",
    metadata,
    Column("series", Text, primary_key=True),
    Column("last", BigInteger, nullable=False),
)

#: Every document ever issued; a number once given is never reused, a voided one keeps its row and PDF.
documents = Table(
    "documents",
    metadata,
    Column("number", Text, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("series", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("workbook", Text, nullable=False),
    Column("order_key", Text, nullable=False),
    Column("order_id", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("issued", String(10), nullable=False),
    Column("payload", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("void_reason", Text),
    Column("event_seq", _SEQ, nullable=False),
    Column("written", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("series", "seq", name="uq_documents_series_seq"),
    UniqueConstraint("workbook", "kind", "purpose", name="uq_documents_purpose"),
    Index("ix_documents_order", "workbook", "order_key"),
)

#: One row per parcel shipped: what left, with which carrier, under which label.
shipments = Table(
    "shipments",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("order_key", Text, nullable=False),
    Column("n", Integer, nullable=False),
    Column("order_id", Text, nullable=False),
    Column("at", String(32), nullable=False),
    Column("carrier", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("tracking_no", Text, nullable=False),
    Column("sscc", Text, nullable=False),
    Column("label_no", Text, nullable=False),
    Column("slip_no", Text, nullable=False),
    Column("lines", Text, nullable=False),  # JSON: [{line_key, sku, quantity, locations}]
    PrimaryKeyConstraint("workbook", "order_key", "n"),
)

#: Returns sheet rows the ledger accepted (an RMA is processed once).
returns = Table(
    "returns",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("rma_key", Text, nullable=False),
    Column("rma_id", Text, nullable=False),
    Column("order_key", Text, nullable=False),
    Column("line_key", Text, nullable=False),
    Column("sku", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("condition", Text, nullable=False),
    Column("resolution", Text, nullable=False),
    Column("credit_note", Text),
    Column("replacement", Text),
    Column("at", String(32), nullable=False),
    PrimaryKeyConstraint("workbook", "rma_key"),
)

#: Payments sheet rows matched to an invoice (a Payment ID is counted once).
payments = Table(
    "payments",
    metadata,
    Column("workbook", Text, nullable=False),
    Column("payment_key", Text, nullable=False),
    Column("payment_id", Text, nullable=False),
    Column("invoice_no", Text, nullable=False),
    Column("amount", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("at", String(32), nullable=False),
    PrimaryKeyConstraint("workbook", "payment_key"),
)
