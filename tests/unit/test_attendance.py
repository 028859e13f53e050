"""Taking and correcting attendance per occurrence."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from app.errors import NotFoundError, StaleEditError, ValidationError
from app.hours.categories import Category
from app.services import attendance, audit, practice, sessions
from app.services.attendance import Mark
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import Attendance, AttendanceStatus, Occurrence, OccurrenceStatus, Role
from tests.unit.test_hours_support import Practice, build_practice, monday, tuesday

P = AttendanceStatus.PRESENT


@pytest.fixture
def pr(db: Database) -> Practice:
    return build_practice(db)


def test_sheet_lists_every_member_present_by_default_without_materialising(
    db: Database, pr: Practice
) -> None:
    sh = attendance.sheet(db, pr.peer, tuesday(6))
    assert [r.member_name for r in sh.rows] == ["Alex Doe", "Pat Poe", "Sam Roe"]
    assert all(r.status is P and not r.recorded for r in sh.rows)
    assert not sh.taken and sh.occurrence_id is None
    assert sh.duration_minutes == 90
    with transaction(db.engine) as s:
        assert s.exec(select(Occurrence)).first() is None


def test_supervisor_is_listed_first_and_categories_follow_roles(db: Database, pr: Practice) -> None:
    sh = attendance.sheet(db, pr.supervision, monday(5))
    assert [(r.member_name, r.role, r.category) for r in sh.rows] == [
        ("Sam Roe", Role.SUPERVISOR, Category.PROVIDING_SUPERVISION),
        ("Alex Doe", Role.SUPERVISEE, Category.INDIVIDUAL_SUPERVISION),
    ]


def test_member_on_leave_defaults_to_excused(db: Database, pr: Practice) -> None:
    practice.add_leave(db, pr.pat, date(2026, 1, 1), date(2026, 1, 10))
    rows = {r.member_id: r for r in attendance.sheet(db, pr.peer, tuesday(6)).rows}
    assert rows[pr.pat].status is AttendanceStatus.EXCUSED and rows[pr.pat].on_leave
    assert rows[pr.alex].status is P


def test_taking_attendance_materialises_the_occurrence_and_records_each_member(
    db: Database, pr: Practice
) -> None:
    sh = attendance.take(
        db,
        pr.peer,
        tuesday(6),
        [
            Mark(pr.alex, "late", late_minutes=15),
            Mark(pr.pat, "absent", late_minutes=99),  # minutes are dropped for absent
            Mark(pr.sam, "present"),
        ],
    )
    assert sh.taken and sh.occurrence_id is not None
    rows = {r.member_id: r for r in sh.rows}
    assert (rows[pr.alex].status, rows[pr.alex].late_minutes) == (AttendanceStatus.LATE, 15)
    assert rows[pr.alex].attended(sh.duration_minutes) == 75
    assert rows[pr.pat].late_minutes == 0 and rows[pr.pat].attended(90) == 0
    assert all(r.recorded for r in sh.rows)
    with transaction(db.engine) as s:
        actions = [(e.action, e.table_name) for e in audit.recent(s, 3)]
    assert actions == [("create", "attendance")] * 3


def test_correcting_attendance_updates_only_changed_rows_and_audits_them(
    db: Database, pr: Practice
) -> None:
    marks = [Mark(pr.alex), Mark(pr.pat), Mark(pr.sam)]
    first = attendance.take(db, pr.peer, tuesday(6), marks)
    alex = next(r for r in first.rows if r.member_id == pr.alex)
    second = attendance.take(
        db,
        pr.peer,
        tuesday(6),
        [Mark(pr.alex, "left_early", left_early_minutes=30, expected_version=alex.version)]
        + marks[1:],
    )
    alex2 = next(r for r in second.rows if r.member_id == pr.alex)
    assert alex2.status is AttendanceStatus.LEFT_EARLY and alex2.attended(90) == 60
    assert alex2.version == (alex.version or 0) + 1
    with transaction(db.engine) as s:
        updates = [e for e in audit.recent(s, 10) if e.action == "update"]
        count = len(s.exec(select(Attendance)).all())
    assert len(updates) == 1 and count == 3


def test_a_stale_correction_is_refused(db: Database, pr: Practice) -> None:
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex)])
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, "absent")])
    with pytest.raises(StaleEditError):
        attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, "present", expected_version=1)])


@pytest.mark.parametrize(
    ("mark", "field"),
    [
        (Mark(1, "late", late_minutes=0), "late_minutes"),
        (Mark(1, "left_early"), "left_early_minutes"),
        (Mark(1, "late", late_minutes=60), "late_minutes"),
        (Mark(1, "late", late_minutes=30, left_early_minutes=30), "late_minutes"),
        (Mark(1, "late", late_minutes=-5), "minutes"),
        (Mark(1, "asleep"), "status"),
    ],
)
def test_invalid_marks_name_the_field(mark: Mark, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        attendance.normalise(mark, 60)
    assert err.value.field == field


def test_late_and_left_early_together_are_kept(db: Database, pr: Practice) -> None:
    assert attendance.normalise(Mark(1, "late", 10, 20), 90) == (AttendanceStatus.LATE, 10, 20)


def test_attendance_for_a_future_session_is_refused(db: Database, pr: Practice) -> None:
    with pytest.raises(ValidationError, match="not started"):
        attendance.take(db, pr.supervision, monday(2, 3), [Mark(pr.alex)])


def test_attendance_for_a_cancelled_session_is_refused(db: Database, pr: Practice) -> None:
    with transaction(db.engine) as s:
        occ = sessions.materialize(s, pr.supervision, monday(12))
        occ.status = OccurrenceStatus.CANCELLED.value
        s.add(occ)
    assert attendance.sheet(db, pr.supervision, monday(12)).cancelled
    with pytest.raises(ValidationError, match="cancelled"):
        attendance.take(db, pr.supervision, monday(12), [Mark(pr.alex)])


def test_a_time_that_is_not_an_occurrence_is_not_found(db: Database, pr: Practice) -> None:
    with pytest.raises(NotFoundError):
        attendance.sheet(db, pr.supervision, datetime(2026, 1, 6, 12))


def test_members_outside_the_group_cannot_be_marked(db: Database, pr: Practice) -> None:
    with pytest.raises(ValidationError, match="not in this session"):
        attendance.take(db, pr.supervision, monday(5), [Mark(pr.pat)])


def test_a_member_who_left_the_group_stays_on_sessions_they_attended(
    db: Database, pr: Practice
) -> None:
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.pat)])
    practice.remove_from_group(db, pr.peer_group, pr.pat)
    rows = {r.member_id: r for r in attendance.sheet(db, pr.peer, tuesday(6)).rows}
    assert rows[pr.pat].recorded and rows[pr.pat].role is None
    assert pr.pat not in {r.member_id for r in attendance.sheet(db, pr.peer, tuesday(13)).rows}


def test_saving_over_attendance_someone_else_just_took_is_refused(
    db: Database, pr: Practice
) -> None:
    # the editor loaded the sheet when nothing was recorded (expected version 0) ...
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, "absent")])
    # ... and someone else saved in the meantime
    with pytest.raises(StaleEditError):
        attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, expected_version=0)])


def test_sessions_i_run_without_attendance_show_on_today(db: Database, pr: Practice) -> None:
    from app.services.attention import PROVIDERS, load_providers

    load_providers()
    assert attendance.untaken in PROVIDERS
    now = db.clock.now()  # Monday 2026-03-02, 09:00 in New York
    # Sam supervises: the Mondays Feb 16 and 23 (last two weeks) are not taken
    items = attendance.untaken(db, pr.sam, now)
    assert [i.due for i in items] == [date(2026, 2, 16), date(2026, 2, 23)]
    assert items[0].kind == "attendance" and items[0].severity == "info"
    assert items[0].target == f"calendar:{pr.supervision}:2026-02-16T12:00:00"
    # a member's "can't come" noted in advance does not count as taken ...
    with transaction(db.engine) as s:
        occ = sessions.materialize(s, pr.supervision, monday(23, 2))
        s.add(Attendance(occurrence_id=occ.id or 0, member_id=pr.alex, status="excused"))
    assert len(attendance.untaken(db, pr.sam, now)) == 2
    sh = attendance.sheet(db, pr.supervision, monday(23, 2))
    assert sh.partly_recorded and not sh.taken
    # ... taking attendance does
    attendance.take(db, pr.supervision, monday(23, 2), [Mark(pr.sam)])
    assert [i.due for i in attendance.untaken(db, pr.sam, now)] == [date(2026, 2, 16)]
    # peers do not get the item; nobody without a "me" does
    assert attendance.untaken(db, pr.pat, now) == []
    assert attendance.untaken(db, None, now) == []
