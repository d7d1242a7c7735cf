"""`sheetclerk manifest`: one PDF per carrier for the day's shipments, read back with pypdf."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from sync.cli import main
from sync.reports.manifest import DayShipments, Manifest, Parcel, day_shipments, render_manifest, write_manifests
from sync.reports.source import book_for, reading

from .conftest import DAY2, TRACKING_1001, Desk


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_one_pdf_per_carrier_with_tracking_numbers_weights_and_totals(desk: Desk, capsys) -> None:
    assert main(["manifest", str(desk.path), "--date", "2026-11-21", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    files = {m["carrier"]: Path(m["path"]) for m in out["manifests"]}
    assert set(files) == {"DHL Paket", "DHL Express"}
    assert files["DHL Paket"] == desk.data_dir / "documents" / "manifest" / "2026" / "DHL_Paket-2026-11-21.pdf"

    labels = [d.document for d in desk.documents.values() if d.kind.value == "label"]
    paket = [x for x in labels if x.carrier == "DHL Paket"]
    text = _text(files["DHL Paket"])
    assert "Carrier manifest" in text and "DHL Paket" in text and "Driver" in text
    assert TRACKING_1001 in text
    for x in paket:
        assert x.order_id in text and (x.tracking_no or x.sscc) in text
    assert "Αθηνά Παπαδοπούλου" in text  # SO-1002's Greek ship-to, as typed
    weight = sum((x.weight_kg for x in paket), Decimal(0))
    assert f"{len(paket)} shipments" in text and f"Total {len(paket)} {weight.normalize():f}" in text.replace("\n", " ")

    express = _text(files["DHL Express"])
    assert "株式会社さくら珈琲" in express and "1 shipments" in express


def test_same_ledger_same_bytes(desk: Desk) -> None:
    book = book_for(desk.path)
    with reading(book) as conn:
        (first, _) = day_shipments(conn, book, DAY2).manifests
    assert render_manifest(first, book) == render_manifest(first, book)
    main(["manifest", str(desk.path), "--date", "2026-11-21"])
    path = desk.data_dir / first.relative_path
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    main(["manifest", str(desk.path), "--date", "2026-11-21"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_day_without_shipments_has_no_manifest(desk: Desk, capsys) -> None:
    assert main(["manifest", str(desk.path), "--date", "2026-11-20"]) == 0
    assert "no manifest" in capsys.readouterr().out
    assert main(["manifest", str(desk.path), "--date", "21.11.2026"]) == 2
    assert main(["manifest", str(desk.path.with_name("missing.xlsx"))]) == 2


def test_carrier_names_cannot_leave_the_manifest_folder(desk: Desk) -> None:
    book = book_for(desk.path)
    parcel = Parcel("2026-11-21T10:00:00Z", "SO-1", "Ada", "1 Town", "DE", "T1", "", 1, Decimal("1.5"), "")
    day = date(2026, 11, 21)
    names = ["../../etc/passwd", "DHL/Paket", "DHL:Paket"]
    from sync.reports.manifest import _file_stems

    stems = _file_stems({n: [parcel] for n in names})
    written = write_manifests(book, DayShipments(tuple(Manifest(n, day, (parcel,), stems[n]) for n in names), (), ()))
    folder = (desk.data_dir / "documents" / "manifest" / "2026").resolve()
    paths = [p for _, p in written]
    assert len(set(paths)) == 3 and all(p.resolve().parent == folder for p in paths)
    assert "../../etc/passwd" in _text(paths[0])
