"""The few errors that stop a run: the input cannot be read or the settings are wrong.

Problems *in* the data are flags, never exceptions. These two are caught at
each entry point (CLI command, UDF, button, daemon loop) and turned into a
message and exit code 2.
"""


class CannotRun(Exception):
    """Base: sheetclerk could not do what was asked; the message says why and what to do."""


class WorkbookUnreadable(CannotRun):
    """The file is not a workbook sheetclerk can read, or lacks a required sheet or header."""


class ConfigError(CannotRun):
    """sheetclerk.toml or a SHEETCLERK_* variable holds something unusable."""
