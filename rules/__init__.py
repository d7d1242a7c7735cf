"""The domain: records, money, pricing, stock and validation. Pure functions only.

Nothing in here reads or writes files, databases or spreadsheets, and nothing
imports `sync` or `addin`; a test holds both.
"""
