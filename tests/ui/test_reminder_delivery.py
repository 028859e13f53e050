"""The desktop side of reminders, offscreen: banner, digest, snooze, resume, timers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow

from app.clock import SYSTEM_CLOCK
from app.reminders.model import DeliveryState, ReminderKind
from app.services import reminders as rs
from app.store.database import Database
from tests.fakes import FakeClock
from tests.reminder_support import Practice, session_at, small_practice
from ui.context import AppContext
from ui.reminders import BannerAdapter, Delivery, ReminderService, make_scheduler

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def setup(db: Database, fake_clock: FakeClock, qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    p = small_practice(db)
    ctx = AppContext(db, fake_clock)
    ctx.me_id = p.me
    window = QMainWindow()
    qtbot.addWidget(window)
    mono = FakeMonotonic()
    log = tmp_path / "notify.jsonl"
    service = ReminderService(ctx, window, monotonic=mono, notify_log=str(log))
    yield p, ctx, window, service, mono, log
    service.stop()


def _lines(log: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def test_on_time_reminder_shows_banner_and_logs_one_line(setup, fake_clock, db) -> None:  # type: ignore[no-untyped-def]
    p, ctx, window, service, _mono, log = setup
    start = T0 + timedelta(hours=1)
    session_at(db, p, start)
    service.start()
    assert service.banner is not None and service.banner.items() == []
    fake_clock.set(start - timedelta(minutes=15))
    service.check()
    items = service.banner.items()
    assert [i.headline for i in items] == [ReminderKind.BEFORE_START.label]
    assert service.banner_bar.isVisibleTo(window)
    service.check()
    lines = _lines(log)
    assert len(lines) == 1 and lines[0]["kind"] == "before_start" and not lines[0]["via_digest"]
    assert lines[0]["adapter"] == "banner"
    assert lines[0]["due_at"] == (start - timedelta(minutes=15)).isoformat()


def test_banner_snooze_brings_it_back_and_acknowledge_clears_it(setup, fake_clock, db) -> None:  # type: ignore[no-untyped-def]
    p, ctx, window, service, _mono, log = setup
    start = T0 + timedelta(hours=1)
    session_at(db, p, start)
    service.start()
    fake_clock.set(start - timedelta(minutes=15))
    service.check()
    key = service.banner.current().key
    service.banner.snooze_buttons[5].click()
    assert service.banner.items() == []
    info = rs.get_delivery(db, key)
    assert info is not None and info.state is DeliveryState.SNOOZED
    fake_clock.advance(minutes=5)
    service.check()
    assert [i.key for i in service.banner.items()] == [key]
    service.banner.ack_button.click()
    assert service.banner.items() == [] and not service.banner_bar.isVisibleTo(window)
    info = rs.get_delivery(db, key)
    assert info is not None and info.state is DeliveryState.ACKNOWLEDGED


def test_startup_digest_lists_late_and_missed_once(
    setup, fake_clock, db, qtbot, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    p, ctx, window, service, _mono, log = setup
    session_at(db, p, T0 + timedelta(hours=3), title="Over by now")
    session_at(db, p, T0 + timedelta(days=1, hours=2), title="Still ahead")
    rs.take_due(db, p.me)  # the previous run
    fake_clock.set(T0 + timedelta(days=1, hours=1, minutes=50))
    with qtbot.waitSignal(service.digest_shown, timeout=2000) as blocker:
        service.start()
    keys = blocker.args[0]
    dlg = service.digest_dialog
    assert dlg is not None and dlg.isVisible()
    qtmodeltester.check(dlg.model)
    missed = [dlg.model.row_at(i).missed for i in range(dlg.model.rowCount())]
    assert sorted(missed) == [False, False, True]  # the first one's evening-before predates
    assert len(keys) == 3 and all(line["via_digest"] for line in _lines(log))
    ahead = [i.key for i in service.banner.items()]
    assert len(ahead) == 2
    dlg.ack_button.click()
    assert service.banner.items() == []
    service.check()
    assert len(_lines(log)) == 3


def test_wall_clock_jump_is_a_resume_and_brings_the_digest(setup, fake_clock, db) -> None:  # type: ignore[no-untyped-def]
    p, ctx, window, service, mono, log = setup
    session_at(db, p, T0 + timedelta(hours=10))
    service.start()
    mono.t += 10
    fake_clock.advance(seconds=10)
    service._on_watchdog_timeout()
    assert service.digest_dialog is None
    fake_clock.advance(hours=9, minutes=50)  # asleep: the monotonic clock did not move
    mono.t += 10
    reasons: list[str] = []
    service.resume_detected.connect(reasons.append)
    service._on_watchdog_timeout()
    assert reasons == ["wall_clock_jump"]
    assert service.digest_dialog is not None and service.digest_dialog.model.rowCount() == 1


def test_clock_set_back_is_detected_and_rearms(setup, fake_clock, db) -> None:  # type: ignore[no-untyped-def]
    p, ctx, window, service, mono, log = setup
    service.start()
    reasons: list[str] = []
    service.resume_detected.connect(reasons.append)
    fake_clock.advance(hours=-2)
    service._on_watchdog_timeout()
    assert reasons == ["clock_back"]


def test_jobs_are_rebuilt_from_rows_after_a_change_and_only_near_horizon(
    setup,
    fake_clock,
    db,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    p, ctx, window, service, _mono, _log = setup
    service.start()
    assert service.armed_instants() == []
    session_at(db, p, T0 + timedelta(hours=5))
    session_at(db, p, T0 + timedelta(days=20))
    with qtbot.waitSignal(service.jobs_rebuilt, timeout=2000) as blocker:
        ctx.notify_changed("schedule")
    assert blocker.args == [1]  # 15 min before today's; its evening-before has passed
    job = service.scheduler.get_jobs()[0]
    assert job.misfire_grace_time == 6 * 3600 and job.coalesce is True


def test_scheduler_fires_on_the_gui_thread_on_time(db: Database, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p: Practice = small_practice(db)
    ctx = AppContext(db, SYSTEM_CLOCK)
    ctx.me_id = p.me
    window = QMainWindow()
    qtbot.addWidget(window)
    log = tmp_path / "n.jsonl"
    service = ReminderService(ctx, window, notify_log=str(log))
    now = datetime.now(UTC)
    session_at(db, p, now + timedelta(minutes=15, seconds=1))
    try:
        service.start()
        assert service.armed_instants()
        with qtbot.waitSignal(service.reminders_delivered, timeout=4000) as blocker:
            pass
        line = _lines(log)[0]
        assert line["reminder_id"] == blocker.args[0][0]
        late = datetime.fromisoformat(str(line["delivered_at"])) - datetime.fromisoformat(
            str(line["due_at"])
        )
        assert timedelta(0) <= late < timedelta(seconds=1)
    finally:
        service.stop()


def test_delivery_uses_adapters_in_order_and_reports_unavailable(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.reminders import Adapter, Notice

    class Down(Adapter):
        name = "down"

        def unavailable_reason(self) -> str | None:
            return "not here"

        def notify(self, notice: Notice) -> bool:
            raise AssertionError("must not be called")

    class Refuses(Adapter):
        name = "refuses"

        def notify(self, notice: Notice) -> bool:
            return False

    d = Delivery([Down(), Refuses(), BannerAdapter(None), BannerAdapter(object())])  # type: ignore[arg-type]
    assert d.deliver(Notice("k", "s", "b")) == "banner"
    assert d.status()[0] == ("down", "not here")
    assert d.status()[2] == ("banner", "no main window")


def test_scheduler_has_explicit_misfire_and_coalesce(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject

    owner = QObject()
    s = make_scheduler(owner)
    assert s._job_defaults["misfire_grace_time"] == 6 * 3600
    assert s._job_defaults["coalesce"] is True


def test_install_on_the_real_main_window_adds_banner_and_tray(db, fake_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.main import create_main_window
    from ui.reminders import install
    from ui.tray import next_session_text

    p = small_practice(db)
    session_at(db, p, T0 + timedelta(days=1), title="Tomorrow's peer group")
    ctx = AppContext(db, fake_clock)
    ctx.me_id = p.me
    window = create_main_window(ctx)
    qtbot.addWidget(window)
    service = install(ctx, window)
    try:
        assert service.banner is not None and service.tray is not None
        assert service.scheduler.running and service.armed_instants()
        assert next_session_text(ctx).startswith("Next: Tomorrow's peer group — Tomorrow ")
        assert service.tray.next_action.text().startswith("Next: ")
        names = [n for n, _ in service.delivery.status()]
        assert names == ["dbus", "tray", "banner"]
        assert dict(service.delivery.status())["banner"] is None
        fake_clock.set(T0 + timedelta(days=1) - timedelta(minutes=15))
        service.check()
        assert service.banner is not None
        item = service.banner.current()
        assert item is not None and item.can_open
        service.banner.open_button.click()  # "clicking it opens the session"
        assert window.current_section() == "calendar"
    finally:
        service.stop()


def test_time_zone_change_is_detected_and_rearms(setup, fake_clock, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ui.reminders as ur

    p, ctx, window, service, mono, log = setup
    service.start()
    reasons: list[str] = []
    service.resume_detected.connect(reasons.append)
    monkeypatch.setattr(ur, "_tz_signature", lambda: ("XYZ", 12345))
    rebuilt: list[int] = []
    service.jobs_rebuilt.connect(rebuilt.append)
    service._on_watchdog_timeout()
    assert reasons == ["tz"] and rebuilt


def test_close_keeps_running_in_the_tray_when_chosen(db, fake_clock, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    import ui.tray as tray

    monkeypatch.setattr(tray, "tray_available", lambda: True)
    monkeypatch.setattr(tray, "close_to_tray_enabled", lambda: True)
    p = small_practice(db)
    ctx = AppContext(db, fake_clock)
    ctx.me_id = p.me
    window = QMainWindow()
    qtbot.addWidget(window)
    controller = tray.TrayController(ctx, window, window)
    window.show()
    assert QApplication.instance().quitOnLastWindowClosed() is False  # type: ignore[union-attr]
    assert window.close() is False and not window.isVisible()  # hidden, still running
    monkeypatch.setattr(tray, "close_to_tray_enabled", lambda: False)
    controller.settings_changed()
    window.show()
    assert window.close() is True
    assert QApplication.instance().quitOnLastWindowClosed() is True  # type: ignore[union-attr]


def test_locking_suspends_reminders_and_unlocking_brings_the_digest(db, fake_clock, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject, Signal

    from ui.main import connect_lock_and_reminders, create_main_window
    from ui.reminders import install

    class FakeLock(QObject):
        locked = Signal(str)
        unlocked = Signal()
        unlock_dialog = None

    p = small_practice(db)
    session_at(db, p, T0 + timedelta(days=1), title="Peer group")
    ctx = AppContext(db, fake_clock)
    ctx.me_id = p.me
    window = create_main_window(ctx)
    qtbot.addWidget(window)
    service = install(ctx, window)
    lock = FakeLock(window)
    window._reminders_service = service  # type: ignore[attr-defined]
    window._lock_service = lock  # type: ignore[attr-defined]
    connect_lock_and_reminders(window)
    blocked: list[bool] = []
    service.open_blocked.connect(lambda: blocked.append(True))
    try:
        lock.locked.emit("idle")
        assert service.suspended
        fake_clock.set(T0 + timedelta(days=1) - timedelta(minutes=14))
        assert service.check() is None  # nothing touches the locked store
        window.hide()
        service.open_session("")
        assert blocked == [True] and not window.isVisible()
        lock.unlocked.emit()
        assert not service.suspended
        due = rs.outstanding(db, p.me, fake_clock.now())
        assert due, "what fell due while locked is delivered after unlocking"
    finally:
        service.stop()
