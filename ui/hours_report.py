"""The sign-off PDF of a period's hours, drawn with Qt's own PDF writer.

Page 1 holds what a supervisor signs: candidate, supervisor, period, requirement set,
totals per category (logged to the minute and counted under the set's rules), the checks,
the lock state with the entries' hash, and signature lines. The entries follow, one row
each. Every page has a footer with the candidate, the period and "page N of M".

Used by the Hours screen and, through ui/launch.py, by ``consultory hours-report``.
"""

from __future__ import annotations

import html
import math
import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPdfWriter,
)

from app.hours.categories import CATEGORY_COLORS, ORDER
from app.hours.ledger import LedgerEntry, fmt_hours, fmt_minutes
from app.services.hours import HoursReport
from app.store.engine import touch_private
from ui.pdf import html_pdf

_app: QGuiApplication | None = None
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

CSS = """
body { font-family: 'DejaVu Sans', 'Helvetica', sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 12pt 0 4pt 0; }
p.sub { color: #555; margin: 0 0 8pt 0; }
p.note { color: #8a4b00; }
table.grid { border-collapse: collapse; }
table.grid th { background: #eef1f5; text-align: left; font-weight: bold; }
table.grid td, table.grid th { border: 0.5pt solid #c8ccd2; padding: 3pt 5pt; }
td.num, th.num { text-align: right; }
tr.total td { font-weight: bold; background: #f6f7f9; }
td.key { color: #555; padding-right: 12pt; }
.warn { color: #a61b1b; }
.ok { color: #1d6b3a; }
.mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; color: #444; }
"""


def ensure_gui_app() -> None:
    """A QGuiApplication for fonts and the PDF writer when run from the command line."""
    global _app
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication([])


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _d(day: date) -> str:
    return day.isoformat()


def report_html(rep: HoursReport) -> str:
    ev = rep.evaluation
    targets = {t.key: t for t in ev.targets}
    counts: dict[str, int] = {}
    for e in rep.entries:
        counts[e.category.value] = counts.get(e.category.value, 0) + 1
    parts = [f"<html><head><style>{CSS}</style></head><body>"]
    parts.append("<h1>Supervised hours log</h1>")
    parts.append(
        f"<p class='sub'>{_d(rep.start)} to {_d(rep.end)} · generated {_d(rep.generated_on)} "
        "by Consultory</p>"
    )
    cred = f" ({_e(rep.credential)})" if rep.credential else ""
    lock = (
        f"Signed and locked on {_d(rep.lock.locked_at.date())}"
        + ("" if rep.lock.intact else " — <span class='warn'>entries changed since</span>")
        if rep.lock is not None
        else "Not locked"
    )
    info = [
        ("Candidate", f"<b>{_e(rep.candidate)}</b>{cred}"),
        ("Supervisor", _e(rep.supervisor) if rep.supervisor else "_" * 34),
        ("Period", f"{_d(rep.start)} to {_d(rep.end)}"),
        ("Requirement set", _e(rep.set_name)),
        ("Status", lock),
    ]
    parts.append("<table>")
    for k, v in info:
        parts.append(f"<tr><td class='key'>{k}</td><td>{v}</td></tr>")
    parts.append("</table>")
    if rep.set_is_example:
        parts.append(
            "<p class='note'>The requirement set is an example, not any board's rules and not "
            "legal advice. Check the counted hours against your board's current rules.</p>"
        )

    parts.append("<h2>Totals by category</h2>")
    parts.append(
        "<table class='grid' width='100%'><tr><th>Category</th><th align='right'>Entries</th>"
        "<th align='right'>Logged</th><th align='right'>Counted hours</th>"
        "<th align='right'>Target</th></tr>"
    )
    logged = ev.logged_minutes
    for cat in ORDER:
        if cat not in logged and cat.value not in targets:
            continue
        t = targets.get(cat.value)
        goal = ""
        if t is not None:
            goal = ("at least " if t.kind == "min" else "at most ") + fmt_hours(t.target_hours)
        swatch = f"<span style='color:{CATEGORY_COLORS[cat]}'>■</span> "
        parts.append(
            f"<tr><td>{swatch}{_e(cat.label)}</td>"
            f"<td align='right'>{counts.get(cat.value, 0)}</td>"
            f"<td align='right'>{fmt_minutes(logged.get(cat, 0))}</td>"
            f"<td align='right'>{fmt_hours(ev.counted_hours.get(cat, 0.0))}</td>"
            f"<td align='right'>{goal}</td></tr>"
        )
    total_t = targets.get("total")
    parts.append(
        f"<tr class='total'><td>Total</td><td align='right'>{len(rep.entries)}</td>"
        f"<td align='right'>{fmt_minutes(rep.total_minutes)}</td>"
        f"<td align='right'>{fmt_hours(ev.counted_total_hours)}</td>"
        f"<td align='right'>"
        f"{'at least ' + fmt_hours(total_t.target_hours) if total_t else ''}</td></tr>"
    )
    parts.append("</table>")
    parts.append(
        "<p class='sub'>Logged: exact minutes from attendance and manual entries. Counted: "
        "hours under the requirement set's rules (minutes per hour, caps, minimum session "
        "length); the total counts only the set's total categories.</p>"
    )

    parts.append("<h2>Checks</h2>")
    if ev.warnings:
        parts.append("<ul>")
        for w in ev.warnings:
            cls = "warn" if w.severity == "warning" else ""
            parts.append(f"<li><span class='{cls}'>{_e(w.title)}.</span> {_e(w.detail)}</li>")
        parts.append("</ul>")
    else:
        parts.append("<p class='ok'>No rule of the requirement set is broken in this period.</p>")

    parts.append("<h2>Signatures</h2>")
    line = "_" * 38
    date_line = "_" * 16
    parts.append("<p>I confirm that the hours listed in this log are accurate.</p>")
    for who in ("Candidate", "Supervisor"):
        parts.append(
            f"<p style='margin-top:20pt'>{who}: {line} &nbsp;&nbsp;&nbsp; Date: {date_line}</p>"
        )
    parts.append(f"<p style='margin-top:20pt'>Supervisor licence no.: {'_' * 24}</p>")
    parts.append(f"<p class='mono'>Entries hash (SHA-256): {rep.entries_hash}</p>")

    parts.append("</body></html>")
    return "".join(parts)


def write_pdf(rep: HoursReport, path: Path) -> int:
    """Write the report to ``path`` (created 0600, replaced atomically). Returns pages."""
    ensure_gui_app()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    touch_private(tmp)
    try:
        pages = _render(rep, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return pages


# entries table: (header, width fraction, right-aligned)
COLUMNS = (
    ("Date", 0.12, False),
    ("Category", 0.21, False),
    ("Minutes", 0.09, True),
    ("Source", 0.20, False),
    ("Description", 0.38, False),
)


def _entry_cells(e: LedgerEntry) -> tuple[str, ...]:
    src = "manual" if e.manual else "attendance"
    if e.status in ("late", "left_early"):
        src += f" ({e.status.replace('_', ' ')})"
    return (_d(e.on_date), e.category.label, str(e.minutes), src, e.description)


class _Table:
    """The entries, drawn row by row with QPainter (fast for a decade of entries), with
    the header repeated on every page and a total row at the end."""

    def __init__(self, rep: HoursReport, width: float, height: float, device: QPdfWriter) -> None:
        self.rep = rep
        self.width = width
        self.font = QFont("DejaVu Sans", 8)
        self.bold = QFont(self.font)
        self.bold.setBold(True)
        self.title_font = QFont("DejaVu Sans", 11)
        self.title_font.setBold(True)
        self.fm = QFontMetricsF(self.font, device)
        self.row_h = self.fm.height() * 1.45
        self.title_h = self.row_h * 2.2
        rows = len(rep.entries) + 1  # + total row
        self.per_page = max(1, int((height - self.title_h) // self.row_h) - 1)
        self.pages = max(1, math.ceil(rows / self.per_page))

    def draw_page(self, p: QPainter, page: int) -> None:
        rep = self.rep
        p.setFont(self.title_font)
        p.setPen(QColor("#111111"))
        title = "Entries" if page == 0 else "Entries (continued)"
        p.drawText(QRectF(0, 0, self.width, self.title_h * 0.8), int(ALIGN_LEFT), title)
        y = self.title_h
        p.fillRect(QRectF(0, y, self.width, self.row_h), QColor("#eef1f5"))
        p.setFont(self.bold)
        self._row(p, y, tuple(c[0] for c in COLUMNS))
        y += self.row_h
        p.setFont(self.font)
        lo = page * self.per_page
        chunk = rep.entries[lo : lo + self.per_page]
        if page == 0 and not rep.entries:
            p.drawText(QRectF(0, y, self.width, self.row_h), int(ALIGN_LEFT), "No entries.")
        for i, e in enumerate(chunk):
            if i % 2:
                p.fillRect(QRectF(0, y, self.width, self.row_h), QColor("#f7f8fa"))
            self._row(p, y, _entry_cells(e))
            y += self.row_h
        if lo + len(chunk) == len(rep.entries):
            p.fillRect(QRectF(0, y, self.width, self.row_h), QColor("#eef1f5"))
            p.setFont(self.bold)
            total = rep.total_minutes
            self._row(p, y, ("Total", "", str(total), fmt_minutes(total), ""))

    def _row(self, p: QPainter, y: float, cells: tuple[str, ...]) -> None:
        x = 0.0
        pad = self.fm.horizontalAdvance(" ")
        for (_h, frac, right), text in zip(COLUMNS, cells, strict=True):
            w = self.width * frac
            rect = QRectF(x + pad, y, w - 2 * pad, self.row_h)
            shown = self.fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
            p.drawText(rect, int(ALIGN_RIGHT if right else ALIGN_LEFT), shown)
            x += w


def _render(rep: HoursReport, target: Path) -> int:
    pdf = html_pdf(
        target,
        f"Supervised hours log {_d(rep.start)} to {_d(rep.end)}",
        report_html(rep),
        (16, 14, 16, 12),
        9,
    )
    writer, doc, area, page_h, footer_h = pdf.writer, pdf.doc, pdf.area, pdf.page_h, pdf.footer_h
    summary_pages = max(1, doc.pageCount())
    table = _Table(rep, area.width(), page_h, writer)
    pages = summary_pages + table.pages
    painter = QPainter(writer)
    try:
        footer_font = QFont("DejaVu Sans", 7)
        footer = QRectF(0, page_h, area.width(), footer_h)
        for i in range(pages):
            if i:
                writer.newPage()
            if i < summary_pages:
                painter.save()
                painter.translate(0, -i * page_h)
                doc.drawContents(painter, QRectF(0, i * page_h, area.width(), page_h))
                painter.restore()
            else:
                table.draw_page(painter, i - summary_pages)
            painter.setFont(footer_font)
            painter.setPen(Qt.GlobalColor.darkGray)
            painter.drawText(
                footer,
                int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft),
                f"{rep.candidate} · hours {_d(rep.start)} to {_d(rep.end)}",
            )
            painter.drawText(
                footer,
                int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight),
                f"page {i + 1} of {pages}",
            )
    finally:
        painter.end()
    return pages
