"""The pure planner: due times, DST, quiet hours, presenter prep, overrides, cadence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.reminders.catchup import MAX_CATCHUP, catchup_window, classify
from app.reminders.model import (
    MemberInput,
    OccurrenceInput,
    QuietHours,
    ReminderKind,
    SettingRow,
)
from app.reminders.planner import (
    MembershipInput,
    avoid_quiet,
    cadence_status,
    plan_cadence,
    plan_sessions,
)
from app.scheduling.expand import local_to_utc

NY = "America/New_York"
ME = MemberInput(id=1, timezone=NY)
PEER = {10: MembershipInput(10, "peer")}
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def occ(
    start_local: datetime, tz: str = NY, group: int = 10, presenters: set[int] | None = None
) -> OccurrenceInput:
    start = local_to_utc(start_local, tz)
    return OccurrenceInput(
        series_id=5,
        group_id=group,
        recurrence_id=start_local,
        start_utc=start,
        end_utc=start + timedelta(hours=1),
        title="Peer session",
        presenter_ids=frozenset(presenters or ()),
    )


def by_kind(reminders: list, kind: ReminderKind) -> list:  # type: ignore[type-arg]
    return [r for r in reminders if r.kind is kind]


def test_defaults_are_evening_before_at_1700_local_and_15_minutes_before() -> None:
    o = occ(datetime(2026, 6, 10, 12, 0))
    out = plan_sessions(ME, [o], PEER, [], *EVER)
    assert [r.kind for r in out] == [ReminderKind.EVENING_BEFORE, ReminderKind.BEFORE_START]
    assert out[0].due_utc == local_to_utc(datetime(2026, 6, 9, 17, 0), NY)
    assert out[1].due_utc == o.start_utc - timedelta(minutes=15)


def test_evening_before_stays_at_1700_local_across_dst_change() -> None:
    # US spring forward 2026-03-08: 17:00 on the 7th is EST (22:00Z), on the 8th EDT (21:00Z)
    before = plan_sessions(ME, [occ(datetime(2026, 3, 8, 12, 0))], PEER, [], *EVER)
    after = plan_sessions(ME, [occ(datetime(2026, 3, 9, 12, 0))], PEER, [], *EVER)
    eb1 = by_kind(before, ReminderKind.EVENING_BEFORE)[0].due_utc
    eb2 = by_kind(after, ReminderKind.EVENING_BEFORE)[0].due_utc
    assert eb1 == datetime(2026, 3, 7, 22, 0, tzinfo=UTC)
    assert eb2 == datetime(2026, 3, 8, 21, 0, tzinfo=UTC)


def test_member_local_time_is_used_not_the_series_zone() -> None:
    berlin = MemberInput(id=1, timezone="Europe/Berlin")
    o = occ(datetime(2026, 6, 10, 12, 0))  # 18:00 in Berlin
    eb = by_kind(plan_sessions(berlin, [o], PEER, [], *EVER), ReminderKind.EVENING_BEFORE)[0]
    assert eb.due_utc == local_to_utc(datetime(2026, 6, 9, 17, 0), "Europe/Berlin")


def test_quiet_hours_defer_to_their_end_when_that_is_before_the_session() -> None:
    rows = [SettingRow("general", None, quiet_start="22:00", quiet_end="07:00")]
    o = occ(datetime(2026, 6, 10, 7, 10))  # 15 min before = 06:55, inside quiet hours
    bs = by_kind(plan_sessions(ME, [o], PEER, rows, *EVER), ReminderKind.BEFORE_START)[0]
    assert bs.due_utc == local_to_utc(datetime(2026, 6, 10, 7, 0), NY)
    assert bs.shifted_for_quiet


def test_quiet_hours_pull_a_reminder_earlier_when_deferring_would_miss_the_session() -> None:
    rows = [SettingRow("general", None, quiet_start="22:00", quiet_end="07:00")]
    o = occ(datetime(2026, 6, 10, 6, 30))
    bs = by_kind(plan_sessions(ME, [o], PEER, rows, *EVER), ReminderKind.BEFORE_START)[0]
    assert bs.due_utc == local_to_utc(datetime(2026, 6, 9, 21, 59), NY)
    assert bs.due_utc < o.start_utc


def test_quiet_hours_within_one_day_and_outside_are_left_alone() -> None:
    q = QuietHours(time(12, 0), time(13, 0))
    t = local_to_utc(datetime(2026, 6, 10, 12, 30), NY)
    assert avoid_quiet(t, NY, q, None) == (local_to_utc(datetime(2026, 6, 10, 13, 0), NY), True)
    t2 = local_to_utc(datetime(2026, 6, 10, 14, 0), NY)
    assert avoid_quiet(t2, NY, q, None) == (t2, False)


def test_presenter_gets_preparation_reminder_n_days_before_others_do_not() -> None:
    o = occ(datetime(2026, 6, 10, 12, 0), presenters={1})
    rows = [SettingRow("presenter_prep", None, offset_days=5)]
    prep = by_kind(plan_sessions(ME, [o], PEER, rows, *EVER), ReminderKind.PRESENTER_PREP)
    assert [r.due_utc for r in prep] == [local_to_utc(datetime(2026, 6, 5, 9, 0), NY)]
    other = MemberInput(id=2, timezone=NY)
    assert not by_kind(plan_sessions(other, [o], PEER, rows, *EVER), ReminderKind.PRESENTER_PREP)


def test_group_setting_overrides_member_setting_for_that_group_only() -> None:
    rows = [
        SettingRow("before_start", None, offset_minutes=30),
        SettingRow("before_start", 11, offset_minutes=5),
        SettingRow("evening_before", 11, enabled=False),
    ]
    ms = {10: MembershipInput(10, "peer"), 11: MembershipInput(11, "peer")}
    a, b = occ(datetime(2026, 6, 10, 12, 0)), occ(datetime(2026, 6, 11, 12, 0), group=11)
    out = plan_sessions(ME, [a, b], ms, rows, *EVER)
    lead = {(r.group_id, r.kind): r.start_utc - r.due_utc for r in out}
    assert lead[(10, ReminderKind.BEFORE_START)] == timedelta(minutes=30)
    assert lead[(11, ReminderKind.BEFORE_START)] == timedelta(minutes=5)
    assert (10, ReminderKind.EVENING_BEFORE) in lead
    assert (11, ReminderKind.EVENING_BEFORE) not in lead


def test_coordinated_groups_only_when_chosen() -> None:
    ms = {10: MembershipInput(10, "coordinator")}
    o = occ(datetime(2026, 6, 10, 12, 0))
    assert plan_sessions(ME, [o], ms, [], *EVER) == []
    rows = [SettingRow("general", None, include_coordinated=True)]
    assert len(plan_sessions(ME, [o], ms, rows, *EVER)) == 2
    per_group = [SettingRow("before_start", 10, enabled=True)]
    assert len(plan_sessions(ME, [o], ms, per_group, *EVER)) == 2


def test_no_reminders_for_other_groups_leave_days_or_before_joining() -> None:
    o = occ(datetime(2026, 6, 10, 12, 0))
    assert plan_sessions(ME, [o], {11: MembershipInput(11, "peer")}, [], *EVER) == []
    away = MemberInput(1, NY, leave=((date(2026, 6, 9), date(2026, 6, 12)),))
    assert plan_sessions(away, [o], PEER, [], *EVER) == []
    late_join = {10: MembershipInput(10, "peer", joined_on=date(2026, 7, 1))}
    assert plan_sessions(ME, [o], late_join, [], *EVER) == []


def test_keys_are_stable_when_a_session_moves() -> None:
    o = occ(datetime(2026, 6, 10, 12, 0))
    moved = OccurrenceInput(
        **{
            **o.__dict__,
            "start_utc": o.start_utc + timedelta(hours=3),
            "end_utc": o.end_utc + timedelta(hours=3),
        }
    )
    k1 = [r.key for r in plan_sessions(ME, [o], PEER, [], *EVER)]
    k2 = [r.key for r in plan_sessions(ME, [moved], PEER, [], *EVER)]
    assert k1 == k2 and len(set(k1)) == 2


def test_window_is_half_open_after_until_inclusive() -> None:
    o = occ(datetime(2026, 6, 10, 12, 0))
    due = o.start_utc - timedelta(minutes=15)
    out = plan_sessions(ME, [o], PEER, [], due - timedelta(seconds=1), due)
    assert [r.kind for r in out] == [ReminderKind.BEFORE_START]
    assert plan_sessions(ME, [o], PEER, [], due, due + timedelta(minutes=1)) == []


def test_cadence_overdue_only_after_the_goal_is_exceeded() -> None:
    st = cadence_status(14, date(2026, 6, 1), date(2026, 1, 1), date(2026, 6, 15))
    assert st is not None and not st.overdue and st.days_since == 14
    st2 = cadence_status(14, date(2026, 6, 1), date(2026, 1, 1), date(2026, 6, 16))
    assert st2 is not None and st2.overdue and st2.overdue_on == date(2026, 6, 16)
    assert cadence_status(None, None, date(2026, 1, 1), date(2026, 6, 16)) is None
    nudge = plan_cadence(ME, st2, [])
    assert nudge is not None and nudge.kind is ReminderKind.CADENCE
    assert nudge.due_utc == local_to_utc(datetime(2026, 6, 16, 10, 0), NY)
    assert plan_cadence(ME, st2, [SettingRow("cadence", None, enabled=False)]) is None


def test_catchup_window_first_start_clock_back_and_long_absence() -> None:
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    first = catchup_window(None, now)
    assert first.after_utc == first.until_utc == now
    back = catchup_window(now + timedelta(hours=2), now)
    assert back.clock_went_back and back.after_utc == now
    long = catchup_window(now - timedelta(days=400), now)
    assert long.truncated and long.after_utc == now - MAX_CATCHUP


def test_classify_marks_late_and_obsolete() -> None:
    o = occ(datetime(2026, 6, 10, 12, 0))
    rem = plan_sessions(ME, [o], PEER, [], *EVER)
    bs = by_kind(rem, ReminderKind.BEFORE_START)[0]
    on_time = classify([bs], bs.due_utc + timedelta(seconds=1))[0]
    assert not on_time.late and not on_time.obsolete
    late = classify([bs], o.start_utc + timedelta(minutes=10))[0]
    assert late.late and not late.obsolete
    gone = classify([bs], o.end_utc)[0]
    assert gone.obsolete
