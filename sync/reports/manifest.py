"""`sheetclerk manifest`: the end-of-day list a carrier's driver signs when collecting the parcels.

One PDF per carrier for the day's `shipment` events: order, ship-to, tracking
number (or SSCC), parcels and weight, with totals and signature lines. Written to
`documents/manifest/<year>/<carrier>-<date>.pdf` in the data folder. Carrier
names come from sheetclerk.toml or cells, so the file name is reduced to safe
characters. Shipments without a carrier (Pickup) need no driver and are not
listed; nor are shipments whose label has been voided.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection

from rules.cells import key
from rules.documents import Document, Party
from sync.atomic import write_atomically
from sync.documents.files import FOLDER, absolute, safe_name
from sync.documents.issuing import seller
from sync.reports.describe import amount
from sync.reports.pages import Col, Pages, report_layout
from sync.reports.source import Book, day_end, day_start, documents_numbered, events, invoices_of


@dataclass(frozen=True)
class Parcel:
    """One shipment on a manifest (it may be several parcels)."""

    at: str
    order_id: str
    ship_to: str
    city: str
    country: str
    tracking_no: str
    sscc: str
    parcels: int
    weight_kg: Decimal | None
    label: str

    @property
    def code(self) -> str:
        return self.tracking_no or (f"SSCC {self.sscc}" if self.sscc else "")


@dataclass(frozen=True)
class Manifest:
    carrier: str
    day: date
    shipments: tuple[Parcel, ...]
    file_stem: str
    """The carrier's name reduced to safe characters (made unique among the day's carriers)."""

    @property
    def parcels(self) -> int:
        return sum(s.parcels for s in self.shipments)

    @property
    def weight_kg(self) -> Decimal:
        return sum((s.weight_kg or Decimal(0) for s in self.shipments), Decimal(0))

    @property
    def unweighed(self) -> int:
        return sum(1 for s in self.shipments if s.weight_kg is None)

    @property
    def relative_path(self) -> str:
        return f"{FOLDER}/manifest/{self.day.year:04d}/{self.file_stem}-{self.day.isoformat()}.pdf"

    def as_json(self) -> dict[str, object]:
        return {"carrier": self.carrier, "date": self.day.isoformat(), "shipments": len(self.shipments),
                "parcels": self.parcels, "weight_kg": str(self.weight_kg), "unweighed": self.unweighed,
                "lines": [asdict(s) | {"weight_kg": None if s.weight_kg is None else str(s.weight_kg)} for s in self.shipments]}


@dataclass(frozen=True)
class DayShipments:
    manifests: tuple[Manifest, ...]
    without_carrier: tuple[Parcel, ...]
    voided: tuple[Parcel, ...]


def day_shipments(conn: Connection, book: Book, day: date) -> DayShipments:
    """The day's shipments, grouped by carrier (carriers in name order, shipments in ledger order)."""
    shipped = events(conn, book.name, kinds={"shipment"}, since=day_start(day), until=day_end(day))
    labels = documents_numbered(conn, book.name, {str(e.data["label"]) for e in shipped if e.data.get("label")})
    invoices = invoices_of(conn, book.name, {key(e.order_id) or "" for e in shipped if e.order_id})
    by_carrier: dict[str, list[Parcel]] = defaultdict(list)
    without, voided = [], []
    for e in shipped:
        d = e.data
        label, status = labels.get(str(d.get("label") or ""), (None, ""))
        ship_to = _ship_to(label, invoices.get(key(e.order_id) or ""))
        weight = amount(d.get("weight_kg"))
        if weight is None and label is not None:
            weight = label.weight_kg
        parcel = Parcel(
            at=e.at, order_id=e.order_id or "", ship_to=ship_to.name if ship_to else "",
            city=ship_to.address_lines[-1] if ship_to and len(ship_to.address_lines) > 1 else "",
            country=ship_to.country if ship_to else "", tracking_no=str(d.get("tracking_no") or ""),
            sscc=str(d.get("sscc") or ""), parcels=int(d.get("parcels") or 1), weight_kg=weight, label=str(d.get("label") or ""),
        )
        carrier = str(d.get("carrier") or (label.carrier if label is not None else "") or "").strip()
        if status == "voided":
            voided.append(parcel)
        elif not carrier:
            without.append(parcel)
        else:
            by_carrier[carrier].append(parcel)
    stems = _file_stems(by_carrier)
    manifests = tuple(Manifest(c, day, tuple(by_carrier[c]), stems[c]) for c in sorted(by_carrier, key=str.casefold))
    return DayShipments(manifests, tuple(without), tuple(voided))


def _ship_to(label: Document | None, invoice: Document | None) -> Party | None:
    for doc in (label, invoice):
        if doc is not None and (doc.ship_to or doc.buyer):
            return doc.ship_to or doc.buyer
    return None


def _file_stems(by_carrier: dict[str, list[Parcel]]) -> dict[str, str]:
    """Safe file names; two carriers whose safe names collide get a short hash of their real name."""
    names = {c: safe_name(c) for c in by_carrier}
    clash = {n for n in names.values() if list(names.values()).count(n) > 1}
    return {c: f"{n}-{hashlib.sha256(c.encode()).hexdigest()[:8]}" if n in clash else n for c, n in names.items()}


def render_manifest(m: Manifest, book: Book) -> bytes:
    """The manifest's PDF: the same ledger gives the same bytes (dated with the manifest's day)."""
    layout = report_layout(book.settings)
    shipper = seller(book.settings)
    texts = [m.carrier, shipper.name, *shipper.address_lines, *(f"{s.ship_to} {s.city}" for s in m.shipments)]
    p = Pages(layout, m.day, texts, f"Carrier manifest · {m.carrier}", m.day.isoformat())
    c = p.c
    c.text(p.left, p.y, "Carrier manifest", size=18, bold=True, colour="accent")
    c.text(p.right, p.y + 1, m.carrier, size=14, bold=True, align="R", width=p.width / 2)
    p.y += 10
    c.text(p.left, p.y, f"Pickup date {c.day(m.day)}", size=9.5)
    c.text(p.right, p.y, f"{len(m.shipments)} shipments · {m.parcels} parcels · {_kg(c, m.weight_kg)} kg",
           size=9.5, bold=True, align="R", width=p.width / 2)
    p.y += 7
    c.text(p.left, p.y, "Shipper", size=7.5, colour="muted")
    p.y += 4
    p.y = c.lines(p.left, p.y, [shipper.name, *shipper.address_lines, shipper.country_name, shipper.phone], size=9)
    p.y += 3
    cols = (Col("#", 6, "R"), Col("Order", 17), Col("Ship to", 36), Col("City", 27), Col("Country", 14),
            Col("Tracking No / SSCC", 44), Col("Parcels", 14, "R"), Col("Weight (kg)", 18, "R"))
    rows = [[str(i), s.order_id, s.ship_to, s.city, s.country, s.code, str(s.parcels), _kg(c, s.weight_kg)]
            for i, s in enumerate(m.shipments, start=1)]
    total = ["", "", f"{len(m.shipments)} shipments", "", "", "Total", str(m.parcels), _kg(c, m.weight_kg)]
    p.table(cols, rows, total=total)
    if m.unweighed:
        p.paragraph(f"{m.unweighed} shipment(s) without a recorded weight are not in the total weight.", size=8, colour="muted")
    _signatures(p)
    return p.finish()


def _kg(c, weight: Decimal | None) -> str:
    return "–" if weight is None else c.number(weight, "#,##0.0##")


def _signatures(p: Pages) -> None:
    p.need(42)
    p.y += 8
    c = p.c
    half = (p.width - 10) / 2
    for x, who in ((p.left, "Handed over by (name, signature)"), (p.left + half + 10, "Driver (name, signature)")):
        c.rule(x, p.y + 14, x + half, colour="text", width=0.3)
        c.text(x, p.y + 15.5, who, size=8, colour="muted")
    p.y += 26
    c.rule(p.left, p.y + 10, p.left + half, colour="text", width=0.3)
    c.text(p.left, p.y + 11.5, "Date and time of pickup", size=8, colour="muted")
    c.lines(p.left + half + 10, p.y + 3, c.wrap("The driver's signature confirms receipt of the parcels listed above.",
                                                  half, 7.5), size=7.5, colour="muted")
    p.y += 18


def write_manifests(book: Book, day_ships: DayShipments) -> list[tuple[Manifest, Path]]:
    """Render and write every carrier's manifest (atomically); returns each with its file."""
    out = []
    for m in day_ships.manifests:
        path = absolute(book.data_dir, m.relative_path)
        write_atomically(path, render_manifest(m, book))
        out.append((m, path))
    return out
