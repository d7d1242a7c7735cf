"""A desk with three days of real history, for the timeline, manifest and report tests.

The starter workbook walked through the real sync pass (clerk's saves with openpyxl, each dated by
the file's modification time, which is what a pass stamps its events with):

Day 1, 2026-11-20 08:30 UTC: the first pass. SO-1001 and SO-1003 are invoiced by their Action = Invoice;
  the Payments sheet's PAY-0001 and PAY-0002 pay both invoices.
Day 2, 2026-11-21 09:15: SO-1001 (clerk typed a Tracking No) and SO-1003 ship (Action = Ship, DHL Paket);
  SO-1002 (Greek customer), SO-1006 (Japanese customer) and SO-1011 are invoiced. 14:30: SO-1002 ships
  (DHL Paket, SSCC) and SO-1006 (Express: DHL Express); RMA-0001 brings back SO-1002's damaged dripper.
  The clerk changes On Hand of KB-DEC-250 by hand (a stock count).
Day 3, 2026-11-22 11:05: SO-1001 is delivered, SO-1011 is cancelled (credit note), PAY-0003 pays part
  of SO-1006's invoice; the end-of-day reconcile reviews the stock count.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

import pytest

from sync.config import load_settings
from sync.documents import registry
from sync.ledger import Ledger
from helpers import clerk_saves
from sync.pipeline import run_pass
from sync.reconcile import reconcile

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "workbooks" / "orders.xlsx"

DAY1, DAY2, DAY3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
TRACKING_1001 = "00340434161094042557"


save = clerk_saves



@dataclass(frozen=True)
class Desk:
    path: Path
    workbook: str
    data_dir: Path
    documents: dict[str, registry.Issued]
    """number -> document."""

    def of(self, order_id: str, kind: str) -> list[registry.Issued]:
        return [d for d in self.documents.values() if d.document.order_id == order_id and d.kind.value == kind]


def build_desk(folder: Path) -> Desk:
    folder.mkdir(parents=True)
    path = folder / "orders.xlsx"
    shutil.copy2(STARTER, path)
    shutil.copy2(STARTER.with_name("sheetclerk.toml"), folder / "sheetclerk.toml")
    settings = load_settings(path)
    ledger = Ledger.for_workbook(path, settings)
    try:
        def sync(at: str, changes=None) -> None:
            save(path, at, changes)
            run_pass(path, settings, ledger=ledger)

        sync("2026-11-20T08:30:00Z")
        sync("2026-11-21T09:15:00Z", {"Orders": {
            (2, "Action"): "Ship", (3, "Action"): "Ship", (2, "Tracking No"): TRACKING_1001,
            (6, "Action"): "Ship", (7, "Action"): "Ship",
            (4, "Action"): "Invoice", (5, "Action"): "Invoice", (11, "Action"): "Invoice",
            (18, "Action"): "Invoice", (19, "Action"): "Invoice",
        }})
        sync("2026-11-21T14:30:00Z", {
            "Orders": {(4, "Action"): "Ship", (5, "Action"): "Ship", (11, "Action"): "Ship"},
            "Inventory": {(6, "On Hand"): 38},
        })
        save(path, "2026-11-22T11:05:00Z", {
            "Orders": {(2, "Action"): "Deliver", (3, "Action"): "Deliver", (18, "Action"): "Cancel", (19, "Action"): "Cancel"},
            "Payments": {(4, "Payment ID"): "PAY-0003", (4, "Date"): DAY3, (4, "Invoice No"): "INV-2026-00004",
                         (4, "Amount"): 100, (4, "Method"): "Bank Transfer"},
        })
        reconcile(path, settings, ledger=ledger)
        with ledger.read() as conn:
            documents = {d.number: d for d in registry.all_documents(conn)}
    finally:
        ledger.close()
    return Desk(path, str(path.resolve()), folder / "sheetclerk-data", documents)


@pytest.fixture(scope="session")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The three-day desk, built once per test process; tests read its ledger and add report files only."""
    return build_desk(tmp_path_factory.mktemp("reports") / "desk")


__all__ = ["DAY1", "DAY2", "DAY3", "Desk", "TRACKING_1001", "build_desk", "UTC"]
