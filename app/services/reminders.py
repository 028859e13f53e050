"""Reminders: settings, planning for "me", and delivery state (one transaction each).

The planner (app/reminders) decides what is due when; this module reads the rows it
needs, records what happened in ``ReminderDelivery`` (one row per planned reminder key:
``delivered``, ``acknowledged``, ``snoozed`` or ``missed``) and keeps the watermark (see
app/reminders/catchup.py). Because a key gets at most one row, and the row is written in
the same transaction that takes the reminder, nothing is delivered twice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from app.clock import utcnow
from app.errors import NotFoundError, StaleEditError, ValidationError
from app.reminders.catchup import DueReminder, catchup_window, classify
from app.reminders.model import (
    MAX_BEFORE_MINUTES,
    MAX_PREP_DAYS,
    DeliveryState,
    MemberInput,
    OccurrenceInput,
    PlannedReminder,
    Policy,
    ReminderKind,
    SettingRow,
    parse_hhmm,
)
from app.reminders.planner import (
    GENERAL,
    CadenceStatus,
    MembershipInput,
    cadence_status,
    max_lead,
    plan_cadence,
    plan_sessions,
    resolve_policies,
)
from app.scheduling.expand import local_to_utc, utc_to_local
from app.services import attention, audit
from app.services.sessions import occurrences_in
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
    ReminderDelivery,
    ReminderSetting,
    SessionSeries,
    Setting,
)

WATERMARK_KEY = "reminders.watermark_utc"
SNOOZE_CHOICES = (5, 15, 60)  # minutes offered by the banner
SETTING_KINDS = (GENERAL,) + tuple(k.value for k in ReminderKind)
ATTENDED = (
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.LATE.value,
    AttendanceStatus.LEFT_EARLY.value,
)


# --- plain values -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderSettingInfo:
    id: int
    member_id: int
    group_id: int | None
    kind: str
    enabled: bool
    offset_minutes: int | None
    offset_days: int | None
    local_time: str | None
    quiet_start: str | None
    quiet_end: str | None
    include_coordinated: bool
    version: int


@dataclass(frozen=True)
class TakeResult:
    """What one look at the clock found: reminders to show now (on time), the digest
    (late or obsolete ones) and whether the window had to be cut or reset."""

    items: tuple[DueReminder, ...]
    truncated: bool = False
    clock_went_back: bool = False

    @property
    def on_time(self) -> list[DueReminder]:
        return [d for d in self.items if not d.late and not d.obsolete]

    @property
    def digest(self) -> list[DueReminder]:
        return [d for d in self.items if d.late or d.obsolete]


@dataclass(frozen=True)
class NextSession:
    series_id: int
    recurrence_id: datetime
    title: str
    start_utc: datetime
    end_utc: datetime


# --- settings -----------------------------------------------------------------------------


def _setting_info(r: ReminderSetting) -> ReminderSettingInfo:
    return ReminderSettingInfo(
        id=r.id or 0,
        member_id=r.member_id,
        group_id=r.group_id,
        kind=r.kind,
        enabled=r.enabled,
        offset_minutes=r.offset_minutes,
        offset_days=r.offset_days,
        local_time=r.local_time,
        quiet_start=r.quiet_start,
        quiet_end=r.quiet_end,
        include_coordinated=r.include_coordinated,
        version=r.version,
    )


_ROW_FIELDS = tuple(f.name for f in fields(SettingRow))


def _row(r: ReminderSetting | ReminderSettingInfo) -> SettingRow:
    return SettingRow(**{name: getattr(r, name) for name in _ROW_FIELDS})


def _hhmm(value: str | None, field: str) -> str | None:
    try:
        t = parse_hhmm(value)
    except ValueError:
        raise ValidationError(field, "Give the time as HH:MM, for example 17:00.") from None
    return None if t is None else t.strftime("%H:%M")


def _validate(
    kind: str,
    offset_minutes: int | None,
    offset_days: int | None,
    local_time: str | None,
    quiet_start: str | None,
    quiet_end: str | None,
) -> tuple[str | None, str | None, str | None]:
    if kind not in SETTING_KINDS:
        raise ValidationError(
            "kind", f"Unknown reminder kind. Use one of: {', '.join(SETTING_KINDS)}."
        )
    if offset_minutes is not None and not 0 <= offset_minutes <= MAX_BEFORE_MINUTES:
        raise ValidationError(
            "offset_minutes", f"Minutes before must be 0 to {MAX_BEFORE_MINUTES}."
        )
    if offset_days is not None and not 1 <= offset_days <= MAX_PREP_DAYS:
        raise ValidationError("offset_days", f"Days before must be 1 to {MAX_PREP_DAYS}.")
    lt = _hhmm(local_time, "local_time")
    qs = _hhmm(quiet_start, "quiet_start")
    qe = _hhmm(quiet_end, "quiet_end")
    if (qs is None) != (qe is None):
        raise ValidationError("quiet_end", "Quiet hours need both a start and an end.")
    if qs is not None and qs == qe:
        raise ValidationError("quiet_end", "Quiet hours must end at a different time.")
    return lt, qs, qe


def list_settings(db: Database, member_id: int) -> list[ReminderSettingInfo]:
    with transaction(db.engine) as s:
        rows = s.exec(
            select(ReminderSetting)
            .where(ReminderSetting.member_id == member_id)
            .order_by(col(ReminderSetting.group_id), col(ReminderSetting.kind))
        ).all()
        return [_setting_info(r) for r in rows]


def effective_policy(db: Database, member_id: int, group_id: int | None = None) -> Policy:
    """The member's policy (defaults overlaid with their rows), for one group if given."""
    base, per_group = resolve_policies([_row(r) for r in list_settings(db, member_id)])
    return base if group_id is None else per_group.get(group_id, base)


def save_setting(
    db: Database,
    member_id: int,
    kind: str,
    *,
    group_id: int | None = None,
    enabled: bool = True,
    offset_minutes: int | None = None,
    offset_days: int | None = None,
    local_time: str | None = None,
    quiet_start: str | None = None,
    quiet_end: str | None = None,
    include_coordinated: bool = False,
    expected_version: int | None = None,
) -> ReminderSettingInfo:
    """Create or update the one row for (member, group, kind)."""
    if kind == GENERAL and group_id is not None:
        raise ValidationError("group_id", "Quiet hours are set for the member, not per group.")
    lt, qs, qe = _validate(kind, offset_minutes, offset_days, local_time, quiet_start, quiet_end)
    with transaction(db.engine) as s:
        if s.get(Member, member_id) is None:
            raise NotFoundError(f"Member #{member_id} does not exist.")
        row = s.exec(
            select(ReminderSetting).where(
                ReminderSetting.member_id == member_id,
                ReminderSetting.kind == kind,
                col(ReminderSetting.group_id).is_(None)
                if group_id is None
                else ReminderSetting.group_id == group_id,
            )
        ).first()
        action = "update"
        if row is None:
            row = ReminderSetting(member_id=member_id, group_id=group_id, kind=kind)
            action = "create"
        elif expected_version is not None and row.version != expected_version:
            raise StaleEditError("reminder setting", row.id or 0)
        row.enabled = enabled
        row.offset_minutes = offset_minutes
        row.offset_days = offset_days
        row.local_time = lt
        row.quiet_start = qs
        row.quiet_end = qe
        row.include_coordinated = include_coordinated
        s.add(row)
        try:
            s.flush()
        except StaleDataError:
            raise StaleEditError("reminder setting", row.id or 0) from None
        audit.record(s, action, "reminder_setting", row.id, db.clock)
        return _setting_info(row)


def delete_setting(db: Database, setting_id: int) -> None:
    with transaction(db.engine) as s:
        row = s.get(ReminderSetting, setting_id)
        if row is None:
            raise NotFoundError(f"Reminder setting #{setting_id} does not exist.")
        audit.record(s, "delete", "reminder_setting", setting_id, db.clock)
        s.delete(row)


# --- reading what the planner needs -------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    member: MemberInput
    memberships: dict[int, MembershipInput]
    rows: list[SettingRow]
    created: date


def _inputs(s: Session, member_id: int) -> _Inputs | None:
    m = s.get(Member, member_id)
    if m is None or m.archived:
        return None
    leave = tuple(
        (lp.start_date, lp.end_date)
        for lp in s.exec(select(LeavePeriod).where(LeavePeriod.member_id == member_id)).all()
    )
    memberships = {
        ms.group_id: MembershipInput(ms.group_id, ms.role, ms.joined_on, ms.left_on)
        for ms in s.exec(select(Membership).where(Membership.member_id == member_id)).all()
    }
    rows = [
        _row(r)
        for r in s.exec(select(ReminderSetting).where(ReminderSetting.member_id == member_id))
    ]
    member = MemberInput(m.id or 0, m.timezone, m.consultation_goal_days, leave)
    return _Inputs(member, memberships, rows, utc_to_local(m.created_at, m.timezone).date())


def _occurrence_inputs(
    s: Session, member_id: int, group_ids: set[int], lo: datetime, hi: datetime
) -> list[OccurrenceInput]:
    occs = occurrences_in(s, lo, hi, group_ids)
    ids = [o.occurrence_id for o in occs if o.occurrence_id is not None]
    presenting: set[int] = set()
    if ids:
        presenting = set(
            s.exec(
                select(OccurrenceDuty.occurrence_id).where(
                    OccurrenceDuty.member_id == member_id,
                    OccurrenceDuty.duty == DutyRole.PRESENTER.value,
                    col(OccurrenceDuty.occurrence_id).in_(ids),
                )
            ).all()
        )
    me_only = frozenset({member_id})
    return [
        OccurrenceInput(
            series_id=o.series_id,
            group_id=o.group_id,
            recurrence_id=o.recurrence_id,
            start_utc=o.start_utc,
            end_utc=o.end_utc,
            title=o.title,
            occurrence_id=o.occurrence_id,
            presenter_ids=me_only if o.occurrence_id in presenting else frozenset(),
        )
        for o in occs
        if not o.cancelled
    ]


def _last_attended(s: Session, member_id: int, now: datetime) -> datetime | None:
    last: datetime | None = s.exec(
        select(func.max(Occurrence.start_utc))
        .join(Attendance, col(Attendance.occurrence_id) == Occurrence.id)
        .where(
            Attendance.member_id == member_id,
            col(Attendance.status).in_(ATTENDED),
            Occurrence.status != OccurrenceStatus.CANCELLED.value,
            col(Occurrence.start_utc) <= now,
        )
    ).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return last


def _cadence(s: Session, inp: _Inputs, now: datetime) -> CadenceStatus | None:
    if inp.member.goal_days is None:
        return None
    last = _last_attended(s, inp.member.id, now)
    tz = inp.member.timezone
    last_day = None if last is None else utc_to_local(last, tz).date()
    return cadence_status(inp.member.goal_days, last_day, inp.created, utc_to_local(now, tz).date())


def _plan(s: Session, member_id: int, after: datetime, until: datetime) -> list[PlannedReminder]:
    inp = _inputs(s, member_id)
    if inp is None:
        return []
    occs = _occurrence_inputs(s, member_id, set(inp.memberships), after, until + max_lead(inp.rows))
    out = plan_sessions(inp.member, occs, inp.memberships, inp.rows, after, until)
    nudge = plan_cadence(inp.member, _cadence(s, inp, until), inp.rows)
    if nudge is not None and after < nudge.due_utc <= until:
        out.append(nudge)
    return out


def plan(db: Database, member_id: int, after: datetime, until: datetime) -> list[PlannedReminder]:
    """Every reminder for ``member_id`` with ``after < due <= until`` (delivered or not)."""
    with transaction(db.engine) as s:
        return _plan(s, member_id, after, until)


# --- delivery state -----------------------------------------------------------------------


def _watermark(s: Session) -> datetime | None:
    row = s.get(Setting, WATERMARK_KEY)
    if row is None or not row.value:
        return None
    return datetime.fromisoformat(row.value)


def _set_watermark(s: Session, when: datetime) -> None:
    row = s.get(Setting, WATERMARK_KEY) or Setting(key=WATERMARK_KEY)
    row.value = when.astimezone(UTC).isoformat()
    s.add(row)


def get_watermark(db: Database) -> datetime | None:
    with transaction(db.engine) as s:
        return _watermark(s)


def _session_times(
    s: Session, series_id: int, recurrence_id: datetime
) -> tuple[str, int | None, datetime, datetime, int | None] | None:
    series = s.get(SessionSeries, series_id)
    if series is None:
        return None
    occ = s.exec(
        select(Occurrence).where(
            Occurrence.series_id == series_id, Occurrence.recurrence_id == recurrence_id
        )
    ).first()
    if occ is not None:
        return series.title, series.group_id, occ.start_utc, occ.end_utc, occ.id
    start = local_to_utc(recurrence_id, series.timezone)
    return (
        series.title,
        series.group_id,
        start,
        start + timedelta(minutes=series.duration_minutes),
        None,
    )


def _from_row(s: Session, row: ReminderDelivery) -> PlannedReminder:
    kind = ReminderKind(row.kind)
    title = KIND_FALLBACK_TITLE
    group_id = occ_id = None
    start = end = None
    if row.series_id is not None and row.recurrence_id is not None:
        found = _session_times(s, row.series_id, row.recurrence_id)
        if found is not None:
            title, group_id, start, end, occ_id = found
    return PlannedReminder(
        key=row.key,
        kind=kind,
        member_id=row.member_id or 0,
        due_utc=row.due_utc,
        title=title if kind is not ReminderKind.CADENCE else CADENCE_TITLE,
        series_id=row.series_id,
        recurrence_id=row.recurrence_id,
        occurrence_id=occ_id,
        group_id=group_id,
        start_utc=start,
        end_utc=end,
    )


KIND_FALLBACK_TITLE = "Session"
CADENCE_TITLE = "Time for a consultation"


def take_due(
    db: Database, member_id: int, now: datetime | None = None, *, catching_up: bool = False
) -> TakeResult:
    """Take every reminder that has come due since the last look, exactly once.

    New ones get a delivery row (``delivered``, or ``missed`` when the session is already
    over) and snoozed ones whose time came are delivered again. The watermark moves to
    ``now``. Call it from every timer, at start-up and on resume (``catching_up``: what
    is already due goes to the digest): it is idempotent. If another Consultory process
    took the same reminders first (the unique key refuses ours), the look is retried and
    finds nothing new.
    """
    now = now or utcnow(db.clock)
    try:
        return _take_due(db, member_id, now, catching_up)
    except IntegrityError:
        return _take_due(db, member_id, now, catching_up)


def _take_due(db: Database, member_id: int, now: datetime, catching_up: bool) -> TakeResult:
    with transaction(db.engine) as s:
        win = catchup_window(_watermark(s), now)
        planned = (
            _plan(s, member_id, win.after_utc, win.until_utc)
            if (win.after_utc < win.until_utc)
            else []
        )
        keys = [p.key for p in planned]
        done: set[str] = set()
        for i in range(0, len(keys), 500):
            done |= set(
                s.exec(
                    select(ReminderDelivery.key).where(
                        col(ReminderDelivery.key).in_(keys[i : i + 500])
                    )
                ).all()
            )
        items = classify([p for p in planned if p.key not in done], now, catching_up)
        for d in items:
            r = d.reminder
            s.add(
                ReminderDelivery(
                    key=r.key,
                    kind=r.kind.value,
                    member_id=r.member_id,
                    series_id=r.series_id,
                    recurrence_id=r.recurrence_id,
                    due_utc=r.due_utc,
                    state=(DeliveryState.MISSED if d.obsolete else DeliveryState.DELIVERED).value,
                    delivered_at=now,
                    via_digest=d.late or d.obsolete,
                )
            )
        back: list[DueReminder] = []
        for row in s.exec(
            select(ReminderDelivery).where(
                ReminderDelivery.member_id == member_id,
                ReminderDelivery.state == DeliveryState.SNOOZED.value,
                col(ReminderDelivery.snoozed_until) <= now,
            )
        ).all():
            rem = _from_row(s, row)
            obsolete = rem.is_obsolete(now)
            late = row.snoozed_until is not None and now - row.snoozed_until > timedelta(minutes=2)
            row.state = (DeliveryState.MISSED if obsolete else DeliveryState.DELIVERED).value
            row.delivered_at = now
            row.snoozed_until = None
            row.via_digest = late or obsolete
            s.add(row)
            back.append(DueReminder(rem, late=late, obsolete=obsolete, resnoozed=True))
        _set_watermark(s, max(now, win.until_utc))
        allitems = tuple(sorted(items + back, key=lambda d: (d.reminder.due_utc, d.key)))
        return TakeResult(allitems, win.truncated, win.clock_went_back)


def _delivery(s: Session, key: str) -> ReminderDelivery:
    row = s.exec(select(ReminderDelivery).where(ReminderDelivery.key == key)).first()
    if row is None:
        raise NotFoundError("That reminder is no longer known. It may have been removed.")
    return row


def acknowledge(db: Database, key: str) -> None:
    with transaction(db.engine) as s:
        row = _delivery(s, key)
        if row.state != DeliveryState.MISSED.value:
            row.state = DeliveryState.ACKNOWLEDGED.value
        row.snoozed_until = None
        s.add(row)


def snooze(db: Database, key: str, minutes: int, now: datetime | None = None) -> datetime:
    """Snooze a delivered reminder; it comes back (once) after ``minutes``."""
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError("minutes", "Snooze for 1 minute to 24 hours.")
    until = (now or utcnow(db.clock)) + timedelta(minutes=minutes)
    with transaction(db.engine) as s:
        row = _delivery(s, key)
        row.state = DeliveryState.SNOOZED.value
        row.snoozed_until = until
        s.add(row)
    return until


@dataclass(frozen=True)
class DeliveryInfo:
    key: str
    state: DeliveryState
    due_utc: datetime
    delivered_at: datetime | None
    via_digest: bool
    snoozed_until: datetime | None


def get_delivery(db: Database, key: str) -> DeliveryInfo | None:
    with transaction(db.engine) as s:
        row = s.exec(select(ReminderDelivery).where(ReminderDelivery.key == key)).first()
        if row is None:
            return None
        return DeliveryInfo(
            row.key,
            DeliveryState(row.state),
            row.due_utc,
            row.delivered_at,
            row.via_digest,
            row.snoozed_until,
        )


def outstanding(db: Database, member_id: int, now: datetime | None = None) -> list[PlannedReminder]:
    """Delivered reminders not yet acknowledged or snoozed whose session is not over:
    shown again (not re-delivered) when the app starts."""
    now = now or utcnow(db.clock)
    with transaction(db.engine) as s:
        rows = s.exec(
            select(ReminderDelivery)
            .where(
                ReminderDelivery.member_id == member_id,
                ReminderDelivery.state == DeliveryState.DELIVERED.value,
                col(ReminderDelivery.due_utc) > now - timedelta(days=7),
            )
            .order_by(col(ReminderDelivery.due_utc))
        ).all()
        out = [_from_row(s, r) for r in rows]
        return [r for r in out if not r.is_obsolete(now)]


def next_wakeups(
    db: Database, member_id: int, now: datetime | None = None, horizon: timedelta | None = None
) -> list[datetime]:
    """Distinct instants in ``(now, now + horizon]`` when something falls due (reminders
    not yet taken and snoozes ending). Only this near horizon gets timers."""
    now = now or utcnow(db.clock)
    until = now + (horizon or timedelta(hours=36))
    with transaction(db.engine) as s:
        planned = _plan(s, member_id, now, until)
        when = {p.due_utc for p in planned}
        for t in s.exec(
            select(ReminderDelivery.snoozed_until).where(
                ReminderDelivery.member_id == member_id,
                ReminderDelivery.state == DeliveryState.SNOOZED.value,
                col(ReminderDelivery.snoozed_until) <= until,
            )
        ).all():
            if t is not None:
                when.add(max(t, now))
        return sorted(when)


# --- cadence and Today --------------------------------------------------------------------


def cadence(db: Database, member_id: int, now: datetime | None = None) -> CadenceStatus | None:
    now = now or utcnow(db.clock)
    with transaction(db.engine) as s:
        inp = _inputs(s, member_id)
        return None if inp is None else _cadence(s, inp, now)


def cadence_attention(
    db: Database, me_id: int | None, now: datetime
) -> list[attention.AttentionItem]:
    """Today's flag when the gap since my last attended consultation exceeds my goal."""
    if me_id is None:
        return []
    st = cadence(db, me_id, now)
    if st is None or not st.overdue:
        return []
    what = "your last consultation" if st.attended_before else "you started counting"
    return [
        attention.AttentionItem(
            kind="cadence",
            severity="info",
            title="Time to connect with colleagues",
            detail=(
                f"It has been {st.days_since} days since {what}; your goal is at least every "
                f"{st.goal_days} days. A peer consultation or supervision session helps."
            ),
            due=st.overdue_on,
            target="calendar",
        )
    ]


attention.PROVIDERS.append(cadence_attention)


def my_groups(db: Database, member_id: int) -> list[tuple[int, str, str]]:
    """(group id, name, my role) of the active groups I belong to, by name."""
    with transaction(db.engine) as s:
        rows = s.exec(
            select(Group.id, Group.name, Membership.role)
            .join(Membership, col(Membership.group_id) == Group.id)
            .where(Membership.member_id == member_id, col(Group.archived).is_(False))
            .order_by(func.lower(Group.name))
        ).all()
        return [(gid or 0, name, role) for gid, name, role in rows]


def next_session(
    db: Database, member_id: int | None, now: datetime | None = None
) -> NextSession | None:
    """The next (or current) session of my groups, for the tray menu."""
    now = now or utcnow(db.clock)
    with transaction(db.engine) as s:
        groups: set[int] | None = None
        if member_id is not None:
            groups = set(
                s.exec(select(Membership.group_id).where(Membership.member_id == member_id))
            )
        for days in (14, 120):
            occs = [
                o
                for o in occurrences_in(s, now, now + timedelta(days=days), groups)
                if not o.cancelled
            ]
            if occs:
                o = occs[0]
                return NextSession(o.series_id, o.recurrence_id, o.title, o.start_utc, o.end_utc)
        return None
