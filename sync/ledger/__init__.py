"""The ledger: an append-only, hash-chained stream of events, and the current
state derived from it, kept in SQLite (default) or PostgreSQL.

Every record remembers where it came from (workbook, sheet, row, Order ID and
line key). Nothing is ever deleted or updated in the event stream; the state
tables are updated in the same transaction as the events that change them.
"""

from sync.ledger.store import Ledger, ledger_url_for

__all__ = ["Ledger", "ledger_url_for"]
