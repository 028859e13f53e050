"""Shared set-up for the printable PDFs (hours report, case handout): Qt's own PDF
writer, a Letter page, and an HTML document laid out on it above a footer band."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

RESOLUTION = 300


@dataclass
class PdfPage:
    writer: QPdfWriter
    doc: QTextDocument
    area: QRectF  # the printable rectangle, in device pixels
    page_h: float  # the body's height (above the footer)
    footer_h: float


def html_pdf(
    target: Path,
    title: str,
    html: str,
    margins_mm: tuple[float, float, float, float],
    font_pt: float,
) -> PdfPage:
    """A PDF writer on ``target`` with ``html`` laid out in pages of the body's height."""
    writer = QPdfWriter(str(target))
    writer.setTitle(title)
    writer.setCreator("Consultory")
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(*margins_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDefaultFont(QFont("DejaVu Sans", font_pt))
    doc.setHtml(html)
    area = QRectF(writer.pageLayout().paintRectPixels(writer.resolution()))
    footer_h = writer.resolution() * 0.3  # 0.3 inch
    page_h = area.height() - footer_h
    doc.setPageSize(QSizeF(area.width(), page_h))
    return PdfPage(writer, doc, area, page_h, footer_h)
