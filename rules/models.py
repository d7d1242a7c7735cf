"""The domain records, one per workbook row, immutable and remembering their row.

A field is None when its cell was blank *or unreadable*; intake has already
flagged an unreadable cell, and `unreadable` lists those columns so later rules
neither repeat the complaint nor call the cell missing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int
    """1-based row number in its sheet, as Excel shows it."""
    unreadable: frozenset[str] = frozenset()
    """Headers of cells that held something unreadable (already flagged)."""


class Product(Record):
    sku: str
    description: str | None = None
    unit_price: Decimal | None = None
    tax_rate: Decimal | None = None
    """Fraction: 0.19 is 19 %."""
    pack_size: int = 1
    weight_kg: Decimal | None = None
    active: bool = True


class Customer(Record):
    customer_id: str
    name: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    """ISO 3166 alpha-2, upper case."""
    vat_id: str | None = None
    credit_limit: Decimal | None = None
    """None means no limit."""
    payment_terms_days: int | None = None


class StockLevel(Record):
    sku: str
    location: str
    on_hand: int | None = None
    reorder_point: int | None = None
    reorder_qty: int | None = None


class OrderLine(Record):
    """One Orders row. Keys (`order_key`, `customer_key`, `sku_key`) are the matching forms."""

    order_id: str | None = None
    order_key: str | None = None
    order_date: date | None = None
    customer_id: str | None = None
    customer_key: str | None = None
    sku: str | None = None
    sku_key: str | None = None
    quantity: int | None = None
    unit_price: Decimal | None = None
    """As typed; None means the list price."""
    discount: Decimal = Decimal(0)
    ship_by: date | None = None
    ship_method: str | None = None
    payment_method: str | None = None
    card_expiry: tuple[int, int] | None = None
    """(year, month)."""
    action: str | None = None
    notes: str | None = None
    status: str | None = None
    invoice_no: str | None = None
    tracking_no: str | None = None
    shipped: int = 0
    """Units already shipped (known from the ledger): they need no more stock."""


class Order(BaseModel):
    """The lines that share an Order ID, in sheet order. Header facts come from the first line."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    order_key: str
    lines: tuple[OrderLine, ...]

    @property
    def first(self) -> OrderLine:
        return self.lines[0]


class StockMove(Record):
    day: date | None = None
    sku: str | None = None
    location: str | None = None
    quantity: int | None = None
    reason: str | None = None
    reference: str | None = None


class Payment(Record):
    payment_id: str | None = None
    day: date | None = None
    invoice_no: str | None = None
    amount: Decimal | None = None
    method: str | None = None
    reference: str | None = None


class Return(Record):
    rma_id: str | None = None
    order_id: str | None = None
    sku: str | None = None
    quantity: int | None = None
    reason: str | None = None
    condition: str | None = None
    resolution: str | None = None


class Desk(BaseModel):
    """The whole order desk as read from one workbook: every record, in sheet order."""

    model_config = ConfigDict(frozen=True)

    products: tuple[Product, ...] = ()
    customers: tuple[Customer, ...] = ()
    stock: tuple[StockLevel, ...] = ()
    lines: tuple[OrderLine, ...] = ()
    stock_moves: tuple[StockMove, ...] = ()
    payments: tuple[Payment, ...] = ()
    returns: tuple[Return, ...] = ()
