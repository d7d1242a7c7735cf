"""The back office: reading and writing workbooks, configuration, the command line,
and (as it grows) the ledger, the watcher, documents and reconciliation.
"""
