"""The dark palette leaves no light-grey surfaces behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from ui.theme import apply_theme


@pytest.fixture
def app() -> Iterator[QApplication]:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    palette, sheet, style = qapp.palette(), qapp.styleSheet(), qapp.style().name()
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def test_dark_palette_has_dark_midlight_and_tab_pages(app: QApplication) -> None:
    apply_theme(app, "dark")
    p = app.palette()
    window = p.color(QPalette.ColorRole.Window).lightness()
    # progress-bar tracks use Midlight: it must stay near the window colour, not Qt's grey
    assert abs(p.color(QPalette.ColorRole.Midlight).lightness() - window) < 40
    assert "QTabWidget::pane" in app.styleSheet()
    apply_theme(app, "light")
    assert "QTabWidget::pane" not in app.styleSheet()
