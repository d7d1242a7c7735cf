"""`check`: read a workbook, run every rule, and report the flags. Writes nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rules.checks import Evaluation, evaluate
from rules.flags import Flag, Severity
from rules.intake import DeskIntake
from rules.models import Desk
from rules.orders import group_orders
from rules.policy import Policy
from rules.schema import SHEET_ORDER, SHEETS
from rules.table import RawTable
from sync.gc_pause import collector_paused
from sync.xlsx_reader import read_workbook


@dataclass(frozen=True)
class CheckReport:
    workbook: Path
    desk: Desk
    evaluation: Evaluation
    flags: tuple[Flag, ...]
    """Sorted by sheet (workbook order), row, column; headers spelled as in the workbook."""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.flags if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.flags if f.severity is Severity.WARNING)

    def summary(self) -> dict[str, object]:
        statuses = Counter(self.evaluation.statuses.values())
        return {
            "orders": len(group_orders(self.desk.lines)),
            "lines": len(self.desk.lines),
            "products": len(self.desk.products),
            "customers": len(self.desk.customers),
            "errors": self.errors,
            "warnings": self.warnings,
            "flagged_rows": len({(f.sheet, f.row) for f in self.flags}),
            "by_code": dict(sorted(Counter(f.code.value for f in self.flags).items())),
            "by_status": {s: statuses[s] for s in sorted(statuses)},
        }

    def as_json(self) -> dict[str, object]:
        return {
            "workbook": str(self.workbook),
            "flags": [f.as_dict() for f in self.flags],
            "summary": self.summary(),
        }




def _in_workbook_spelling(flags: list[Flag], tables: dict[str, RawTable]) -> tuple[Flag, ...]:
    """Name sheets and columns as the workbook spells them, and sort for reading."""
    spelling: dict[tuple[str, str], str] = {}
    sheet_names: dict[str, str] = {}
    for spec in SHEETS:
        table = tables.get(spec.name)
        if table is None:
            continue
        sheet_names[spec.name] = table.sheet
        for canonical, actual in table.header_text(spec).items():
            spelling[(spec.name, canonical)] = actual
    out = []
    for f in flags:
        sheet = sheet_names.get(f.sheet, f.sheet)
        column = spelling.get((f.sheet, f.column), f.column)
        if sheet != f.sheet or column != f.column:
            f = f.model_copy(update={"sheet": sheet, "column": column})
        out.append(f)
    order = {table.sheet: SHEET_ORDER.get(name, len(SHEET_ORDER)) for name, table in tables.items()}
    out.sort(key=lambda f: (order.get(f.sheet, 99), f.row or 0, f.column, f.code.value))
    return tuple(out)


def check_tables(
    tables: dict[str, RawTable], policy: Policy, workbook: Path, intake: DeskIntake | None = None
) -> CheckReport:
    """Validate already-read tables (the part shared by every workbook source).

    `intake` may already hold some of the tables, read while the others loaded.
    The raw cells are let go once intake has turned them into records; only the
    headers are kept, to name columns as the workbook spells them.
    """
    with collector_paused(freeze=True):
        desk, intake_flags = (intake or DeskIntake(policy.day_first)).desk(tables)
        headers = {name: RawTable(t.sheet, t.headers) for name, t in tables.items()}
        del tables
        evaluation = evaluate(desk, policy, intake_flags)
        return CheckReport(workbook, desk, evaluation, _in_workbook_spelling(list(evaluation.flags), headers))


def check_workbook(path: Path | str, policy: Policy) -> CheckReport:
    """Read and validate a workbook file; raises WorkbookUnreadable if it cannot be read."""
    path = Path(path)
    with collector_paused(freeze=True):
        intake = DeskIntake(policy.day_first)  # reads the small sheets while Orders loads
        return check_tables(read_workbook(path, as_read=intake.add), policy, path, intake)
