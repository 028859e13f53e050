"""The hour ledger: attendance-derived entries (computed on the fly), manual entries,
requirement-set checks and signed, locked periods.

Every public function is one transaction and returns plain values. Edits are audited
(action, table, row id, time; never content). A locked period refuses edits to the
entries inside it until it is unlocked with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select as sa_select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, and_, col, func, select

from app.clock import utcnow
from app.errors import ConsultoryError, NotFoundError, StaleEditError, ValidationError
from app.hours import requirements as req
from app.hours.categories import MANUAL_CATEGORIES, Category, category_for, parse_category
from app.hours.checks import Evaluation, candidacy_period, evaluate
from app.hours.ledger import (
    ATTENDING,
    SOURCE_ATTENDANCE,
    SOURCE_MANUAL,
    LedgerEntry,
    attended_minutes,
    entries_hash,
    totals_by_category,
)
from app.scheduling.expand import zone
from app.services import audit
from app.services.attention import PROVIDERS, AttentionItem
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import (
    Attendance,
    Group,
    HourEntry,
    Member,
    Membership,
    Occurrence,
    OccurrenceStatus,
    PeriodLock,
    Role,
    SessionSeries,
    Setting,
)

NOTE_MAX = 500
MAX_ENTRY_MINUTES = 7 * 24 * 60  # an entry may summarise a week
REASON_MIN = 5
SET_KEY_PREFIX = "hours.requirement_set."
EARLIEST = date(1970, 1, 1)
LATEST = date(9998, 1, 1)


class PeriodLockedError(ConsultoryError):
    """An edit falls inside a signed, locked period."""

    def __init__(self, start: date, end: date) -> None:
        super().__init__(
            f"The hours from {start.isoformat()} to {end.isoformat()} are signed and locked. "
            "Unlock that period (giving a reason) on the Hours screen before changing them."
        )
        self.start = start
        self.end = end


# --- plain values -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    member_id: int
    member_name: str
    start: date | None
    end: date | None
    entries: tuple[LedgerEntry, ...]

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)

    @property
    def totals(self) -> dict[Category, int]:
        return totals_by_category(self.entries)


@dataclass(frozen=True)
class LockInfo:
    id: int
    member_id: int
    start_date: date
    end_date: date
    entries_hash: str
    locked_at: datetime
    unlocked_at: datetime | None
    unlock_reason: str
    intact: bool = True  # the entries still hash to what was signed

    @property
    def active(self) -> bool:
        return self.unlocked_at is None


@dataclass(frozen=True)
class Overview:
    """What the Hours screen shows: the ledger for a period and its evaluation."""

    ledger: Ledger
    evaluation: Evaluation
    set_id: str
    locks: tuple[LockInfo, ...]


@dataclass(frozen=True)
class HoursReport:
    """Everything the sign-off PDF prints (built here, rendered by ui/hours_report.py)."""

    candidate: str
    credential: str
    supervisor: str
    start: date
    end: date
    generated_on: date
    set_name: str
    set_is_example: bool
    evaluation: Evaluation
    entries: tuple[LedgerEntry, ...]
    entries_hash: str
    lock: LockInfo | None

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)


# --- reading the ledger -------------------------------------------------------------------


def _check_period(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationError("end", "The period must end on or after the day it starts.")


def _member(s: Session, member_id: int) -> Member:
    m = s.get(Member, member_id)
    if m is None:
        raise NotFoundError(f"Member #{member_id} does not exist.")
    return m


def _utc_bounds(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    """A UTC window safely containing every instant whose local date is in [start, end]."""
    first = max(start or EARLIEST, EARLIEST)
    last = min(end or LATEST, LATEST)
    lo = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=2)
    hi = datetime.combine(last, time(0), tzinfo=UTC) + timedelta(days=3)
    return lo, hi


def _entries(s: Session, member: Member, start: date | None, end: date | None) -> list[LedgerEntry]:
    mid = member.id or 0
    tz = zone(member.timezone)
    lo, hi = _utc_bounds(start, end)
    rows = (
        s.connection()
        .execute(
            sa_select(
                col(Attendance.id),
                col(Attendance.status),
                col(Attendance.late_minutes),
                col(Attendance.left_early_minutes),
                col(Occurrence.series_id),
                col(Occurrence.recurrence_id),
                col(Occurrence.start_utc),
                col(Occurrence.end_utc),
                col(SessionSeries.title),
                col(Group.id),
                col(Group.name),
                col(Group.kind),
                col(Membership.role),
            )
            .join(Occurrence, col(Occurrence.id) == Attendance.occurrence_id)
            .join(SessionSeries, col(SessionSeries.id) == Occurrence.series_id)
            .join(Group, col(Group.id) == SessionSeries.group_id)
            .outerjoin(
                Membership,
                and_(col(Membership.group_id) == Group.id, col(Membership.member_id) == mid),
            )
            .where(
                col(Attendance.member_id) == mid,
                col(Attendance.status).in_(ATTENDING),
                col(Occurrence.status) != OccurrenceStatus.CANCELLED.value,
                col(Occurrence.start_utc) >= lo,
                col(Occurrence.start_utc) < hi,
            )
        )
        .all()
    )
    out: list[LedgerEntry] = []
    for aid, status, late, left, sid, rid, st, en, title, gid, gname, gkind, role in rows:
        day = st.astimezone(tz).date()
        if (start and day < start) or (end and day > end):
            continue
        scheduled = int((en - st).total_seconds() // 60)
        minutes = attended_minutes(status, scheduled, late, left)
        if minutes <= 0:
            continue
        desc = gname if title == gname else f"{gname}: {title}"
        out.append(
            LedgerEntry(
                key=f"att:{aid}",
                source=SOURCE_ATTENDANCE,
                member_id=mid,
                on_date=day,
                category=category_for(gkind, role),
                minutes=minutes,
                description=desc,
                status=status,
                scheduled_minutes=scheduled,
                group_id=gid,
                series_id=sid,
                recurrence_id=rid,
            )
        )
    # plain columns, not ORM objects: a decade of weekly entries loads several times faster
    q = sa_select(
        col(HourEntry.id),
        col(HourEntry.on_date),
        col(HourEntry.category),
        col(HourEntry.minutes),
        col(HourEntry.note),
        col(HourEntry.version),
    ).where(col(HourEntry.member_id) == mid)
    if start:
        q = q.where(col(HourEntry.on_date) >= start)
    if end:
        q = q.where(col(HourEntry.on_date) <= end)
    for hid, on_date, category, minutes, note, version in s.connection().execute(q).all():
        out.append(_manual(hid, mid, on_date, category, minutes, note, version))
    out.sort(key=lambda e: (e.on_date, e.source, e.key))
    return out


def _manual_entry(h: HourEntry) -> LedgerEntry:
    return _manual(h.id, h.member_id, h.on_date, h.category, h.minutes, h.note, h.version)


def _manual(
    entry_id: int | None,
    member_id: int,
    on_date: date,
    category: str,
    minutes: int,
    note: str,
    version: int,
) -> LedgerEntry:
    return LedgerEntry(
        key=f"man:{entry_id}",
        source=SOURCE_MANUAL,
        member_id=member_id,
        on_date=on_date,
        category=parse_category(category) or Category.OTHER_SUPERVISION,
        minutes=minutes,
        description=note,
        entry_id=entry_id,
        version=version,
    )


def ledger(
    db: Database, member_id: int, start: date | None = None, end: date | None = None
) -> Ledger:
    """The member's ledger for [start, end] (dates in the member's own zone; None = open)."""
    _check_period(start, end)
    with transaction(db.engine) as s:
        m = _member(s, member_id)
        return Ledger(member_id, m.display_name, start, end, tuple(_entries(s, m, start, end)))


def _first_entry_date(s: Session, member: Member) -> date | None:
    """The date of the member's first ledger entry (attendance or manual)."""
    mid = member.id or 0
    first_manual = s.exec(
        select(func.min(HourEntry.on_date)).where(HourEntry.member_id == mid)
    ).one()
    first_att = s.exec(
        select(func.min(Occurrence.start_utc))
        .join(Attendance, col(Attendance.occurrence_id) == Occurrence.id)
        .where(
            Attendance.member_id == mid,
            col(Attendance.status).in_(ATTENDING),
            Occurrence.status != OccurrenceStatus.CANCELLED.value,
        )
    ).one()
    days: list[date] = []
    if first_manual is not None:
        days.append(first_manual)
    if first_att is not None:
        inst = first_att if first_att.tzinfo else first_att.replace(tzinfo=UTC)
        days.append(inst.astimezone(zone(member.timezone)).date())
    return min(days) if days else None


# --- requirement sets ---------------------------------------------------------------------


def member_set_id(db: Database, member_id: int) -> str:
    with transaction(db.engine) as s:
        return _member_set_id(s, member_id)


def _member_set_id(s: Session, member_id: int) -> str:
    row = s.get(Setting, f"{SET_KEY_PREFIX}{member_id}")
    return row.value if row is not None and row.value else req.DEFAULT_SET_ID


def _has_chosen_set(s: Session, member_id: int) -> bool:
    return s.get(Setting, f"{SET_KEY_PREFIX}{member_id}") is not None


def set_member_set(db: Database, member_id: int, set_id: str) -> None:
    """Choose the requirement set the member's hours are checked against."""
    req.load_set(db.data_dir, set_id)  # must exist and parse
    with transaction(db.engine) as s:
        _member(s, member_id)
        key = f"{SET_KEY_PREFIX}{member_id}"
        row = s.get(Setting, key) or Setting(key=key)
        row.value = set_id
        s.add(row)
        audit.record(s, "set_requirements", "setting", member_id, db.clock)


def load_set_or_default(db: Database, set_id: str) -> req.RequirementSet:
    """The set, or the built-in example when a user set was deleted or broke."""
    try:
        return req.load_set(db.data_dir, set_id)
    except (NotFoundError, req.RequirementSetError):
        return req.load_set(db.data_dir, req.DEFAULT_SET_ID)


def candidacy(db: Database, member_id: int, set_id: str | None = None) -> tuple[date, date | None]:
    """The window the member's requirement set applies to."""
    with transaction(db.engine) as s:
        m = _member(s, member_id)
        rs = load_set_or_default(db, set_id or _member_set_id(s, member_id))
        return candidacy_period(rs, _first_entry_date(s, m), _today(db, m))


def _today(db: Database, m: Member) -> date:
    return utcnow(db.clock).astimezone(zone(m.timezone)).date()


def overview(
    db: Database,
    member_id: int,
    start: date | None = None,
    end: date | None = None,
    set_id: str | None = None,
) -> Overview:
    """Ledger + evaluation for the Hours screen. Without ``start`` the requirement set's
    own period (the candidacy window) is used."""
    _check_period(start, end)
    with transaction(db.engine) as s:
        m = _member(s, member_id)
        sid = set_id or _member_set_id(s, member_id)
        rs = load_set_or_default(db, sid)
        today = _today(db, m)
        window_end = None
        if start is None and end is None:
            start, end = candidacy_period(rs, _first_entry_date(s, m), today)
            window_end = end
        entries = tuple(_entries(s, m, start, end))
        ev = evaluate(rs, entries, start, end, today, window_end)
        locks = tuple(_lock_infos(s, m, only_active=False))
        return Overview(Ledger(member_id, m.display_name, start, end, entries), ev, rs.id, locks)


# --- manual entries -----------------------------------------------------------------------


def _check_manual(category: str | Category, minutes: int, note: str) -> tuple[Category, str]:
    cat = parse_category(str(category))
    if cat is None or cat not in MANUAL_CATEGORIES:
        allowed = ", ".join(c.label.lower() for c in MANUAL_CATEGORIES)
        raise ValidationError("category", f"Manual entries are for: {allowed}.")
    if not 1 <= minutes <= MAX_ENTRY_MINUTES:
        raise ValidationError("minutes", "Minutes must be between 1 and 10080 (one week).")
    note = " ".join(note.split())
    if len(note) > NOTE_MAX:
        raise ValidationError("note", f"The note is too long (at most {NOTE_MAX} characters).")
    return cat, note


def _active_lock(s: Session, member_id: int, first: date, last: date) -> PeriodLock | None:
    """An active lock of the member's that overlaps [first, last]."""
    return s.exec(
        select(PeriodLock).where(
            PeriodLock.member_id == member_id,
            col(PeriodLock.unlocked_at).is_(None),
            col(PeriodLock.start_date) <= last,
            col(PeriodLock.end_date) >= first,
        )
    ).first()


def ensure_unlocked(s: Session, member_id: int, day: date) -> None:
    """Raise PeriodLockedError if ``day`` is inside one of the member's locked periods."""
    lock = _active_lock(s, member_id, day, day)
    if lock is not None:
        raise PeriodLockedError(lock.start_date, lock.end_date)


def add_entry(
    db: Database,
    member_id: int,
    on_date: date,
    minutes: int,
    category: str | Category,
    note: str = "",
) -> LedgerEntry:
    cat, note = _check_manual(category, minutes, note)
    with transaction(db.engine) as s:
        _member(s, member_id)
        ensure_unlocked(s, member_id, on_date)
        h = HourEntry(
            member_id=member_id,
            on_date=on_date,
            minutes=minutes,
            category=cat.value,
            note=note,
            created_at=utcnow(db.clock),
        )
        s.add(h)
        s.flush()
        audit.record(s, "create", "hour_entry", h.id, db.clock)
        return _manual_entry(h)


def update_entry(
    db: Database,
    entry_id: int,
    *,
    expected_version: int | None = None,
    on_date: date | None = None,
    minutes: int | None = None,
    category: str | Category | None = None,
    note: str | None = None,
) -> LedgerEntry:
    with transaction(db.engine) as s:
        h = s.get(HourEntry, entry_id)
        if h is None:
            raise NotFoundError(f"Hour entry #{entry_id} does not exist.")
        if expected_version is not None and h.version != expected_version:
            raise StaleEditError("hour entry", entry_id)
        cat, clean = _check_manual(
            category if category is not None else h.category,
            minutes if minutes is not None else h.minutes,
            note if note is not None else h.note,
        )
        ensure_unlocked(s, h.member_id, h.on_date)
        if on_date is not None:
            ensure_unlocked(s, h.member_id, on_date)
            h.on_date = on_date
        h.category = cat.value
        h.minutes = minutes if minutes is not None else h.minutes
        h.note = clean
        s.add(h)
        try:
            s.flush()
        except StaleDataError:
            raise StaleEditError("hour entry", entry_id) from None
        audit.record(s, "update", "hour_entry", h.id, db.clock)
        return _manual_entry(h)


def delete_entry(db: Database, entry_id: int, expected_version: int | None = None) -> None:
    with transaction(db.engine) as s:
        h = s.get(HourEntry, entry_id)
        if h is None:
            raise NotFoundError(f"Hour entry #{entry_id} does not exist.")
        if expected_version is not None and h.version != expected_version:
            raise StaleEditError("hour entry", entry_id)
        ensure_unlocked(s, h.member_id, h.on_date)
        audit.record(s, "delete", "hour_entry", entry_id, db.clock)
        s.delete(h)


# --- locks --------------------------------------------------------------------------------


def _lock_info(lock: PeriodLock, current_hash: str | None) -> LockInfo:
    return LockInfo(
        id=lock.id or 0,
        member_id=lock.member_id,
        start_date=lock.start_date,
        end_date=lock.end_date,
        entries_hash=lock.entries_hash,
        locked_at=lock.locked_at,
        unlocked_at=lock.unlocked_at,
        unlock_reason=lock.unlock_reason,
        intact=current_hash is None or current_hash == lock.entries_hash,
    )


def _lock_infos(s: Session, m: Member, only_active: bool) -> list[LockInfo]:
    q = select(PeriodLock).where(PeriodLock.member_id == m.id)
    if only_active:
        q = q.where(col(PeriodLock.unlocked_at).is_(None))
    out = []
    for lock in s.exec(q.order_by(col(PeriodLock.start_date), col(PeriodLock.id))).all():
        current = (
            entries_hash(_entries(s, m, lock.start_date, lock.end_date))
            if lock.unlocked_at is None
            else None
        )
        out.append(_lock_info(lock, current))
    return out


def list_locks(db: Database, member_id: int, only_active: bool = False) -> list[LockInfo]:
    """The member's locks; active ones say whether their entries still match the hash."""
    with transaction(db.engine) as s:
        return _lock_infos(s, _member(s, member_id), only_active)


def lock_period(db: Database, member_id: int, start: date, end: date) -> LockInfo:
    """Sign off [start, end]: store the hash of its entries and refuse later edits."""
    _check_period(start, end)
    with transaction(db.engine) as s:
        m = _member(s, member_id)
        clash = _active_lock(s, member_id, start, end)
        if clash is not None:
            raise ValidationError(
                "start",
                f"This period overlaps the locked period {clash.start_date.isoformat()} to "
                f"{clash.end_date.isoformat()}. Unlock that one first or pick other dates.",
            )
        digest = entries_hash(_entries(s, m, start, end))
        lock = PeriodLock(
            member_id=member_id,
            start_date=start,
            end_date=end,
            entries_hash=digest,
            locked_at=utcnow(db.clock),
        )
        s.add(lock)
        s.flush()
        audit.record(s, "lock", "period_lock", lock.id, db.clock)
        return _lock_info(lock, digest)


def unlock_period(db: Database, lock_id: int, reason: str) -> LockInfo:
    """Reopen a signed period. The reason is kept with the lock; the unlock is audited."""
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN:
        raise ValidationError("reason", "Say why the signed period is being reopened.")
    if len(reason) > NOTE_MAX:
        raise ValidationError("reason", f"The reason is too long (at most {NOTE_MAX}).")
    with transaction(db.engine) as s:
        lock = s.get(PeriodLock, lock_id)
        if lock is None:
            raise NotFoundError(f"Locked period #{lock_id} does not exist.")
        if lock.unlocked_at is not None:
            raise ValidationError("lock", "That period is already unlocked.")
        lock.unlocked_at = utcnow(db.clock)
        lock.unlock_reason = reason
        s.add(lock)
        s.flush()
        audit.record(s, "unlock", "period_lock", lock.id, db.clock)
        return _lock_info(lock, None)


# --- the sign-off report ------------------------------------------------------------------


def supervisors_of(db: Database, member_id: int) -> list[str]:
    """Names of the member's supervisors (individual supervision first)."""
    with transaction(db.engine) as s:
        return _supervisors(s, member_id)


def _supervisors(s: Session, member_id: int) -> list[str]:
    mine = select(Membership.group_id).where(
        Membership.member_id == member_id, Membership.role != Role.SUPERVISOR.value
    )
    rows = s.exec(
        select(Member.display_name, Group.kind)
        .join(Membership, col(Membership.member_id) == Member.id)
        .join(Group, col(Group.id) == Membership.group_id)
        .where(
            Membership.role == Role.SUPERVISOR.value,
            col(Membership.group_id).in_(mine),
            Member.id != member_id,
        )
    ).all()
    order = {"individual_supervision": 0, "group_supervision": 1}
    names: list[str] = []
    for name, _kind in sorted(rows, key=lambda r: (order.get(r[1], 2), r[0].lower())):
        if name not in names:
            names.append(name)
    return names


def report(
    db: Database,
    member_id: int,
    start: date,
    end: date,
    supervisor: str | None = None,
    set_id: str | None = None,
) -> HoursReport:
    _check_period(start, end)
    with transaction(db.engine) as s:
        m = _member(s, member_id)
        rs = load_set_or_default(db, set_id or _member_set_id(s, member_id))
        entries = tuple(_entries(s, m, start, end))
        if not db.read_only:  # a report leaves the app: audited (ids only)
            audit.record(s, "export", "member", member_id, db.clock)
        today = _today(db, m)
        lock_row = s.exec(
            select(PeriodLock).where(
                PeriodLock.member_id == member_id,
                col(PeriodLock.unlocked_at).is_(None),
                PeriodLock.start_date == start,
                PeriodLock.end_date == end,
            )
        ).first()
        digest = entries_hash(entries)
        sups = _supervisors(s, member_id)
        return HoursReport(
            candidate=m.display_name,
            credential=m.credential,
            supervisor=supervisor if supervisor is not None else (sups[0] if sups else ""),
            start=start,
            end=end,
            generated_on=today,
            set_name=rs.name,
            set_is_example=rs.example,
            evaluation=evaluate(rs, entries, start, end, today),
            entries=entries,
            entries_hash=digest,
            lock=None if lock_row is None else _lock_info(lock_row, digest),
        )


# --- user requirement sets (files in the data dir) ----------------------------------------


def user_sets_dir(db: Database) -> Path:
    return req.user_dir(db.data_dir)


# --- needs attention ----------------------------------------------------------------------


def attention(db: Database, me_id: int | None, now: datetime) -> list[AttentionItem]:
    """Broken rules in my candidacy period, and signed periods whose entries changed.

    Only for someone who logs hours: a chosen requirement set or any manual entry."""
    if me_id is None:
        return []
    with transaction(db.engine) as s:
        m = s.get(Member, me_id)
        if m is None:
            return []
        logs = _has_chosen_set(s, me_id) or (
            s.exec(select(HourEntry.id).where(HourEntry.member_id == me_id).limit(1)).first()
            is not None
        )
        items: list[AttentionItem] = []
        for lock in _lock_infos(s, m, only_active=True):
            if not lock.intact:
                items.append(
                    AttentionItem(
                        kind="hours_lock",
                        severity="warning",
                        title="A signed hour period changed after signing",
                        detail=(
                            f"{lock.start_date.isoformat()} to {lock.end_date.isoformat()}: "
                            "its entries no longer match what was signed. Review it on the "
                            "Hours screen."
                        ),
                        target="hours",
                    )
                )
        if not logs:
            return items
        rs = load_set_or_default(db, _member_set_id(s, me_id))
        today = now.astimezone(zone(m.timezone)).date()
        start, end = candidacy_period(rs, _first_entry_date(s, m), today)
        ev = evaluate(rs, _entries(s, m, start, end), start, end, today, end)
        for w in ev.broken:
            items.append(
                AttentionItem(
                    kind="hours_rule",
                    severity="warning",
                    title=f"Hours: {w.title}",
                    detail=w.detail,
                    target="hours",
                )
            )
        return items


PROVIDERS.append(attention)
