"""Taking and correcting attendance for one occurrence of a series.

The sheet lists one row per member of the group on that day (plus anyone already
recorded). Rows not yet recorded default to *present* (or *excused* for a member on leave),
so taking attendance for a full session is one keystroke. Saving materialises the
``Occurrence`` row and writes only what changed; each change is audited. Rows on a day
inside the member's signed, locked hour period are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.errors import NotFoundError, StaleEditError, ValidationError
from app.hours.categories import Category, category_for
from app.hours.ledger import attended_minutes
from app.scheduling.expand import SeriesSpec, local_to_utc, wall_clock_starts, zone
from app.services import audit, hours, sessions
from app.services.attention import PROVIDERS, AttentionItem
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import (
    Attendance,
    AttendanceStatus,
    Group,
    GroupKind,
    LeavePeriod,
    Member,
    Membership,
    Occurrence,
    OccurrenceStatus,
    Role,
    SessionSeries,
)

STATUS_LABELS: dict[AttendanceStatus, str] = {
    AttendanceStatus.PRESENT: "Present",
    AttendanceStatus.LATE: "Late",
    AttendanceStatus.LEFT_EARLY: "Left early",
    AttendanceStatus.ABSENT: "Absent",
    AttendanceStatus.EXCUSED: "Excused",
}


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    member_name: str
    role: Role | None  # None: no longer in the group
    category: Category
    status: AttendanceStatus
    late_minutes: int
    left_early_minutes: int
    recorded: bool  # False: a default that has not been saved yet
    version: int | None  # the Attendance row's version (None if not recorded)
    on_leave: bool = False

    def attended(self, scheduled_minutes: int) -> int:
        return attended_minutes(
            self.status.value, scheduled_minutes, self.late_minutes, self.left_early_minutes
        )


@dataclass(frozen=True)
class AttendanceSheet:
    series_id: int
    recurrence_id: datetime
    occurrence_id: int | None
    group_id: int
    group_name: str
    group_kind: GroupKind
    title: str
    timezone: str
    start_utc: datetime
    end_utc: datetime
    cancelled: bool
    rows: tuple[AttendanceRow, ...]

    @property
    def duration_minutes(self) -> int:
        return int((self.end_utc - self.start_utc).total_seconds() // 60)

    @property
    def taken(self) -> bool:
        """Attendance was taken (not just a member's "can't come" noted in advance)."""
        return any(r.recorded and r.status is not AttendanceStatus.EXCUSED for r in self.rows)

    @property
    def partly_recorded(self) -> bool:
        return any(r.recorded for r in self.rows) and not self.taken

    @property
    def start_local(self) -> datetime:
        return self.start_utc.astimezone(zone(self.timezone)).replace(tzinfo=None)


@dataclass(frozen=True)
class Mark:
    """One member's attendance as entered."""

    member_id: int
    status: AttendanceStatus | str = AttendanceStatus.PRESENT
    late_minutes: int = 0
    left_early_minutes: int = 0
    # the version the editor loaded (stale check): 0 = it saw no saved row, None = no check
    expected_version: int | None = None


def _status(value: AttendanceStatus | str) -> AttendanceStatus:
    try:
        return AttendanceStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in AttendanceStatus)
        raise ValidationError(
            "status", f"Unknown attendance status; use one of: {allowed}."
        ) from None


def normalise(mark: Mark, duration: int) -> tuple[AttendanceStatus, int, int]:
    """Validate a mark against the session's length; returns (status, late, left early).

    Present, absent and excused carry no minutes; late needs late minutes, left early needs
    left-early minutes (someone late may also leave early), and together they must leave
    at least one attended minute."""
    st = _status(mark.status)
    late, left = int(mark.late_minutes), int(mark.left_early_minutes)
    if late < 0 or left < 0:
        raise ValidationError("minutes", "Minutes late or left early cannot be negative.")
    if st in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        return st, 0, 0
    if st is AttendanceStatus.LATE and late == 0:
        raise ValidationError("late_minutes", "Enter how many minutes late (at least 1).")
    if st is AttendanceStatus.LEFT_EARLY and left == 0:
        raise ValidationError(
            "left_early_minutes", "Enter how many minutes before the end they left (at least 1)."
        )
    if late + left >= duration:
        raise ValidationError(
            "late_minutes" if late else "left_early_minutes",
            f"Late and left-early minutes must add up to less than the session's "
            f"{duration} minutes (mark them absent instead).",
        )
    return st, late, left


def _resolve(
    s: Session, series_id: int, recurrence_id: datetime
) -> tuple[SessionSeries, Group, Occurrence | None, datetime, datetime]:
    series = s.get(SessionSeries, series_id)
    if series is None:
        raise NotFoundError(f"Session series #{series_id} does not exist.")
    group = s.get(Group, series.group_id)
    assert group is not None
    occ = s.exec(
        select(Occurrence).where(
            Occurrence.series_id == series_id, Occurrence.recurrence_id == recurrence_id
        )
    ).first()
    if occ is not None:
        return series, group, occ, occ.start_utc, occ.end_utc
    spec = SeriesSpec(
        series.id or 0,
        series.group_id,
        series.title,
        series.timezone,
        series.start_local,
        series.duration_minutes,
        series.rrule,
    )
    if not wall_clock_starts(spec, recurrence_id, recurrence_id):
        raise NotFoundError("No session of this series starts at that time.")
    start = local_to_utc(recurrence_id, series.timezone)
    return series, group, None, start, start + timedelta(minutes=series.duration_minutes)


def _sheet(s: Session, series_id: int, recurrence_id: datetime) -> AttendanceSheet:
    series, group, occ, start, end = _resolve(s, series_id, recurrence_id)
    recorded: dict[int, Attendance] = {}
    if occ is not None:
        for att in s.exec(select(Attendance).where(Attendance.occurrence_id == occ.id)).all():
            recorded[att.member_id] = att
    roster = s.exec(
        select(Member, Membership)
        .join(Membership, col(Membership.member_id) == Member.id)
        .where(Membership.group_id == group.id)
    ).all()
    people: dict[int, tuple[Member, Role | None]] = {}
    for m, ms in roster:
        day = start.astimezone(zone(m.timezone)).date()
        outside = (ms.joined_on is not None and day < ms.joined_on) or (
            ms.left_on is not None and day > ms.left_on
        )
        if m.id in recorded or not (m.archived or outside):
            people[m.id or 0] = (m, Role(ms.role))
    missing = set(recorded) - set(people)
    if missing:
        for m in s.exec(select(Member).where(col(Member.id).in_(missing))).all():
            people[m.id or 0] = (m, None)
    leave: set[int] = set()
    if people:
        day_utc = start.date()
        for lp in s.exec(
            select(LeavePeriod).where(
                col(LeavePeriod.member_id).in_(list(people)),
                col(LeavePeriod.start_date) <= day_utc + timedelta(days=1),
                col(LeavePeriod.end_date) >= day_utc - timedelta(days=1),
            )
        ).all():
            m = people[lp.member_id][0]
            day = start.astimezone(zone(m.timezone)).date()
            if lp.start_date <= day <= lp.end_date:
                leave.add(lp.member_id)
    rows = []
    for mid, (m, role) in people.items():
        a = recorded.get(mid)
        on_leave = mid in leave
        default = AttendanceStatus.EXCUSED if on_leave else AttendanceStatus.PRESENT
        rows.append(
            AttendanceRow(
                member_id=mid,
                member_name=m.display_name,
                role=role,
                category=category_for(group.kind, role),
                status=AttendanceStatus(a.status) if a else default,
                late_minutes=a.late_minutes if a else 0,
                left_early_minutes=a.left_early_minutes if a else 0,
                recorded=a is not None,
                version=a.version if a else None,
                on_leave=on_leave,
            )
        )
    role_order = {Role.SUPERVISOR: 0, Role.COORDINATOR: 1, Role.FACILITATOR: 2}
    rows.sort(key=lambda r: (role_order.get(r.role, 3) if r.role else 4, r.member_name.lower()))
    return AttendanceSheet(
        series_id=series.id or 0,
        recurrence_id=recurrence_id,
        occurrence_id=None if occ is None else occ.id,
        group_id=group.id or 0,
        group_name=group.name,
        group_kind=GroupKind(group.kind),
        title=series.title,
        timezone=series.timezone,
        start_utc=start,
        end_utc=end,
        cancelled=occ is not None and occ.status == OccurrenceStatus.CANCELLED.value,
        rows=tuple(rows),
    )


def sheet(db: Database, series_id: int, recurrence_id: datetime) -> AttendanceSheet:
    """The attendance sheet of one occurrence (read-only: nothing is materialised)."""
    with transaction(db.engine) as s:
        return _sheet(s, series_id, recurrence_id)


def take(
    db: Database, series_id: int, recurrence_id: datetime, marks: Iterable[Mark]
) -> AttendanceSheet:
    """Record (or correct) attendance; writes only rows that change. Returns the new sheet."""
    marks = list(marks)
    with transaction(db.engine) as s:
        current = _sheet(s, series_id, recurrence_id)
        if current.cancelled:
            raise ValidationError(
                "status", "This session was cancelled. Restore it before taking attendance."
            )
        if current.start_utc > utcnow(db.clock):
            raise ValidationError(
                "start", "This session has not started yet; take attendance once it starts."
            )
        by_id = {r.member_id: r for r in current.rows}
        seen: set[int] = set()
        duration = current.duration_minutes
        cleaned = []
        for mk in marks:
            row = by_id.get(mk.member_id)
            if row is None:
                raise ValidationError("member", "That member is not in this session's group.")
            if mk.member_id in seen:
                raise ValidationError("member", "A member is listed twice.")
            seen.add(mk.member_id)
            if mk.expected_version is not None and (row.version or 0) != mk.expected_version:
                raise StaleEditError("attendance", current.occurrence_id or 0)
            cleaned.append((row, normalise(mk, duration)))
        occ = sessions.materialize(s, series_id, recurrence_id)
        existing = {
            a.member_id: a
            for a in s.exec(select(Attendance).where(Attendance.occurrence_id == occ.id)).all()
        }
        tz_of = {
            m.id: m.timezone
            for m in s.exec(select(Member).where(col(Member.id).in_(list(seen)))).all()
        }
        for row, (st, late, left) in cleaned:
            a = existing.get(row.member_id)
            if a is not None and (a.status, a.late_minutes, a.left_early_minutes) == (
                st.value,
                late,
                left,
            ):
                continue
            day = occ.start_utc.astimezone(zone(tz_of.get(row.member_id, "UTC"))).date()
            hours.ensure_unlocked(s, row.member_id, day)
            action = "update" if a is not None else "create"
            rec = a or Attendance(occurrence_id=occ.id or 0, member_id=row.member_id)
            rec.status, rec.late_minutes, rec.left_early_minutes = st.value, late, left
            s.add(rec)
            try:
                s.flush()
            except StaleDataError:
                raise StaleEditError("attendance", occ.id or 0) from None
            audit.record(s, action, "attendance", rec.id, db.clock)
        return _sheet(s, series_id, recurrence_id)


# --- needs attention ----------------------------------------------------------------------

ATTENTION_DAYS = 14
TAKERS = (Role.COORDINATOR.value, Role.SUPERVISOR.value, Role.FACILITATOR.value)


def untaken(db: Database, me_id: int | None, now: datetime) -> list[AttentionItem]:
    """Past sessions (last two weeks) of groups I run whose attendance is not taken yet."""
    if me_id is None:
        return []
    with transaction(db.engine) as s:
        groups = set(
            s.exec(
                select(Membership.group_id).where(
                    Membership.member_id == me_id, col(Membership.role).in_(TAKERS)
                )
            ).all()
        )
        if not groups:
            return []
        occs = [
            o
            for o in sessions.occurrences_in(s, now - timedelta(days=ATTENTION_DAYS), now, groups)
            if o.end_utc <= now and not o.cancelled
        ]
        ids = [o.occurrence_id for o in occs if o.occurrence_id is not None]
        taken: set[int] = set()
        if ids:
            taken = set(
                s.exec(
                    select(Attendance.occurrence_id).where(
                        col(Attendance.occurrence_id).in_(ids),
                        Attendance.status != AttendanceStatus.EXCUSED.value,
                    )
                ).all()
            )
        items = []
        for o in occs:
            if o.occurrence_id in taken:
                continue
            local = o.start_utc.astimezone(zone(o.timezone))
            items.append(
                AttentionItem(
                    kind="attendance",
                    severity="info",
                    title=f"Take attendance: {o.title}",
                    detail=f"{local:%a %d %b, %H:%M}: hours are logged from attendance.",
                    due=local.date(),
                    target=f"calendar:{o.series_id}:{o.recurrence_id.isoformat()}",
                )
            )
        return items


PROVIDERS.append(untaken)
