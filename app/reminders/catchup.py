"""What to do with reminders whose time has come: on time, late (digest) or obsolete.

The service keeps a *watermark*: the instant up to which every planned reminder has been
dealt with (it has a delivery row). Whenever it looks again — a timer fired, the app
started, the machine resumed — everything due in ``(watermark, now]`` without a row is
taken, classified here and recorded, and the watermark moves to ``now``. A reminder is
therefore taken exactly once however many timers, restarts or resumes happen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.reminders.model import PlannedReminder

# A reminder taken more than this long after its due time did not arrive "on time": it
# was due while the app was closed or the machine slept, and goes into the digest.
LATE_AFTER = timedelta(minutes=2)
# How far back a catch-up looks after a long absence. Older reminders are not listed;
# the digest says so.
MAX_CATCHUP = timedelta(days=60)
# A clock that moved back by more than this (manual change, NTP correction after a long
# drift) resets the watermark to the new "now".
CLOCK_BACK_TOLERANCE = timedelta(seconds=5)


@dataclass(frozen=True)
class Window:
    after_utc: datetime
    until_utc: datetime
    truncated: bool  # the absence was longer than MAX_CATCHUP
    clock_went_back: bool


def catchup_window(watermark: datetime | None, now: datetime) -> Window:
    """The window ``(after, until]`` to take reminders from."""
    if watermark is None:
        return Window(now, now, False, False)  # first start: nothing from before it
    if watermark > now + CLOCK_BACK_TOLERANCE:
        return Window(now, now, False, True)
    floor = now - MAX_CATCHUP
    if watermark < floor:
        return Window(floor, now, True, False)
    return Window(min(watermark, now), now, False, False)


@dataclass(frozen=True)
class DueReminder:
    reminder: PlannedReminder
    late: bool  # due while the app was closed/asleep: shown in the digest
    obsolete: bool  # the session is already over: recorded as missed, not fired
    resnoozed: bool = False  # a snoozed reminder coming back

    @property
    def key(self) -> str:
        return self.reminder.key


def classify(
    due: Iterable[PlannedReminder], now: datetime, catching_up: bool = False
) -> list[DueReminder]:
    """``catching_up`` (start-up, resume): everything already due fell due while nobody
    was watching and goes to the digest; otherwise only what is over LATE_AFTER late."""
    late_after = timedelta(0) if catching_up else LATE_AFTER
    out = [
        DueReminder(
            reminder=r,
            late=now - r.due_utc > late_after,
            obsolete=r.is_obsolete(now),
        )
        for r in due
    ]
    out.sort(key=lambda d: (d.reminder.due_utc, d.key))
    return out
