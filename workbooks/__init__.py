"""The starter workbook (`orders.xlsx`), its sample settings (`sheetclerk.toml`) and
the script that builds the workbook (`build_starter.py`). Shipped as package data
so that `sheetclerk init` works from any install.
"""
