"""Turning issued documents into files: render with the business's layouts, write, confirm.

The ledger records a document (and its PDF's SHA-256) before any file exists;
the file is written after the commit and confirmed (`written`) in the pass's
closing transaction. A pass that dies in between leaves documents unconfirmed:
the next pass renders them again from the ledger — byte-identical, which the
stored SHA-256 proves — and writes them. So every number has exactly one PDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rules.documents import Document
from sync.documents import registry
from sync.atomic import write_atomically
from sync.documents.files import absolute
from sync.documents.registry import Issued, mark_written
from sync.ledger import Ledger


def renderer_for(settings) -> Callable[[Document], bytes]:
    """`render(document)` with the layouts from templates/ (or the configured templates folder).

    The layouts load on the first document, so a pass that issues none never reads them.
    """
    loaded: dict = {}

    def render_one(document: Document) -> bytes:
        if not loaded:
            from sync.documents.layout import load_layouts
            from sync.documents.render import render

            loaded["layouts"] = load_layouts(getattr(settings, "templates_dir", None))
            loaded["render"] = render
        return loaded["render"](document, loaded["layouts"][document.kind])

    return render_one


def write_documents(ledger: Ledger, data_dir: Path, render: Callable[[Document], bytes], fresh: Iterable[Issued]) -> list[str]:
    """Write the PDFs of this pass's documents and of any left unwritten before; returns their numbers."""
    pending = {d.number: d for d in fresh}
    with ledger.read() as conn:
        for d in registry.unwritten(conn):
            pending.setdefault(d.number, d)
    done = []
    for number, d in sorted(pending.items()):
        pdf = d.pdf if d.pdf is not None else render(d.document)
        if hashlib.sha256(pdf).hexdigest() != d.sha256:
            continue  # the layouts changed since it was issued: keep the ledger's word, report it in `documents verify`
        write_atomically(absolute(data_dir, d.path), pdf)
        done.append(number)
    return done


@dataclass(frozen=True)
class FileCheck:
    number: str
    path: Path
    problem: str
    """Empty when the file is there and matches the ledger's SHA-256."""


def verify_files(ledger: Ledger, data_dir: Path, workbook: str | None = None) -> list[FileCheck]:
    """Every issued document's file against the SHA-256 the ledger recorded."""
    with ledger.read() as conn:
        documents = registry.all_documents(conn, workbook)
    out = []
    for d in documents:
        path = absolute(data_dir, d.path)
        try:
            found = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            out.append(FileCheck(d.number, path, "missing"))
            continue
        out.append(FileCheck(d.number, path, "" if found == d.sha256 else "changed (SHA-256 differs from the ledger)"))
    return out


__all__ = ["renderer_for", "write_documents", "mark_written", "verify_files", "FileCheck"]
