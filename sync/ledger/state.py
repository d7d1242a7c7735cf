"""The ledger's current state for one workbook: loaded at the start of a pass,
changed only through `Tx` together with the events that explain the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, Select, Table, bindparam, delete, func, insert, select, text, true, update

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
    shipped: int = 0
    """Units shipped so far (a backordered line ships in several parcels)."""
    returned: int = 0
    """Units accepted back on the Returns sheet."""


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


def _columns(table, names) -> Select:
    """SELECT the named columns, in that order (rows unpack straight into the dataclass)."""
    return select(*(table.c[n] for n in names))


_LINE_COLUMNS = tuple(LineState.__dataclass_fields__)
_STOCK_COLUMNS = tuple(StockState.__dataclass_fields__)
_FLAG_COLUMNS = tuple(FlagState.__dataclass_fields__)


def load(conn: Connection, workbook: str) -> LedgerState:
    """Everything the ledger holds for one workbook.

    Rows come as tuples in dataclass field order, unpacked straight into the
    dataclasses (no per-row mapping and dict): at 100k lines this is a good
    part of what a pass spends before it reads the workbook. The big tables
    come straight from the driver (see `_driver_rows`).
    """
    s = LedgerState(workbook)
    t = schema
    for r in conn.execute(_columns(t.stock, _STOCK_COLUMNS).where(t.stock.c.workbook == workbook)):
        s.stock[(r[0], r[1])] = StockState(*r)
    c = t.reservations.c
    for line_key, sku_key, location_key, quantity in _driver_rows(
        conn, select(c.line_key, c.sku_key, c.location_key, c.quantity).where(c.workbook == workbook)
    ):
        s.reservations.setdefault(line_key, (sku_key, {}))[1][location_key] = quantity
    s.moves = {r[0] for r in _driver_rows(conn, select(t.moves.c.move_key).where(t.moves.c.workbook == workbook))}
    c = t.approvals.c
    for order_key, by, at in conn.execute(select(c.order_key, c.by, c.at).where(c.workbook == workbook)):
        s.approvals[order_key] = (by, at)
    s.flags = load_flags(conn, workbook)
    c = t.fills.c
    for sheet, anchor, column, original in conn.execute(
        select(c.sheet, c.anchor, c.column, c.original).where(c.workbook == workbook)
    ):
        s.fills[(sheet, anchor, column)] = original
    s.last_pass = load_pass(conn, workbook)
    s.lines = _load_lines(conn, workbook)
    return s


def _load_lines(conn: Connection, workbook: str) -> dict[str, LineState]:
    lines = {}
    rows = _driver_rows(conn, _columns(schema.lines, _LINE_COLUMNS).where(schema.lines.c.workbook == workbook))
    for k, order_key, order_id, row, content_hash, content, status, invoice_no, present, invoiced, shipped, returned in rows:
        # SQLite's driver gives a boolean as 0/1
        lines[k] = LineState(
            k, order_key, order_id, row, content_hash, content, status, invoice_no, bool(present), invoiced, shipped, returned
        )
    return lines


def _driver_rows(conn: Connection, statement: Select) -> list[tuple]:
    """The rows of `statement` as the database driver returns them: plain tuples, without
    SQLAlchemy's work per row (a Row object, type processing), which at 100k lines costs
    a third as much again as the fetch itself. Values are as the driver gives them, so only
    for columns whose Python type does not depend on SQLAlchemy (booleans: convert them).

    The statement runs on the connection's own driver connection, inside its transaction
    (begun here if no statement has begun it yet, as SQLAlchemy would at its first statement).
    """
    if not conn.in_transaction():
        conn.begin()
    compiled = statement.compile(dialect=conn.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def load_pass(conn: Connection, workbook: str) -> PassState:
    """What the last pass over the workbook read and wrote (empty if none): all a no-change pass needs."""
    t = schema.passes
    p = conn.execute(select(t).where(t.c.workbook == workbook)).mappings().first()
    if p is None:
        return PassState()
    return PassState(p["read_sha"], p["written_sha"], bool(p["write_pending"]), p["at"], p["result"])


@dataclass(frozen=True)
class PassSummary:
    """What a no-change pass reports: the open flags and the status counts of the lines present."""

    flags: tuple[FlagState, ...]
    statuses: dict[str, int]

    def as_json(self) -> str:
        return json.dumps(
            {"statuses": self.statuses, "flags": [[getattr(f, k) for k in _FLAG_COLUMNS] for f in self.flags]},
            ensure_ascii=False, separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> PassSummary:
        data = json.loads(text)
        return cls(tuple(FlagState(*f) for f in data["flags"]), data["statuses"])


def summarise(conn: Connection, workbook: str) -> PassSummary:
    """The summary as the tables hold it now (at 100k lines the status count alone is a 10-15 ms index scan)."""
    return PassSummary(tuple(load_flags(conn, workbook).values()), status_counts(conn, workbook))


@dataclass(frozen=True)
class LastWrite:
    """What the last pass left in the file: its SHA-256, and the summary it stored (JSON, parsed only when needed)."""

    sha: str | None = None
    summary_json: str | None = None

    def summary(self, conn: Connection, workbook: str) -> PassSummary:
        """The stored summary; without one (an older ledger, or events since) what the tables hold."""
        return PassSummary.from_json(self.summary_json) if self.summary_json else summarise(conn, workbook)


_LAST_WRITE = text("SELECT written_sha, summary FROM passes WHERE workbook = :workbook")


def load_last_write(conn: Connection, workbook: str) -> LastWrite:
    """All a no-change pass reads: one row. (A plain text statement: a fresh process
    would otherwise spend a millisecond compiling a `select`.)"""
    row = conn.execute(_LAST_WRITE, {"workbook": workbook}).first()
    return LastWrite() if row is None else LastWrite(row[0], row[1])


def load_flags(conn: Connection, workbook: str) -> dict[tuple[str, str, str, str], FlagState]:
    """The open flags, by primary key."""
    t = schema.flags
    flags = {}
    for r in conn.execute(_columns(t, _FLAG_COLUMNS).where(t.c.workbook == workbook)):
        f = FlagState(*r)
        flags[f.pk] = f
    return flags


def status_counts(conn: Connection, workbook: str) -> dict[str, int]:
    """How many lines present on the sheet have each status."""
    t = schema.lines
    query = (
        select(t.c.status, func.count())
        .where(t.c.workbook == workbook, t.c.present == true())
        .group_by(t.c.status)
        .order_by(t.c.status)
    )
    return {status: n for status, n in conn.execute(query)}


# --- writing state (always inside a Tx, next to the events that explain it) ------
#
# Each statement is built once, with bound parameters, and executed with a dict
# of values: SQLAlchemy compiles it once and reuses it. (Building a statement
# with `.values(...)` per row costs ~100 us of Python each; a first sync at 100k
# lines writes a few hundred thousand rows.) Names of the WHERE parameters start
# with `w_`, so they never clash with the columns being set.

def _where(table: Table, *names: str):
    return [table.c[n] == bindparam(f"w_{n}") for n in names]


_lines, _stock, _reservations, _flags, _fills, _passes = (
    schema.lines, schema.stock, schema.reservations, schema.flags, schema.fills, schema.passes,
)
_INSERT_LINE = insert(_lines)
_UPDATE_LINE = update(_lines).where(*_where(_lines, "workbook", "line_key"))
_INSERT_STOCK = insert(_stock)
_UPDATE_STOCK = update(_stock).where(*_where(_stock, "workbook", "sku_key", "location_key"))
_DELETE_RESERVATIONS = delete(_reservations).where(*_where(_reservations, "workbook", "line_key"))
_INSERT_RESERVATION = insert(_reservations)
_INSERT_MOVE = insert(schema.moves)
_INSERT_APPROVAL = insert(schema.approvals)
_INSERT_FLAG = insert(_flags)
_FLAG_KEY = ("workbook", "sheet", "anchor", "column", "code")
_UPDATE_FLAG = update(_flags).where(*_where(_flags, *_FLAG_KEY))
_DELETE_FLAG = delete(_flags).where(*_where(_flags, *_FLAG_KEY))
_DELETE_FILL = delete(_fills).where(*_where(_fills, "workbook", "sheet", "anchor", "column"))
_INSERT_FILL = insert(_fills)
_UPDATE_PASS = update(_passes).where(*_where(_passes, "workbook"))
_INSERT_PASS = insert(_passes)


def put_line(conn: Connection, workbook: str, line: LineState, *, new: bool) -> None:
    values = {k: getattr(line, k) for k in _LINE_COLUMNS}
    if new:
        conn.execute(_INSERT_LINE, {"workbook": workbook, **values})
    else:
        conn.execute(_UPDATE_LINE, {"w_workbook": workbook, "w_line_key": line.line_key, **values})


def put_lines(conn: Connection, workbook: str, lines: list[LineState], *, new: bool) -> None:
    """`put_line` for many lines in one executemany: a first sync records every line."""
    if not lines:
        return
    if new:
        conn.execute(_INSERT_LINE, [{"workbook": workbook, **{k: getattr(x, k) for k in _LINE_COLUMNS}} for x in lines])
    else:
        conn.execute(
            _UPDATE_LINE,
            [{"w_workbook": workbook, "w_line_key": x.line_key, **{k: getattr(x, k) for k in _LINE_COLUMNS}} for x in lines],
        )


def put_stock(conn: Connection, workbook: str, s: StockState, *, new: bool) -> None:
    values = {k: getattr(s, k) for k in _STOCK_COLUMNS}
    if new:
        conn.execute(_INSERT_STOCK, {"workbook": workbook, **values})
    else:
        conn.execute(
            _UPDATE_STOCK, {"w_workbook": workbook, "w_sku_key": s.sku_key, "w_location_key": s.location_key, **values}
        )


def set_reservations(conn: Connection, workbook: str, line_key: str, sku_key: str, by_location: dict[str, int]) -> None:
    conn.execute(_DELETE_RESERVATIONS, {"w_workbook": workbook, "w_line_key": line_key})
    for location_key, quantity in by_location.items():
        conn.execute(
            _INSERT_RESERVATION,
            {"workbook": workbook, "line_key": line_key, "sku_key": sku_key, "location_key": location_key, "quantity": quantity},
        )


def add_move(conn: Connection, workbook: str, move_key: str, seq: int) -> None:
    conn.execute(_INSERT_MOVE, {"workbook": workbook, "move_key": move_key, "seq": seq})


def add_approval(conn: Connection, workbook: str, order_key: str, by: str, at: str) -> None:
    conn.execute(_INSERT_APPROVAL, {"workbook": workbook, "order_key": order_key, "by": by, "at": at})


def _flag_key(workbook: str, f: FlagState) -> dict[str, str]:
    return {"w_workbook": workbook, "w_sheet": f.sheet, "w_anchor": f.anchor, "w_column": f.column, "w_code": f.code}


def put_flag(conn: Connection, workbook: str, f: FlagState, *, new: bool) -> None:
    if new:
        conn.execute(_INSERT_FLAG, {"workbook": workbook, **{k: getattr(f, k) for k in _FLAG_COLUMNS}})
    else:
        conn.execute(_UPDATE_FLAG, {**_flag_key(workbook, f), "row": f.row, "severity": f.severity, "message": f.message})


def drop_flag(conn: Connection, workbook: str, f: FlagState) -> None:
    conn.execute(_DELETE_FLAG, _flag_key(workbook, f))


def _fill_key(workbook: str, cell: tuple[str, str, str]) -> dict[str, str]:
    return {"w_workbook": workbook, "w_sheet": cell[0], "w_anchor": cell[1], "w_column": cell[2]}


def put_fill(conn: Connection, workbook: str, cell: tuple[str, str, str], original: str | None) -> None:
    conn.execute(_DELETE_FILL, _fill_key(workbook, cell))
    conn.execute(
        _INSERT_FILL, {"workbook": workbook, "sheet": cell[0], "anchor": cell[1], "column": cell[2], "original": original}
    )


def drop_fill(conn: Connection, workbook: str, cell: tuple[str, str, str]) -> None:
    conn.execute(_DELETE_FILL, _fill_key(workbook, cell))


def put_pass(conn: Connection, workbook: str, p: PassState, summary: PassSummary | None = None) -> None:
    """Record a pass; `summary` only from the pass that wrote the file (any other write forgets the old one)."""
    values = {"read_sha": p.read_sha, "written_sha": p.written_sha, "write_pending": p.write_pending, "at": p.at,
              "result": p.result, "summary": summary.as_json() if summary is not None else None}
    updated = conn.execute(_UPDATE_PASS, {"w_workbook": workbook, **values})
    if updated.rowcount == 0:
        conn.execute(_INSERT_PASS, {"workbook": workbook, **values})
