"""Desktop bootstrap: QApplication, theme, database, first run, main window.

Start-up order is tuned to paint first: the window (with the Today page's frame) is shown,
and data is loaded on the next event-loop turn. ``--quit-when-ready`` quits once Today is
populated; with ``CONSULTORY_TIMING=1`` the moments of first paint and of a populated Today
are printed to stderr as ``consultory-timing <event> <unix time>`` for the benchmark.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import APP_NAME, __version__
from app.clock import SYSTEM_CLOCK, Clock
from app.errors import ConsultoryError
from app.paths import default_demo_dir, is_demo_dir
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.theme import apply_theme, confirm_theme, follow_system

if TYPE_CHECKING:  # the store imports SQLAlchemy, which loads after the first paint
    from app.store.database import Database


def _timing(event: str) -> None:
    if os.environ.get("CONSULTORY_TIMING"):
        print(f"consultory-timing {event} {time.time():.6f}", file=sys.stderr, flush=True)


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        app = QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("consultory")
    return app


def wire_window(window: MainWindow, ctx: AppContext) -> None:
    """Attach the open database to the window and connect Today's navigation."""
    window.attach(ctx)
    today = window.page("today")
    nav = getattr(today, "navigate_requested", None)
    if nav is not None:
        nav.connect(window.open_target)
    occ = getattr(today, "occurrence_activated", None)
    if occ is not None:
        occ.connect(lambda sid, rid: window.open_target(f"calendar:{sid}:{rid.isoformat()}"))
    att = getattr(today, "attendance_requested", None)
    if att is not None:
        att.connect(lambda sid, rid: open_attendance(ctx, window, sid, rid))
    window.show_section("today")


def open_attendance(ctx: AppContext, window: MainWindow, series_id: int, rid: object) -> None:
    """Take (or correct) attendance for one occurrence."""
    from ui.attendance import AttendanceDialog

    dialog = AttendanceDialog(ctx, series_id, rid, window)
    dialog.exec()
    dialog.deleteLater()
    ctx.notify_changed("attendance")


def create_main_window(ctx: AppContext, parent: QWidget | None = None) -> MainWindow:
    """The main window on Today, wired; used by tests and the screenshot tool."""
    window = MainWindow(None, parent)
    wire_window(window, ctx)
    return window


def open_data(args: argparse.Namespace, clock: Clock) -> Database | None:
    """Open the database the arguments point at; None if the user cancelled unlocking."""
    from app.store.database import open_database

    _timing("store-imported")
    if args.demo:
        target = Path(args.data_dir) if args.data_dir else default_demo_dir()
        if not is_demo_dir(target):
            if target.exists() and any(target.iterdir()):
                raise ConsultoryError(
                    f"{target} holds data that is not a demo practice; refusing to touch it."
                )
            from app.demo import build_demo

            build_demo(target, years=3)
        return open_database(target, clock=clock)
    data_dir = Path(args.data_dir) if args.data_dir else None
    if os.environ.get("CONSULTORY_PASSPHRASE"):
        # automation (tests, scripted starts): unlock or create headlessly, as the CLI does
        from app.cli.cmd_security import open_unlocked

        return open_unlocked(data_dir)
    try:
        from ui.unlock import obtain_database  # encrypted storage, when available
    except ModuleNotFoundError as exc:
        if exc.name != "ui.unlock":
            raise
        return open_database(data_dir, clock=clock)
    from app.paths import default_data_dir

    return obtain_database(data_dir or default_data_dir(), clock, None)


def run_gui(args: argparse.Namespace, clock: Clock = SYSTEM_CLOCK) -> int:
    """Paint first: show the window shell, then open the data and fill it."""
    app = make_app()
    settings = QSettings()
    theme = str(settings.value("appearance/theme", "system"))
    if os.environ.get("CONSULTORY_THEME") in ("light", "dark", "system"):
        theme = os.environ["CONSULTORY_THEME"]
    apply_theme(app, theme, quick=True)
    follow_system(app, lambda: str(QSettings().value("appearance/theme", "system")))
    window = MainWindow(None, is_demo=bool(args.demo))
    window.restore_state(settings)
    window.first_painted.connect(lambda: _timing("first-paint"))
    opened: list[Database] = []

    def _open() -> None:
        confirm_theme(app, theme)  # the quick start-up guess, checked now that we painted
        code = _open_into(window, args, clock, opened)
        if code is not None:
            app.exit(code)

    window.show_section("today")
    if getattr(args, "minimized", False) and _tray_available():
        # start in the tray: nothing to paint, open the data straight away
        QTimer.singleShot(0, _open)
    else:
        window.first_painted.connect(lambda: QTimer.singleShot(0, _open))
        window.show()
    code = app.exec()
    _end_startup_gc_pause()
    for db in opened:
        db.dispose()
    return int(code)


def _end_startup_gc_pause() -> None:
    """Re-enable the garbage collector paused in ui.launch for start-up; objects made so
    far are long-lived, so freeze them out of future collections."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _tray_available() -> bool:
    from PySide6.QtWidgets import QSystemTrayIcon

    return QSystemTrayIcon.isSystemTrayAvailable()


def _open_into(
    window: MainWindow, args: argparse.Namespace, clock: Clock, opened: list[Database]
) -> int | None:
    """Open the database into the painted window; an exit code if the app must stop."""
    app = QApplication.instance()
    _timing("open-start")
    try:
        db = open_data(args, clock)
    except ConsultoryError as exc:
        if args.quit_when_ready:
            print(f"consultory: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(window, "Consultory cannot open your data", str(exc))
        return 2
    if db is None:
        return 1
    opened.append(db)
    _timing("db-opened")
    from app.services.today import read_me

    ctx = AppContext(db, clock, app)
    with db.engine.connect() as conn:
        me = read_me(conn)
    if me is None:
        from ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(ctx, window)
        if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
            return 0
    else:
        ctx.me_id = me.id
    _timing("me-resolved")
    window.attach(ctx)  # pages are built from here on
    today = window.page("today")
    ready = getattr(today, "page_ready", None)
    if ready is not None:
        ready.connect(lambda: _timing("today-ready"))
        ready.connect(_end_startup_gc_pause)
        if args.quit_when_ready:
            ready.connect(lambda: QTimer.singleShot(0, window.close))
            ready.connect(lambda: QTimer.singleShot(0, QApplication.quit))
        else:
            # reminders, tray and auto-lock are not needed to show Today: load them after
            once: list[bool] = []

            def _later() -> None:
                if not once:
                    once.append(True)
                    _after_first_paint(ctx, window)

            ready.connect(lambda: QTimer.singleShot(0, _later))
    wire_window(window, ctx)
    return None


def _after_first_paint(ctx: AppContext, window: MainWindow) -> None:
    """Things the first screen does not need: reminders, tray, auto-lock."""
    for module_name, func in (("ui.reminders", "install"), ("ui.lock", "install")):
        try:
            module = __import__(module_name, fromlist=[func])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        installer = getattr(module, func, None)
        if installer is not None:
            window.setProperty(f"installed_{module_name}", True)
            service = installer(ctx, window)
            setattr(window, f"_{module_name.split('.')[-1]}_service", service)
    connect_lock_and_reminders(window)


def connect_lock_and_reminders(window: MainWindow) -> None:
    """While the store is locked, reminders wait (they come as a digest after unlocking)
    and nothing — not the tray, not a reminder — shows the window past the lock."""
    lock = getattr(window, "_lock_service", None)
    reminders = getattr(window, "_reminders_service", None)
    if lock is None or reminders is None:
        return
    lock.locked.connect(lambda _reason: reminders.suspend())
    lock.unlocked.connect(reminders.resume)

    def _raise_unlock() -> None:
        dialog = getattr(lock, "unlock_dialog", None)
        if dialog is not None:
            dialog.raise_()
            dialog.activateWindow()

    reminders.open_blocked.connect(_raise_unlock)
