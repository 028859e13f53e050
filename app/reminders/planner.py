"""The reminder planner: which reminders are due when, for one member ("me").

Pure functions over plain values (see ``model``): the service layer reads rows, this
module decides. Times of day ("17:00 the evening before") are *member-local*: they are
placed in the member's IANA zone, so 17:00 stays 17:00 across DST, and converted to UTC.

Quiet hours: a reminder that would fall inside the member's quiet period is moved to the
end of it when that is still before the session starts, otherwise to one minute before
the quiet period begins (so "15 minutes before" a 06:30 session with quiet hours
22:00–07:00 arrives at 21:59 the evening before rather than after the session started).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from app.reminders.model import (
    DEFAULT_CADENCE_TIME,
    DEFAULT_EVENING_TIME,
    DEFAULT_PREP_TIME,
    KindPolicy,
    MemberInput,
    OccurrenceInput,
    PlannedReminder,
    Policy,
    QuietHours,
    ReminderKind,
    SettingRow,
    cadence_key,
    parse_hhmm,
    session_key,
)
from app.scheduling.expand import local_to_utc, utc_to_local

GENERAL = "general"  # the member-wide row holding quiet hours and include_coordinated
COORDINATOR = "coordinator"


@dataclass(frozen=True)
class MembershipInput:
    group_id: int
    role: str
    joined_on: date | None = None
    left_on: date | None = None

    def covers(self, day: date) -> bool:
        if self.joined_on is not None and day < self.joined_on:
            return False
        return self.left_on is None or day <= self.left_on


# --- policies -----------------------------------------------------------------------------


def _kind_policy(base: KindPolicy, row: SettingRow) -> KindPolicy:
    return KindPolicy(
        enabled=row.enabled,
        offset_minutes=base.offset_minutes if row.offset_minutes is None else row.offset_minutes,
        offset_days=base.offset_days if row.offset_days is None else row.offset_days,
        local_time=parse_hhmm(row.local_time) or base.local_time,
    )


def _apply(policy: Policy, row: SettingRow) -> Policy:
    if row.kind == GENERAL:
        qs, qe = parse_hhmm(row.quiet_start), parse_hhmm(row.quiet_end)
        quiet = QuietHours(qs, qe) if qs is not None and qe is not None and row.enabled else None
        return replace(policy, quiet=quiet, include_coordinated=row.include_coordinated)
    try:
        kind = ReminderKind(row.kind)
    except ValueError:
        return policy  # a kind this version does not know: ignore rather than fail
    kp = _kind_policy(policy.for_kind(kind), row)
    if kind is ReminderKind.EVENING_BEFORE:
        return replace(policy, evening_before=kp)
    if kind is ReminderKind.BEFORE_START:
        return replace(policy, before_start=kp)
    if kind is ReminderKind.PRESENTER_PREP:
        return replace(policy, presenter_prep=kp)
    return replace(policy, cadence=kp)


def resolve_policies(rows: Sequence[SettingRow]) -> tuple[Policy, dict[int, Policy]]:
    """The member-wide policy and the per-group ones. Member-wide rows change the
    defaults; a group's rows override the member-wide policy for that group only."""
    base = Policy()
    for row in rows:
        if row.group_id is None:
            base = _apply(base, row)
    per_group: dict[int, Policy] = {}
    for row in rows:
        if row.group_id is not None and row.kind != GENERAL:
            per_group[row.group_id] = _apply(per_group.get(row.group_id, base), row)
    return base, per_group


def opted_in_groups(rows: Sequence[SettingRow]) -> set[int]:
    """Groups with an enabled group-level row: the member asked for their reminders even
    where they only coordinate."""
    return {r.group_id for r in rows if r.group_id is not None and r.enabled}


# --- quiet hours --------------------------------------------------------------------------


def avoid_quiet(
    due_utc: datetime, tz: str, quiet: QuietHours | None, deadline_utc: datetime | None
) -> tuple[datetime, bool]:
    """Move ``due_utc`` out of the quiet period; returns (due, shifted)."""
    if quiet is None:
        return due_utc, False
    local = utc_to_local(due_utc, tz)
    if not quiet.contains(local.time()):
        return due_utc, False
    end_local = datetime.combine(local.date(), quiet.end)
    if end_local <= local:
        end_local += timedelta(days=1)
    end_utc = local_to_utc(end_local, tz)
    if deadline_utc is None or end_utc < deadline_utc:
        return end_utc, True
    start_local = datetime.combine(local.date(), quiet.start)
    if start_local > local:
        start_local -= timedelta(days=1)
    return local_to_utc(start_local, tz) - timedelta(minutes=1), True


# --- sessions -----------------------------------------------------------------------------


def _at_local(day: date, t: time, tz: str) -> datetime:
    return local_to_utc(datetime.combine(day, t), tz)


def _due_for(kind: ReminderKind, kp: KindPolicy, occ: OccurrenceInput, tz: str) -> datetime:
    local_day = utc_to_local(occ.start_utc, tz).date()
    if kind is ReminderKind.EVENING_BEFORE:
        return _at_local(local_day - timedelta(days=1), kp.local_time or DEFAULT_EVENING_TIME, tz)
    if kind is ReminderKind.BEFORE_START:
        return occ.start_utc - timedelta(minutes=kp.offset_minutes)
    return _at_local(
        local_day - timedelta(days=kp.offset_days), kp.local_time or DEFAULT_PREP_TIME, tz
    )


def plan_sessions(
    member: MemberInput,
    occurrences: Iterable[OccurrenceInput],
    memberships: Mapping[int, MembershipInput],
    rows: Sequence[SettingRow],
    after_utc: datetime,
    until_utc: datetime,
) -> list[PlannedReminder]:
    """Session reminders for ``member`` with ``after_utc < due_utc <= until_utc``, by due.

    Only occurrences of groups the member belongs to on that day count; groups where they
    are only the coordinator count when they opted in (``include_coordinated`` or an
    enabled row for that group). Days of leave get no reminders.
    """
    base, per_group = resolve_policies(rows)
    opted = opted_in_groups(rows)
    tz = member.timezone
    out: list[PlannedReminder] = []
    for occ in occurrences:
        ms = memberships.get(occ.group_id)
        if ms is None:
            continue
        policy = per_group.get(occ.group_id, base)
        if ms.role == COORDINATOR and not (base.include_coordinated or occ.group_id in opted):
            continue
        local_day = utc_to_local(occ.start_utc, tz).date()
        if not ms.covers(local_day) or member.on_leave(local_day):
            continue
        for kind in (
            ReminderKind.PRESENTER_PREP,
            ReminderKind.EVENING_BEFORE,
            ReminderKind.BEFORE_START,
        ):
            kp = policy.for_kind(kind)
            if not kp.enabled:
                continue
            if kind is ReminderKind.PRESENTER_PREP and member.id not in occ.presenter_ids:
                continue
            due = _due_for(kind, kp, occ, tz)
            if due > occ.start_utc:
                continue  # e.g. "evening before" at 23:00 for a session at 21:00
            due, shifted = avoid_quiet(due, tz, policy.quiet, occ.start_utc)
            if not after_utc < due <= until_utc:
                continue
            out.append(
                PlannedReminder(
                    key=session_key(kind, member.id, occ.series_id, occ.recurrence_id),
                    kind=kind,
                    member_id=member.id,
                    due_utc=due,
                    title=occ.title,
                    series_id=occ.series_id,
                    recurrence_id=occ.recurrence_id,
                    occurrence_id=occ.occurrence_id,
                    group_id=occ.group_id,
                    start_utc=occ.start_utc,
                    end_utc=occ.end_utc,
                    shifted_for_quiet=shifted,
                )
            )
    out.sort(key=lambda r: (r.due_utc, r.key))
    return out


def max_lead(rows: Sequence[SettingRow]) -> timedelta:
    """How far before a session its earliest reminder can be due (bounds the window of
    occurrences the service has to read)."""
    base, per_group = resolve_policies(rows)
    days = max(
        [base.presenter_prep.offset_days]
        + [p.presenter_prep.offset_days for p in per_group.values()]
    )
    minutes = max(
        [base.before_start.offset_minutes]
        + [p.before_start.offset_minutes for p in per_group.values()]
    )
    # evening before: up to two calendar days; quiet hours can pull a reminder a day earlier
    return max(timedelta(days=days + 2), timedelta(minutes=minutes) + timedelta(days=1))


# --- cadence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CadenceStatus:
    goal_days: int
    since: date  # the last attended consultation (member-local), or when counting began
    attended_before: bool
    days_since: int
    overdue: bool
    overdue_on: date  # the first day the gap exceeds the goal


def cadence_status(
    goal_days: int | None, last_attended: date | None, baseline: date, today: date
) -> CadenceStatus | None:
    """The consultation-cadence check: None when the member set no goal."""
    if goal_days is None or goal_days <= 0:
        return None
    since = last_attended or baseline
    days = (today - since).days
    return CadenceStatus(
        goal_days=goal_days,
        since=since,
        attended_before=last_attended is not None,
        days_since=days,
        overdue=days > goal_days,
        overdue_on=since + timedelta(days=goal_days + 1),
    )


def plan_cadence(
    member: MemberInput, status: CadenceStatus | None, rows: Sequence[SettingRow]
) -> PlannedReminder | None:
    """The gentle nudge when the gap since the last attended consultation exceeds the goal:
    one per gap (its key names the day the gap is counted from)."""
    if status is None:
        return None
    base, _ = resolve_policies(rows)
    if not base.cadence.enabled:
        return None
    due = _at_local(
        status.overdue_on, base.cadence.local_time or DEFAULT_CADENCE_TIME, member.timezone
    )
    due, shifted = avoid_quiet(due, member.timezone, base.quiet, None)
    return PlannedReminder(
        key=cadence_key(member.id, status.since),
        kind=ReminderKind.CADENCE,
        member_id=member.id,
        due_utc=due,
        title=f"It has been {status.goal_days}+ days since your last consultation",
        shifted_for_quiet=shifted,
    )
