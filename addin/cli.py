"""`sheetclerk addin ...`: build the Excel add-in (the sub-commands live here, the CLI mounts them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

addin_app = typer.Typer(help="The Excel add-in: functions and the sheetclerk ribbon.", no_args_is_help=True)


@addin_app.command("build")
def build(
    output: Annotated[Path | None, typer.Option(help="Where to write the add-in (default: inside the installed package).")] = None,
) -> None:
    """Build sheetclerk.xlam from its sources, for the xlwings installed here; then `xlwings addin install -f` it."""
    from addin.build import OUTPUT
    from addin.build import build as build_xlam

    path = build_xlam(output or OUTPUT)
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"Built {path}")
    console.print(f'Install it into Excel with: xlwings addin install -f "{path}"')
