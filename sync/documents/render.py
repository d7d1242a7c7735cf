"""`render(document, layout) -> bytes`: the PDF of an invoice, credit note, packing slip or label.

Everything printed comes from the `Document` (already decided, rounded and
worded by rules/documents.py) and the `Layout` (templates/layout.toml); the PDF's
creation date is the document's issue date and nothing random goes in, so the
same pair always gives the same bytes. Odd data does not raise: long names and
descriptions wrap (or end in "…"), missing values print as blanks, an empty
document is still a document, and a tracking number that cannot be a barcode is
printed as text.

Invoices and credit notes carry what Directive 2006/112/EC Art. 226 asks
(dates of issue and supply, number, both parties with VAT IDs, lines, net per
rate, rates and tax, exemption wording) and what a US invoice carries (terms,
due date, remit-to); their line table runs over as many pages as needed with
its header repeated, and every page says "Page x of y".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from rules.documents import Document, Item, Kind, Party
from sync.documents import barcode
from sync.documents.canvas import LINE, PT, Canvas
from sync.documents.layout import PRICE_COLUMNS, Column, Layout

FOOTER_MM = 13.0
"""Height kept free at the bottom of every page for the footer."""
PAD = 1.5
"""Vertical padding inside a table row, mm."""


def render(document: Document, layout: Layout) -> bytes:
    """The document as PDF bytes; identical bytes for an identical (document, layout)."""
    c = Canvas(layout, document.issued, _texts(document, layout))
    DRAW[document.kind](c, document)
    if document.kind is not Kind.LABEL:
        _footers(c, document)
    return c.output()


def _texts(d: Document, layout: Layout) -> list[str]:
    """Every string that may be printed, to choose the fonts the document needs."""
    found: list[str] = [layout.footer, layout.title, *(text for _, text in layout.labels)]

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)

    walk(d.model_dump(include={"number", "order_id", "customer_id", "seller", "buyer", "ship_to", "items",
                               "shipping_method", "legal_notes", "refers_to", "reason", "carrier", "tracking_no",
                               "bank"}))
    return found


# --- page furniture ---------------------------------------------------------------------


class Frame(NamedTuple):
    left: float
    right: float
    top: float
    bottom: float
    """Lowest y content may reach (the footer is below)."""


def _frame(c: Canvas, footer: bool = True) -> Frame:
    p = c.layout.page
    return Frame(p.margin_mm, p.width_mm - p.margin_mm, p.margin_mm,
                 p.height_mm - p.margin_mm - (FOOTER_MM if footer else 0))


def _title(c: Canvas, d: Document) -> str:
    return c.layout.title or d.title


def _new_page(c: Canvas, d: Document) -> float:
    """A continuation page: its heading; returns the y where content starts."""
    c.pdf.add_page()
    f = _frame(c)
    c.text(f.left, f.top, c.layout.labels.continued.format(title=_title(c, d), number=d.number),
           size=c.size + 1, bold=True, colour="accent", width=f.right - f.left)
    c.rule(f.left, f.top + 7, f.right)
    return f.top + 10


def _room(c: Canvas, d: Document, y: float, needed: float) -> float:
    """`y` if `needed` mm fit on this page, else the top of a new one."""
    return y if y + needed <= _frame(c).bottom else _new_page(c, d)


def _letterhead(c: Canvas, d: Document) -> float:
    """Logo, seller and title with number on the first page; returns the y below."""
    c.pdf.add_page()
    f = _frame(c)
    s = c.size
    x = f.left
    bottom = f.top
    logo = c.layout.logo
    if logo.path is not None:
        bottom = f.top + c.image(logo.path, f.left, f.top, logo.width_mm)
        x = f.left + logo.width_mm + 4
    title = _title(c, d).upper()
    title_w = min(max(c.width(c.clean(title), s + 11, True), c.width(c.clean(d.number), s + 2, True)) + 1,
                  (f.right - f.left) * 0.45)
    seller_w = f.right - title_w - x - 6
    y = c.lines(x, f.top, c.wrap(d.seller.name, seller_w, s + 4, True, max_lines=2), size=s + 4, bold=True,
                colour="accent")
    y = c.lines(x, y + 0.5, _address(c, d.seller, seller_w, s - 0.5), size=s - 0.5, colour="muted")
    contact = " · ".join(v for v in (d.seller.email, d.seller.phone) if v)
    if contact:
        y = c.lines(x, y, c.wrap(contact, seller_w, s - 1, max_lines=2), size=s - 1, colour="muted")
    if d.seller.vat_id:
        y += c.text(x, y, f"{c.layout.labels.vat_id} {d.seller.vat_id}", size=s - 1, colour="muted", width=seller_w)
    ty = f.top + c.text(f.right, f.top - 1, title, size=s + 11, bold=True, colour="accent",
                        align="R", width=title_w)
    ty += c.text(f.right, ty, d.number, size=s + 2, bold=True, align="R", width=title_w)
    return max(bottom, y, ty) + 7


def _address(c: Canvas, p: Party, width: float, size: float) -> list[str]:
    out: list[str] = []
    for line in (*p.address_lines, p.country_name or p.country):
        out += c.wrap(line, width, size, max_lines=2)
    return out


def _party(c: Canvas, x: float, y: float, width: float, heading: str, p: Party, *, big: bool = False) -> float:
    """A labelled address block; returns the y below it."""
    s = c.size + (3 if big else 0)
    y += c.text(x, y, heading.upper(), size=c.size - 1.5, bold=True, colour="muted", width=width) + 0.4
    y = c.lines(x, y, c.wrap(p.name, width, s + 1, True, max_lines=3), size=s + 1, bold=True)
    y = c.lines(x, y, _address(c, p, width, s), size=s)
    if p.vat_id:
        y += c.text(x, y, f"{c.layout.labels.vat_id} {p.vat_id}", size=c.size - 0.5, width=width)
    return y


def _facts(c: Canvas, x: float, y: float, width: float, rows: list[tuple[str, str]]) -> float:
    """Label/value rows (empty values left out); returns the y below them."""
    label_w = width * 0.45
    for label, value in rows:
        if not value:
            continue
        c.text(x, y, label, size=c.size - 0.5, colour="muted", width=label_w - 1.5)
        y = c.lines(x + label_w, y, c.wrap(value, width - label_w, c.size, max_lines=3), size=c.size)
    return y


def _footers(c: Canvas, d: Document) -> None:
    """Seller details, the layout's small print and "Page x of y" on every page, drawn once the count is known."""
    f = _frame(c, footer=False)
    pages = c.pdf.pages_count
    s = c.size - 2
    seller = " · ".join(v for v in (d.seller.name, ", ".join(d.seller.address_lines), d.seller.vat_id and
                                    f"{c.layout.labels.vat_id} {d.seller.vat_id}") if v)
    for page in range(1, pages + 1):
        c.begin_page_again(page)
        top = f.bottom - FOOTER_MM + 3
        c.rule(f.left, top, f.right)
        label = c.layout.labels.page.format(page=page, pages=pages)
        page_w = c.width(c.clean(label), s) + 2
        y = top + 1.2
        y += c.text(f.left, y, seller, size=s, colour="muted", width=f.right - f.left - page_w - 2)
        c.lines(f.left, y, c.wrap(c.layout.footer, f.right - f.left - page_w - 2, s, max_lines=2), size=s,
                colour="muted")
        c.text(f.right, top + 1.2, label, size=s, colour="muted", align="R")


# --- the line table -----------------------------------------------------------------------


class Col(NamedTuple):
    label: str
    """Labels field for the header."""
    width: float | None
    """mm; None = takes the width left over (description)."""
    align: str
    value: Callable[[Canvas, Document, Item], str]
    wraps: int
    """Lines a cell may wrap to (1 = one line, shortened or shrunk to fit)."""


def _qty(v: int | None) -> str:
    return "" if v is None else f"{v:,}"


COLUMNS: dict[Column, Col] = {
    Column.POSITION: Col("position", 8, "L", lambda c, d, i: str(i.position), 1),
    Column.SKU: Col("sku", 24, "L", lambda c, d, i: i.sku, 2),
    Column.DESCRIPTION: Col("description", None, "L", lambda c, d, i: i.description, 12),
    Column.QUANTITY: Col("quantity", 14, "R", lambda c, d, i: _qty(i.quantity), 1),
    Column.UNIT_PRICE: Col("unit_price", 22, "R", lambda c, d, i: c.money(i.unit_price, d.currency), 1),
    Column.DISCOUNT: Col("discount", 13, "R", lambda c, d, i: c.percent(i.discount) if i.discount else "", 1),
    Column.TAX_RATE: Col("tax_rate", 14, "R", lambda c, d, i: c.percent(i.tax_rate), 1),
    Column.NET: Col("net", 25, "R", lambda c, d, i: c.money(i.net, d.currency), 1),
    Column.SHIPPED: Col("shipped", 17, "R", lambda c, d, i: _qty(i.shipped), 1),
    Column.BACKORDERED: Col("backordered", 23, "R", lambda c, d, i: _qty(i.backordered), 1),
    Column.WEIGHT: Col("weight", 18, "R", lambda c, d, i: f"{c.number(i.weight_kg)} kg" if i.weight_kg is not None
                       else "", 1),
}


def _columns(c: Canvas, d: Document, f: Frame) -> list[tuple[Col, float, float]]:
    """(column, x, width) across the frame; price columns never on a packing slip."""
    chosen = [COLUMNS[k] for k in c.layout.columns if not (d.kind is Kind.PACKING_SLIP and k in PRICE_COLUMNS)]
    if not chosen:
        chosen = [COLUMNS[Column.DESCRIPTION]]
    total = f.right - f.left
    chosen = [col._replace(width=max(col.width, c.width(c.clean(_header_label(c, d, col)), c.size - 1, True) + 3.5))
              if col.width is not None else col for col in chosen]
    fixed = sum(col.width or 0 for col in chosen)
    flexible = [col for col in chosen if col.width is None]
    spare = total - fixed
    scale = 1.0 if spare >= 30 * len(flexible) else total / (fixed + 30 * len(flexible))
    out, x = [], f.left
    for col in chosen:
        w = (col.width * scale) if col.width is not None else max(spare, 30 * len(flexible) * scale) / len(flexible)
        out.append((col, x, w))
        x += w
    return out


def _header_label(c: Canvas, d: Document, col: Col) -> str:
    if col.label == "quantity" and d.kind is Kind.PACKING_SLIP:
        return c.layout.labels.ordered
    return getattr(c.layout.labels, col.label)


def _table_header(c: Canvas, d: Document, cols, y: float) -> float:
    s = c.size - 1
    h = s * PT * LINE + 2 * PAD
    f = _frame(c)
    c.fill(f.left, y, f.right - f.left, h, "accent")
    for col, x, w in cols:
        at = x + w - 1.5 if col.align == "R" else x + 1.5
        c.text(at, y + PAD, _header_label(c, d, col), size=s, bold=True, colour="header_text", align=col.align,
               width=w - 3)
    return y + h


def _table(c: Canvas, d: Document, y: float) -> float:
    """The lines, over as many pages as they need, the header repeated on each; returns the y below."""
    f = _frame(c)
    cols = _columns(c, d, f)
    lh = c.size * PT * LINE
    y = _room(c, d, y, 2 * (lh + 2 * PAD) + 6)
    if d.kind is not Kind.PACKING_SLIP and any(k in PRICE_COLUMNS for k in c.layout.columns):
        c.text(f.right, y - 4.2, c.layout.labels.amounts_in.format(currency=d.currency), size=c.size - 1.5,
               colour="muted", align="R", width=f.right - f.left)
    y = _table_header(c, d, cols, y)
    if not d.items:
        c.text(f.left + 1.5, y + PAD, c.layout.labels.no_items, colour="muted", width=f.right - f.left - 3)
        return y + lh + 2 * PAD
    for n, item in enumerate(d.items):
        cells = []
        for col, x, w in cols:
            value = col.value(c, d, item)
            lines = c.wrap(value, w - 3, max_lines=col.wraps) if col.wraps > 1 else [value]
            cells.append((col, x, w, lines))
        h = max(len(lines) for *_, lines in cells) * lh + 2 * PAD
        if y + h > f.bottom:
            y = _table_header(c, d, cols, _new_page(c, d))
        if n % 2:
            c.fill(f.left, y, f.right - f.left, h, "stripe")
        for col, x, w, lines in cells:
            at = x + w - 1.5 if col.align == "R" else x + 1.5
            if col.wraps > 1:
                c.lines(at, y + PAD, lines)
            else:
                c.text(at, y + PAD, lines[0], align=col.align, width=w - 3)
        y += h
    c.rule(f.left, y, f.right, colour="accent", width=0.35)
    return y


# --- totals, notes, payment -----------------------------------------------------------------


def _totals(c: Canvas, d: Document, y: float) -> float:
    t = d.totals
    if t is None:
        return y
    labels = c.layout.labels

    def money(amount) -> str:
        return c.money(amount, d.currency)

    rows: list[tuple[str, str]] = [(labels.goods_net, money(t.goods_net))]
    if t.shipping_net or d.shipping_method:
        rows.append((labels.shipping.format(method=d.shipping_method or "—"), money(t.shipping_net)))
    rows.append((labels.net_total, money(t.net)))
    rows += [(labels.band_tax.format(rate=c.percent(b.rate)), money(b.tax)) for b in d.bands]
    rows.append((labels.tax_total, money(t.tax)))
    gross = labels.gross_credit if d.kind is Kind.CREDIT_NOTE else labels.gross
    lh = c.size * PT * LINE
    summary_rows = len(d.bands) + 2 if c.layout.show_vat_summary and d.bands else 0
    needed = max(len(rows) * (lh + 0.6) + 12, summary_rows * (lh + 1) + 6)
    y = _room(c, d, y + 4, needed)
    f = _frame(c)
    width = min(84.0, (f.right - f.left) * 0.5)
    x = f.right - width
    ty = y
    for label, value in rows:
        c.text(x, ty, label, colour="muted", width=width - 30)
        c.text(f.right, ty, value, align="R", width=28)
        ty += lh + 0.6
    c.rule(x, ty + 0.6, f.right, colour="accent", width=0.4)
    ty += 2
    big = c.size + 3
    c.text(x, ty, gross, size=big, bold=True, colour="accent", width=width - 36)
    c.text(f.right, ty, c.money(t.gross, d.currency, symbol=True), size=big, bold=True, colour="accent", align="R",
           width=34)
    ty += big * PT * LINE + 1
    sy = y
    if summary_rows:
        sy = _vat_summary(c, d, f.left, y, min(92.0, x - f.left - 8))
    return max(ty, sy) + 4


def _vat_summary(c: Canvas, d: Document, x: float, y: float, width: float) -> float:
    """Taxable amount and VAT per rate (Art. 226 (8)-(10))."""
    labels = c.layout.labels
    s = c.size - 0.5
    lh = s * PT * LINE
    y += c.text(x, y, labels.vat_summary.upper(), size=c.size - 1.5, bold=True, colour="muted", width=width) + 0.5
    cols = ((labels.rate, x, "L"), (labels.taxable, x + width * 0.68, "R"), (labels.tax, x + width, "R"))
    for label, at, align in cols:
        c.text(at, y, label, size=s, bold=True, align=align, width=width * 0.4)
    y += lh + 0.4
    c.rule(x, y, x + width)
    y += 0.8
    for b in d.bands:
        values = (c.percent(b.rate), c.money(b.net, d.currency), c.money(b.tax, d.currency))
        for (_, at, align), value in zip(cols, values):
            c.text(at, y, value, size=s, align=align, width=width * 0.3)
        y += lh + 0.4
    return y


def _notes(c: Canvas, d: Document, y: float) -> float:
    """Legal wording (reverse charge, export exemption) in a marked box."""
    f = _frame(c)
    for note in d.legal_notes:
        lines = c.wrap(note, f.right - f.left - 8, bold=True, max_lines=6)
        h = len(lines) * c.size * PT * LINE + 4
        y = _room(c, d, y + 2, h)
        c.fill(f.left, y, f.right - f.left, h, "stripe")
        c.fill(f.left, y, 1.2, h, "accent")
        c.lines(f.left + 4, y + 2, lines, bold=True)
        y += h + 1
    return y


def _payment(c: Canvas, d: Document, y: float) -> float:
    """Terms, due date, amount and where to pay it."""
    labels = c.layout.labels
    f = _frame(c)
    width = f.right - f.left
    lh = c.size * PT * LINE
    bank = d.bank
    bank_rows = [(labels.bank, bank.name), (labels.iban, bank.iban), (labels.bic, bank.bic)] if bank else []
    bank_rows = [(k, v) for k, v in bank_rows if v]
    terms = []
    if d.terms_days is not None:
        terms.append(f"{labels.payment_terms}: {labels.payment_terms_value.format(days=d.terms_days)}")
    if d.due is not None:
        terms.append(f"{labels.due_date}: {c.day(d.due)}")
    if not terms and not bank_rows:
        return y
    y = _room(c, d, y + 3, lh * (4 + len(bank_rows)) + 6)
    y += c.text(f.left, y, labels.payment.upper(), size=c.size - 1.5, bold=True, colour="muted", width=width) + 0.5
    if terms:
        y += c.text(f.left, y, "  ·  ".join(terms), bold=True, width=width)
    if d.totals is not None and d.due is not None:
        sentence = labels.pay_by.format(amount=c.money(d.totals.gross, d.currency, symbol=True), due=c.day(d.due))
        y = c.lines(f.left, y, c.wrap(sentence, width, max_lines=3))
    x = f.left
    for label, value in bank_rows:
        c.text(x, y + 0.8, label, size=c.size - 1, colour="muted")
        x += c.width(c.clean(label), c.size - 1) + 1.5
        c.text(x, y + 0.5, value, bold=True, width=f.right - x)
        x += c.width(c.clean(value), bold=True) + 7
        if x > f.right - 30:
            x, y = f.left, y + lh
    return y + lh


# --- the documents ----------------------------------------------------------------------------


def _ship_to_differs(d: Document) -> bool:
    return d.ship_to is not None and d.ship_to != d.buyer


def _invoice(c: Canvas, d: Document) -> None:
    """Invoice and credit note: the same table and totals, different facts and no payment part on the note."""
    f = _frame(c)
    y = _letterhead(c, d)
    labels = c.layout.labels
    width = f.right - f.left
    facts_w = min(74.0, width * 0.42)
    party_w = (width - facts_w - 8) / (2 if _ship_to_differs(d) else 1.4)
    py = _party(c, f.left, y, party_w, labels.bill_to, d.buyer)
    if _ship_to_differs(d):
        py = max(py, _party(c, f.left + party_w + 4, y, party_w - 4, labels.ship_to, d.ship_to))
    rows = [
        (labels.number, d.number),
        (labels.date_of_issue, c.day(d.issued)),
    ]
    if d.kind is Kind.CREDIT_NOTE:
        rows += [(labels.invoice_reference, d.refers_to), (labels.reason, d.reason)]
    rows += [
        (labels.date_of_supply, c.day(d.supplied)),
        (labels.order_reference, d.order_id),
        (labels.customer_no, d.customer_id),
    ]
    if d.kind is Kind.INVOICE:
        rows += [(labels.payment_terms, labels.payment_terms_value.format(days=d.terms_days)
                  if d.terms_days is not None else ""), (labels.due_date, c.day(d.due))]
    fy = _facts(c, f.right - facts_w, y + 3, facts_w, rows)
    y = max(py, fy) + 6
    if d.kind is Kind.CREDIT_NOTE and (d.refers_to or d.reason):
        sentence = " — ".join(v for v in (d.refers_to and labels.refers_to.format(number=d.refers_to),
                                          d.reason and f"{labels.reason}: {d.reason}") if v)
        y = c.lines(f.left, y, c.wrap(sentence, width, c.size + 1, True, max_lines=3), size=c.size + 1, bold=True,
                    colour="accent") + 2
    y = _table(c, d, y + 2)
    y = _totals(c, d, y)
    y = _notes(c, d, y)
    if d.kind is Kind.INVOICE:
        _payment(c, d, y)


def _packing_slip(c: Canvas, d: Document) -> None:
    f = _frame(c)
    y = _letterhead(c, d)
    labels = c.layout.labels
    width = f.right - f.left
    facts_w = min(74.0, width * 0.42)
    party_w = (width - facts_w - 8) / 2
    py = _party(c, f.left, y, party_w + 12, labels.ship_to, d.ship_to or d.buyer, big=True)
    if _ship_to_differs(d):
        py = max(py, _party(c, f.left + party_w + 16, y, party_w - 12, labels.bill_to, d.buyer))
    weight = f"{c.number(d.weight_kg)} kg" if d.weight_kg is not None else ""
    rows = [
        (labels.number, d.number),
        (labels.date_of_issue, c.day(d.issued)),
        (labels.order_reference, d.order_id),
        (labels.invoice_reference, d.refers_to),
        (labels.customer_no, d.customer_id),
        (labels.shipping_method, d.shipping_method),
        (labels.weight, weight),
        (labels.parcels, labels.parcels_value.format(count=d.parcels)),
    ]
    fy = _facts(c, f.right - facts_w, y + 3, facts_w, rows)
    _table(c, d, max(py, fy) + 8)


def _label(c: Canvas, d: Document) -> None:
    """4x6 shipping label: from, carrier, ship to (flowing from the top); facts and barcode (anchored at the foot)."""
    c.pdf.add_page()
    f = _frame(c, footer=False)
    labels = c.layout.labels
    width = f.right - f.left
    s = c.size
    x = f.left
    logo = c.layout.logo
    logo_h = 0.0
    if logo.path is not None:
        logo_h = c.image(logo.path, f.left, f.top, logo.width_mm)
        x += logo.width_mm + 3
    y = f.top + c.text(x, f.top, labels.seller.upper(), size=s - 3, bold=True, colour="muted")
    y = c.lines(x, y, c.wrap(d.seller.name, f.right - x, s - 1, True, max_lines=2), size=s - 1, bold=True)
    y = c.lines(x, y, _address(c, d.seller, f.right - x, s - 2), size=s - 2)
    y = max(y, f.top + logo_h) + 2
    c.rule(f.left, y, f.right, colour="text", width=0.6)
    y += 2
    carrier = d.carrier or d.shipping_method
    service = d.shipping_method.upper() if d.shipping_method and d.shipping_method != carrier else ""
    service_w = c.width(c.clean(service), s, True) + 2 if service else 0
    c.text(f.right, y + 2.2, service, size=s, bold=True, align="R", width=width * 0.4)
    y += c.text(f.left, y, carrier, size=s + 8, bold=True, width=width - service_w - 2) + 1
    c.rule(f.left, y, f.right, colour="text", width=0.6)
    y += 3
    to = d.ship_to or d.buyer
    y += c.text(f.left, y, labels.ship_to.upper(), size=s - 2, bold=True, colour="muted") + 1
    big = s + 5
    y = c.lines(f.left + 2, y, c.wrap(to.name, width - 2, big + 1, True, max_lines=3), size=big + 1, bold=True)
    for line in to.address_lines:
        y = c.lines(f.left + 2, y, c.wrap(line, width - 2, big - 1, max_lines=2), size=big - 1)
    c.lines(f.left + 2, y, c.wrap((to.country_name or to.country).upper(), width - 2, big, True, max_lines=2),
            size=big, bold=True)
    foot = f.bottom - (s - 2) * PT * LINE
    c.text(f.left, foot, f"{d.number} · {c.day(d.issued)}", size=s - 2, colour="muted", width=width)
    y = _label_barcode(c, d, f, foot - 2)
    weight = f"{c.number(d.weight_kg)} kg" if d.weight_kg is not None else "—"
    facts = ((labels.weight, weight), (labels.order_reference, d.order_id),
             (labels.parcels, labels.parcels_value.format(count=d.parcels)))
    facts_h = (s - 3 + s + 2) * PT * LINE + 5
    y -= facts_h
    c.rule(f.left, y, f.right, colour="text", width=0.6)
    cw = width / 3
    for i, (label, value) in enumerate(facts):
        c.text(f.left + i * cw, y + 2, label.upper(), size=s - 3, bold=True, colour="muted", width=cw - 2)
        c.text(f.left + i * cw, y + 2 + (s - 3) * PT * LINE, value, size=s + 2, bold=True, width=cw - 2)
    c.rule(f.left, y + facts_h - 1, f.right, colour="text", width=0.6)


def _label_barcode(c: Canvas, d: Document, f: Frame, bottom: float) -> float:
    """The tracking number in Code 128, else the SSCC in GS1-128, else a note saying there is none, ending at
    `bottom`; returns its top."""
    labels = c.layout.labels
    s = c.size
    width = f.right - f.left
    if d.tracking_no:
        heading, code = labels.tracking_no, barcode.code128(d.tracking_no)
    elif d.sscc:
        heading, code = labels.sscc, barcode.gs1_128("00", d.sscc)
    else:
        heading, code = "", None
    heading_h = (s - 3) * PT * LINE + 1.5
    if code is None:
        lines = c.wrap(d.tracking_no or d.sscc or labels.no_barcode, width, s + 1, True, max_lines=4)
        top = bottom - len(lines) * (s + 1) * PT * LINE - heading_h
        if heading:
            c.text(f.left, top, heading.upper(), size=s - 3, bold=True, colour="muted")
        c.lines(f.left, top + heading_h, lines, size=s + 1, bold=True)
        return top - 2
    spec = c.layout.barcode
    module = max(min(spec.module_mm, width / (code.modules + 2 * barcode.QUIET_ZONE)), 0.19)
    text_h = (s + 1) * PT * LINE + 1
    height = spec.height_mm
    top = bottom - text_h - height - heading_h
    c.text(f.left, top, heading.upper(), size=s - 3, bold=True, colour="muted")
    y = top + heading_h
    x = f.left + (width - code.modules * module) / 2
    bar = True
    for w in code.widths:
        if bar:
            c.fill(x, y, w * module, height, "black")
        x += w * module
        bar = not bar
    c.text(f.left + width / 2, y + height + 1, code.text, size=s + 1, bold=True, align="C", width=width)
    return top - 2


DRAW: dict[Kind, Callable[[Canvas, Document], None]] = {
    Kind.INVOICE: _invoice,
    Kind.CREDIT_NOTE: _invoice,
    Kind.PACKING_SLIP: _packing_slip,
    Kind.LABEL: _label,
}

__all__ = ["render"]
