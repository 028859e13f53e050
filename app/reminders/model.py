"""Plain values of the reminder planner: kinds, policies, planned reminders and their keys.

Nothing here touches the database or a timer. A ``PlannedReminder`` is identified by its
``key``, which depends only on *what* it reminds of (kind, member, series and the
occurrence's RECURRENCE-ID), never on when it is due: moving a session or changing an
offset changes ``due_utc`` but keeps the key, so a reminder already delivered is not
delivered again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time


class ReminderKind(enum.StrEnum):
    EVENING_BEFORE = "evening_before"
    BEFORE_START = "before_start"
    PRESENTER_PREP = "presenter_prep"
    CADENCE = "cadence"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    ReminderKind.EVENING_BEFORE: "Evening before",
    ReminderKind.BEFORE_START: "Before the session",
    ReminderKind.PRESENTER_PREP: "Your turn to present",
    ReminderKind.CADENCE: "Time for a consultation",
}

SESSION_KINDS = (
    ReminderKind.EVENING_BEFORE,
    ReminderKind.BEFORE_START,
    ReminderKind.PRESENTER_PREP,
)


class DeliveryState(enum.StrEnum):
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    MISSED = "missed"


# Defaults (issue 7): 17:00 member-local the evening before, 15 minutes before the start,
# a presenter's preparation reminder 3 days before at 09:00, the cadence nudge at 10:00.
DEFAULT_EVENING_TIME = time(17, 0)
DEFAULT_BEFORE_MINUTES = 15
DEFAULT_PREP_DAYS = 3
DEFAULT_PREP_TIME = time(9, 0)
DEFAULT_CADENCE_TIME = time(10, 0)
MAX_PREP_DAYS = 28
MAX_BEFORE_MINUTES = 24 * 60


@dataclass(frozen=True)
class KindPolicy:
    """One kind's resolved setting for one (member, group)."""

    enabled: bool
    offset_minutes: int = 0
    offset_days: int = 0
    local_time: time | None = None


@dataclass(frozen=True)
class QuietHours:
    """Member-local quiet period; ``start > end`` spans midnight (22:00–07:00)."""

    start: time
    end: time

    def contains(self, t: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


@dataclass(frozen=True)
class Policy:
    """Everything the planner needs to know about one member's preferences for one group."""

    evening_before: KindPolicy = KindPolicy(True, local_time=DEFAULT_EVENING_TIME)
    before_start: KindPolicy = KindPolicy(True, offset_minutes=DEFAULT_BEFORE_MINUTES)
    presenter_prep: KindPolicy = KindPolicy(
        True, offset_days=DEFAULT_PREP_DAYS, local_time=DEFAULT_PREP_TIME
    )
    cadence: KindPolicy = KindPolicy(True, local_time=DEFAULT_CADENCE_TIME)
    quiet: QuietHours | None = None
    include_coordinated: bool = False

    def for_kind(self, kind: ReminderKind) -> KindPolicy:
        return {
            ReminderKind.EVENING_BEFORE: self.evening_before,
            ReminderKind.BEFORE_START: self.before_start,
            ReminderKind.PRESENTER_PREP: self.presenter_prep,
            ReminderKind.CADENCE: self.cadence,
        }[kind]


@dataclass(frozen=True)
class SettingRow:
    """A ``ReminderSetting`` row as plain data (the planner's input)."""

    kind: str
    group_id: int | None
    enabled: bool = True
    offset_minutes: int | None = None
    offset_days: int | None = None
    local_time: str | None = None
    quiet_start: str | None = None
    quiet_end: str | None = None
    include_coordinated: bool = False


@dataclass(frozen=True)
class OccurrenceInput:
    """One occurrence as the planner sees it."""

    series_id: int
    group_id: int
    recurrence_id: datetime  # naive wall-clock in the series' zone
    start_utc: datetime
    end_utc: datetime
    title: str
    occurrence_id: int | None = None
    presenter_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class MemberInput:
    id: int
    timezone: str
    goal_days: int | None = None
    leave: tuple[tuple[date, date], ...] = ()

    def on_leave(self, day: date) -> bool:
        return any(a <= day <= b for a, b in self.leave)


@dataclass(frozen=True)
class PlannedReminder:
    key: str
    kind: ReminderKind
    member_id: int
    due_utc: datetime
    title: str
    series_id: int | None = None
    recurrence_id: datetime | None = None
    occurrence_id: int | None = None
    group_id: int | None = None
    start_utc: datetime | None = None  # the session's start (None for the cadence nudge)
    end_utc: datetime | None = None
    shifted_for_quiet: bool = False

    def is_obsolete(self, now: datetime) -> bool:
        """The session is over: firing now would be pointless (shown as missed)."""
        return self.end_utc is not None and now >= self.end_utc


def session_key(kind: ReminderKind, member_id: int, series_id: int, recurrence_id: datetime) -> str:
    return f"{kind.value}:{member_id}:{series_id}:{recurrence_id.strftime('%Y%m%dT%H%M%S')}"


def cadence_key(member_id: int, since: date) -> str:
    """One nudge per gap: the key names the last attended day the gap is counted from."""
    return f"{ReminderKind.CADENCE.value}:{member_id}:{since.isoformat()}"


def parse_hhmm(value: str | None) -> time | None:
    """``"HH:MM"`` to a time; None/empty stays None. Raises ValueError when malformed."""
    if value is None or not value.strip():
        return None
    hh, sep, mm = value.strip().partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2:
        raise ValueError(f"expected HH:MM, got {value!r}")
    return time(int(hh), int(mm))
