"""Light and dark palettes. "system" follows the platform's colour scheme (Qt 6.5+)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}

_STYLE = """
QListWidget#sidebar { padding: 10px 6px; font-size: 11pt; background: palette(base);
    border-right: 1px solid palette(mid); }
QListWidget#sidebar::item { padding: 4px 8px; border-radius: 6px; color: palette(text); }
QListWidget#sidebar::item:selected { background: palette(highlight);
    color: palette(highlighted-text); }
QListWidget#sidebar::item:hover:!selected { background: palette(alternate-base); }
QLabel#fieldError { color: #d9534f; }
"""

# Fusion paints a tab page with a lightened Button colour: on the dark palette that is a
# grey slab (#4d5054) under the Profile, Appearance and Data tabs, while the scrolling
# Security and Reminders tabs show the window colour. One colour for every tab page.
_DARK_STYLE = """
QTabWidget::pane { background: palette(window); border: 1px solid palette(mid);
    top: -1px; }
"""


def _same_inactive(p: QPalette) -> QPalette:
    """Keep selections readable when the window is not focused."""
    for role in (QPalette.ColorRole.Highlight, QPalette.ColorRole.HighlightedText):
        p.setColor(QPalette.ColorGroup.Inactive, role, p.color(QPalette.ColorGroup.Active, role))
    return p


def _dark_palette() -> QPalette:
    p = QPalette()
    base = QColor(32, 33, 36)
    window = QColor(40, 42, 46)
    text = QColor(232, 234, 237)
    mid = QColor(60, 63, 68)
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(45, 47, 51))
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, mid)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor(255, 120, 120))
    p.setColor(QPalette.ColorRole.Highlight, QColor(59, 130, 246))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.Link, QColor(120, 170, 255))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(160, 164, 170))
    p.setColor(QPalette.ColorRole.Mid, mid)
    p.setColor(QPalette.ColorRole.Dark, QColor(25, 26, 28))
    p.setColor(QPalette.ColorRole.Light, QColor(70, 73, 78))
    # Unset, Midlight and Shadow keep Qt's light defaults: progress-bar tracks drawn with
    # palette(midlight) were pale grey stripes on the dark page.
    p.setColor(QPalette.ColorRole.Midlight, QColor(54, 57, 62))
    p.setColor(QPalette.ColorRole.Shadow, QColor(12, 12, 14))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 123, 128))
    # as on the light palette, a disabled button is flatter than an enabled one, not just
    # greyer text on the same raised face (Revert/Save looked clickable next to Archive)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor(47, 49, 53))
    return p


def _light_palette() -> QPalette:
    p = QPalette()
    p.setColor(QPalette.ColorRole.Window, QColor(246, 247, 249))
    p.setColor(QPalette.ColorRole.WindowText, QColor(28, 30, 33))
    p.setColor(QPalette.ColorRole.Base, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(244, 246, 250))
    p.setColor(QPalette.ColorRole.Text, QColor(28, 30, 33))
    p.setColor(QPalette.ColorRole.Button, QColor(236, 238, 242))
    p.setColor(QPalette.ColorRole.ButtonText, QColor(28, 30, 33))
    p.setColor(QPalette.ColorRole.Highlight, QColor(37, 99, 235))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(110, 115, 125))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor(255, 255, 240))
    p.setColor(QPalette.ColorRole.ToolTipText, QColor(28, 30, 33))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(160, 164, 170))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor(242, 243, 246))
    return p


_platform_dark: list[bool] = []  # the platform palette's darkness, before ours replaced it


def _platform_palette_dark() -> bool:
    if not _platform_dark:
        _platform_dark.append(QGuiApplication.palette().window().color().lightness() < 128)
    return _platform_dark[0]


def system_prefers_dark(quick: bool = False) -> bool:
    """The platform's colour scheme; ``quick`` reads only the platform palette, which needs
    none of PySide6's Qt enum namespace (about 12 ms to build) before the first paint."""
    if quick:
        return _platform_palette_dark()
    from PySide6.QtCore import Qt

    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Unknown:
        return _platform_palette_dark()
    return bool(scheme == Qt.ColorScheme.Dark)


def effective_dark(mode: str, quick: bool = False) -> bool:
    return mode == "dark" or (mode == "system" and system_prefers_dark(quick))


def apply_theme(app: QApplication, mode: str = "system", quick: bool = False) -> bool:
    """Apply the palette for ``mode``; returns True when dark. ``quick`` (start-up, before
    the first paint) judges "system" by the platform palette; call :func:`confirm_theme`
    once the window is on screen."""
    _platform_palette_dark()  # remember it before our palette replaces it
    app.setStyle("Fusion")
    dark = effective_dark(mode, quick)
    app.setProperty("consultoryDark", dark)
    app.setPalette(_same_inactive(_dark_palette() if dark else _light_palette()))
    app.setStyleSheet(_STYLE + (_DARK_STYLE if dark else ""))
    return dark


def confirm_theme(app: QApplication, mode: str) -> None:
    """After the first paint: re-apply if the colour scheme disagrees with the quick guess."""
    if effective_dark(mode) != bool(app.property("consultoryDark")):
        apply_theme(app, mode)


def follow_system(app: QApplication, mode_getter: object) -> None:
    """Re-apply when the platform's colour scheme changes and the user chose 'system'."""

    def _on_color_scheme_changed(_scheme: Qt.ColorScheme) -> None:
        mode = mode_getter() if callable(mode_getter) else "system"
        if mode == "system":
            apply_theme(app, "system")

    QGuiApplication.styleHints().colorSchemeChanged.connect(_on_color_scheme_changed)
