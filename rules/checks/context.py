"""What the row rules may look up: the desk's reference data, indexed once per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from rules import address
from rules.cells import key
from rules.models import Customer, Desk, Order, OrderLine, Product
from rules.orders import group_orders, settled_statuses
from rules.policy import Policy, ShippingMethod
from rules.pricing import OrderTotals, Pricer
from rules.tax_treatment import TREATMENTS, Kind, Treatment, treatment_for


@dataclass(frozen=True, slots=True)
class Context:
    policy: Policy
    desk: Desk
    products: dict[str, Product]
    """By SKU key; the first row wins when a SKU is listed twice (the second is flagged)."""
    customers: dict[str, Customer]
    orders: dict[str, Order]
    """By Order ID key."""
    acting: tuple[OrderLine, ...]
    """The Orders lines whose Action says something, in sheet order (a few among many)."""
    locations: frozenset[str]
    """Location keys known from Inventory."""
    address_problems: dict[str, tuple[tuple[str, str], ...]]
    """By customer key: (header, message) for each address fault."""
    approved_orders: frozenset[str]
    """Order keys a manager approved (ledger, or Action = Approve): their price
    differences, duplicate and credit warnings are accepted."""
    settled_orders: dict[str, str]
    """Order key -> the status that settled it, for orders already invoiced, shipped or
    closed: history, not re-verified. Worked out once per run (`settled_statuses`)."""
    pricer: Pricer
    _totals: dict[str, OrderTotals | None] = field(default_factory=dict)
    _shipping: dict[str | None, tuple[str, ShippingMethod] | None] = field(default_factory=dict)

    def shipping_method(self, name: str | None) -> tuple[str, ShippingMethod] | None:
        """`policy.shipping_method`, remembered per spelling: 100k lines use a handful."""
        try:
            return self._shipping[name]
        except KeyError:
            found = self._shipping[name] = self.policy.shipping_method(name)
            return found

    def treatment(self, customer: Customer | None) -> Treatment:
        """How the sale to this customer is taxed (standard for an unknown customer)."""
        if customer is None:
            return TREATMENTS[Kind.STANDARD]
        return treatment_for(self.policy.seller_country, customer.country, customer.vat_id)

    def totals(self, order: Order) -> OrderTotals | None:
        """The order's totals with its shipping charge, or None if a line cannot be priced."""
        try:
            return self._totals[order.order_key]
        except KeyError:
            totals = self.pricer.order(order.lines, *self._pricing_terms(order))
            self._totals[order.order_key] = totals
            return totals

    def gross(self, order: Order) -> Decimal | None:
        """`totals(order).gross`, without building the totals when they are not there yet."""
        totals = self._totals.get(order.order_key)
        if totals is not None:
            return totals.gross
        return self.pricer.gross(order.lines, *self._pricing_terms(order))

    def _pricing_terms(self, order: Order) -> tuple[tuple[str, ShippingMethod] | None, bool]:
        """(shipping method, whether tax is charged): what an order's totals depend on besides its lines."""
        first = order.first
        customer = self.customers.get(first.customer_key) if first.customer_key else None
        return self.shipping_method(first.ship_method), self.treatment(customer).charges_tax


def _first_by_key(records, attr: str) -> dict:
    out: dict = {}
    for r in records:
        k = key(getattr(r, attr))
        if k is not None:
            out.setdefault(k, r)
    return out


def build_context(desk: Desk, policy: Policy) -> Context:
    customers = _first_by_key(desk.customers, "customer_id")
    products = _first_by_key(desk.products, "sku")
    orders = {o.order_key: o for o in group_orders(desk.lines)}
    acting = tuple(filter(attrgetter("action"), desk.lines))  # lines whose Action is not empty
    approving = frozenset(line.order_key for line in acting if line.action == "Approve" and line.order_key is not None)
    return Context(
        policy=policy,
        desk=desk,
        products=products,
        customers=customers,
        orders=orders,
        acting=acting,
        locations=frozenset(k for s in desk.stock if (k := key(s.location)) is not None),
        address_problems={
            k: address.problems(c.address, c.city, c.postal_code, c.country) for k, c in customers.items()
        },
        approved_orders=policy.approved_orders | approving,
        settled_orders=settled_statuses(orders.values()),
        pricer=Pricer(products, policy.rounding),
    )
