"""Building trusted records (rules/construct.py): `trusted_many` builds what `trusted` builds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rules.construct import defaults, fields_set, trusted, trusted_many
from rules.models import OrderLine, Product


def test_trusted_many_builds_what_trusted_builds() -> None:
    given = [
        {"row": 2, "order_id": "SO-1", "order_key": "so-1", "quantity": 3, "order_date": date(2026, 3, 2)},
        {"row": 3, "unit_price": Decimal("1.50"), "unreadable": frozenset({"Quantity"})},
    ]
    one_by_one = [trusted(OrderLine, values) for values in given]
    at_once = trusted_many(OrderLine, [defaults(OrderLine) | values for values in given], [fields_set(v) for v in given])
    for a, b in zip(at_once, one_by_one, strict=True):
        assert a == b
        assert list(a.__dict__.items()) == list(b.__dict__.items())
        assert a.model_fields_set == b.model_fields_set
        assert a.__pydantic_extra__ is None and a.__pydantic_private__ is None
    assert at_once[0].model_dump() == OrderLine(**given[0]).model_dump()


def test_defaults_are_a_fresh_copy() -> None:
    d = defaults(Product)
    d["sku"] = "changed"
    assert defaults(Product)["sku"] is None and list(d) == list(Product.model_fields)
