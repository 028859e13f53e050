"""Series -> iCalendar (RFC 5545), for members' own calendar apps.

One VEVENT per series with its stable UID, DTSTART/DTEND in the series' IANA zone, the
RRULE (UNTIL converted to UTC as RFC 5545 requires), EXDATEs for cancelled occurrences,
RDATEs for occurrences outside the rule, and one VEVENT with RECURRENCE-ID per changed
occurrence (moved, or another location or link). VTIMEZONE components are included for
every zone used. Re-exporting gives the same UIDs with a higher SEQUENCE, so calendar
apps update their entries instead of adding new ones.

Privacy: SUMMARY is the series title and DESCRIPTION names only the group; agendas,
rotation, attendance and notes never leave the app this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event, vRecur

from app.scheduling.expand import utc_to_local, zone
from app.scheduling.recurrence import until_utc

PRODID = "-//Consultory//Consultory calendar export//EN"


@dataclass(frozen=True)
class ExportOccurrence:
    recurrence_id: datetime  # series-local wall clock
    cancelled: bool
    start_utc: datetime
    end_utc: datetime
    moved: bool
    in_rule: bool
    location: str | None = None
    video_url: str | None = None
    title: str | None = None  # this occurrence's own title


@dataclass(frozen=True)
class ExportSeries:
    uid: str
    title: str
    group_name: str
    timezone: str
    start_local: datetime
    duration_minutes: int
    all_day: bool
    rrule: str
    location: str
    video_url: str
    sequence: int
    exceptions: tuple[ExportOccurrence, ...] = ()


def _dt(value: datetime, tz: str, all_day: bool) -> datetime | date:
    if all_day:
        return value.date()
    return value.replace(tzinfo=zone(tz))


def _description(s: ExportSeries, location: str, video: str) -> str:
    lines = [f"{s.group_name}: consultation session (exported from Consultory)."]
    if video:
        lines.append(f"Video link: {video}")
    if location:
        lines.append(f"Location: {location}")
    return "\n".join(lines)


def _base(
    ev: Event, s: ExportSeries, now: datetime, location: str, video: str, title: str = ""
) -> None:
    ev.add("uid", s.uid)
    ev.add("dtstamp", now)
    ev.add("sequence", s.sequence)
    ev.add("summary", title or s.title)
    if location:
        ev.add("location", location)
    if video:
        ev.add("url", video)
    ev.add("description", _description(s, location, video))
    ev.add("categories", [s.group_name])


def _rule(s: ExportSeries) -> vRecur:
    rule = until_utc(s.rrule, s.timezone)
    if s.all_day and "UNTIL=" in rule:
        # a DATE series needs a DATE UNTIL
        parts = dict(p.split("=", 1) for p in rule.split(";"))
        parts["UNTIL"] = parts["UNTIL"][:8]
        rule = ";".join(f"{k}={v}" for k, v in parts.items())
    rec: vRecur = vRecur.from_ical(rule)
    return rec


def export_calendar(series: list[ExportSeries], name: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    first = date.max
    last = date(2038, 1, 1)
    for s in series:
        tz = s.timezone
        ev = Event()
        _base(ev, s, now, s.location, s.video_url)
        start = _dt(s.start_local, tz, s.all_day)
        ev.add("dtstart", start)
        ev.add("dtend", _dt(s.start_local + timedelta(minutes=s.duration_minutes), tz, s.all_day))
        if s.rrule:
            ev.add("rrule", _rule(s))
        exdates = [
            _dt(o.recurrence_id, tz, s.all_day) for o in s.exceptions if o.cancelled and o.in_rule
        ]
        if exdates:
            ev.add("exdate", exdates)
        rdates = [
            _dt(o.recurrence_id, tz, s.all_day)
            for o in s.exceptions
            if not o.cancelled and not o.in_rule
        ]
        if rdates:
            ev.add("rdate", rdates)
        cal.add_component(ev)
        first = min(first, s.start_local.date() - timedelta(days=366))
        last = max(last, s.start_local.date() + timedelta(days=366 * 2))
        for o in s.exceptions:
            changed = (
                o.moved or o.location is not None or o.video_url is not None
                or o.title is not None
            )
            if o.cancelled or not changed:
                continue
            loc = s.location if o.location is None else o.location
            video = s.video_url if o.video_url is None else o.video_url
            ov = Event()
            _base(ov, s, now, loc, video, o.title or "")
            ov.add("recurrence-id", _dt(o.recurrence_id, tz, s.all_day))
            if s.all_day:
                ov.add("dtstart", utc_to_local(o.start_utc, tz).date())
                ov.add("dtend", utc_to_local(o.end_utc, tz).date())
            else:
                ov.add("dtstart", _dt(utc_to_local(o.start_utc, tz), tz, False))
                ov.add("dtend", _dt(utc_to_local(o.end_utc, tz), tz, False))
            cal.add_component(ov)
            last = max(last, o.recurrence_id.date() + timedelta(days=366))
    if series:
        cal.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = cal.to_ical()
    return data
