"""The tray icon: the next session in its menu, close-to-tray, and start at login.

Close-to-tray and start-at-login are desktop preferences (QSettings), not practice data.
Start at login writes an XDG autostart entry (``$XDG_CONFIG_HOME/autostart/consultory.desktop``)
on Linux; elsewhere the option says it is unavailable.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QSystemTrayIcon

from app.services import reminders as rs
from ui.context import AppContext

CLOSE_TO_TRAY_KEY = "tray/close_to_tray"
AUTOSTART_NAME = "consultory.desktop"


def close_to_tray_enabled() -> bool:
    return str(QSettings().value(CLOSE_TO_TRAY_KEY, "true")).lower() in ("true", "1")


def set_close_to_tray(on: bool) -> None:
    QSettings().setValue(CLOSE_TO_TRAY_KEY, "true" if on else "false")


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


# --- XDG autostart ------------------------------------------------------------------------


def autostart_supported() -> bool:
    return sys.platform.startswith("linux")


def autostart_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / AUTOSTART_NAME


def autostart_command(data_dir: Path | None = None) -> str:
    exe = shutil.which("consultory")
    parts = [exe] if exe else [sys.executable, "-m", "ui.launch"]
    if data_dir is not None:
        parts += ["--data-dir", str(data_dir)]
    parts.append("--minimized")  # at login: straight to the tray, reminders armed
    return " ".join(shlex.quote(p) for p in parts)


def autostart_enabled() -> bool:
    return autostart_path().is_file()


def set_autostart(on: bool, data_dir: Path | None = None) -> Path:
    """Create or remove the autostart entry; returns its path."""
    path = autostart_path()
    if not on:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Consultory\n"
        "Comment=Consultation and supervision reminders\n"
        f"Exec={autostart_command(data_dir)}\n"
        "Icon=consultory\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n",
        encoding="utf-8",
    )
    return path


# --- the icon -----------------------------------------------------------------------------


def _icon() -> QIcon:
    app_icon = QApplication.windowIcon()
    if not app_icon.isNull():
        return app_icon
    pm = QPixmap(32, 32)
    pm.fill(QColor(0, 0, 0, 0))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#3b7dd8"))
    p.setPen(QColor("#3b7dd8"))
    p.drawEllipse(2, 2, 28, 28)
    p.setPen(QColor("white"))
    p.drawText(pm.rect(), 0x0084, "C")  # AlignCenter
    p.end()
    return QIcon(pm)


def next_session_text(db_ctx: AppContext, now: datetime | None = None) -> str:
    nxt = rs.next_session(db_ctx.db, db_ctx.me_id, now or db_ctx.clock.now())
    if nxt is None:
        return "No upcoming sessions"
    from ui.pages.today import local_zone
    from ui.reminders import fmt_when

    now = now or db_ctx.clock.now()
    return f"Next: {nxt.title} — {fmt_when(nxt.start_utc, local_zone(db_ctx), now)}"


class TrayController(QObject):
    """Owns the QSystemTrayIcon. ``open_requested`` asks to show the window."""

    open_requested = Signal()
    message_clicked = Signal()

    def __init__(self, ctx: AppContext, window: QMainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window = window
        self._quitting = False
        self._told_about_tray = False
        self.icon = QSystemTrayIcon(_icon(), self)
        self.icon.setToolTip("Consultory")
        self.menu = QMenu(window)
        self.next_action = QAction("No upcoming sessions", self.menu)
        self.next_action.setEnabled(False)
        self.menu.addAction(self.next_action)
        self.menu.addSeparator()
        self.open_action = QAction("&Open Consultory", self.menu)
        self.open_action.triggered.connect(self._on_open_action_triggered)
        self.menu.addAction(self.open_action)
        self.quit_action = QAction("&Quit Consultory", self.menu)
        self.quit_action.triggered.connect(self._on_quit_action_triggered)
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.icon.messageClicked.connect(self.message_clicked)
        self.menu.aboutToShow.connect(self.refresh)
        window.installEventFilter(self)
        self.refresh()
        if tray_available():
            self.icon.show()
        self._apply_quit_policy()

    def unavailable_reason(self) -> str | None:
        if not tray_available():
            return "no system tray on this desktop"
        if not QSystemTrayIcon.supportsMessages():
            return "the system tray does not show messages"
        return None

    def show_message(self, title: str, body: str) -> bool:
        if self.unavailable_reason() is not None:
            return False
        self.icon.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 15000)
        return True

    def refresh(self) -> None:
        text = next_session_text(self.ctx)
        self.next_action.setText(text)
        self.icon.setToolTip(f"Consultory\n{text}")

    def _apply_quit_policy(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(not self.keeps_running())

    def keeps_running(self) -> bool:
        return tray_available() and close_to_tray_enabled()

    def settings_changed(self) -> None:
        self._apply_quit_policy()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.window
            and event.type() == QEvent.Type.Close
            and not self._quitting
            and self.keeps_running()
        ):
            event.ignore()
            self.window.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.show_message(
                    "Consultory is still running",
                    "Reminders keep coming. Quit from the tray icon's menu.",
                )
            return True
        return False

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def _on_open_action_triggered(self) -> None:
        self.open_requested.emit()

    def _on_quit_action_triggered(self) -> None:
        self._quitting = True
        if self.window.close():
            app = QApplication.instance()
            if app is not None:
                app.quit()
        else:
            self._quitting = False
