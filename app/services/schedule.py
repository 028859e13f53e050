"""Scheduling use cases: series, per-occurrence exceptions, "this / following / all" edits,
rotation of duties, and conflicts.

Each public function is one transaction and returns frozen dataclasses. Exceptions follow
iCalendar: a cancelled occurrence is an ``Occurrence`` row with status ``cancelled``
(EXDATE on export); a moved or otherwise changed one is a row keyed by its original
wall-clock start (RECURRENCE-ID). "This and following" splits the series: the old series
ends (UNTIL) just before the occurrence and a new series, linked by ``parent_series_id``,
takes over from it, carrying the later exception rows along.

Past occurrences are history: their time cannot change, rotation never touches them, and
an "all" edit of time, length or rule on a series that has already met splits it at the
next occurrence that has not started.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from app.calendar_io.importer import ParsedSeries, read_calendar
from app.clock import utcnow
from app.errors import NotFoundError, StaleEditError, ValidationError
from app.scheduling import conflicts as conflict_rules
from app.scheduling import rotation
from app.scheduling.expand import Occ, local_to_utc, occurrence_end_utc, parse_rule, utc_to_local
from app.scheduling.recurrence import (
    WEEKDAYS,
    describe,
    join_rule,
    normalize_rule,
    rule_parts,
    snap_start,
    split_rule,
)
from app.services import attention, audit, sessions
from app.services.attention import AttentionItem
from app.services.practice import GROUP_COLORS, validate_timezone
from app.services.sessions import SeriesInfo
from app.store.database import Database
from app.store.engine import transaction
from app.store.models import (
    Attendance,
    AttendanceStatus,
    DutyRole,
    Group,
    LeavePeriod,
    Member,
    Membership,
    Occurrence,
    OccurrenceDuty,
    OccurrenceStatus,
    Role,
    SessionSeries,
)

ABSENT_STATUSES = (AttendanceStatus.ABSENT.value, AttendanceStatus.EXCUSED.value)
Key = tuple[int, datetime]


class EditScope(enum.StrEnum):
    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


# --- plain values -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictInfo:
    kind: str
    severity: str
    member_id: int | None
    member_name: str
    series_id: int
    recurrence_id: datetime
    start_utc: datetime
    title: str
    message: str


@dataclass(frozen=True)
class ChangeResult:
    """Where the edited occurrence(s) now live, and any conflicts the change created."""

    series_id: int
    recurrence_id: datetime | None
    warnings: tuple[ConflictInfo, ...] = ()


@dataclass(frozen=True)
class DutyInfo:
    member_id: int
    member_name: str
    duty: DutyRole


@dataclass(frozen=True)
class CalendarItem:
    series_id: int
    recurrence_id: datetime
    occurrence_id: int | None
    group_id: int
    group_name: str
    color: str
    title: str
    start_utc: datetime
    end_utc: datetime
    timezone: str
    status: str
    moved: bool
    all_day: bool
    location: str
    video_url: str
    agenda: str
    duties: tuple[DutyInfo, ...] = ()
    absent_ids: tuple[int, ...] = ()

    @property
    def key(self) -> Key:
        return (self.series_id, self.recurrence_id)

    @property
    def cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED.value

    def names(self, duty: DutyRole) -> tuple[str, ...]:
        return tuple(d.member_name for d in self.duties if d.duty is duty)


@dataclass(frozen=True)
class SeriesDetail:
    series: SeriesInfo
    group_name: str
    color: str
    rule_text: str
    parent_series_id: int | None
    all_day: bool


@dataclass(frozen=True)
class DutyCounts:
    member_id: int
    member_name: str
    past: dict[DutyRole, int]
    planned: dict[DutyRole, int]
    on_leave_now: bool = False


# --- helpers ------------------------------------------------------------------------------


def _series_row(s: Session, series_id: int) -> SessionSeries:
    row = s.get(SessionSeries, series_id)
    if row is None or row.archived:
        raise NotFoundError(f"Session series #{series_id} does not exist (or was removed).")
    return row


def _flush(s: Session, table: str, row_id: int) -> None:
    try:
        s.flush()
    except StaleDataError:
        raise StaleEditError(table, row_id) from None


def _clean_text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(field, f"This is too long (at most {limit} characters).")
    return value


def _check_url(url: str) -> str:
    url = _clean_text(url, "video_url", 500)
    if url and not url.lower().startswith(("https://", "http://")):
        raise ValidationError("video_url", "A video link starts with https:// (or http://).")
    return url


def _check_duration(minutes: int) -> int:
    if not 5 <= minutes <= 12 * 60:
        raise ValidationError("duration_minutes", "Duration must be 5 minutes to 12 hours.")
    return minutes


def _in_rule(row: SessionSeries, rid: datetime) -> bool:
    if not row.rrule:
        return rid == row.start_local
    rule = parse_rule(row.rrule, row.start_local)
    nxt = rule.after(rid, inc=True)
    return bool(nxt == rid)


def _has_occurrence(s: Session, row: SessionSeries, rid: datetime) -> bool:
    if _in_rule(row, rid):
        return True
    return (
        s.exec(
            select(Occurrence.id).where(
                Occurrence.series_id == row.id, Occurrence.recurrence_id == rid
            )
        ).first()
        is not None
    )


def _require_occurrence(s: Session, row: SessionSeries, rid: datetime) -> None:
    if not _has_occurrence(s, row, rid):
        raise NotFoundError(
            "That session is not part of the series (it may have been moved or the series "
            "edited). Reload the calendar and try again."
        )


def _started(row: SessionSeries, rid: datetime, occ: Occurrence | None, now: datetime) -> bool:
    start = occ.start_utc if occ is not None else local_to_utc(rid, row.timezone)
    return start <= now


def _occ_row(s: Session, series_id: int, rid: datetime) -> Occurrence | None:
    return s.exec(
        select(Occurrence).where(Occurrence.series_id == series_id, Occurrence.recurrence_id == rid)
    ).first()


def _next_unstarted(row: SessionSeries, now: datetime) -> datetime | None:
    """The recurrence id of the first occurrence (by rule) that starts after ``now``."""
    local_now = utc_to_local(now, row.timezone)
    if not row.rrule:
        return row.start_local if row.start_local > local_now else None
    rule = parse_rule(row.rrule, row.start_local)
    nxt: datetime | None = rule.after(local_now, inc=False)
    # an occurrence at exactly local_now has started; the zone gap cannot hide one
    return nxt


# --- series -------------------------------------------------------------------------------


def create_series(
    db: Database,
    group_id: int,
    title: str,
    start_local: datetime,
    duration_minutes: int,
    timezone: str,
    rrule: str = "",
    *,
    location: str = "",
    video_url: str = "",
    agenda: str = "",
) -> ChangeResult:
    """A new series (or single session when ``rrule`` is empty). Conflicts it creates
    come back as warnings; the series is saved either way."""
    tz = validate_timezone(timezone)
    _check_duration(duration_minutes)
    rule, _notes = normalize_rule(rrule, start_local, tz)
    start_local = snap_start(rule, start_local.replace(second=0, microsecond=0))
    info = sessions.create_series(
        db,
        group_id,
        title,
        start_local,
        duration_minutes,
        tz,
        rule,
        location=_clean_text(location, "location", 300),
        video_url=_check_url(video_url),
        agenda=agenda,
    )
    warnings = series_conflicts(db, info.id)
    return ChangeResult(info.id, None, tuple(warnings))


def get_series(db: Database, series_id: int) -> SeriesDetail:
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        g = s.get(Group, row.group_id)
        assert g is not None
        return SeriesDetail(
            series=sessions._series_info(row),
            group_name=g.name,
            color=g.color,
            rule_text=describe(row.rrule, row.start_local),
            parent_series_id=row.parent_series_id,
            all_day=row.all_day,
        )


def remove_series(db: Database, series_id: int, expected_version: int | None = None) -> None:
    """Remove a whole series from the calendar (archived: its history stays for hours and
    notes, and it is no longer shown or exported)."""
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        if expected_version is not None and row.version != expected_version:
            raise StaleEditError("session series", series_id)
        row.archived = True
        s.add(row)
        _flush(s, "session series", series_id)
        audit.record(s, "archive", "session_series", series_id, db.clock)


# --- exceptions: cancel, restore, move ----------------------------------------------------


def cancel_occurrence(db: Database, series_id: int, recurrence_id: datetime) -> ChangeResult:
    """Cancel one occurrence (iCalendar EXDATE). Duties and attendance stay attached so
    restoring it brings them back."""
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        _require_occurrence(s, row, recurrence_id)
        occ = sessions.materialize(s, series_id, recurrence_id)
        occ.status = OccurrenceStatus.CANCELLED.value
        s.add(occ)
        _flush(s, "occurrence", occ.id or 0)
        audit.record(s, "cancel", "occurrence", occ.id, db.clock)
    return ChangeResult(series_id, recurrence_id)


def restore_occurrence(db: Database, series_id: int, recurrence_id: datetime) -> ChangeResult:
    with transaction(db.engine) as s:
        _series_row(s, series_id)
        occ = _occ_row(s, series_id, recurrence_id)
        if occ is None or occ.status != OccurrenceStatus.CANCELLED.value:
            raise NotFoundError("That session is not cancelled.")
        occ.status = OccurrenceStatus.SCHEDULED.value
        s.add(occ)
        _flush(s, "occurrence", occ.id or 0)
        audit.record(s, "restore", "occurrence", occ.id, db.clock)
    return ChangeResult(series_id, recurrence_id, tuple(series_conflicts(db, series_id)))


def move_occurrence(
    db: Database,
    series_id: int,
    recurrence_id: datetime,
    new_start_local: datetime,
    duration_minutes: int | None = None,
) -> ChangeResult:
    """Move one occurrence (RECURRENCE-ID override). ``new_start_local`` is wall-clock
    time in the series' zone."""
    return edit_occurrence(
        db,
        series_id,
        recurrence_id,
        EditScope.THIS,
        start_local=new_start_local,
        duration_minutes=duration_minutes,
    )


# --- this / following / all ---------------------------------------------------------------


def edit_occurrence(
    db: Database,
    series_id: int,
    recurrence_id: datetime,
    scope: EditScope | str,
    *,
    start_local: datetime | None = None,
    duration_minutes: int | None = None,
    title: str | None = None,
    location: str | None = None,
    video_url: str | None = None,
    agenda: str | None = None,
    rrule: str | None = None,
    timezone: str | None = None,
) -> ChangeResult:
    """Edit one occurrence, it and the following ones, or the whole series.

    ``start_local`` is the new wall-clock start (in the series' zone, or in ``timezone``
    when that changes too). For THIS, title, rule and zone cannot change (they belong to
    the series); for FOLLOWING/ALL the time change applies to every occurrence in scope
    (e.g. 12:00 -> 13:00 moves each one by an hour of wall-clock time).
    """
    scope = EditScope(scope)
    if duration_minutes is not None:
        _check_duration(duration_minutes)
    if location is not None:
        location = _clean_text(location, "location", 300)
    if video_url is not None:
        video_url = _check_url(video_url)
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise ValidationError("title", "The session needs a title.")
    if timezone is not None:
        timezone = validate_timezone(timezone)
    if start_local is not None:
        if start_local.tzinfo is not None:
            raise ValidationError("start_local", "Give the start as wall-clock time.")
        start_local = start_local.replace(second=0, microsecond=0)
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        _require_occurrence(s, row, recurrence_id)
        if scope is EditScope.THIS:
            if rrule is not None or timezone is not None:
                raise ValidationError(
                    "scope",
                    "The repeat rule and zone belong to the series: edit "
                    "“this and following” or “all” instead.",
                )
            result = _edit_this(
                s,
                db,
                row,
                recurrence_id,
                now,
                start_local,
                duration_minutes,
                location,
                video_url,
                agenda,
                title,
            )
        else:
            timing = (
                start_local is not None
                or duration_minutes is not None
                or rrule is not None
                or timezone is not None
            )
            shift = start_local - recurrence_id if start_local is not None else timedelta(0)
            at = recurrence_id
            if scope is EditScope.ALL:
                at = row.start_local
                if timing and local_to_utc(row.start_local, row.timezone) <= now:
                    # keep history: the change applies from the next session on
                    first_open = _next_unstarted(row, now)
                    if first_open is None:
                        raise ValidationError(
                            "scope",
                            "Every session of this series is in the past; past sessions "
                            "keep their time.",
                        )
                    at = first_open
            elif timing and _started(row, at, _occ_row(s, series_id, at), now):
                raise ValidationError(
                    "start_local",
                    "This session has already started; past sessions keep their time. "
                    "Pick a later session to change from.",
                )
            result = _edit_from(
                s,
                db,
                row,
                at,
                shift,
                duration_minutes,
                title,
                location,
                video_url,
                agenda,
                rrule,
                timezone,
                recurrence_id,
            )
    warnings = series_conflicts(db, result.series_id)
    return ChangeResult(result.series_id, result.recurrence_id, tuple(warnings))


def _edit_this(
    s: Session,
    db: Database,
    row: SessionSeries,
    rid: datetime,
    now: datetime,
    start_local: datetime | None,
    duration: int | None,
    location: str | None,
    video_url: str | None,
    agenda: str | None,
    title: str | None = None,
) -> ChangeResult:
    sid = row.id or 0
    existing = _occ_row(s, sid, rid)
    if (start_local is not None or duration is not None) and _started(row, rid, existing, now):
        raise ValidationError(
            "start_local", "This session has already started; past sessions keep their time."
        )
    occ = existing or sessions.materialize(s, sid, rid)
    if start_local is not None or duration is not None:
        length = (
            timedelta(minutes=duration) if duration is not None else occ.end_utc - occ.start_utc
        )
        if start_local is not None:
            occ.start_utc = local_to_utc(start_local, row.timezone)
        occ.end_utc = occ.start_utc + length
        default_start = local_to_utc(rid, row.timezone)
        default_end = occurrence_end_utc(sessions._spec(row), rid, default_start)
        occ.moved = (occ.start_utc, occ.end_utc) != (default_start, default_end)
    if location is not None:
        occ.location = None if location == row.location else location
    if video_url is not None:
        occ.video_url = None if video_url == row.video_url else video_url
    if agenda is not None:
        occ.agenda = None if agenda == row.agenda else agenda
    if title is not None:
        occ.title = None if title == row.title else title
    s.add(occ)
    _flush(s, "occurrence", occ.id or 0)
    audit.record(s, "update", "occurrence", occ.id, db.clock)
    return ChangeResult(sid, rid)


def _edit_from(
    s: Session,
    db: Database,
    row: SessionSeries,
    at: datetime,
    shift: timedelta,
    duration: int | None,
    title: str | None,
    location: str | None,
    video_url: str | None,
    agenda: str | None,
    rrule: str | None,
    timezone: str | None,
    picked: datetime,
) -> ChangeResult:
    """Apply a series-level edit to the occurrences from ``at`` on: in place when ``at``
    is the series' first occurrence, otherwise by splitting the series."""
    sid = row.id or 0
    tz = timezone or row.timezone
    new_start = at + shift  # the wall-clock shift applies to every occurrence in scope
    if rrule is not None:
        new_rule, _ = normalize_rule(rrule, new_start, tz)
    elif row.rrule:
        new_rule = _shift_rule(row.rrule, at, shift)
    else:
        new_rule = ""
    in_place = at == row.start_local
    if in_place:
        target = row
    else:
        head, tail = split_rule(row.rrule, row.start_local, at) if row.rrule else ("", "")
        if rrule is None and row.rrule:
            new_rule = _shift_rule(tail, at, shift)
        row.rrule = head
        s.add(row)
        _flush(s, "session series", sid)
        audit.record(s, "split", "session_series", sid, db.clock)
        target = SessionSeries(
            group_id=row.group_id,
            title=row.title,
            timezone=row.timezone,
            start_local=at,
            duration_minutes=row.duration_minutes,
            all_day=row.all_day,
            rrule=row.rrule,
            location=row.location,
            video_url=row.video_url,
            agenda=row.agenda,
            uid=f"{uuid.uuid4()}@consultory",
            parent_series_id=sid,
            created_at=utcnow(db.clock),
        )
    old_tz = target.timezone
    target.start_local = new_start
    target.timezone = tz
    target.rrule = new_rule
    if duration is not None:
        target.duration_minutes = duration
    if title is not None:
        target.title = title
    if location is not None:
        target.location = location
    if video_url is not None:
        target.video_url = video_url
    if agenda is not None:
        target.agenda = agenda
    if target.rrule:
        normalize_rule(target.rrule, target.start_local, target.timezone)
        target.start_local = snap_start(target.rrule, target.start_local)
    s.add(target)
    _flush(s, "session series", sid)
    tid = target.id or 0
    audit.record(s, "update" if in_place else "create", "session_series", tid, db.clock)
    # carry the exception rows in scope along, re-keyed by the wall-clock shift
    rows = s.exec(
        select(Occurrence)
        .where(Occurrence.series_id == sid, col(Occurrence.recurrence_id) >= at)
        .order_by(
            col(Occurrence.recurrence_id).desc()
            if shift > timedelta(0)
            else col(Occurrence.recurrence_id)
        )
    ).all()
    spec = sessions._spec(target)
    now = utcnow(db.clock)
    for occ in rows:
        occ.series_id = tid
        occ.recurrence_id = occ.recurrence_id + shift
        if not occ.moved or old_tz != tz:
            occ.start_utc = local_to_utc(occ.recurrence_id, tz)
            occ.end_utc = occurrence_end_utc(spec, occ.recurrence_id, occ.start_utc)
            occ.moved = False
        elif duration is not None:
            occ.end_utc = occ.start_utc + timedelta(minutes=duration)
        if occ.start_utc > now:  # sessions that took place keep what they had
            if location is not None:
                occ.location = None
            if video_url is not None:
                occ.video_url = None
            if agenda is not None:
                occ.agenda = None
        s.add(occ)
        s.flush()
    return ChangeResult(tid, picked + shift if picked >= at else None)


def _shift_rule(rule: str, at: datetime, shift: timedelta) -> str:
    """The same rule for a series starting at ``at + shift``: BYDAY weekdays and a
    BYMONTHDAY that named the old day move with the start."""
    if shift == timedelta(0) or not rule:
        return rule
    parts = rule_parts(rule)
    new = at + shift
    day_shift = (new.date() - at.date()).days
    if day_shift and "BYDAY" in parts:
        out = []
        for d in parts["BYDAY"].split(","):
            n, wd = d[:-2], d[-2:]
            if wd in WEEKDAYS:
                wd = WEEKDAYS[(WEEKDAYS.index(wd) + day_shift) % 7]
            out.append(f"{n}{wd}")
        parts["BYDAY"] = ",".join(out)
    if day_shift and parts.get("BYMONTHDAY") == str(at.day):
        parts["BYMONTHDAY"] = str(new.day)
    if "UNTIL" in parts and len(parts["UNTIL"]) == 15:
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%S") + shift
        parts["UNTIL"] = f"{until:%Y%m%dT%H%M%S}"
    return join_rule(parts)


def end_series(db: Database, series_id: int, last_day_local: datetime) -> ChangeResult:
    """Stop a series after ``last_day_local`` (wall-clock, series zone); later exception
    rows are removed with it. Past occurrences are never removed."""
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        if local_to_utc(last_day_local, row.timezone) < now - timedelta(days=1):
            raise ValidationError("until", "A series cannot end in the past.")
        if not row.rrule:
            raise ValidationError("until", "A single session has no repeats to end.")
        parts = rule_parts(row.rrule)
        parts.pop("COUNT", None)
        parts["UNTIL"] = f"{last_day_local:%Y%m%dT%H%M%S}"
        row.rrule = join_rule(parts)
        s.add(row)
        _flush(s, "session series", series_id)
        for occ in s.exec(
            select(Occurrence).where(
                Occurrence.series_id == series_id,
                col(Occurrence.recurrence_id) > last_day_local,
                col(Occurrence.start_utc) > now,
            )
        ).all():
            s.delete(occ)
        audit.record(s, "update", "session_series", series_id, db.clock)
    return ChangeResult(series_id, None)


# --- calendar -----------------------------------------------------------------------------


def calendar_items(
    db: Database,
    start_utc: datetime,
    end_utc: datetime,
    group_ids: set[int] | None = None,
    include_cancelled: bool = True,
) -> list[CalendarItem]:
    """Occurrences overlapping the window with group name/colour and duties."""
    with transaction(db.engine) as s:
        occs = sessions.occurrences_in(s, start_utc, end_utc, group_ids, include_cancelled)
        return _items(s, occs)


def _items(s: Session, occs: list[Occ]) -> list[CalendarItem]:
    groups = {g.id: g for g in s.exec(select(Group)).all()}
    occ_ids = [o.occurrence_id for o in occs if o.occurrence_id is not None]
    duties: dict[int, list[DutyInfo]] = {}
    absent: dict[int, list[int]] = {}
    for chunk in _chunks(occ_ids, 500):
        for d_oid, mid, name, duty in s.exec(
            select(
                OccurrenceDuty.occurrence_id,
                OccurrenceDuty.member_id,
                Member.display_name,
                OccurrenceDuty.duty,
            )
            .join(Member, col(Member.id) == OccurrenceDuty.member_id)
            .where(col(OccurrenceDuty.occurrence_id).in_(chunk))
            .order_by(col(OccurrenceDuty.id))
        ).all():
            duties.setdefault(d_oid, []).append(DutyInfo(mid, name, DutyRole(duty)))
        for a_oid, mid in s.exec(
            select(Attendance.occurrence_id, Attendance.member_id).where(
                col(Attendance.occurrence_id).in_(chunk),
                col(Attendance.status).in_(ABSENT_STATUSES),
            )
        ).all():
            absent.setdefault(a_oid, []).append(mid)
    out = []
    for o in occs:
        g = groups.get(o.group_id)
        oid = o.occurrence_id
        out.append(
            CalendarItem(
                series_id=o.series_id,
                recurrence_id=o.recurrence_id,
                occurrence_id=oid,
                group_id=o.group_id,
                group_name=g.name if g else "",
                color=g.color if g else "",
                title=o.title,
                start_utc=o.start_utc,
                end_utc=o.end_utc,
                timezone=o.timezone,
                status=o.status,
                moved=o.moved,
                all_day=o.all_day,
                location=o.location,
                video_url=o.video_url,
                agenda=o.agenda,
                duties=tuple(duties.get(oid, ())) if oid is not None else (),
                absent_ids=tuple(absent.get(oid, ())) if oid is not None else (),
            )
        )
    return out


def _chunks(items: list[int], n: int) -> Iterable[list[int]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def get_item(db: Database, series_id: int, recurrence_id: datetime) -> CalendarItem:
    """One occurrence (cancelled or not), wherever it was moved to."""
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        _require_occurrence(s, row, recurrence_id)
        occ = _occ_row(s, series_id, recurrence_id)
        if occ is not None:
            lo, hi = occ.start_utc, occ.end_utc
        else:
            lo = local_to_utc(recurrence_id, row.timezone)
            hi = occurrence_end_utc(sessions._spec(row), recurrence_id, lo)
        lo, hi = lo - timedelta(minutes=1), hi + timedelta(minutes=1)
        occs = [
            o
            for o in sessions.occurrences_in(s, lo, hi, {row.group_id}, include_cancelled=True)
            if o.key == (series_id, recurrence_id)
        ]
        if not occs:
            raise NotFoundError("That session could not be found. Reload the calendar.")
        return _items(s, occs)[0]


# --- rotation -----------------------------------------------------------------------------

PRESENTER_ROLES = frozenset({Role.PEER, Role.SUPERVISEE, Role.COORDINATOR, Role.FACILITATOR})
FACILITATOR_ROLES = frozenset({Role.FACILITATOR, Role.COORDINATOR, Role.SUPERVISOR})


def _candidates(s: Session, group_id: int) -> list[rotation.Candidate]:
    rows = s.exec(
        select(Membership, Member)
        .join(Member, col(Member.id) == Membership.member_id)
        .where(Membership.group_id == group_id, col(Member.archived).is_(False))
        .order_by(col(Membership.id))
    ).all()
    roles = {Role(ms.role) for ms, _ in rows}
    dedicated_facilitators = bool(roles & FACILITATOR_ROLES)
    out = []
    for i, (ms, m) in enumerate(rows):
        role = Role(ms.role)
        duties: set[DutyRole] = set()
        if role in PRESENTER_ROLES:
            duties |= {DutyRole.PRESENTER, DutyRole.NOTE_TAKER}
        if not dedicated_facilitators or role in FACILITATOR_ROLES:
            duties.add(DutyRole.FACILITATOR)
        out.append(rotation.Candidate(m.id or 0, i, frozenset(duties)))
    return out


def _leave_by_member(s: Session, member_ids: Iterable[int]) -> list[conflict_rules.Leave]:
    ids = list(member_ids)
    if not ids:
        return []
    return [
        conflict_rules.Leave(lp.member_id, lp.start_date, lp.end_date)
        for lp in s.exec(select(LeavePeriod).where(col(LeavePeriod.member_id).in_(ids))).all()
    ]


def _zones(s: Session) -> dict[int, str]:
    return {m.id or 0: m.timezone for m in s.exec(select(Member)).all()}


def _unavailable(
    o: Occ,
    leave: list[conflict_rules.Leave],
    zones: dict[int, str],
    absent: Iterable[int],
) -> frozenset[int]:
    out = set(absent)
    for lp in leave:
        day = utc_to_local(o.start_utc, zones.get(lp.member_id, "UTC")).date()
        if lp.start <= day <= lp.end:
            out.add(lp.member_id)
    return frozenset(out)


def plan_rotation(
    db: Database,
    series_id: int,
    *,
    weeks_ahead: int = 26,
    presenters: int = 1,
    facilitator: bool = True,
    note_taker: bool = False,
) -> list[CalendarItem]:
    """Assign open duties for the series' upcoming occurrences (never past ones, never
    replacing an existing assignment). Returns the occurrences that changed."""
    if not 0 <= presenters <= 5:
        raise ValidationError("presenters", "Choose 0 to 5 presenters per session.")
    if not 1 <= weeks_ahead <= 104:
        raise ValidationError("weeks_ahead", "Plan 1 to 104 weeks ahead.")
    needs = {
        DutyRole.PRESENTER: presenters,
        DutyRole.FACILITATOR: 1 if facilitator else 0,
        DutyRole.NOTE_TAKER: 1 if note_taker else 0,
    }
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        cands = _candidates(s, row.group_id)
        members = {c.member_id for c in cands}
        zones = _zones(s)
        leave = _leave_by_member(s, members)
        tally = _history(s, row.group_id)
        upcoming = [
            o
            for o in sessions.occurrences_in(
                s, now, now + timedelta(weeks=weeks_ahead), {row.group_id}
            )
            if o.series_id == series_id and o.start_utc > now
        ]
        slots = []
        existing: dict[Key, dict[DutyRole, tuple[int, ...]]] = {}
        for o in upcoming:
            assigned: dict[DutyRole, tuple[int, ...]] = {}
            absent: list[int] = []
            if o.occurrence_id is not None:
                for mid, duty in s.exec(
                    select(OccurrenceDuty.member_id, OccurrenceDuty.duty).where(
                        OccurrenceDuty.occurrence_id == o.occurrence_id
                    )
                ).all():
                    assigned[DutyRole(duty)] = assigned.get(DutyRole(duty), ()) + (mid,)
                absent = list(
                    s.exec(
                        select(Attendance.member_id).where(
                            Attendance.occurrence_id == o.occurrence_id,
                            col(Attendance.status).in_(ABSENT_STATUSES),
                        )
                    ).all()
                )
            existing[o.key] = assigned
            slots.append(
                rotation.Slot(o.key, o.start_utc, _unavailable(o, leave, zones, absent), assigned)
            )
        assignments, _gaps = rotation.plan(slots, cands, tally, needs)
        changed: set[Key] = set()
        for a in assignments:
            sid, rid = a.key
            occ = sessions.materialize(s, sid, rid)
            s.add(OccurrenceDuty(occurrence_id=occ.id or 0, member_id=a.member_id, duty=a.duty))
            changed.add((sid, rid))
        s.flush()
        if changed:
            audit.record(s, "rotate", "occurrence_duty", series_id, db.clock)
        return _items(s, [o for o in upcoming if o.key in changed]) if changed else []


def _history(s: Session, group_id: int) -> rotation.Tally:
    """Turns already taken (or planned) per member and duty in this group."""
    tally = rotation.Tally()
    for mid, duty, start in _group_duties(s, group_id):
        tally.add(mid, duty, start)
    return tally


def _group_duties(s: Session, group_id: int) -> list[tuple[int, DutyRole, datetime]]:
    """(member, duty, start) of every duty held in the group's scheduled sessions."""
    rows = s.exec(
        select(OccurrenceDuty.member_id, OccurrenceDuty.duty, Occurrence.start_utc)
        .join(Occurrence, col(Occurrence.id) == OccurrenceDuty.occurrence_id)
        .join(SessionSeries, col(SessionSeries.id) == Occurrence.series_id)
        .where(
            SessionSeries.group_id == group_id,
            Occurrence.status == OccurrenceStatus.SCHEDULED.value,
            col(SessionSeries.archived).is_(False),
        )
    ).all()
    return [(mid, DutyRole(duty), start) for mid, duty, start in rows]


def _future_occ(s: Session, db: Database, series_id: int, rid: datetime, what: str) -> Occurrence:
    row = _series_row(s, series_id)
    _require_occurrence(s, row, rid)
    existing = _occ_row(s, series_id, rid)
    if _started(row, rid, existing, utcnow(db.clock)):
        raise ValidationError("recurrence_id", f"Past sessions keep their {what}.")
    return existing or sessions.materialize(s, series_id, rid)


def assign_duty(
    db: Database, series_id: int, recurrence_id: datetime, member_id: int, duty: DutyRole | str
) -> ChangeResult:
    d = DutyRole(duty)
    with transaction(db.engine) as s:
        occ = _future_occ(s, db, series_id, recurrence_id, "rotation")
        if s.get(Member, member_id) is None:
            raise NotFoundError(f"Member #{member_id} does not exist.")
        if d is DutyRole.FACILITATOR:
            for old in s.exec(
                select(OccurrenceDuty).where(
                    OccurrenceDuty.occurrence_id == occ.id, OccurrenceDuty.duty == d.value
                )
            ).all():
                s.delete(old)
        clash = s.exec(
            select(OccurrenceDuty).where(
                OccurrenceDuty.occurrence_id == occ.id,
                OccurrenceDuty.member_id == member_id,
                OccurrenceDuty.duty == d.value,
            )
        ).first()
        if clash is None:
            s.add(OccurrenceDuty(occurrence_id=occ.id or 0, member_id=member_id, duty=d.value))
        s.flush()
        audit.record(s, "assign", "occurrence_duty", occ.id, db.clock)
    return ChangeResult(series_id, recurrence_id, tuple(series_conflicts(db, series_id)))


def unassign_duty(
    db: Database, series_id: int, recurrence_id: datetime, member_id: int, duty: DutyRole | str
) -> ChangeResult:
    d = DutyRole(duty)
    with transaction(db.engine) as s:
        occ = _future_occ(s, db, series_id, recurrence_id, "rotation")
        for old in s.exec(
            select(OccurrenceDuty).where(
                OccurrenceDuty.occurrence_id == occ.id,
                OccurrenceDuty.member_id == member_id,
                OccurrenceDuty.duty == d.value,
            )
        ).all():
            s.delete(old)
        audit.record(s, "unassign", "occurrence_duty", occ.id, db.clock)
    return ChangeResult(series_id, recurrence_id)


def swap_duties(
    db: Database,
    duty: DutyRole | str,
    a: tuple[int, datetime, int],
    b: tuple[int, datetime, int],
) -> ChangeResult:
    """Swap a duty between two members on two occurrences: ``a`` and ``b`` are
    (series id, recurrence id, member id) of who holds the duty now."""
    d = DutyRole(duty)
    with transaction(db.engine) as s:
        occ_a = _future_occ(s, db, a[0], a[1], "rotation")
        occ_b = _future_occ(s, db, b[0], b[1], "rotation")
        row_a = _duty_row(s, occ_a.id or 0, a[2], d)
        row_b = _duty_row(s, occ_b.id or 0, b[2], d)
        row_a.member_id, row_b.member_id = b[2], a[2]
        s.add(row_a)
        s.add(row_b)
        s.flush()
        audit.record(s, "swap", "occurrence_duty", occ_a.id, db.clock)
    return ChangeResult(a[0], a[1], tuple(series_conflicts(db, a[0])))


def _duty_row(s: Session, occurrence_id: int, member_id: int, duty: DutyRole) -> OccurrenceDuty:
    row = s.exec(
        select(OccurrenceDuty).where(
            OccurrenceDuty.occurrence_id == occurrence_id,
            OccurrenceDuty.member_id == member_id,
            OccurrenceDuty.duty == duty.value,
        )
    ).first()
    if row is None:
        raise NotFoundError("That member does not hold this duty in that session.")
    return row


def postpone_presentation(
    db: Database, series_id: int, recurrence_id: datetime, member_id: int
) -> ChangeResult:
    """ "Postpone my presentation": the member presents at the next upcoming occurrence
    of the series where they are available; that occurrence's presenter (if any, and if
    available) takes this one, otherwise the fairest available member does."""
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        row = _series_row(s, series_id)
        here = _future_occ(s, db, series_id, recurrence_id, "rotation")
        mine = _duty_row(s, here.id or 0, member_id, DutyRole.PRESENTER)
        cands = _candidates(s, row.group_id)
        members = {c.member_id for c in cands}
        zones = _zones(s)
        leave = _leave_by_member(s, members)
        later = [
            o
            for o in sessions.occurrences_in(
                s,
                here.start_utc + timedelta(minutes=1),
                here.start_utc + timedelta(days=400),
                {row.group_id},
            )
            if o.series_id == series_id and o.start_utc > max(now, here.start_utc)
        ]
        target: Occ | None = None
        for o in later:
            absent = _absent_ids(s, o.occurrence_id)
            if member_id not in _unavailable(o, leave, zones, absent):
                target = o
                break
        if target is None:
            raise ValidationError(
                "recurrence_id", "There is no later session of this series you can present at."
            )
        there = sessions.materialize(s, target.series_id, target.recurrence_id)
        theirs = s.exec(
            select(OccurrenceDuty)
            .where(
                OccurrenceDuty.occurrence_id == there.id,
                OccurrenceDuty.duty == DutyRole.PRESENTER.value,
            )
            .order_by(col(OccurrenceDuty.id))
        ).first()
        here_occ = Occ(
            series_id,
            row.group_id,
            row.title,
            recurrence_id,
            here.start_utc,
            here.end_utc,
            row.timezone,
        )
        unavailable_here = _unavailable(here_occ, leave, zones, _absent_ids(s, here.id))
        mine.occurrence_id = there.id or 0
        s.add(mine)
        replacement: int | None = None
        if theirs is not None and theirs.member_id != member_id:
            if theirs.member_id not in unavailable_here:
                theirs.occurrence_id = here.id or 0
                s.add(theirs)
                replacement = theirs.member_id
        s.flush()
        if replacement is None:
            tally = _history(s, row.group_id)
            busy = {
                m
                for m in s.exec(
                    select(OccurrenceDuty.member_id).where(OccurrenceDuty.occurrence_id == here.id)
                ).all()
            }
            slot = rotation.Slot(
                (series_id, recurrence_id),
                here.start_utc,
                frozenset(unavailable_here | {member_id}),
                {DutyRole.FACILITATOR: tuple(busy)},
            )
            picks, _ = rotation.plan([slot], cands, tally, {DutyRole.PRESENTER: 1})
            for p in picks:
                s.add(
                    OccurrenceDuty(
                        occurrence_id=here.id or 0,
                        member_id=p.member_id,
                        duty=DutyRole.PRESENTER.value,
                    )
                )
        s.flush()
        audit.record(s, "postpone", "occurrence_duty", here.id, db.clock)
        new_rid = target.recurrence_id
    return ChangeResult(series_id, new_rid, tuple(series_conflicts(db, series_id)))


def _absent_ids(s: Session, occurrence_id: int | None) -> list[int]:
    if occurrence_id is None:
        return []
    return list(
        s.exec(
            select(Attendance.member_id).where(
                Attendance.occurrence_id == occurrence_id,
                col(Attendance.status).in_(ABSENT_STATUSES),
            )
        ).all()
    )


def set_unavailable(
    db: Database, series_id: int, recurrence_id: datetime, member_id: int, unavailable: bool
) -> ChangeResult:
    """Mark that a member cannot come to an upcoming session (attendance "excused"), or
    undo it. A duty they hold there then shows as a conflict until it is reassigned."""
    with transaction(db.engine) as s:
        occ = _future_occ(s, db, series_id, recurrence_id, "attendance plans")
        att = s.exec(
            select(Attendance).where(
                Attendance.occurrence_id == occ.id, Attendance.member_id == member_id
            )
        ).first()
        if unavailable:
            att = att or Attendance(occurrence_id=occ.id or 0, member_id=member_id)
            att.status = AttendanceStatus.EXCUSED.value
            s.add(att)
        elif att is not None:
            s.delete(att)
        s.flush()
        audit.record(s, "update", "attendance", occ.id, db.clock)
    return ChangeResult(series_id, recurrence_id, tuple(series_conflicts(db, series_id)))


def duty_counts(db: Database, group_id: int) -> list[DutyCounts]:
    """Each member's turns per duty in the group: past (held) and planned (upcoming)."""
    now = utcnow(db.clock)
    with transaction(db.engine) as s:
        members = s.exec(
            select(Member)
            .join(Membership, col(Membership.member_id) == Member.id)
            .where(Membership.group_id == group_id, col(Member.archived).is_(False))
            .order_by(Member.display_name)
        ).all()
        past: dict[tuple[int, DutyRole], int] = {}
        planned: dict[tuple[int, DutyRole], int] = {}
        for mid, duty, start in _group_duties(s, group_id):
            bucket = past if start <= now else planned
            k = (mid, duty)
            bucket[k] = bucket.get(k, 0) + 1
        today = now.date()
        on_leave = set(
            s.exec(
                select(LeavePeriod.member_id).where(
                    col(LeavePeriod.start_date) <= today, col(LeavePeriod.end_date) >= today
                )
            ).all()
        )
        return [
            DutyCounts(
                member_id=m.id or 0,
                member_name=m.display_name,
                past={d: past.get((m.id or 0, d), 0) for d in DutyRole},
                planned={d: planned.get((m.id or 0, d), 0) for d in DutyRole},
                on_leave_now=m.id in on_leave,
            )
            for m in members
        ]


# --- conflicts ----------------------------------------------------------------------------

CONFLICT_TEXT = {
    "double_booked": "is booked in two overlapping sessions",
    "during_leave": "is on leave on the day of this session",
    "duty_absent": "holds a duty but is marked absent",
}


def list_conflicts(
    db: Database,
    start_utc: datetime,
    end_utc: datetime,
    member_id: int | None = None,
    series_id: int | None = None,
) -> list[ConflictInfo]:
    with transaction(db.engine) as s:
        return _conflicts(s, start_utc, end_utc, member_id, series_id)


def series_conflicts(db: Database, series_id: int, weeks: int = 26) -> list[ConflictInfo]:
    """Upcoming conflicts involving one series (shown after every change to it)."""
    now = utcnow(db.clock)
    return list_conflicts(db, now, now + timedelta(weeks=weeks), series_id=series_id)


def _conflicts(
    s: Session,
    start_utc: datetime,
    end_utc: datetime,
    member_id: int | None,
    series_id: int | None,
) -> list[ConflictInfo]:
    occs = sessions.occurrences_in(s, start_utc, end_utc)
    participants: dict[int, set[int]] = {}
    for gid, mid in s.exec(
        select(Membership.group_id, Membership.member_id)
        .join(Member, col(Member.id) == Membership.member_id)
        .where(col(Member.archived).is_(False))
    ).all():
        participants.setdefault(gid, set()).add(mid)
    members = {m.id or 0: m.display_name for m in s.exec(select(Member)).all()}
    zones = _zones(s)
    leave = _leave_by_member(s, members)
    items = {i.key: i for i in _items(s, occs)}
    absences = {k: frozenset(i.absent_ids) for k, i in items.items() if i.absent_ids}
    duties: dict[Key, dict[int, frozenset[str]]] = {}
    for k, i in items.items():
        held: dict[int, set[str]] = {}
        for d in i.duties:
            held.setdefault(d.member_id, set()).add(d.duty.value)
        if held:
            duties[k] = {m: frozenset(v) for m, v in held.items()}
    found = conflict_rules.find_conflicts(
        occs,
        {g: frozenset(m) for g, m in participants.items()},
        leave,
        absences,
        duties,
        zones,
        member_id,
    )
    out = []
    for c in found:
        name = members.get(c.member_id or 0, "") if c.member_id else ""
        text = CONFLICT_TEXT.get(c.kind, c.kind)
        if c.duty:
            text += f" (duty: {c.duty.replace('_', '-')})"
        if c.kind == "double_booked":
            first, second = items[c.keys[0]], items[c.keys[-1]]
            text += f": “{first.title}” and “{second.title}”"
        # a clash is reported on each session it involves (filtered to one series)
        for key in dict.fromkeys(c.keys):
            if series_id is not None and key[0] != series_id:
                continue
            item = items[key]
            out.append(
                ConflictInfo(
                    kind=c.kind,
                    severity=c.severity,
                    member_id=c.member_id,
                    member_name=name,
                    series_id=key[0],
                    recurrence_id=key[1],
                    start_utc=item.start_utc,
                    title=item.title,
                    message=f"{name} {text}".strip(),
                )
            )
    return out


def _attention_provider(db: Database, me_id: int | None, now: datetime) -> list[AttentionItem]:
    """Today's "needs attention": my conflicts in the next 30 days."""
    if me_id is None:
        return []
    return [
        AttentionItem(
            kind="conflict",
            severity=c.severity,
            title=f"Schedule conflict: {c.title}",
            detail=c.message,
            due=c.start_utc.date(),
            target=f"calendar:{c.series_id}:{c.recurrence_id.isoformat()}",
        )
        for c in list_conflicts(db, now, now + timedelta(days=30), member_id=me_id)
    ]


attention.PROVIDERS.append(_attention_provider)


# --- iCalendar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    group_id: int
    group_name: str
    created: int
    updated: int
    exceptions: int
    skipped: int
    problems: tuple[str, ...]


def import_ics(
    db: Database,
    data: bytes,
    group_name: str | None = None,
    default_zone: str | None = None,
) -> ImportReport:
    """Import a calendar file into a group (found by name or created; by default named
    after the calendar). Events already imported (same UID) are updated, not duplicated.
    Raises IcsError when nothing in the file can be imported."""
    with transaction(db.engine) as s:
        me = audit.me_id(s)
        me_row = s.get(Member, me) if me is not None else None
    zone_name = default_zone or (me_row.timezone if me_row is not None else "UTC")
    parsed = read_calendar(data, validate_timezone(zone_name))
    name = " ".join((group_name or parsed.name or "Imported calendar").split())[:120]
    created = updated = exceptions = 0
    with transaction(db.engine) as s:
        group = s.exec(select(Group).where(func.lower(Group.name) == name.lower())).first()
        if group is None:
            n = len(s.exec(select(Group.id)).all())
            group = Group(
                name=name, color=GROUP_COLORS[n % len(GROUP_COLORS)], created_at=utcnow(db.clock)
            )
            s.add(group)
            s.flush()
            audit.record(s, "create", "consult_group", group.id, db.clock)
        for ps in parsed.series:
            row = s.exec(
                select(SessionSeries).where(
                    SessionSeries.uid == ps.uid, col(SessionSeries.archived).is_(False)
                )
            ).first()
            if row is None:
                row = SessionSeries(
                    group_id=group.id or 0,
                    uid=ps.uid,
                    title="",
                    timezone=ps.timezone,
                    start_local=ps.start_local,
                    created_at=utcnow(db.clock),
                )
                created += 1
            else:
                updated += 1
            row.title = ps.title
            row.timezone = ps.timezone
            row.start_local = ps.start_local
            row.duration_minutes = ps.duration_minutes
            row.all_day = ps.all_day
            row.rrule = ps.rrule
            row.location = ps.location
            row.video_url = ps.video_url
            if ps.description:
                row.agenda = ps.description
            s.add(row)
            s.flush()
            audit.record(s, "import", "session_series", row.id, db.clock)
            exceptions += _apply_exceptions(s, row, ps)
        return ImportReport(
            group_id=group.id or 0,
            group_name=group.name,
            created=created,
            updated=updated,
            exceptions=exceptions,
            skipped=parsed.skipped,
            problems=tuple(parsed.problems),
        )


def _apply_exceptions(s: Session, row: SessionSeries, ps: ParsedSeries) -> int:
    """Bring the series' exception rows in line with the file: rows the file no longer
    names are reset (or deleted when nothing is attached to them)."""
    sid = row.id or 0
    spec = sessions._spec(row)
    wanted = set(ps.exdates) | set(ps.extra) | set(ps.overrides)
    for occ in s.exec(select(Occurrence).where(Occurrence.series_id == sid)).all():
        if occ.recurrence_id in wanted:
            continue
        attached = (
            s.exec(select(OccurrenceDuty.id).where(OccurrenceDuty.occurrence_id == occ.id)).first()
            or s.exec(select(Attendance.id).where(Attendance.occurrence_id == occ.id)).first()
        )
        if attached is None:
            s.delete(occ)
        else:
            occ.status = OccurrenceStatus.SCHEDULED.value
            occ.start_utc = local_to_utc(occ.recurrence_id, row.timezone)
            occ.end_utc = occurrence_end_utc(spec, occ.recurrence_id, occ.start_utc)
            occ.moved = False
            occ.location = occ.video_url = occ.title = None
            s.add(occ)
    s.flush()
    n = 0
    for rid in sorted(wanted):
        occ = sessions.materialize(s, sid, rid)
        default_start = local_to_utc(rid, row.timezone)
        occ.start_utc = default_start
        occ.end_utc = occurrence_end_utc(spec, rid, default_start)
        occ.moved = False
        occ.location = None
        occ.title = None
        occ.status = (
            OccurrenceStatus.CANCELLED.value
            if rid in ps.exdates
            else OccurrenceStatus.SCHEDULED.value
        )
        ov = ps.overrides.get(rid)
        if ov is not None and ov.start_utc is not None and ov.end_utc is not None:
            occ.start_utc, occ.end_utc = ov.start_utc, ov.end_utc
            occ.moved = (ov.start_utc, ov.end_utc) != (
                default_start,
                occurrence_end_utc(spec, rid, default_start),
            )
            occ.location = ov.location
        if ov is not None and ov.title is not None:
            occ.title = ov.title
        s.add(occ)
        n += 1
    s.flush()
    return n


def export_ics(db: Database, group_id: int | None = None) -> bytes:
    """All (or one group's) current series as an iCalendar file."""
    from app.calendar_io.exporter import ExportOccurrence, ExportSeries, export_calendar

    with transaction(db.engine) as s:
        if not db.read_only:  # the calendar leaves the app: audited (ids only)
            audit.record(s, "export", "consult_group", group_id, db.clock)
        q = (
            select(SessionSeries, Group)
            .join(Group, col(Group.id) == SessionSeries.group_id)
            .where(col(SessionSeries.archived).is_(False), col(Group.archived).is_(False))
            .order_by(col(SessionSeries.id))
        )
        if group_id is not None:
            if s.get(Group, group_id) is None:
                raise NotFoundError(f"Group #{group_id} does not exist.")
            q = q.where(SessionSeries.group_id == group_id)
        out: list[ExportSeries] = []
        name = "Consultory"
        for row, g in s.exec(q).all():
            if group_id is not None:
                name = f"Consultory: {g.name}"
            occs = s.exec(
                select(Occurrence)
                .where(Occurrence.series_id == row.id)
                .order_by(col(Occurrence.recurrence_id))
            ).all()
            in_rule = _rule_members(row, [o.recurrence_id for o in occs])
            spec = sessions._spec(row)
            exceptions = []
            for o in occs:
                default_start = local_to_utc(o.recurrence_id, row.timezone)
                default_end = occurrence_end_utc(spec, o.recurrence_id, default_start)
                member = o.recurrence_id in in_rule
                plain = (
                    o.status == OccurrenceStatus.SCHEDULED.value
                    and (o.start_utc, o.end_utc) == (default_start, default_end)
                    and o.location is None
                    and o.video_url is None
                    and o.title is None
                )
                if member and plain:
                    continue  # materialised only for duties/attendance: nothing to export
                exceptions.append(
                    ExportOccurrence(
                        recurrence_id=o.recurrence_id,
                        cancelled=o.status == OccurrenceStatus.CANCELLED.value,
                        start_utc=o.start_utc,
                        end_utc=o.end_utc,
                        moved=(o.start_utc, o.end_utc) != (default_start, default_end),
                        in_rule=member,
                        location=o.location,
                        video_url=o.video_url,
                        title=o.title,
                    )
                )
            out.append(
                ExportSeries(
                    uid=row.uid,
                    title=row.title,
                    group_name=g.name,
                    timezone=row.timezone,
                    # RFC 5545 counts DTSTART as an occurrence: export the rule's first one
                    # (a series stored with an unsynchronised start expands without it)
                    start_local=snap_start(row.rrule, row.start_local),
                    duration_minutes=row.duration_minutes,
                    all_day=row.all_day,
                    rrule=row.rrule,
                    location=row.location,
                    video_url=row.video_url,
                    sequence=row.version,
                    exceptions=tuple(exceptions),
                )
            )
    return export_calendar(out, name, utcnow(db.clock))


def _rule_members(row: SessionSeries, rids: list[datetime]) -> set[datetime]:
    """Which of ``rids`` the series' own rule (or single start) produces."""
    if not rids:
        return set()
    if not row.rrule:
        return {row.start_local} & set(rids)
    rule = parse_rule(row.rrule, row.start_local)
    lo, hi = min(rids), max(rids)
    produced = set(rule.between(lo - timedelta(seconds=1), hi + timedelta(seconds=1), inc=True))
    return produced & set(rids)
