"""Auto-lock and automatic backups for the desktop app.

``install(ctx, window)`` (called by ui/main.py after the first paint) returns a
``LockController`` that locks an encrypted store:

* after the configured idle time (Settings › Security; default 10 minutes; 0 = never),
* when the desktop's screen saver / screen lock activates (``org.freedesktop.ScreenSaver``
  ``ActiveChanged`` on the session bus) or the machine prepares to sleep (logind
  ``PrepareForSleep`` on the system bus), where QtDBus can reach them,
* after a wall-clock jump that the monotonic clock did not see (a suspend nobody signalled),
* or on Ctrl+Shift+L.

Locking saves drafts first (each page's ``save_changes`` when it ``has_unsaved_changes``),
hides every window, disposes the engine and drops the key; unlocking reopens the store,
shows the windows again on the same section, and asks pages to refresh. A demo or other
unencrypted database has nothing to lock: the controller stays idle and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import SLOT, QCoreApplication, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from app.errors import ConsultoryError
from app.services import security
from ui.context import AppContext

CHECK_INTERVAL_MS = 15_000
BACKUP_CHECK_MS = 30 * 60_000
SLEEP_GAP_S = 120.0
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class LockController(QObject):
    locked = Signal(str)  # reason: "idle", "screen", "sleep", "manual"
    unlocked = Signal()
    backup_written = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        window: QWidget,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        use_dbus: bool = True,
        quit_app: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(window)
        self.ctx = ctx
        self.window = window
        self._monotonic = monotonic
        self._wall = wall
        self._quit_app = quit_app or (lambda: QCoreApplication.exit(0))
        self._last_activity = monotonic()
        self._last_tick = (monotonic(), wall())
        self.is_locked = False
        self.unlock_dialog: Any = None
        self._hidden: list[QWidget] = []
        self.guard = security.UnlockGuard()
        self.platform_signals: list[str] = []
        self.idle_minutes = 0
        self.reload_settings()

        self._check = QTimer(self)
        self._check.setInterval(CHECK_INTERVAL_MS)
        self._check.timeout.connect(self._on_check_timeout)
        self._backup = QTimer(self)
        self._backup.setInterval(BACKUP_CHECK_MS)
        self._backup.timeout.connect(self._on_backup_timeout)
        self.lock_action = QAction("Lock now", window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.lock_action.triggered.connect(self._on_lock_action_triggered)
        window.addAction(self.lock_action)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        if self.enabled:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self._check.start()
            if use_dbus:
                self._connect_platform_signals()
        self._backup.start()
        QTimer.singleShot(0, self._on_backup_timeout)

    @property
    def enabled(self) -> bool:
        """Only an encrypted store can be locked."""
        return bool(self.ctx.db.encrypted)

    def reload_settings(self) -> None:
        if self.is_locked:
            return
        try:
            self.idle_minutes = security.get_settings(self.ctx.db).idle_lock_minutes
        except ConsultoryError:
            self.idle_minutes = security.DEFAULT_IDLE_MINUTES

    # --- activity and timers -----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in ACTIVITY_EVENTS and not self.is_locked:
            self._last_activity = self._monotonic()
        return False

    def note_activity(self) -> None:
        self._last_activity = self._monotonic()

    def _on_check_timeout(self) -> None:
        self.check()

    def check(self) -> None:
        """Lock if idle too long, or if the wall clock jumped (the machine slept)."""
        mono, wall = self._monotonic(), self._wall()
        prev_mono, prev_wall = self._last_tick
        self._last_tick = (mono, wall)
        if self.is_locked or not self.enabled:
            return
        if (wall - prev_wall) - (mono - prev_mono) > SLEEP_GAP_S:
            self.lock("sleep")
            return
        if self.idle_minutes > 0 and mono - self._last_activity >= self.idle_minutes * 60:
            self.lock("idle")

    def _on_backup_timeout(self) -> None:
        if self.is_locked:
            return
        try:
            info = security.auto_backup_if_due(self.ctx.db)
        except ConsultoryError:
            return  # shown in Settings › Security as the last backup's age
        if info is not None:
            self.backup_written.emit(str(info.path))

    def _on_ctx_data_changed(self, area: str) -> None:
        if area in ("settings", "security"):
            self.reload_settings()

    def _on_lock_action_triggered(self) -> None:
        self.lock("manual")

    # --- platform signals --------------------------------------------------------------

    def _connect_platform_signals(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        # An empty service matches whichever process owns the name (its unique bus name).
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            hooked = [
                session.connect(  # type: ignore[call-overload]
                    "",
                    path,
                    iface,
                    "ActiveChanged",
                    self,
                    SLOT("_on_screensaver_active_changed(bool)"),
                )
                for path, iface in (
                    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
                    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
                    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
                )
            ]
            if any(hooked):
                self.platform_signals.append("screen lock")
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            "",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            SLOT("_on_login1_prepare_for_sleep(bool)"),
        ):
            self.platform_signals.append("sleep")

    @Slot(bool)
    def _on_screensaver_active_changed(self, active: bool) -> None:
        if active:
            self.lock("screen")

    @Slot(bool)
    def _on_login1_prepare_for_sleep(self, going: bool) -> None:
        if going:
            self.lock("sleep")

    def describe(self) -> str:
        if not self.enabled:
            return "This database is not encrypted (demo data), so there is nothing to lock."
        when = [f"after {self.idle_minutes} idle minutes"] if self.idle_minutes else []
        when += [f"on {s}" for s in self.platform_signals]
        when.append("when the computer wakes from sleep")
        return "Locks " + ", ".join(when) + ", and on Ctrl+Shift+L."

    # --- locking -----------------------------------------------------------------------

    def _save_drafts(self) -> None:
        pages = getattr(self.window, "unsaved_pages", None)
        if pages is None:
            return
        for _key, page in pages():
            save = getattr(page, "save_changes", None)
            if save is not None:
                try:
                    save()  # a failed save keeps the typed text in the (hidden) widget
                except ConsultoryError:
                    pass

    def lock(self, reason: str = "manual") -> None:
        if self.is_locked or not self.enabled:
            return
        self._save_drafts()
        self.is_locked = True
        self._hidden = [
            w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not self.window
        ]
        if self.window.isVisible():
            self._hidden.insert(0, self.window)
        for w in self._hidden:
            w.hide()
        self.ctx.db.dispose()  # closes connections and zeroes the key
        self.locked.emit(reason)
        self._show_unlock()

    def _show_unlock(self) -> None:
        from ui.unlock import UnlockDialog

        dlg = UnlockDialog(
            self.ctx.db.data_dir, self.ctx.clock, self.window, guard=self.guard, locked=True
        )
        self.unlock_dialog = dlg
        dlg.finished.connect(self._on_unlock_dialog_finished)
        dlg.show()
        dlg.raise_()
        dlg.activateWindow()

    def _on_unlock_dialog_finished(self, _result: int) -> None:
        dlg = self.unlock_dialog
        self.unlock_dialog = None
        if dlg is None:
            return
        db = dlg.database
        dlg.deleteLater()
        if db is None:  # Quit: leave without touching the disposed store
            self._quit_app()
            return
        self.ctx.db = db
        self.is_locked = False
        self._last_activity = self._monotonic()
        self._last_tick = (self._monotonic(), self._wall())
        for w in self._hidden:
            w.show()
        self._hidden = []
        self.reload_settings()
        self.unlocked.emit()
        self.ctx.notify_changed("security")


def install(ctx: AppContext, window: QWidget) -> LockController:
    return LockController(ctx, window)
