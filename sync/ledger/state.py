"""The ledger's current state for one workbook: loaded at the start of a pass,
changed only through `Tx` together with the events that explain the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, insert, select, update

from sync.ledger import schema


@dataclass
class LineState:
    line_key: str
    order_key: str
    order_id: str
    row: int
    content_hash: str
    content: str
    status: str
    invoice_no: str | None
    present: bool
    invoiced: str | None = None
    """JSON of the SKU, quantity, unit price and discount the line was invoiced with."""


@dataclass
class StockState:
    sku_key: str
    location_key: str
    sku: str
    location: str
    book: int
    sheet_seen: int | None


@dataclass
class FlagState:
    sheet: str
    anchor: str
    column: str
    code: str
    row: int | None
    severity: str
    message: str
    since: str

    @property
    def pk(self) -> tuple[str, str, str, str]:
        return (self.sheet, self.anchor, self.column, self.code)


@dataclass
class PassState:
    read_sha: str | None = None
    written_sha: str | None = None
    write_pending: bool = False
    at: str | None = None
    result: str | None = None


@dataclass
class LedgerState:
    workbook: str
    lines: dict[str, LineState] = field(default_factory=dict)
    stock: dict[tuple[str, str], StockState] = field(default_factory=dict)
    reservations: dict[str, tuple[str, dict[str, int]]] = field(default_factory=dict)
    """line key -> (SKU key, {location key: quantity})."""
    moves: set[str] = field(default_factory=set)
    approvals: dict[str, tuple[str, str]] = field(default_factory=dict)
    """order key -> (by, at)."""
    flags: dict[tuple[str, str, str, str], FlagState] = field(default_factory=dict)
    fills: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    """(sheet, anchor, column) -> the fill the cell had before sheetclerk coloured it."""
    last_pass: PassState = field(default_factory=PassState)


def load(conn: Connection, workbook: str) -> LedgerState:
    s = LedgerState(workbook)
    t = schema
    for r in conn.execute(select(t.lines).where(t.lines.c.workbook == workbook)).mappings():
        s.lines[r["line_key"]] = LineState(**{k: r[k] for k in LineState.__dataclass_fields__})
    for r in conn.execute(select(t.stock).where(t.stock.c.workbook == workbook)).mappings():
        s.stock[(r["sku_key"], r["location_key"])] = StockState(**{k: r[k] for k in StockState.__dataclass_fields__})
    for r in conn.execute(select(t.reservations).where(t.reservations.c.workbook == workbook)).mappings():
        s.reservations.setdefault(r["line_key"], (r["sku_key"], {}))[1][r["location_key"]] = r["quantity"]
    s.moves = {r[0] for r in conn.execute(select(t.moves.c.move_key).where(t.moves.c.workbook == workbook))}
    for r in conn.execute(select(t.approvals).where(t.approvals.c.workbook == workbook)).mappings():
        s.approvals[r["order_key"]] = (r["by"], r["at"])
    for r in conn.execute(select(t.flags).where(t.flags.c.workbook == workbook)).mappings():
        f = FlagState(**{k: r[k] for k in FlagState.__dataclass_fields__})
        s.flags[f.pk] = f
    for r in conn.execute(select(t.fills).where(t.fills.c.workbook == workbook)).mappings():
        s.fills[(r["sheet"], r["anchor"], r["column"])] = r["original"]
    p = conn.execute(select(t.passes).where(t.passes.c.workbook == workbook)).mappings().first()
    if p is not None:
        s.last_pass = PassState(p["read_sha"], p["written_sha"], bool(p["write_pending"]), p["at"], p["result"])
    return s


# --- writing state (always inside a Tx, next to the events that explain it) ------

def put_line(conn: Connection, workbook: str, line: LineState, *, new: bool) -> None:
    values = {k: getattr(line, k) for k in LineState.__dataclass_fields__}
    if new:
        conn.execute(insert(schema.lines).values(workbook=workbook, **values))
    else:
        conn.execute(
            update(schema.lines)
            .where(schema.lines.c.workbook == workbook, schema.lines.c.line_key == line.line_key)
            .values(**values)
        )


def put_stock(conn: Connection, workbook: str, s: StockState, *, new: bool) -> None:
    values = {k: getattr(s, k) for k in StockState.__dataclass_fields__}
    if new:
        conn.execute(insert(schema.stock).values(workbook=workbook, **values))
    else:
        c = schema.stock.c
        conn.execute(
            update(schema.stock)
            .where(c.workbook == workbook, c.sku_key == s.sku_key, c.location_key == s.location_key)
            .values(**values)
        )


def set_reservations(conn: Connection, workbook: str, line_key: str, sku_key: str, by_location: dict[str, int]) -> None:
    c = schema.reservations.c
    conn.execute(delete(schema.reservations).where(c.workbook == workbook, c.line_key == line_key))
    for location_key, quantity in by_location.items():
        conn.execute(
            insert(schema.reservations).values(
                workbook=workbook, line_key=line_key, sku_key=sku_key, location_key=location_key, quantity=quantity
            )
        )


def add_move(conn: Connection, workbook: str, move_key: str, seq: int) -> None:
    conn.execute(insert(schema.moves).values(workbook=workbook, move_key=move_key, seq=seq))


def add_approval(conn: Connection, workbook: str, order_key: str, by: str, at: str) -> None:
    conn.execute(insert(schema.approvals).values(workbook=workbook, order_key=order_key, by=by, at=at))


def put_flag(conn: Connection, workbook: str, f: FlagState, *, new: bool) -> None:
    values = {k: getattr(f, k) for k in FlagState.__dataclass_fields__}
    if new:
        conn.execute(insert(schema.flags).values(workbook=workbook, **values))
    else:
        c = schema.flags.c
        conn.execute(
            update(schema.flags)
            .where(c.workbook == workbook, c.sheet == f.sheet, c.anchor == f.anchor, c.column == f.column, c.code == f.code)
            .values(row=f.row, severity=f.severity, message=f.message)
        )


def drop_flag(conn: Connection, workbook: str, f: FlagState) -> None:
    c = schema.flags.c
    conn.execute(
        delete(schema.flags).where(
            c.workbook == workbook, c.sheet == f.sheet, c.anchor == f.anchor, c.column == f.column, c.code == f.code
        )
    )


def put_fill(conn: Connection, workbook: str, cell: tuple[str, str, str], original: str | None) -> None:
    c = schema.fills.c
    conn.execute(
        delete(schema.fills).where(c.workbook == workbook, c.sheet == cell[0], c.anchor == cell[1], c.column == cell[2])
    )
    conn.execute(insert(schema.fills).values(workbook=workbook, sheet=cell[0], anchor=cell[1], column=cell[2], original=original))


def drop_fill(conn: Connection, workbook: str, cell: tuple[str, str, str]) -> None:
    c = schema.fills.c
    conn.execute(
        delete(schema.fills).where(c.workbook == workbook, c.sheet == cell[0], c.anchor == cell[1], c.column == cell[2])
    )


def put_pass(conn: Connection, workbook: str, p: PassState) -> None:
    values = {"read_sha": p.read_sha, "written_sha": p.written_sha, "write_pending": p.write_pending, "at": p.at, "result": p.result}
    updated = conn.execute(update(schema.passes).where(schema.passes.c.workbook == workbook).values(**values))
    if updated.rowcount == 0:
        conn.execute(insert(schema.passes).values(workbook=workbook, **values))
