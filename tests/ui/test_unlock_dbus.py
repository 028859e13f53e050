"""The screen-lock signal over a real D-Bus session bus (a private one, started for the test)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget
    from app.services import security
    from ui.context import AppContext
    from ui.lock import LockController

    app = QApplication([])
    p = "screen lock passphrase test"
    created = security.create_store(Path(sys.argv[1]), p, p)
    ctx = AppContext(created.db, created.db.clock)
    win = QWidget()
    win.show()
    lock = LockController(ctx, win, quit_app=lambda: None)
    print("signals", lock.platform_signals, flush=True)
    lock.locked.connect(lambda why: (print("locked", why, flush=True), app.quit()))
    send = ["dbus-send", "--session", "--type=signal", "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"]
    QTimer.singleShot(200, lambda: subprocess.run(send, check=True))
    QTimer.singleShot(8000, app.quit)
    app.exec()
    """
)


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("dbus-send")),
    reason="needs dbus-run-session and dbus-send (Debian package dbus)",
)
def test_screen_saver_activation_on_the_session_bus_locks_the_store(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CONSULTORY_TEST_FAST_KDF="1")
    r = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", SCRIPT, str(tmp_path / "d")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "'screen lock'" in r.stdout, r.stdout + r.stderr
    assert "locked screen" in r.stdout, r.stdout + r.stderr
