"""Which VAT treatment a sale gets: charged as usual, reverse charge, or exempt export.

Decided per order from the seller's country (settings) and the buyer's country
and VAT ID (Customers), by one table. An EU business selling goods to a business
in another member state with a valid VAT ID invoices without VAT and says
"Reverse charge" (Directive 2006/112/EC Art. 138 and 226(11a)); goods leaving
the EU are exempt exports (Art. 146). Everything else is charged at the
product's rate. A seller with no country configured charges every sale.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from stdnum.eu import vat as eu_vat

from rules import vat

EU = frozenset(c.upper() for c in eu_vat.MEMBER_STATES if c != "el") | {"GR"}
"""EU member states, ISO 3166 codes (stdnum lists Greece as `el`)."""


class Kind(StrEnum):
    STANDARD = "standard"
    REVERSE_CHARGE = "reverse_charge"
    EXPORT = "export"


class Treatment(NamedTuple):
    kind: Kind
    charges_tax: bool
    wording: str
    """Printed on the invoice and credit note; empty when nothing needs saying."""


TREATMENTS: dict[Kind, Treatment] = {
    Kind.STANDARD: Treatment(Kind.STANDARD, True, ""),
    Kind.REVERSE_CHARGE: Treatment(
        Kind.REVERSE_CHARGE,
        False,
        "Reverse charge: intra-Community supply of goods, exempt under Art. 138 Directive 2006/112/EC. "
        "VAT is to be accounted for by the recipient.",
    ),
    Kind.EXPORT: Treatment(
        Kind.EXPORT, False, "Export delivery of goods outside the EU, exempt from VAT under Art. 146 Directive 2006/112/EC."
    ),
}

#: (seller in the EU, buyer in the EU, same country, buyer has a valid VAT ID) -> treatment; None = any.
RULES: tuple[tuple[tuple[bool | None, bool | None, bool | None, bool | None], Kind], ...] = (
    ((True, True, False, True), Kind.REVERSE_CHARGE),
    ((True, False, False, None), Kind.EXPORT),
)


@lru_cache(maxsize=4096)
def treatment_for(seller_country: str, buyer_country: str | None, buyer_vat_id: str | None) -> Treatment:
    """The treatment of a sale; standard whenever a country is unknown."""
    seller = (seller_country or "").strip().upper()
    buyer = (buyer_country or "").strip().upper()
    if not seller or not buyer:
        return TREATMENTS[Kind.STANDARD]
    has_vat = bool(buyer_vat_id and buyer_vat_id.strip()) and vat.check(buyer_vat_id, buyer) is None
    facts = (seller in EU, buyer in EU, seller == buyer, has_vat)
    for pattern, kind in RULES:
        if all(p is None or p == f for p, f in zip(pattern, facts)):
            return TREATMENTS[kind]
    return TREATMENTS[Kind.STANDARD]
