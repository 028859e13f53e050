"""Reminder delivery state with a FakeClock and a real database: on time, never twice,
the digest after a restart, a resume gap, snooze, clock changes, settings, cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import ValidationError
from app.reminders.model import DeliveryState, ReminderKind
from app.services import attention, sessions
from app.services import reminders as rs
from app.store.database import Database, open_database
from app.store.engine import transaction
from app.store.models import Attendance, AttendanceStatus
from tests.fakes import FakeClock
from tests.reminder_support import make_presenter, session_at, small_practice

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # the FakeClock's start


def test_reminder_is_delivered_on_time_and_never_twice(db: Database, fake_clock: FakeClock) -> None:
    p = small_practice(db)
    start = T0 + timedelta(hours=2)
    session_at(db, p, start)
    rs.take_due(db, p.me)
    fake_clock.set(start - timedelta(minutes=15))
    first = rs.take_due(db, p.me)
    assert [(d.reminder.kind, d.late) for d in first.items] == [(ReminderKind.BEFORE_START, False)]
    assert first.on_time and not first.digest
    assert rs.take_due(db, p.me).items == ()
    fake_clock.advance(seconds=30)
    assert rs.take_due(db, p.me).items == ()
    info = rs.get_delivery(db, first.items[0].key)
    assert info is not None and info.state is DeliveryState.DELIVERED and not info.via_digest


def test_reminder_due_while_closed_appears_in_startup_digest(
    db: Database, fake_clock: FakeClock, data_dir: object
) -> None:
    p = small_practice(db)
    start = T0 + timedelta(days=1, hours=3)
    session_at(db, p, start)
    rs.take_due(db, p.me)  # the app ran once, then closed
    db.dispose()
    fake_clock.set(start - timedelta(minutes=5))  # evening-before and 15-min passed meanwhile
    reopened = open_database(db.data_dir, clock=fake_clock)
    try:
        res = rs.take_due(reopened, p.me)
        assert {d.reminder.kind for d in res.digest} == {
            ReminderKind.EVENING_BEFORE,
            ReminderKind.BEFORE_START,
        }
        assert not res.on_time and not any(d.obsolete for d in res.items)
        assert all(rs.get_delivery(reopened, d.key).via_digest for d in res.items)  # type: ignore[union-attr]
        assert rs.take_due(reopened, p.me).items == ()
    finally:
        reopened.dispose()


def test_obsolete_reminder_is_recorded_as_missed_not_fired(
    db: Database, fake_clock: FakeClock
) -> None:
    p = small_practice(db)
    start = T0 + timedelta(hours=5)
    session_at(db, p, start, minutes=60)
    rs.take_due(db, p.me)
    fake_clock.set(start + timedelta(hours=2))  # asleep through the whole session
    res = rs.take_due(db, p.me)
    assert [d.obsolete for d in res.digest] == [True]
    info = rs.get_delivery(db, res.digest[0].key)
    assert info is not None and info.state is DeliveryState.MISSED


def test_resume_gap_brings_everything_since_into_one_digest_once(
    db: Database, fake_clock: FakeClock
) -> None:
    p = small_practice(db)
    for h in (20, 44, 68):
        session_at(db, p, T0 + timedelta(hours=h), title=f"Session {h}")
    rs.take_due(db, p.me)
    fake_clock.advance(hours=1)
    assert rs.take_due(db, p.me).items == ()
    fake_clock.advance(hours=60)  # the laptop was closed for 2.5 days
    res = rs.take_due(db, p.me)
    assert len(res.digest) == 5 and res.on_time == []
    assert sum(d.obsolete for d in res.digest) == 4  # the first two sessions are over
    assert rs.take_due(db, p.me).items == ()


def test_dst_evening_before_fires_at_1700_local_after_spring_forward(
    db: Database, fake_clock: FakeClock
) -> None:
    p = small_practice(db, tz="America/New_York")
    fake_clock.set(datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    start = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # Monday 12:00 EDT
    session_at(db, p, start)
    rs.take_due(db, p.me)
    wake = rs.next_wakeups(db, p.me, horizon=timedelta(days=3))
    assert datetime(2026, 3, 8, 21, 0, tzinfo=UTC) in wake  # 17:00 EDT, not 22:00Z
    fake_clock.set(datetime(2026, 3, 8, 21, 0, tzinfo=UTC))
    assert [d.reminder.kind for d in rs.take_due(db, p.me).on_time] == [ReminderKind.EVENING_BEFORE]


def test_quiet_hours_move_the_reminder(db: Database, fake_clock: FakeClock) -> None:
    p = small_practice(db, tz="UTC")
    rs.save_setting(db, p.me, "general", quiet_start="12:00", quiet_end="15:00")
    start = T0 + timedelta(minutes=50)  # 14:50Z; 15 min before = 14:35, quiet until 15:00
    session_at(db, p, start)
    rs.take_due(db, p.me)
    wake = rs.next_wakeups(db, p.me)
    assert start - timedelta(minutes=15) not in wake
    # deferring past the start is pointless, so it comes before quiet hours began
    planned = rs.plan(db, p.me, T0 - timedelta(days=1), T0 + timedelta(days=1))
    bs = [r for r in planned if r.kind is ReminderKind.BEFORE_START][0]
    assert bs.due_utc == datetime(2026, 3, 2, 11, 59, tzinfo=UTC) and bs.shifted_for_quiet


def test_snooze_brings_a_reminder_back_once_after_the_delay(
    db: Database, fake_clock: FakeClock
) -> None:
    p = small_practice(db)
    start = T0 + timedelta(hours=3)
    session_at(db, p, start)
    rs.take_due(db, p.me)
    fake_clock.set(start - timedelta(minutes=15))
    key = rs.take_due(db, p.me).items[0].key
    until = rs.snooze(db, key, 5)
    assert until == fake_clock.now() + timedelta(minutes=5)
    assert rs.outstanding(db, p.me) == []
    assert until in rs.next_wakeups(db, p.me)
    fake_clock.advance(minutes=4)
    assert rs.take_due(db, p.me).items == ()
    fake_clock.advance(minutes=1)
    back = rs.take_due(db, p.me)
    assert [(d.key, d.resnoozed, d.late) for d in back.items] == [(key, True, False)]
    assert rs.take_due(db, p.me).items == ()
    assert [r.key for r in rs.outstanding(db, p.me)] == [key]
    rs.acknowledge(db, key)
    assert rs.outstanding(db, p.me) == []
    info = rs.get_delivery(db, key)
    assert info is not None and info.state is DeliveryState.ACKNOWLEDGED
    with pytest.raises(ValidationError):
        rs.snooze(db, key, 0)


def test_clock_set_back_resets_the_watermark_without_redelivering(
    db: Database, fake_clock: FakeClock
) -> None:
    p = small_practice(db)
    start = T0 + timedelta(hours=3)
    session_at(db, p, start)
    rs.take_due(db, p.me)
    fake_clock.set(start - timedelta(minutes=10))
    assert len(rs.take_due(db, p.me).items) == 1
    fake_clock.set(start - timedelta(hours=1))  # the clock went back an hour
    res = rs.take_due(db, p.me)
    assert res.clock_went_back and res.items == ()
    fake_clock.set(start - timedelta(minutes=10))
    assert rs.take_due(db, p.me).items == ()  # the 15-min reminder is not delivered twice


def test_presenter_prep_reminder_for_my_turn(db: Database, fake_clock: FakeClock) -> None:
    p = small_practice(db, tz="UTC")
    rs.save_setting(db, p.me, "presenter_prep", offset_days=2, local_time="09:00")
    start = T0 + timedelta(days=5)
    sid, rid = session_at(db, p, start)
    make_presenter(db, sid, rid, p.me)
    planned = rs.plan(db, p.me, T0, start)
    prep = [r for r in planned if r.kind is ReminderKind.PRESENTER_PREP]
    assert [r.due_utc for r in prep] == [datetime(2026, 3, 5, 9, 0, tzinfo=UTC)]


def test_coordinator_gets_reminders_only_after_opting_in(
    db: Database, fake_clock: FakeClock
) -> None:
    from app.store.models import Role

    p = small_practice(db, role=Role.COORDINATOR)
    session_at(db, p, T0 + timedelta(days=2))
    window = (T0, T0 + timedelta(days=3))
    assert rs.plan(db, p.me, *window) == []
    rs.save_setting(db, p.me, "general", include_coordinated=True)
    assert len(rs.plan(db, p.me, *window)) == 2


def test_only_the_near_horizon_is_returned_for_timers(db: Database, fake_clock: FakeClock) -> None:
    p = small_practice(db)
    session_at(db, p, T0 + timedelta(hours=10))
    session_at(db, p, T0 + timedelta(days=10))
    wake = rs.next_wakeups(db, p.me, horizon=timedelta(hours=36))
    assert wake and all(w <= T0 + timedelta(hours=36) for w in wake)


def test_settings_validate_and_upsert_one_row_per_kind(db: Database, fake_clock: FakeClock) -> None:
    p = small_practice(db)
    with pytest.raises(ValidationError) as err:
        rs.save_setting(db, p.me, "evening_before", local_time="25:99x")
    assert err.value.field == "local_time"
    with pytest.raises(ValidationError) as err:
        rs.save_setting(db, p.me, "general", quiet_start="22:00")
    assert err.value.field == "quiet_end"
    with pytest.raises(ValidationError) as err:
        rs.save_setting(db, p.me, "presenter_prep", offset_days=99)
    assert err.value.field == "offset_days"
    rs.save_setting(db, p.me, "evening_before", local_time="18:30")
    rs.save_setting(db, p.me, "evening_before", local_time="19:00")
    rs.save_setting(db, p.me, "before_start", group_id=p.group, offset_minutes=5)
    rows = rs.list_settings(db, p.me)
    assert {(r.kind, r.group_id, r.local_time) for r in rows} == {
        ("evening_before", None, "19:00"),
        ("before_start", p.group, None),
    }
    pol = rs.effective_policy(db, p.me, p.group)
    assert pol.before_start.offset_minutes == 5
    assert pol.evening_before.local_time is not None
    assert pol.evening_before.local_time.strftime("%H:%M") == "19:00"
    rs.delete_setting(db, next(r.id for r in rows if r.group_id is None))
    assert len(rs.list_settings(db, p.me)) == 1


def _attend(db: Database, series_id: int, rid: datetime, member: int, status: str) -> None:
    with transaction(db.engine) as s:
        occ = sessions.materialize(s, series_id, rid)
        s.add(Attendance(occurrence_id=occ.id or 0, member_id=member, status=status))


def test_cadence_nudge_and_today_flag_when_the_gap_exceeds_the_goal(
    db: Database, fake_clock: FakeClock
) -> None:
    p = small_practice(db, tz="UTC", goal=14)
    sid, rid = session_at(db, p, T0 + timedelta(days=1))
    _attend(db, sid, rid, p.me, AttendanceStatus.PRESENT.value)
    sid2, rid2 = session_at(db, p, T0 + timedelta(days=8), title="Absent one")
    _attend(db, sid2, rid2, p.me, AttendanceStatus.ABSENT.value)
    rs.take_due(db, p.me)
    fake_clock.set(T0 + timedelta(days=14))
    assert rs.cadence_attention(db, p.me, fake_clock.now()) == []
    rs.take_due(db, p.me)
    fake_clock.set(datetime(2026, 3, 18, 10, 0, tzinfo=UTC))  # 15 days after 3 March
    items = rs.cadence_attention(db, p.me, fake_clock.now())
    assert [i.kind for i in items] == ["cadence"] and "15 days" in items[0].detail
    assert "cadence" in [i.kind for i in attention.gather(db, p.me, fake_clock.now())]
    res = rs.take_due(db, p.me)
    assert [d.reminder.kind for d in res.on_time] == [ReminderKind.CADENCE]
    fake_clock.advance(days=3)
    assert rs.take_due(db, p.me).items == ()  # one nudge per gap


def test_next_session_for_the_tray(db: Database, fake_clock: FakeClock) -> None:
    p = small_practice(db)
    assert rs.next_session(db, p.me) is None
    session_at(db, p, T0 + timedelta(days=3), title="Later")
    session_at(db, p, T0 + timedelta(days=1), title="Sooner")
    nxt = rs.next_session(db, p.me)
    assert nxt is not None and nxt.title == "Sooner"
