"""A case presentation as a one- or two-page PDF handout for the meeting.

Export is refused unless the PHI guard is clean for the saved note (every finding
replaced or marked "not identifying"). The file is created 0600 and replaced atomically;
the export is audited by id (``security.record_event(db, "export", "case_note", id)``).
"""

from __future__ import annotations

import html
import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QRectF, QStandardPaths, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.errors import ConsultoryError, NotFoundError, ValidationError
from app.notes.guard import note_findings
from app.notes.templates import parse_sections
from app.services import notes, security
from app.services.notes import NoteInfo
from app.store.engine import touch_private
from ui.context import AppContext
from ui.hours_report import ensure_gui_app
from ui.pdf import html_pdf

CSS = """
body { font-family: 'DejaVu Sans', 'Helvetica', sans-serif; font-size: 10.5pt; color: #111; }
h1 { font-size: 17pt; margin: 0 0 2pt 0; }
p.sub { color: #555; margin: 0 0 10pt 0; }
h2 { font-size: 11.5pt; margin: 14pt 0 3pt 0; color: #1e3a5f; }
p.text { margin: 0 0 4pt 0; line-height: 135%; }
p.empty { color: #888; font-style: italic; }
p.tags { color: #555; }
td.key { color: #555; padding-right: 10pt; }
p.conf { color: #8a4b00; font-size: 8pt; margin-top: 18pt; }
"""

QUESTION_HEADINGS = {"question for the group", "question"}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _paras(text: str) -> str:
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    if not blocks:
        return "<p class='text empty'>—</p>"
    return "".join(
        "<p class='text'>" + "<br>".join(_e(line) for line in b.splitlines()) + "</p>"
        for b in blocks
    )


def template_name_and_sections(db_ctx: AppContext, n: NoteInfo) -> tuple[str, tuple[str, ...]]:
    try:
        t = notes.get_template(db_ctx.db, n.template)
    except NotFoundError:
        return "Case note", ()
    return t.name, t.sections


def handout_html(n: NoteInfo, template_name: str, sections: tuple[str, ...], on: date) -> str:
    parts = [f"<html><head><style>{CSS}</style></head><body>"]
    title = f"{_e(template_name)}: case {_e(n.alias)}"
    parts.append(f"<h1>{title}</h1>")
    sub = [_e(n.title)] if n.title else []
    if n.group_name:
        sub.append(_e(n.group_name))
    meeting = next((s for s in n.sessions if s.start_utc.date() >= on), None)  # the next one
    sub.append(f"prepared {on.isoformat()}")
    if meeting is not None:
        sub.append(f"for the session on {meeting.start_utc.date().isoformat()}")
    parts.append(f"<p class='sub'>{' · '.join(sub)}</p>")
    for heading, text in parse_sections(n.body, sections):
        if heading:
            parts.append(f"<h2>{_e(heading)}</h2>")
        body = _paras(text)
        if heading.casefold() in QUESTION_HEADINGS:
            body = (
                "<table width='100%' cellpadding='6' cellspacing='0' bgcolor='#eef4fb' "
                f"style='border: 0.6pt solid #c5d6ea'><tr><td>{body}</td></tr></table>"
            )
        parts.append(body)
    if n.tags:
        parts.append(f"<p class='tags'>Tags: {_e(', '.join(n.tags))}</p>")
    parts.append(
        "<p class='conf'>Confidential consultation material, de-identified: checked by "
        "Consultory's identifier guard before export. Please return or destroy after the "
        "meeting; do not copy or photograph.</p>"
    )
    parts.append("</body></html>")
    return "".join(parts)


def export_handout(ctx: AppContext, note_id: int, path: Path) -> int:
    """Write the handout for the saved note. Raises ValidationError if identifiers are
    unresolved. Returns the page count."""
    db = ctx.db
    n = notes.get_note(db, note_id, audit_view=False)
    left = note_findings(n.title, n.body, n.dismissed, n.alias)
    if left:
        raise ValidationError(
            "phi",
            f"The note still has {len(left)} possible identifier{'s' if len(left) != 1 else ''}."
            " Replace each one, or mark it “not identifying”, then export again.",
        )
    name, sections = template_name_and_sections(ctx, n)
    doc_html = handout_html(n, name, sections, ctx.clock.now().date())
    ensure_gui_app()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    touch_private(tmp)
    try:
        pages = _render(doc_html, f"{name}: case {n.alias}", tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    security.record_event(db, "export", "case_note", note_id)
    return pages


def _render(doc_html: str, title: str, target: Path) -> int:
    pdf = html_pdf(target, title, doc_html, (20, 18, 20, 14), 10)
    writer, doc, area, page_h, footer_h = pdf.writer, pdf.doc, pdf.area, pdf.page_h, pdf.footer_h
    pages = max(1, doc.pageCount())
    painter = QPainter(writer)
    try:
        for i in range(pages):
            if i:
                writer.newPage()
            painter.save()
            painter.translate(0, -i * page_h)
            doc.drawContents(painter, QRectF(0, i * page_h, area.width(), page_h))
            painter.restore()
            painter.setFont(QFont("DejaVu Sans", 7))
            painter.setPen(Qt.GlobalColor.darkGray)
            painter.drawText(
                QRectF(0, page_h, area.width(), footer_h),
                int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft),
                f"{title} · confidential",
            )
            painter.drawText(
                QRectF(0, page_h, area.width(), footer_h),
                int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight),
                f"page {i + 1} of {pages}",
            )
    finally:
        painter.end()
    return pages


def choose_and_export(parent: QWidget, ctx: AppContext, note_id: int) -> Path | None:
    """Ask for a file name and export; errors are shown, not raised."""
    n = notes.get_note(ctx.db, note_id, audit_view=False)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    suggested = str(Path(docs or Path.home()) / f"case-{n.alias}-handout.pdf")
    name, _ = QFileDialog.getSaveFileName(parent, "Save handout", suggested, "PDF (*.pdf)")
    if not name:
        return None
    path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    try:
        export_handout(ctx, note_id, path)
    except (ConsultoryError, OSError) as exc:
        QMessageBox.warning(parent, "Handout not saved", str(exc))
        return None
    return path
