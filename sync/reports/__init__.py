"""Read-only views built from the ledger: an order's timeline, the carrier manifests, the day's report.

Nothing here writes to the ledger or the workbook. Every value comes from the
ledger's events and state tables (and, for reorder points, the Inventory
sheet), so the same ledger always gives the same output — the PDFs byte for
byte.
"""
