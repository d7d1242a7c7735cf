"""The workbook contract (SPEC §1) as data: sheets, their columns, who writes them.

Columns are found by header text, never by position. Headers match after
`header_key` folds case and drops spaces, underscores, `%` and parentheses, so
"Discount %", "discount" and "DISCOUNT_%" are one column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_HEADER_NOISE = re.compile(r"[\s_%()\u00a0]+")


def header_key(text: object) -> str:
    """Fold a header cell to the key columns are matched by."""
    if text is None:
        return ""
    return _HEADER_NOISE.sub("", str(text)).casefold()


class Writer(StrEnum):
    CLERK = "clerk"
    SHEETCLERK = "sheetclerk"
    EITHER = "either"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    """The header the starter workbook uses."""
    writer: Writer = Writer.CLERK
    required_header: bool = False
    """The sheet is unusable without this column (a clear error, exit code 2)."""
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return (header_key(self.header), *(header_key(a) for a in self.aliases))


@dataclass(frozen=True, slots=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    required: bool
    """A required sheet must exist; an optional one that is missing reads as empty."""

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)


S = Writer.SHEETCLERK

ORDERS = SheetSpec(
    "Orders",
    (
        Column("Order ID", required_header=True),
        Column("Order Date", required_header=True),
        Column("Customer ID", required_header=True),
        Column("SKU", required_header=True),
        Column("Quantity", required_header=True, aliases=("Qty",)),
        Column("Unit Price"),
        Column("Discount %", aliases=("Discount",)),
        Column("Ship By"),
        Column("Ship Method"),
        Column("Payment Method"),
        Column("Card Expiry"),
        Column("Action"),
        Column("Notes"),
        Column("Line Total", S),
        Column("Status", S),
        Column("Check", S),
        Column("Invoice No", S),
        Column("Tracking No", Writer.EITHER),
    ),
    required=True,
)

PRODUCTS = SheetSpec(
    "Products",
    (
        Column("SKU", required_header=True),
        Column("Description", required_header=True),
        Column("Unit Price", required_header=True),
        Column("Tax Rate", required_header=True),
        Column("Pack Size"),
        Column("Weight (kg)", aliases=("Weight",)),
        Column("Active"),
    ),
    required=True,
)

CUSTOMERS = SheetSpec(
    "Customers",
    (
        Column("Customer ID", required_header=True),
        Column("Name", required_header=True),
        Column("Email"),
        Column("Address", required_header=True),
        Column("City", required_header=True),
        Column("Postal Code", required_header=True),
        Column("Country", required_header=True),
        Column("VAT ID"),
        Column("Credit Limit"),
        Column("Payment Terms (days)", aliases=("Payment Terms",)),
    ),
    required=True,
)

INVENTORY = SheetSpec(
    "Inventory",
    (
        Column("SKU", required_header=True),
        Column("Location", required_header=True),
        Column("On Hand", required_header=True),
        Column("Reorder Point"),
        Column("Reorder Qty"),
        Column("Reserved", S),
        Column("Available", S),
    ),
    required=True,
)

STOCK_MOVES = SheetSpec(
    "Stock Moves",
    (
        Column("Date", required_header=True),
        Column("SKU", required_header=True),
        Column("Location", required_header=True),
        Column("Quantity", required_header=True, aliases=("Qty",)),
        Column("Reason"),
        Column("Reference"),
        Column("Status", S),
    ),
    required=False,
)

PAYMENTS = SheetSpec(
    "Payments",
    (
        Column("Payment ID", required_header=True),
        Column("Date", required_header=True),
        Column("Invoice No", required_header=True),
        Column("Amount", required_header=True),
        Column("Method"),
        Column("Reference"),
    ),
    required=False,
)

RETURNS = SheetSpec(
    "Returns",
    (
        Column("RMA ID", required_header=True),
        Column("Order ID", required_header=True),
        Column("SKU", required_header=True),
        Column("Quantity", required_header=True, aliases=("Qty",)),
        Column("Reason"),
        Column("Condition"),
        Column("Resolution"),
        Column("Status", S),
        Column("Credit Note No", S),
    ),
    required=False,
)

REVIEW = SheetSpec(
    "Review",
    (
        Column("Sheet", S),
        Column("Row", S),
        Column("Column", S),
        Column("Code", S),
        Column("Severity", S),
        Column("Message", S),
        Column("Since", S),
    ),
    required=False,
)

#: Every sheet sheetclerk reads, in the order the starter workbook shows them.
SHEETS: tuple[SheetSpec, ...] = (
    ORDERS,
    PRODUCTS,
    CUSTOMERS,
    INVENTORY,
    STOCK_MOVES,
    PAYMENTS,
    RETURNS,
    REVIEW,
)

def column_keys(sheet: str, header: str) -> tuple[str, ...]:
    """Every header key a column may be found under: a spec column's aliases count too."""
    folded, wanted = sheet.strip().casefold(), header_key(header)
    for spec in SHEETS:
        if spec.name.casefold() == folded:
            for column in spec.columns:
                if wanted in column.keys:
                    return column.keys
    return (wanted,)


#: Sheet name -> its place in the workbook, for listing flags in the order a person reads the sheets.
SHEET_ORDER: dict[str, int] = {spec.name: i for i, spec in enumerate(SHEETS)}


def flag_order(sheet: str, row: int | None, column: str, code: str) -> tuple[int, str, int, str, str]:
    """Sort key for flags: sheets in workbook order, then row, column and code."""
    return (SHEET_ORDER.get(sheet, len(SHEET_ORDER)), sheet, row or 0, column, code)


#: The sheets whose rows are input (Review is sheetclerk's output only).
INPUT_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in SHEETS if s is not REVIEW)

ACTIONS: tuple[str, ...] = ("Invoice", "Ship", "Cancel", "Approve", "Hold", "Deliver")
PAYMENT_METHODS: tuple[str, ...] = ("Card", "Invoice", "Bank Transfer", "Cash")
STATUSES: tuple[str, ...] = (
    "New",
    "Verified",
    "On hold",
    "Backordered",
    "Invoiced",
    "Shipped",
    "Delivered",
    "Cancelled",
    "Returned",
)
CONDITIONS: tuple[str, ...] = ("Resellable", "Damaged")
RESOLUTIONS: tuple[str, ...] = ("Refund", "Credit", "Exchange")
STOCK_MOVE_REASONS: tuple[str, ...] = ("Receipt", "Count", "Damage", "Transfer", "Other")
