"""Expanding series into occurrences, in the series' own time zone.

A series stores its IANA zone and the wall-clock start of its first occurrence; its RRULE
(RFC 5545, without the ``RRULE:`` prefix) is evaluated by python-dateutil on *naive*
wall-clock datetimes, so 12:00 New York stays 12:00 across DST. Each wall-clock start is
then placed in the zone (``fold=0``; a start inside a spring-forward gap lands on the
first valid instant after it) and converted to UTC. ``UNTIL`` in a stored RRULE is
floating wall-clock time in the series' zone (the iCalendar exporter converts it to UTC).

Materialised ``Occurrence`` rows override the computed values (moved, cancelled,
another location) and add occurrences outside the rule (a move into another window).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

# Guard against absurd rules (e.g. FREQ=SECONDLY with no end): never produce more than
# this many occurrences from one series in one call.
MAX_OCCURRENCES_PER_CALL = 20_000


@dataclass(frozen=True)
class SeriesSpec:
    id: int
    group_id: int
    title: str
    timezone: str
    start_local: datetime  # naive wall-clock
    duration_minutes: int
    rrule: str = ""
    location: str = ""
    video_url: str = ""
    agenda: str = ""
    all_day: bool = False


@dataclass(frozen=True)
class OverrideSpec:
    occurrence_id: int
    series_id: int
    recurrence_id: datetime  # naive wall-clock original start
    status: str
    start_utc: datetime
    end_utc: datetime
    location: str | None = None
    video_url: str | None = None
    agenda: str | None = None
    moved: bool = False
    title: str | None = None  # this occurrence's own title, if it has one


@dataclass(frozen=True)
class Occ:
    """One occurrence, computed or overridden."""

    series_id: int
    group_id: int
    title: str
    recurrence_id: datetime  # naive wall-clock original start in ``timezone``
    start_utc: datetime
    end_utc: datetime
    timezone: str
    status: str = "scheduled"
    occurrence_id: int | None = None
    location: str = ""
    video_url: str = ""
    agenda: str = ""
    moved: bool = False
    all_day: bool = False

    @property
    def key(self) -> tuple[int, datetime]:
        return (self.series_id, self.recurrence_id)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_to_utc(naive: datetime, tz: str) -> datetime:
    """Wall-clock time in ``tz`` to an aware UTC instant."""
    return naive.replace(tzinfo=zone(tz)).astimezone(UTC)


def utc_to_local(instant: datetime, tz: str) -> datetime:
    """An aware instant to naive wall-clock time in ``tz``."""
    return instant.astimezone(zone(tz)).replace(tzinfo=None)


@lru_cache(maxsize=1024)
def parse_rule(rule: str, dtstart: datetime) -> rrule:
    """The dateutil rule for ``rule`` from ``dtstart``; cached, and with dateutil's own
    result cache on, so repeated windows over the same series do not re-iterate it."""
    parsed = rrulestr(rule, dtstart=dtstart, ignoretz=True, cache=True)
    assert isinstance(parsed, rrule)
    return parsed


def occurrence_end_utc(spec: SeriesSpec, start_local: datetime, start_utc: datetime) -> datetime:
    """The end of an occurrence. All-day sessions end at local midnight ``n`` days later
    (23 or 25 hours across a DST change); timed sessions last exactly their duration."""
    if spec.all_day:
        return local_to_utc(start_local + timedelta(minutes=spec.duration_minutes), spec.timezone)
    return start_utc + timedelta(minutes=spec.duration_minutes)


def wall_clock_starts(spec: SeriesSpec, lo_local: datetime, hi_local: datetime) -> list[datetime]:
    """Naive wall-clock starts of ``spec`` with lo_local <= start <= hi_local."""
    if not spec.rrule:
        return [spec.start_local] if lo_local <= spec.start_local <= hi_local else []
    rule = parse_rule(spec.rrule, spec.start_local)
    out: list[datetime] = []
    for dt in rule.xafter(max(lo_local, spec.start_local), inc=True):
        if dt > hi_local or len(out) >= MAX_OCCURRENCES_PER_CALL:
            break
        out.append(dt)
    return out


def expand(
    series: Iterable[SeriesSpec],
    overrides: Mapping[tuple[int, datetime], OverrideSpec],
    start_utc: datetime,
    end_utc: datetime,
    include_cancelled: bool = False,
) -> list[Occ]:
    """Occurrences overlapping [start_utc, end_utc), sorted by start."""
    out: list[Occ] = []
    seen: set[tuple[int, datetime]] = set()
    specs = {s.id: s for s in series}
    for spec in specs.values():
        dur = timedelta(minutes=spec.duration_minutes)
        # widen by a day on each side: zone offsets never exceed 26 h
        lo = utc_to_local(start_utc, spec.timezone) - dur - timedelta(days=1)
        hi = utc_to_local(end_utc, spec.timezone) + timedelta(days=1)
        for rid in wall_clock_starts(spec, lo, hi):
            key = (spec.id, rid)
            ov = overrides.get(key)
            if ov is not None:
                continue  # overrides are placed below, wherever they moved to
            s_utc = local_to_utc(rid, spec.timezone)
            e_utc = occurrence_end_utc(spec, rid, s_utc)
            if e_utc <= start_utc or s_utc >= end_utc:
                continue
            seen.add(key)
            out.append(
                Occ(
                    series_id=spec.id,
                    group_id=spec.group_id,
                    title=spec.title,
                    recurrence_id=rid,
                    start_utc=s_utc,
                    end_utc=e_utc,
                    timezone=spec.timezone,
                    location=spec.location,
                    video_url=spec.video_url,
                    agenda=spec.agenda,
                    all_day=spec.all_day,
                )
            )
    for key, ov in overrides.items():
        owner = specs.get(ov.series_id)
        if owner is None or key in seen:
            continue
        if ov.end_utc <= start_utc or ov.start_utc >= end_utc:
            continue
        if ov.status == "cancelled" and not include_cancelled:
            continue
        out.append(
            Occ(
                series_id=owner.id,
                group_id=owner.group_id,
                title=owner.title if ov.title is None else ov.title,
                recurrence_id=ov.recurrence_id,
                start_utc=ov.start_utc,
                end_utc=ov.end_utc,
                timezone=owner.timezone,
                status=ov.status,
                occurrence_id=ov.occurrence_id,
                location=owner.location if ov.location is None else ov.location,
                video_url=owner.video_url if ov.video_url is None else ov.video_url,
                agenda=owner.agenda if ov.agenda is None else ov.agenda,
                moved=ov.moved,
                all_day=owner.all_day,
            )
        )
    out.sort(key=lambda o: (o.start_utc, o.series_id))
    return out
