"""Issued documents: numbering and storage in the ledger (registry), PDF rendering (render, layout), files."""
