"""The hour ledger service: attendance-derived entries, manual entries, locks, attention."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.errors import StaleEditError, ValidationError
from app.hours.categories import Category
from app.hours.requirements import create_user_set
from app.services import attendance, audit, hours, practice
from app.services.attendance import Mark
from app.services.hours import PeriodLockedError
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import GroupKind, PeriodLock
from tests.fakes import FakeClock
from tests.unit.test_hours_support import Practice, build_practice, monday, tuesday

C = Category
JAN = (date(2026, 1, 1), date(2026, 1, 31))


@pytest.fixture
def pr(db: Database) -> Practice:
    return build_practice(db)


def _january(db: Database, pr: Practice) -> None:
    """Alex: supervision on Jan 5 (present) and 12 (late 10), peer circle on Jan 6 (left
    early 30) and Jan 13 (absent)."""
    attendance.take(db, pr.supervision, monday(5), [Mark(pr.alex), Mark(pr.sam)])
    attendance.take(db, pr.supervision, monday(12), [Mark(pr.alex, "late", 10), Mark(pr.sam)])
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.alex, "left_early", 0, 30)])
    attendance.take(db, pr.peer, tuesday(13), [Mark(pr.alex, "absent")])


def test_ledger_is_derived_from_attendance_with_minutes_attended(
    db: Database, pr: Practice
) -> None:
    _january(db, pr)
    led = hours.ledger(db, pr.alex, *JAN)
    assert [(e.on_date.day, e.category, e.minutes) for e in led.entries] == [
        (5, C.INDIVIDUAL_SUPERVISION, 60),
        (6, C.PEER_CONSULTATION, 60),
        (12, C.INDIVIDUAL_SUPERVISION, 50),
    ]
    assert led.total_minutes == 170
    assert led.totals == {C.INDIVIDUAL_SUPERVISION: 110, C.PEER_CONSULTATION: 60}
    sam = hours.ledger(db, pr.sam, *JAN)
    assert {e.category for e in sam.entries} == {C.PROVIDING_SUPERVISION}


def test_category_follows_a_change_of_group_kind(db: Database, pr: Practice) -> None:
    _january(db, pr)
    practice.update_group(db, pr.supervision_group, kind=GroupKind.GROUP_SUPERVISION)
    cats = {e.category for e in hours.ledger(db, pr.alex, *JAN).entries}
    assert cats == {C.GROUP_SUPERVISION, C.PEER_CONSULTATION}


def test_entry_dates_are_in_the_members_own_zone(db: Database, pr: Practice) -> None:
    # 12:00 in New York on Jan 6 is 17:00 in London: still Jan 6 for Pat.
    attendance.take(db, pr.peer, tuesday(6), [Mark(pr.pat)])
    (e,) = hours.ledger(db, pr.pat).entries
    assert e.on_date == date(2026, 1, 6) and e.description == "Peer circle"


def test_manual_entries_join_the_ledger_and_every_edit_is_audited(
    db: Database, pr: Practice
) -> None:
    e = hours.add_entry(db, pr.alex, date(2026, 1, 7), 95, "direct_client_contact", " 2 intakes ")
    assert e.manual and e.description == "2 intakes"
    e2 = hours.update_entry(db, e.entry_id or 0, expected_version=e.version, minutes=100)
    assert e2.minutes == 100 and e2.version == e.version + 1
    with pytest.raises(StaleEditError):
        hours.update_entry(db, e.entry_id or 0, expected_version=e.version, minutes=5)
    assert hours.ledger(db, pr.alex).total_minutes == 100
    hours.delete_entry(db, e.entry_id or 0)
    assert hours.ledger(db, pr.alex).entries == ()
    with transaction(db.engine) as s:
        trail = [(a.action, a.table_name) for a in audit.recent(s, 3)]
    assert trail == [("delete", "hour_entry"), ("update", "hour_entry"), ("create", "hour_entry")]


@pytest.mark.parametrize(
    ("minutes", "category", "field"),
    [
        (0, "direct_client_contact", "minutes"),
        (10081, "indirect_work", "minutes"),
        (30, "individual_supervision", "category"),  # comes from attendance
        (30, "golf", "category"),
    ],
)
def test_manual_entries_are_validated(
    db: Database, pr: Practice, minutes: int, category: str, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        hours.add_entry(db, pr.alex, date(2026, 1, 7), minutes, category)
    assert err.value.field == field


def test_locking_a_period_refuses_later_edits_until_unlocked_with_a_reason(
    db: Database, pr: Practice, fake_clock: FakeClock
) -> None:
    _january(db, pr)
    e = hours.add_entry(db, pr.alex, date(2026, 1, 20), 60, "indirect_work")
    lock = hours.lock_period(db, pr.alex, *JAN)
    assert lock.active and lock.intact and len(lock.entries_hash) == 64

    with pytest.raises(PeriodLockedError, match="signed and locked"):
        hours.add_entry(db, pr.alex, date(2026, 1, 21), 30, "indirect_work")
    with pytest.raises(PeriodLockedError):
        hours.update_entry(db, e.entry_id or 0, minutes=1)
    with pytest.raises(PeriodLockedError):
        hours.update_entry(db, e.entry_id or 0, on_date=date(2026, 2, 1))
    with pytest.raises(PeriodLockedError):
        hours.delete_entry(db, e.entry_id or 0)
    with pytest.raises(PeriodLockedError):
        attendance.take(db, pr.supervision, monday(5), [Mark(pr.alex, "absent")])
    # outside the period, and other members, are unaffected
    hours.add_entry(db, pr.alex, date(2026, 2, 2), 30, "indirect_work")
    attendance.take(db, pr.supervision, monday(5), [Mark(pr.sam, "late", 5)])
    # re-saving identical attendance inside the period is not an edit
    attendance.take(db, pr.supervision, monday(5), [Mark(pr.alex)])

    with pytest.raises(ValidationError, match="overlaps"):
        hours.lock_period(db, pr.alex, date(2026, 1, 15), date(2026, 2, 15))
    with pytest.raises(ValidationError) as err:
        hours.unlock_period(db, lock.id, "  ")
    assert err.value.field == "reason"

    fake_clock.advance(hours=1)
    opened = hours.unlock_period(db, lock.id, "Supervisor found a wrong date")
    assert not opened.active and opened.unlock_reason == "Supervisor found a wrong date"
    assert opened.unlocked_at == fake_clock.now()
    hours.update_entry(db, e.entry_id or 0, minutes=45)
    with transaction(db.engine) as s:
        trail = [(a.action, a.table_name, a.row_id) for a in audit.recent(s, 2)]
    assert trail[1] == ("unlock", "period_lock", lock.id)


def test_a_lock_notices_entries_that_changed_after_signing(db: Database, pr: Practice) -> None:
    _january(db, pr)
    lock = hours.lock_period(db, pr.alex, *JAN)
    (same,) = hours.list_locks(db, pr.alex)
    assert same.intact and same.entries_hash == lock.entries_hash
    # a change the lock cannot refuse (the group's kind) still shows in the hash
    practice.update_group(db, pr.supervision_group, kind=GroupKind.GROUP_SUPERVISION)
    (changed,) = hours.list_locks(db, pr.alex)
    assert not changed.intact
    items = hours.attention(db, pr.alex, db.clock.now())
    assert [i.kind for i in items] == ["hours_lock"]


def test_lock_hash_matches_the_ledger_hash(db: Database, pr: Practice) -> None:
    from app.hours.ledger import entries_hash

    _january(db, pr)
    lock = hours.lock_period(db, pr.alex, *JAN)
    assert lock.entries_hash == entries_hash(hours.ledger(db, pr.alex, *JAN).entries)
    with transaction(db.engine) as s:
        assert s.exec(select(PeriodLock)).one().entries_hash == lock.entries_hash


def test_overview_evaluates_the_members_requirement_set(db: Database, pr: Practice) -> None:
    _january(db, pr)
    hours.add_entry(db, pr.alex, date(2026, 1, 8), 60 * 40, "direct_client_contact")
    ov = hours.overview(db, pr.alex, *JAN)
    assert ov.set_id == "builtin:example-associate"
    assert ov.ledger.total_minutes == ov.evaluation.logged_total_minutes == 170 + 2400
    rules = {w.rule for w in ov.evaluation.warnings}
    assert "ratio" in rules and "weekly_max" in rules


def test_choosing_a_user_set_changes_the_checks(db: Database, pr: Practice) -> None:
    rs = create_user_set(db.data_dir, "Lenient")
    hours.set_member_set(db, pr.alex, rs.id)
    assert hours.member_set_id(db, pr.alex) == "user:lenient"
    assert hours.overview(db, pr.alex, *JAN).evaluation.set_name == "Lenient"


def test_default_period_is_the_candidacy_window_from_the_first_entry(
    db: Database, pr: Practice
) -> None:
    _january(db, pr)
    ov = hours.overview(db, pr.alex)
    assert ov.ledger.start == date(2026, 1, 5) and ov.ledger.end is None


def test_attention_shows_broken_rules_only_for_someone_logging_hours(
    db: Database, pr: Practice
) -> None:
    _january(db, pr)
    now = db.clock.now()
    assert hours.attention(db, pr.alex, now) == []  # no set chosen, no manual entries
    assert hours.attention(db, None, now) == []
    hours.add_entry(db, pr.alex, date(2026, 1, 8), 60 * 45, "direct_client_contact")
    items = hours.attention(db, pr.alex, now)
    assert items and all(i.kind == "hours_rule" and i.target == "hours" for i in items)
    assert any("per 20 h" in i.title for i in items)
    assert all("Alex" not in i.title + i.detail for i in items)


def test_the_provider_is_registered_for_today(db: Database) -> None:
    from app.services.attention import PROVIDERS, load_providers

    load_providers()
    assert hours.attention in PROVIDERS


def test_report_collects_candidate_supervisor_totals_and_entries(
    db: Database, pr: Practice
) -> None:
    _january(db, pr)
    rep = hours.report(db, pr.alex, *JAN)
    assert (rep.candidate, rep.credential, rep.supervisor) == (
        "Alex Doe",
        "LPC-Associate",
        "Sam Roe",
    )
    assert rep.total_minutes == 170 and len(rep.entries) == 3
    assert rep.lock is None
    hours.lock_period(db, pr.alex, *JAN)
    locked = hours.report(db, pr.alex, *JAN, supervisor="Dr. Other")
    assert locked.supervisor == "Dr. Other"
    assert locked.lock is not None and locked.lock.entries_hash == locked.entries_hash


def test_period_must_not_end_before_it_starts(db: Database, pr: Practice) -> None:
    with pytest.raises(ValidationError):
        hours.ledger(db, pr.alex, date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ValidationError):
        hours.lock_period(db, pr.alex, date(2026, 2, 1), date(2026, 1, 1))


def test_cancelled_sessions_earn_no_hours(db: Database, pr: Practice) -> None:
    from app.services import sessions
    from app.store.models import OccurrenceStatus

    _january(db, pr)
    with transaction(db.engine) as s:
        occ = sessions.materialize(s, pr.supervision, monday(12))
        occ.status = OccurrenceStatus.CANCELLED.value
        s.add(occ)
    assert [e.on_date.day for e in hours.ledger(db, pr.alex, *JAN).entries] == [5, 6]


def test_entries_straddling_days_respect_the_period_edges(db: Database, pr: Practice) -> None:
    _january(db, pr)
    led = hours.ledger(db, pr.alex, date(2026, 1, 6), date(2026, 1, 6) + timedelta(days=0))
    assert [e.on_date for e in led.entries] == [date(2026, 1, 6)]
