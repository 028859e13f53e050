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


# --- the D-Bus adapter against a private session bus ---------------------------------------

FAKE_SERVER = r"""
import json, os, sys
import dbus, dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
OUT, MODE = sys.argv[1], sys.argv[2]
STRICT = MODE in ("strict", "portal")
IFACE = "org.freedesktop.Notifications"
PORTAL_IFACE = "org.freedesktop.portal.Notification"


class Server(dbus.service.Object):
    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u",
                         message_keyword="msg")
    def Notify(self, app, rid, icon, summary, body, actions, hints, timeout, msg=None):
        if STRICT and msg.get_signature() != "susssasa{sv}i":  # what GDBus servers do
            raise dbus.exceptions.DBusException(
                "wrong signature", name="org.freedesktop.DBus.Error.InvalidArgs")
        with open(OUT, "a") as fh:
            fh.write(json.dumps({"summary": str(summary), "body": str(body),
                                 "actions": [str(a) for a in actions],
                                 "timeout": int(timeout)}) + "\n")
        GLib.timeout_add(200, lambda: self.ActionInvoked(7, "default") and False)
        return dbus.UInt32(7)

    @dbus.service.signal(IFACE, signature="us")
    def ActionInvoked(self, nid, key):
        pass


class Portal(dbus.service.Object):
    @dbus.service.method(PORTAL_IFACE, in_signature="sa{sv}", out_signature="",
                         message_keyword="msg")
    def AddNotification(self, nid, notification, msg=None):
        if msg.get_signature() != "sa{sv}":
            raise dbus.exceptions.DBusException(
                "wrong signature", name="org.freedesktop.DBus.Error.InvalidArgs")
        with open(OUT, "a") as fh:
            fh.write(json.dumps({"portal": str(nid), "title": str(notification["title"]),
                                 "body": str(notification["body"])}) + "\n")
        GLib.timeout_add(200, lambda: self.ActionInvoked(nid, "open", []) and False)

    @dbus.service.signal(PORTAL_IFACE, signature="ssav")
    def ActionInvoked(self, nid, action, parameter):
        pass


bus = dbus.SessionBus()
name = dbus.service.BusName(IFACE, bus)
server = Server(bus, "/org/freedesktop/Notifications")
if MODE == "portal":
    portal_name = dbus.service.BusName("org.freedesktop.portal.Desktop", bus)
    portal = Portal(bus, "/org/freedesktop/portal/desktop")
print("ready", flush=True)
GLib.MainLoop().run()
"""

CLIENT = r"""
import json, subprocess, sys
sys.path.insert(0, sys.argv[1])
server = subprocess.Popen(["/usr/bin/python3", sys.argv[2], sys.argv[3], sys.argv[4]],
                          stdout=subprocess.PIPE)
server.stdout.readline()
from PySide6.QtCore import QCoreApplication, QTimer
from ui.reminders import DBusAdapter, Notice

app = QCoreApplication([])
adapter = DBusAdapter()
clicked = []
adapter.clicked.connect(clicked.append)
before = adapter.unavailable_reason()
shown = adapter.notify(Notice("before_start:1:2:20260302T090000", "Peer group", "Starts soon"))
QTimer.singleShot(800, app.quit)
app.exec()
server.terminate()
print(json.dumps({"before": before, "shown": shown, "after": adapter.unavailable_reason(),
                  "clicked": clicked}))
"""


def _dbus_run(tmp_path: Path, mode: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not shutil.which("dbus-run-session") or not Path("/usr/bin/python3").exists():
        pytest.skip("needs dbus-run-session and the system python3")
    probe = subprocess.run(
        ["/usr/bin/python3", "-c", "import dbus, gi"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("needs python3-dbus and python3-gi for the fake notification server")
    server, client, out = tmp_path / "server.py", tmp_path / "client.py", tmp_path / "out.jsonl"
    server.write_text(FAKE_SERVER)
    client.write_text(CLIENT)
    repo = str(Path(__file__).resolve().parents[2])
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    res = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(client), repo, str(server), str(out), mode],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout.strip().splitlines()[-1])
    lines = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
    return result, lines


def test_dbus_adapter_shows_a_persistent_notification_and_reports_clicks(tmp_path: Path) -> None:
    result, lines = _dbus_run(tmp_path, "lenient")
    assert result["before"] is None and result["shown"] is True
    assert lines == [
        {
            "summary": "Peer group",
            "body": "Starts soon",
            "actions": ["default", "Open session"],
            "timeout": 0,
        }
    ]
    assert result["clicked"] == ["before_start:1:2:20260302T090000"]


def test_dbus_adapter_says_why_when_a_strict_server_refuses_the_call(tmp_path: Path) -> None:
    result, lines = _dbus_run(tmp_path, "strict")
    assert result["shown"] is False and lines == []
    assert "refused" in result["after"] and "InvalidArgs" in result["after"]


def test_dbus_adapter_falls_back_to_the_desktop_portal_when_the_server_is_strict(
    tmp_path: Path,
) -> None:
    result, lines = _dbus_run(tmp_path, "portal")
    assert result["shown"] is True and result["after"] is None
    assert lines == [
        {"portal": "consultory-before-start-1-2-20260302T090000", "title": "Peer group",
         "body": "Starts soon"}
    ]
    assert result["clicked"] == ["before_start:1:2:20260302T090000"]
