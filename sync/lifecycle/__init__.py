"""What happens to an order after it is verified: shipping, delivery, cancellation, returns, payments.

Each step runs inside the sync pass's ledger transaction (so it is all or
nothing with the rest of the pass) and answers with an `Acted`: documents
issued, line statuses that changed, flags, and cells to write back.
"""
