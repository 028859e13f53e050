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

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import APP_NAME, __version__
from app.clock import SYSTEM_CLOCK, Clock
from app.errors import ConsultoryError
from app.paths import default_demo_dir, is_demo_dir
from app.services import practice
from app.store.database import Database, open_database
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.theme import apply_theme, follow_system


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


def create_main_window(ctx: AppContext, parent: QWidget | None = None) -> MainWindow:
    """The main window on Today, wired; used by run_gui, tests and the screenshot tool."""
    window = MainWindow(ctx, parent)
    today = window.page("today")
    nav = getattr(today, "navigate_requested", None)
    if nav is not None:
        nav.connect(window.show_section)
    window.show_section("today")
    return window


def open_data(args: argparse.Namespace, clock: Clock) -> Database | None:
    """Open the database the arguments point at; None if the user cancelled unlocking."""
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
    try:
        from ui.unlock import obtain_database  # encrypted storage, when available
    except ModuleNotFoundError as exc:
        if exc.name != "ui.unlock":
            raise
        return open_database(data_dir, clock=clock)
    from app.paths import default_data_dir

    return obtain_database(data_dir or default_data_dir(), clock, None)


def run_gui(args: argparse.Namespace, clock: Clock = SYSTEM_CLOCK) -> int:
    app = make_app()
    settings = QSettings()
    theme = str(settings.value("appearance/theme", "system"))
    if os.environ.get("CONSULTORY_THEME") in ("light", "dark", "system"):
        theme = os.environ["CONSULTORY_THEME"]
    apply_theme(app, theme)
    follow_system(app, lambda: str(QSettings().value("appearance/theme", "system")))
    try:
        db = open_data(args, clock)
    except ConsultoryError as exc:
        if args.quit_when_ready:
            print(f"consultory: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "Consultory cannot open your data", str(exc))
        return 2
    if db is None:
        return 1
    ctx = AppContext(db, clock, app)
    me = practice.get_me(db)
    if me is None:
        from ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(ctx)
        if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
            db.dispose()
            return 0
    else:
        ctx.me_id = me.id
    window = create_main_window(ctx)
    window.restore_state(settings)
    window.first_painted.connect(lambda: _timing("first-paint"))
    window.first_painted.connect(lambda: _after_first_paint(ctx, window))
    today = window.page("today")
    ready = getattr(today, "page_ready", None)
    if ready is not None:
        ready.connect(lambda: _timing("today-ready"))
        if args.quit_when_ready:
            ready.connect(lambda: QTimer.singleShot(0, app.quit))
    window.show()
    code = app.exec()
    db.dispose()
    return int(code)


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
