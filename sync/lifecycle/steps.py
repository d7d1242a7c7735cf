"""The lifecycle steps of a pass, in the order they must run.

Cancel first (a cancelled order is not invoiced or shipped in the same pass),
then invoice, ship, deliver, take returns back (they may credit invoices), and
match payments last (against invoices and the credit notes just issued).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rules.checks import Evaluation
from rules.models import Desk, Order, OrderLine
from sync.config import Settings
from sync.documents.issuing import issue_invoices
from sync.ledger.state import LedgerState
from sync.ledger.store import Tx
from sync.lifecycle.acted import Acted
from sync.lifecycle.cancelling import cancel_orders
from sync.lifecycle.payments import match_payments
from sync.lifecycle.returns import process_returns
from sync.lifecycle.shipping import deliver_orders, ship_orders


def carry_out(
    tx: Tx, state: LedgerState, desk: Desk, evaluation: Evaluation, settings: Settings, line_keys: dict[int, str], docs
) -> Acted:
    """Every step; `docs` gives `render` and the orders the command line asked to invoice (`requested`).

    The orders are the evaluation's (grouped once per pass, ~0.1 s at 100k lines); a step that only
    acts on an Action gets only the orders with a line asking for it (a few among tens of thousands).
    """
    out = Acted()
    orders = evaluation.orders_of(desk)
    asking = _asking(orders, evaluation.acting_of(desk))
    out.merge(cancel_orders(tx, state, asking.get("Cancel", ()), settings, line_keys, docs.render))
    invoiced = issue_invoices(tx, state, desk, orders, evaluation, settings, line_keys, docs.render, docs.requested)
    out.merge(Acted(invoiced.documents, invoiced.statuses, invoiced.flags))
    out.merge(ship_orders(tx, state, desk, asking.get("Ship", ()), settings, line_keys, docs.render))
    out.merge(deliver_orders(tx, state, asking.get("Deliver", ()), line_keys))
    out.merge(process_returns(tx, state, desk, orders, settings, line_keys, docs.render, list(evaluation.flags)))
    out.merge(match_payments(tx, state, desk, line_keys, docs.as_of))
    return out


def _asking(orders: Sequence[Order], acting: Sequence[OrderLine]) -> dict[str, list[Order]]:
    """Action -> the orders with a line whose Action says it, in sheet order.

    Found from the lines that have an Action (a few hundred among 100k), not by walking every order's lines.
    """
    wants: dict[str, set[str]] = defaultdict(set)  # order key -> the actions its lines ask for
    for line in acting:
        if line.action and line.order_key is not None:
            wants[line.order_key].add(line.action)
    out: dict[str, list[Order]] = defaultdict(list)
    if wants:
        for order in orders:
            for action in wants.get(order.order_key, ()):
                out[action].append(order)
    return out
