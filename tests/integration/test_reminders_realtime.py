"""The real app, offscreen, as a subprocess through the ``consultory`` console script:
a reminder reaches CONSULTORY_NOTIFY_LOG within a second of its due time, and one that
falls due while the app is stopped arrives in the start-up digest."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.paths import DB_FILENAME, DEMO_MARKER
from app.services.reminders import WATERMARK_KEY
from app.store.database import open_database
from tests.reminder_support import session_at, small_practice

pytestmark = pytest.mark.slow


def _app_command() -> list[str]:
    script = Path(sys.executable).with_name("consultory")
    if script.exists():
        return [str(script)]
    found = shutil.which("consultory")
    assert found, "the consultory console script is not installed (pip install -e .)"
    return [found]


def _start(data_dir: Path, log: Path, home: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        CONSULTORY_NOTIFY_LOG=str(log),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        HOME=str(home),
        DBUS_SESSION_BUS_ADDRESS="disabled:",
    )
    return subprocess.Popen(
        [*_app_command(), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stop(proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is None:
        proc.terminate()
    try:
        _out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return err.decode(errors="replace")


def _wait_line(
    log: Path, deadline: float, proc: subprocess.Popen[bytes]
) -> tuple[dict[str, Any], float]:
    while time.time() < deadline:
        if log.exists():
            text = log.read_text()
            if text.endswith("\n"):
                return json.loads(text.splitlines()[0]), time.time()
        if proc.poll() is not None:
            raise AssertionError("the app exited early: " + _stop(proc))
        time.sleep(0.02)
    raise AssertionError("no reminder reached the notify log in time")


def _watermark_set(data_dir: Path) -> bool:
    """Read-only peek (plain sqlite3, no migration check) at the app's reminder watermark."""
    uri = f"file:{data_dir / DB_FILENAME}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=5)
    try:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (WATERMARK_KEY,)).fetchone()
    finally:
        conn.close()
    return bool(row and row[0])


def _practice(data_dir: Path, due: datetime) -> int:
    # Marked as a (synthetic) demo directory so the desktop app opens it without the
    # interactive passphrase dialog that a real, encrypted practice needs.
    (data_dir / DEMO_MARKER).write_text("Synthetic reminder test data.\n")
    db = open_database(data_dir, encrypted=False)
    try:
        p = small_practice(db, tz="UTC")
        session_at(db, p, due + timedelta(minutes=15))
        return p.me
    finally:
        db.dispose()


def test_reminder_reaches_notify_log_within_one_second_of_due(
    data_dir: Path, tmp_path: Path
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=6)
    _practice(data_dir, due)
    log = tmp_path / "notify.jsonl"
    proc = _start(data_dir, log, tmp_path)
    try:
        line, seen = _wait_line(log, due.timestamp() + 15, proc)
    finally:
        _stop(proc)
    assert line["kind"] == "before_start" and line["via_digest"] is False
    assert line["due_at"] == due.isoformat()
    lag = datetime.fromisoformat(line["delivered_at"]) - due
    assert timedelta(0) <= lag < timedelta(seconds=1), lag
    assert seen - due.timestamp() < 1.0
    assert len(log.read_text().splitlines()) == 1
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_reminder_due_while_app_stopped_appears_in_digest_on_restart(
    data_dir: Path, tmp_path: Path
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=5)
    _practice(data_dir, due)
    log = tmp_path / "notify.jsonl"
    proc = _start(data_dir, log, tmp_path)
    try:
        deadline = time.time() + 15
        while not _watermark_set(data_dir):  # until the running app took its first look
            assert time.time() < deadline and proc.poll() is None, "the app did not start"
            time.sleep(0.05)
    finally:
        _stop(proc)
    assert datetime.now(UTC) < due, "the app took too long to start for this test"
    assert not log.exists()
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.3)  # let it fall due
    proc = _start(data_dir, log, tmp_path)
    try:
        line, _seen = _wait_line(log, time.time() + 15, proc)
        time.sleep(0.3)
    finally:
        _stop(proc)
    assert line["kind"] == "before_start" and line["via_digest"] is True
    assert line["state"] == "delivered"  # the session is still ahead: not missed
    assert len(log.read_text().splitlines()) == 1  # once
