"""iCalendar -> series: the pure half of import (the service writes the rows).

Each master VEVENT becomes a series in an IANA zone (see :mod:`app.calendar_io.zones`)
with its wall-clock start, duration, RRULE (UNTIL made floating in that zone), EXDATEs
(cancelled occurrences) and RDATEs (extra occurrences). VEVENTs with a RECURRENCE-ID
become per-occurrence overrides of their master (cancelled when STATUS:CANCELLED);
overrides without a master become sessions of their own. Times:

* ``TZID`` times are read in the resolved zone; UTC (``Z``) times are shown in the
  calendar's X-WR-TIMEZONE when it has one (what Google means by it), else kept in UTC;
* floating times are placed in X-WR-TIMEZONE, else in the importer's default zone;
* all-day (DATE) events keep their dates and become all-day series.

EXDATE and RECURRENCE-ID values are matched to occurrences by instant; when that finds
none (a value written in another zone notation than DTSTART, as some exporters do) the
written wall-clock time is tried, and a DATE value matches that day's occurrence.

A problem with one event skips that event and is reported; the rest is imported. A file
with no importable event at all is refused, listing the problems.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from app.calendar_io.reader import Component, IcsError, Prop, parse
from app.calendar_io.zones import ZoneResolver
from app.errors import ValidationError
from app.scheduling.expand import local_to_utc, parse_rule, utc_to_local
from app.scheduling.recurrence import normalize_rule

DUR_RE = re.compile(
    r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.I
)
DT_RE = re.compile(r"^(\d{8})(?:T(\d{6})(Z)?)?$")
MAX_DURATION = timedelta(days=31)


@dataclass(frozen=True)
class When:
    """A parsed DATE or DATE-TIME value."""

    kind: str  # "date" | "floating" | "utc" | "zoned"
    naive: datetime  # as written (midnight for dates)
    zone: str = ""  # resolved zone for "zoned"

    def instant(self, fallback_zone: str) -> datetime:
        if self.kind == "utc":
            return self.naive.replace(tzinfo=UTC)
        return local_to_utc(self.naive, self.zone or fallback_zone)

    def local_in(self, zone: str) -> datetime:
        """Wall-clock time in ``zone`` (floating and dates are taken as written)."""
        if self.kind in ("floating", "date"):
            return self.naive
        return utc_to_local(self.instant(zone), zone)


@dataclass
class ParsedOverride:
    recurrence_id: datetime  # series-local wall clock
    cancelled: bool = False
    start_utc: datetime | None = None
    end_utc: datetime | None = None
    location: str | None = None
    title: str | None = None


@dataclass
class ParsedSeries:
    uid: str
    title: str
    timezone: str
    start_local: datetime
    duration_minutes: int
    all_day: bool
    rrule: str
    location: str = ""
    video_url: str = ""
    description: str = ""
    exdates: set[datetime] = field(default_factory=set)
    extra: set[datetime] = field(default_factory=set)  # RDATEs / unsynced DTSTART
    overrides: dict[datetime, ParsedOverride] = field(default_factory=dict)
    sequence: int = 0


@dataclass
class ParsedCalendar:
    name: str
    series: list[ParsedSeries]
    problems: list[str]
    skipped: int = 0
    ignored_components: int = 0


class EventError(Exception):
    """One event cannot be imported; the message says why."""


def _label(ev: Component, idx: int) -> str:
    return f"Event {idx} (line {ev.line})"


def parse_duration(value: str) -> timedelta:
    m = DUR_RE.match(value.strip())
    if not m or value.strip().upper() in ("P", "PT", "-P", "+P"):
        raise EventError(f"DURATION “{value[:30]}” is not a valid duration")
    sign, w, d, h, mi, s = m.groups()
    td = timedelta(
        weeks=int(w or 0),
        days=int(d or 0),
        hours=int(h or 0),
        minutes=int(mi or 0),
        seconds=int(s or 0),
    )
    return -td if sign == "-" else td


class _Reader:
    def __init__(self, cal: Component, default_zone: str) -> None:
        self.cal = cal
        self.problems: list[str] = []
        vt = {c.text("TZID").strip(): c for c in cal.children if c.name == "VTIMEZONE"}
        years = self._years(cal)
        x_wr = cal.get("X-WR-TIMEZONE")
        base = ZoneResolver(vt, default_zone, years)
        self.x_wr_zone: str | None = None
        if x_wr is not None and x_wr.value.strip():
            self.x_wr_zone = base.known(x_wr.value)
            if self.x_wr_zone is None:
                self.problems.append(
                    f"X-WR-TIMEZONE “{x_wr.value.strip()[:60]}” is unknown; it was ignored."
                )
        self.floating_zone = self.x_wr_zone or default_zone
        self.zones = ZoneResolver(vt, self.floating_zone, years)
        self.used_floating = False

    @staticmethod
    def _years(cal: Component) -> tuple[int, int]:
        ys = []
        for ev in cal.children:
            if ev.name != "VEVENT":
                continue
            p = ev.get("DTSTART")
            if p is not None and p.value[:4].isdigit():
                ys.append(int(p.value[:4]))
        ys = [y for y in ys if 1900 <= y <= 2100]
        if not ys:
            return (2020, 2026)
        return (min(ys) - 1, max(ys) + 1)

    def when(self, prop: Prop, value: str | None = None) -> When:
        raw = (value if value is not None else prop.value).strip()
        m = DT_RE.match(raw)
        if not m:
            raise EventError(f"{prop.name} “{raw[:30]}” is not a date or date-time")
        day, clock, z = m.groups()
        try:
            d = datetime.strptime(day, "%Y%m%d")
            if clock is not None:
                d = datetime.strptime(day + clock, "%Y%m%d%H%M%S")
        except ValueError:
            raise EventError(f"{prop.name} “{raw[:30]}” is not a real date") from None
        if not 1800 <= d.year <= 2200:
            raise EventError(f"{prop.name} “{raw[:30]}” is outside the years 1800 to 2200")
        vtype = (prop.param("VALUE") or "").upper()
        if clock is None:
            if vtype not in ("", "DATE"):
                raise EventError(f"{prop.name} is marked {vtype} but holds a date")
            return When("date", d)
        if vtype == "DATE":
            raise EventError(f"{prop.name} is marked DATE but holds a date-time")
        tzid = prop.param("TZID")
        if z:
            if tzid:
                self.problems.append(
                    f"Line {prop.line}: {prop.name} has both a TZID and a UTC “Z”; "
                    "it was read as UTC."
                )
            return When("utc", d)
        if tzid:
            return When("zoned", d, self.zones.resolve(tzid))
        return When("floating", d)

    def whens(self, prop: Prop) -> list[When]:
        out = []
        for part in prop.value.split(","):
            part = part.strip()
            if not part:
                continue
            if "/" in part:  # PERIOD: start/end or start/duration
                part = part.split("/", 1)[0]
            out.append(self.when(prop, part))
        return out


def _uid(ev: Component, idx: int) -> str:
    uid = ev.text("UID").strip()
    if uid:
        return uid[:240]
    basis = "|".join(
        (p.value if p else "") for p in (ev.get("DTSTART"), ev.get("SUMMARY"), ev.get("RRULE"))
    )
    return f"import-{hashlib.sha256(basis.encode()).hexdigest()[:24]}@consultory"


def _url(text: str) -> str:
    m = re.search(r"https?://\S+", text)
    return m.group(0)[:500] if m else ""


def read_calendar(data: bytes | str, default_zone: str = "UTC") -> ParsedCalendar:
    """Parse a calendar file into series. Raises IcsError when the file cannot be read
    at all or holds no importable event."""
    cal, problems = parse(data)
    r = _Reader(cal, default_zone)
    masters: dict[str, ParsedSeries] = {}
    pending: list[tuple[str, Component, int]] = []
    skipped = ignored = 0
    for idx, ev in enumerate((c for c in cal.children if c.name not in ("VTIMEZONE",)), start=1):
        if ev.name != "VEVENT":
            ignored += 1
            continue
        try:
            if ev.get("RECURRENCE-ID") is not None:
                pending.append((_uid(ev, idx), ev, idx))
                continue
            if ev.text("STATUS").strip().upper() == "CANCELLED":
                problems.append(f"{_label(ev, idx)} is cancelled; it was not imported.")
                skipped += 1
                continue
            ps = _master(r, ev, idx)
            if ps.uid in masters:
                ps.uid = f"{ps.uid}-{idx}"
            masters[ps.uid] = ps
        except (EventError, ValidationError) as exc:
            problems.append(f"{_label(ev, idx)} was skipped: {_msg(exc)}.")
            skipped += 1
    orphans: dict[str, list[tuple[Component, int]]] = {}
    for uid, ev, idx in pending:
        master = masters.get(uid)
        try:
            if master is None:
                orphans.setdefault(uid, []).append((ev, idx))
            else:
                _override(r, master, ev)
        except (EventError, ValidationError) as exc:
            problems.append(f"{_label(ev, idx)} (a changed occurrence) was skipped: {_msg(exc)}.")
            skipped += 1
    for uid, evs in orphans.items():
        try:
            masters[uid] = _orphans(r, uid, evs)
        except (EventError, ValidationError) as exc:
            problems.append(f"{_label(evs[0][0], evs[0][1])} was skipped: {_msg(exc)}.")
            skipped += len(evs)
    problems += r.problems + r.zones.notes
    if r.used_floating:
        problems.append(
            f"Some times had no time zone (floating); they were placed in {r.floating_zone}."
        )
    name = cal.text("X-WR-CALNAME").strip()
    series = list(masters.values())
    if not series:
        detail = " ".join(problems[:6]) if problems else "It contains no events."
        raise IcsError(f"Nothing in this file could be imported. {detail}")
    return ParsedCalendar(name, series, problems, skipped, ignored)


def _msg(exc: Exception) -> str:
    text = exc.message if isinstance(exc, ValidationError) else str(exc)
    return text.rstrip(".")


def _start_end(r: _Reader, ev: Component, lenient: bool = False) -> tuple[When, timedelta]:
    p = ev.get("DTSTART")
    if p is None:
        raise EventError("it has no (valid) DTSTART")
    start = r.when(p)
    end_p, dur_p = ev.get("DTEND"), ev.get("DURATION")
    length: timedelta
    if end_p is not None:
        end = r.when(end_p)
        if start.kind == "date":
            length = end.naive - start.naive if end.kind == "date" else timedelta(days=1)
        else:
            zone = start.zone or r.floating_zone
            length = end.instant(zone) - start.instant(zone)
        if dur_p is not None:
            r.problems.append(
                f"Line {dur_p.line}: the event has both DTEND and DURATION; DTEND was used."
            )
    elif dur_p is not None:
        length = parse_duration(dur_p.value)
    else:
        length = timedelta(days=1) if start.kind == "date" else timedelta(0)
    if length < timedelta(0):
        if not lenient:
            raise EventError("it ends before it starts")
        r.problems.append(
            f"Event on line {ev.line} ends before it starts; it was imported without a length."
        )
        length = timedelta(0)
    if length > MAX_DURATION:
        raise EventError("it lasts longer than 31 days")
    return start, length


def _series_zone(r: _Reader, start: When, prop: Prop | None = None) -> str:
    if start.kind == "zoned":
        return start.zone
    if start.kind == "date" and prop is not None and prop.param("TZID"):
        # TZID on a DATE is not allowed, but says in which zone the day is meant
        return r.zones.resolve(prop.param("TZID") or "")
    if start.kind == "utc":
        return r.x_wr_zone or "UTC"
    if start.kind == "floating":
        r.used_floating = True
    return r.floating_zone


def _master(r: _Reader, ev: Component, idx: int) -> ParsedSeries:
    start, length = _start_end(r, ev, lenient=True)
    zone = _series_zone(r, start, ev.get("DTSTART"))
    start_local = start.local_in(zone)
    all_day = start.kind == "date"
    rules = ev.all("RRULE")
    rule = ""
    if rules:
        if len(rules) > 1:
            r.problems.append(f"{_label(ev, idx)} has several RRULEs; only the first was used.")
        rule, notes = normalize_rule(
            rules[0].value, start_local, zone, allow_subdaily=True, clamp=True
        )
        if all_day and "UNTIL=" in rule:
            rule = re.sub(r"UNTIL=(\d{8})T\d{6}", r"UNTIL=\1", rule)
        for n in notes:
            r.problems.append(f"{_label(ev, idx)}: {n}.")
    location = ev.text("LOCATION").strip()
    url = ev.text("URL").strip()
    video = url if url.lower().startswith(("https://", "http://")) else ""
    if not video and location.lower().startswith(("https://", "http://")):
        video, location = _url(location), ""
    ps = ParsedSeries(
        uid=_uid(ev, idx),
        title=(" ".join(ev.text("SUMMARY").split()) or "Untitled session")[:200],
        timezone=zone,
        start_local=start_local,
        duration_minutes=int(length.total_seconds() // 60),
        all_day=all_day,
        rrule=rule,
        location=location[:300],
        video_url=video[:500],
        description=ev.text("DESCRIPTION").strip(),
        sequence=_int(ev.text("SEQUENCE")),
    )
    if rule and not _in_rule(ps, start_local):
        ps.extra.add(start_local)  # RFC 5545: DTSTART is always the first instance
    for p in ev.all("RDATE"):
        try:
            for w in r.whens(p):
                rid = _rid_for(ps, w, strict=False)
                if rid is not None and rid != start_local and not _in_rule(ps, rid):
                    ps.extra.add(rid)
        except EventError as exc:
            r.problems.append(f"{_label(ev, idx)}: an RDATE was ignored ({exc}).")
    for p in ev.all("EXDATE"):
        try:
            for w in r.whens(p):
                for rid in _match(ps, w):
                    ps.exdates.add(rid)
        except EventError as exc:
            r.problems.append(f"{_label(ev, idx)}: an EXDATE was ignored ({exc}).")
    return ps


def _int(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() else 0


def _in_rule(ps: ParsedSeries, rid: datetime) -> bool:
    if not ps.rrule:
        return rid == ps.start_local
    rule = parse_rule(ps.rrule, ps.start_local)
    nxt = rule.after(rid - timedelta(seconds=1), inc=True)
    return bool(nxt == rid)


def _is_occurrence(ps: ParsedSeries, rid: datetime) -> bool:
    return rid == ps.start_local or rid in ps.extra or _in_rule(ps, rid)


def _rid_for(ps: ParsedSeries, w: When, strict: bool = True) -> datetime | None:
    if ps.all_day:
        return datetime.combine(w.naive.date(), datetime.min.time())
    if w.kind == "date":
        return None if strict else datetime.combine(w.naive.date(), ps.start_local.time())
    return w.local_in(ps.timezone)


def _match(ps: ParsedSeries, w: When) -> list[datetime]:
    """The series' occurrences that an EXDATE / RECURRENCE-ID value names."""
    if ps.all_day:
        rid = datetime.combine(w.naive.date(), datetime.min.time())
        return [rid] if _is_occurrence(ps, rid) else []
    if w.kind == "date":
        day = w.naive.date()
        return [d for d in _on_day(ps, day)]
    rid = w.local_in(ps.timezone)
    if _is_occurrence(ps, rid):
        return [rid]
    if w.naive != rid and _is_occurrence(ps, w.naive):
        return [w.naive]  # written in another zone notation than DTSTART
    return []


def _on_day(ps: ParsedSeries, day: date) -> list[datetime]:
    lo = datetime.combine(day, datetime.min.time())
    hi = lo + timedelta(days=1)
    out = [x for x in ps.extra | {ps.start_local} if lo <= x < hi and _is_occurrence(ps, x)]
    if ps.rrule:
        out += [d for d in parse_rule(ps.rrule, ps.start_local).between(lo, hi, inc=True) if d < hi]
    return sorted(set(out))


def _override(r: _Reader, ps: ParsedSeries, ev: Component) -> None:
    rid_prop = ev.get("RECURRENCE-ID")
    assert rid_prop is not None
    if (rid_prop.param("RANGE") or "").upper() == "THISANDFUTURE":
        r.problems.append(
            f"Line {rid_prop.line}: RANGE=THISANDFUTURE is applied to that occurrence only."
        )
    w = r.when(rid_prop)
    matches = _match(ps, w)
    if matches:
        rid = matches[0]
    else:
        guess = _rid_for(ps, w, strict=False)
        if guess is None:
            raise EventError("its RECURRENCE-ID matches no occurrence")
        rid = guess
        ps.extra.add(rid)  # an occurrence outside the rule, as written
    if ev.text("STATUS").strip().upper() == "CANCELLED":
        ps.exdates.add(rid)
        ps.overrides.pop(rid, None)
        return
    ov = ParsedOverride(recurrence_id=rid)
    try:
        start, length = _start_end(r, ev)
        zone = ps.timezone
        if start.kind == "date":
            ov.start_utc = local_to_utc(start.naive, zone)
            ov.end_utc = local_to_utc(start.naive + length, zone)
        else:
            ov.start_utc = start.instant(zone)
            ov.end_utc = ov.start_utc + length
    except EventError as exc:
        if "ends before" not in str(exc):
            raise
        r.problems.append(
            f"Line {rid_prop.line}: a changed occurrence ends before it starts; the series' "
            "length was used."
        )
        p = ev.get("DTSTART")
        assert p is not None
        start = r.when(p)
        ov.start_utc = start.instant(ps.timezone)
        ov.end_utc = ov.start_utc + timedelta(minutes=ps.duration_minutes)
    loc = ev.get("LOCATION")
    if loc is not None and ev.text("LOCATION").strip() != ps.location:
        ov.location = ev.text("LOCATION").strip()[:300]
    title = " ".join(ev.text("SUMMARY").split())
    if title and title != ps.title:
        ov.title = title[:200]
    ps.overrides[rid] = ov
    ps.exdates.discard(rid)


def _orphans(r: _Reader, uid: str, evs: list[tuple[Component, int]]) -> ParsedSeries:
    """Overrides whose master is not in the file: each is a session as written."""
    live = [ev for ev, _ in evs if ev.text("STATUS").strip().upper() != "CANCELLED"]
    if not live:
        raise EventError("its only occurrences are cancelled")
    first = min(live, key=lambda ev: ev.text("DTSTART"))
    start, length = _start_end(r, first)
    zone = _series_zone(r, start)
    ps = ParsedSeries(
        uid=uid,
        title=(" ".join(first.text("SUMMARY").split()) or "Untitled session")[:200],
        timezone=zone,
        start_local=start.local_in(zone),
        duration_minutes=int(length.total_seconds() // 60),
        all_day=start.kind == "date",
        rrule="",
        location=first.text("LOCATION").strip()[:300],
        description=first.text("DESCRIPTION").strip(),
    )
    for ev in live:
        if ev is not first:
            ps.extra.add(_start_end(r, ev)[0].local_in(zone))
    return ps


__all__ = ["IcsError", "ParsedCalendar", "ParsedSeries", "read_calendar"]
