"""Conflict detection: warned, never silent.

* ``double_booked``: a member belongs to two groups whose sessions overlap.
* ``during_leave``: a session falls on a day of a member's leave (a warning when the
  member holds a duty in it, otherwise for information).
* ``duty_absent``: a member holding a duty (facilitator, presenter, note-taker) is marked
  absent or excused for that session.
* ``unassigned``: rotation found nobody available for a duty.

Pure functions over plain values; app/services/schedule.py loads the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.scheduling.expand import Occ, utc_to_local

Key = tuple[int, datetime]


@dataclass(frozen=True)
class Conflict:
    kind: str  # double_booked | during_leave | duty_absent | unassigned
    severity: str  # "warning" | "info"
    member_id: int | None
    keys: tuple[Key, ...]
    start_utc: datetime
    duty: str = ""


@dataclass(frozen=True)
class Leave:
    member_id: int
    start: date
    end: date


def find_conflicts(
    occurrences: Sequence[Occ],
    participants: Mapping[int, frozenset[int]],
    leave: Sequence[Leave],
    absences: Mapping[Key, frozenset[int]],
    duties: Mapping[Key, Mapping[int, frozenset[str]]],
    member_zones: Mapping[int, str],
    only_member: int | None = None,
) -> list[Conflict]:
    """Conflicts among ``occurrences`` (cancelled ones are ignored). ``participants``
    maps group id -> member ids; ``duties`` maps occurrence key -> member -> duties."""
    live = sorted((o for o in occurrences if not o.cancelled), key=lambda o: o.start_utc)
    out: list[Conflict] = []
    by_member: dict[int, list[Occ]] = {}
    for o in live:
        for m in participants.get(o.group_id, frozenset()):
            if only_member is None or m == only_member:
                by_member.setdefault(m, []).append(o)

    leave_by_member: dict[int, list[Leave]] = {}
    for lp in leave:
        leave_by_member.setdefault(lp.member_id, []).append(lp)

    for m, occs in by_member.items():
        # overlapping pairs: sweep in start order, keeping the ones still running
        running: list[Occ] = []
        for o in occs:
            running = [r for r in running if r.end_utc > o.start_utc]
            for r in running:
                if _absent(absences, r, m) or _absent(absences, o, m):
                    continue
                out.append(Conflict("double_booked", "warning", m, (r.key, o.key), o.start_utc))
            running.append(o)
        zone = member_zones.get(m, "UTC")
        for lp in leave_by_member.get(m, ()):
            for o in occs:
                day = utc_to_local(o.start_utc, zone).date()
                if lp.start <= day <= lp.end:
                    held = duties.get(o.key, {}).get(m, frozenset())
                    sev = "warning" if held else "info"
                    out.append(
                        Conflict(
                            "during_leave", sev, m, (o.key,), o.start_utc, ",".join(sorted(held))
                        )
                    )
    for o in live:
        for m, held in duties.get(o.key, {}).items():
            if only_member is not None and m != only_member:
                continue
            if held and _absent(absences, o, m):
                out.append(
                    Conflict(
                        "duty_absent", "warning", m, (o.key,), o.start_utc, ",".join(sorted(held))
                    )
                )
    out.sort(key=lambda c: (c.start_utc, c.kind, c.member_id or 0))
    return out


def _absent(absences: Mapping[Key, frozenset[int]], o: Occ, member_id: int) -> bool:
    return member_id in absences.get(o.key, frozenset())


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end
