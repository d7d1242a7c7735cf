"""Flags: problems in the data, as values that travel back to the exact cell.

A flag never raises and never drops a row; it names the sheet, the row number a
person sees in Excel, and the column header, so a writer can colour that cell.
Codes are stable identifiers (the contract); messages are for people and may change.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from rules.construct import trusted


class Severity(StrEnum):
    """`error` blocks the order; `warning` asks a person to look."""

    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Stable flag codes. Never rename one: sheets, ledgers and scripts key on them."""

    # Contract codes (SPEC §2).
    MISSING_FIELD = "missing_field"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_SKU = "unknown_sku"
    INACTIVE_SKU = "inactive_sku"
    INVALID_QUANTITY = "invalid_quantity"
    PRICE_MISMATCH = "price_mismatch"
    INVALID_DISCOUNT = "invalid_discount"
    INVALID_DATE = "invalid_date"
    CARD_EXPIRED = "card_expired"
    CARD_NUMBER_EXPOSED = "card_number_exposed"
    INVALID_ADDRESS = "invalid_address"
    INVALID_VAT_ID = "invalid_vat_id"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    INSUFFICIENT_STOCK = "insufficient_stock"
    DUPLICATE_ORDER = "duplicate_order"
    CONFLICTING_ORDER = "conflicting_order"
    DUPLICATE_KEY = "duplicate_key"
    CHANGED_AFTER_INVOICE = "changed_after_invoice"
    STOCK_MISMATCH = "stock_mismatch"
    PAYMENT_MISMATCH = "payment_mismatch"
    OVERDUE_INVOICE = "overdue_invoice"
    # sheetclerk's own additions.
    INVALID_VALUE = "invalid_value"
    UNKNOWN_SHIP_METHOD = "unknown_ship_method"
    UNKNOWN_PAYMENT_METHOD = "unknown_payment_method"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_ORDER = "unknown_order"
    UNKNOWN_LOCATION = "unknown_location"
    INVALID_EMAIL = "invalid_email"
    ROW_REMOVED = "row_removed"
    ACTION_REFUSED = "action_refused"
    INTERNAL_ERROR = "internal_error"


#: The severity each code always carries; one table instead of a choice per call site.
SEVERITY: dict[Code, Severity] = {
    Code.MISSING_FIELD: Severity.ERROR,
    Code.UNKNOWN_CUSTOMER: Severity.ERROR,
    Code.UNKNOWN_SKU: Severity.ERROR,
    Code.INACTIVE_SKU: Severity.ERROR,
    Code.INVALID_QUANTITY: Severity.ERROR,
    Code.PRICE_MISMATCH: Severity.ERROR,
    Code.INVALID_DISCOUNT: Severity.ERROR,
    Code.INVALID_DATE: Severity.ERROR,
    Code.CARD_EXPIRED: Severity.ERROR,
    Code.CARD_NUMBER_EXPOSED: Severity.ERROR,
    Code.INVALID_ADDRESS: Severity.ERROR,
    Code.INVALID_VAT_ID: Severity.WARNING,
    Code.CREDIT_LIMIT_EXCEEDED: Severity.WARNING,
    Code.INSUFFICIENT_STOCK: Severity.WARNING,
    Code.DUPLICATE_ORDER: Severity.WARNING,
    Code.CONFLICTING_ORDER: Severity.ERROR,
    Code.DUPLICATE_KEY: Severity.ERROR,
    Code.CHANGED_AFTER_INVOICE: Severity.ERROR,
    Code.STOCK_MISMATCH: Severity.WARNING,
    Code.PAYMENT_MISMATCH: Severity.WARNING,
    Code.OVERDUE_INVOICE: Severity.WARNING,
    Code.INVALID_VALUE: Severity.ERROR,
    Code.UNKNOWN_SHIP_METHOD: Severity.ERROR,
    Code.UNKNOWN_PAYMENT_METHOD: Severity.ERROR,
    Code.UNKNOWN_ACTION: Severity.WARNING,
    Code.UNKNOWN_ORDER: Severity.ERROR,
    Code.UNKNOWN_LOCATION: Severity.ERROR,
    Code.INVALID_EMAIL: Severity.WARNING,
    Code.ROW_REMOVED: Severity.WARNING,
    Code.ACTION_REFUSED: Severity.WARNING,
    Code.INTERNAL_ERROR: Severity.ERROR,
}


class Flag(BaseModel):
    """One problem on one cell (or a whole row when `column` is empty)."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    """Sheet name as the workbook spells it."""
    row: int | None
    """1-based row number as shown in Excel; None for a problem with the whole sheet."""
    column: str
    """Header text of the cell's column as the workbook spells it; empty for a whole row."""
    code: Code
    severity: Severity
    message: str
    """Plain words for a clerk: the value found and what was expected."""

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of SPEC §3."""
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code.value,
            "severity": self.severity.value,
            "message": self.message,
        }


def flag(sheet: str, row: int | None, column: str, code: Code, message: str) -> Flag:
    """Build a flag with the severity its code always has.

    Built without re-validation: every argument is already typed here, and a
    large sheet can raise flags by the hundred thousand.
    """
    return trusted(
        Flag, {"sheet": sheet, "row": row, "column": column, "code": code, "severity": SEVERITY[code], "message": message}
    )


_SEVERITY_RANK = {Severity.ERROR.value: 0, Severity.WARNING.value: 1}


def check_text(flags: Iterable) -> str | None:
    """A row's open flags as the one short text its Check cell shows: errors first, each in plain words.

    Takes `Flag`s or anything with the same `severity`, `column`, `code` and
    `message` (the ledger's open flags), so the sync pass and the Excel
    functions write the very same text.
    """
    ordered = sorted(flags, key=lambda f: (_SEVERITY_RANK.get(f.severity, 2), f.column, f.code))
    if not ordered:
        return None
    return " • ".join(("✖ " if f.severity == Severity.ERROR.value else "▲ ") + f.message for f in ordered)
