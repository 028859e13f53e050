"""Rotation of duties and conflict warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.errors import ValidationError
from app.scheduling import rotation
from app.services import practice, schedule
from app.store.database import Database
from app.store.models import DutyRole
from tests.fakes import FakeClock

NY = "America/New_York"


@pytest.fixture
def team(db: Database) -> tuple[int, list[int]]:
    g = practice.create_group(db, "DBT consultation team").id
    ids = []
    for i, name in enumerate(["Avery Ashgrove", "Blake Bellweather", "Casey Castellano",
                              "Dana Delacroix"]):
        m = practice.create_member(db, name, timezone=NY)
        practice.set_role(db, g, m.id, "facilitator" if i == 0 else "peer")
        ids.append(m.id)
    return g, ids


def weekly(db: Database, group_id: int, start: datetime = datetime(2026, 3, 5, 8, 30)) -> int:
    return schedule.create_series(db, group_id, "DBT team", start, 90, NY,
                                  "FREQ=WEEKLY;BYDAY=TH").series_id


def upcoming(db: Database, weeks: int = 12) -> list[schedule.CalendarItem]:
    now = db.clock.now()
    return schedule.calendar_items(db, now, now + timedelta(weeks=weeks))


def test_rotation_is_fair_and_round_robin(db: Database, team: tuple[int, list[int]]) -> None:
    g, ids = team
    sid = weekly(db, g)
    schedule.plan_rotation(db, sid, weeks_ahead=12, note_taker=True)
    items = upcoming(db)
    presenters = [i.names(DutyRole.PRESENTER) for i in items]
    assert all(len(p) == 1 for p in presenters)
    counts = {c.member_name: c.planned[DutyRole.PRESENTER] for c in schedule.duty_counts(db, g)}
    # the facilitator role takes facilitation, the peers share presenting evenly
    assert sorted(counts.values()) == [0, 4, 4, 4]
    assert all(i.names(DutyRole.FACILITATOR) == ("Avery Ashgrove",) for i in items)
    for i in items:  # nobody holds two duties in one session
        held = [d.member_id for d in i.duties]
        assert len(held) == len(set(held))


def test_rotation_skips_members_on_leave_and_catches_up_after(
    db: Database, team: tuple[int, list[int]]
) -> None:
    g, ids = team
    sid = weekly(db, g)
    practice.add_leave(db, ids[1], date(2026, 3, 1), date(2026, 3, 31))
    schedule.plan_rotation(db, sid, weeks_ahead=10, facilitator=False)
    items = upcoming(db, 10)
    march = [i for i in items if i.start_utc.month == 3]
    assert all("Blake Bellweather" not in i.names(DutyRole.PRESENTER) for i in march)
    april = [i for i in items if i.start_utc.month == 4]
    assert "Blake Bellweather" in april[0].names(DutyRole.PRESENTER)


def test_rotation_skips_members_marked_absent(db: Database, team: tuple[int, list[int]]) -> None:
    g, ids = team
    sid = weekly(db, g)
    first = upcoming(db)[0]
    for m in ids[1:3]:
        schedule.set_unavailable(db, sid, first.recurrence_id, m, True)
    schedule.plan_rotation(db, sid, weeks_ahead=1, facilitator=False)
    got = schedule.get_item(db, sid, first.recurrence_id)
    assert got.names(DutyRole.PRESENTER) in (("Avery Ashgrove",), ("Dana Delacroix",))


def test_rotation_never_changes_past_occurrences(
    db: Database, team: tuple[int, list[int]], fake_clock: FakeClock
) -> None:
    g, ids = team
    sid = weekly(db, g, start=datetime(2026, 1, 1, 8, 30))
    schedule.plan_rotation(db, sid, weeks_ahead=4)
    past = schedule.calendar_items(db, datetime(2026, 1, 1, tzinfo=UTC), fake_clock.now())
    assert past and all(not i.duties for i in past)
    first = upcoming(db)[0]
    with pytest.raises(ValidationError):
        schedule.assign_duty(db, sid, past[0].recurrence_id, ids[0], "presenter")
    fake_clock.advance(weeks=2)
    before = schedule.get_item(db, sid, first.recurrence_id).duties
    schedule.plan_rotation(db, sid, weeks_ahead=8)
    assert schedule.get_item(db, sid, first.recurrence_id).duties == before


def test_swap_exchanges_two_presenters(db: Database, team: tuple[int, list[int]]) -> None:
    g, _ = team
    sid = weekly(db, g)
    schedule.plan_rotation(db, sid, weeks_ahead=2, facilitator=False)
    a, b = upcoming(db, 2)
    pa = next(d for d in a.duties if d.duty is DutyRole.PRESENTER)
    pb = next(d for d in b.duties if d.duty is DutyRole.PRESENTER)
    schedule.swap_duties(db, "presenter", (sid, a.recurrence_id, pa.member_id),
                         (sid, b.recurrence_id, pb.member_id))
    assert schedule.get_item(db, sid, a.recurrence_id).names(DutyRole.PRESENTER) == (
        pb.member_name,)
    assert schedule.get_item(db, sid, b.recurrence_id).names(DutyRole.PRESENTER) == (
        pa.member_name,)


def test_postpone_my_presentation_trades_with_the_next_presenter(
    db: Database, team: tuple[int, list[int]]
) -> None:
    g, _ = team
    sid = weekly(db, g)
    schedule.plan_rotation(db, sid, weeks_ahead=3, facilitator=False)
    a, b, _c = upcoming(db, 3)
    me = next(d for d in a.duties if d.duty is DutyRole.PRESENTER)
    nxt = next(d for d in b.duties if d.duty is DutyRole.PRESENTER)
    res = schedule.postpone_presentation(db, sid, a.recurrence_id, me.member_id)
    assert res.recurrence_id == b.recurrence_id
    assert schedule.get_item(db, sid, a.recurrence_id).names(DutyRole.PRESENTER) == (
        nxt.member_name,)
    assert schedule.get_item(db, sid, b.recurrence_id).names(DutyRole.PRESENTER) == (
        me.member_name,)


def test_postpone_finds_a_fair_replacement_when_the_next_one_is_open(
    db: Database, team: tuple[int, list[int]]
) -> None:
    g, ids = team
    sid = weekly(db, g)
    a = upcoming(db)[0]
    schedule.assign_duty(db, sid, a.recurrence_id, ids[2], "presenter")
    schedule.postpone_presentation(db, sid, a.recurrence_id, ids[2])
    now_there = schedule.get_item(db, sid, a.recurrence_id).names(DutyRole.PRESENTER)
    assert len(now_there) == 1 and now_there != ("Casey Castellano",)


def test_pure_planner_prefers_fewest_turns_then_longest_ago() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    tally = rotation.Tally()
    tally.add(1, DutyRole.PRESENTER, t0)
    tally.add(2, DutyRole.PRESENTER, t0 + timedelta(days=7))
    cands = [rotation.Candidate(i, i, frozenset({DutyRole.PRESENTER})) for i in (1, 2, 3)]
    slots = [rotation.Slot((1, datetime(2026, 2, d)), t0 + timedelta(days=30 + d))
             for d in (1, 2, 3)]
    out, gaps = rotation.plan(slots, cands, tally, {DutyRole.PRESENTER: 1})
    assert [a.member_id for a in out] == [3, 1, 2] and gaps == []


def test_planner_reports_a_gap_when_nobody_is_available() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    cands = [rotation.Candidate(1, 0, frozenset({DutyRole.PRESENTER}))]
    slot = rotation.Slot((1, datetime(2026, 1, 1)), t0, unavailable=frozenset({1}))
    out, gaps = rotation.plan([slot], cands, rotation.Tally(), {DutyRole.PRESENTER: 1})
    assert out == [] and gaps[0].duty is DutyRole.PRESENTER


# --- conflicts ----------------------------------------------------------------------------


def test_member_in_two_overlapping_sessions_is_warned(
    db: Database, team: tuple[int, list[int]]
) -> None:
    g, ids = team
    weekly(db, g)
    other = practice.create_group(db, "Ethics circle").id
    practice.set_role(db, other, ids[3], "peer")
    res = schedule.create_series(db, other, "Ethics", datetime(2026, 3, 12, 9, 0), 60, NY)
    kinds = {(w.kind, w.member_id) for w in res.warnings}
    assert ("double_booked", ids[3]) in kinds
    msg = next(w for w in res.warnings if w.kind == "double_booked").message
    assert "Dana Delacroix" in msg and "overlapping" in msg


def test_session_during_leave_is_reported(db: Database, team: tuple[int, list[int]]) -> None:
    g, ids = team
    sid = weekly(db, g)
    practice.add_leave(db, ids[2], date(2026, 3, 10), date(2026, 3, 14))
    found = schedule.series_conflicts(db, sid)
    leave = [c for c in found if c.kind == "during_leave"]
    assert [c.member_id for c in leave] == [ids[2]]
    assert leave[0].severity == "info"


def test_facilitator_marked_absent_is_a_warning(db: Database, team: tuple[int, list[int]]) -> None:
    g, ids = team
    sid = weekly(db, g)
    first = upcoming(db)[0]
    schedule.assign_duty(db, sid, first.recurrence_id, ids[0], "facilitator")
    res = schedule.set_unavailable(db, sid, first.recurrence_id, ids[0], True)
    absent = [w for w in res.warnings if w.kind == "duty_absent"]
    assert absent and absent[0].severity == "warning" and "facilitator" in absent[0].message


def test_cancelled_sessions_raise_no_conflicts(db: Database, team: tuple[int, list[int]]) -> None:
    g, ids = team
    sid = weekly(db, g)
    other = practice.create_group(db, "Ethics circle").id
    practice.set_role(db, other, ids[3], "peer")
    schedule.create_series(db, other, "Ethics", datetime(2026, 3, 12, 9, 0), 60, NY)
    schedule.cancel_occurrence(db, sid, datetime(2026, 3, 12, 8, 30))
    assert not [c for c in schedule.series_conflicts(db, sid) if c.kind == "double_booked"]


def test_conflicts_reach_the_today_screen(db: Database, team: tuple[int, list[int]]) -> None:
    from app.services import attention

    g, ids = team
    weekly(db, g)
    practice.set_me(db, ids[2])
    practice.add_leave(db, ids[2], date(2026, 3, 10), date(2026, 3, 14))
    items = attention.gather(db, ids[2], db.clock.now())
    assert any(i.kind == "conflict" for i in items)
